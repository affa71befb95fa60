// Package upload reads a file posted as multipart/form-data and writes one back: the
// JSON API's and the console's uploads and downloads (one reading, two front doors).
package upload

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/putian-fic/caseflow/api/service"
)

// maxField bounds a form field beside the file (the console's CSRF token).
const maxField = 4 << 10

// Read reads the one part named "file" of a multipart/form-data request, and the form's
// other (small) fields: 415 for another body, 413 past service.MaxFileSize (reading stops
// there), 400 without the part, with two of them, or with a field over 4 KB.
func Read(w http.ResponseWriter, r *http.Request) (service.Upload, map[string]string, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return service.Upload{}, nil, service.NewError(service.Unsupported, "unsupported_media_type",
			"file: 请以 multipart/form-data 上传，文件放在名为 file 的部分 (send multipart/form-data with the file in a part named file)")
	}
	// The file and the form's few other fields: a body past this is refused unread.
	r.Body = http.MaxBytesReader(w, r.Body, service.MaxFileSize+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return service.Upload{}, nil, bad("file: 无法读取上传内容 (the multipart body cannot be read)")
	}
	var up service.Upload
	fields := map[string]string{}
	found := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return service.Upload{}, nil, readError(err)
		}
		if part.FormName() != "file" {
			v, err := io.ReadAll(io.LimitReader(part, maxField+1))
			if err != nil {
				return service.Upload{}, nil, readError(err)
			}
			if len(v) > maxField {
				return service.Upload{}, nil, bad(part.FormName() + ": 字段过长 (field too long)")
			}
			fields[part.FormName()] = string(v)
			continue
		}
		if found {
			return service.Upload{}, nil, bad("file: 每次只能上传一个文件 (one file per request)")
		}
		found = true
		data, err := io.ReadAll(io.LimitReader(part, service.MaxFileSize+1))
		if err != nil {
			return service.Upload{}, nil, readError(err)
		}
		if len(data) > service.MaxFileSize {
			return service.Upload{}, nil, service.FileTooLarge()
		}
		up = service.Upload{Name: part.FileName(), Data: data}
	}
	if !found {
		return service.Upload{}, nil, bad("file: 缺少文件（名为 file 的部分）(no part named file)")
	}
	return up, fields, nil
}

func bad(msg string) error { return service.NewError(service.BadRequest, "bad_request", msg) }

func readError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return service.FileTooLarge()
	}
	return bad("file: 上传内容不完整 (the multipart body is broken or cut short)")
}

// Write answers a file's bytes: the type decided at upload, never rendered by the browser
// as a page (images are shown inline, everything else is an attachment).
func Write(w http.ResponseWriter, f service.File, data []byte) {
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
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}
