package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

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

// maxIdempotencyKey bounds an Idempotency-Key (it is kept with what it made).
const maxIdempotencyKey = 200

// idempotencyKey is the request's Idempotency-Key header ("" for none), checked the same
// for every request that takes one: at most 200 characters, printable ASCII.
func idempotencyKey(c *gin.Context) (string, error) {
	key := c.GetHeader("Idempotency-Key")
	if len(key) > maxIdempotencyKey {
		return "", newError(http.StatusBadRequest, "invalid_header",
			fmt.Sprintf("Idempotency-Key 过长 (at most %d characters)", maxIdempotencyKey))
	}
	for _, r := range key {
		if r < 0x20 || r > 0x7e {
			return "", newError(http.StatusBadRequest, "invalid_header", "Idempotency-Key 只能含可打印的 ASCII 字符 (printable ASCII only)")
		}
	}
	return key, nil
}

// decodeStrict decodes one JSON object into v, rejecting unknown fields and trailing data.
// An empty body decodes as {}.
func decodeStrict(raw []byte, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	if !utf8.Valid(raw) {
		return newError(http.StatusUnprocessableEntity, "invalid_body", "请求内容含有无效的 UTF-8 编码 (the body is not valid UTF-8)")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		msg := err.Error()
		if errors.As(err, &typeErr) {
			field := typeErr.Field
			if field == "" {
				field = "the body"
			}
			msg = fmt.Sprintf("%s must be %s", field, jsonKind(typeErr.Type))
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

// jsonKind says in words what JSON a Go type wants.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		switch elem := jsonKind(t.Elem()); elem {
		case "true or false":
			return "a list of true/false values"
		default:
			return "a list of " + strings.TrimPrefix(strings.TrimPrefix(elem, "an "), "a ") + "s"
		}
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}
