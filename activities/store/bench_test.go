package store_test

import (
	"context"
	"flag"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/activities/audit"
	"github.com/putian-fic/caseflow/activities/reportbook"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/store/storetest"
	"github.com/putian-fic/caseflow/activities/xlsx"
	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// benchCases is how many synthetic cases the benchmarks run over:
// go test -run XXX -bench UnitFigures ./activities/store -args -cases 1000000
var benchCases = flag.Int("cases", 100_000, "synthetic cases the benchmarks run over")

// benchDB is a database the benchmarks keep between runs: migrated, its synthetic cases
// written the first time (a million take minutes), read as they are after that:
// go test -run XXX -bench UnitFigures ./activities/store -args -cases 1000000 -db postgres://…
// Without it every run writes them on a fresh database.
var benchDB = flag.String("db", "", "a database kept between runs (its synthetic cases written once)")

// benchNow is the moment the synthetic year runs up to.
var benchNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// synthetic is one database of -cases synthetic cases, written once for every benchmark of
// the run (writing a million takes minutes): the benchmarks only read it, bar the report
// versions CompileQuarter saves.
var synthetic struct {
	once sync.Once
	st   *store.Store
	err  error
}

func syntheticStore(b *testing.B) *store.Store {
	b.Helper()
	synthetic.once.Do(func() {
		ctx := context.Background()
		if *benchDB != "" {
			synthetic.st, synthetic.err = storetest.Open(ctx, *benchDB)
		} else {
			synthetic.st, synthetic.err = storetest.Unmanaged(ctx)
		}
		if synthetic.err != nil {
			return
		}
		if *benchDB != "" {
			written, err := synthetic.st.SyntheticWritten(ctx, 2026)
			if synthetic.err = err; err != nil || written {
				b.Logf("over the synthetic cases already in %s", *benchDB)
				return
			}
		}
		t0 := time.Now()
		synthetic.err = synthetic.st.SeedSynthetic(ctx, *benchCases, 2026, benchNow)
		b.Logf("%d synthetic cases written in %s", *benchCases, time.Since(t0).Round(time.Second))
	})
	if synthetic.err != nil {
		b.Fatal(synthetic.err)
	}
	return synthetic.st
}

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
	{"leader scope", store.CaseFilter{FollowedBy: "leader1", SearchSensitive: true}},
	{"leader scope, handling", store.CaseFilter{FollowedBy: "leader1", Status: "handling", SearchSensitive: true}},
	{"q=停电", store.CaseFilter{Query: "停电", SearchSensitiveOffice: "party"}},
	{"q=用地 as a unit", store.CaseFilter{Query: "用地", VisibleToUnit: "natural-resources", SearchSensitive: true}},
	{"q=电", store.CaseFilter{Query: "电"}},
	{"page 50", store.CaseFilter{Page: 50}},
}

