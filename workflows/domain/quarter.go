package domain

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Quarter is a calendar quarter in Shanghai, the period of a quarterly report (季度调研报告).
type Quarter struct {
	Year int `json:"year"`
	Q    int `json:"q"` // 1–4
}

var quarterPattern = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)

// ParseQuarter reads "2026-Q3".
func ParseQuarter(s string) (Quarter, error) {
	m := quarterPattern.FindStringSubmatch(s)
	if m == nil {
		return Quarter{}, fmt.Errorf("%q 应为 2026-Q3 这样的季度 (a quarter like 2026-Q3)", s)
	}
	y, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	if err := CheckYear(y); err != nil {
		return Quarter{}, err
	}
	return Quarter{Year: y, Q: q}, nil
}

// QuarterOf is the quarter t falls in (Shanghai).
func QuarterOf(t time.Time) Quarter {
	t = t.In(Shanghai)
	return Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1}
}

func (q Quarter) String() string { return fmt.Sprintf("%d-Q%d", q.Year, q.Q) }

// Start is the quarter's first instant (Shanghai).
func (q Quarter) Start() time.Time {
	return time.Date(q.Year, time.Month(3*q.Q-2), 1, 0, 0, 0, 0, Shanghai)
}

// End is the first instant after the quarter.
func (q Quarter) End() time.Time { return q.Start().AddDate(0, 3, 0) }

// Deadline is when the quarter's submissions are due: 00:00 on the 10th of the month after
// the quarter (10 April, July, October, January), Shanghai. A submission before it is on time.
func (q Quarter) Deadline() time.Time { return q.End().AddDate(0, 0, 9) }

// Next is the quarter after q; Prev the one before.
func (q Quarter) Next() Quarter { return QuarterOf(q.End()) }
func (q Quarter) Prev() Quarter { return QuarterOf(q.Start().Add(-time.Hour)) }

// Report statuses: open while the quarter runs, collecting until the deadline, closed after.
const (
	ReportOpen       = "open"
	ReportCollecting = "collecting"
	ReportClosed     = "closed"
)

// ReportStatusLabels name the report statuses.
var ReportStatusLabels = map[string]string{ReportOpen: "进行中", ReportCollecting: "收集中", ReportClosed: "已截止"}

// Submission statuses.
const (
	SubmissionMissing = "missing"
	SubmissionOnTime  = "on_time"
	SubmissionLate    = "late"
)

// Status is the report's status at t: closed once its final version is written (final),
// else as StatusAt. Every report status is derived here.
func (q Quarter) Status(t time.Time, final bool) string {
	if final {
		return ReportClosed
	}
	return q.StatusAt(t)
}

// StatusAt is the report's status at t by the calendar alone: open while the quarter runs,
// collecting until the deadline, closed after.
func (q Quarter) StatusAt(t time.Time) string {
	switch {
	case t.Before(q.End()):
		return ReportOpen
	case t.Before(q.Deadline()):
		return ReportCollecting
	}
	return ReportClosed
}

// ReminderDays are how many days before the deadline leaders still owing a submission
// are reminded, at ReminderHour on that day.
var ReminderDays = []int{7, 3, 1}

// ReminderHour is the hour (Shanghai) reminders go out.
const ReminderHour = 9

// Reminders are the instants of the reminders, in order.
func (q Quarter) Reminders() []time.Time {
	out := make([]time.Time, len(ReminderDays))
	for i, d := range ReminderDays {
		out[i] = q.Deadline().AddDate(0, 0, -d).Add(ReminderHour * time.Hour)
	}
	return out
}
