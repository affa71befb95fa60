package service

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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

// ByToken is the user a live session token belongs to (Unauthorized otherwise); what was
// read of a live session is trusted for sessionTTL (sessions.go).
func (s Users) ByToken(ctx context.Context, token string) (domain.User, error) {
	if u, ok := s.sessions.get(token); ok {
		return u, nil
	}
	u, err := s.Store.UserByToken(ctx, token)
	if err != nil {
		return u, err
	}
	s.sessions.put(token, u)
	return u, nil
}

// Logout ends the session of token.
func (s Users) Logout(ctx context.Context, token string) error {
	s.sessions.forget(token)
	defer s.sessions.forget(token) // and a request that read it meanwhile
	return s.Store.DeleteSession(ctx, token)
}

// Revoked is how many sessions of a user were ended.
type Revoked struct {
	Revoked  int    `json:"revoked"`
	Username string `json:"username"`
}

// RevokeSessions ends every session of a user (admin): whoever holds one must sign in again.
func (s Users) RevokeSessions(ctx context.Context, u domain.User, username string) (Revoked, error) {
	if err := require(u, RolesAdmin...); err != nil {
		return Revoked{}, err
	}
	defer s.sessions.forgetUser(username)
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
	if err := require(u, RolesAdmin...); err != nil {
		return calendar.Year{}, err
	}
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

// User administration (the administrator) and a user's own password.

// require refuses the operation to every role but these.
func require(u domain.User, roles ...string) error {
	if slices.Contains(roles, u.Role) {
		return nil
	}
	return forbidden("您的角色无权执行此操作 (your role may not do this)")
}

// UserRecord is a user as the administrator manages it.
type UserRecord = store.UserRecord

// MinPassword is the shortest password accepted.
const MinPassword = 8

// checkPassword refuses a password shorter than MinPassword, longer than bcrypt reads (72
// bytes), or with control characters.
func checkPassword(field, p string) error {
	switch {
	case utf8.RuneCountInString(p) < MinPassword:
		return invalid(fmt.Sprintf("%s: 至少 %d 个字符 (at least %d characters)", field, MinPassword, MinPassword))
	case len(p) > 72:
		return invalid(field + ": 最多 72 字节 (at most 72 bytes)")
	case domain.TextProblem(p, true) != "":
		return invalid(field + ": " + domain.TextProblem(p, true))
	}
	return nil
}

// checkRoleUnit checks a role and its unit: a unit's user names a responsible unit, an
// office's one of the two offices, any other role none.
func (s Users) checkRoleUnit(ctx context.Context, role, unit string) error {
	if _, ok := domain.Roles[role]; !ok {
		return invalid(fmt.Sprintf("role: %q 无效 (unknown role)", role))
	}
	switch role {
	case domain.RoleUnit:
		u, err := s.Store.GetUnit(ctx, unit)
		if err != nil {
			return referenced(err, "unit")
		}
		if !u.Responsible() {
			return invalid(fmt.Sprintf("unit: %s 不是承办单位 (not a responsible unit)", unit))
		}
	case domain.RoleSupervision:
		if _, ok := domain.Offices[unit]; !ok {
			return invalid("unit: 督查室应为 party 或 government (party or government)")
		}
	default:
		if unit != "" {
			return invalid("unit: 该角色不属于单位 (this role has no unit)")
		}
	}
	return nil
}

// ListUsers is every user (the administrator).
func (s Users) ListUsers(ctx context.Context, u domain.User) ([]UserRecord, error) {
	if err := require(u, RolesAdmin...); err != nil {
		return nil, err
	}
	return s.Store.ListUsers(ctx)
}

// NewUserRequest is a user the administrator adds.
type NewUserRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Unit        string `json:"unit"`
	Password    string `json:"password"`
}

// CreateUser adds a user (the administrator); recorded.
func (s Users) CreateUser(ctx context.Context, u domain.User, req NewUserRequest) (UserRecord, error) {
	if err := require(u, RolesAdmin...); err != nil {
		return UserRecord{}, err
	}
	req.Username, req.DisplayName = strings.TrimSpace(req.Username), strings.TrimSpace(req.DisplayName)
	if req.Username == "" {
		return UserRecord{}, invalid("username: 必填 (required)")
	}
	if err := workflows.CheckLine("username", req.Username, workflows.MaxIDLength); err != nil {
		return UserRecord{}, err
	}
	if strings.ContainsAny(req.Username, " /\\?#%") {
		return UserRecord{}, invalid("username: 不能含空格或 / \\ ? # % (no spaces or / \\ ? # %)")
	}
	if err := workflows.CheckLine("display_name", req.DisplayName, 100); err != nil {
		return UserRecord{}, err
	}
	if err := s.checkRoleUnit(ctx, req.Role, req.Unit); err != nil {
		return UserRecord{}, err
	}
	if err := checkPassword("password", req.Password); err != nil {
		return UserRecord{}, err
	}
	if err := s.Store.AddUser(ctx, store.NewUser{Username: req.Username, DisplayName: req.DisplayName, Role: req.Role,
		Unit: req.Unit, Password: req.Password}, u.Username); err != nil {
		return UserRecord{}, err
	}
	return s.Store.UserRecordOf(ctx, req.Username)
}