// BenchmarkListCases lists 100,000 synthetic cases (-cases N for more) the ways the API does (go test -bench
// ListCases ./activities/store; -v prints each query's plan).
func BenchmarkListCases(b *testing.B) {
	ctx := context.Background()
	st := syntheticStore(b)
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
// (go test -bench UnitFigures ./activities/store): streaming the events and counting them one
// case at a time, as GET /audit/units does; peak-live-heap-MiB is the most live heap it held.
func BenchmarkUnitFigures(b *testing.B) {
	ctx := context.Background()
	st, now := syntheticStore(b), benchNow
	cal, err := st.Calendar(ctx)
	if err != nil {
		b.Fatal(err)
	}
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, domain.Shanghai), time.Date(2026, 12, 31, 0, 0, 0, 0, domain.Shanghai)
	policy := domain.SLAPolicy{SignDays: 1, HandlingDays: map[string]int{domain.SLAStandard: 15}}
	for b.Loop() {
		peak, err := peakHeap(func() error {
			c, events := audit.NewCounter(cal, policy, from, to, now), 0
			if err := st.EachAuditCase(ctx, to.AddDate(0, 0, 1), func(evs []audit.Event) error {
				c.Case(evs)
				events += len(evs)
				return nil
			}); err != nil {
				return err
			}
			units := c.Units()
			if len(units) == 0 || units["power-supply"] == nil || units["power-supply"].Received == 0 {
				b.Fatalf("no figures from %d events", events)
			}
			b.ReportMetric(float64(events), "events")
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MiB")
	}
}

// BenchmarkUnitsReport answers GET /audit/units?period=2026 over the synthetic cases (-cases
// N) as the API does, for the efficiency office: the year's figures (UnitFigures), every
// unit's score by the current scheme, the cases behind each score item, and the ranks.
func BenchmarkUnitsReport(b *testing.B) {
	ctx := context.Background()
	svc := service.New(service.Config{Store: syntheticStore(b)})
	office := domain.User{Username: "efficiency1", Role: domain.RoleEfficiency}
	for b.Loop() {
		peak, err := peakHeap(func() error {
			r, err := svc.Audit.Units(ctx, office, domain.YearPeriod(2026), false)
			if err != nil {
				return err
			}
			ranked := 0
			for _, u := range r.Units {
				if u.Rank > 0 && u.Received > 0 {
					ranked++
				}
			}
			if ranked == 0 {
				b.Fatalf("no unit ranked on its figures among %d", len(r.Units))
			}
			b.ReportMetric(float64(ranked), "units-ranked")
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MiB")
	}
}

// BenchmarkCompileQuarter compiles a quarter's report over 100,000 synthetic cases (-cases N) of a
// year and writes its three attachments (go test -bench CompileQuarter ./activities/store):
// what the report's workflow and the downloads do.
func BenchmarkCompileQuarter(b *testing.B) {
	ctx := context.Background()
	st, now := syntheticStore(b), benchNow
	q := domain.Quarter{Year: 2026, Q: 3}
	names := reportbook.Names{Units: map[string]string{}, Users: map[string]string{}}
	for b.Loop() {
		t0 := time.Now()
		content, err := st.CompileQuarter(ctx, q, now)
		if err != nil {
			b.Fatal(err)
		}
		compiled, t0 := time.Since(t0), time.Now()
		if content.Totals.Raised == 0 {
			b.Fatal("nothing raised in the quarter")
		}
		rep, err := st.SaveReportVersion(ctx, q, domain.ReportClosed, content, false)
		if err != nil {
			b.Fatal(err)
		}
		saved, t1 := time.Since(t0), time.Now()
		rows := 0
		each := func(list string, earlier bool, fn func(store.ReportRow) error) error {
			return st.EachReportRow(ctx, q, rep.Version, list, earlier, func(r store.ReportRow) error { rows++; return fn(r) })
		}
		for _, n := range []string{"1", "2", "3"} {
			sheets, err := reportbook.Attachment(each, n, reportbook.Reader{Role: domain.RoleMemberDept,
				Sees: func(store.ReportRow) bool { return true }}, names, func(...string) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			if err := xlsx.Write(io.Discard, sheets); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(saved.Seconds(), "save-s")
		b.ReportMetric(time.Since(t1).Seconds(), "attachments-s")
		b.ReportMetric(float64(rows), "rows")
		b.ReportMetric(compiled.Seconds(), "compile-s")
	}
}

// BenchmarkVerifyDay verifies every timeline with events on one day (and that day's seal)
// over 100,000 synthetic cases of a year (-cases N), as the efficiency office's
// GET /audit/verify?period=YYYY-MM-DD does (go test -bench VerifyDay ./activities/store).
// The days before are sealed first, once, as the nightly seal would have (or as the first
// seal of a database with a year of events does: logged with the most heap it held).
func BenchmarkVerifyDay(b *testing.B) {
	ctx := context.Background()
	st := syntheticStore(b)
	t0 := time.Now()
	held, err := peakHeap(func() error { return st.SealDays(ctx, benchNow) })
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("the year sealed in %s, holding at most %.1f MiB of live heap", time.Since(t0).Round(time.Millisecond), float64(held)/(1<<20))
	day := time.Date(2026, 6, 10, 0, 0, 0, 0, domain.Shanghai)
	for b.Loop() {
		v, err := st.VerifyRange(ctx, day, day, benchNow)
		if err != nil {
			b.Fatal(err)
		}
		if !v.OK || v.CheckedCases == 0 {
			b.Fatalf("%d cases, %d events checked; problems: %v", v.CheckedCases, v.CheckedEvents, v.Problems[:min(3, len(v.Problems))])
		}
		b.ReportMetric(float64(v.CheckedCases), "cases")
		b.ReportMetric(float64(v.CheckedEvents), "events")
	}
}

// peakHeap runs f and answers the most live heap (what the last collection found reachable:
// what f holds, not garbage waiting for a collection) over what was live before, sampled
// every two milliseconds while f ran with runtime/metrics (which, unlike ReadMemStats, does
// not stop the world).
func peakHeap(f func() error) (uint64, error) {
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64()
	}
	runtime.GC()
	before := live()
	peak := before
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, live())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	err := f()
	close(done)
	wg.Wait()
	return peak - min(peak, before), err
}

// BenchmarkLedgerWorkbook streams the work ledger (工作台账) of a quarter and of the whole
// synthetic year as XLSX, as GET /ledger?format=xlsx does, reading the visits a page at a
// time (go test -bench LedgerWorkbook ./activities/store -args -cases N): rows is the
// workbook's rows, peak-live-heap-MiB the most live heap it held over what was held before, which stays
// flat from a quarter to the year (the rows are never all in memory).
func BenchmarkLedgerWorkbook(b *testing.B) {
	ctx := context.Background()
	visits := service.New(service.Config{Store: syntheticStore(b)}).Visits
	member := domain.User{Username: "member", Role: domain.RoleMemberDept}
	q3, err := domain.ParseQuarterOf(2026, "3")
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []struct {
		name string
		p    service.YearOrQuarter
	}{
		{"quarter", service.YearOrQuarter{Period: q3.Period(), Year: 2026, Quarter: 3}},
		{"year", service.YearOrQuarter{Period: domain.YearPeriod(2026), Year: 2026}},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				var out countingWriter
				peak, err := peakHeap(func() error {
					wb, err := visits.LedgerWorkbook(ctx, member, p.p, "")
					if err != nil {
						return err
					}
					rows := 0
					stream := wb.Sheets[0].Stream
					wb.Sheets[0].Stream = func(row func([]any) error) error {
						return stream(func(r []any) error { rows++; return row(r) })
					}
					if err := wb.Write(&out); err != nil {
						return err
					}
					b.ReportMetric(float64(rows), "rows")
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MiB")
				b.ReportMetric(float64(out)/(1<<20), "xlsx-MiB")
			}
		})
	}
}

// countingWriter counts what is written to it.
type countingWriter int64

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
