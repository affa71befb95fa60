package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/putian-fic/caseflow/activities"
	"github.com/putian-fic/caseflow/activities/store"
	"github.com/putian-fic/caseflow/activities/store/pgcluster"
	"github.com/putian-fic/caseflow/cmd/caseflow/datadir"
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
			st, done, err := cfg.adminStore(ctx, "caseflow user create")
			if err != nil {
				return err
			}
			defer done()
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

// adminStore opens the store for an administrative command (what: "caseflow user create"):
// DATABASE_URL, or the private PostgreSQL of `caseflow dev`'s --data-dir, with the
// migrations applied. done closes it. With no caseflow dev on the data directory the
// command holds it (datadir) while it starts the cluster and until it has stopped it again,
// so that a dev started meanwhile, or another such command, waits or is refused rather than
// left without its database. Beside a dev it only connects to the dev's cluster, waiting
// for it while the dev is still starting it, and never starts or stops it itself.
func (c Config) adminStore(ctx context.Context, what string) (st *store.Store, done func(), err error) {
	dbURL, stop := c.DatabaseURL, func() {}
	if dbURL == "" {
		if dbURL, stop, err = c.dataDirDatabase(ctx, what); err != nil {
			return nil, nil, err
		}
	}
	if st, err = store.Connect(ctx, dbURL); err != nil {
		stop()
		return nil, nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		stop()
		return nil, nil, err
	}
	return st, func() { st.Close(); stop() }, nil
}

// devStartWait is how long an administrative command waits for the PostgreSQL of a dev that
// holds the data directory to answer (dev's first start creates the cluster: seconds; the
// server itself is given two minutes to start).
const devStartWait = 150 * time.Second

// dataDirDatabase is the database of the private PostgreSQL of --data-dir for an
// administrative command, and what stops it when the command is done: the cluster the
// command started itself, holding the directory; or a running dev's, left running.
func (c Config) dataDirDatabase(ctx context.Context, what string) (url string, stop func(), err error) {
	pgDir := filepath.Join(c.DataDir, "postgres")
	deadline := time.Now().Add(devStartWait)
	for logged := false; ; {
		lock, err := datadir.Take(ctx, c.DataDir, what)
		var inUse *datadir.InUseError
		switch {
		case err == nil:
			cluster, err := pgcluster.Start(ctx, pgDir)
			if err != nil {
				lock.Release()
				return "", nil, err
			}
			return cluster.URL(), func() { cluster.StopIfStarted(); lock.Release() }, nil
		case !errors.As(err, &inUse) || inUse.Name != datadir.Dev:
			return "", nil, err
		}
		cluster, err := pgcluster.Attach(ctx, pgDir)
		if err == nil {
			return cluster.URL(), func() {}, nil
		}
		if !errors.Is(err, pgcluster.ErrNotRunning) {
			return "", nil, err
		}
		if time.Now().After(deadline) {
			return "", nil, fmt.Errorf("data directory %s is in use by caseflow dev (process %d), whose PostgreSQL does not answer; wait until it has started, or stop it",
				c.DataDir, inUse.PID)
		}
		if !logged {
			slog.Info("waiting for caseflow dev's PostgreSQL to start", "data_dir", c.DataDir, "pid", inUse.PID)
			logged = true
		}
		select {
		case <-ctx.Done():
			return "", nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// unitCommand: caseflow unit create — the responsible units and offices cases are referred
// to (the console and the API read them; no page adds them).
func unitCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "unit", Short: "Manage the responsible units and the supervision offices"}
	cfg := configFromEnv()
	var u domain.Unit
	var putian bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Add a unit, or rename one (DATABASE_URL, or the private PostgreSQL of --data-dir)",
		Example: `  caseflow unit create --putian      # Putian's counties, committees, departments and the two supervision offices
  caseflow unit create --id ecology --name 生态环境局 --kind department`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			units := []domain.Unit{u}
			switch {
			case putian && u.ID != "":
				return errors.New("--putian adds Putian's units; leave out --id, --name and --kind")
			case putian:
				units = store.PutianUnits
			default:
				if err := workflows.CheckLine("id", u.ID, workflows.MaxIDLength); err != nil || u.ID == "" {
					return fmt.Errorf("--id is required: a short id such as ecology (%v)", err)
				}
				if err := workflows.CheckLine("name", u.Name, 200); err != nil || u.Name == "" {
					return fmt.Errorf("--name is required: the unit's name, such as 生态环境局 (%v)", err)
				}
				switch u.Kind {
				case domain.UnitCounty, domain.UnitAdminCommittee, domain.UnitDepartment, domain.UnitOffice, domain.UnitFederation:
				default:
					return fmt.Errorf("--kind %q: must be one of county, admin_committee, department, office, federation", u.Kind)
				}
			}
			st, done, err := cfg.adminStore(cmd.Context(), "caseflow unit create")
			if err != nil {
				return err
			}
			defer done()
			for _, u := range units {
				if err := st.UpsertUnit(cmd.Context(), u); err != nil {
					return err
				}
			}
			fmt.Printf("%d unit(s) saved\n", len(units))
			return nil
		},
	}
	f := create.Flags()
	f.StringVar(&u.ID, "id", "", "the unit's id (kept for ever: cases and users refer to it)")
	f.StringVar(&u.Name, "name", "", "the unit's name, in Chinese")
	f.StringVar(&u.Kind, "kind", "", "county, admin_committee, department, office or federation")
	f.BoolVar(&putian, "putian", false, "add Putian's units and the two supervision offices (party, government)")
	f.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "data directory of `caseflow dev`, used when DATABASE_URL is unset")
	cmd.AddCommand(create)
	return cmd
}
