package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// The leaders' links (挂钩联系): each leader's linked enterprises of the year against the
// notice's minimums (5 chambers, 10 vice-chairs, 20 out-of-town chambers, 50 standing
// committee members), and the member department's form that sets them — the API's
// service.Visits operations, which check the role.

// kindLine is one member kind's count against its minimum.
type kindLine struct {
	Kind, Label    string
	Count, Minimum int
}

func kindLines(counts map[string]int) []kindLine {
	var out []kindLine
	for _, k := range sortedKeys(domain.MemberKinds) {
		out = append(out, kindLine{Kind: k, Label: domain.MemberKinds[k], Count: counts[k], Minimum: domain.LinkMinimums[k]})
	}
	return out
}

// linksPage: GET /links?year= — every leader (a leader: themselves) with their links of the
// year counted by member kind against the minimums.
func (k *Console) linksPage(c *gin.Context) {
	year, ok := k.yearOf(c)
	if !ok {
		return
	}
	leaders, err := k.Service.Visits.Leaders(c.Request.Context(), currentUser(c), year)
	if err != nil {
		k.fail(c, err)
		return
	}
	type line struct {
		service.LeaderLine
		Kinds []kindLine
	}
	var lines []line
	for _, l := range leaders {
		lines = append(lines, line{l, kindLines(l.Counts)})
	}
	p := k.base(c, mustMsg("links"))
	p.Body = struct {
		Year  int
		Lines []line
		Kinds []kindLine
	}{year, lines, kindLines(nil)}
	k.render(c, http.StatusOK, "links.html", p)
}

// yearOf is the page's ?year= (this year when absent); a bad one answers the 404 page.
func (k *Console) yearOf(c *gin.Context) (int, bool) {
	year := k.Service.Year()
	if v := c.Query("year"); v != "" {
		y, err := strconv.Atoi(v)
		if err != nil || domain.CheckYear(y) != nil {
			k.NotFound(c)
			return 0, false
		}
		year = y
	}
	return year, true
}

// leaderLinksBody is one leader's links page.
type leaderLinksBody struct {
	service.LinksView
	DisplayName string
	Kinds       []kindLine
	Editor      bool   // the user may set the links
	IDs         string // the form's enterprise ids, one per line
	History     []linkChangeRow
}

type linkChangeRow struct{ At, By, Added, Removed string }

// leaderLinks: GET /links/{leader}?year= — a leader's links, counted, with their history;
// for the member department the form that sets them.
func (k *Console) leaderLinks(c *gin.Context) {
	year, ok := k.yearOf(c)
	if !ok {
		return
	}
	k.showLeaderLinks(c, http.StatusOK, year, noRefusal, nil)
}

func (k *Console) showLeaderLinks(c *gin.Context, status, year int, r refusal, typed *string) {
	ctx, u := c.Request.Context(), currentUser(c)
	v, err := k.Service.Visits.Links(ctx, u, c.Param("leader"), year)
	if err != nil {
		k.fail(c, err)
		return
	}
	h, err := k.Service.Visits.LinkHistory(ctx, u, v.Leader)
	if err != nil {
		k.fail(c, err)
		return
	}
	leaders, err := k.Service.Visits.Leaders(ctx, u, year)
	if err != nil {
		k.fail(c, err)
		return
	}
	b := leaderLinksBody{LinksView: v, Kinds: kindLines(v.Counts), Editor: may(u, service.RolesLinkEditor)}
	for _, l := range leaders {
		if l.Username == v.Leader {
			b.DisplayName = l.DisplayName
		}
	}
	ids := make([]string, len(v.Links))
	for i, l := range v.Links {
		ids[i] = l.EnterpriseID
	}
	b.IDs = strings.Join(ids, "\n")
	if typed != nil {
		b.IDs = *typed
	}
	for _, ch := range h.Items {
		if ch.Year == year {
			b.History = append(b.History, linkChangeRow{At: ch.ChangedAt.In(domain.Shanghai).Format("2006-01-02 15:04"), By: ch.ChangedBy,
				Added: strings.Join(ch.Added, "、"), Removed: strings.Join(ch.Removed, "、")})
		}
	}
	p := k.base(c, fmt.Sprintf("%s %d", mustMsg("links"), year))
	r.show(&p)
	p.Body = b
	if c.Query("done") == "links" {
		p.Flash = mustMsg("links.saved")
	}
	k.render(c, status, "leader_links.html", p)
}

// setLinks: POST /links/{leader} — the member department sets a leader's links of a year
// (every link, one enterprise id a line or separated by commas). Setting the same links
// twice changes nothing the second time.
func (k *Console) setLinks(c *gin.Context) {
	year, err := strconv.Atoi(c.PostForm("year"))
	if err != nil {
		k.fail(c, service.NewError(service.Invalid, "invalid_form", "表单格式错误 (malformed form)"))
		return
	}
	typed := c.PostForm("enterprise_ids")
	ids := []string{}
	for _, id := range strings.FieldsFunc(typed, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == '，' || r == '、' || r == ' ' || r == '\t'
	}) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if _, err := k.Service.Visits.SetLinks(c.Request.Context(), currentUser(c), c.Param("leader"),
		service.NewLinks{Year: year, EnterpriseIDs: ids}); err != nil {
		if e := service.Classify(err); e.Kind == service.Invalid {
			k.showLeaderLinks(c, http.StatusUnprocessableEntity, year, refused(e, inputs("enterprise_ids", "year")), &typed)
			return
		}
		k.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/links/"+url.PathEscape(c.Param("leader"))+"?"+url.Values{"year": {strconv.Itoa(year)}, "done": {"links"}}.Encode())
}

// enterprisesPage: GET /enterprises?q=&kind= — the enterprises (一企一档), by number, each
// linking to its file (where contacts are shown to who may read them, each read recorded:
// not in the list). q keeps the names that contain it, kind one member kind.
func (k *Console) enterprisesPage(c *gin.Context) {
	q, kind := strings.TrimSpace(c.Query("q")), c.Query("kind")
	if domain.TextProblem(q, true) != "" || kind != "" && domain.MemberKinds[kind] == "" {
		k.NotFound(c)
		return
	}
	all, err := k.Service.Visits.Enterprises(c.Request.Context(), currentUser(c))
	if err != nil {
		k.fail(c, err)
		return
	}
	list := all[:0]
	for _, e := range all {
		if (q == "" || strings.Contains(e.Name, q) || e.ID == q) && (kind == "" || e.MemberKind == kind) {
			list = append(list, e)
		}
	}
	slices.SortFunc(list, func(a, b domain.Enterprise) int { return strings.Compare(a.ID, b.ID) })
	p := k.base(c, mustMsg("enterprises"))
	p.Body = struct {
		Items   []domain.Enterprise
		Q, Kind string
		Kinds   []option
	}{list, q, kind, withUnset(domain.MemberKinds)}
	k.render(c, http.StatusOK, "enterprises.html", p)
}
