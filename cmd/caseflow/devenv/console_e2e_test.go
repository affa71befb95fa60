package devenv_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// person is someone using the console in a browser without scripts: a cookie jar, the
// last page, and the forms on it.
type person struct {
	t      *testing.T
	base   string
	client *http.Client
	page   string
	status int
}

func newPerson(t *testing.T, base string) *person {
	jar, _ := cookiejar.New(nil)
	return &person{t: t, base: base, client: &http.Client{Jar: jar}}
}

// open loads a page (following redirects, as a browser does).
func (p *person) open(path string) *person {
	p.t.Helper()
	res, err := p.client.Get(p.base + path)
	if err != nil {
		p.t.Fatal(err)
	}
	p.read(res)
	return p
}

func (p *person) read(res *http.Response) {
	p.t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	p.page, p.status = string(b), res.StatusCode
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		p.t.Fatalf("%s: %s, not a page", res.Request.URL.Path, ct)
	}
}

var hiddenField = regexp.MustCompile(`<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" name="_csrf" value="([0-9a-f]*)">(?:<input type="hidden" name="_key" value="([0-9a-f]*)">)?`)

// submit posts the form of the page whose action is path, with its CSRF token and key, and
// the values given (what a person selects and types).
func (p *person) submit(path string, values url.Values) *person {
	p.t.Helper()
	for _, m := range hiddenField.FindAllStringSubmatch(p.page, -1) {
		if m[1] != path {
			continue
		}
		values.Set("_csrf", m[2])
		if m[3] != "" {
			values.Set("_key", m[3])
		}
		res, err := p.client.PostForm(p.base+path, values)
		if err != nil {
			p.t.Fatal(err)
		}
		p.read(res)
		return p
	}
	p.t.Fatalf("no form to %s on the page:\n%s", path, p.page)
	return p
}

