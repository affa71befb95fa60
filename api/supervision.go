package api

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// getCalendar answers a year's statutory holidays and make-up working days, as in force.
func (s *Server) getCalendar(c *gin.Context) error {
	y, err := pathYear(c, "year")
	if err != nil {
		return err
	}
	cal, err := s.Store.Calendar(c.Request.Context())
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, cal.Year(y))
	return nil
}

type calendarRequest struct {
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

// putCalendar enters a year's holidays and make-up working days (a new State Council
// notice): they replace the built-in data for that year. Cases' deadlines set from now on
// use them; deadlines already set stay.
func (s *Server) putCalendar(c *gin.Context) error {
	y, err := pathYear(c, "year")
	if err != nil {
		return err
	}
	var req calendarRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	if req.Holidays == nil || req.Workdays == nil {
		return invalid("holidays, workdays: 两者都须给出（可为空列表）(both are required, possibly empty)")
	}
	year := calendar.Year{Year: y, Holidays: req.Holidays, Workdays: req.Workdays}
	if err := year.Validate(); err != nil {
		return invalid(err.Error())
	}
	slices.Sort(year.Holidays)
	slices.Sort(year.Workdays)
	if err := s.Store.SaveCalendarYear(c.Request.Context(), store.CalendarYear{Year: y, Holidays: year.Holidays,
		Workdays: year.Workdays, UpdatedBy: currentUser(c).Username}); err != nil {
		return err
	}
	year.Source = "override"
	respond(c, http.StatusOK, year)
	return nil
}

// listNotices lists supervision notices (督办单): supervision, efficiency, member department
// and admin see all; a unit sees its own; a leader the ones on cases they raised.
func (s *Server) listNotices(c *gin.Context) error {
	u := currentUser(c)
	f := store.NoticeFilter{CaseID: c.Query("case_id"), Card: c.Query("card"), Unit: c.Query("unit"), Office: c.Query("office")}
	if f.Card != "" && f.Card != domain.CardYellow && f.Card != domain.CardRed {
		return newError(http.StatusBadRequest, "invalid_query", "card: 应为 yellow 或 red (must be yellow or red)")
	}
	switch u.Role {
	case domain.RoleUnit:
		f.Unit = u.Unit
	case domain.RoleLeader:
		f.CreatedBy = u.Username
	}
	list, err := s.Store.ListNotices(c.Request.Context(), f)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, gin.H{"items": list, "total": len(list)})
	return nil
}

// caseNotifications lists a case's notifications and their delivery status.
func (s *Server) caseNotifications(c *gin.Context) error {
	cs, err := s.visibleCase(c, c.Param("id"))
	if err != nil {
		return err
	}
	list, err := s.Store.CaseNotifications(c.Request.Context(), cs.ID)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if u.Role == domain.RoleUnit || u.Role == domain.RoleLeader {
		mine := list[:0]
		for _, n := range list {
			if n.Username == u.Username {
				mine = append(mine, n)
			}
		}
		list = mine
	}
	for i := range list {
		list[i].Payload = nil // the timeline has it
		// Recipients' addresses, and delivery errors that may name them or the network
		// beyond, are for the administrator only.
		if u.Role != domain.RoleAdmin {
			list[i].Address = ""
			if list[i].LastError != "" {
				list[i].LastError = "投递失败 (delivery failed)"
			}
		}
	}
	respond(c, http.StatusOK, gin.H{"items": list})
	return nil
}

func (s *Server) getNotificationSettings(c *gin.Context) error {
	n, err := s.Store.GetNotificationSettings(c.Request.Context(), currentUser(c).Username)
	if err != nil {
		return err
	}
	respond(c, http.StatusOK, n)
	return nil
}

// putNotificationSettings sets how the signed-in user is told: e-mail and/or webhook.
func (s *Server) putNotificationSettings(c *gin.Context) error {
	var n store.NotificationSettings
	if err := bindStrict(c, &n); err != nil {
		return err
	}
	if n.NotifyEmail || n.Email != "" {
		if err := activities.CheckEmail(n.Email); err != nil {
			return invalid("email: " + err.Error())
		}
	}
	if n.NotifyWebhook || n.WebhookURL != "" {
		if err := activities.CheckWebhookURL(c.Request.Context(), n.WebhookURL, s.AllowPrivateWebhooks); err != nil {
			return invalid("webhook_url: " + err.Error())
		}
	}
	if err := s.Store.SetNotificationSettings(c.Request.Context(), currentUser(c).Username, n); err != nil {
		return err
	}
	respond(c, http.StatusOK, n)
	return nil
}
