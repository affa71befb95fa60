package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/store/pgcluster"
	"github.com/putian-fic/caseflow/workflows"
	"github.com/putian-fic/caseflow/workflows/domain"
)

func userCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users"}
	cfg := configFromEnv()
	var u store.NewUser
	var email, webhook string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a user (DATABASE_URL, or the private PostgreSQL of --data-dir)",
		Example: `  caseflow user create --username unit-hanjiang2 --role unit --unit hanjiang --password '...'
  CASEFLOW_PASSWORD='...' caseflow user create --username zhang --role member_dept`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if u.Password == "" {
				u.Password = cfg.Password
			}
			if u.Username == "" || u.Password == "" {
				return errors.New("--username and a password (--password or CASEFLOW_PASSWORD) are required")
			}
			if _, ok := domain.Roles[u.Role]; !ok {
				return fmt.Errorf("--role %q: must be one of leader, member_dept, supervision, unit, efficiency, admin", u.Role)
			}
			if (u.Role == domain.RoleUnit || u.Role == domain.RoleSupervision) && u.Unit == "" {
				return fmt.Errorf("--unit is required for role %s (a unit id, or party/government for supervision)", u.Role)
			}
			if err := workflows.CheckLine("username", u.Username, workflows.MaxIDLength); err != nil {
				return err
			}
			if err := workflows.CheckLine("display-name", u.DisplayName, 200); err != nil {
				return err
			}
			if email != "" {
				if err := activities.CheckEmail(email); err != nil {
					return fmt.Errorf("--email: %w", err)
				}
			}
			if webhook != "" {
				if err := activities.CheckWebhookURL(ctx, webhook, cfg.AllowPrivateWebhooks); err != nil {
					return fmt.Errorf("--webhook-url: %w", err)
				}
			}
			dbURL := cfg.DatabaseURL
			if dbURL == "" {
				cluster, err := pgcluster.Start(ctx, filepath.Join(cfg.DataDir, "postgres"))
				if err != nil {
					return err
				}
				defer cluster.StopIfStarted()
				dbURL = cluster.URL()
			}
			st, err := store.Connect(ctx, dbURL)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Migrate(ctx); err != nil {
				return err
			}
			if err := st.CreateUser(ctx, u, false); err != nil {
				switch {
				case errors.Is(err, store.ErrConflict):
					return fmt.Errorf("user %s already exists", u.Username)
				case errors.Is(err, store.ErrNotFound):
					return fmt.Errorf("unit %q does not exist (see GET /api/v1/units)", u.Unit)
				}
				return err
			}
			if email != "" || webhook != "" {
				if err := st.SetNotificationSettings(ctx, u.Username, store.NotificationSettings{Email: email, WebhookURL: webhook,
					NotifyEmail: email != "", NotifyWebhook: webhook != ""}); err != nil {
					return err
				}
			}
			fmt.Printf("user %s created (role %s)\n", u.Username, u.Role)
			return nil
		},
	}
	f := create.Flags()
	f.StringVar(&u.Username, "username", "", "login name")
	f.StringVar(&u.DisplayName, "display-name", "", "name shown to people")
	f.StringVar(&u.Role, "role", "", "leader, member_dept, supervision, unit, efficiency or admin")
	f.StringVar(&u.Unit, "unit", "", "unit id (role unit), or party/government (role supervision)")
	f.StringVar(&u.Password, "password", "", "password (or env CASEFLOW_PASSWORD)")
	f.StringVar(&email, "email", "", "e-mail address for notifications")
	f.StringVar(&webhook, "webhook-url", "", "webhook URL for notifications")
	f.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "data directory of `caseflow dev`, used when DATABASE_URL is unset")
	cmd.AddCommand(create)
	return cmd
}
