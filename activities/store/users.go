package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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
	err := s.pool.QueryRow(ctx, `
		SELECT id, username, display_name, role, coalesce(unit_id, ''), password_hash FROM users WHERE username = $1`,
		username).Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Unit, &hash)
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
		WHERE s.token_hash = $1 AND s.expires_at > now()`, sum[:]).Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Unit)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.User{}, storeError(EntitySession, "", ErrUnauthorized, "no live session for the token")
	}
	if err != nil {
		return domain.User{}, fmt.Errorf("store: token: %w", err)
	}
	return u, nil
}
