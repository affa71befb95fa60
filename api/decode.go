package api

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
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

// idempotencyKey is the request's Idempotency-Key header ("" for none); the services check
// it, the same for every operation that takes one (service.CheckIdempotencyKey).
func idempotencyKey(c *gin.Context) string { return c.GetHeader("Idempotency-Key") }

// decodeStrict decodes one JSON object into v, refusing unknown fields and trailing data
// (service.DecodeJSON).
func decodeStrict(raw []byte, v any) error { return service.DecodeJSON(raw, v) }

func bindStrict(c *gin.Context, v any) error {
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeStrict(raw, v)
}
