// Package benchmark measures caseflow beside raw references on the same Temporal server and
// PostgreSQL, in the same run: `caseflow bench` prints the table and writes BENCHMARKS.md.
package benchmark

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/api/console"
	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/cmd/caseflow/progress"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Options say what to measure and where.
type Options struct {
	// API is caseflow's base URL (http://127.0.0.1:8080), Temporal its server's host:port
	// and Store its database, with the demo data loaded.
	API      string
	Temporal client.Client
	Store    *store.Store
	// DatabaseURL is the same database, for the raw reference's own connections.
	DatabaseURL string
	// Intakes, Lifecycles and ActionCases size the measures; Cases is how many synthetic
	// cases the read measures run over.
	Intakes, Lifecycles, ActionCases, Cases int
	// ReadConcurrency is how many reads run at once (4).
	ReadConcurrency int
	// Reads is how many times each read is measured, one at a time and ReadConcurrency at a
	// time, after a tenth as many more to warm up (1000). A p99 is the Reads/100-th slowest:
	// of 200 it was the second slowest, which one stall of the two cores decided.
	Reads int
	// Progress receives the progress bar (nil: none).
	Progress io.Writer
	// ServerPID is the process serving API (caseflow dev, started by bench as a child), whose
	// memory is reported at the end and whose share of the lifecycles' CPU is told apart from
	// PostgreSQL's; 0 when bench measures a caseflow it did not start.
	ServerPID int
	// Alone, when set, starts `caseflow api` and `caseflow worker` as processes of their own
	// on the same Temporal server and database, for the memory of each alone under load.
	Alone func(context.Context) (Alone, error)
}

// Alone are caseflow api and caseflow worker run alone: the API's base URL, both pids, and
// how to stop them.
type Alone struct {
	API               string
	APIPID, WorkerPID int
	Stop              func()
	// Binary names the executable they run and its size.
	Binary string
}

// withWarmUp is how many reads a measure makes: Reads, after a tenth as many to warm up
// (which alternated and timed leave out, the first n/11).
func (o Options) withWarmUp() int { return o.Reads + o.Reads/10 }

// Defaults are the sizes of the table in BENCHMARKS.md.
func Defaults() Options {
	return Options{Intakes: 400, Lifecycles: 60, ActionCases: 30, Cases: 100_000, ReadConcurrency: 4, Reads: 1000}
}

// Check says which size cannot be measured, in the terms of caseflow bench's flags: each
// measure needs at least one case, one request at a time; --cases 0 leaves out the read
// measures (a run of the writes alone).
func (o Options) Check() error {
	for _, f := range []struct {
		flag string
		n    int
	}{{"--intakes", o.Intakes}, {"--lifecycles", o.Lifecycles}, {"--action-cases", o.ActionCases}, {"--read-concurrency", o.ReadConcurrency}, {"--reads", o.Reads}} {
		if f.n < 1 {
			return fmt.Errorf("%s %d: it needs at least 1", f.flag, f.n)
		}
	}
	if o.Cases < 0 {
		return fmt.Errorf("--cases %d: give 0 (no read measures) or more", o.Cases)
	}
	return nil
}

// Row is one line of the table.
type Row struct {
	Measure, Value, Reference, Ratio, Target string
	Met                                      *bool
}

// Report is what a run measured.
type Report struct {
	Started  time.Time
	Duration time.Duration
	// Reads is how many times each read was measured each way (Options.Reads).
	Reads int
	Rows  []Row
	// Plans are PostgreSQL's plans of each list, as run over the synthetic cases.
	Plans []Plan
}

// Plan is one list's query plan.
type Plan struct{ List, Plan string }

type runner struct {
	Options
	http     *http.Client
	tokens   map[string]string
	progress *progress.Bar
	ids      atomic.Int64
	db       *pgxpool.Pool                               // the same database, for the raw reference and the size row
	sqlReads map[string]func(context.Context, int) error // each API read measure's SQL (sqlRead)
	year     int                                         // of the synthetic cases
}