// upload sends the page's upload form whose action is path (its CSRF token first, as a
// browser sends the form's fields in order) with a file; csrf false leaves the token out.
func (p *person) upload(path, name string, data []byte, csrf bool, fields ...[2]string) *person {
	p.t.Helper()
	for _, m := range hiddenField.FindAllStringSubmatch(p.page, -1) {
		if m[1] != path {
			continue
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		if csrf {
			_ = mw.WriteField("_csrf", m[2])
		}
		for _, f := range fields {
			_ = mw.WriteField(f[0], f[1])
		}
		w, _ := mw.CreateFormFile("file", name)
		_, _ = w.Write(data)
		_ = mw.Close()
		res, err := p.client.Post(p.base+path, mw.FormDataContentType(), &body)
		if err != nil {
			p.t.Fatal(err)
		}
		p.read(res)
		return p
	}
	p.t.Fatalf("no upload form to %s on the page:\n%s", path, p.page)
	return p
}

// signIn signs in with the login form.
func (p *person) signIn(username string) *person {
	p.t.Helper()
	res, err := p.client.PostForm(p.base+"/login", url.Values{"username": {username}, "password": {"demo"}, "next": {"/"}})
	if err != nil {
		p.t.Fatal(err)
	}
	p.read(res)
	if p.status != http.StatusOK || !strings.Contains(p.page, "待办事项") {
		p.t.Fatalf("%s signed in to %d:\n%s", username, p.status, p.page)
	}
	return p
}

func (p *person) sees(texts ...string) {
	p.t.Helper()
	for _, s := range texts {
		if !strings.Contains(p.page, s) {
			p.t.Fatalf("the page lacks %q:\n%s", s, p.page)
		}
	}
}

var caseLink = regexp.MustCompile(`href="/cases/(PT-[0-9]{4}-[0-9]{6})"`)

// TestEveryConsolePageRendersForEveryRole: with the demo data, every role signs in and opens
// its home, every list its to-do panel links to, the first case of each, the forms its menu
// offers and a page that does not exist — each answers a whole page in Chinese, never an
// error, and each home shows the user's own name.
func TestEveryConsolePageRendersForEveryRole(t *testing.T) {
	env := start(t, dataDir(t))
	defer env.Close()
	for _, user := range []string{"member", "party", "gov", "unit-natural-resources", "leader1", "efficiency", "admin"} {
		t.Run(user, func(t *testing.T) {
			p := newPerson(t, env.URL).signIn(user)
			home := p.page
			links := regexp.MustCompile(`<a href="(/cases\?[^"]*)"><span class="n">`).FindAllStringSubmatch(home, -1)
			if len(links) == 0 {
				t.Fatalf("%s's home has no to-do panel:\n%s", user, home)
			}
			paths := []string{"/cases"}
			for _, l := range links {
				paths = append(paths, strings.ReplaceAll(l[1], "&amp;", "&"))
			}
			for _, m := range regexp.MustCompile(`<nav[^>]*>(.*?)</nav>`).FindAllStringSubmatch(home, -1) {
				for _, a := range regexp.MustCompile(`href="([^"]+)"`).FindAllStringSubmatch(m[1], -1) {
					paths = append(paths, a[1])
				}
			}
			for _, path := range paths {
				p.open(path)
				if p.status != http.StatusOK || strings.Contains(p.page, "系统内部错误") {
					t.Fatalf("%s: %d\n%s", path, p.status, p.page)
				}
				if m := caseLink.FindStringSubmatch(p.page); m != nil {
					if p.open("/cases/" + m[1]); p.status != http.StatusOK {
						t.Fatalf("case %s: %d\n%s", m[1], p.status, p.page)
					}
					if e := regexp.MustCompile(`href="(/enterprises/[^"]+)"`).FindStringSubmatch(p.page); e != nil {
						if p.open(e[1]); p.status != http.StatusOK {
							t.Fatalf("%s: %d\n%s", e[1], p.status, p.page)
						}
					}
				}
			}
			if p.open("/no/such/page"); p.status != http.StatusNotFound {
				t.Errorf("a missing page: %d", p.status)
			}
			p.sees("未找到")
		})
	}
}

// TestACaseRunsItsWholeLifecycleThroughTheConsole: every role does its part with the
// console's forms alone — a leader logs a visit with a problem; the member department
// triages the case; the office refers it; the unit signs and completes it; the member
// department records the callback; the office closes it — and the efficiency office's
// figures count the completion. A unit opening a case not referred to it gets the 404 page;
// a form posted without its CSRF token changes nothing; a form posted twice acts once.
func TestACaseRunsItsWholeLifecycleThroughTheConsole(t *testing.T) {
	env := start(t, dataDir(t))
	defer env.Close()

	leader := newPerson(t, env.URL).signIn("leader1")
	leader.open("/visits/new")
	leader.submit("/visits", url.Values{"date": {time.Now().In(domain.Shanghai).Format("2006-01-02")}, "leaders": {"leader1"}, "enterprise_ids": {"ent-001"},
		"method": {"onsite"}, "p0_title": {"厂房扩建用地指标不足"}, "p0_description": {"扩建需新增用地"}, "p0_category": {"land"},
		"p0_list": {"problem"}})
	m := regexp.MustCompile(`<h1>(PT-[0-9]{4}-[0-9]{6}) 厂房扩建用地指标不足</h1>`).FindStringSubmatch(leader.page)
	if m == nil {
		t.Fatalf("after logging the visit:\n%s", leader.page)
	}
	id := m[1]
	act := func(p *person, action string, values url.Values, label string) {
		t.Helper()
		p.open("/cases/" + id)
		p.submit("/cases/"+id+"/act/"+action, values)
		if p.status != http.StatusOK || !strings.Contains(p.page, "已完成："+label) {
			t.Fatalf("%s: %d\n%s", action, p.status, p.page)
		}
	}

	member := newPerson(t, env.URL).signIn("member")
	member.open("/cases?status=triage")
	member.sees(id)
	member.open("/cases/" + id) // why the rules propose what they do
	member.sees("转办规则的理由", "<td>land</td>", "按规则建议转办")
	act(member, "triage", url.Values{"decision": {"refer"}}, "梳理")
	member.sees("待转办")

	// The lead office is the one the rules proposed.
	office := "gov"
	if strings.Contains(member.page, "<dt>牵头督查室</dt><dd>市委督查室") {
		office = "party"
	}
	sup := newPerson(t, env.URL).signIn(office)
	act(sup, "refer", url.Values{}, "转办")
	lead := regexp.MustCompile(`<dt>牵头单位</dt><dd>[^（<]*（([a-z-]+)）`).FindStringSubmatch(sup.page)
	if lead == nil {
		t.Fatalf("no lead unit:\n%s", sup.page)
	}

	// Another unit does not find the case; the lead unit signs (twice: once).
	other := newPerson(t, env.URL).signIn("unit-licheng")
	if lead[1] == "licheng" {
		other = newPerson(t, env.URL).signIn("unit-housing-construction")
	}
	if other.open("/cases/" + id); other.status != http.StatusNotFound {
		t.Fatalf("another unit opened the case: %d", other.status)
	}
	unit := newPerson(t, env.URL).signIn("unit-" + lead[1])
	unit.open("/")
	unit.sees("待签收")
	unit.open("/cases/" + id)
	signPage := unit.page
	unit.submit("/cases/"+id+"/act/sign", url.Values{})
	unit.sees("已完成：签收")
	unit.page = signPage // the same form, posted again (a browser's retry): it acts once
	unit.submit("/cases/"+id+"/act/sign", url.Values{})
	unit.sees("已完成：签收")

	// A form without its CSRF token changes nothing.
	res, err := unit.client.PostForm(env.URL+"/cases/"+id+"/act/complete", url.Values{"outcome": {"resolved"}, "report": {"已办结"}})
	if err != nil {
		t.Fatal(err)
	}
	unit.read(res)
	if unit.status != http.StatusForbidden {
		t.Fatalf("a form without its token: %d", unit.status)
	}
	// The unit attaches the approval from the case's page; an upload without the form's
	// token, or of a program, stores nothing; the member department downloads it.
	unit.open("/cases/" + id)
	unit.upload("/cases/"+id+"/files", "program.exe", anEXE, true)
	if unit.status != http.StatusUnsupportedMediaType || !strings.Contains(unit.page, "只接受 PDF") {
		t.Fatalf("an .exe through the console: %d\n%s", unit.status, unit.page)
	}
	unit.open("/cases/" + id)
	formPage := unit.page
	unit.upload("/cases/"+id+"/files", "无令牌.pdf", aPDF, false)
	if unit.status != http.StatusForbidden {
		t.Fatalf("an upload without its token: %d", unit.status)
	}
	unit.page = formPage
	unit.upload("/cases/"+id+"/files", "用地批复.pdf", aPDF, true)
	unit.sees("已上传附件：用地批复.pdf", ">用地批复.pdf</a>")
	unit.sees("<td>系统（自动）</td>") // the rules' proposal
	if strings.Contains(unit.page, `<a href=""></a>`) || strings.Contains(unit.page, "system（）") {
		t.Fatalf("an empty link or an unnamed actor on the timeline:\n%s", unit.page)
	}
	if strings.Contains(unit.page, "无令牌.pdf") || strings.Contains(unit.page, "program.exe") {
		t.Fatalf("a refused upload is listed:\n%s", unit.page)
	}
	link := regexp.MustCompile(`href="(/files/FL-[A-Z2-7]{26})">用地批复.pdf`).FindStringSubmatch(unit.page)
	if link == nil {
		t.Fatalf("no link to the file:\n%s", unit.page)
	}
	res, err = member.client.Get(env.URL + link[1])
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, aPDF) {
		t.Fatalf("the member department downloads the approval: %d", res.StatusCode)
	}
	act(unit, "complete", url.Values{"outcome": {"resolved"}, "report": {"已协调自然资源部门调剂用地指标"}}, "办结")
	act(member, "callback", url.Values{"solved": {"true"}, "satisfied": {"true"}, "note": {"企业满意"}}, "回访")
	// Closing asks for confirmation first.
	sup.open("/cases/" + id)
	sup.submit("/cases/"+id+"/act/close", url.Values{})
	if sup.status != http.StatusUnprocessableEntity || !strings.Contains(sup.page, "确认") {
		t.Fatalf("close without confirmation: %d", sup.status)
	}
	act(sup, "close", url.Values{"confirm": {"yes"}}, "销号")
	sup.sees("已销号")

	// The timeline, read through the API with the same session, has each step once.
	res, err = sup.client.Get(env.URL + "/api/v1/cases/" + id + "/timeline")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, typ := range []string{"triaged", "referred", "signed", "completed", "called_back", "closed"} {
		if n := strings.Count(string(b), `"type":"`+typ+`"`); n != 1 {
			t.Errorf("%d %s events", n, typ)
		}
	}
	// The unit appeals an item of its figures; the efficiency office decides it on the case's page.
	act(unit, "appeal", url.Values{"reason": {"用地指标需省级审批，超期非本单位原因"}, "items": {"overdue"}}, "申诉")
	eff := newPerson(t, env.URL).signIn("efficiency")
	eff.open("/cases/" + id)
	eff.sees("申诉裁决（第 1 号）", "时间线校验：完整")
	eff.submit("/cases/"+id+"/act/decide_appeal", url.Values{"appeal": {"1"}, "accept": {"true"}, "note": {"情况属实"}})
	eff.sees("已完成：申诉裁决")
	// A past month's figures are frozen on the audit page, once confirmed.
	now := time.Now().In(domain.Shanghai)
	lastMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, domain.Shanghai).AddDate(0, -1, 0).Format("2006-01")
	eff.open("/audit?period=" + lastMonth)
	eff.submit("/audit/freeze", url.Values{"period": {lastMonth}, "confirm": {"yes"}})
	eff.sees("已冻结")
	res, err = eff.client.Get(env.URL + "/api/v1/audit/units/" + lead[1] + ".html?period=" + now.Format("2006-01"))
	if err != nil {
		t.Fatal(err)
	}
	eff.read(res)
	if eff.status != http.StatusOK || !strings.Contains(eff.page, id) {
		t.Errorf("the unit's audit page (%d) does not name the case:\n%s", eff.status, eff.page)
	}
}

