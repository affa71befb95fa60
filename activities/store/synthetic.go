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
// visit, ids SY-VS-2026-000001…), so that the work ledger has a year's rows. It uses COPY,
// in as many transactions at once as there are cores (up to four), each a share of the
// cases. Run it on a fresh database: a failure may leave some shares written.
func (s *Store) SeedSynthetic(ctx context.Context, n, year int, now time.Time) error {
	if written, err := s.SyntheticWritten(ctx, year); err != nil {
		return err
	} else if written {
		return fmt.Errorf("store: synthetic cases of %d are written in this database already (%s%d-000001…, by an earlier run): write them on a fresh database", year, SyntheticPrefix, year)
	}
	rng := rand.New(rand.NewPCG(uint64(year), uint64(n)))
	var units []string
	for _, u := range PutianUnits {
		if u.Responsible() {
			units = append(units, u.ID)
		}
	}
	categories := slices.Sorted(maps.Keys(syntheticProblems))
	creators := []string{"leader1", "leader2", "member", "member", "member"}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, domain.Shanghai)
	span := now.Sub(start)
	if span <= 0 {
		span = 365 * 24 * time.Hour
	}
	member := domain.Actor{Username: "member", Role: domain.RoleMemberDept}
	// The rows go to PostgreSQL in parts, each in a transaction of its own on a connection of
	// its own, at once: PostgreSQL then writes (and indexes) them on every core.
	parts := max(1, min(runtime.NumCPU(), 4))
	rows := make([]syntheticRows, parts)
	var caseRows, eventRows, snapshotRows, unitRows, leaderRows [][]any
	var visits []*domain.Visit
	open := map[string]*domain.Visit{} // each leader's visit still taking problems
	visitSize := map[*domain.Visit]int{}
	nVisits := 0
	methods := slices.Sorted(maps.Keys(domain.VisitMethods))
	part := -1
	for i := range n {
		if p := i * parts / n; p != part { // a new part: keep the last one's rows
			if part >= 0 {
				rows[part] = syntheticRows{caseRows, snapshotRows, unitRows, leaderRows, eventRows, visits}
			}
			part = p
			caseRows, eventRows, snapshotRows, unitRows, leaderRows = make([][]any, 0, n/parts+1), nil, nil, nil, nil
			visits, open = nil, map[string]*domain.Visit{}
		}
		cat := categories[rng.IntN(len(categories))]
		p := syntheticProblems[cat][rng.IntN(len(syntheticProblems[cat]))]
		created := start.Add(time.Duration(float64(span) * float64(i+1) / float64(n+1))).Add(time.Duration(rng.IntN(600)) * time.Second).UTC().Truncate(time.Microsecond)
		c := domain.Case{ID: fmt.Sprintf("%s%d-%06d", SyntheticPrefix, year, i+1), Title: p[0],
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
			v := open[c.CreatedBy]
			if v == nil || len(v.CaseIDs) >= visitSize[v] {
				nVisits++
				d := created.In(domain.Shanghai)
				v = &domain.Visit{ID: fmt.Sprintf("%sVS-%d-%06d", SyntheticPrefix, year, nVisits), Date: d.Format(domain.DateLayout),
					Leaders: []string{c.CreatedBy}, Method: methods[rng.IntN(len(methods))], Topics: []string{"opinions", "problems"},
					Notes: "走访企业，听取意见，现场交办问题（合成数据）", InvestmentLeads: []domain.InvestmentLead{},
					CreatedBy: c.CreatedBy, CreatedAt: created}
				open[c.CreatedBy], visitSize[v] = v, 1+rng.IntN(3)
				visits = append(visits, v)
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
			c.LeadUnit = units[rng.IntN(len(units))]
			if rng.IntN(4) == 0 {
				if co := units[rng.IntN(len(units))]; co != c.LeadUnit {
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
			eventRows = append(eventRows, []any{ev.CaseID, ev.Seq, ev.Type, ev.At, actor.Username, actor.Role, actor.Unit, ev.Data, prev, hash})
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
		caseRows = append(caseRows, []any{c.ID, c.Status, c.Title, c.Description, c.Category, c.List, c.Scope,
			c.EnterpriseID, c.VisitID, c.AmountCNY, c.Sensitive, c.Office, c.LeadUnit, c.CoUnits, due, c.Outcome,
			c.CreatedBy, c.LastSeq, c.CreatedAt, c.UpdatedAt, c.Overdue, c.Card, c.ReferredUnits})
		snapshotRows = append(snapshotRows, []any{c.ID, snapshot})
		for _, u := range c.ReferredUnits {
			unitRows = append(unitRows, []any{u, c.CreatedAt, c.ID})
		}
		if c.CreatedBy != member.Username { // a leader raised it: they follow it

			leaderRows = append(leaderRows, []any{c.CreatedBy, c.CreatedAt, c.ID, "raised"})
		}
	}
	if part >= 0 {
		rows[part] = syntheticRows{caseRows, snapshotRows, unitRows, leaderRows, eventRows, visits}
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, r := range rows {
		g.Go(func() error { return s.copySynthetic(gctx, r) })
	}
	if err := g.Wait(); err != nil {
		return err
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

// syntheticRows are one part's rows: cases, snapshots, case units, case leaders, events, and
// the visits the leaders' cases came from.
type syntheticRows struct {
	cases, snapshots, units, leaders, events [][]any
	visits                                   []*domain.Visit
}

// copySynthetic writes one part of the synthetic rows in one transaction.
func (s *Store) copySynthetic(ctx context.Context, r syntheticRows) error {
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
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, t := range []struct {
			table   string
			columns []string
			rows    [][]any
		}{
			{"visits", []string{"id", "date", "method", "topics", "notes", "investment_leads", "problems", "case_ids", "created_by",
				"created_at", "complete"}, visitRows},
			{"visit_leaders", []string{"visit_id", "leader"}, visitLeaderRows},
			{"visit_enterprises", []string{"visit_id", "enterprise_id"}, visitEnterpriseRows},
			{"cases", []string{"id", "status", "title", "description",
				"category", "list", "scope", "enterprise_id", "visit_id", "amount_cny", "sensitive", "office", "lead_unit",
				"co_units", "due_date", "outcome", "created_by", "last_seq", "created_at", "updated_at",
				"overdue", "card", "referred_units"}, r.cases},
			{"case_snapshots", []string{"id", "snapshot"}, r.snapshots},
			{"case_units", []string{"unit", "at", "case_id"}, r.units},
			{"case_leaders", []string{"leader", "at", "case_id", "via"}, r.leaders},
			{"case_events", []string{"case_id", "seq", "type", "at",
				"actor_username", "actor_role", "actor_unit", "data", "prev_hash", "hash"}, r.events},
		} {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.columns, pgx.CopyFromRows(t.rows)); err != nil {
				return fmt.Errorf("store: synthetic %s: %w", t.table, err)
			}
		}
		return nil
	})
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
