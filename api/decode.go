package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

// maxBody bounds request bodies.
const maxBody = 1 << 20

func readBody(c *gin.Context) ([]byte, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
	if err != nil {
		return nil, newError(http.StatusRequestEntityTooLarge, "body_too_large", "请求内容过大 (request body too large)")
	}
	return raw, nil
}

// decodeStrict decodes one JSON object into v, rejecting unknown fields and trailing data.
// An empty body decodes as {}.
func decodeStrict(raw []byte, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		msg := err.Error()
		if errors.As(err, &typeErr) {
			msg = fmt.Sprintf("field %q must be %s", typeErr.Field, typeErr.Type)
		}
		return newError(http.StatusUnprocessableEntity, "invalid_body", "请求内容格式错误 (invalid JSON body: "+msg+")")
	}
	if dec.More() {
		return newError(http.StatusUnprocessableEntity, "invalid_body", "请求内容格式错误 (trailing data after the JSON object)")
	}
	return nil
}

func bindStrict(c *gin.Context, v any) error {
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeStrict(raw, v)
}