// TestTheAdministratorManagesUsersInTheConsole: the administrator adds a unit's user, who
// signs in and changes their own password; disabling the user ends their session at once
// and refuses their sign-in; a reset password works; every change is on the user's page. A
// user who is not the administrator finds no such pages, and the API answers them 403.
func TestTheAdministratorManagesUsersInTheConsole(t *testing.T) {
	env := start(t, dataDir(t))
	defer env.Close()
	admin := newPerson(t, env.URL).signIn("admin")
	admin.open("/admin/users")
	admin.submit("/admin/users", url.Values{"username": {"zhang-lc"}, "display_name": {"张三"}, "role": {"unit"},
		"unit": {"licheng"}, "password": {"short"}})
	if admin.status != http.StatusUnprocessableEntity || !strings.Contains(admin.page, "至少 8 个字符") {
		t.Fatalf("a short password: %d", admin.status)
	}
	admin.submit("/admin/users", url.Values{"username": {"zhang-lc"}, "display_name": {"张三"}, "role": {"unit"},
		"unit": {"licheng"}, "password": {"初始密码-2026"}})
	admin.sees("已新增用户", "zhang-lc")

	zhang := newPerson(t, env.URL)
	res, err := zhang.client.PostForm(env.URL+"/login", url.Values{"username": {"zhang-lc"}, "password": {"初始密码-2026"}})
	if err != nil {
		t.Fatal(err)
	}
	zhang.read(res)
	zhang.sees("待签收", "张三")
	zhang.open("/account/password")
	zhang.submit("/account/password", url.Values{"old_password": {"wrong-password"}, "new_password": {"新密码-abcdefg"},
		"confirm_password": {"新密码-abcdefg"}})
	zhang.sees("原密码不正确")
	zhang.submit("/account/password", url.Values{"old_password": {"初始密码-2026"}, "new_password": {"新密码-abcdefg"},
		"confirm_password": {"新密码-abcdefg"}})
	zhang.sees("密码已修改")
	if zhang.open("/admin/users"); zhang.status != http.StatusNotFound {
		t.Errorf("a unit's user opened the users' page: %d", zhang.status)
	}

	admin.open("/admin/users/zhang-lc")
	admin.submit("/admin/users/zhang-lc", url.Values{"display_name": {"张三"}, "role": {"unit"}, "unit": {"licheng"}, "disabled": {"true"}})
	admin.sees("已停用账号")
	if zhang.open("/"); !strings.Contains(zhang.page, `id="password"`) {
		t.Fatalf("a disabled user's session still opens pages:\n%s", zhang.page)
	}
	res, err = zhang.client.PostForm(env.URL+"/login", url.Values{"username": {"zhang-lc"}, "password": {"新密码-abcdefg"}})
	if err != nil {
		t.Fatal(err)
	}
	zhang.read(res)
	zhang.sees("账号已停用")

	admin.submit("/admin/users/zhang-lc", url.Values{"display_name": {"张三"}, "role": {"unit"}, "unit": {"licheng"}})
	admin.submit("/admin/users/zhang-lc/password", url.Values{"password": {"重置后的密码-1"}})
	admin.sees("已重置密码", "已启用账号", "本人修改了密码", "已新增用户")
	again := newPerson(t, env.URL)
	res, err = again.client.PostForm(env.URL+"/login", url.Values{"username": {"zhang-lc"}, "password": {"重置后的密码-1"}})
	if err != nil {
		t.Fatal(err)
	}
	again.read(res)
	again.sees("待办事项")

	// Through the API, the same operations are the administrator's alone.
	member := login(t, env.URL, "member")
	if r := member.do("PATCH", "/api/v1/users/zhang-lc", map[string]any{"disabled": true}, nil); r.Status != http.StatusForbidden {
		t.Errorf("the member department disabling a user: %d %s", r.Status, r.Raw)
	}
	adminAPI := login(t, env.URL, "admin")
	if r := adminAPI.do("PATCH", "/api/v1/users/admin", map[string]any{"disabled": true}, nil); r.Status != http.StatusConflict {
		t.Errorf("the administrator disabling their own account: %d %s", r.Status, r.Raw)
	}
	if r := adminAPI.do("GET", "/api/v1/users/zhang-lc/changes", nil, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Raw), "password_reset") {
		t.Errorf("the changes of a user: %d %s", r.Status, r.Raw)
	}
}

