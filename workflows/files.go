package workflows

import (
	"fmt"
	"regexp"
	"time"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// AttachBody records a file attached to the case: the service has stored its bytes and
// decided its type; the Update puts it on the timeline with its SHA-256. Only POST
// /cases/{id}/files sends it (AttachAction is not among Actions).
type AttachBody struct {
	FileID      string `json:"file_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (b AttachBody) Validate() error {
	switch {
	case !domain.FileIDPattern.MatchString(b.FileID):
		return invalidInput("file_id", "不是附件编号 (not a file id)")
	case domain.FileTypes[b.ContentType] == "":
		return invalidInput("content_type", "不接受的文件类型 (a type caseflow does not take)")
	case b.Size < 1 || b.Size > domain.MaxFileSize:
		return invalidInput("size", fmt.Sprintf("应为 1 至 %d 字节 (1 to %d bytes)", domain.MaxFileSize, domain.MaxFileSize))
	case !sha256Hex.MatchString(b.SHA256):
		return invalidInput("sha256", "不是 SHA-256 (not a SHA-256 in hex)")
	}
	return CheckLine("name", b.Name, domain.MaxFileNameRunes)
}

// check: those handling the case attach files to it — the member department, the lead
// office, the units it is assigned to, the leader who raised it — until it closes (a
// merged case's files go to its common problem).
func (b AttachBody) check(c *domain.Case, a domain.Actor, _ time.Time) error {
	may := false
	switch a.Role {
	case domain.RoleMemberDept:
		may = true
	case domain.RoleSupervision:
		may = IsLeadOffice(c, a)
	case domain.RoleUnit:
		may = assigned(c, a.Unit)
	case domain.RoleLeader:
		may = c.CreatedBy == a.Username
	}
	if !may {
		return forbidden("无权为本案上传附件 (you may not attach files to this case)")
	}
	if c.Status == domain.StatusClosed || c.Status == domain.StatusMerged {
		return invalidTransition(c, UpdateAttach)
	}
	return nil
}

func (b AttachBody) apply(_ *domain.Case, _ domain.Actor, _ time.Time) []eventDraft {
	return []eventDraft{{Type: domain.EventFileAdded, Data: domain.FileAdded(b)}}
}
