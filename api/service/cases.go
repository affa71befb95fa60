package service

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Cases are the operations on cases: raise one, read it, list them, act on one, and read
// its timeline, notifications and sensitive reads; the supervision notices; the routing
// rules (rules.go).
type Cases struct{ *deps }

// NewCase is a case as a person raises it (POST /cases).
type NewCase struct {
	EnterpriseID string   `json:"enterprise_id"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Category     string   `json:"category"`
	List         string   `json:"list"`
	AmountCNY    *float64 `json:"amount_cny"`
	Sensitive    bool     `json:"sensitive"`
	VisitID      string   `json:"visit_id"`
	// InstructionID raises the case from a city leader's instruction on a quarterly report
	// (批示; the member department): the case's source is then "instruction", and the
	// report lists the case under the instruction.
	InstructionID string `json:"instruction_id"`
	// Key is the idempotency key ("" for none) and Request the request as sent: the same
	// key with the same request answers the case the first one raised.
	Key     string `json:"-"`
	Request []byte `json:"-"`
}

// Create raises a case: it allocates the case number, starts the case's workflow and
// answers once the case is in the read model.
func (s Cases) Create(ctx context.Context, u domain.User, req NewCase) (CaseView, error) {
	if err := require(u, RolesRaisers...); err != nil {
		return CaseView{}, err
	}
	cs := domain.Case{
		Title: strings.TrimSpace(req.Title), Description: strings.TrimSpace(req.Description),
		Category: req.Category, List: req.List, EnterpriseID: req.EnterpriseID, VisitID: req.VisitID,
		InstructionID: req.InstructionID, AmountCNY: req.AmountCNY, Sensitive: req.Sensitive,
	}
	if err := workflows.ValidateNewCase(cs); err != nil {
		return CaseView{}, err
	}
	if req.InstructionID != "" {
		if err := require(u, RolesInstructionEditors...); err != nil {
			return CaseView{}, err
		}
		if _, err := s.Store.GetInstruction(ctx, req.InstructionID); err != nil {
			return CaseView{}, referenced(err, "instruction_id")
		}
	}
	if req.EnterpriseID == "" {
		return CaseView{}, invalid("enterprise_id: 必填 (required)")
	}
	if _, err := s.Store.GetEnterprise(ctx, req.EnterpriseID); err != nil {
		return CaseView{}, referenced(err, "enterprise_id")
	}
	if err := CheckIdempotencyKey(req.Key); err != nil {
		return CaseView{}, err
	}
	var err error
	cs.ID, err = s.Store.AllocateCaseID(ctx, s.Year(), u.Username, req.Key, req.Request)
	if err != nil {
		return CaseView{}, err
	}
	created, err := s.startCase(ctx, cs, u.Actor())
	if err != nil {
		return CaseView{}, err
	}
	return s.view(ctx, u, created)
}

// startCase starts a raised case's workflow, waits until the case is in the read model and
// answers it as written.
// One request starts the workflow and asks it to answer once the case is written
// (update-with-start: both are handled in the workflow's first task); a retried request
// finds the workflow the first one started and waits on it the same way.
func (s Cases) startCase(ctx context.Context, cs domain.Case, actor domain.Actor) (domain.Case, error) {
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
func (s Cases) update(ctx context.Context, caseID, name, updateID string, arg any) (domain.Case, error) {
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

// seenCase is a case the user may see, and whether they follow it (sees): asked once, where
// a page reads the case, its timeline and its files.
type seenCase struct {
	domain.Case
	follows bool
}

// visibleCase loads a case the user may see; any other is not found, so that its
// existence does not leak.
func (d *deps) visibleCase(ctx context.Context, u domain.User, id string) (seenCase, error) {
	cs, err := d.Store.GetCase(ctx, id)
	if err != nil {
		return seenCase{}, err
	}
	ok, follows, err := d.sees(ctx, u, &cs)
	if err != nil || !ok {
		return seenCase{}, cmp.Or(err, fmt.Errorf("case %s: %w", id, store.ErrNotFound))
	}
	return seenCase{Case: cs, follows: follows}, nil
}

// sees reports whether the user may see the case: as workflows.CanSee says, and a leader
// also every case they follow (store.Follows: from a visit they took part in, whoever
// logged it, or a common problem a case of theirs was merged into). follows is whether
// the user, a leader, follows the case: they read it as the leader who raised it does.
func (d *deps) sees(ctx context.Context, u domain.User, cs *domain.Case) (sees, follows bool, err error) {
	if workflows.CanSee(cs, u.Actor()) {
		return true, u.Role == domain.RoleLeader, nil
	}
	if u.Role != domain.RoleLeader {
		return false, false, nil
	}
	follows, err = d.Store.Follows(ctx, u.Username, cs.ID)
	return follows, follows, err
}

// view is a case as the user may read it, recording a read of its sensitive fields: the one
// a workflow's Update returned (the case as the action left it, written to the read model
// before the Update answered), or one just raised; any other is not found.
func (d *deps) view(ctx context.Context, u domain.User, cs domain.Case) (CaseView, error) {
	ok, follows, err := d.sees(ctx, u, &cs)
	if err != nil || !ok {
		return CaseView{}, cmp.Or(err, fmt.Errorf("case %s: %w", cs.ID, store.ErrNotFound))
	}
	return d.viewSeen(ctx, u, seenCase{Case: cs, follows: follows})
}

// viewSeen is a case the user may see as they may read it, recording a read of its
// sensitive fields.
func (d *deps) viewSeen(ctx context.Context, u domain.User, cs seenCase) (CaseView, error) {
	var reads store.Reads
	v := shown(u, &cs, &reads)
	if err := d.Store.RecordReads(ctx, u.Username, reads); err != nil {
		return CaseView{}, err
	}
	return v, nil
}

// shown is a case the user may see as they may read it; a read of its sensitive fields is
// added to reads, which the caller records before answering.
func shown(u domain.User, cs *seenCase, reads *store.Reads) CaseView {
	if hasSensitive(&cs.Case) && needsSensitive(&cs.Case, u, cs.follows) {
		reads.Case(cs.ID)
	}
	return viewCase(cs.Case, u, cs.follows)
}

// Get is a case as the user may read it (what it shows recorded as read, once).
func (s Cases) Get(ctx context.Context, u domain.User, id string) (CaseView, error) {
	cs, err := s.visibleCase(ctx, u, id)
	if err != nil {
		return CaseView{}, err
	}
	var reads store.Reads
	v := shown(u, &cs, &reads)
	if v.EnterpriseContact, err = s.contact(ctx, u, &cs.Case, nil, &reads); err != nil {
		return CaseView{}, err
	}
	if v.Files, err = s.caseFiles(ctx, cs.ID); err != nil {
		return CaseView{}, err
	}
	if err := s.Store.RecordReads(ctx, u.Username, reads); err != nil {
		return CaseView{}, err
	}
	return v, nil
}

// Head is a case as the user may read it, without the enterprise's contact: for pages that
// show the case's head (a printable notice), so that no read of the contact is recorded
// that nobody made.
func (s Cases) Head(ctx context.Context, u domain.User, id string) (CaseView, error) {
	cs, err := s.visibleCase(ctx, u, id)
	if err != nil {
		return CaseView{}, err
	}
	return s.viewSeen(ctx, u, cs)
}

// Contact is an enterprise's contact person and phone.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// contact is the enterprise's contact on a case read by a unit that may reach it
// (workflows.ReachesEnterprise: referred to it, not closed), added to reads as a read of
// the case's sensitive fields and of the enterprise's contacts; nil for anyone else (the
// member department and the office read contacts in the enterprise file). e is the case's
// enterprise when the caller has read it already (read here when needed otherwise).
func (d *deps) contact(ctx context.Context, u domain.User, cs *domain.Case, e *domain.Enterprise, reads *store.Reads) (*Contact, error) {
	if !workflows.ReachesEnterprise(cs, u.Actor()) {
		return nil, nil
	}
	if e == nil {
		read, err := d.Store.GetEnterprise(ctx, cs.EnterpriseID)
		if err != nil {
			return nil, err
		}
		e = &read
	}
	if e.ContactName == "" && e.ContactPhone == "" {
		return nil, nil
	}
	reads.Case(cs.ID)
	reads.Enterprise(e.ID)
	return &Contact{Name: e.ContactName, Phone: e.ContactPhone}, nil
}

// OfficeAll, as a list's office, selects the cases of both offices: a supervision office's
// list shows only the cases it leads unless it asks for all (the other office's without
// their sensitive fields).
const OfficeAll = "all"

// CaseQuery selects a page of cases (GET /cases).
type CaseQuery struct {
	Status, Category, Unit, Office, EnterpriseID, Card string
	// Query is a search in the cases' texts.
	Query   string
	Overdue bool
	// Pending keeps the cases waiting for this (domain.Case.Pending): "sign:<unit>",
	// "extension", "callback" or "close".
	Pending string
	// DueBy keeps the cases in handling due on or before this date (YYYY-MM-DD).
	DueBy string
	// Page and PageSize (from 1; at most 100 a page), or Cursor: the next_cursor of the
	// page before.
	Page, PageSize int
	Cursor         string
}

// CasePage is a page of a list (the fields in the order a map of them was written before:
// by name).
type CasePage struct {
	Items          []CaseView `json:"items"`
	NextCursor     string     `json:"next_cursor,omitempty"`
	Page           int        `json:"page"`
	PageSize       int        `json:"page_size"`
	Total          int        `json:"total"`
	TotalEstimated bool       `json:"total_estimated"`
}

// ListBuffer keeps a page of cases and of their views between lists: a page is some forty
// kilobytes of structures, which the garbage collector — on the cores the API shares with
// PostgreSQL — would otherwise clear after every list. Release it once the page is written.
type ListBuffer struct {
	cases []domain.Case
	views []CaseView
	page  CasePage
}

var listBuffers = sync.Pool{New: func() any { return new(ListBuffer) }}

// NewListBuffer is a buffer for List.
func NewListBuffer() *ListBuffer { return listBuffers.Get().(*ListBuffer) }

// Release returns the buffer for another list; its page is not to be read after.
func (b *ListBuffer) Release() { listBuffers.Put(b) }

// List is a page of the cases the user may see, each as they may read it; it is written
// into buf, and valid until buf is released.
func (s Cases) List(ctx context.Context, u domain.User, q CaseQuery, buf *ListBuffer) (*CasePage, error) {
	f, err := s.filter(u, q)
	if err != nil {
		return nil, err
	}
	f.Into = buf.cases
	f.Record = ListRecord(u)
	page, err := s.Store.ListCases(ctx, f)
	if err != nil {
		return nil, err
	}
	buf.cases = page.Items
	views := slices.Grow(buf.views[:0], len(page.Items))[:len(page.Items)]
	if views == nil {
		views = []CaseView{} // an empty page answers "items": [], not null
	}
	buf.views = views
	var read []string
	for i := range page.Items {
		cs := &page.Items[i]
		// A leader's list holds only the cases they follow (FollowedBy).
		follows := u.Role == domain.RoleLeader
		if hasSensitive(cs) && needsSensitive(cs, u, follows) {
			read = append(read, cs.ID)
		}
		fillCaseView(&views[i], cs, u, follows)
	}
	// The page's statement recorded the reads the rule gives (ListRecord); any it did not
	// is recorded here before the page is answered.
	if missing := unrecorded(read, page.Recorded); len(missing) > 0 {
		if err := s.Store.RecordSensitiveReads(ctx, u.Username, missing...); err != nil {
			return nil, err
		}
	}
	if extra := unrecorded(page.Recorded, read); len(extra) > 0 {
		slog.Error("a list recorded reads of sensitive fields it did not show unredacted", "user", u.Username, "cases", extra)
	}
	buf.page = CasePage{Items: views, Total: page.Total, TotalEstimated: page.TotalEstimated, Page: f.Page, PageSize: f.PageSize}
	if page.Next != nil {
		buf.page.NextCursor = formatCursor(*page.Next)
	}
	return &buf.page, nil
}

// ListRecord is how a list's own statement records u's reads of sensitive fields
// (store.ListRecord): the cases of the page that hold any and that needsSensitive gives u
// — every one of a member department's lists, of a unit's (each was referred to it) and of
// a leader's (they follow each), those an office leads. nil for the roles that read every
// list redacted. List checks what the statement recorded against needsSensitive, case by
// case, and records what it left out (TestEachRolesListRecordsInItsStatementTheReadsItsRuleGives).
func ListRecord(u domain.User) *store.ListRecord {
	switch {
	case u.Role == domain.RoleMemberDept, u.Role == domain.RoleLeader, u.Role == domain.RoleUnit && u.Unit != "":
		return &store.ListRecord{Username: u.Username}
	case u.Role == domain.RoleSupervision && u.Unit != "":
		return &store.ListRecord{Username: u.Username, Office: u.Unit}
	}
	return nil // and a unit or an office without its unit, which needsSensitive gives nothing
}

// unrecorded are the cases of read that recorded does not hold.
func unrecorded(read, recorded []string) []string {
	var out []string
	for _, id := range read {
		if !slices.Contains(recorded, id) {
			out = append(out, id)
		}
	}
	return out
}

// filter is the store's filter for q as u may list: checked, and limited to what u sees.
func (s Cases) filter(u domain.User, q CaseQuery) (store.CaseFilter, error) {
	f := store.CaseFilter{
		Status: q.Status, Category: q.Category, Unit: q.Unit, Office: q.Office, EnterpriseID: q.EnterpriseID,
		Query: strings.TrimSpace(q.Query), Card: q.Card, Overdue: q.Overdue, Page: q.Page, PageSize: q.PageSize,
		Pending: q.Pending, DueBy: q.DueBy,
	}
	allOffices := f.Office == OfficeAll
	if allOffices {
		f.Office = ""
	}
	for _, check := range []struct {
		name, v string
		allowed map[string]string
	}{{"status", f.Status, domain.StatusLabels}, {"category", f.Category, domain.Categories},
		{"office", f.Office, domain.Offices}, {"card", f.Card, domain.CardLabels}} {
		if _, ok := check.allowed[check.v]; check.v != "" && !ok {
			return f, newError(BadRequest, "invalid_query", fmt.Sprintf("%s: %q 无效 (unknown value)", check.name, check.v))
		}
	}
	switch unit, isSign := strings.CutPrefix(f.Pending, domain.PendingSignFor("")); {
	case f.Pending == "", f.Pending == domain.PendingExtension, f.Pending == domain.PendingCallback, f.Pending == domain.PendingClose:
	case isSign && unit != "" && domain.TextProblem(unit, true) == "":
	default:
		return f, newError(BadRequest, "invalid_query", fmt.Sprintf("pending: %q 无效 (unknown value)", f.Pending))
	}
	if _, err := time.Parse(domain.DateLayout, f.DueBy); f.DueBy != "" && err != nil {
		return f, newError(BadRequest, "invalid_query", "due_by: 应为 YYYY-MM-DD (a date)")
	}
	if q.Cursor != "" {
		var err error
		if f.After, err = parseCursor(q.Cursor); err != nil {
			return f, err
		}
	}
	switch u.Role {
	case domain.RoleUnit:
		f.VisibleToUnit = u.Unit
		f.SearchSensitive = true // only cases referred to the unit: it handles them all
	case domain.RoleLeader:
		f.FollowedBy = u.Username
		f.SearchSensitive = true // only the cases the leader follows
	case domain.RoleMemberDept:
		f.SearchSensitive = true
	case domain.RoleSupervision:
		f.SearchSensitiveOffice = u.Unit
		if f.Office == "" && !allOffices {
			f.Office = u.Unit // an office works the cases it leads; ?office=all shows the other's too
		}
	}
	return f, nil
}

// Count is how many of the cases the user may see q selects (an estimate for a large
// list, as a page's total is); it reads no case and records nothing.
func (s Cases) Count(ctx context.Context, u domain.User, q CaseQuery) (int, error) {
	q.Cursor = ""
	f, err := s.filter(u, q)
	if err != nil {
		return 0, err
	}
	n, _, err := s.Store.CountCases(ctx, f)
	return n, err
}

// A cursor is the position after a page's last case: its creation time and id, in
// URL-safe base64 so that it passes unescaped in a query string. It reveals nothing the
// page did not show.
func formatCursor(k store.Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(k.CreatedAt.UTC().Format(time.RFC3339Nano) + " " + k.ID))
}

func parseCursor(v string) (*store.Cursor, error) {
	bad := newError(BadRequest, "invalid_query", "cursor: 无效，请使用上一页返回的 next_cursor (use the next_cursor of the previous page)")
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

// Timeline is a case's events as the user may read them.
type Timeline struct {
	CaseID string          `json:"case_id"`
	Events []TimelineEvent `json:"events"`
}

// Timeline is the case's timeline, each event's sensitive fields redacted as the case's
// are; a read of them unredacted is recorded.
func (s Cases) Timeline(ctx context.Context, u domain.User, id string) (Timeline, error) {
	cs, err := s.visibleCase(ctx, u, id)
	if err != nil {
		return Timeline{}, err
	}
	var reads store.Reads
	t, err := s.timelineOf(ctx, u, &cs, &reads)
	if err != nil {
		return Timeline{}, err
	}
	if err := s.Store.RecordReads(ctx, u.Username, reads); err != nil {
		return Timeline{}, err
	}
	return t, nil
}

// timelineOf is the timeline of a case the user may see (already read); a read of its
// events' sensitive fields unredacted is added to reads.
func (s Cases) timelineOf(ctx context.Context, u domain.User, cs *seenCase, reads *store.Reads) (Timeline, error) {
	events, err := s.Store.Timeline(ctx, cs.ID)
	if err != nil {
		return Timeline{}, err
	}
	out, readSensitive := viewTimeline(&cs.Case, events, u, cs.follows)
	if readSensitive {
		reads.Case(cs.ID)
	}
	return Timeline{CaseID: cs.ID, Events: out}, nil
}

// SensitiveReads is who read a case's sensitive fields, and when.
type SensitiveReads struct {
	CaseID string                `json:"case_id"`
	Reads  []store.SensitiveRead `json:"reads"`
}

// SensitiveReads is the audit of who read a case's sensitive fields (efficiency office,
// admin: the route decides).
func (s Cases) SensitiveReads(ctx context.Context, u domain.User, id string) (SensitiveReads, error) {
	if err := require(u, RolesSensitiveAuditor...); err != nil {
		return SensitiveReads{}, err
	}
	cs, err := s.visibleCase(ctx, u, id)
	if err != nil {
		return SensitiveReads{}, err
	}
	reads, err := s.Store.SensitiveReads(ctx, cs.ID)
	if err != nil {
		return SensitiveReads{}, err
	}
	return SensitiveReads{CaseID: cs.ID, Reads: reads}, nil
}

// Notification is a notification as a reader sees it.
type Notification = store.Notification

// Notifications lists a case's notifications and their delivery status: a unit or a
// leader their own; addresses and delivery errors for the administrator only.
func (s Cases) Notifications(ctx context.Context, u domain.User, id string) ([]store.Notification, error) {
	cs, err := s.visibleCase(ctx, u, id)
	if err != nil {
		return nil, err
	}
	list, err := s.Store.CaseNotifications(ctx, cs.ID)
	if err != nil {
		return nil, err
	}
	if u.Role == domain.RoleUnit || u.Role == domain.RoleLeader {
		mine := list[:0]
		for _, n := range list {
			if n.Username == u.Username {
				mine = append(mine, n)
			}
		}
		list = mine
	}
	for i := range list {
		list[i].Payload = nil // the timeline has it
		// Recipients' addresses, and delivery errors that may name them or the network
		// beyond, are for the administrator only.
		if u.Role != domain.RoleAdmin {
			list[i].Address = ""
			if list[i].LastError != "" {
				list[i].LastError = "投递失败 (delivery failed)"
			}
		}
	}
	return list, nil
}

// NoticeQuery selects supervision notices.
type NoticeQuery struct{ CaseID, Card, Unit, Office string }

// Notices lists supervision notices (督办单): supervision, efficiency, member department
// and admin see all; a unit sees its own; a leader the ones on cases they follow.
func (s Cases) Notices(ctx context.Context, u domain.User, q NoticeQuery) ([]domain.Notice, error) {
	f := store.NoticeFilter{CaseID: q.CaseID, Card: q.Card, Unit: q.Unit, Office: q.Office}
	if f.Card != "" && f.Card != domain.CardBlue && f.Card != domain.CardYellow && f.Card != domain.CardRed {
		return nil, newError(BadRequest, "invalid_query", "card: 应为 blue、yellow 或 red (must be blue, yellow or red)")
	}
	switch u.Role {
	case domain.RoleUnit:
		f.Unit = u.Unit
	case domain.RoleLeader:
		f.FollowedBy = u.Username
	}
	return s.Store.ListNotices(ctx, f)
}
