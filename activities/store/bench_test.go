package store_test

import (
	"context"
	"flag"
	"io"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/activities/reportbook"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/xlsx"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// benchCases is how many synthetic cases the benchmarks run over:
// go test -run XXX -bench UnitFigures ./activities/store -args -cases 1000000
var benchCases = flag.Int("cases", 100_000, "synthetic cases the benchmarks run over")

// ListBenchFilters are the lists every role runs, as BenchmarkListCases measures them.
var listBenchFilters = []struct {
	name string
	f    store.CaseFilter
}{
	{"default", store.CaseFilter{}},
	{"status", store.CaseFilter{Status: "handling"}},
	{"category", store.CaseFilter{Category: "power"}},
	{"unit filter", store.CaseFilter{Unit: "power-supply"}},
	{"office", store.CaseFilter{Office: "party"}},
	{"enterprise", store.CaseFilter{EnterpriseID: "ent-003"}},
	{"overdue", store.CaseFilter{Overdue: true}},
	{"card", store.CaseFilter{Card: "yellow"}},
	{"unit scope", store.CaseFilter{VisibleToUnit: "power-supply", SearchSensitive: true}},
	{"unit scope, handling", store.CaseFilter{VisibleToUnit: "power-supply", Status: "handling", SearchSensitive: true}},
	{"leader scope", store.CaseFilter{CreatedBy: "leader1", SearchSensitive: true}},
	{"q=停电", store.CaseFilter{Query: "停电", SearchSensitiveOffice: "party"}},
	{"q=用地 as a unit", store.CaseFilter{Query: "用地", VisibleToUnit: "natural-resources", SearchSensitive: true}},
	{"q=电", store.CaseFilter{Query: "电"}},
	{"page 50", store.CaseFilter{Page: 50}},
}

// BenchmarkListCases lists 100,000 synthetic cases (-cases N for more) the ways the API does (go test -bench
// ListCases ./activities/store; -v prints each query's plan).
func BenchmarkListCases(b *testing.B) {
	ctx := context.Background()
	st := newStore(b)
	if err := st.SeedSynthetic(ctx, *benchCases, 2026, time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	for _, tc := range listBenchFilters {
		b.Run(tc.name, func(b *testing.B) {
			if testing.Verbose() {
				plan, err := st.ExplainListCases(ctx, tc.f)
				if err != nil {
					b.Fatal(err)
				}
				b.Logf("plan:\n%s", plan)
			}
			for b.Loop() {
				if _, err := st.ListCases(ctx, tc.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUnitFigures computes every unit's figures for a year over 100,000 synthetic cases (-cases N)
// (go test -bench UnitFigures ./activities/store): reading the events and counting them.
func BenchmarkUnitFigures(b *testing.B) {
	ctx := context.Background()
	st := newStore(b)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	if err := st.SeedSynthetic(ctx, *benchCases, 2026, now); err != nil {
		b.Fatal(err)
	}
	cal, err := st.Calendar(ctx)
	if err != nil {
		b.Fatal(err)
	}
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, domain.Shanghai), time.Date(2026, 12, 31, 0, 0, 0, 0, domain.Shanghai)
	policy := domain.SLAPolicy{SignDays: 1, HandlingDays: map[string]int{domain.SLAStandard: 15}}
	for b.Loop() {
		events, err := st.AuditEvents(ctx, to.AddDate(0, 0, 1))
		if err != nil {
			b.Fatal(err)
		}
		units := audit.Compute(events, cal, policy, from, to, now)
		if len(units) == 0 || units["power-supply"] == nil || units["power-supply"].Received == 0 {
			b.Fatalf("no figures from %d events", len(events))
		}
	}
}

// BenchmarkCompileQuarter compiles a quarter's report over 100,000 synthetic cases (-cases N) of a
// year and writes its three attachments (go test -bench CompileQuarter ./activities/store):
// what the report's workflow and the downloads do.
func BenchmarkCompileQuarter(b *testing.B) {
	ctx := context.Background()
	st := newStore(b)
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	if err := st.SeedSynthetic(ctx, *benchCases, 2026, now); err != nil {
		b.Fatal(err)
	}
	q := domain.Quarter{Year: 2026, Q: 3}
	names := reportbook.Names{Units: map[string]string{}, Users: map[string]string{}}
	for b.Loop() {
		content, err := st.CompileQuarter(ctx, q, now)
		if err != nil {
			b.Fatal(err)
		}
		if content.Totals.Raised == 0 {
			b.Fatal("nothing raised in the quarter")
		}
		if _, err := st.SaveReportVersion(ctx, q, domain.ReportClosed, content, false); err != nil {
			b.Fatal(err)
		}
		rows := 0
		for _, n := range []string{"1", "2", "3"} {
			sheets, _, err := reportbook.Attachment(content, n, reportbook.Reader{Role: domain.RoleMemberDept,
				Sees: func(store.ReportRow) bool { return true }}, names)
			if err != nil {
				b.Fatal(err)
			}
			if err := xlsx.Write(io.Discard, sheets); err != nil {
				b.Fatal(err)
			}
			rows += len(sheets[0].Rows) + len(sheets[1].Rows) - 2
		}
		b.ReportMetric(float64(rows), "rows")
	}
}
