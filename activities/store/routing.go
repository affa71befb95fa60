package store

import (
	"context"
	"sync"
	"time"

	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/rules"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// calendarTTL is how long a process counts working days on the calendar it read: every
// action that sets a deadline, and every ladder, counts them (ten reads in a case's life),
// and the calendar changes once or twice a year. A year saved through this process counts
// at once; one saved through another process (an API apart from the worker) at most
// calendarTTL later.
const calendarTTL = time.Second

// calendarCache is the calendar a process read last, and when.
type calendarCache struct {
	mu  sync.Mutex
	cal *calendar.Calendar
	at  time.Time
}

// Calendar returns the working-day calendar in force: the statutory one, with the years
// an administrator entered (read at most calendarTTL ago).
func (s *Store) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	s.cal.mu.Lock()
	cal, at := s.cal.cal, s.cal.at
	s.cal.mu.Unlock()
	if cal != nil && time.Since(at) < calendarTTL {
		return cal, nil
	}
	read := time.Now()
	years, err := s.CalendarYears(ctx)
	if err != nil {
		return nil, err
	}
	overrides := make([]calendar.Year, 0, len(years))
	for _, y := range years {
		overrides = append(overrides, calendar.Year{Year: y.Year, Holidays: y.Holidays, Workdays: y.Workdays, Source: "override"})
	}
	cal = calendar.New(overrides...)
	s.cal.mu.Lock()
	if s.cal.at.Before(read) { // a save meanwhile leaves at ahead of this read: keep it unset
		s.cal.cal, s.cal.at = cal, read
	}
	s.cal.mu.Unlock()
	return cal, nil
}

// forgetCalendar makes the next Calendar read the years afresh (a year was just saved).
func (s *Store) forgetCalendar() {
	s.cal.mu.Lock()
	s.cal.cal, s.cal.at = nil, time.Now()
	s.cal.mu.Unlock()
}

// RuleInput gathers what the rules read about a case of an enterprise: the case as given,
// the enterprise, and the history of earlier cases (caseID, if the case has one already,
// is left out of it). A case without a creation time is taken as raised now.
func (s *Store) RuleInput(ctx context.Context, c rules.Case, enterpriseID, caseID string) (rules.Input, error) {
	ent, err := s.GetEnterprise(ctx, enterpriseID)
	if err != nil {
		return rules.Input{}, err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now()
	}
	h, err := s.CaseHistoryFor(ctx, enterpriseID, caseID, c.Category, domain.QuarterStart(c.CreatedAt))
	if err != nil {
		return rules.Input{}, err
	}
	return rules.Input{
		Case: c,
		Enterprise: rules.Enterprise{ID: ent.ID, Name: ent.Name, County: ent.County, IndustryChain: ent.IndustryChain,
			MemberKind: ent.MemberKind, Size: ent.Size, IsKey: ent.IsKey},
		History: rules.History{OpenByCategory: h.OpenByCategory, PastByCategory: h.PastByCategory,
			CountyOpenSameCategory: h.CountyOpenSameCategory, CountyEnterprisesSameCategory: h.CountyEnterprisesSameCategory},
	}, nil
}
