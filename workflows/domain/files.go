package domain

import "regexp"

// Files attached to a case, a visit or a leader's quarterly submission (批复, photos,
// completion evidence, notes of a visit): at most MaxFileSize bytes each, of one of
// FileTypes as decided by the bytes themselves (never by the name or the client's word).
const MaxFileSize = 20 << 20

// FileTypes are the media types a file may have, and what people call them.
var FileTypes = map[string]string{
	"application/pdf": "PDF",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       "Excel (XLSX)",
	"image/jpeg": "JPEG 图片",
	"image/png":  "PNG 图片",
}

// FileIDPattern is a file's id: FL- and 26 characters of base32 (128 random bits), so that
// one id tells nothing of another.
var FileIDPattern = regexp.MustCompile(`^FL-[A-Z2-7]{26}$`)

// MaxFileNameRunes bounds a file's name.
const MaxFileNameRunes = 200

// FileAdded is the data of a "file_added" event: a file attached to the case, with the
// SHA-256 of its bytes (the audit's verification checks the stored bytes against it).
type FileAdded struct {
	FileID      string `json:"file_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}
