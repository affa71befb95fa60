package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Files: POST /cases/{id}/files, /visits/{id}/files and
// /reports/quarterly/{period}/submissions/{leader}/files take one file as
// multipart/form-data (its part named "file"), at most 20 MB; GET /files/{id} downloads it.

// ReadUpload reads the one part named "file" of a multipart/form-data request: 415 for
// another body, 413 past service.MaxFileSize (reading stops there), 400 without the part
// or with two of them. The console reads its upload forms with it too.
func ReadUpload(w http.ResponseWriter, r *http.Request) (service.Upload, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return service.Upload{}, service.NewError(service.Unsupported, "unsupported_media_type",
			"file: 请以 multipart/form-data 上传，文件放在名为 file 的部分 (send multipart/form-data with the file in a part named file)")
	}
	// The file and the form's few other fields: a body past this is refused unread.
	r.Body = http.MaxBytesReader(w, r.Body, service.MaxFileSize+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return service.Upload{}, badUpload("file: 无法读取上传内容 (the multipart body cannot be read)")
	}
	var up service.Upload
	found := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return service.Upload{}, uploadError(err)
		}
		if part.FormName() != "file" {
			continue // another field (the console's CSRF token is read by the console)
		}
		if found {
			return service.Upload{}, badUpload("file: 每次只能上传一个文件 (one file per request)")
		}
		found = true
		data, err := io.ReadAll(io.LimitReader(part, service.MaxFileSize+1))
		if err != nil {
			return service.Upload{}, uploadError(err)
		}
		if len(data) > service.MaxFileSize {
			return service.Upload{}, service.FileTooLarge()
		}
		up = service.Upload{Name: part.FileName(), Data: data}
	}
	if !found {
		return service.Upload{}, badUpload("file: 缺少文件（名为 file 的部分）(no part named file)")
	}
	return up, nil
}

func badUpload(msg string) error { return service.NewError(service.BadRequest, "bad_request", msg) }

func uploadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return service.FileTooLarge()
	}
	return badUpload("file: 上传内容不完整 (the multipart body is broken or cut short)")
}

// upload runs add over the request's file and answers the file: 201, or 200 when the same
// upload was recorded before (a re-posted form stores nothing twice).
func upload(c *gin.Context, add func(ctx context.Context, u domain.User, up service.Upload) (service.File, bool, error)) error {
	up, err := ReadUpload(c.Writer, c.Request)
	if err != nil {
		return err
	}
	f, created, err := add(c.Request.Context(), currentUser(c), up)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	respond(c, status, f)
	return nil
}

func (s *Server) addCaseFile(c *gin.Context) error {
	return upload(c, func(ctx context.Context, u domain.User, up service.Upload) (service.File, bool, error) {
		return s.Service.Files.AddToCase(ctx, u, c.Param("id"), up)
	})
}

func (s *Server) addVisitFile(c *gin.Context) error {
	return upload(c, func(ctx context.Context, u domain.User, up service.Upload) (service.File, bool, error) {
		return s.Service.Files.AddToVisit(ctx, u, c.Param("id"), up)
	})
}

func (s *Server) addSubmissionFile(c *gin.Context) error {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return err
	}
	return upload(c, func(ctx context.Context, u domain.User, up service.Upload) (service.File, bool, error) {
		return s.Service.Files.AddToSubmission(ctx, u, q, c.Param("leader"), up)
	})
}

// getFile downloads a file: its bytes with the type decided at upload, never rendered by
// the browser as a page (images are shown inline, everything else is an attachment).
func (s *Server) getFile(c *gin.Context) error {
	f, data, err := s.Service.Files.Get(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	WriteFile(c.Writer, f, data)
	return nil
}

// WriteFile answers a file's bytes (the API's and the console's downloads).
func WriteFile(w http.ResponseWriter, f service.File, data []byte) {
	disposition := "attachment"
	if strings.HasPrefix(f.ContentType, "image/") {
		disposition = "inline"
	}
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, f.Name)
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", disposition+`; filename="`+ascii+`"; filename*=UTF-8''`+url.PathEscape(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Digest", "sha-256="+f.SHA256)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}
