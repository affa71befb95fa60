package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func (s *Server) listUnits(c *gin.Context) {
	units, err := s.Store.ListUnits(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": units})
}

// seesContacts reports whether the role may read enterprises' personal contacts: the
// member department and the administrator (and, once links exist, a leader linked to the
// enterprise).
func seesContacts(role string) bool {
	return role == domain.RoleMemberDept || role == domain.RoleAdmin
}

func (s *Server) listEnterprises(c *gin.Context) {
	list, err := s.Store.ListEnterprises(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	if !seesContacts(currentUser(c).Role) {
		for i := range list {
			list[i].ContactName, list[i].ContactPhone = "", ""
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

type createEnterpriseRequest struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	County        string `json:"county"`
	IndustryChain string `json:"industry_chain"`
	MemberKind    string `json:"member_kind"`
	Size          string `json:"size"`
	IsKey         bool   `json:"is_key"`
	ContactName   string `json:"contact_name"`
	ContactPhone  string `json:"contact_phone"`
}

func (s *Server) createEnterprise(c *gin.Context) {
	var req createEnterpriseRequest
	if err := bindStrict(c, &req); err != nil {
		fail(c, err)
		return
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" {
		fail(c, invalid("name: 必填 (required)"))
		return
	}
	for _, f := range []struct{ name, v string }{{"id", req.ID}, {"name", req.Name}, {"county", req.County},
		{"industry_chain", req.IndustryChain}, {"member_kind", req.MemberKind}, {"size", req.Size},
		{"contact_name", req.ContactName}, {"contact_phone", req.ContactPhone}} {
		if err := workflows.CheckLine(f.name, f.v, 200); err != nil {
			fail(c, err)
			return
		}
	}
	county, err := s.Store.GetUnit(c.Request.Context(), req.County)
	if errors.Is(err, store.ErrNotFound) || (err == nil && county.Kind != domain.UnitCounty && county.Kind != domain.UnitAdminCommittee) {
		fail(c, invalid(fmt.Sprintf("county: %q 不是县区或管委会 (not a county, district or administrative committee)", req.County)))
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	e, err := s.Store.CreateEnterprise(c.Request.Context(), domain.Enterprise{
		ID: strings.TrimSpace(req.ID), Name: req.Name, County: req.County, IndustryChain: req.IndustryChain,
		MemberKind: req.MemberKind, Size: req.Size, IsKey: req.IsKey, ContactName: req.ContactName, ContactPhone: req.ContactPhone,
	})
	if errors.Is(err, store.ErrConflict) {
		err = newError(http.StatusConflict, "conflict", fmt.Sprintf("企业编号 %q 已存在 (enterprise id in use)", req.ID))
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, e)
}