// Run measures everything and returns the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	r := &runner{Options: o, tokens: map[string]string{}, sqlReads: map[string]func(context.Context, int) error{},
		http: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	total := 2*o.Intakes + 3*o.ActionCases + 2*o.Lifecycles
	if o.Cases > 0 {
		total += 1 + len(readMeasures)
	}
	if o.Alone != nil {
		total += o.Lifecycles + 1
	}
	r.progress = progress.New(o.Progress, total)
	defer r.progress.Finish()
	rep := &Report{Started: time.Now(), Reads: o.Reads}
	// The read measures write synthetic cases of this year: a database holding them already
	// (a bench run before on the same --api) is refused before anything is measured.
	r.year = time.Now().In(domain.Shanghai).Year()
	if o.Cases > 0 {
		if written, err := o.Store.SyntheticWritten(ctx, r.year); err != nil {
			return nil, err
		} else if written {
			return nil, fmt.Errorf("the database holds the synthetic cases of an earlier bench (%s%d-…): the read measures need one without them; run caseflow bench without --api (it starts caseflow dev on a database of its own), or against a fresh database", store.SyntheticPrefix, r.year)
		}
	}
	for _, u := range []string{"member", "party", "leader1", "unit-natural-resources", "unit-power-supply", "efficiency"} {
		if err := r.login(ctx, u); err != nil {
			return nil, err
		}
	}
	db, err := pgxpool.New(ctx, o.DatabaseURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	r.db = db
	w, err := startRawWorker(ctx, o.Temporal, db)
	if err != nil {
		return nil, fmt.Errorf("the raw reference's worker: %w", err)
	}
	defer w.Stop()

	steps := []func(context.Context, *Report) error{r.intake, r.actions, r.lifecycles}
	if o.Cases > 0 {
		steps = append(steps, r.reads)
	}
	for _, step := range steps {
		if err := step(ctx, rep); err != nil {
			return rep, err
		}
	}
	if o.ServerPID > 0 {
		if err := memoryRow(rep, "caseflow dev's memory after the whole bench (RSS; its peak)", o.ServerPID, 450); err != nil {
			return rep, err
		}
	}
	if o.Alone != nil {
		if err := r.alone(ctx, rep); err != nil {
			return rep, err
		}
	}
	rep.Duration = time.Since(rep.Started)
	return rep, nil
}

// memoryRow adds a row of the process's resident memory, its peak, and how much of it is the
// binary's pages (RssFile: code and data read from the executable, shared with any other
// caseflow process) against a target in MiB.
func memoryRow(rep *Report, measure string, pid int, target int64) error {
	m, err := memoryOf(pid)
	if err != nil {
		return err
	}
	met := m.rss <= target<<20
	rep.Rows = append(rep.Rows, Row{Measure: measure, Value: fmt.Sprintf("%d MiB; %d MiB (of which the binary's pages: %d MiB)", m.rss>>20, m.peak>>20, m.file>>20),
		Reference: "—", Ratio: "—", Target: fmt.Sprintf("≤ %d MiB", target), Met: &met})
	return nil
}

// alone: caseflow api and caseflow worker, each a process of its own on the same Temporal
// server and database, under the bench's loads: every read measure through the API alone
// (100 reads each, ReadConcurrency at a time), then whole lifecycles through it (their
// workflows run on the worker alone and on caseflow dev's, which share the task queue). The
// memory of each is read after.
func (r *runner) alone(ctx context.Context, rep *Report) error {
	r.progress.Stage("caseflow api and caseflow worker alone")
	a, err := r.Alone(ctx)
	if err != nil {
		return fmt.Errorf("caseflow api and worker alone: %w", err)
	}
	defer a.Stop()
	devAPI := r.API
	r.API = a.API
	defer func() { r.API = devAPI }()
	type cost struct {
		name string
		d    time.Duration
	}
	var costs []cost
	measures := readMeasures
	if r.Cases == 0 {
		measures = nil // --cases 0: no read measures
	}
	for _, m := range measures {
		if m = m.of(r.year); strings.Contains(m.path, "{cursor}") {
			continue
		}
		read := func(ctx context.Context, i int) error {
			return r.fetch(ctx, m.user, strings.ReplaceAll(m.path, "{id}", r.syntheticID(i)))
		}
		if _, err := r.parallel(ctx, 100, max(1, r.ReadConcurrency), read); err != nil {
			return fmt.Errorf("%s through caseflow api alone: %w", m.name, err)
		}
		one, lat, err := r.alternated(ctx, r.withWarmUp(), read, r.sqlReads[m.name])
		if err != nil {
			return fmt.Errorf("%s through caseflow api alone: %w", m.name, err)
		}
		if lat != nil {
			costs = append(costs, cost{m.name, percentile(one, 50) - percentile(lat, 50)})
		}
	}
	if len(costs) > 0 {
		slices.SortFunc(costs, func(a, b cost) int { return cmp.Compare(a.d, b.d) })
		var over []string
		for _, c := range costs {
			if c.d > time.Millisecond {
				over = append(over, fmt.Sprintf("%s +%s", c.name, ms(c.d)))
			}
		}
		value := fmt.Sprintf("+%s to +%s (median +%s) over %d reads", ms(costs[0].d), ms(costs[len(costs)-1].d), ms(costs[len(costs)/2].d), len(costs))
		if len(over) > 0 {
			value += "; over 1 ms: " + strings.Join(over, ", ")
		}
		met := len(over) == 0
		rep.Rows = append(rep.Rows, Row{Measure: "caseflow api alone: what it adds to each API read's SQL, at p50, one at a time",
			Value: value, Reference: "the SQL p50s above", Ratio: "—", Target: "each ≤ +1.0 ms", Met: &met})
	}
	load := "every read measure's load"
	if r.Cases == 0 {
		load = "no reads (--cases 0)"
	}
	if err := memoryRow(rep, "caseflow api alone ("+a.Binary+") after "+load+" (RSS; its peak)", a.APIPID, 150); err != nil {
		return err
	}
	if err := r.runLifecycles(ctx); err != nil {
		return fmt.Errorf("lifecycles through caseflow api and worker alone: %w", err)
	}
	if err := memoryRow(rep, fmt.Sprintf("caseflow worker alone (%s) after %d whole lifecycles (RSS; its peak)", a.Binary, r.Lifecycles), a.WorkerPID, 200); err != nil {
		return err
	}
	r.progress.Step()
	return nil
}

