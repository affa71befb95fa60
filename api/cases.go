package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

type createCaseRequest struct {
	EnterpriseID string   `json:"enterprise_id"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Category     string   `json:"category"`
	List         string   `json:"list"`
	AmountCNY    *float64 `json:"amount_cny"`
	Sensitive    bool     `json:"sensitive"`
	VisitID      string   `json:"visit_id"`
}

func invalid(msg string) *Error {
	return newError(http.StatusUnprocessableEntity, "invalid_input", msg)
}

// createCase raises a case: it allocates the case number, starts the case's workflow and
// answers once the case is in the read model. With an Idempotency-Key header a retried
// request answers with the case the first one created.
func (s *Server) createCase(c *gin.Context) error {
	ctx := c.Request.Context()
	u := currentUser(c)
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	var req createCaseRequest
	if err := decodeStrict(raw, &req); err != nil {
		return err
	}
	cs := domain.Case{
		Title: strings.TrimSpace(req.Title), Description: strings.TrimSpace(req.Description),
		Category: req.Category, List: req.List, EnterpriseID: req.EnterpriseID, VisitID: req.VisitID,
		AmountCNY: req.AmountCNY, Sensitive: req.Sensitive,
	}
	if err := workflows.ValidateNewCase(cs); err != nil {
		return err
	}
	if req.EnterpriseID == "" {
		return invalid("enterprise_id: 必填 (required)")
	}
	if _, err := s.Store.GetEnterprise(ctx, req.EnterpriseID); err != nil {
		return referenced(err, "enterprise_id")
	}
	key, err := idempotencyKey(c)
	if err != nil {
		return err
	}
	year := s.Clock.Business(time.Now()).In(domain.Shanghai).Year()
	cs.ID, err = s.Store.AllocateCaseID(ctx, year, u.Username, key, raw)
	if err != nil {
		return err
	}
	created, err := s.startCase(ctx, cs, u.Actor())
	if err != nil {
		return err
	}
	return s.answerCase(c, http.StatusCreated, created)
}

// startCase starts a raised case's workflow, waits until the case is in the read model and
// answers it as written.
// One request starts the workflow and asks it to answer once the case is written
// (update-with-start: both are handled in the workflow's first task); a retried request
// finds the workflow the first one started and waits on it the same way.
func (s *Server) startCase(ctx context.Context, cs domain.Case, actor domain.Actor) (domain.Case, error) {
	ctx, cancel := context.WithTimeout(ctx, s.ActionTimeout)
	defer cancel()
	start := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.CaseWorkflowID(cs.ID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.CaseWorkflow, workflows.CaseInput{Case: cs, Actor: actor, Clock: s.Clock, Policy: s.Policy})
	h, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{WorkflowID: workflows.CaseWorkflowID(cs.ID), UpdateName: workflows.UpdateSync,
			Args: []any{workflows.SyncInput{}}, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	var created domain.Case
	if err == nil {
		err = h.Get(ctx, &created)
	}
	return created, err
}

// update runs an Update on a case's workflow and waits for its result.
func (s *Server) update(ctx context.Context, caseID, name, updateID string, arg any) (domain.Case, error) {
	h, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.CaseWorkflowID(caseID),
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return domain.Case{}, err
	}
	var out domain.Case
	err = h.Get(ctx, &out)
	return out, err
}

// visibleCase loads a case the user may see; any other is not found, so that its
// existence does not leak.
func (s *Server) visibleCase(c *gin.Context, id string) (domain.Case, error) {
	cs, err := s.Store.GetCase(c.Request.Context(), id)
	if err != nil {
		return domain.Case{}, err
	}
	if !workflows.CanSee(&cs, currentUser(c).Actor()) {
		return domain.Case{}, fmt.Errorf("case %s: %w", id, store.ErrNotFound)
	}
	return cs, nil
}

func (s *Server) respondCase(c *gin.Context, status int, id string) error {
	cs, err := s.visibleCase(c, id)
	if err != nil {
		return err
	}
	return s.answerCase(c, status, cs)
}

// answerCase answers a case as the user may read it, recording a read of its sensitive
// fields: one the read model gave, or the one a workflow's Update returned (the case as
// the action left it, written to the read model before the Update answered).
func (s *Server) answerCase(c *gin.Context, status int, cs domain.Case) error {
	u := currentUser(c)
	if !workflows.CanSee(&cs, u.Actor()) {
		return fmt.Errorf("case %s: %w", cs.ID, store.ErrNotFound)
	}
	if hasSensitive(&cs) && needsSensitive(&cs, u) {
		if err := s.Store.RecordSensitiveReads(c.Request.Context(), u.Username, cs.ID); err != nil {
			return err
		}
	}
	respond(c, status, viewCase(cs, u))
	return nil
}

func (s *Server) getCase(c *gin.Context) error { return s.respondCase(c, http.StatusOK, c.Param("id")) }

func (s *Server) listCases(c *gin.Context) error {
	u := currentUser(c)
	f := store.CaseFilter{
		Status: c.Query("status"), Category: c.Query("category"), Unit: c.Query("unit"),
		Office: c.Query("office"), EnterpriseID: c.Query("enterprise_id"), Query: strings.TrimSpace(c.Query("q")),
	}
	f.Card = c.Query("card")
	switch c.Query("overdue") {
	case "", "false":
	case "true":
		f.Overdue = true
	default:
		return newError(http.StatusBadRequest, "invalid_query", "overdue: 应为 true 或 false (must be true or false)")
	}
	for _, check := range []struct {
		name, v string
		allowed map[string]string
	}{{"status", f.Status, domain.StatusLabels}, {"category", f.Category, domain.Categories},
		{"office", f.Office, domain.Offices}, {"card", f.Card, domain.CardLabels}} {
		if _, ok := check.allowed[check.v]; check.v != "" && !ok {
			return newError(http.StatusBadRequest, "invalid_query", fmt.Sprintf("%s: %q 无效 (unknown value)", check.name, check.v))
		}
	}
	var err error
	if f.Page, err = intParam(c, "page", 1, 1, 1_000_000); err != nil {
		return err
	}
	if f.PageSize, err = intParam(c, "page_size", 20, 1, 100); err != nil {
		return err
	}
	if v := c.Query("cursor"); v != "" {
		if c.Query("page") != "" {
			return newError(http.StatusBadRequest, "invalid_query", "cursor 与 page 不能同时使用 (use either cursor or page)")
		}
		if f.After, err = parseCursor(v); err != nil {
			return err
		}
	}
	switch u.Role {
	case domain.RoleUnit:
		f.VisibleToUnit = u.Unit
		f.SearchSensitive = true // only cases referred to the unit: it handles them all
	case domain.RoleLeader:
		f.CreatedBy = u.Username
		f.SearchSensitive = true // only the leader's own cases
	case domain.RoleMemberDept:
		f.SearchSensitive = true
	case domain.RoleSupervision:
		f.SearchSensitiveOffice = u.Unit
	}
	buf := listBuffers.Get().(*listBuffer)
	defer listBuffers.Put(buf) // after the answer is written
	f.Into = buf.cases
	page, err := s.Store.ListCases(c.Request.Context(), f)
	if err != nil {
		return err
	}
	buf.cases = page.Items
	views := slices.Grow(buf.views[:0], len(page.Items))[:len(page.Items)]
	if views == nil {
		views = []caseView{} // an empty page answers "items": [], not null
	}
	buf.views = views
	var read []string
	for i := range page.Items {
		cs := &page.Items[i]
		if hasSensitive(cs) && needsSensitive(cs, u) {
			read = append(read, cs.ID)
		}
		fillCaseView(&views[i], cs, u)
	}
	if err := s.Store.RecordSensitiveReads(c.Request.Context(), u.Username, read...); err != nil {
		return err
	}
	out := casePageView{Items: views, Total: page.Total, TotalEstimated: page.TotalEstimated,
		Page: f.Page, PageSize: f.PageSize}
	if page.Next != nil {
		out.NextCursor = formatCursor(*page.Next)
	}
	respond(c, http.StatusOK, &out)
	return nil
}

// casePageView is a page of a list as the API answers it (the fields in the order a map
// of them was written before: by name).
type casePageView struct {
	Items          []caseView `json:"items"`
	NextCursor     string     `json:"next_cursor,omitempty"`
	Page           int        `json:"page"`
	PageSize       int        `json:"page_size"`
	Total          int        `json:"total"`
	TotalEstimated bool       `json:"total_estimated"`
}

// listBuffers keep a page of cases and of their views between lists: a page is some forty
// kilobytes of structures, which the garbage collector — on the cores the API shares with
// PostgreSQL — would otherwise clear after every list.
var listBuffers = sync.Pool{New: func() any { return new(listBuffer) }}

type listBuffer struct {
	cases []domain.Case
	views []caseView
}

// A cursor is the position after a page's last case: its creation time and id, in
// URL-safe base64 so that it passes unescaped in a query string. It reveals nothing the
// page did not show.
func formatCursor(k store.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(k.CreatedAt.UTC().Format(time.RFC3339Nano) + " " + k.ID))
}

func parseCursor(v string) (*store.Cursor, error) {
	bad := newError(http.StatusBadRequest, "invalid_query", "cursor: 无效，请使用上一页返回的 next_cursor (use the next_cursor of the previous page)")
	if len(v) > 200 {
		return nil, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil, bad
	}
	at, id, ok := strings.Cut(string(raw), " ")
	if !ok || id == "" || domain.TextProblem(id, true) != "" {
		return nil, bad
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return nil, bad
	}
	return &store.Cursor{CreatedAt: t, ID: id}, nil
}

func intParam(c *gin.Context, name string, def, lo, hi int) (int, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, newError(http.StatusBadRequest, "invalid_query", fmt.Sprintf("%s: 应为 %d 到 %d 之间的整数 (must be an integer from %d to %d)", name, lo, hi, lo, hi))
	}
	return n, nil
}

func (s *Server) timeline(c *gin.Context) error {
	cs, err := s.visibleCase(c, c.Param("id"))
	if err != nil {
		return err
	}
	events, err := s.Store.Timeline(c.Request.Context(), cs.ID)
	if err != nil {
		return err
	}
	u := currentUser(c)
	out, readSensitive := viewTimeline(&cs, events, u)
	if readSensitive {
		if err := s.Store.RecordSensitiveReads(c.Request.Context(), u.Username, cs.ID); err != nil {
			return err
		}
	}
	respond(c, http.StatusOK, gin.H{"case_id": cs.ID, "events": out})
	return nil
}

// sensitiveReads is the audit of who read a case's sensitive fields (efficiency office, admin).
func (s *Server) sensitiveReads(c *gin.Context) error {
	cs, err := s.visibleCase(c, c.Param("id"))
	if err != nil {
		return err
	}
	reads, err := s.Store.SensitiveReads(c.Request.Context(), cs.ID)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"case_id": cs.ID, "reads": reads})
	return nil
}
