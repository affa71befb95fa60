package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/rules"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The routing rules (转办规则), part of the cases' context: the rule set in force, a new
// version, and the dry run behind the member department's "explain" button.

// RulesView is the active rule set (with its YAML) and the history of versions; with no
// rule set, version 0 and a message.
type RulesView struct {
	Version     int64                 `json:"version"`
	Description *string               `json:"description,omitempty"`
	RuleCount   *int                  `json:"rule_count,omitempty"`
	UploadedBy  *string               `json:"uploaded_by,omitempty"`
	UploadedAt  *time.Time            `json:"uploaded_at,omitempty"`
	Source      string                `json:"source"`
	History     []store.RuleSetRecord `json:"history"`
	Message     string                `json:"message,omitempty"`
}

// Rules is the rule set in force and its history.
func (s Cases) Rules(ctx context.Context) (RulesView, error) {
	history, err := s.Store.RuleSetHistory(ctx)
	if err != nil {
		return RulesView{}, err
	}
	active, err := s.Store.ActiveRuleSet(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return RulesView{History: history, Message: "尚未上传转办规则，案件均转会员部人工梳理 (no rule set: every case is triaged by hand)"}, nil
	}
	if err != nil {
		return RulesView{}, err
	}
	return RulesView{Version: active.Version, Description: &active.Description, RuleCount: &active.RuleCount,
		UploadedBy: &active.UploadedBy, UploadedAt: &active.UploadedAt, Source: active.Source, History: history}, nil
}

func invalidRules(problems []rules.Problem) *Error {
	e := newError(Invalid, "invalid_rules",
		fmt.Sprintf("规则集有 %d 处错误，未启用 (the rule set has %d problems and was not activated)", len(problems), len(problems)))
	e.Details = problems
	return e
}

// RulesSaved is a rule set put in force.
type RulesSaved struct {
	Version   int64 `json:"version"`
	RuleCount int   `json:"rule_count"`
}

// SaveRules puts a new rule set (YAML) in force. It is compiled, its examples run and its
// units checked; any problem is Invalid with every problem's position, and nothing changes.
func (s Cases) SaveRules(ctx context.Context, u domain.User, source []byte) (RulesSaved, error) {
	if err := require(u, RolesAdmin...); err != nil {
		return RulesSaved{}, err
	}
	rs, err := rules.Load(source)
	var le *rules.LoadError
	if errors.As(err, &le) {
		return RulesSaved{}, invalidRules(le.Problems)
	}
	if err != nil {
		return RulesSaved{}, err
	}
	var problems []rules.Problem
	for _, ref := range rs.UnitRefs() {
		unit, err := s.Store.GetUnit(ctx, ref.Unit)
		switch {
		case errors.Is(err, store.ErrNotFound):
			problems = append(problems, rules.Problem{RuleID: ref.RuleID, Line: ref.Line, Column: ref.Column,
				Message: fmt.Sprintf("unit %q does not exist", ref.Unit)})
		case err != nil:
			return RulesSaved{}, err
		case !unit.Responsible():
			problems = append(problems, rules.Problem{RuleID: ref.RuleID, Line: ref.Line, Column: ref.Column,
				Message: fmt.Sprintf("%s (%s) is not a responsible unit", unit.Name, ref.Unit)})
		}
	}
	if len(problems) > 0 {
		return RulesSaved{}, invalidRules(problems)
	}
	err = s.Store.SaveRuleSet(ctx, store.RuleSetRecord{Version: rs.Version, Description: rs.Description,
		Source: string(source), RuleCount: rs.Len(), UploadedBy: u.Username})
	if err != nil {
		return RulesSaved{}, err
	}
	return RulesSaved{Version: rs.Version, RuleCount: rs.Len()}, nil
}

// Evaluation is a dry run of the rules: a case and an enterprise (by id, or given inline).
type Evaluation struct {
	Case         rules.Case        `json:"case"`
	EnterpriseID string            `json:"enterprise_id"`
	Enterprise   *rules.Enterprise `json:"enterprise"`
	History      *rules.History    `json:"history"`
}

// Evaluate is the route the rules in force give, with every rule that matched and what it set.
func (s Cases) Evaluate(ctx context.Context, u domain.User, req Evaluation) (rules.Result, error) {
	if err := require(u, RolesRuleTester...); err != nil {
		return rules.Result{}, err
	}
	if (req.EnterpriseID == "") == (req.Enterprise == nil) {
		return rules.Result{}, invalid("enterprise_id: 须给出 enterprise_id 或 enterprise 之一 (give enterprise_id or an inline enterprise)")
	}
	rec, err := s.Store.ActiveRuleSet(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return rules.Result{}, newError(NotFound, "no_rule_set", "尚未上传转办规则 (no rule set is active)")
	}
	if err != nil {
		return rules.Result{}, err
	}
	rs, err := s.rules.Get(rec.Version, []byte(rec.Source))
	if err != nil {
		return rules.Result{}, err
	}
	in := rules.Input{Case: req.Case}
	if req.EnterpriseID != "" {
		if in, err = s.Store.RuleInput(ctx, req.Case, req.EnterpriseID, ""); err != nil {
			return rules.Result{}, referenced(err, "enterprise_id")
		}
	} else {
		in.Enterprise = *req.Enterprise
	}
	if req.History != nil {
		in.History = *req.History
	}
	res := rs.Evaluate(in)
	if err := res.CheckComputedUnits(func(id string) (bool, error) { return s.Store.IsResponsibleUnit(ctx, id) }); err != nil {
		return rules.Result{}, err
	}
	return res, nil
}