// memory is what /proc says of a process: VmRSS, VmHWM (the peak) and RssFile.
type memory struct{ rss, peak, file int64 }

// memoryOf reads a process's resident memory from /proc.
func memoryOf(pid int) (memory, error) {
	var m memory
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, fmt.Errorf("the server's memory: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(line, ":")
		var kb int64
		fmt.Sscan(v, &kb)
		switch {
		case !ok:
		case name == "VmRSS":
			m.rss = kb << 10
		case name == "VmHWM":
			m.peak = kb << 10
		case name == "RssFile":
			m.file = kb << 10
		}
	}
	return m, nil
}

// intake: cases raised at concurrency 16 against workflows that do one INSERT; throughput
// and the machine's CPU per case.
func (r *runner) intake(ctx context.Context, rep *Report) error {
	r.progress.Stage("intake")
	cpu0 := machineCPU()
	d, err := r.parallel(ctx, r.Intakes, 16, func(ctx context.Context, i int) error {
		_, err := r.createCase(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	cpuCase := (machineCPU() - cpu0) / time.Duration(r.Intakes)
	r.progress.Stage("intake, raw reference")
	cpu0 = machineCPU()
	run := time.Now().UnixNano()
	dRaw, err := r.parallel(ctx, r.Intakes, 16, func(ctx context.Context, i int) error {
		id := fmt.Sprintf("raw-insert-%d-%d", run, i)
		wr, err := r.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: rawQueue}, "RawInsertWorkflow", id)
		if err != nil {
			return err
		}
		err = wr.Get(ctx, nil)
		r.progress.Step()
		return err
	})
	if err != nil {
		return fmt.Errorf("intake reference: %w", err)
	}
	cpuRaw := (machineCPU() - cpu0) / time.Duration(r.Intakes)
	rate, rateRaw := float64(r.Intakes)/d.Seconds(), float64(r.Intakes)/dRaw.Seconds()
	rep.Rows = append(rep.Rows,
		ratioRow(fmt.Sprintf("intake, %d cases at concurrency 16", r.Intakes), fmt.Sprintf("%.1f cases/s", rate),
			fmt.Sprintf("one-INSERT workflow: %.1f/s", rateRaw), rate/rateRaw, "≥ 1.0×", rate/rateRaw >= 1.0),
		ratioRow("machine CPU per intake", ms(cpuCase), ms(cpuRaw), float64(cpuCase)/float64(cpuRaw), "≤ 1.5×",
			float64(cpuCase) <= 1.5*float64(cpuRaw)))
	return nil
}

// lifecycle is the way every measured case goes: who takes each action, with what.
var lifecycle = []struct{ action, user string }{
	{"triage", "member"}, {"refer", "party"}, {"sign", "unit-natural-resources"},
	{"complete", "unit-natural-resources"}, {"callback", "member"}, {"close", "party"},
}

func actionBody(action string) any {
	switch action {
	case "triage":
		return map[string]any{"decision": "refer", "category": "land", "list": "problem", "scope": "individual",
			"office": "party", "lead_unit": "natural-resources", "co_units": []string{}, "override_reason": "基准测试"}
	case "refer":
		return map[string]any{"instructions": "请按期办理"}
	case "complete":
		return map[string]any{"outcome": "resolved", "report": "已办结"}
	case "callback":
		return map[string]any{"solved": true, "satisfied": true, "note": "企业满意"}
	case "close":
		return map[string]any{"note": "予以销号"}
	}
	return map[string]any{}
}

// actions: each action's latency (p50) on cases taken one at a time, beside an Update whose
// handler runs one activity.
func (r *runner) actions(ctx context.Context, rep *Report) error {
	r.progress.Stage("actions")
	lat := map[string][]time.Duration{}
	for range r.ActionCases {
		id, err := r.createCase(ctx)
		if err != nil {
			return err
		}
		for _, step := range lifecycle {
			t0 := time.Now()
			if err := r.act(ctx, id, step.action, step.user); err != nil {
				return err
			}
			lat[step.action] = append(lat[step.action], time.Since(t0))
		}
		r.progress.Step()
	}
	r.progress.Stage("actions, raw reference")
	var raw []time.Duration
	run := time.Now().UnixNano()
	for i := range r.ActionCases {
		id := fmt.Sprintf("raw-update-%d-%d", run, i)
		if _, err := r.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: rawQueue}, "RawUpdateWorkflow", id); err != nil {
			return err
		}
		for range lifecycle {
			t0 := time.Now()
			h, err := r.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: "touch",
				WaitForStage: client.WorkflowUpdateStageCompleted})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err != nil {
				return fmt.Errorf("raw update: %w", err)
			}
			raw = append(raw, time.Since(t0))
		}
		_ = r.Temporal.TerminateWorkflow(ctx, id, "", "benchmark done")
		r.progress.Step()
	}
	ref := percentile(raw, 50)
	var names, values []string
	worst := 0.0
	for _, step := range lifecycle {
		p := percentile(lat[step.action], 50)
		names, values = append(names, step.action), append(values, fmt.Sprint(p.Milliseconds()))
		worst = max(worst, float64(p)/float64(ref))
	}
	rep.Rows = append(rep.Rows, ratioRow("action p50: "+strings.Join(names, " / "), strings.Join(values, " / ")+" ms",
		fmt.Sprintf("Update running one activity: %d ms", ref.Milliseconds()), worst, "each ≤ 1.0×", worst <= 1.0))
	return nil
}

