package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/bcrypt"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// NewUser is what it takes to create a user.
type NewUser struct {
	Username    string
	DisplayName string
	Role        string
	Unit        string // empty for roles without a unit
	Password    string
}

// CreateUser adds a user with a bcrypt-hashed password. An existing username is
// ErrConflict unless ifAbsent, in which case nothing changes and the existing user is kept.
func (s *Store) CreateUser(ctx context.Context, u NewUser, ifAbsent bool) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("store: create user %s: %w", u.Username, err)
	}
	return s.insertUser(ctx, u, hash, ifAbsent)
}

func (s *Store) insertUser(ctx context.Context, u NewUser, hash []byte, ifAbsent bool) error {
	var unit *string
	if u.Unit != "" {
		unit = &u.Unit
	}
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO users (username, display_name, role, unit_id, password_hash) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (username) DO NOTHING`, u.Username, u.DisplayName, u.Role, unit, string(hash))
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return storeError(EntityUnit, u.Unit, ErrNotFound, "the unit of user "+u.Username)
		}
		return fmt.Errorf("store: create user %s: %w", u.Username, err)
	}
	if tag.RowsAffected() == 0 && !ifAbsent {
		return storeError(EntityUser, u.Username, ErrConflict, "")
	}
	return nil
}

// dummyHash keeps Authenticate's timing the same whether or not the username exists. It
// is made on first use, so that importing the store costs no bcrypt hash.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("caseflow-dummy"), bcrypt.DefaultCost)
	return h
})

// Authenticate checks a username and password; a wrong pair is ErrUnauthorized.
func (s *Store) Authenticate(ctx context.Context, username, password string) (domain.User, error) {
	var u domain.User
	var hash string
	var disabled bool
	err := s.pool.QueryRow(ctx, `
		SELECT id, username, display_name, role, coalesce(unit_id, ''), password_hash, disabled FROM users WHERE username = $1`,
		username).Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Unit, &hash, &disabled)
	if errors.Is(err, pgx.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return domain.User{}, storeError(EntityUser, username, ErrUnauthorized, "wrong username or password")
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("store: authenticate: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return domain.User{}, storeError(EntityUser, username, ErrUnauthorized, "wrong username or password")
	}
	if disabled {
		return domain.User{}, storeError(EntityUser, username, ErrDisabled, "the account is disabled")
	}
	return u, nil
}

// CreateSession issues a random bearer token for the user, valid for ttl. Only the token's
// hash is stored.
func (s *Store) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (token string, expires time.Time, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, fmt.Errorf("store: create session: %w", err)
	}
	token = hex.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	expires = time.Now().Add(ttl).UTC().Truncate(time.Second)
	if _, err := s.pool.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1,$2,$3)`,
		sum[:], userID, expires); err != nil {
		return "", time.Time{}, fmt.Errorf("store: create session: %w", err)
	}
	// Sweep expired sessions now and then; the index keeps it cheap.
	_, _ = s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at < now() - interval '1 day'`)
	return token, expires, nil
}

// UserByToken returns the user a live bearer token belongs to, or ErrUnauthorized.
func (s *Store) UserByToken(ctx context.Context, token string) (domain.User, error) {
	sum := sha256.Sum256([]byte(token))
	var u domain.User
	err := s.pool.QueryRow(ctx, `
		SELECT u.id, u.username, u.display_name, u.role, coalesce(u.unit_id, '')
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`, sum[:]).Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Unit)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.User{}, storeError(EntitySession, "", ErrUnauthorized, "no live session for the token")
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("store: token: %w", err)
	}
	return u, nil
}

// UserRecord is a user as the administrator manages it.
type UserRecord struct {
	Username    string    `json:"username" db:"username"`
	DisplayName string    `json:"display_name" db:"display_name"`
	Role        string    `json:"role" db:"role"`
	Unit        string    `json:"unit" db:"unit"`
	Disabled    bool      `json:"disabled" db:"disabled"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
}

// UserChange is one change of a user: what (created, updated, disabled, enabled,
// password_reset, password_changed), its detail, who made it and when.
type UserChange struct {
	Username string          `json:"username" db:"username"`
	Change   string          `json:"change" db:"change"`
	Detail   json.RawMessage `json:"detail" db:"detail"`
	By       string          `json:"by" db:"by_user"`
	At       time.Time       `json:"at" db:"at"`
}

const userColumns = `username, display_name, role, coalesce(unit_id, '') AS unit, disabled, created_at`

