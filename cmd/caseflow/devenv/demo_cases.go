package devenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"time"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The demo's visits with problems: logged through the API as the leaders would, so that
// every problem becomes a case through its workflow, then driven by the demo users to a
// spread of states. Each case is driven from the state it is in, so a start interrupted
// half-way finishes the job on the next start, and a later start changes nothing.

// demoProblem is one problem heard on a demo visit, and the state its case is driven to.
type demoProblem struct {
	enterprise, title, description, category, list string
	amount                                         float64
	// target: triage, referral, handling (referred, not signed), signed, follow_up,
	// closed, answered (closed at triage).
	target string
	// route at triage: office and lead unit.
	office, lead string
}

type demoVisit struct {
	leader   string
	daysAgo  int
	method   string
	problems []demoProblem
}

var demoVisits = []demoVisit{
	{"leader1", 60, "onsite", []demoProblem{
		{"ent-001", "二期厂房用地审批慢", "二期厂房用地报批已三个月未办结，影响新生产线投产（演示）", "land", "problem", 0, "closed", "party", "natural-resources"},
		{"ent-001", "园区频繁停电", "今年园区停电八次，每次损失约十万元（演示）", "power", "problem", 0, "follow_up", "government", "power-supply"},
	}},
	{"leader1", 35, "symposium", []demoProblem{
		{"ent-002", "流动资金紧张", "原料收购季需转贷支持五百万元（演示）", "financing", "funding", 5000000, "signed", "government", "finance-office"},
		{"ent-002", "技术工人招聘难", "熟练工缺口约两百人（演示）", "talent", "problem", 0, "referral", "party", "human-resources"},
	}},
	{"leader1", 10, "field_office", []demoProblem{
		{"ent-003", "消防验收排期长", "新厂房消防验收排期两个月（演示）", "fire_safety", "problem", 0, "triage", "", ""},
		{"ent-003", "园区供电不稳", "电压波动导致设备停机（演示）", "power", "problem", 0, "triage", "", ""},
	}},
	{"leader2", 45, "onsite", []demoProblem{
		{"ent-005", "码头扩建用地指标", "码头二期需新增用地指标四十亩（演示）", "land", "problem", 0, "handling", "party", "natural-resources"},
		{"ent-005", "政策兑现咨询", "询问技改补贴申报条件（演示）", "policy", "problem", 0, "answered", "", ""},
	}},
	{"leader2", 5, "online", []demoProblem{
		{"ent-007", "配套道路未建成", "厂区进出道路尚未硬化（演示）", "construction", "support", 0, "triage", "", ""},
		{"ent-008", "园区停电影响生产", "停电导致订单延误（演示）", "power", "problem", 0, "triage", "", ""},
	}},
}

// demoCommonProblem: the power problems of ent-003 and ent-008, still in triage, merge as
// one common problem (the first is the parent).
var demoCommonProblem = [2][2]int{{2, 1}, {4, 1}} // visit index, problem index

// seedDemoCases logs the demo visits with problems and drives their cases, as the demo
// users through the API's handler. Its visits are dated from the day the demo was first
// loaded: a start on a later day sends the same requests as the first (the same key with
// other dates would be refused as another visit), and they answer the visits it logged.
func seedDemoCases(ctx context.Context, api http.Handler, st *store.Store, today time.Time) error {
	if date, found, err := st.VisitDateByKey(ctx, demoVisits[0].leader, demoVisitKey(0)); err != nil {
		return err
	} else if found {
		first, err := time.ParseInLocation(domain.DateLayout, date, domain.Shanghai)
		if err != nil {
			return fmt.Errorf("the first demo visit's date %q: %w", date, err)
		}
		today = first.AddDate(0, 0, demoVisits[0].daysAgo)
	}
	users := map[string]*demoClient{}
	as := func(username string) (*demoClient, error) {
		if c := users[username]; c != nil {
			return c, nil
		}
		c := &demoClient{api: api}
		var out struct{ Token string }
		if err := c.call(ctx, "POST", "/api/v1/login", map[string]string{"username": username, "password": store.DemoPassword}, "", &out); err != nil {
			return nil, err
		}
		c.token = out.Token
		users[username] = c
		return c, nil
	}
	ids := make([][]string, len(demoVisits))
	for i, v := range demoVisits {
		leader, err := as(v.leader)
		if err != nil {
			return err
		}
		body := map[string]any{"date": today.AddDate(0, 0, -v.daysAgo).Format(domain.DateLayout), "leaders": []string{v.leader},
			"method": v.method, "topics": []string{"policy", "problems"}, "notes": "走访企业，听取诉求（演示数据）"}
		var enterprises []string
		var problems []map[string]any
		for _, p := range v.problems {
			if !slices.Contains(enterprises, p.enterprise) {
				enterprises = append(enterprises, p.enterprise)
			}
			pb := map[string]any{"enterprise_id": p.enterprise, "title": p.title, "description": p.description,
				"category": p.category, "list": p.list}
			if p.amount > 0 {
				pb["amount_cny"] = p.amount
			}
			problems = append(problems, pb)
		}
		body["enterprise_ids"], body["problems"] = enterprises, problems
		var out struct {
			CaseIDs []string `json:"case_ids"`
		}
		if err := leader.call(ctx, "POST", "/api/v1/visits", body, demoVisitKey(i), &out); err != nil {
			return err
		}
		ids[i] = out.CaseIDs
	}
	for i, v := range demoVisits {
		for j, p := range v.problems {
			if err := driveDemoCase(ctx, as, ids[i][j], p); err != nil {
				return fmt.Errorf("demo case %s: %w", ids[i][j], err)
			}
		}
	}
	member, err := as("member")
	if err != nil {
		return err
	}
	parent, child := ids[demoCommonProblem[0][0]][demoCommonProblem[0][1]], ids[demoCommonProblem[1][0]][demoCommonProblem[1][1]]
	var c domain.Case
	if err := member.call(ctx, "GET", "/api/v1/cases/"+child, nil, "", &c); err != nil {
		return err
	}
	if c.Status == domain.StatusTriage {
		return member.call(ctx, "POST", "/api/v1/cases/"+parent+"/actions/merge",
			map[string]any{"child_ids": []string{child}, "note": "多家企业反映园区供电不稳（演示）"}, "", nil)
	}
	return nil
}

