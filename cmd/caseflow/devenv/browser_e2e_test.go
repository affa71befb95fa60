package devenv_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium is the browser the console's browser test drives (Debian's chromium; .ci/run
// installs it, with a Chinese font, when it is missing). Without one the test is skipped,
// unless CASEFLOW_BROWSER=required (as in .ci/run), when it fails.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CASEFLOW_BROWSER") == "required" {
		t.Fatal("no chromium on PATH: apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei")
	}
	t.Skip("no chromium on PATH (CASEFLOW_BROWSER=required makes this a failure)")
	return ""
}

// browserUser is one person at their own browser (a browser process of its own: its own
// cookies), 1366×768 like an office's screen.
type browserUser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func openBrowser(t *testing.T, path, base string) *browserUser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(1366, 768), chromedp.Flag("lang", "zh-CN"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return &browserUser{t: t, ctx: ctx, base: base}
}

func (b *browserUser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browserUser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// signIn types the username and password into the sign-in page and presses 登录.
func (b *browserUser) signIn(username string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), username), chromedp.SendKeys(chromedp.CSS("#password"), "demo"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".todo")))
}

// screenshot keeps the page as it looks now under the test's artifacts (go test -artifacts).
func (b *browserUser) screenshot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	dir := b.t.ArtifactDir()
	if d := os.Getenv("CASEFLOW_SCREENSHOTS"); d != "" {
		dir = d
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// act opens the case and, in the action's form, chooses and types what is given, then
// presses the form's button; it waits for the page that says the action was done.
func (b *browserUser) act(id, action string, choose, typeIn map[string]string, label string) {
	b.t.Helper()
	form := `form[action="/cases/` + id + `/act/` + action + `"] `
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(b.base + "/cases/" + id), chromedp.WaitVisible(chromedp.CSS(form + "button"))}
	for name, v := range choose {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(form+`select[name="`+name+`"]`), v))
	}
	for name, v := range typeIn {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS(form+`[name="`+name+`"]`), v))
	}
	if action == "close" {
		steps = append(steps, chromedp.Click(chromedp.CSS(form+`input[name="confirm"]`)))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(form+"button")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	b.do(steps...)
	if got := b.text(".flash"); !strings.Contains(got, label) {
		b.t.Fatalf("%s: the page says %q", action, got)
	}
}

