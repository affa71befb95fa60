package api

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

	var v caseView
	fillCaseView(&v, &sensitive, member)
	if v.Description != "企业负债详情" || v.AmountCNY == nil || len(v.Redacted) != 0 {
		t.Fatalf("the member department reads %q, amount %v, redacted %v", v.Description, v.AmountCNY, v.Redacted)
	}
	fillCaseView(&v, &sensitive, otherOffice)
	want := []string{"amount_cny", "description", "report", "callback.note"}
	if v.Description != redactedText || v.Report != redactedText || v.AmountCNY != nil ||
		v.Callback == nil || v.Callback.Note != redactedText || !slices.Equal(v.Redacted, want) {
		t.Errorf("another office reads %q / %q, amount %v, callback %+v, redacted %v (want %v)",
			v.Description, v.Report, v.AmountCNY, v.Callback, v.Redacted, want)
	}
	if sensitive.Callback.Note != "企业满意" {
		t.Errorf("redacting the view changed the case's own callback note to %q", sensitive.Callback.Note)
	}
	fillCaseView(&v, &sensitive, member)
	if v.Description != "企业负债详情" || v.Callback.Note != "企业满意" || v.AmountCNY == nil || len(v.Redacted) != 0 {
		t.Errorf("after another office's view, the member department reads %q, note %q, redacted %v",
			v.Description, v.Callback.Note, v.Redacted)
	}
}