// UserChange is what the administrator changes of a user; a field left out stays.
type UserChange struct {
	DisplayName *string `json:"display_name"`
	Role        *string `json:"role"`
	Unit        *string `json:"unit"`
	Disabled    *bool   `json:"disabled"`
}

// UpdateUser changes a user's name, role, unit or whether they may sign in (the
// administrator; not their own role, and not disabling themselves); recorded. A change of
// role or unit, or a disabling, ends the user's sessions.
func (s Users) UpdateUser(ctx context.Context, u domain.User, username string, ch UserChange) (UserRecord, error) {
	if err := require(u, RolesAdmin...); err != nil {
		return UserRecord{}, err
	}
	before, err := s.Store.UserRecordOf(ctx, username)
	if err != nil {
		return UserRecord{}, err
	}
	if username == u.Username && (ch.Role != nil && *ch.Role != before.Role || ch.Disabled != nil && *ch.Disabled) {
		return UserRecord{}, newError(Conflict, "own_account", "不能停用自己的账号或改变自己的角色 (an administrator may not disable their own account or change their own role)")
	}
	if ch.DisplayName != nil {
		if err := workflows.CheckLine("display_name", *ch.DisplayName, 100); err != nil {
			return UserRecord{}, err
		}
	}
	role, unit := before.Role, before.Unit
	if ch.Role != nil {
		role = *ch.Role
	}
	if ch.Unit != nil {
		unit = *ch.Unit
	}
	if err := s.checkRoleUnit(ctx, role, unit); err != nil {
		return UserRecord{}, err
	}
	defer s.sessions.forgetUser(username) // a new name, role or unit is read afresh
	return s.Store.UpdateUser(ctx, username, store.UserUpdate{DisplayName: ch.DisplayName, Role: ch.Role, Unit: ch.Unit,
		Disabled: ch.Disabled}, u.Username)
}

// PasswordReset is a new password the administrator gives a user.
type PasswordReset struct {
	Password string `json:"password"`
}

// ResetPassword gives a user a new password (the administrator): every session of theirs
// ends; recorded.
func (s Users) ResetPassword(ctx context.Context, u domain.User, username string, req PasswordReset) error {
	if err := require(u, RolesAdmin...); err != nil {
		return err
	}
	if err := checkPassword("password", req.Password); err != nil {
		return err
	}
	defer s.sessions.forgetUser(username)
	return s.Store.SetPassword(ctx, username, req.Password, "password_reset", u.Username, "")
}

// PasswordChange is a user's change of their own password.
type PasswordChange struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
	// Session is the session it is changed from, which stays signed in; every other ends.
	Session string `json:"-"`
}

// ChangePassword changes the user's own password, given the old one; recorded.
func (s Users) ChangePassword(ctx context.Context, u domain.User, req PasswordChange) error {
	if _, err := s.Store.Authenticate(ctx, u.Username, req.OldPassword); err != nil {
		if errors.Is(err, store.ErrUnauthorized) {
			return invalid("old_password: 原密码不正确 (the old password is wrong)")
		}
		return err
	}
	if err := checkPassword("new_password", req.NewPassword); err != nil {
		return err
	}
	if req.NewPassword == req.OldPassword {
		return invalid("new_password: 新密码不能与原密码相同 (the new password is the old one)")
	}
	defer s.sessions.forgetUser(u.Username) // the other sessions end
	return s.Store.SetPassword(ctx, u.Username, req.NewPassword, "password_changed", u.Username, req.Session)
}

// UserChanges is every change of a user, newest first (the administrator).
func (s Users) UserChanges(ctx context.Context, u domain.User, username string) ([]store.UserChange, error) {
	if err := require(u, RolesAdmin...); err != nil {
		return nil, err
	}
	if _, err := s.Store.UserRecordOf(ctx, username); err != nil {
		return nil, err
	}
	return s.Store.UserChanges(ctx, username)
}
