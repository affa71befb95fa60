package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/rules"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// FuzzRuleSetsAndSchemesAreStorable: whatever rule set or scoring scheme the loaders
// accept, the read model stores — the set itself, a case routed by it with its routed
// event, the scheme, and a period frozen with its items' names. A text the loaders let
// through that PostgreSQL refuses would stop every intake or every freeze (issue "second
// round": a NUL in a rule's id did).
func FuzzRuleSetsAndSchemesAreStorable(f *testing.F) {
	f.Add(rules.PutianYAML)
	f.Add([]byte(audit.DefaultScheme))
	f.Add([]byte("version: 2\nrules:\n  - id: \"r\\0x\"\n    description: \"a\\0b\"\n    when: 'true'\n    set: {tags: [\"t\\u202e\"]}\n"))
	f.Add([]byte("version: 2\nrules:\n  - id: r\n    when: 'true'\n    set: {office: party, lead_unit: commerce, co_units: ['=enterprise.name', '=\"\\\\0\"']}\n"))
	f.Add([]byte("items:\n  - id: \"a\\0\"\n    name: \"\\e\"\n    points: double(100 / (int(m.received) - 2))\n"))
	st := newStore(f)
	ctx := context.Background()
	n := 0
	f.Fuzz(func(t *testing.T, src []byte) {
		n++
		if rs, err := rules.Load(src); err == nil {
			rs.Version = int64(1000 + n) // above every version stored before
			if err := st.SaveRuleSet(ctx, store.RuleSetRecord{Version: rs.Version, Description: rs.Description,
				Source: string(src), RuleCount: rs.Len(), UploadedBy: "admin"}); err != nil {
				t.Fatalf("the rule set was loaded but not stored: %v", err)
			}
			res := rs.Evaluate(rules.Input{Case: rules.Case{Category: "power", List: "problem", Title: "停电"},
				Enterprise: rules.Enterprise{ID: "ent-001", Name: "华兴\x00鞋业", County: "licheng"}})
			if err := res.CheckComputedUnits(func(id string) (bool, error) { return st.IsResponsibleUnit(ctx, id) }); err != nil {
				t.Fatal(err)
			}
			p := activities.ProposalOf(res)
			c := newCase(fmt.Sprintf("PT-2026-%06d", n), "triage", "")
			c.RouteProposal, c.Tags = &p, p.Tags
			data, _ := json.Marshal(p)
			routed := domain.Event{CaseID: c.ID, Seq: 2, Type: domain.EventRouted, At: c.CreatedAt, Actor: domain.Actor{Username: "system"}, Data: data}
			c.LastSeq = 2
			if _, err := st.Project(ctx, domain.Projection{Case: c, Events: []domain.Event{event(c.ID, 1, "created"), routed}}); err != nil {
				t.Fatalf("a case routed by an accepted rule set was not stored: %v (proposal %+v)", err, p)
			}
		}
		if s, err := audit.LoadScheme(src); err == nil {
			if _, err := st.SaveScheme(ctx, string(src), "efficiency"); err != nil {
				t.Fatalf("the scheme was loaded but not stored: %v", err)
			}
			score, items, err := s.Score(audit.Figures{Received: 4, Completed: 3, CompletedOnTime: 2, OnTimeRate: 2.0 / 3})
			var failed *audit.ItemError
			if err != nil && !errors.As(err, &failed) {
				t.Fatalf("scoring: %v", err)
			}
			figures, _ := json.Marshal(map[string]any{"score": score, "items": items, "score_error": failed})
			period := fmt.Sprintf("fuzz-%d", n)
			day := time.Date(2026, 1, 1, 0, 0, 0, 0, domain.Shanghai)
			if err := st.FreezePeriod(ctx, store.FrozenPeriod{Period: period, From: day, To: day, SchemeVersion: 1,
				Figures: figures, FrozenBy: "efficiency"}); err != nil {
				t.Fatalf("a period scored by an accepted scheme was not frozen: %v", err)
			}
		}
	})
}