// demoVisitKey is the idempotency key of the i-th demo visit with problems.
func demoVisitKey(i int) string { return fmt.Sprintf("demo-visit-with-problems-%d", i) }

// driveDemoCase takes the case, one action at a time, from where it stands to p.target.
func driveDemoCase(ctx context.Context, as func(string) (*demoClient, error), id string, p demoProblem) error {
	office := map[string]string{domain.OfficeParty: "party", domain.OfficeGovernment: "gov"}[p.office]
	for range 10 {
		member, err := as("member")
		if err != nil {
			return err
		}
		var c domain.Case
		if err := member.call(ctx, "GET", "/api/v1/cases/"+id, nil, "", &c); err != nil {
			return err
		}
		signed := slices.Contains(c.SignedUnits, c.LeadUnit)
		done := c.Status == p.target || c.Status == domain.StatusMerged ||
			p.target == "answered" && c.Status == domain.StatusClosed ||
			p.target == "signed" && c.Status == domain.StatusHandling && signed
		if done {
			return nil
		}
		who, action := "member", ""
		var body any = map[string]any{}
		switch {
		case c.Status == domain.StatusTriage && p.target == "answered":
			action, body = "triage", map[string]any{"decision": "answer", "answer": "已当面解读技改补贴申报条件（演示）"}
		case c.Status == domain.StatusTriage:
			action, body = "triage", map[string]any{"decision": "refer", "office": p.office, "lead_unit": p.lead,
				"co_units": []string{}, "override_reason": "演示数据按预设路线交办"}
		case c.Status == domain.StatusReferral:
			who, action, body = office, "refer", map[string]any{"instructions": "请按期办结（演示）"}
		case c.Status == domain.StatusHandling && !signed:
			who, action = "unit-"+c.LeadUnit, "sign"
		case c.Status == domain.StatusHandling:
			who, action, body = "unit-"+c.LeadUnit, "complete", map[string]any{"outcome": "resolved", "report": "已协调解决（演示）"}
		case c.Status == domain.StatusFollowUp && c.Callback == nil:
			action, body = "callback", map[string]any{"solved": true, "satisfied": true, "note": "企业表示满意（演示）"}
		case c.Status == domain.StatusFollowUp:
			who, action, body = office, "close", map[string]any{"note": "问题已解决，销号（演示）"}
		default:
			return fmt.Errorf("cannot go from %s to %s", c.Status, p.target)
		}
		u, err := as(who)
		if err != nil {
			return err
		}
		if err := u.call(ctx, "POST", "/api/v1/cases/"+id+"/actions/"+action, body, "", nil); err != nil {
			return err
		}
	}
	return fmt.Errorf("did not reach %s", p.target)
}

// demoClient calls the API's handler, in the process, as one demo user.
type demoClient struct {
	api   http.Handler
	token string
}

func (c *demoClient) call(ctx context.Context, method, path string, body any, key string, out any) error {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return err
	}
	req.RemoteAddr = "127.0.0.1:0"
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	rec := httptest.NewRecorder()
	c.api.ServeHTTP(rec, req)
	raw := rec.Body.Bytes()
	if rec.Code >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, rec.Code, bytes.TrimSpace(raw))
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