// TestALeaderSubmitsTheQuarterlyReportInTheConsole: a leader writes the quarter's report
// (调研报告) in the reports page; the quarter then lists their submission as on time.
func TestALeaderSubmitsTheQuarterlyReportInTheConsole(t *testing.T) {
	env := start(t, dataDir(t))
	defer env.Close()
	leader := newPerson(t, env.URL).signIn("leader1")
	leader.open("/reports")
	period := regexp.MustCompile(`<select id="period" name="period"><option value="([0-9]{4}-Q[1-4])">`).FindStringSubmatch(leader.page)
	if period == nil {
		t.Fatalf("no submission form:\n%s", leader.page)
	}
	leader.submit("/reports/submissions", url.Values{"period": {period[1]}, "narrative": {"本季度走访挂钩企业 12 家，收集问题 3 个。"}})
	leader.sees("季度调研报告已提交", period[1])
	if !regexp.MustCompile(`<td>1 / 0 / \d+</td>`).MatchString(leader.page) {
		t.Errorf("the quarter does not count the submission:\n%s", leader.page)
	}
	// A document for the submission, shown under the leader's text in the summary the
	// member department reads.
	leader.upload("/reports/submissions/files", "调研报告附件.docx", aDOCX(t), true, [2]string{"period", period[1]})
	leader.sees("已上传附件：调研报告附件.docx")
	member := newPerson(t, env.URL).signIn("member")
	res, err := member.client.Get(env.URL + "/api/v1/reports/quarterly/" + period[1] + "/summary.html")
	if err != nil {
		t.Fatal(err)
	}
	member.read(res)
	member.sees("本季度走访挂钩企业 12 家", ">调研报告附件.docx</a>")
	unit := newPerson(t, env.URL).signIn("unit-licheng")
	if unit.open("/reports"); unit.status != http.StatusNotFound {
		t.Errorf("a unit opened the reports: %d", unit.status)
	}
}

