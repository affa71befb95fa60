package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Throttle says when failed logins lock a key (a username or a client address): after
// Threshold failures within Window, for Base, doubling with every further failure up to Max.
type Throttle struct {
	Threshold int
	Base, Max time.Duration
	Window    time.Duration
}

// LoginBlocked says how long logins for any of these keys remain refused (zero: allowed).
func (s *Store) LoginBlocked(ctx context.Context, keys ...string) (time.Duration, error) {
	var ms *float64
	err := s.pool.QueryRow(ctx, `SELECT extract(epoch FROM max(locked_until) - now()) * 1000
		FROM login_throttle WHERE key = ANY ($1) AND locked_until > now()`, keys).Scan(&ms)
	if err != nil {
		return 0, fmt.Errorf("store: login throttle: %w", err)
	}
	if ms == nil {
		return 0, nil
	}
	return time.Duration(*ms) * time.Millisecond, nil
}

// RecordLoginFailure counts a failed login against key and locks it once it reaches the
// throttle's threshold; it returns how long the key is now locked (zero: not locked).
func (s *Store) RecordLoginFailure(ctx context.Context, key string, t Throttle) (time.Duration, error) {
	var lock time.Duration
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		failures := 0
		var last time.Time
		err := tx.QueryRow(ctx, `SELECT failures, last_failure FROM login_throttle WHERE key = $1 FOR UPDATE`, key).
			Scan(&failures, &last)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err == nil && time.Since(last) > t.Window {
			failures = 0 // the earlier failures are too old to count
		}
		failures++
		var until *time.Time
		if failures >= t.Threshold {
			lock = t.Base << min(failures-t.Threshold, 20)
			if lock > t.Max || lock <= 0 {
				lock = t.Max
			}
			u := time.Now().Add(lock)
			until = &u
		}
		_, err = tx.Exec(ctx, `INSERT INTO login_throttle (key, failures, last_failure, locked_until) VALUES ($1, $2, now(), $3)
			ON CONFLICT (key) DO UPDATE SET failures = EXCLUDED.failures, last_failure = now(), locked_until = EXCLUDED.locked_until`,
			key, failures, until)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: login failure: %w", err)
	}
	return lock, nil
}

// ResetLoginFailures forgets the failures counted against key (after a successful login).
func (s *Store) ResetLoginFailures(ctx context.Context, key string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_throttle WHERE key = $1`, key); err != nil {
		return fmt.Errorf("store: login throttle: %w", err)
	}
	return nil
}

// Login attempt outcomes.
const (
	LoginOK        = "ok"
	LoginFailed    = "failed"
	LoginThrottled = "throttled"
)

// LoginAttempt is one recorded login attempt.
type LoginAttempt struct {
	Username   string    `json:"username" db:"username"`
	ClientAddr string    `json:"client_addr" db:"client_addr"`
	Outcome    string    `json:"outcome" db:"outcome"`
	At         time.Time `json:"at" db:"at"`
}

// RecordLoginAttempt records a login attempt and its outcome.
func (s *Store) RecordLoginAttempt(ctx context.Context, username, addr, outcome string) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO login_attempts (username, client_addr, outcome) VALUES ($1, $2, $3)`,
		username, addr, outcome); err != nil {
		return fmt.Errorf("store: login attempt: %w", err)
	}
	return nil
}

// LoginAttempts lists the latest login attempts for a username, newest first.
func (s *Store) LoginAttempts(ctx context.Context, username string, limit int) ([]LoginAttempt, error) {
	return queryAll[LoginAttempt](ctx, s, "login attempts", `SELECT username, client_addr, outcome, at FROM login_attempts
		WHERE username = $1 ORDER BY at DESC, id DESC LIMIT $2`, username, limit)
}

// DeleteSession revokes one bearer token (logout). An unknown token is not an error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	sum := sha256.Sum256([]byte(token))
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, sum[:]); err != nil {
		return fmt.Errorf("store: logout: %w", err)
	}
	return nil
}

// RevokeSessions revokes every token of a user and says how many there were; an unknown
// user is ErrNotFound.
func (s *Store) RevokeSessions(ctx context.Context, username string) (int, error) {
	var id int64
	if err := s.pool.QueryRow(ctx, `SELECT id FROM users WHERE username = $1`, username).Scan(&id); err != nil {
		return 0, notFound(err, EntityUser, username)
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
	if err != nil {
		return 0, fmt.Errorf("store: revoke sessions of %s: %w", username, err)
	}
	return int(tag.RowsAffected()), nil
}
