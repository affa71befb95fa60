package store

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// SyntheticPrefix starts the id of every synthetic case (SY-2026-000001), and SyntheticTag
// is among its tags: synthetic cases are made for measuring, written straight into the
// read model with no workflow behind them, and never mixed up with real ones.
const (
	SyntheticPrefix = "SY-"
	SyntheticTag    = "synthetic"
)

// syntheticProblems are what enterprises raise, per category: a title and a description to
// vary, so that text search meets realistic Chinese.
var syntheticProblems = map[string][][2]string{
	"land":                 {{"厂房用地审批进度慢", "企业扩建厂房，用地审批已提交三个月仍未批复，影响新生产线投产。"}, {"工业用地指标不足", "园区工业用地指标紧张，项目二期用地无法落实。"}},
	"planning":             {{"规划调整迟迟未定", "厂区周边道路规划调整未定，物流通道受阻。"}, {"容积率调整申请", "申请提高容积率以建设研发楼，规划部门尚未答复。"}},
	"construction":         {{"施工许可办理难", "新建仓库施工许可材料多次退回，工期一再推迟。"}, {"竣工验收排期长", "厂房已完工，竣工验收排期两个月。"}},
	"fire_safety":          {{"消防验收标准不明", "车间改造后消防验收标准不明确，企业无法整改。"}, {"消防设施改造资金", "老旧厂房消防设施改造资金缺口较大。"}},
	"talent":               {{"技术人才引进难", "高端技术人才引进补贴申请流程复杂，人才流失。"}, {"职工子女入学", "外地职工子女就近入学名额不足。"}},
	"power":                {{"厂区频繁停电", "今年以来厂区停电八次，生产线多次中断，损失较大。"}, {"用电增容申请", "新增生产线需要用电增容，供电方案迟迟未出。"}},
	"financing":            {{"流动资金贷款难", "银行抽贷断贷，企业流动资金紧张，急需转贷支持。"}, {"融资担保费用高", "担保费率偏高，希望纳入政策性担保。"}},
	"business_environment": {{"涉企检查过多", "一个月内接受多个部门重复检查，影响正常经营。"}, {"政务服务效率", "证照变更需多次跑腿，希望一网通办。"}},
	"policy":               {{"惠企政策兑现慢", "技改补贴申报已审核通过，资金半年未到位。"}, {"税费减免落实", "小微企业税费减免政策落实不到位。"}},
	"investment_lead":      {{"上下游企业落地意向", "合作伙伴有意在莆田设立配套工厂，需要对接用地。"}, {"异地商会招商线索", "商会会员企业计划回乡投资，需要政策咨询。"}},
	"other":                {{"园区道路破损", "园区主干道路面破损严重，货车通行困难。"}, {"污水管网未接通", "新厂区污水管网未接通，影响环评验收。"}},
}

