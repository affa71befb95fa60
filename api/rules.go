package api

import (
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
)

// getRules answers the active rule set (with its YAML) and the history of versions.
func (s *Server) getRules(c *gin.Context) error {
	v, err := s.Service.Cases.Rules(c.Request.Context())
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, v)
	return nil
}

// putRules uploads a new rule set (YAML): any problem answers 422 with every problem's
// position, and nothing changes.
func (s *Server) putRules(c *gin.Context) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if !strings.Contains(mt, "yaml") && mt != "text/plain" {
			return newError(http.StatusUnsupportedMediaType, "unsupported_media_type",
				"规则集须以 YAML 上传 (send the rule set as Content-Type: application/yaml)")
		}
	}
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	saved, err := s.Service.Cases.SaveRules(c.Request.Context(), currentUser(c), raw)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, saved)
	return nil
}

// evaluateRules is the dry run behind the member department's "explain" button: a case
// and an enterprise in, the route out with every rule that matched and what it set.
func (s *Server) evaluateRules(c *gin.Context) error {
	var req service.Evaluation
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	res, err := s.Service.Cases.Evaluate(c.Request.Context(), currentUser(c), req)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, res)
	return nil
}
