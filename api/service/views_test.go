package service

import (
	"slices"
	"testing"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// A list reuses its views from one request to the next: a view filled for a reader who may
// see a sensitive case must leave nothing behind for the next reader, who may not — and
// the other way round.
func TestAReusedViewShowsEachReaderOnlyWhatTheyMaySee(t *testing.T) {
	amount := 3_000_000.0
	sensitive := domain.Case{ID: "PT-2026-000001", Status: domain.StatusHandling, Title: "贷款", Description: "企业负债详情",
		Report: "已协调", Office: domain.OfficeParty, Sensitive: true, AmountCNY: &amount,
		Callback: &domain.Callback{Note: "企业满意"}}
	member := domain.User{Username: "member", Role: domain.RoleMemberDept}
	otherOffice := domain.User{Username: "government", Role: domain.RoleSupervision, Unit: domain.OfficeGovernment}

	var v CaseView
	fillCaseView(&v, &sensitive, member, false)
	if v.Description != "企业负债详情" || v.AmountCNY == nil || len(v.Redacted) != 0 {
		t.Fatalf("the member department reads %q, amount %v, redacted %v", v.Description, v.AmountCNY, v.Redacted)
	}
	fillCaseView(&v, &sensitive, otherOffice, false)
	want := []string{"amount_cny", "description", "report", "callback.note"}
	if v.Description != redactedText || v.Report != redactedText || v.AmountCNY != nil ||
		v.Callback == nil || v.Callback.Note != redactedText || !slices.Equal(v.Redacted, want) {
		t.Errorf("another office reads %q / %q, amount %v, callback %+v, redacted %v (want %v)",
			v.Description, v.Report, v.AmountCNY, v.Callback, v.Redacted, want)
	}
	if sensitive.Callback.Note != "企业满意" {
		t.Errorf("redacting the view changed the case's own callback note to %q", sensitive.Callback.Note)
	}
	fillCaseView(&v, &sensitive, member, false)
	if v.Description != "企业负债详情" || v.Callback.Note != "企业满意" || v.AmountCNY == nil || len(v.Redacted) != 0 {
		t.Errorf("after another office's view, the member department reads %q, note %q, redacted %v",
			v.Description, v.Callback.Note, v.Redacted)
	}
}

// The sensitive fields of the events are those their Go types tag (domain/events.go): the
// same free texts the API has always redacted, and no other.
func TestTheEventsRedactedFieldsAreTheFreeTextsTheyAlwaysWere(t *testing.T) {
	want := map[string][]string{
		domain.EventTriaged:            {"note", "override_reason", "answer", "reason"},
		domain.EventReferred:           {"instructions"},
		domain.EventProgress:           {"note"},
		domain.EventReturned:           {"grounds"},
		domain.EventCompleted:          {"report"},
		domain.EventCalledBack:         {"note"},
		domain.EventClosed:             {"note"},
		domain.EventReopened:           {"reason"},
		domain.EventCommented:          {"text"},
		domain.EventExtensionRequested: {"reason"},
		domain.EventExtensionApproved:  {"note"},
		domain.EventExtensionDenied:    {"note"},
	}
	if len(sensitiveEventFields) != len(want) {
		t.Errorf("%d event types have sensitive fields, want %d: %v", len(sensitiveEventFields), len(want), sensitiveEventFields)
	}
	for typ, fields := range want {
		if !slices.Equal(sensitiveEventFields[typ], fields) {
			t.Errorf("%s: %v, want %v", typ, sensitiveEventFields[typ], fields)
		}
	}
}
