package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The report goes to the city's leaders (报送) and their instructions come back (批示): the
// Federation's office records both (RolesInstructionEditors); an instruction becomes cases
// raised with its id (NewCase.InstructionID); the report shows each instruction with its
// cases as they stand.

// Sending is a sending of the report as recorded.
type Sending = store.Sending

// SendingRequest records a sending of the report: to whom, and when.
type SendingRequest struct {
	To     []string   `json:"to"`
	SentAt *time.Time `json:"sent_at"`
}

// InstructionRequest records an instruction: who gave it, on which day, what it says.
type InstructionRequest struct {
	By   string `json:"by"`
	Date string `json:"date"`
	Text string `json:"text"`
}

// InstructionView is an instruction with the cases raised from it, as they stand.
type InstructionView struct {
	store.Instruction
	Cases []InstructionCaseView `json:"cases"`
}

// InstructionCaseView is a case raised from an instruction: its number and state.
type InstructionCaseView struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
}

const (
	maxRecipients = 20
	// clockSkew is how far in the future a time may be (a clock a little ahead).
	clockSkew = 5 * time.Minute
)

// compiled checks that the quarter's report exists: only a compiled report is sent or
// instructed on (409 otherwise).
func (s Reports) compiled(ctx context.Context, q domain.Quarter) error {
	if err := begun(q); err != nil {
		return err
	}
	if _, _, err := s.Store.ReportOf(ctx, q); errors.Is(err, store.ErrNotFound) {
		return newError(Conflict, "not_compiled", fmt.Sprintf("%s 的报告尚未汇总，不能报送或登记批示 (the report is not compiled yet)", q))
	} else if err != nil {
		return err
	}
	return nil
}

// RecordSending records that the quarter's report was sent; the same sending again is the
// one recorded (created false).
func (s Reports) RecordSending(ctx context.Context, u domain.User, q domain.Quarter, req SendingRequest) (store.Sending, bool, error) {
	if err := require(u, RolesInstructionEditors...); err != nil {
		return store.Sending{}, false, err
	}
	if err := s.compiled(ctx, q); err != nil {
		return store.Sending{}, false, err
	}
	if len(req.To) == 0 || len(req.To) > maxRecipients {
		return store.Sending{}, false, invalid(fmt.Sprintf("to: 应列出 1 至 %d 位报送对象 (1 to %d recipients)", maxRecipients, maxRecipients))
	}
	to := make([]string, 0, len(req.To))
	for i, r := range req.To {
		r = strings.TrimSpace(r)
		field := fmt.Sprintf("to[%d]", i)
		if r == "" {
			return store.Sending{}, false, invalid(field + ": 不能为空 (empty)")
		}
		if err := workflows.CheckLine(field, r, 100); err != nil {
			return store.Sending{}, false, err
		}
		if slices.Contains(to, r) {
			return store.Sending{}, false, invalid(field + ": 重复 (named twice)")
		}
		to = append(to, r)
	}
	if req.SentAt == nil {
		return store.Sending{}, false, invalid("sent_at: 必填，报送时间 (required)")
	}
	at := req.SentAt.UTC().Truncate(time.Microsecond)
	if at.Before(q.Start()) || at.After(time.Now().Add(clockSkew)) {
		return store.Sending{}, false, invalid(fmt.Sprintf("sent_at: 应在 %s 开始之后、现在之前 (after the quarter began, not in the future)", q))
	}
	return s.Store.RecordSending(ctx, q.String(), to, at, u.Username)
}

// RecordInstruction records a city leader's instruction on the quarter's report; the same
// one again is the one recorded (created false).
func (s Reports) RecordInstruction(ctx context.Context, u domain.User, q domain.Quarter, req InstructionRequest) (store.Instruction, bool, error) {
	if err := require(u, RolesInstructionEditors...); err != nil {
		return store.Instruction{}, false, err
	}
	if err := s.compiled(ctx, q); err != nil {
		return store.Instruction{}, false, err
	}
	by := strings.TrimSpace(req.By)
	if by == "" {
		return store.Instruction{}, false, invalid("by: 必填，批示领导 (required: who gave the instruction)")
	}
	if err := workflows.CheckLine("by", by, 100); err != nil {
		return store.Instruction{}, false, err
	}
	day, err := time.ParseInLocation(domain.DateLayout, req.Date, domain.Shanghai)
	if err != nil {
		return store.Instruction{}, false, invalid("date: 应为 YYYY-MM-DD (a date)")
	}
	if day.Before(q.Start()) || day.After(s.Now()) {
		return store.Instruction{}, false, invalid(fmt.Sprintf("date: 应在 %s 开始之后、今天及以前 (after the quarter began, not in the future)", q))
	}
	text := strings.TrimSpace(req.Text)
	if text == "" {
		return store.Instruction{}, false, invalid("text: 必填，批示内容 (required)")
	}
	if err := workflows.CheckText("text", text); err != nil {
		return store.Instruction{}, false, err
	}
	return s.Store.RecordInstruction(ctx, store.Instruction{Period: q.String(), By: by, Date: req.Date, Text: text, RecordedBy: u.Username})
}

// followUp is the quarter's sendings and its instructions with their cases.
func (s Reports) followUp(ctx context.Context, q domain.Quarter) ([]store.Sending, []InstructionView, error) {
	sent, err := s.Store.Sendings(ctx, q.String())
	if err != nil {
		return nil, nil, err
	}
	list, err := s.Store.Instructions(ctx, q.String())
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, 0, len(list))
	for _, in := range list {
		ids = append(ids, in.ID)
	}
	cases, err := s.Store.InstructionCases(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	out := make([]InstructionView, 0, len(list))
	for _, in := range list {
		v := InstructionView{Instruction: in, Cases: []InstructionCaseView{}}
		for _, c := range cases {
			if c.InstructionID == in.ID {
				v.Cases = append(v.Cases, InstructionCaseView{ID: c.ID, Status: c.Status, StatusLabel: domain.StatusLabels[c.Status]})
			}
		}
		out = append(out, v)
	}
	return domain.NonNil(sent), out, nil
}