// TestAnAddressNoRecordCanHaveIsTheNotFoundPage: a case number with a NUL or invalid UTF-8,
// or a query value with a control character, answers the 404 page, not an error.
func TestAnAddressNoRecordCanHaveIsTheNotFoundPage(t *testing.T) {
	env := start(t, dataDir(t))
	defer env.Close()
	p := newPerson(t, env.URL).signIn("member")
	for _, path := range []string{"/cases/PT-2026-%00", "/cases/%ff%fe", "/cases?q=%01", "/enterprises/%00", "/admin/users/%00"} {
		if p.open(path); p.status != http.StatusNotFound || strings.Contains(p.page, "系统内部错误") {
			t.Errorf("%s: %d", path, p.status)
		}
	}
}

// TestRejectingACaseAsksForConfirmation: 不予受理 cannot be undone, so the triage form
// refuses it until it is confirmed; the case stays in triage meanwhile.
func TestRejectingACaseAsksForConfirmation(t *testing.T) {
	env := start(t, dataDir(t))
	defer env.Close()
	leader := newPerson(t, env.URL).signIn("leader1")
	leader.open("/visits/new")
	leader.submit("/visits", url.Values{"date": {time.Now().In(domain.Shanghai).Format("2006-01-02")}, "leaders": {"leader1"}, "enterprise_ids": {"ent-002"},
		"method": {"onsite"}, "p0_title": {"希望减免全部税款"}, "p0_description": {"企业希望减免全部税款"}, "p0_category": {"policy"}, "p0_list": {"problem"}})
	m := regexp.MustCompile(`<h1>(PT-[0-9]{4}-[0-9]{6}) 希望减免全部税款</h1>`).FindStringSubmatch(leader.page)
	if m == nil {
		t.Fatalf("after logging the visit:\n%s", leader.page)
	}
	member := newPerson(t, env.URL).signIn("member")
	member.open("/cases/" + m[1])
	reject := url.Values{"decision": {"reject"}, "reason": {"不属于办理范围"}}
	member.submit("/cases/"+m[1]+"/act/triage", reject)
	if member.status != http.StatusUnprocessableEntity || !strings.Contains(member.page, "<dt>状态</dt><dd>待梳理") {
		t.Fatalf("reject without confirmation: %d", member.status)
	}
	reject.Set("confirm", "yes")
	member.submit("/cases/"+m[1]+"/act/triage", reject)
	member.sees("已完成：梳理", "<dt>状态</dt><dd>已销号")
}

