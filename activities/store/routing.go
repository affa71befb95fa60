package store

import (
	"context"
	"time"

	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/rules"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Calendar returns the working-day calendar in force: the statutory one, with the years
// an administrator entered.
func (s *Store) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	years, err := s.CalendarYears(ctx)
	if err != nil {
		return nil, err
	}
	overrides := make([]calendar.Year, 0, len(years))
	for _, y := range years {
		overrides = append(overrides, calendar.Year{Year: y.Year, Holidays: y.Holidays, Workdays: y.Workdays, Source: "override"})
	}
	return calendar.New(overrides...), nil
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
