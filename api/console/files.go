package console

import (
	"crypto/hmac"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/api/upload"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Files in the console: a case's page lists its files and, for those who may attach one,
// an upload form; GET /files/{id} downloads one (the API's service.Files, the same checks).

// readUpload reads an upload form (upload.Read, the API's reading) and checks its CSRF
// token, a field of the form like every form's (refused: the error page, 403, nothing
// stored). ok is false when the answer has been written.
func (k *Console) readUpload(c *gin.Context) (service.Upload, map[string]string, bool) {
	up, fields, err := upload.Read(c.Writer, c.Request)
	want := csrfToken(SessionToken(c.Request))
	if err == nil && (want == "" || !hmac.Equal([]byte(fields["_csrf"]), []byte(want))) {
		p := k.base(c, mustMsg("error.title"))
		p.Error = mustMsg("csrf")
		k.render(c, http.StatusForbidden, "error.html", p)
		return service.Upload{}, nil, false
	}
	if err != nil {
		k.fail(c, err)
		return service.Upload{}, nil, false
	}
	return up, fields, true
}

// addCaseFile: POST /cases/{id}/files — the case page's upload form. Refused, the case's
// page says why above the case; done, it says which file was attached.
func (k *Console) addCaseFile(c *gin.Context) {
	up, _, ok := k.readUpload(c)
	if !ok {
		return
	}
	f, _, err := k.Service.Files.AddToCase(c.Request.Context(), currentUser(c), c.Param("id"), up)
	if err != nil {
		e := service.Classify(err)
		if e.Kind == service.NotFound || e.Kind == service.Internal || e.Kind == service.Unavailable {
			k.fail(c, err)
			return
		}
		k.showCase(c, statusOf(e), e.Message, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, "/cases/"+url.PathEscape(c.Param("id"))+"?attached="+url.QueryEscape(f.Name)+"#files")
}

// addSubmissionFile: POST /reports/submissions/files — a leader's document for their
// quarterly submission (the API's POST /reports/quarterly/{period}/submissions/{leader}/files).
func (k *Console) addSubmissionFile(c *gin.Context) {
	up, fields, ok := k.readUpload(c)
	if !ok {
		return
	}
	u := currentUser(c)
	q, err := domain.ParseQuarter(fields["period"])
	if err != nil {
		k.showReports(c, http.StatusUnprocessableEntity, refusal{Text: "季度格式错误，应如 2026-Q4 (period: like 2026-Q4)"}, "")
		return
	}
	f, _, err := k.Service.Files.AddToSubmission(c.Request.Context(), u, q, u.Username, up)
	if err != nil {
		e := service.Classify(err)
		if e.Kind == service.Internal || e.Kind == service.Unavailable {
			k.fail(c, err)
			return
		}
		k.showReports(c, statusOf(e), refusal{Text: e.Message}, "")
		return
	}
	c.Redirect(http.StatusSeeOther, "/reports?attached="+url.QueryEscape(f.Name))
}

// visitPage: GET /visits/{id} — a visit, its cases and its files, with the upload form for
// the member department and the leaders who took part.
func (k *Console) visitPage(c *gin.Context) { k.showVisit(c, http.StatusOK, "") }

func (k *Console) showVisit(c *gin.Context, status int, refusedWith string) {
	u := currentUser(c)
	v, err := k.Service.Visits.Get(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		k.fail(c, err)
		return
	}
	p := k.base(c, v.ID+" 走访记录")
	p.Error = refusedWith
	if name := c.Query("attached"); name != "" {
		p.Flash, _ = msg("file.attached", name)
	}
	p.Body = struct {
		Visit     service.VisitView
		MayAttach bool
	}{v, service.MayAttachToVisit(u, v.Visit)}
	k.render(c, status, "visit_page.html", p)
}

// addVisitFile: POST /visits/{id}/files — the visit page's upload form.
func (k *Console) addVisitFile(c *gin.Context) {
	up, _, ok := k.readUpload(c)
	if !ok {
		return
	}
	f, _, err := k.Service.Files.AddToVisit(c.Request.Context(), currentUser(c), c.Param("id"), up)
	if err != nil {
		e := service.Classify(err)
		if e.Kind == service.NotFound || e.Kind == service.Internal || e.Kind == service.Unavailable {
			k.fail(c, err)
			return
		}
		k.showVisit(c, statusOf(e), e.Message)
		return
	}
	c.Redirect(http.StatusSeeOther, "/visits/"+url.PathEscape(c.Param("id"))+"?attached="+url.QueryEscape(f.Name)+"#files")
}

// download: GET /files/{id}.
func (k *Console) download(c *gin.Context) {
	f, data, err := k.Service.Files.Get(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		k.fail(c, err)
		return
	}
	upload.Write(c.Writer, f, data)
}

// statusOf is the HTTP status of a refusal shown on a page (the API's, for a form).
func statusOf(e *service.Error) int {
	switch e.Kind {
	case service.Forbidden:
		return http.StatusForbidden
	case service.Conflict:
		return http.StatusConflict
	case service.TooLarge:
		return http.StatusRequestEntityTooLarge
	case service.Unsupported:
		return http.StatusUnsupportedMediaType
	case service.BadRequest:
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}
