package activities

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/workflows/domain"
)

// Notifier delivers notifications by webhook and e-mail.
type Notifier struct {
	// SMTPAddr is the mail server (host:port); empty turns e-mail off.
	SMTPAddr string
	// From is the sender address of e-mails.
	From string
	// WebhookSecret signs webhook bodies (HMAC-SHA256, header X-Caseflow-Signature).
	// Without one, webhooks are not delivered: an unsigned (or empty-key) body could be
	// forged by anyone.
	WebhookSecret []byte
	// AllowPrivate lets webhooks reach loopback, link-local and private addresses
	// (CASEFLOW_WEBHOOK_ALLOW_PRIVATE=1); refused otherwise, after DNS resolution.
	AllowPrivate bool
	// Client sends webhooks (default: 10-second timeout, no proxy, public addresses
	// only unless AllowPrivate).
	Client *http.Client

	once   sync.Once
	client *http.Client
}

func (n *Notifier) httpClient() *http.Client {
	n.once.Do(func() {
		n.client = n.Client
		if n.client == nil {
			n.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
				Proxy: nil, DialContext: webhookDialer(n.AllowPrivate).DialContext, MaxIdleConnsPerHost: 2,
				IdleConnTimeout: 30 * time.Second, TLSHandshakeTimeout: 5 * time.Second},
				// A redirect could lead anywhere: it is not followed.
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		}
	})
	return n.client
}

// errNotConfigured: a channel caseflow was not set up for; retrying cannot help.
var errNotConfigured = errors.New("not configured")

// DeliverNotifications sends a case's pending notifications. A notification that fails is
// retried with the activity; after domain.MaxDeliveryAttempts it is marked failed. The case never
// waits for this.
func (a *Activities) DeliverNotifications(ctx context.Context, in domain.DeliverInput) error {
	var pending []store.Notification
	var err error
	if in.Period != "" {
		q, perr := domain.ParseQuarter(in.Period)
		if perr != nil {
			return temporal.NewNonRetryableApplicationError(perr.Error(), "invalid_input", perr)
		}
		pending, err = a.Store.PendingReportNotifications(ctx, q)
	} else {
		pending, err = a.Store.PendingNotifications(ctx, in.CaseID, in.Seq)
	}
	if err != nil {
		return err
	}
	lastAttempt := activity.GetInfo(ctx).Attempt >= domain.MaxDeliveryAttempts
	var failed []string
	for _, n := range pending {
		sendErr := a.Notifier.send(ctx, n)
		final := lastAttempt || errors.Is(sendErr, errNotConfigured)
		if err := a.Store.MarkNotification(ctx, n.ID, sendErr, final); err != nil {
			return err
		}
		if sendErr != nil && !final {
			failed = append(failed, fmt.Sprintf("%d (%s to %s): %v", n.ID, n.Channel, n.Username, sendErr))
		}
	}
	if len(failed) > 0 {
		return errors.New("undelivered: " + strings.Join(failed, "; "))
	}
	return nil
}

func (n *Notifier) send(ctx context.Context, msg store.Notification) error {
	if n == nil {
		return fmt.Errorf("notifications are %w", errNotConfigured)
	}
	switch msg.Channel {
	case domain.ChannelWebhook:
		return n.webhook(ctx, msg)
	case domain.ChannelEmail:
		return n.email(msg)
	}
	return fmt.Errorf("unknown channel %q", msg.Channel)
}

// Sign is the signature of a webhook body: "sha256=" and the hex HMAC-SHA256 with secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (n *Notifier) webhook(ctx context.Context, msg store.Notification) error {
	if len(n.WebhookSecret) == 0 {
		return fmt.Errorf("webhooks are %w (set CASEFLOW_WEBHOOK_SECRET)", errNotConfigured)
	}
	body := []byte(msg.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, msg.Address, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Caseflow-Delivery", fmt.Sprint(msg.ID))
	req.Header.Set("X-Caseflow-Event", msg.EventType)
	req.Header.Set("X-Caseflow-Signature", Sign(n.WebhookSecret, body))
	resp, err := n.httpClient().Do(req)
	if err != nil {
		if errors.Is(err, ErrPrivateAddress) {
			return fmt.Errorf("%w: %w", errNotConfigured, err) // will not get better by retrying
		}
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

func (n *Notifier) email(msg store.Notification) error {
	if n.SMTPAddr == "" {
		return fmt.Errorf("e-mail is %w (set CASEFLOW_SMTP_ADDR)", errNotConfigured)
	}
	var p struct {
		CaseID string `json:"case_id"`
		Title  string `json:"title"`
		Data   any    `json:"data"`
	}
	_ = json.Unmarshal(msg.Payload, &p)
	label := domain.EventLabels[msg.EventType]
	if label == "" {
		label = msg.EventType
	}
	subject := mime.BEncoding.Encode("UTF-8", fmt.Sprintf("【caseflow】%s %s", label, p.CaseID))
	data, _ := json.MarshalIndent(p.Data, "", "  ")
	body := fmt.Sprintf("%s\r\n案件：%s %s\r\n\r\n%s\r\n", label, p.CaseID, p.Title, strings.ReplaceAll(string(data), "\n", "\r\n"))
	raw := "From: " + n.From + "\r\nTo: " + msg.Address + "\r\nSubject: " + subject +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n" +
		"X-Caseflow-Delivery: " + fmt.Sprint(msg.ID) + "\r\n\r\n" + body
	return smtp.SendMail(n.SMTPAddr, nil, n.From, []string{msg.Address}, []byte(raw))
}
