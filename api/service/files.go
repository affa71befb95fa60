package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gabriel-vasile/mimetype"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Files: what units, offices and leaders attach to a case (批复, photos, completion
// evidence), to a visit (notes of the visit) and to a leader's quarterly submission. The
// bytes go to the blob store first (Config.Blobs: PostgreSQL's file_blobs unless another
// is given), then the file is recorded — for a case, by a file_added event on its timeline
// carrying the SHA-256, which the audit's verification checks the stored bytes against.
// Who may read a file is who may read its parent; a sensitive case's files only those who
// read its sensitive fields, each download recorded as a sensitive read.
type Files struct{ *deps }

// File is a file as its parent lists it.
type File = store.File

// Upload is a file as received: the name the client gave it and its bytes.
type Upload struct {
	Name string
	Data []byte
}

// MaxFileSize bounds an upload (413 above it).
const MaxFileSize = domain.MaxFileSize

// fileType decides a file's type by its bytes: one of domain.FileTypes, else 415.
func fileType(data []byte) (string, error) {
	m := mimetype.Detect(data)
	for ct := range domain.FileTypes {
		if m.Is(ct) {
			return ct, nil
		}
	}
	return "", newError(Unsupported, "unsupported_media_type", fmt.Sprintf(
		"file: 只接受 PDF、Word (DOCX)、Excel (XLSX)、JPEG 或 PNG 文件，此文件为 %s (only PDF, DOCX, XLSX, JPEG or PNG; this is %s)",
		m.String(), m.String()))
}

