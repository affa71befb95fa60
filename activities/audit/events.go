package audit

import (
	gojson "github.com/goccy/go-json"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// Read fills what the figures need of the event from its data, read as its type's Go value
// (workflows/domain/events.go): the unit it names, a referral's due date, the SLA chosen at
// triage, an extension's days, the deadline a notice or a request is about, a callback's
// answer, an accepted appeal's items. It decodes with goccy/go-json, which reads what
// encoding/json reads (TestEveryEventIsReadAsTheStandardLibraryReadsIt) a third faster: a
// year's figures over a million cases decode millions of events.
func (e *Event) Read(data []byte) error {
	v, err := domain.DecodeEventWith(e.Type, data, gojson.Unmarshal)
	if err != nil {
		return err
	}
	switch d := v.(type) {
	case *domain.Triaged:
		e.Unit, e.SLA = d.LeadUnit, d.SLA
	case *domain.Referred:
		e.Unit, e.DueDate, e.Deadlines = d.LeadUnit, d.DueDate, d.Deadlines
	case *domain.Signed:
		e.Unit = d.Unit
	case *domain.Returned:
		e.Unit = d.Unit
	case *domain.ExtensionRequested:
		e.Days, e.Deadline = d.Days, d.Deadline
	case *domain.ExtensionDecided:
		e.Days, e.Deadlines = d.Days, d.Deadlines
	case *domain.CalledBack:
		e.Solved, e.Satisfied, e.Redo, e.Deadlines = d.Solved, d.Satisfied, d.Redo, d.Deadlines
	case *domain.Supervised:
		e.Unit, e.Deadline = d.Unit, d.Deadline
	case *domain.AppealDecided:
		e.Unit, e.Items = d.Unit, d.Items
	}
	if e.Items == nil {
		e.Items = []string{}
	}
	return nil
}