// TestTheMemberDepartmentKeepsPlansLinksAndCommonProblemsInTheConsole: what the member
// department keeps besides cases, in pages — an enterprise's plan (一企一策), saved once
// however often its form is sent; a leader's links against the minimums; a common problem
// made by ticking the cases to merge — and every refusal shown beside the input it is about.
func TestTheMemberDepartmentKeepsPlansLinksAndCommonProblemsInTheConsole(t *testing.T) {
	env := start(t, dataDir(t))
	defer env.Close()
	member := newPerson(t, env.URL).signIn("member")

	// A refusal beside its input: a visit's second problem with a category that does not exist.
	today := time.Now().In(domain.Shanghai).Format("2006-01-02")
	member.open("/visits/new")
	member.submit("/visits", url.Values{"date": {today}, "leaders": {"leader1"}, "enterprise_ids": {"ent-004"}, "method": {"onsite"},
		"p0_title": {"道路施工影响出入"}, "p0_description": {"门前道路施工三个月"}, "p0_category": {"land"}, "p0_list": {"problem"},
		"p2_title": {"第二个问题"}, "p2_description": {"说明"}, "p2_category": {"weather"}, "p2_list": {"problem"}})
	if member.status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad category: %d", member.status)
	}
	member.sees(`id="p2_category" name="p2_category" aria-invalid="true"`, "请按标出的提示修改后重新提交", `value="第二个问题"`)
	if !regexp.MustCompile(`id="p2_category"[^\n]*</select><span class="ferr">&#34;weather&#34; 无效`).MatchString(member.page) {
		t.Errorf("the category's refusal is not beside it:\n%s", member.page)
	}

	// The enterprises, found by name.
	member.open("/enterprises?q=" + url.QueryEscape("华兴"))
	member.sees(`<a href="/enterprises/ent-001">莆田市华兴鞋业有限公司</a>`, "共 1 家")
	if member.open("/enterprises?kind=nonsense"); member.status != http.StatusNotFound {
		t.Errorf("a member kind that does not exist: %d", member.status)
	}

	// The plan: saved as version 1; the same form sent again is refused and saves nothing.
	member.open("/enterprises/ent-001")
	planPage := member.page
	plan := url.Values{"base_version": {"0"}, "m0_title": {"协调二期用地报批"}, "m0_owner_unit": {"natural-resources"},
		"m0_due_date": {"2026-12-31"}, "m0_status": {"in_progress"}, "m0_note": {"每月调度"}, "m1_title": {""}}
	member.submit("/enterprises/ent-001/plan", plan)
	member.sees("一企一策已保存为新的版本", "协调二期用地报批", "推进中", "第 1 版")
	member.page = planPage
	member.submit("/enterprises/ent-001/plan", plan)
	if member.status != http.StatusConflict || !strings.Contains(member.page, "已被修改为第 1 版") {
		t.Fatalf("the plan's form sent twice: %d\n%s", member.status, member.page)
	}
	plan.Set("base_version", "1")
	plan.Set("m0_due_date", "明年")
	member.submit("/enterprises/ent-001/plan", plan)
	member.sees(`<span class="ferr">应为 YYYY-MM-DD (a date)</span>`)
	// A leader not linked to the enterprise reads the plan, without its form.
	leader2 := newPerson(t, env.URL).signIn("leader2")
	if leader2.open("/enterprises/ent-001"); strings.Contains(leader2.page, "保存一企一策") {
		t.Errorf("an unlinked leader is offered the plan's form")
	}

	// Links: every leader counted against the minimums; the member department sets them.
	member.open("/links")
	member.sees("挂钩联系", "/ 50", "/links/leader1?year=")
	year := time.Now().In(domain.Shanghai).Year()
	member.open("/links/leader2?year=" + strconv.Itoa(year))
	ids := regexp.MustCompile(`(?s)<textarea id="enterprise_ids" name="enterprise_ids" rows="12">(.*?)</textarea>`).FindStringSubmatch(member.page)
	if ids == nil {
		t.Fatalf("no links form:\n%s", member.page)
	}
	member.submit("/links/leader2", url.Values{"year": {strconv.Itoa(year)}, "enterprise_ids": {ids[1] + "\nno-such-enterprise"}})
	member.sees(`aria-invalid="true"`, `<span class="ferr">企业 &#34;no-such-enterprise&#34; 不存在`)
	member.submit("/links/leader2", url.Values{"year": {strconv.Itoa(year)}, "enterprise_ids": {strings.TrimSpace(ids[1] + "\nent-005")}})
	member.sees("挂钩企业已保存", "变更记录", "ent-005")
	leader2.open("/links")
	if leader2.sees("/links/leader2?year="); strings.Contains(leader2.page, "/links/leader1?") {
		t.Errorf("a leader sees another leader's links")
	}
	if leader2.open("/links/leader2"); strings.Contains(leader2.page, "保存挂钩企业") {
		t.Errorf("a leader is offered the links' form")
	}

	// A common problem: two enterprises raise the same problem; the member department ticks
	// the other case on the first one's page.
	api := login(t, env.URL, "member")
	first := api.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-004", "title": "电价偏高",
		"description": "园区电价高于周边", "category": "power", "list": "problem"}).str("id")
	second := api.must(http.StatusCreated, "POST", "/api/v1/cases", map[string]any{"enterprise_id": "ent-005", "title": "用电成本高",
		"description": "同一园区电价问题", "category": "power", "list": "problem"}).str("id")
	member.open("/cases/" + first)
	member.sees(`<input type="checkbox" name="child_ids" value="` + second + `"`)
	member.submit("/cases/"+first+"/act/merge", url.Values{"child_ids": {second, ""}, "note": {"同一园区电价问题"}})
	member.sees("已完成：并案")
	member.open("/cases/" + second)
	member.sees("已并案")
}