// fileName is the name a file is kept under: the last segment of what the client sent
// (a browser may send a whole path), one clean line of at most 200 characters.
func fileName(raw string) (string, error) {
	name := raw[strings.LastIndexAny(raw, `/\`)+1:]
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		return "", invalid("file: 文件须有名称 (the file needs a name)")
	}
	if err := workflows.CheckLine("file", name, domain.MaxFileNameRunes); err != nil {
		return "", err
	}
	return name, nil
}

var fileIDEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newFileID is a file's id: 128 random bits (crypto/rand.Read never fails).
func newFileID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "FL-" + fileIDEncoding.EncodeToString(b)
}

// prepare checks an upload and describes it: its size, its type by content, its name and
// SHA-256.
func prepare(u domain.User, kind, parent string, up Upload) (store.File, error) {
	switch {
	case len(up.Data) == 0:
		return store.File{}, invalid("file: 文件为空 (the file is empty)")
	case len(up.Data) > MaxFileSize:
		return store.File{}, tooLarge()
	}
	ct, err := fileType(up.Data)
	if err != nil {
		return store.File{}, err
	}
	name, err := fileName(up.Name)
	if err != nil {
		return store.File{}, err
	}
	sum := sha256.Sum256(up.Data)
	return store.File{ParentKind: kind, ParentID: parent, Name: name, ContentType: ct, Size: int64(len(up.Data)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: u.Username}, nil
}

func tooLarge() *Error {
	return newError(TooLarge, "file_too_large", fmt.Sprintf("file: 文件过大，每个文件最多 %d MB (at most %d MB a file)",
		MaxFileSize>>20, MaxFileSize>>20))
}

// FileTooLarge is the answer to an upload over MaxFileSize (the API stops reading there).
func FileTooLarge() *Error { return tooLarge() }

// keep stores the bytes and records the file; the same upload again is the file recorded
// the first time (created false), its bytes stored once.
func (s Files) keep(ctx context.Context, f store.File, data []byte) (store.File, bool, error) {
	if same, err := s.Store.SameUpload(ctx, f); err == nil {
		return same, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.File{}, false, err
	}
	f.ID = newFileID()
	if err := s.blobs().PutBlob(ctx, f.ID, data); err != nil {
		return store.File{}, false, err
	}
	out, created, err := s.Store.InsertFile(ctx, f)
	if err != nil || !created { // the same upload, recorded meanwhile by a concurrent request
		_ = s.blobs().DeleteBlob(context.WithoutCancel(ctx), f.ID)
	}
	return out, created, err
}

func (d *deps) blobs() store.Blobs {
	if d.Blobs != nil {
		return d.Blobs
	}
	return d.Store
}

// AddToCase attaches a file to a case: those handling it may (workflows.AttachBody), until
// it closes. created is false when the same upload was recorded before (a re-posted form).
func (s Files) AddToCase(ctx context.Context, u domain.User, caseID string, up Upload) (f File, created bool, err error) {
	cs, err := s.visibleCase(ctx, u, caseID)
	if err != nil {
		return File{}, false, err
	}
	if err := workflows.AttachAction.Check(&cs.Case, u.Actor(), s.Clock.Business(time.Now())); err != nil {
		return File{}, false, Classify(err)
	}
	pf, err := prepare(u, store.FileOfCase, cs.ID, up)
	if err != nil {
		return File{}, false, err
	}
	f, created, err = s.keep(ctx, pf, up.Data)
	if err != nil || f.Attached {
		return f, created, err
	}
	// On the timeline: the Update, named after the file, runs once however often the
	// upload is posted again.
	body := workflows.AttachBody{FileID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256}
	ctx, cancel := context.WithTimeout(ctx, s.ActionTimeout)
	defer cancel()
	if _, err := (Cases{s.deps}).update(ctx, cs.ID, workflows.UpdateAttach, "attach/"+f.ID,
		workflows.ActionInput[workflows.AttachBody]{Actor: u.Actor(), Body: body}); err != nil {
		return File{}, false, err
	}
	f.Attached = true
	return f, created, nil
}

// AddToVisit attaches a file to a visit: the member department, or a leader who took
// part in it.
func (s Files) AddToVisit(ctx context.Context, u domain.User, visitID string, up Upload) (File, bool, error) {
	if err := require(u, RolesRaisers...); err != nil {
		return File{}, false, err
	}
	v, err := s.visibleVisit(ctx, u, visitID)
	if err != nil {
		return File{}, false, err
	}
	if !MayAttachToVisit(u, v) {
		return File{}, false, forbidden("无权为该走访上传附件 (you may not attach files to this visit)")
	}
	f, err := prepare(u, store.FileOfVisit, v.ID, up)
	if err != nil {
		return File{}, false, err
	}
	f.Attached = true
	return s.keep(ctx, f, up.Data)
}

// MayAttachToVisit reports whether the user may attach files to the visit: the member
// department, or a leader who took part in it (AddToVisit's own check).
func MayAttachToVisit(u domain.User, v domain.Visit) bool {
	return u.Role == domain.RoleMemberDept || u.Role == domain.RoleLeader && slices.Contains(v.Leaders, u.Username)
}

// submissionParent names a leader's submission of a quarter as a file's parent.
func submissionParent(q domain.Quarter, leader string) string { return q.String() + "/" + leader }

// AddToSubmission attaches a file to a leader's quarterly submission: the leader's own
// only (403 for another's).
func (s Files) AddToSubmission(ctx context.Context, u domain.User, q domain.Quarter, leader string, up Upload) (File, bool, error) {
	if err := require(u, RolesSubmitter...); err != nil {
		return File{}, false, err
	}
	if leader != u.Username {
		return File{}, false, forbidden("只能为本人的季度报告上传附件 (a leader attaches files to their own submission only)")
	}
	if err := begun(q); err != nil {
		return File{}, false, err
	}
	f, err := prepare(u, store.FileOfSubmission, submissionParent(q, leader), up)
	if err != nil {
		return File{}, false, err
	}
	f.Attached = true
	return s.keep(ctx, f, up.Data)
}

// Get is a file and its bytes, for a user who may read its parent; a sensitive case's
// file only for those who read its sensitive fields, the read recorded. Bytes that no
// longer match their SHA-256 are not served.
func (s Files) Get(ctx context.Context, u domain.User, id string) (File, []byte, error) {
	if !domain.FileIDPattern.MatchString(id) {
		return File{}, nil, missing(store.EntityFile, id)
	}
	f, err := s.Store.GetFile(ctx, id)
	if err != nil {
		return File{}, nil, err
	}
	if !f.Attached {
		return File{}, nil, missing(store.EntityFile, id)
	}
	if err := s.mayRead(ctx, u, f); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Kind == NotFound || errors.Is(err, store.ErrNotFound) {
			return File{}, nil, missing(store.EntityFile, id) // the parent's existence does not leak
		}
		return File{}, nil, err
	}
	data, err := s.blobs().Blob(ctx, f.ID)
	if err != nil {
		return File{}, nil, err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != f.SHA256 {
		return File{}, nil, newError(Conflict, "file_altered", fmt.Sprintf(
			"附件 %s 的内容与上传时记录的 SHA-256 不符，已停止下载，请联系系统管理员 (the file's bytes no longer match their SHA-256)", f.ID))
	}
	return f, data, nil
}

func (s Files) mayRead(ctx context.Context, u domain.User, f File) error {
	switch f.ParentKind {
	case store.FileOfCase:
		cs, err := s.visibleCase(ctx, u, f.ParentID)
		if err != nil {
			return err
		}
		if !cs.Sensitive {
			return nil
		}
		if !needsSensitive(&cs.Case, u, cs.follows) {
			return forbidden("本案涉及企业敏感信息，其附件仅供经办人员下载 (a sensitive case's files are for those handling it)")
		}
		return s.Store.RecordSensitiveReads(ctx, u.Username, cs.ID)
	case store.FileOfVisit:
		_, err := s.visibleVisit(ctx, u, f.ParentID)
		return err
	case store.FileOfSubmission:
		_, leader, _ := strings.Cut(f.ParentID, "/")
		if leader == u.Username || slices.Contains(RolesNarrativeReaders, u.Role) {
			return nil
		}
		return missing(store.EntityFile, f.ID)
	}
	return missing(store.EntityFile, f.ID)
}

// caseFiles are a case's files, for its JSON and its page.
func (d *deps) caseFiles(ctx context.Context, caseID string) ([]File, error) {
	return d.Store.Files(ctx, store.FileOfCase, caseID)
}