// SyntheticWritten says whether synthetic cases of year are in the database (an earlier
// SeedSynthetic wrote them).
func (s *Store) SyntheticWritten(ctx context.Context, year int) (bool, error) {
	var written bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases WHERE id = $1)`,
		fmt.Sprintf("%s%d-%06d", SyntheticPrefix, year, 1)).Scan(&written)
	if err != nil {
		return false, fmt.Errorf("store: synthetic cases: %w", err)
	}
	return written, nil
}

// SeedSynthetic writes n synthetic cases of year into the read model, with their timelines
// (hash-chained like real ones): spread over the year up to now, across every status, unit,
// office, category and demo leader, with the share of sensitive, overdue and carded cases a
// busy year would have; a leader's cases come from their visits (one to three problems a
// visit, ids SY-VS-2026-…), so that the work ledger has a year's rows. The cases are cut
// into as many shares as there are cores (up to four), each made and written at once in a
// transaction of its own, and each written by COPY a few thousand cases at a time as they
// are made, so that what it holds does not grow with n (a million cases held whole before
// writing took 10 GB). The same n and year make the same cases. Run it on a fresh
// database: a failure may leave some shares written.
func (s *Store) SeedSynthetic(ctx context.Context, n, year int, now time.Time) error {
	if written, err := s.SyntheticWritten(ctx, year); err != nil {
		return err
	} else if written {
		return fmt.Errorf("store: synthetic cases of %d are written in this database already (%s%d-000001…, by an earlier run): write them on a fresh database", year, SyntheticPrefix, year)
	}
	gen := syntheticGen{n: n, year: year, categories: slices.Sorted(maps.Keys(syntheticProblems)),
		methods: slices.Sorted(maps.Keys(domain.VisitMethods)), start: time.Date(year, 1, 1, 0, 0, 0, 0, domain.Shanghai)}
	for _, u := range PutianUnits {
		if u.Responsible() {
			gen.units = append(gen.units, u.ID)
		}
	}
	if gen.span = now.Sub(gen.start); gen.span <= 0 {
		gen.span = 365 * 24 * time.Hour
	}
	// The shares go to PostgreSQL at once, each on a connection of its own: PostgreSQL then
	// writes (and indexes) them on every core.
	parts := max(1, min(runtime.NumCPU(), 4))
	g, gctx := errgroup.WithContext(ctx)
	for p := range parts {
		g.Go(func() error { return s.copySynthetic(gctx, gen.share(p, p*n/parts, (p+1)*n/parts)) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// Routing's counts of the cases written (migration 00025), counted once they all are:
	// the shares' transactions leave them to this statement.
	if _, err := s.pool.Exec(ctx, `INSERT INTO case_counts AS k (enterprise_id, category, quarter, open, closed)
		SELECT enterprise_id, category, case_quarter(created_at),
		       count(*) FILTER (WHERE status <> 'closed'), count(*) FILTER (WHERE status = 'closed')
		FROM cases WHERE starts_with(id, $1) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
		ON CONFLICT (enterprise_id, category, quarter)
		DO UPDATE SET open = k.open + EXCLUDED.open, closed = k.closed + EXCLUDED.closed`,
		fmt.Sprintf("%s%d-", SyntheticPrefix, year)); err != nil {
		return fmt.Errorf("store: synthetic: routing's counts: %w", err)
	}
	// What autovacuum would do soon after: statistics for the planner, the GIN indexes'
	// pending entries merged, the visibility map set for index-only scans.
	for _, table := range []string{"cases", "case_snapshots", "case_units", "case_leaders", "case_events", "visits", "visit_leaders", "visit_enterprises"} {
		if _, err := s.pool.Exec(ctx, "VACUUM (ANALYZE) "+table); err != nil {
			return fmt.Errorf("store: synthetic: vacuum %s: %w", table, err)
		}
	}
	// And the bulk write flushed now rather than by a checkpoint in the middle of what is
	// measured next (needs a superuser or pg_checkpoint; without, the checkpoint comes later).
	_, _ = s.pool.Exec(ctx, "CHECKPOINT")
	return nil
}

// syntheticChunk is how many synthetic cases are made, then written, at a time (a
// variable for the tests).
var syntheticChunk = 4000

// syntheticGen is what every share of the synthetic cases is made from.
type syntheticGen struct {
	n, year                    int
	units, categories, methods []string
	start                      time.Time
	span                       time.Duration
}

// syntheticShare makes the cases lo..hi-1 (0-based) a chunk at a time, from a random
// sequence of its own, so that shares are made at once and each alike on every run.
type syntheticShare struct {
	gen     *syntheticGen
	rng     *rand.Rand
	i, hi   int
	visits  int                      // the share's visits so far (their ids count on from lo)
	lo      int                      // the first case of the share
	open    map[string]*domain.Visit // each leader's visit still taking problems
	size    map[*domain.Visit]int    // how many problems each open visit takes
	pending []*domain.Visit          // visits not written yet, open or full
}

func (gen *syntheticGen) share(p, lo, hi int) *syntheticShare {
	return &syntheticShare{gen: gen, rng: rand.New(rand.NewPCG(uint64(gen.year)<<8|uint64(p), uint64(gen.n))), i: lo, lo: lo, hi: hi,
		open: map[string]*domain.Visit{}, size: map[*domain.Visit]int{}}
}

// syntheticRows are one chunk's rows: cases, snapshots, case units, case leaders, events,
// and the visits the leaders' cases came from that take no more problems.
type syntheticRows struct {
	cases, snapshots, units, leaders, events [][]any
	visits                                   []*domain.Visit
}

// next makes the share's next chunk into r (emptied first); false once the share is made.
// Its last chunk also carries the visits still open.
func (sh *syntheticShare) next(r *syntheticRows) (bool, error) {
	if sh.i >= sh.hi {
		return false, nil
	}
	*r = syntheticRows{cases: r.cases[:0], snapshots: r.snapshots[:0], units: r.units[:0], leaders: r.leaders[:0], events: r.events[:0]}
	for end := min(sh.i+syntheticChunk, sh.hi); sh.i < end; sh.i++ {
		if err := sh.makeCase(sh.i, r); err != nil {
			return false, err
		}
	}
	// A visit is written once it takes no more problems: the open ones wait for the next
	// chunk, or go with the share's last.
	var keep []*domain.Visit
	for _, v := range sh.pending {
		if sh.i < sh.hi && len(v.CaseIDs) < sh.size[v] { // open: a full one is never again
			keep = append(keep, v)
			continue
		}
		r.visits = append(r.visits, v)
		delete(sh.size, v)
	}
	sh.pending = keep
	return true, nil
}

// makeCase makes case i and adds its rows to r.
func (sh *syntheticShare) makeCase(i int, r *syntheticRows) error {
	gen, rng, n := sh.gen, sh.rng, sh.gen.n
	member := domain.Actor{Username: "member", Role: domain.RoleMemberDept}
	creators := [...]string{"leader1", "leader2", "member", "member", "member"}
	cat := gen.categories[rng.IntN(len(gen.categories))]
	p := syntheticProblems[cat][rng.IntN(len(syntheticProblems[cat]))]
	created := gen.start.Add(time.Duration(float64(gen.span) * float64(i+1) / float64(n+1))).Add(time.Duration(rng.IntN(600)) * time.Second).UTC().Truncate(time.Microsecond)
	c := domain.Case{ID: fmt.Sprintf("%s%d-%06d", SyntheticPrefix, gen.year, i+1), Title: p[0],
		Description: fmt.Sprintf("%s（%s，第%d号）", p[1], DemoEnterprises[i%len(DemoEnterprises)].Name, i+1),
		Category:    cat, List: domain.ListProblem, EnterpriseID: DemoEnterprises[rng.IntN(len(DemoEnterprises))].ID,
		Sensitive: rng.IntN(20) == 0, CreatedBy: creators[rng.IntN(len(creators))], CreatedAt: created,
		Card: domain.CardNone, SLA: domain.SLAStandard, Priority: domain.PriorityNormal,
		CoUnits: []string{}, ReferredUnits: []string{}, SignedUnits: []string{}, Tags: []string{SyntheticTag},
		ExtensionsAllowed: 1, Scope: domain.ScopeIndividual}
	if cat == "financing" {
		c.List = domain.ListFunding
		amount := float64(100+rng.IntN(5000)) * 10000
		c.AmountCNY = &amount
	}
	// A leader's problems come from their visits (走访): one to three problems a visit, the
	// next ones the same leader raised.
	if c.CreatedBy != member.Username {
		v := sh.open[c.CreatedBy]
		if v == nil || len(v.CaseIDs) >= sh.size[v] {
			sh.visits++
			d := created.In(domain.Shanghai)
			v = &domain.Visit{ID: fmt.Sprintf("%sVS-%d-%06d", SyntheticPrefix, gen.year, sh.lo+sh.visits), Date: d.Format(domain.DateLayout),
				Leaders: []string{c.CreatedBy}, Method: gen.methods[rng.IntN(len(gen.methods))], Topics: []string{"opinions", "problems"},
				Notes: "走访企业，听取意见，现场交办问题（合成数据）", InvestmentLeads: []domain.InvestmentLead{},
				CreatedBy: c.CreatedBy, CreatedAt: created}
			sh.open[c.CreatedBy], sh.size[v] = v, 1+rng.IntN(3)
			sh.pending = append(sh.pending, v)
		}
		c.VisitID = v.ID
		v.CaseIDs = append(v.CaseIDs, c.ID)
		v.Problems = append(v.Problems, domain.VisitProblem{EnterpriseID: c.EnterpriseID, Title: c.Title, Description: c.Description,
			Category: c.Category, List: c.List, AmountCNY: c.AmountCNY, Sensitive: c.Sensitive})
		if !slices.Contains(v.EnterpriseIDs, c.EnterpriseID) {
			v.EnterpriseIDs = append(v.EnterpriseIDs, c.EnterpriseID)
		}
	}
	types := []string{domain.EventCreated, domain.EventRouted}
	// Most of a year's cases are closed; the newest are still under way.
	age := float64(n-i) / float64(n)
	switch r := rng.Float64(); {
	case age < 0.02 && r < 0.5:
		c.Status = domain.StatusTriage
	case age < 0.05 && r < 0.3:
		c.Status = domain.StatusReferral
	case age < 0.3 && r < 0.5:
		c.Status = domain.StatusHandling
	case age < 0.3 && r < 0.6:
		c.Status = domain.StatusFollowUp
	default:
		c.Status = domain.StatusClosed
	}
	if c.Status != domain.StatusTriage {
		c.Office = []string{domain.OfficeParty, domain.OfficeGovernment}[rng.IntN(2)]
		c.LeadUnit = gen.units[rng.IntN(len(gen.units))]
		if rng.IntN(4) == 0 {
			if co := gen.units[rng.IntN(len(gen.units))]; co != c.LeadUnit {
				c.CoUnits = []string{co}
			}
		}
		types = append(types, domain.EventTriaged)
	}
	if c.Status == domain.StatusHandling || c.Status == domain.StatusFollowUp || c.Status == domain.StatusClosed {
		c.ReferredUnits = append([]string{c.LeadUnit}, c.CoUnits...)
		c.SignedUnits = []string{c.LeadUnit}
		c.DueDate = created.AddDate(0, 0, 28).In(domain.Shanghai).Format(domain.DateLayout)
		types = append(types, domain.EventReferred, domain.EventSigned, domain.EventProgress)
		if rng.IntN(8) == 0 {
			c.Card = domain.CardBlue
			types = append(types, domain.EventUrged)
			if rng.IntN(3) == 0 {
				c.Card = domain.CardYellow
				types = append(types, domain.EventYellowCard)
			}
			c.Overdue = c.Status == domain.StatusHandling
		}
	}
	if c.Status == domain.StatusFollowUp || c.Status == domain.StatusClosed {
		c.Outcome, c.Report = domain.OutcomeResolved, "已协调解决，企业确认。"
		types = append(types, domain.EventCompleted)
	}
	if c.Status == domain.StatusClosed {
		c.Callback = &domain.Callback{Solved: true, Satisfied: true, Note: "企业满意", At: created.AddDate(0, 0, 30)}
		types = append(types, domain.EventCalledBack, domain.EventClosed)
	}
	prev := ""
	at := created
	for k, typ := range types {
		actor := member
		if k < 2 {
			actor = domain.Actor{Username: c.CreatedBy, Role: domain.RoleLeader}
			if k == 1 {
				actor = domain.Actor{Username: "system", Role: "system"}
			}
		}
		ev := domain.Event{CaseID: c.ID, Seq: k + 1, Type: typ, At: at, Actor: actor, Data: syntheticData(typ, &c)}
		hash, err := EventHash(prev, ev)
		if err != nil {
			return err
		}
		r.events = append(r.events, []any{ev.CaseID, ev.Seq, ev.Type, ev.At, actor.Username, actor.Role, actor.Unit, ev.Data, prev, hash})
		prev = hash
		at = at.Add(time.Duration(1+rng.IntN(48)) * time.Hour)
	}
	c.LastSeq, c.UpdatedAt = len(types), at
	snapshot, err := json.Marshal(c)
	if err != nil {
		return err
	}
	var due any
	if c.DueDate != "" {
		due = created.AddDate(0, 0, 28).In(domain.Shanghai)
	}
	r.cases = append(r.cases, []any{c.ID, c.Status, c.Title, c.Description, c.Category, c.List, c.Scope,
		c.EnterpriseID, c.VisitID, c.AmountCNY, c.Sensitive, c.Office, c.LeadUnit, c.CoUnits, due, c.Outcome,
		c.CreatedBy, c.LastSeq, c.CreatedAt, c.UpdatedAt, c.Overdue, c.Card, c.ReferredUnits})
	r.snapshots = append(r.snapshots, []any{c.ID, snapshot})
	for _, u := range c.ReferredUnits {
		r.units = append(r.units, []any{u, c.CreatedAt, c.ID, c.Status})
	}
	if c.CreatedBy != member.Username { // a leader raised it: they follow it
		r.leaders = append(r.leaders, []any{c.CreatedBy, c.CreatedAt, c.ID, "raised", c.Status})
	}
	return nil
}

// copySynthetic makes and writes one share of the synthetic cases in one transaction, a
// chunk at a time (cases.visit_id has no foreign key: a case may be written before its visit).
func (s *Store) copySynthetic(ctx context.Context, sh *syntheticShare) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// SeedSynthetic counts the cases for routing once every share is written.
		if _, err := tx.Exec(ctx, `SET LOCAL caseflow.cases_counted_later = 'on'`); err != nil {
			return fmt.Errorf("store: synthetic: %w", err)
		}
		var r syntheticRows
		for {
			more, err := sh.next(&r)
			if err != nil || !more {
				return err
			}
			if err := copyChunk(ctx, tx, r); err != nil {
				return err
			}
		}
	})
}

// copyChunk writes one chunk of synthetic rows.
func copyChunk(ctx context.Context, tx pgx.Tx, r syntheticRows) error {
	var visitRows, visitLeaderRows, visitEnterpriseRows [][]any
	for _, v := range r.visits {
		d, _ := time.Parse(domain.DateLayout, v.Date)
		leads, _ := json.Marshal(v.InvestmentLeads)
		problems, _ := json.Marshal(v.Problems)
		visitRows = append(visitRows, []any{v.ID, d, v.Method, v.Topics, v.Notes, leads, problems, v.CaseIDs, v.CreatedBy, v.CreatedAt, true})
		for _, l := range v.Leaders {
			visitLeaderRows = append(visitLeaderRows, []any{v.ID, l})
		}
		for _, e := range v.EnterpriseIDs {
			visitEnterpriseRows = append(visitEnterpriseRows, []any{v.ID, e})
		}
	}
	for _, t := range []struct {
		table   string
		columns []string
		rows    [][]any
	}{
		{"cases", []string{"id", "status", "title", "description",
			"category", "list", "scope", "enterprise_id", "visit_id", "amount_cny", "sensitive", "office", "lead_unit",
			"co_units", "due_date", "outcome", "created_by", "last_seq", "created_at", "updated_at",
			"overdue", "card", "referred_units"}, r.cases},
		{"case_snapshots", []string{"id", "snapshot"}, r.snapshots},
		{"case_units", []string{"unit", "at", "case_id", "case_status"}, r.units},
		{"case_leaders", []string{"leader", "at", "case_id", "via", "case_status"}, r.leaders},
		{"case_events", []string{"case_id", "seq", "type", "at",
			"actor_username", "actor_role", "actor_unit", "data", "prev_hash", "hash"}, r.events},
		{"visits", []string{"id", "date", "method", "topics", "notes", "investment_leads", "problems", "case_ids", "created_by",
			"created_at", "complete"}, visitRows},
		{"visit_leaders", []string{"visit_id", "leader"}, visitLeaderRows},
		{"visit_enterprises", []string{"visit_id", "enterprise_id"}, visitEnterpriseRows},
	} {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("store: synthetic %s: %w", t.table, err)
		}
	}
	return nil
}

// syntheticData is what an event of typ says, as the workflow writes it (its type's Go value,
// workflows/domain/events.go), for the figures the audit reads (the lead unit, the unit, a
// callback's answer), marked "synthetic".
func syntheticData(typ string, c *domain.Case) json.RawMessage {
	var v any
	switch typ {
	case domain.EventReferred:
		v = domain.Referred{LeadUnit: c.LeadUnit, CoUnits: domain.NonNil(c.CoUnits), DueDate: c.DueDate}
	case domain.EventSigned:
		v = domain.Signed{Unit: c.LeadUnit}
	case domain.EventUrged, domain.EventYellowCard:
		v = domain.Supervised{Deadline: domain.DeadlineHandling, Unit: c.LeadUnit, Office: c.Office}
	case domain.EventCalledBack:
		v = domain.CalledBack{Solved: true, Satisfied: true}
	case domain.EventTriaged:
		v = domain.Triaged{Triage: domain.Triage{Decision: domain.DecisionRefer, SLA: domain.SLAStandard, LeadUnit: c.LeadUnit}}
	default:
		return json.RawMessage(`{"synthetic":true}`)
	}
	raw, _ := json.Marshal(v)
	return append(raw[:len(raw)-1], `,"synthetic":true}`...)
}
