package api

import (
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
)

// The visits' endpoints (service.Visits): visits, leaders' links and coverage, the ledger,
// enterprises with their files and plans, and the units.

// createVisit logs a visit; each problem heard becomes a case (service.Visits.Create).
func (s *Server) createVisit(c *gin.Context) error {
	var req service.NewVisit
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	req.Key = idempotencyKey(c)
	v, err := s.Service.Visits.Create(c.Request.Context(), currentUser(c), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, v)
	return nil
}

func (s *Server) getVisit(c *gin.Context) error {
	v, err := s.Service.Visits.Get(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, v)
	return nil
}

func (s *Server) listVisits(c *gin.Context) error {
	q := service.VisitQuery{Leader: c.Query("leader"), EnterpriseID: c.Query("enterprise_id"), From: c.Query("from"), To: c.Query("to")}
	var err error
	if q.Page, err = intParam(c, "page", 1, 1, 1_000_000); err != nil {
		return err
	}
	if q.PageSize, err = intParam(c, "page_size", 20, 1, 100); err != nil {
		return err
	}
	page, err := s.Service.Visits.List(c.Request.Context(), currentUser(c), q)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, page)
	return nil
}

func (s *Server) listLeaders(c *gin.Context) error {
	year, err := s.queryYear(c)
	if err != nil {
		return err
	}
	items, err := s.Service.Visits.Leaders(c.Request.Context(), currentUser(c), year)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": items})
	return nil
}

func (s *Server) leaderLinks(c *gin.Context) error {
	year, err := s.queryYear(c)
	if err != nil {
		return err
	}
	v, err := s.Service.Visits.Links(c.Request.Context(), currentUser(c), c.Param("username"), year)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, v)
	return nil
}

func (s *Server) setLeaderLinks(c *gin.Context) error {
	var req service.NewLinks
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	v, err := s.Service.Visits.SetLinks(c.Request.Context(), currentUser(c), c.Param("username"), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, v)
	return nil
}

func (s *Server) leaderLinkHistory(c *gin.Context) error {
	h, err := s.Service.Visits.LinkHistory(c.Request.Context(), currentUser(c), c.Param("username"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, h)
	return nil
}

// coverage: GET /coverage?year=&quarter= — how many of their linked enterprises each
// leader visited.
func (s *Server) coverage(c *gin.Context) error {
	p, err := s.queryYearOrQuarter(c)
	if err != nil {
		return err
	}
	out, err := s.Service.Visits.Coverage(c.Request.Context(), currentUser(c), p)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, out)
	return nil
}

// ledger is the work ledger (工作台账) of a period: JSON, or (format=xlsx, or an Accept
// naming XLSX) a workbook with Chinese headers.
func (s *Server) ledger(c *gin.Context) error {
	p, err := s.queryYearOrQuarter(c)
	if err != nil {
		return err
	}
	if f := c.Query("format"); f != "" && f != "xlsx" && f != "json" {
		return newError(http.StatusBadRequest, "invalid_query", "format: 应为 json 或 xlsx (json or xlsx)")
	}
	asWorkbook := c.Query("format") == "xlsx" || strings.Contains(c.GetHeader("Accept"), service.XLSXType)
	ctx, u := c.Request.Context(), currentUser(c)
	if asWorkbook {
		wb, err := s.Service.Visits.LedgerWorkbook(ctx, u, p, c.Query("leader"))
		if err != nil {
			return err
		}
		return writeWorkbook(c, wb)
	}
	l, err := s.Service.Visits.Ledger(ctx, u, p, c.Query("leader"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, l)
	return nil
}

// writeWorkbook answers a workbook as an XLSX download. Its headers go out with its first
// byte: a workbook whose rows fail while being read (a streamed sheet) answers the error
// instead.
func writeWorkbook(c *gin.Context, wb service.Workbook) error {
	return wb.Write(&firstWrite{w: c.Writer, before: func() {
		c.Header("Content-Disposition", "attachment; filename=\""+wb.ASCIIName+".xlsx\"; filename*=UTF-8''"+url.PathEscape(wb.Name+".xlsx"))
		c.Header("Content-Type", service.XLSXType)
		c.Status(http.StatusOK)
	}})
}

// firstWrite calls before once, just before the first write to w.
type firstWrite struct {
	w      io.Writer
	before func()
}

func (f *firstWrite) Write(b []byte) (int, error) {
	if f.before != nil {
		f.before()
		f.before = nil
	}
	return f.w.Write(b)
}

// enterpriseFile is the enterprise file (一企一档) as the user may read it.
func (s *Server) enterpriseFile(c *gin.Context) error {
	f, err := s.Service.Visits.File(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, f)
	return nil
}

// savePlan stores a new version of an enterprise's plan (一企一策).
func (s *Server) savePlan(c *gin.Context) error {
	var req service.NewPlan
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	plan, err := s.Service.Visits.SavePlan(c.Request.Context(), currentUser(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, plan)
	return nil
}

func (s *Server) listUnits(c *gin.Context) error {
	units, err := s.Service.Visits.Units(c.Request.Context())
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": units})
	return nil
}

func (s *Server) listEnterprises(c *gin.Context) error {
	list, err := s.Service.Visits.Enterprises(c.Request.Context(), currentUser(c))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": list})
	return nil
}

func (s *Server) createEnterprise(c *gin.Context) error {
	var req service.NewEnterprise
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	e, err := s.Service.Visits.CreateEnterprise(c.Request.Context(), currentUser(c), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, e)
	return nil
}

// updateEnterprise: PUT /enterprises/{id} — the whole enterprise, over the version read.
func (s *Server) updateEnterprise(c *gin.Context) error {
	var req service.EnterpriseEdit
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	e, err := s.Service.Visits.UpdateEnterprise(c.Request.Context(), currentUser(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, e)
	return nil
}

// enterpriseHistory: GET /enterprises/{id}/history — every edit, newest first.
func (s *Server) enterpriseHistory(c *gin.Context) error {
	list, err := s.Service.Visits.EnterpriseHistory(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"enterprise_id": c.Param("id"), "items": list})
	return nil
}

// importEnterprises imports enterprises from a CSV or XLSX file (the body): every row is
// checked first, and a file with any bad row imports nothing (422 naming each bad row).
func (s *Server) importEnterprises(c *gin.Context) error {
	dryRun, err := boolParam(c, "dry_run")
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, service.MaxImportBody))
	if err != nil {
		return newError(http.StatusRequestEntityTooLarge, "body_too_large", "文件过大，最多 20 MB (the file is larger than 20 MB)")
	}
	res, err := s.Service.Visits.ImportEnterprises(c.Request.Context(), currentUser(c), service.ImportFile{
		ContentType: c.GetHeader("Content-Type"), Data: raw, DryRun: dryRun})
	if len(res.Rejected) > 0 {
		e := mapError(err)
		respond(c, e.Status, gin.H{"error": gin.H{"code": e.Code, "message": e.Message},
			"imported": 0, "updated": 0, "rejected": res.Rejected})
		return nil
	}
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, res)
	return nil
}
