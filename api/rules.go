package api

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/rules"
)

// getRules answers the active rule set (with its YAML) and the history of versions.
func (s *Server) getRules(c *gin.Context) error {
	ctx := c.Request.Context()
	history, err := s.Store.RuleSetHistory(ctx)
	if err != nil {
		return err
	}
	active, err := s.Store.ActiveRuleSet(ctx)
	if errors.Is(err, store.ErrNotFound) {
		respond(c, http.StatusOK, gin.H{"version": 0, "source": "", "history": history,
			"message": "尚未上传转办规则，案件均转会员部人工梳理 (no rule set: every case is triaged by hand)"})
		return nil
	}
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"version": active.Version, "description": active.Description, "rule_count": active.RuleCount,
		"uploaded_by": active.UploadedBy, "uploaded_at": active.UploadedAt, "source": active.Source, "history": history})
	return nil
}

func invalidRules(problems []rules.Problem) *Error {
	e := newError(http.StatusUnprocessableEntity, "invalid_rules",
		fmt.Sprintf("规则集有 %d 处错误，未启用 (the rule set has %d problems and was not activated)", len(problems), len(problems)))
	e.Details = problems
	return e
}

// putRules uploads a new rule set (YAML). It is compiled, its examples run and its units
// checked; any problem answers 422 with every problem's position, and nothing changes.
func (s *Server) putRules(c *gin.Context) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if !strings.Contains(mt, "yaml") && mt != "text/plain" {
			return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
				"规则集须以 YAML 上传 (send the rule set as Content-Type: application/yaml)")
		}
	}
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	rs, err := rules.Load(raw)
	var le *rules.LoadError
	if errors.As(err, &le) {
		return invalidRules(le.Problems)
	}
	if err != nil {
		return err
	}
	var problems []rules.Problem
	for _, ref := range rs.UnitRefs() {
		unit, err := s.Store.GetUnit(c.Request.Context(), ref.Unit)
		switch {
		case errors.Is(err, store.ErrNotFound):
			problems = append(problems, rules.Problem{RuleID: ref.RuleID, Line: ref.Line, Column: ref.Column,
				Message: fmt.Sprintf("unit %q does not exist", ref.Unit)})
		case err != nil:
			return err
		case !unit.Responsible():
			problems = append(problems, rules.Problem{RuleID: ref.RuleID, Line: ref.Line, Column: ref.Column,
				Message: fmt.Sprintf("%s (%s) is not a responsible unit", unit.Name, ref.Unit)})
		}
	}
	if len(problems) > 0 {
		return invalidRules(problems)
	}
	err = s.Store.SaveRuleSet(c.Request.Context(), store.RuleSetRecord{Version: rs.Version, Description: rs.Description,
		Source: string(raw), RuleCount: rs.Len(), UploadedBy: currentUser(c).Username})
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"version": rs.Version, "rule_count": rs.Len()})
	return nil
}

type evaluateRequest struct {
	Case         rules.Case        `json:"case"`
	EnterpriseID string            `json:"enterprise_id"`
	Enterprise   *rules.Enterprise `json:"enterprise"`
	History      *rules.History    `json:"history"`
}

// evaluateRules is the dry run behind the member department's "explain" button: a case
// and an enterprise in, the route out with every rule that matched and what it set.
func (s *Server) evaluateRules(c *gin.Context) error {
	ctx := c.Request.Context()
	var req evaluateRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	if (req.EnterpriseID == "") == (req.Enterprise == nil) {
		return invalid("enterprise_id: 须给出 enterprise_id 或 enterprise 之一 (give enterprise_id or an inline enterprise)")
	}
	rec, err := s.Store.ActiveRuleSet(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return newError(http.StatusNotFound, "no_rule_set", "尚未上传转办规则 (no rule set is active)")
	}
	if err != nil {
		return err
	}
	rs, err := s.rules.Get(rec.Version, []byte(rec.Source))
	if err != nil {
		return err
	}
	in := rules.Input{Case: req.Case}
	if req.EnterpriseID != "" {
		if in, err = s.Store.RuleInput(ctx, req.Case, req.EnterpriseID, ""); err != nil {
			return referenced(err, "enterprise_id")
		}
	} else {
		in.Enterprise = *req.Enterprise
	}
	if req.History != nil {
		in.History = *req.History
	}
	res := rs.Evaluate(in)
	if err := res.CheckComputedUnits(func(id string) (bool, error) { return s.Store.IsResponsibleUnit(ctx, id) }); err != nil {
		return err
	}
	respond(c, http.StatusOK, res)
	return nil
}
