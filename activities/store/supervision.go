package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/putian-fic/caseflow/workflows/domain"
)

// CalendarYear is a year's holidays and make-up working days entered by an administrator.
type CalendarYear struct {
	Year      int       `json:"year" db:"year"`
	Holidays  []string  `json:"holidays" db:"holidays"`
	Workdays  []string  `json:"workdays" db:"workdays"`
	UpdatedBy string    `json:"updated_by" db:"updated_by"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// CalendarYears returns every year an administrator entered.
func (s *Store) CalendarYears(ctx context.Context) ([]CalendarYear, error) {
	return queryAll[CalendarYear](ctx, s, "calendar", `SELECT year, holidays, workdays, updated_by, updated_at FROM calendar_years ORDER BY year`)
}

// SaveCalendarYear enters (or replaces) a year's holidays and make-up working days; this
// process counts working days with them at once.
func (s *Store) SaveCalendarYear(ctx context.Context, y CalendarYear) error {
	defer s.forgetCalendar()
	_, err := s.pool.Exec(ctx, `
		INSERT INTO calendar_years (year, holidays, workdays, updated_by) VALUES ($1,$2,$3,$4)
		ON CONFLICT (year) DO UPDATE SET holidays = EXCLUDED.holidays, workdays = EXCLUDED.workdays,
			updated_by = EXCLUDED.updated_by, updated_at = now()`, y.Year, domain.NonNil(y.Holidays), domain.NonNil(y.Workdays), y.UpdatedBy)
	if err != nil {
		return fmt.Errorf("store: save calendar %d: %w", y.Year, err)
	}
	return nil
}

const noticeColumns = `no, case_id, deadline_kind, deadline, card, unit, office, issued_at, note`

// IssueNotice numbers a supervision notice. It is idempotent: the ladder's — the same case,
// deadline and card — and one by hand — the same case and Key — always get the notice
// issued the first time.
func (s *Store) IssueNotice(ctx context.Context, n domain.Notice) (domain.Notice, error) {
	var out domain.Notice
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var rows pgx.Rows
		if n.Key != "" {
			rows, _ = tx.Query(ctx, `SELECT `+noticeColumns+` FROM supervision_notices WHERE case_id = $1 AND manual_key = $2`,
				n.CaseID, n.Key)
		} else {
			rows, _ = tx.Query(ctx, `SELECT `+noticeColumns+` FROM supervision_notices
				WHERE case_id = $1 AND deadline_kind = $2 AND deadline = $3 AND card = $4 AND manual_key IS NULL`,
				n.CaseID, n.DeadlineKind, n.Deadline, n.Card)
		}
		existing, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Notice])
		if err == nil {
			out = existing
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		year := n.IssuedAt.In(domain.Shanghai).Year()
		var num int
		if err := tx.QueryRow(ctx, `INSERT INTO notice_counters (year, last) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last = notice_counters.last + 1 RETURNING last`, year).Scan(&num); err != nil {
			return err
		}
		n.No = fmt.Sprintf("DB-%d-%04d", year, num)
		rows, _ = tx.Query(ctx, `INSERT INTO supervision_notices (`+noticeColumns+`, manual_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
			RETURNING `+noticeColumns, n.No, n.CaseID, n.DeadlineKind, n.Deadline, n.Card, n.Unit, n.Office, n.IssuedAt, n.Note,
			nullable(n.Key))
		out, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Notice])
		return err
	})
	if err != nil {
		return domain.Notice{}, fmt.Errorf("store: issue notice for %s: %w", n.CaseID, err)
	}
	return out, nil
}

// NoticeFilter selects supervision notices; empty fields do not filter.
type NoticeFilter struct {
	CaseID, Card, Unit, Office string
	// FollowedBy keeps the notices on cases this leader follows (case_leaders).
	FollowedBy string
}

// ListNotices returns supervision notices, newest first.
func (s *Store) ListNotices(ctx context.Context, f NoticeFilter) ([]domain.Notice, error) {
	return queryAll[domain.Notice](ctx, s, "notices", `SELECT n.no, n.case_id, n.deadline_kind, n.deadline, n.card, n.unit, n.office, n.issued_at, n.note
		FROM supervision_notices n JOIN cases c ON c.id = n.case_id
		WHERE ($1 = '' OR n.case_id = $1) AND ($2 = '' OR n.card = $2) AND ($3 = '' OR n.unit = $3)
		  AND ($4 = '' OR n.office = $4) AND ($5 = '' OR EXISTS (SELECT 1 FROM case_leaders cl WHERE cl.case_id = n.case_id AND cl.leader = $5))
		ORDER BY n.issued_at DESC, n.no DESC LIMIT 500`, f.CaseID, f.Card, f.Unit, f.Office, f.FollowedBy)
}

// Notification is one message to one user by one channel.
type Notification struct {
	ID          int64           `json:"id" db:"id"`
	CaseID      string          `json:"case_id" db:"case_id"`
	Seq         int             `json:"seq" db:"seq"`
	EventType   string          `json:"event_type" db:"event_type"`
	Username    string          `json:"username" db:"username"`
	Channel     string          `json:"channel" db:"channel"`
	Address     string          `json:"address" db:"address"`
	Payload     json.RawMessage `json:"payload" db:"payload"`
	Status      string          `json:"status" db:"status"`
	Attempts    int             `json:"attempts" db:"attempts"`
	LastError   string          `json:"last_error" db:"last_error"`
	CreatedAt   time.Time       `json:"created_at" db:"created_at"`
	DeliveredAt *time.Time      `json:"delivered_at" db:"delivered_at"`
}

const notificationColumns = `id, coalesce(case_id, '') AS case_id, seq, event_type, username, channel, address, payload, status, attempts, last_error, created_at, delivered_at`

// writeNotifications puts an event's notifications in the outbox, inside the event's
// transaction: one row per user and enabled channel. It says how many it queued.
func writeNotifications(ctx context.Context, tx pgx.Tx, ev domain.Event, a *domain.Audience, payload []byte) (int64, error) {
	tag, err := tx.Exec(ctx, `
		INSERT INTO notifications (case_id, seq, event_type, username, channel, address, payload)
		SELECT $1, $2, $3, u.username, ch.channel, ch.address, $8
		FROM users u CROSS JOIN LATERAL (VALUES ($9::text, u.email, u.notify_email),
			($10::text, u.webhook_url, u.notify_webhook)) AS ch (channel, address, enabled)
		WHERE ch.enabled AND ch.address <> '' AND (
			(u.role = $11 AND u.unit_id = ANY ($4)) OR (u.role = $12 AND u.unit_id = ANY ($5))
			OR u.role = ANY ($6) OR u.username = ANY ($7))
		ON CONFLICT DO NOTHING`,
		ev.CaseID, ev.Seq, ev.Type, domain.NonNil(a.Units), domain.NonNil(a.Offices), domain.NonNil(a.Roles),
		domain.NonNil(a.Users), payload, domain.ChannelEmail, domain.ChannelWebhook, domain.RoleUnit, domain.RoleSupervision)
	if err != nil {
		return 0, fmt.Errorf("store: outbox %s#%d: %w", ev.CaseID, ev.Seq, err)
	}
	return tag.RowsAffected(), nil
}

// PendingNotifications returns the notifications of a case not yet delivered, from
// sequence number seq on.
func (s *Store) PendingNotifications(ctx context.Context, caseID string, seq int) ([]Notification, error) {
	return queryAll[Notification](ctx, s, "pending notifications", `SELECT `+notificationColumns+` FROM notifications
		WHERE case_id = $1 AND seq >= $2 AND status = $3 ORDER BY id`, caseID, seq, domain.DeliveryPending)
}

// MarkNotification records a delivery attempt: delivered when deliveryErr is nil;
// otherwise the error is kept and, after the last attempt, the notification is failed.
func (s *Store) MarkNotification(ctx context.Context, id int64, deliveryErr error, final bool) error {
	var err error
	if deliveryErr == nil {
		_, err = s.pool.Exec(ctx, `UPDATE notifications SET status = $2, attempts = attempts + 1,
			last_error = '', delivered_at = now() WHERE id = $1`, id, domain.DeliveryDelivered)
	} else {
		status := domain.DeliveryPending
		if final {
			status = domain.DeliveryFailed
		}
		_, err = s.pool.Exec(ctx, `UPDATE notifications SET status = $2, attempts = attempts + 1, last_error = $3
			WHERE id = $1 AND status <> $4`, id, status, deliveryErr.Error(), domain.DeliveryDelivered)
	}
	if err != nil {
		return fmt.Errorf("store: mark notification %d: %w", id, err)
	}
	return nil
}

// CaseNotifications lists a case's notifications with their delivery status.
func (s *Store) CaseNotifications(ctx context.Context, caseID string) ([]Notification, error) {
	return queryAll[Notification](ctx, s, "notifications", `SELECT `+notificationColumns+` FROM notifications WHERE case_id = $1 ORDER BY id`, caseID)
}

// NotificationSettings is how a user wants to be told.
type NotificationSettings struct {
	Email         string `json:"email"`
	WebhookURL    string `json:"webhook_url"`
	NotifyEmail   bool   `json:"notify_email"`
	NotifyWebhook bool   `json:"notify_webhook"`
}

// SetNotificationSettings stores a user's notification settings.
func (s *Store) SetNotificationSettings(ctx context.Context, username string, n NotificationSettings) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET email = $2, webhook_url = $3, notify_email = $4, notify_webhook = $5
		WHERE username = $1`, username, n.Email, n.WebhookURL, n.NotifyEmail, n.NotifyWebhook)
	if err != nil {
		return fmt.Errorf("store: notification settings: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return storeError(EntityUser, username, ErrNotFound, "")
	}
	return nil
}

// GetNotificationSettings returns a user's notification settings.
func (s *Store) GetNotificationSettings(ctx context.Context, username string) (NotificationSettings, error) {
	var n NotificationSettings
	err := s.pool.QueryRow(ctx, `SELECT email, webhook_url, notify_email, notify_webhook FROM users WHERE username = $1`,
		username).Scan(&n.Email, &n.WebhookURL, &n.NotifyEmail, &n.NotifyWebhook)
	if err != nil {
		return n, notFound(err, EntityUser, username)
	}
	return n, nil
}

// nullable is s, or NULL for "".
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