// TestEachRoleDoesItsWorkInARealBrowser: in Chromium, by clicking and typing only, a leader
// logs a visit with a problem; the member department triages the case from its inbox; the
// office refers it; the unit signs and completes it; the member department records the
// callback; the office closes it; the efficiency office sees the case behind the unit's
// figures. A unit typing another unit's case address gets the 404 page. Every role's home
// and the triage inbox are kept as screenshots.
func TestEachRoleDoesItsWorkInARealBrowser(t *testing.T) {
	path := chromium(t)
	env := start(t, dataDir(t))
	defer env.Close()

	leader := openBrowser(t, path, env.URL)
	leader.signIn("leader1")
	leader.screenshot("home-leader")
	leader.do(chromedp.Click(chromedp.CSS(`nav a[href="/visits/new"]`)), chromedp.WaitVisible(chromedp.CSS("#p0_title")),
		chromedp.SetValue(chromedp.CSS("#enterprise_ids"), "ent-001"),
		chromedp.SetValue(chromedp.CSS("#method"), "onsite"),
		chromedp.SendKeys(chromedp.CSS("#p0_title"), "厂房扩建用地指标不足"),
		chromedp.SendKeys(chromedp.CSS("#p0_description"), "扩建需新增用地约二十亩"),
		chromedp.SetValue(chromedp.CSS("#p0_category"), "land"),
		chromedp.SetValue(chromedp.CSS("#p0_list"), "problem"),
		chromedp.Click(chromedp.CSS(`form[action="/visits"] button`)), chromedp.WaitVisible(chromedp.CSS("dl.fields")))
	m := regexp.MustCompile(`^(PT-\d{4}-\d{6}) 厂房扩建用地指标不足$`).FindStringSubmatch(leader.text("h1"))
	if m == nil {
		t.Fatalf("after logging the visit the page is %q", leader.text("h1"))
	}
	id := m[1]
	// On a phone (390×844, touch): the home, the case and the list fit the screen's width —
	// nothing to scroll sideways but inside a wide table.
	phone := openBrowser(t, path, env.URL)
	phone.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	phone.signIn("leader1")
	phone.screenshot("home-leader-phone")
	for _, page := range []string{"/cases/" + id, "/cases", "/coverage"} {
		phone.do(chromedp.Navigate(env.URL+page), chromedp.WaitVisible(chromedp.CSS("h1")))
		wide, err := chromedp.Run(phone.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if wide {
			phone.screenshot("too-wide-phone")
			t.Errorf("%s is wider than a phone's screen", page)
		}
	}
	phone.do(chromedp.Navigate(env.URL+"/cases/"+id), chromedp.WaitVisible(chromedp.CSS("h1")))
	phone.screenshot("case-phone")

	member := openBrowser(t, path, env.URL)
	member.signIn("member")
	member.screenshot("home-member")
	member.do(chromedp.Click(chromedp.CSS(`.todo a[href="/cases?status=triage"]`)), chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/`+id+`"]`)))
	member.screenshot("triage-inbox")
	member.do(chromedp.Click(chromedp.CSS(`a[href="/cases/`+id+`"]`)), chromedp.WaitVisible(chromedp.CSS("dl.fields")))
	member.act(id, "triage", map[string]string{"decision": "refer"}, nil, "梳理")
	office := "gov"
	if strings.Contains(member.text("dl.fields"), "市委督查室") {
		office = "party"
	}

	sup := openBrowser(t, path, env.URL)
	sup.signIn(office)
	sup.screenshot("home-supervision")
	sup.act(id, "refer", nil, map[string]string{"instructions": "请尽快协调用地指标"}, "转办")
	lead := regexp.MustCompile(`牵头单位\s*[^（\n]*（([a-z-]+)）`).FindStringSubmatch(sup.text("dl.fields"))
	if lead == nil {
		t.Fatalf("no lead unit in %q", sup.text("dl.fields"))
	}

	unit := openBrowser(t, path, env.URL)
	unit.signIn("unit-" + lead[1])
	unit.screenshot("home-unit")
	unit.act(id, "sign", nil, nil, "签收")
	unit.act(id, "complete", map[string]string{"outcome": "resolved"}, map[string]string{"report": "已调剂用地指标"}, "办结")

	member.act(id, "callback", map[string]string{"solved": "true", "satisfied": "true"}, map[string]string{"note": "企业满意"}, "回访")
	sup.act(id, "close", nil, map[string]string{"note": "同意销号"}, "销号")
	if got := sup.text("dl.fields"); !strings.Contains(got, "已销号") {
		t.Errorf("the closed case reads %q", got)
	}

	other := "unit-licheng"
	if lead[1] == "licheng" {
		other = "unit-housing-construction"
	}
	stranger := openBrowser(t, path, env.URL)
	stranger.signIn(other)
	stranger.do(chromedp.Navigate(env.URL + "/cases/" + id))
	if got := stranger.text("h1"); got != "未找到" {
		t.Errorf("another unit opening the case sees %q", got)
	}

	eff := openBrowser(t, path, env.URL)
	eff.signIn("efficiency")
	eff.screenshot("home-efficiency")
	eff.do(chromedp.Navigate(env.URL + "/api/v1/audit/units/" + lead[1] + ".html?period=" + time.Now().Format("2006-01")))
	if got := eff.text("body"); !strings.Contains(got, id) {
		t.Errorf("the unit's audit page does not name the case %s:\n%s", id, got)
	}
}
