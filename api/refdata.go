package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func (s *Server) listUnits(c *gin.Context) error {
	units, err := s.Store.ListUnits(c.Request.Context())
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": units})
	return nil
}

// seesContacts reports whether the role may read enterprises' personal contacts: the
// member department and the administrator (and, once links exist, a leader linked to the
// enterprise).
func seesContacts(role string) bool {
	return role == domain.RoleMemberDept || role == domain.RoleAdmin
}

func (s *Server) listEnterprises(c *gin.Context) error {
	list, err := s.Store.ListEnterprises(c.Request.Context())
	if err != nil {
		return err
	}
	if !seesContacts(currentUser(c).Role) {
		for i := range list {
			list[i].ContactName, list[i].ContactPhone = "", ""
		}
	}
	respond(c, http.StatusOK, gin.H{"items": list})
	return nil
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

func (s *Server) createEnterprise(c *gin.Context) error {
	var req createEnterpriseRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" {
		return invalid("name: 必填 (required)")
	}
	for _, f := range []struct{ name, v string }{{"id", req.ID}, {"name", req.Name}, {"county", req.County},
		{"industry_chain", req.IndustryChain}, {"member_kind", req.MemberKind}, {"size", req.Size},
		{"contact_name", req.ContactName}, {"contact_phone", req.ContactPhone}} {
		if err := workflows.CheckLine(f.name, f.v, 200); err != nil {
			return err
		}
	}
	if req.MemberKind != "" {
		if err := workflows.CheckWord("member_kind", req.MemberKind, domain.MemberKinds); err != nil {
			return err
		}
	}
	if req.Size != "" {
		if err := workflows.CheckWord("size", req.Size, domain.Sizes); err != nil {
			return err
		}
	}
	county, err := s.Store.GetUnit(c.Request.Context(), req.County)
	if err != nil {
		return referenced(err, "county")
	}
	if county.Kind != domain.UnitCounty && county.Kind != domain.UnitAdminCommittee {
		return invalid(fmt.Sprintf("county: %q 不是县区或管委会 (not a county, district or administrative committee)", req.County))
	}
	e, err := s.Store.CreateEnterprise(c.Request.Context(), domain.Enterprise{
		ID: strings.TrimSpace(req.ID), Name: req.Name, County: req.County, IndustryChain: req.IndustryChain,
		MemberKind: req.MemberKind, Size: req.Size, IsKey: req.IsKey, ContactName: req.ContactName, ContactPhone: req.ContactPhone,
	})
	if err != nil {
		return err
	}
	respond(c, http.StatusCreated, e)
	return nil
}