// lifecycles: whole cases, intake to closure, at concurrency 8, beside as many workflows
// taken through as many workflow tasks the same way with nothing of caseflow's in them: an
// update-with-start and six Updates, each running one local activity that does one INSERT.
// The reference is what the Temporal server and the machine allow in the hour of the run.
func (r *runner) lifecycles(ctx context.Context, rep *Report) error {
	r.progress.Stage("lifecycles")
	t0, cpu0 := time.Now(), sampleCPU(r.ServerPID)
	if err := r.runLifecycles(ctx); err != nil {
		return fmt.Errorf("lifecycles: %w", err)
	}
	rate := float64(r.Lifecycles) / time.Since(t0).Seconds()
	cpu := cpu0.to(sampleCPU(r.ServerPID), r.Lifecycles)
	r.progress.Stage("lifecycles, raw reference")
	run := time.Now().UnixNano()
	t0, cpu0 = time.Now(), sampleCPU(r.ServerPID)
	if err := r.rawLifecycles(ctx, run); err != nil {
		return fmt.Errorf("lifecycles reference: %w", err)
	}
	rateRaw := float64(r.Lifecycles) / time.Since(t0).Seconds()
	cpuRaw := cpu0.to(sampleCPU(r.ServerPID), r.Lifecycles)
	for i := range r.Lifecycles {
		_ = r.Temporal.TerminateWorkflow(ctx, rawLifecycleID(run, i), "", "benchmark done")
	}
	met := rate >= 30
	rep.Rows = append(rep.Rows, Row{Measure: fmt.Sprintf("whole lifecycles (%d, concurrency 8)", r.Lifecycles),
		Value: fmt.Sprintf("%.1f cases/s (machine CPU %s a case%s)", rate, ms(cpu.machine),
			cpu.split("caseflow dev (its Temporal server, worker and API)", "the load generator")),
		Reference: fmt.Sprintf("update-with-start and six Updates, each one local activity: %.1f/s (machine CPU %s%s)", rateRaw, ms(cpuRaw.machine),
			cpuRaw.split("the Temporal server in caseflow dev", "the reference's worker and client")),
		Ratio: fmt.Sprintf("%.2f×", rate/rateRaw), Target: "≥ 30 cases/s", Met: &met})
	return nil
}

func rawLifecycleID(run int64, i int) string { return fmt.Sprintf("raw-lifecycle-%d-%d", run, i) }

// rawLifecycles takes r.Lifecycles reference workflows through as many steps as a case has
// (intake and each action), 8 at a time.
func (r *runner) rawLifecycles(ctx context.Context, run int64) error {
	step := client.UpdateWorkflowOptions{UpdateName: "step", WaitForStage: client.WorkflowUpdateStageCompleted}
	_, err := r.parallel(ctx, r.Lifecycles, 8, func(ctx context.Context, i int) error {
		id := rawLifecycleID(run, i)
		step := step
		step.WorkflowID = id
		start := r.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{ID: id, TaskQueue: rawQueue,
			WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING}, "RawLifecycleWorkflow", id)
		h, err := r.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{StartWorkflowOperation: start, UpdateOptions: step})
		for range lifecycle {
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err == nil {
				h, err = r.Temporal.UpdateWorkflow(ctx, step)
			}
		}
		if err == nil {
			err = h.Get(ctx, nil)
		}
		r.progress.Step()
		return err
	})
	return err
}

// syntheticID is the i-th synthetic case the reads take, spread over the cases written.
func (r *runner) syntheticID(i int) string {
	return fmt.Sprintf("%s%d-%06d", store.SyntheticPrefix, r.year, 1+(i*7919)%r.Cases)
}

