package store

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Kinds of store errors; callers test them with errors.Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrUnauthorized = errors.New("unauthorized")
	// ErrDisabled: the account is disabled (its password was right).
	ErrDisabled = errors.New("disabled")
)

// Entities the store's errors name.
const (
	EntityCase           = "case"
	EntityUnit           = "unit"
	EntityEnterprise     = "enterprise"
	EntityUser           = "user"
	EntityRuleSet        = "rule set"
	EntityIdempotencyKey = "idempotency key"
	EntitySession        = "session"
)

// Error is a store error that says which entity, which id and what kind of failure: the
// API turns it into a status and a message in one place.
type Error struct {
	Entity string // EntityCase, EntityUnit...
	ID     string // the entity's id, when there is one
	Kind   error  // ErrNotFound, ErrConflict, ErrUnauthorized
	Detail string // what went wrong, for logs and developers
	Err    error  // the underlying error, if any
}

func (e *Error) Error() string {
	s := "store: " + e.Entity
	if e.ID != "" {
		s += " " + e.ID
	}
	s += ": " + e.Kind.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap makes errors.Is see both the kind and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

func storeError(entity, id string, kind error, detail string) *Error {
	return &Error{Entity: entity, ID: id, Kind: kind, Detail: detail}
}

// notFound turns pgx.ErrNoRows into the entity's not-found error and wraps anything else.
func notFound(err error, entity, id string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return storeError(entity, id, ErrNotFound, "")
	}
	return fmt.Errorf("store: %s %s: %w", entity, id, err)
}