// ListUsers is every user, by username.
func (s *Store) ListUsers(ctx context.Context) ([]UserRecord, error) {
	return queryAll[UserRecord](ctx, s, "users", `SELECT `+userColumns+` FROM users ORDER BY username`)
}

// UserRecordOf is one user.
func (s *Store) UserRecordOf(ctx context.Context, username string) (UserRecord, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[UserRecord])
	if errors.Is(err, pgx.ErrNoRows) {
		return u, storeError(EntityUser, username, ErrNotFound, "")
	}
	if err != nil {
		return u, fmt.Errorf("store: user %s: %w", username, err)
	}
	return u, nil
}

// AddUser creates a user (as CreateUser) and records who did.
func (s *Store) AddUser(ctx context.Context, u NewUser, by string) error {
	if err := s.CreateUser(ctx, u, false); err != nil {
		return err
	}
	return s.recordUserChange(ctx, s.pool, u.Username, "created",
		map[string]string{"role": u.Role, "unit": u.Unit, "display_name": u.DisplayName}, by)
}

// UserUpdate is what an administrator changes of a user; nil leaves it.
type UserUpdate struct {
	DisplayName, Role, Unit *string
	Disabled                *bool
}

// UpdateUser changes a user and records the change; a user disabled, or given another role
// or unit, signs in again (their sessions end).
func (s *Store) UpdateUser(ctx context.Context, username string, up UserUpdate, by string) (UserRecord, error) {
	var out UserRecord
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1 FOR UPDATE`, username)
		before, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[UserRecord])
		if errors.Is(err, pgx.ErrNoRows) {
			return storeError(EntityUser, username, ErrNotFound, "")
		}
		if err != nil {
			return err
		}
		after := before
		for _, f := range []struct {
			to   *string
			into *string
		}{{up.DisplayName, &after.DisplayName}, {up.Role, &after.Role}, {up.Unit, &after.Unit}} {
			if f.to != nil {
				*f.into = *f.to
			}
		}
		if up.Disabled != nil {
			after.Disabled = *up.Disabled
		}
		var unit *string
		if after.Unit != "" {
			unit = &after.Unit
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET display_name = $2, role = $3, unit_id = $4, disabled = $5 WHERE username = $1`,
			username, after.DisplayName, after.Role, unit, after.Disabled); err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23503" {
				return storeError(EntityUnit, after.Unit, ErrNotFound, "the unit of user "+username)
			}
			return err
		}
		change := "updated"
		switch {
		case after.Disabled && !before.Disabled:
			change = "disabled"
		case !after.Disabled && before.Disabled:
			change = "enabled"
		}
		if err := s.recordUserChange(ctx, tx, username, change, map[string]any{"before": before, "after": after}, by); err != nil {
			return err
		}
		if after.Disabled || after.Role != before.Role || after.Unit != before.Unit {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)`, username); err != nil {
				return err
			}
		}
		out = after
		return nil
	})
	var se *Error
	if err != nil && !errors.As(err, &se) {
		err = fmt.Errorf("store: update user %s: %w", username, err)
	}
	return out, err
}

// SetPassword gives a user a new password and records the change (change: password_reset
// by an administrator, password_changed by the user); every session of theirs ends but
// keep's (the session the user changed it from; "" for none).
func (s *Store) SetPassword(ctx context.Context, username, password, change, by, keep string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	keepSum := sha256.Sum256([]byte(keep))
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2 WHERE username = $1`, username, string(hash))
		if err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return storeError(EntityUser, username, ErrNotFound, "")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1) AND token_hash <> $2`,
			username, keepSum[:]); err != nil {
			return fmt.Errorf("store: set password: %w", err)
		}
		return s.recordUserChange(ctx, tx, username, change, map[string]any{}, by)
	})
}

// UserChanges is every change of a user, newest first.
func (s *Store) UserChanges(ctx context.Context, username string) ([]UserChange, error) {
	return queryAll[UserChange](ctx, s, "user changes", `SELECT username, change, detail, by_user, at FROM user_changes
		WHERE username = $1 ORDER BY at DESC, id DESC`, username)
}

type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func (s *Store) recordUserChange(ctx context.Context, db execer, username, change string, detail any, by string) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	if _, err := db.Exec(ctx, `INSERT INTO user_changes (username, change, detail, by_user) VALUES ($1,$2,$3,$4)`,
		username, change, raw, by); err != nil {
		return fmt.Errorf("store: record a change of user %s: %w", username, err)
	}
	return nil
}
