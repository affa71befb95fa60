package service

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/calendar"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Users are the operations on people's accounts: sign-in with its throttling, sessions,
// notification settings; and the working-day calendar the administrator keeps.
type Users struct{ *deps }

// Login throttling: 5 failed logins for a username, or 20 from one client address, within
// 15 minutes lock it for 30 seconds, doubling with every further failure up to 15 minutes.
var (
	userThrottle = store.Throttle{Threshold: 5, Base: 30 * time.Second, Max: 15 * time.Minute, Window: 15 * time.Minute}
	addrThrottle = store.Throttle{Threshold: 20, Base: 30 * time.Second, Max: 15 * time.Minute, Window: 15 * time.Minute}
)

// Credentials are a username and password, and the client address they came from.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Client   string `json:"-"`
}

// Session is a signed-in user's token.
type Session struct {
	ExpiresAt time.Time   `json:"expires_at"`
	Token     string      `json:"token"`
	User      domain.User `json:"user"`
}

// Login exchanges a username and password for a session. Failed logins are counted per
// username and per client address; past the threshold every login for them, right
// password or not, is refused (TooManyAttempts, with RetryAfter) until the lock ends.
func (s Users) Login(ctx context.Context, c Credentials) (Session, error) {
	if c.Username == "" || c.Password == "" {
		return Session{}, invalid("请输入用户名和密码 (username and password are required)")
	}
	if err := workflows.CheckLine("username", c.Username, workflows.MaxIDLength); err != nil {
		return Session{}, err
	}
	userKey, addrKey := "user:"+c.Username, "addr:"+c.Client
	wait, err := s.Store.LoginBlocked(ctx, userKey, addrKey)
	if err != nil {
		return Session{}, err
	}
	if wait > 0 {
		if err := s.Store.RecordLoginAttempt(ctx, c.Username, c.Client, store.LoginThrottled); err != nil {
			return Session{}, err
		}
		secs := int(math.Ceil(wait.Seconds()))
		e := newError(TooManyAttempts, "too_many_attempts",
			fmt.Sprintf("登录失败次数过多，请 %d 秒后再试 (too many failed logins; try again in %d seconds)", secs, secs))
		e.RetryAfter = time.Duration(secs) * time.Second
		return Session{}, e
	}
	u, err := s.Store.Authenticate(ctx, c.Username, c.Password)
	if errors.Is(err, store.ErrUnauthorized) {
		for _, k := range []struct {
			key string
			t   store.Throttle
		}{{userKey, userThrottle}, {addrKey, addrThrottle}} {
			if _, err := s.Store.RecordLoginFailure(ctx, k.key, k.t); err != nil {
				return Session{}, err
			}
		}
		if err := s.Store.RecordLoginAttempt(ctx, c.Username, c.Client, store.LoginFailed); err != nil {
			return Session{}, err
		}
		return Session{}, err // Unauthorized: wrong username or password
	}
	if err != nil {
		return Session{}, err
	}
	token, expires, err := s.Store.CreateSession(ctx, u.ID, s.SessionTTL)
	if err != nil {
		return Session{}, err
	}
	if err := s.Store.ResetLoginFailures(ctx, userKey); err != nil {
		return Session{}, err
	}
	if err := s.Store.RecordLoginAttempt(ctx, c.Username, c.Client, store.LoginOK); err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: expires, User: u}, nil
}

// ByToken is the user a live session token belongs to (Unauthorized otherwise).
func (s Users) ByToken(ctx context.Context, token string) (domain.User, error) {
	return s.Store.UserByToken(ctx, token)
}

// Logout ends the session of token.
func (s Users) Logout(ctx context.Context, token string) error {
	return s.Store.DeleteSession(ctx, token)
}

// Revoked is how many sessions of a user were ended.
type Revoked struct {
	Revoked  int    `json:"revoked"`
	Username string `json:"username"`
}

// RevokeSessions ends every session of a user (admin): whoever holds one must sign in again.
func (s Users) RevokeSessions(ctx context.Context, username string) (Revoked, error) {
	n, err := s.Store.RevokeSessions(ctx, username)
	if err != nil {
		return Revoked{}, err
	}
	return Revoked{Username: username, Revoked: n}, nil
}

// NotificationSettings are how a user is told: e-mail and/or webhook.
type NotificationSettings = store.NotificationSettings

// NotificationSettings are the user's own.
func (s Users) NotificationSettings(ctx context.Context, u domain.User) (NotificationSettings, error) {
	return s.Store.GetNotificationSettings(ctx, u.Username)
}

// SetNotificationSettings sets how the user is told. An address is checked as the
// notifier would use it: a webhook must not reach loopback, link-local or private
// addresses unless that is allowed.
func (s Users) SetNotificationSettings(ctx context.Context, u domain.User, n NotificationSettings) (NotificationSettings, error) {
	if n.NotifyEmail || n.Email != "" {
		if err := activities.CheckEmail(n.Email); err != nil {
			return n, invalid("email: " + err.Error())
		}
	}
	if n.NotifyWebhook || n.WebhookURL != "" {
		if err := activities.CheckWebhookURL(ctx, n.WebhookURL, s.AllowPrivateWebhooks); err != nil {
			return n, invalid("webhook_url: " + err.Error())
		}
	}
	if err := s.Store.SetNotificationSettings(ctx, u.Username, n); err != nil {
		return n, err
	}
	return n, nil
}

// Calendar is a year's statutory holidays and make-up working days, as in force.
func (s Users) Calendar(ctx context.Context, year int) (calendar.Year, error) {
	cal, err := s.Store.Calendar(ctx)
	if err != nil {
		return calendar.Year{}, err
	}
	return cal.Year(year), nil
}

// CalendarYear is a year's holidays and make-up working days as entered.
type CalendarYear struct {
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

// SetCalendar enters a year's holidays and make-up working days (a new State Council
// notice): they replace the built-in data for that year. Cases' deadlines set from now on
// use them; deadlines already set stay.
func (s Users) SetCalendar(ctx context.Context, u domain.User, y int, req CalendarYear) (calendar.Year, error) {
	if req.Holidays == nil || req.Workdays == nil {
		return calendar.Year{}, invalid("holidays, workdays: 两者都须给出（可为空列表）(both are required, possibly empty)")
	}
	year := calendar.Year{Year: y, Holidays: req.Holidays, Workdays: req.Workdays}
	if err := year.Validate(); err != nil {
		return calendar.Year{}, invalid(err.Error())
	}
	slices.Sort(year.Holidays)
	slices.Sort(year.Workdays)
	if err := s.Store.SaveCalendarYear(ctx, store.CalendarYear{Year: y, Holidays: year.Holidays,
		Workdays: year.Workdays, UpdatedBy: u.Username}); err != nil {
		return calendar.Year{}, err
	}
	year.Source = "override"
	return year, nil
}
