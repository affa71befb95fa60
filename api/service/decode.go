package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// DecodeJSON decodes one JSON object into v, refusing unknown fields and trailing data
// (Invalid, code invalid_body, saying what is wrong). An empty body decodes as {}.
func DecodeJSON(raw []byte, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	if !utf8.Valid(raw) {
		return newError(Invalid, "invalid_body", "请求内容含有无效的 UTF-8 编码 (the body is not valid UTF-8)")
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
		return newError(Invalid, "invalid_body", "请求内容格式错误 (invalid JSON body: "+msg+")")
	}
	if dec.More() {
		return newError(Invalid, "invalid_body", "请求内容格式错误 (trailing data after the JSON object)")
	}
	return nil
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

// MaxIdempotencyKey bounds an Idempotency-Key (it is kept with what it made).
const MaxIdempotencyKey = 200

// CheckIdempotencyKey checks an idempotency key the same for every operation that takes one:
// at most 200 characters, printable ASCII ("" is none).
func CheckIdempotencyKey(key string) error {
	if len(key) > MaxIdempotencyKey {
		return newError(BadRequest, "invalid_header",
			fmt.Sprintf("Idempotency-Key 过长 (at most %d characters)", MaxIdempotencyKey))
	}
	for _, r := range key {
		if r < 0x20 || r > 0x7e {
			return newError(BadRequest, "invalid_header", "Idempotency-Key 只能含可打印的 ASCII 字符 (printable ASCII only)")
		}
	}
	return nil
}
