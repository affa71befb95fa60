package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/api/service"
	"github.com/putian-fic/caseflow/api/upload"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Files: POST /cases/{id}/files, /visits/{id}/files and
// /reports/quarterly/{period}/submissions/{leader}/files take one file as
// multipart/form-data (its part named "file"), at most 20 MB; GET /files/{id} downloads it.

// addFile runs add over the request's file and answers the file: 201, or 200 when the same
// upload was recorded before (a re-posted form stores nothing twice).
func addFile(c *gin.Context, add func(ctx context.Context, u domain.User, up service.Upload) (service.File, bool, error)) error {
	up, _, err := upload.Read(c.Writer, c.Request)
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
	return addFile(c, func(ctx context.Context, u domain.User, up service.Upload) (service.File, bool, error) {
		return s.Service.Files.AddToCase(ctx, u, c.Param("id"), up)
	})
}

func (s *Server) addVisitFile(c *gin.Context) error {
	return addFile(c, func(ctx context.Context, u domain.User, up service.Upload) (service.File, bool, error) {
		return s.Service.Files.AddToVisit(ctx, u, c.Param("id"), up)
	})
}

func (s *Server) addSubmissionFile(c *gin.Context) error {
	q, err := pathQuarter(c, "period")
	if err != nil {
		return err
	}
	return addFile(c, func(ctx context.Context, u domain.User, up service.Upload) (service.File, bool, error) {
		return s.Service.Files.AddToSubmission(ctx, u, q, c.Param("leader"), up)
	})
}

// getFile downloads a file (GET /files/{id}).
func (s *Server) getFile(c *gin.Context) error {
	f, data, err := s.Service.Files.Get(c.Request.Context(), currentUser(c), c.Param("id"))
	if err != nil {
		return err
	}
	upload.Write(c.Writer, f, data)
	return nil
}
