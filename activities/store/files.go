package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// EntityFile is a file attached to a case, a visit or a submission.
const EntityFile = "file"

// The parents a file is attached to.
const (
	FileOfCase       = "case"
	FileOfVisit      = "visit"
	FileOfSubmission = "submission"
)

// File is a file's record (migration 00017): what it is, where it belongs, the SHA-256 of
// its bytes, who uploaded it. Its bytes are in a blob store (Blobs).
type File struct {
	ID          string    `json:"id" db:"id"`
	ParentKind  string    `json:"-" db:"parent_kind"`
	ParentID    string    `json:"-" db:"parent_id"`
	Name        string    `json:"name" db:"name"`
	ContentType string    `json:"content_type" db:"content_type"`
	Size        int64     `json:"size" db:"size"`
	SHA256      string    `json:"sha256" db:"sha256"`
	UploadedBy  string    `json:"uploaded_by" db:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at" db:"uploaded_at"`
	Attached    bool      `json:"-" db:"attached"`
}

const fileColumns = `id, parent_kind, parent_id, name, content_type, size, sha256, uploaded_by, uploaded_at, attached`

// Blobs keeps files' bytes by file id. The Store is one (the table file_blobs, so that one
// backup of the database holds everything); an S3-compatible store can take its place.
type Blobs interface {
	PutBlob(ctx context.Context, id string, data []byte) error
	// Blob is the file's bytes (ErrNotFound when there are none).
	Blob(ctx context.Context, id string) ([]byte, error)
	DeleteBlob(ctx context.Context, id string) error
}

// PutBlob stores a file's bytes (again: no change).
func (s *Store) PutBlob(ctx context.Context, id string, data []byte) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO file_blobs (id, data) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, id, data); err != nil {
		return fmt.Errorf("store: put file %s: %w", id, err)
	}
	return nil
}

// Blob is a file's bytes.
func (s *Store) Blob(ctx context.Context, id string) ([]byte, error) {
	var data []byte
	if err := s.pool.QueryRow(ctx, `SELECT data FROM file_blobs WHERE id = $1`, id).Scan(&data); err != nil {
		return nil, notFound(err, EntityFile, id)
	}
	return data, nil
}

// DeleteBlob removes a file's bytes (a file never recorded).
func (s *Store) DeleteBlob(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM file_blobs WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: delete file %s: %w", id, err)
	}
	return nil
}

// SameUpload finds the file the same user already uploaded to the same parent with the
// same bytes and name (ErrNotFound if none).
func (s *Store) SameUpload(ctx context.Context, f File) (File, error) {
	list, err := queryAll[File](ctx, s, "same upload", `SELECT `+fileColumns+` FROM files
		WHERE parent_kind = $1 AND parent_id = $2 AND uploaded_by = $3 AND sha256 = $4 AND name = $5`,
		f.ParentKind, f.ParentID, f.UploadedBy, f.SHA256, f.Name)
	if err != nil {
		return File{}, err
	}
	if len(list) == 0 {
		return File{}, &Error{Entity: EntityFile, Kind: ErrNotFound}
	}
	return list[0], nil
}

// InsertFile records a file whose bytes are stored. The same upload recorded meanwhile
// (SameUpload) is answered instead, with created false.
func (s *Store) InsertFile(ctx context.Context, f File) (out File, created bool, err error) {
	list, err := queryAll[File](ctx, s, "insert file", `INSERT INTO files (id, parent_kind, parent_id, name, content_type,
			size, sha256, uploaded_by, attached)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (parent_kind, parent_id, uploaded_by, sha256, name) DO NOTHING
		RETURNING `+fileColumns, f.ID, f.ParentKind, f.ParentID, f.Name, f.ContentType, f.Size, f.SHA256, f.UploadedBy, f.Attached)
	if err != nil {
		return File{}, false, err
	}
	if len(list) == 1 {
		return list[0], true, nil
	}
	out, err = s.SameUpload(ctx, f)
	return out, false, err
}

// GetFile is a file's record.
func (s *Store) GetFile(ctx context.Context, id string) (File, error) {
	list, err := queryAll[File](ctx, s, "file", `SELECT `+fileColumns+` FROM files WHERE id = $1`, id)
	if err != nil {
		return File{}, err
	}
	if len(list) == 0 {
		return File{}, &Error{Entity: EntityFile, ID: id, Kind: ErrNotFound}
	}
	return list[0], nil
}

// Files lists a parent's attached files, oldest first.
func (s *Store) Files(ctx context.Context, kind, parentID string) ([]File, error) {
	return queryAll[File](ctx, s, "files", `SELECT `+fileColumns+` FROM files
		WHERE parent_kind = $1 AND parent_id = $2 AND attached ORDER BY uploaded_at, id`, kind, parentID)
}

// FilesOf lists the attached files of several parents of a kind, oldest first.
func (s *Store) FilesOf(ctx context.Context, kind string, parentIDs []string) ([]File, error) {
	return queryAll[File](ctx, s, "files", `SELECT `+fileColumns+` FROM files
		WHERE parent_kind = $1 AND parent_id = ANY ($2) AND attached ORDER BY uploaded_at, id`, kind, parentIDs)
}

// attachCaseFile marks a case's file attached once its file_added event is written.
func attachCaseFile(ctx context.Context, tx pgx.Tx, ev domain.Event) error {
	var data domain.FileAdded
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		return fmt.Errorf("store: attach file to %s: %w", ev.CaseID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE files SET attached = true WHERE id = $1 AND parent_kind = 'case' AND parent_id = $2`,
		data.FileID, ev.CaseID); err != nil {
		return fmt.Errorf("store: attach file %s to %s: %w", data.FileID, ev.CaseID, err)
	}
	return nil
}

// checkFiles checks the bytes of every file the cases' file_added events record against
// the SHA-256 each event holds (the blob store here computes the digest itself: no bytes
// travel), and names each file whose bytes changed or are gone.
func (s *Store) checkFiles(ctx context.Context, caseIDs []string) ([]Problem, error) {
	rows, _ := s.pool.Query(ctx, `SELECT e.case_id, e.seq, e.data ->> 'file_id', e.data ->> 'sha256',
			coalesce(encode(sha256(b.data), 'hex'), '')
		FROM case_events e LEFT JOIN file_blobs b ON b.id = e.data ->> 'file_id'
		WHERE e.case_id = ANY ($1) AND e.type = 'file_added' ORDER BY e.case_id, e.seq`, caseIDs)
	var out []Problem
	var p Problem
	var id, want, got string
	_, err := pgx.ForEachRow(rows, []any{&p.CaseID, &p.Seq, &id, &want, &got}, func() error {
		switch {
		case got == "":
			out = append(out, Problem{CaseID: p.CaseID, Seq: p.Seq, Reason: fmt.Sprintf(
				"第 %d 条事件登记的附件 %s 已不存在（被删除）(the file %s recorded by event %d is gone: deleted)", p.Seq, id, id, p.Seq)})
		case got != want:
			out = append(out, Problem{CaseID: p.CaseID, Seq: p.Seq, Reason: fmt.Sprintf(
				"第 %d 条事件登记的附件 %s 的内容与其 SHA-256 不符（被改动）(the bytes of file %s no longer match the SHA-256 event %d recorded: altered)",
				p.Seq, id, id, p.Seq)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: verify files: %w", err)
	}
	return out, nil
}

var _ Blobs = (*Store)(nil)