// runLifecycles takes r.Lifecycles cases from intake to closure, 8 at a time.
func (r *runner) runLifecycles(ctx context.Context) error {
	_, err := r.parallel(ctx, r.Lifecycles, 8, func(ctx context.Context, _ int) error {
		id, err := r.createCase(ctx)
		if err != nil {
			return err
		}
		for _, step := range lifecycle {
			if err := r.act(ctx, id, step.action, step.user); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// readMeasure is one read, as one user, with the filter the API builds for it (for its plan).
type readMeasure struct {
	name, user, path string
	filter           *store.CaseFilter
	limit            time.Duration
}

var readMeasures = []readMeasure{
	{"GET /cases (default)", "member", "/api/v1/cases", &store.CaseFilter{SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?status=handling", "member", "/api/v1/cases?status=handling", &store.CaseFilter{Status: "handling", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?category=power", "member", "/api/v1/cases?category=power", &store.CaseFilter{Category: "power", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?unit=power-supply", "member", "/api/v1/cases?unit=power-supply", &store.CaseFilter{Unit: "power-supply", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?office=party", "member", "/api/v1/cases?office=party", &store.CaseFilter{Office: "party", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?enterprise_id=ent-003", "member", "/api/v1/cases?enterprise_id=ent-003", &store.CaseFilter{EnterpriseID: "ent-003", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?overdue=true", "member", "/api/v1/cases?overdue=true", &store.CaseFilter{Overdue: true, SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?card=yellow", "member", "/api/v1/cases?card=yellow", &store.CaseFilter{Card: "yellow", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?q=停电", "member", "/api/v1/cases?q=" + url.QueryEscape("停电"), &store.CaseFilter{Query: "停电", SearchSensitive: true}, 20 * time.Millisecond},
	// A search whose matches are all old: the year's first 9,999 case numbers, none of them
	// among its newest cases ({year}: the synthetic cases').
	{"GET /cases?q=SY-{year}-00 (matches only the oldest cases)", "member", "/api/v1/cases?q=SY-{year}-00", &store.CaseFilter{Query: "SY-{year}-00", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?q=停电 as a supervision office (the cases it leads)", "party", "/api/v1/cases?q=" + url.QueryEscape("停电"), &store.CaseFilter{Query: "停电", Office: "party", SearchSensitiveOffice: "party"}, 20 * time.Millisecond},
	{"GET /cases?office=all as a supervision office", "party", "/api/v1/cases?office=all", &store.CaseFilter{SearchSensitiveOffice: "party"}, 20 * time.Millisecond},
	{"GET /cases as a unit (unit scope)", "unit-power-supply", "/api/v1/cases", &store.CaseFilter{VisibleToUnit: "power-supply", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?status=handling as a unit", "unit-power-supply", "/api/v1/cases?status=handling", &store.CaseFilter{VisibleToUnit: "power-supply", Status: "handling", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?q=用地 as a unit", "unit-natural-resources", "/api/v1/cases?q=" + url.QueryEscape("用地"), &store.CaseFilter{Query: "用地", VisibleToUnit: "natural-resources", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases as a leader (leader scope)", "leader1", "/api/v1/cases", &store.CaseFilter{FollowedBy: "leader1", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?status=handling as a leader", "leader1", "/api/v1/cases?status=handling", &store.CaseFilter{FollowedBy: "leader1", Status: "handling", SearchSensitive: true}, 20 * time.Millisecond},
	{"GET /cases?cursor=… (page 200)", "member", "/api/v1/cases?cursor={cursor}", nil, 20 * time.Millisecond},
	{"GET /cases/{id}", "member", "/api/v1/cases/{id}", nil, 5 * time.Millisecond},
	{"GET /cases/{id}/timeline", "member", "/api/v1/cases/{id}/timeline", nil, 5 * time.Millisecond},
	// The console's pages (server time: the whole page rendered, as a browser receives it).
	{"console: the triage inbox (/cases?status=triage)", "member", "/cases?status=triage", &store.CaseFilter{Status: "triage", SearchSensitive: true}, 50 * time.Millisecond},
	{"console: a unit's list (/cases as a unit)", "unit-power-supply", "/cases", &store.CaseFilter{VisibleToUnit: "power-supply", SearchSensitive: true}, 50 * time.Millisecond},
	{"console: a unit's home (the to-do panel)", "unit-power-supply", "/", nil, 50 * time.Millisecond},
	{"console: a case's page", "member", "/cases/{id}", nil, 50 * time.Millisecond},
}

// of is m over the synthetic cases of year: {year} in its name, path and query replaced.
func (m readMeasure) of(year int) readMeasure {
	y := strconv.Itoa(year)
	m.name, m.path = strings.ReplaceAll(m.name, "{year}", y), strings.ReplaceAll(m.path, "{year}", y)
	if m.filter != nil {
		f := *m.filter
		f.Query = strings.ReplaceAll(f.Query, "{year}", y)
		m.filter = &f
	}
	return m
}

// MillionCases is the size from which the reads are held to the targets of a province's
// decade of cases rather than those of 100,000.
const MillionCases = 1_000_000

// target is what a read is held to over this many cases, and whether it is judged by its
// latency alone. Below a million: m.limit (lists p99 ≤ 20 ms, a case and its timeline ≤ 5 ms,
// the console's pages ≤ 50 ms), one at a time and four at a time alike. From a million: the
// lists p99 ≤ 10 ms and a case and its timeline ≤ 3 ms (the console's pages still 50 ms), as
// latency, one at a time; four at a time the row gives the throughput, and its p99 beside it,
// which on two cores is the four readers queueing for them.
func (m readMeasure) target(cases int) (limit time.Duration, latencyOnly bool) {
	switch {
	case cases < MillionCases:
		return m.limit, false
	case !strings.HasPrefix(m.path, "/api/"):
		return m.limit, true
	case strings.HasPrefix(m.path, "/api/v1/cases/{id}"):
		return 3 * time.Millisecond, true
	default:
		return 10 * time.Millisecond, true
	}
}

// reads: every list and a case's page over the synthetic cases, one at a time (latency)
// and ReadConcurrency at a time (throughput); one at a time, each read alternates with the
// SQL the store runs for the same answer: what the API adds is the difference of their
// medians.
func (r *runner) reads(ctx context.Context, rep *Report) error {
	r.progress.Stage(fmt.Sprintf("writing %d synthetic cases", r.Cases))
	t0 := time.Now()
	if err := r.Store.SeedSynthetic(ctx, r.Cases, r.year, time.Now()); err != nil {
		return err
	}
	seeded := time.Since(t0)
	// The cursor of page 200 (or halfway through fewer cases), found by walking there, by
	// the API and by the store.
	cursor := ""
	var after *store.Cursor
	for range min(199, r.Cases/40) {
		path := "/api/v1/cases"
		if cursor != "" {
			path += "?cursor=" + url.QueryEscape(cursor)
		}
		out, err := r.call(ctx, "member", "GET", path, nil, http.StatusOK)
		if err != nil {
			return err
		}
		if cursor, _ = out["next_cursor"].(string); cursor == "" {
			return errors.New("the list ended before the page the cursor measure reads")
		}
		page, err := r.Store.ListCases(ctx, store.CaseFilter{SearchSensitive: true, After: after, Page: 1, PageSize: 20})
		if err != nil {
			return err
		}
		after = page.Next
	}
	r.progress.Step()
	requests := r.Reads
	caseID := r.syntheticID
	for _, m := range readMeasures {
		m = m.of(r.year)
		r.progress.Stage(m.name)
		read := func(ctx context.Context, i int) error {
			path := strings.NewReplacer("{id}", caseID(i), "{cursor}", url.QueryEscape(cursor)).Replace(m.path)
			return r.fetch(ctx, m.user, path)
		}
		// What the reader's list records in its statement, as the API's (service.ListRecord).
		record, err := r.listRecord(ctx, m.user)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		// One at a time, each read alternating with the store's SQL for the same answer
		// (when the read has one): what the API adds is measured in the same seconds.
		sql := r.sqlRead(m, caseID, after, record)
		one, lat, err := r.alternated(ctx, r.withWarmUp(), read, sql)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		four, took, err := r.timed(ctx, r.withWarmUp(), max(1, r.ReadConcurrency), read)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		p99 := percentile(four, 99)
		limit, latencyOnly := m.target(r.Cases)
		met := percentile(one, 99) <= limit && (latencyOnly || p99 <= limit)
		target := "p99 ≤ " + ms(limit)
		if latencyOnly {
			target += " one at a time"
		}
		row := Row{Measure: m.name + fmt.Sprintf(", %d cases", r.Cases),
			Value: fmt.Sprintf("1 at a time: p50 %s, p99 %s; %d at a time: %.0f reads/s, p99 %s", ms(percentile(one, 50)),
				ms(percentile(one, 99)), max(1, r.ReadConcurrency), float64(requests)/took.Seconds(), ms(p99)),
			Reference: "—", Ratio: "—", Target: target}
		if sql != nil {
			cost := percentile(one, 50) - percentile(lat, 50)
			r.sqlReads[m.name] = sql
			row.Reference = "SQL p50 " + ms(percentile(lat, 50))
			row.Ratio = "API +" + ms(cost)
			row.Target += "; API ≤ +1.0 ms"
			met = met && cost <= time.Millisecond
		}
		row.Met = &met
		rep.Rows = append(rep.Rows, row)
		if m.filter != nil {
			f := *m.filter
			f.Record = record // the statement the API runs (its record rolled back)
			plan, err := r.Store.ExplainListCases(ctx, f)
			if err != nil {
				return err
			}
			rep.Plans = append(rep.Plans, Plan{List: m.name + " (as " + m.user + ")", Plan: plan})
		}
		r.progress.Step()
	}
	rep.Rows = append(rep.Rows, Row{Measure: fmt.Sprintf("writing %d synthetic cases and their timelines", r.Cases),
		Value: seeded.Round(100 * time.Millisecond).String(), Reference: "—", Ratio: "—", Target: "—"})
	// The database's size a case: every table and index of caseflow's database, over every
	// case in it (the synthetic ones, and the few the write measures raised).
	var size, cases int64
	if err := r.db.QueryRow(ctx, `SELECT pg_database_size(current_database()), (SELECT count(*) FROM cases)`).Scan(&size, &cases); err != nil {
		return fmt.Errorf("the database's size: %w", err)
	}
	rep.Rows = append(rep.Rows, Row{Measure: "the database's size, a case (tables, indexes, timelines)",
		Value:     fmt.Sprintf("%.1f KB (%d MB for %d cases)", float64(size)/float64(max(cases, 1))/1024, size>>20, cases),
		Reference: "—", Ratio: "—", Target: "—"})
	return nil
}

// sqlRead is the store's call that answers what m reads through the API (nil for a
// console page, whose work is more than one query).
func (r *runner) sqlRead(m readMeasure, caseID func(int) string, after *store.Cursor, record *store.ListRecord) func(context.Context, int) error {
	switch {
	case !strings.HasPrefix(m.path, "/api/"):
		return nil
	case m.filter != nil:
		// The same statement as the API's: a list records its reader's reads of sensitive
		// fields in it (record), as the reader (m.user).
		return func(ctx context.Context, _ int) error {
			f := *m.filter
			f.Page, f.PageSize, f.Record = 1, 20, record
			_, err := r.Store.ListCases(ctx, f)
			return err
		}
	case strings.Contains(m.path, "cursor="):
		return func(ctx context.Context, _ int) error {
			_, err := r.Store.ListCases(ctx, store.CaseFilter{SearchSensitive: true, After: after, Page: 1, PageSize: 20, Record: record})
			return err
		}
	case strings.HasSuffix(m.path, "/timeline"):
		return func(ctx context.Context, i int) error {
			_, err := r.Store.Timeline(ctx, caseID(i))
			return err
		}
	default:
		return func(ctx context.Context, i int) error {
			_, err := r.Store.GetCase(ctx, caseID(i))
			return err
		}
	}
}

// listRecord is the read a list by username records in its statement, as the API's
// (service.ListRecord).
func (r *runner) listRecord(ctx context.Context, username string) (*store.ListRecord, error) {
	u, err := r.Store.UserRecordOf(ctx, username)
	if err != nil {
		return nil, err
	}
	return service.ListRecord(domain.User{Username: u.Username, Role: u.Role, Unit: u.Unit}), nil
}

// alternated runs read for 0..n-1 one at a time, each followed by sql for the same i (or
// preceded by it, every other i, so that neither runs on what the other left warm), and
// answers the times of each, the first tenth left out as timed does; nil for sql when sql is.
// Read side by side, a slower or faster minute of the machine moves both alike, and their
// difference stays what the API adds.
func (r *runner) alternated(ctx context.Context, n int, read, sql func(context.Context, int) error) (reads, sqls []time.Duration, err error) {
	warm := n / 11
	sides := [2]struct {
		f    func(context.Context, int) error
		into *[]time.Duration
		what string
	}{{read, &reads, ""}, {sql, &sqls, "its SQL: "}}
	for i := range n {
		for k := range sides {
			side := sides[(i+k)%2] // the read first on even i, the SQL first on odd
			if side.f == nil {
				continue
			}
			t := time.Now()
			if err := side.f(ctx, i); err != nil {
				return nil, nil, fmt.Errorf("%s%w", side.what, err)
			}
			if i >= warm {
				*side.into = append(*side.into, time.Since(t))
			}
		}
	}
	return reads, sqls, nil
}

// timed runs f for 0..n-1 on c goroutines and answers each call's time (the first tenth
// left out: warming up) and how long the rest took together.
func (r *runner) timed(ctx context.Context, n, c int, f func(context.Context, int) error) ([]time.Duration, time.Duration, error) {
	var mu sync.Mutex
	var lat []time.Duration
	var started time.Time
	warm := n / 11
	_, err := r.parallel(ctx, n, c, func(ctx context.Context, i int) error {
		t := time.Now()
		if err := f(ctx, i); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if i == warm {
			started = t
		}
		if i >= warm {
			lat = append(lat, time.Since(t))
		}
		return nil
	})
	return lat, time.Since(started), err
}

func (r *runner) createCase(ctx context.Context) (string, error) {
	n := r.ids.Add(1)
	body := map[string]any{"enterprise_id": "ent-001", "title": fmt.Sprintf("基准测试：厂房用地审批 %d", n),
		"description": "二期厂房用地报批已三个月未办结（基准测试）", "category": "land", "list": "problem"}
	out, err := r.call(ctx, "member", "POST", "/api/v1/cases", body, http.StatusCreated)
	if err != nil {
		return "", err
	}
	id, _ := out["id"].(string)
	r.progress.Step()
	return id, nil
}

func (r *runner) act(ctx context.Context, id, action, user string) error {
	_, err := r.call(ctx, user, "POST", "/api/v1/cases/"+id+"/actions/"+action, actionBody(action), http.StatusOK)
	return err
}

func (r *runner) login(ctx context.Context, user string) error {
	out, err := r.call(ctx, "", "POST", "/api/v1/login", map[string]string{"username": user, "password": store.DemoPassword}, http.StatusOK)
	if err != nil {
		return fmt.Errorf("log in as %s (the benchmark needs the demo users): %w", user, err)
	}
	r.tokens[user], _ = out["token"].(string)
	return nil
}

// call makes one request and decodes the answer, which must have status want.
func (r *runner) call(ctx context.Context, user, method, path string, body any, want int) (map[string]any, error) {
	resp, err := r.send(ctx, user, method, path, body, want)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return out, nil
}

// fetch reads one answer to its last byte and checks it is 200 — what a reader waits for;
// the decoding, which a browser would do, is left out of the time (and of this process's
// garbage collector, which the server shares here).
func (r *runner) fetch(ctx context.Context, user, path string) error {
	resp, err := r.send(ctx, user, "GET", path, nil, http.StatusOK)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// send makes one request as user (none: no token) and answers the response, whose status
// must be want; otherwise the error quotes the answer.
func (r *runner) send(ctx context.Context, user, method, path string, body any, want int) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.API+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+r.tokens[user])
		if !strings.HasPrefix(path, "/api/") { // a console page: the session is the cookie
			req.AddCookie(&http.Cookie{Name: console.CookieName, Value: r.tokens[user]})
		}
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		defer resp.Body.Close()
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("%s %s as %s: %d %s", method, path, user, resp.StatusCode, bytes.TrimSpace(raw))
	}
	return resp, nil
}

// parallel runs f for 0..n-1 on c goroutines and returns how long it took; the first error
// stops it.
func (r *runner) parallel(ctx context.Context, n, c int, f func(context.Context, int) error) (time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := f(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return 0, err
	}
	return time.Since(t0), ctx.Err()
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func ratioRow(measure, value, reference string, ratio float64, target string, met bool) Row {
	return Row{Measure: measure, Value: value, Reference: reference, Ratio: fmt.Sprintf("%.2f×", ratio), Target: target, Met: &met}
}

// Markdown renders the report as BENCHMARKS.md.
func (rep *Report) Markdown(commit string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# caseflow benchmarks\n\nMeasured by `caseflow bench` on %s (%d CPUs, %s/%s, %s), commit %s, in %s.\n",
		rep.Started.Format("2006-01-02 15:04 MST"), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(),
		commit, rep.Duration.Round(time.Second))
	b.WriteString("caseflow runs in a process of its own (`caseflow dev --demo` on a PostgreSQL and a data directory of\n" +
		"its own, started by bench), as it does for users' browsers; the load generator and the raw references run in\n" +
		"bench's process, on the same Temporal server and PostgreSQL, in the same run. Absolute numbers move by about\n" +
		"15% between runs, ratios hold. The read measures run over synthetic cases (ids `SY-…`, tag `synthetic`)\n" +
		"written straight into the read model; each is read " + strconv.Itoa(rep.Reads) + " times one at a time (latency) and as many four at a\n" +
		"time (throughput); one at a time, each read alternates with the SQL the store runs for the same answer, and what the API adds is\n" +
		"the difference of the medians. Below a million cases a read's p99 is held to its target one at a time and four at a time; from a\n" +
		"million, to the million's targets one at a time (its latency), four at a time giving its throughput.\n" +
		"The lifecycles' CPU is told apart by process: caseflow dev's (the Temporal server with, for caseflow's\n" +
		"cases, its worker and API), bench's (the load generator; for the reference, its worker and client), and the\n" +
		"rest of the machine's (PostgreSQL); docs/performance.md says where each goes.\n" +
		"The last rows run `caseflow api` and `caseflow worker` alone (`--alone-bin`) on the same Temporal\n" +
		"server and database. A year's work at a million cases (every unit's figures, a quarter's report, a day's\n" +
		"verification, the ledger streamed) is measured by the store's benchmarks: docs/performance.md.\n\n")
	b.WriteString(rep.Table())
	b.WriteString("\n## Query plans\n\nEach list's two queries, run (`EXPLAIN ANALYZE`, over the synthetic cases, as the list's reader, in a transaction rolled back): " +
		"the small-list query, planned for its values, then the large-list page as ListCases runs it, prepared on its connection, at its sixth run there, " +
		"with whether PostgreSQL kept its generic plan. The first line says which of the two serves the list.\n")
	for _, p := range rep.Plans {
		fmt.Fprintf(&b, "\n### %s\n\n```\n%s\n```\n", p.List, p.Plan)
	}
	return b.String()
}

// Table renders the measures as a Markdown table.
func (rep *Report) Table() string {
	var b strings.Builder
	b.WriteString("| measure | caseflow | raw reference | ratio | target | met |\n|---|---|---|---|---|---|\n")
	for _, row := range rep.Rows {
		met := ""
		if row.Met != nil {
			met = map[bool]string{true: "yes", false: "**no**"}[*row.Met]
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", row.Measure, row.Value, row.Reference, row.Ratio, row.Target, met)
	}
	return b.String()
}
