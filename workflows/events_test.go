package workflows

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// TestEveryEventIsWrittenAsItWasWhenItsDataWasAMap: each event type's data is now a Go type
// (domain/events.go); its JSON is byte for byte what the map or body the workflows wrote
// before it produced, so that timelines, hashes and saved histories read the same.
func TestEveryEventIsWrittenAsItWasWhenItsDataWasAMap(t *testing.T) {
	co := []string{"b", "c"}
	refer := TriageBody{Decision: domain.DecisionRefer, Category: "finance", LeadUnit: "a", CoUnits: &co, SLA: "standard", Note: "n"}
	overrides := []Override{{Field: "lead_unit", Proposed: "x", Chosen: "a"}}
	type legacyTriaged struct {
		TriageBody
		Overrides []Override `json:"overrides"`
	}
	answer := TriageBody{Decision: domain.DecisionAnswer, Answer: "已答复"}
	for name, tc := range map[string]struct{ typed, legacy any }{
		"created": {domain.Created{Title: "t", Category: "c", List: "l", EnterpriseID: "e", VisitID: "", Sensitive: true},
			map[string]any{"title": "t", "category": "c", "list": "l", "enterprise_id": "e", "visit_id": "", "sensitive": true}},
		"triaged (refer)":     {refer.event(overrides), legacyTriaged{refer, overrides}},
		"triaged (no change)": {refer.event([]Override{}), legacyTriaged{refer, []Override{}}},
		"triaged (answer)":    {answer.event(nil), answer},
		"closed (triage)":     {domain.Closed{Reason: text("answer")}, map[string]string{"reason": "answer"}},
		"closed (close out)": {domain.Closed{Note: text(""), Outcome: text("resolved")},
			map[string]any{"note": "", "outcome": "resolved"}},
		"closed (with its parent)": {domain.Closed{ParentID: text("P"), Note: text("r"), Outcome: text("o")},
			map[string]string{"parent_id": "P", "note": "r", "outcome": "o"}},
		"referred": {domain.Referred{LeadUnit: "a", CoUnits: nil, DueDate: "", Instructions: "i"},
			map[string]any{"lead_unit": "a", "co_units": []string(nil), "due_date": "", "instructions": "i"}},
		"signed":    {domain.Signed{Unit: "a"}, map[string]string{"unit": "a"}},
		"progress":  {domain.Progressed{Unit: "a", Note: "n"}, map[string]string{"unit": "a", "note": "n"}},
		"returned":  {domain.Returned{Unit: "a", Grounds: "g"}, map[string]string{"unit": "a", "grounds": "g"}},
		"completed": {domain.Completed{Outcome: "resolved", Report: "r"}, CompleteBody{Outcome: "resolved", Report: "r"}},
		"called back (satisfied)": {domain.CalledBack{Solved: true, Satisfied: true, Note: "n"},
			map[string]any{"solved": true, "satisfied": true, "note": "n", "redo": false}},
		"called back (redo)": {domain.CalledBack{Note: "n", Redo: true, RedoCount: 1},
			map[string]any{"solved": false, "satisfied": false, "note": "n", "redo": true, "redo_count": 1}},
		"reopened":    {domain.Reopened{Reason: "r", Status: "handling"}, map[string]string{"reason": "r", "status": "handling"}},
		"commented":   {domain.Commented{Text: "x"}, CommentBody{Text: "x"}},
		"merged_into": {domain.MergedInto{ParentID: "P", Note: "n"}, map[string]string{"parent_id": "P", "note": "n"}},
		"merged": {domain.Merged{Children: []string{"C"}, Refused: []refusedChild{{CaseID: "D", Reason: "r"}}, Note: "n"},
			map[string]any{"children": []string{"C"}, "refused": []refusedChild{{CaseID: "D", Reason: "r"}}, "note": "n"}},
		"appealed": {domain.Appealed{N: 1, Unit: "a", Reason: "r", Items: []string{"overdue"}},
			map[string]any{"n": 1, "unit": "a", "reason": "r", "items": []string{"overdue"}}},
		"appeal decided": {domain.AppealDecided{N: 1, Unit: "a", Items: []string{"overdue"}, Note: "n"},
			map[string]any{"n": 1, "unit": "a", "items": []string{"overdue"}, "note": "n"}},
		"a rung of the ladder": {domain.Supervised{Deadline: "handling", Due: "2026-12-01", Card: "yellow", NoticeNo: "督2026-1", Unit: "a", Office: "o"},
			map[string]any{"deadline": "handling", "due": "2026-12-01", "card": "yellow", "notice_no": "督2026-1", "unit": "a", "office": "o"}},
		"extension requested": {domain.ExtensionRequested{Days: 5, Reason: "r", Deadline: "2026-12-01"},
			map[string]any{"days": 5, "reason": "r", "deadline": "2026-12-01"}},
		"extension decided": {domain.ExtensionDecided{Days: 5, Note: "n", AllowAnother: true},
			map[string]any{"days": 5, "note": "n", "allow_another": true}},
	} {
		typed, err1 := json.Marshal(tc.typed)
		legacy, err2 := json.Marshal(tc.legacy)
		if err1 != nil || err2 != nil || string(typed) != string(legacy) {
			t.Errorf("%s:\n typed  %s\n before %s", name, typed, legacy)
		}
		// And an event read back decodes as its type and writes the same again.
		for typ, goType := range domain.EventData {
			if goType != reflect.TypeOf(tc.typed) {
				continue
			}
			v, err := domain.DecodeEvent(typ, typed)
			again, _ := json.Marshal(v)
			if err != nil || string(again) != string(typed) {
				t.Errorf("%s read back as %s: %s (%v), want %s", name, typ, again, err, typed)
			}
		}
	}
}
