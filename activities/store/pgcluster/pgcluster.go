// Package pgcluster runs a private PostgreSQL cluster from the machine's PostgreSQL server
// binaries, for `caseflow dev` and the tests. The cluster lives in one directory, listens
// on loopback only, and survives a crash of the process that started it: the next Start
// on the same directory reuses a still-running server or restarts a dead one.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	dir  string
	port int
	bin  string
	cred *syscall.Credential
	// started is true when this process started the server (rather than reusing one);
	// attached, when it only connected to one another process runs (Attach).
	started, attached bool
	// password is the superuser's password, kept in <dir>/password (mode 0600).
	password string
}

const superuser = "caseflow"

// Start starts (or reuses) the cluster kept in dir, creating it on first use, and makes
// sure the database `caseflow` exists.
func Start(ctx context.Context, dir string) (*Cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run it as the system user postgres.
		if c.cred, err = postgresCredential(); err != nil {
			return nil, err
		}
	}
	if err := c.prepareDirs(); err != nil {
		return nil, err
	}
	if err := c.ensurePassword(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := c.initdb(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	if err := c.requirePassword(ctx); err != nil {
		return nil, err
	}
	if err := c.CreateDatabase(ctx, "caseflow"); err != nil {
		return nil, err
	}
	return c, nil
}

// ErrNotRunning: the cluster Attach looked for does not answer (yet).
var ErrNotRunning = errors.New("pgcluster: the cluster is not running")

// Attach connects to the cluster kept in dir that another process runs (`caseflow dev`),
// without creating, starting or stopping it: while the server does not answer, or its
// database caseflow is not there yet, the error is ErrNotRunning. Stop and StopIfStarted
// leave it alone.
func Attach(ctx context.Context, dir string) (*Cluster, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, attached: true}
	b, err := os.ReadFile(PasswordFile(dir))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrNotRunning
		}
		return nil, fmt.Errorf("pgcluster: read the password: %w", err)
	}
	c.password = strings.TrimSpace(string(b))
	if b, err = os.ReadFile(c.portFile()); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrNotRunning
		}
		return nil, fmt.Errorf("pgcluster: read the port: %w", err)
	}
	if c.port, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil || c.password == "" {
		return nil, ErrNotRunning
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL())
	if err != nil {
		return nil, ErrNotRunning
	}
	conn.Close(ctx)
	return c, nil
}

// URL is the connection string of the database `caseflow`.
func (c *Cluster) URL() string { return c.DatabaseURL("caseflow") }

// DatabaseURL is the connection string of database name on this cluster.
func (c *Cluster) DatabaseURL(name string) string {
	return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/%s?sslmode=disable", superuser, c.password, c.port, name)
}

// PasswordFile is where the superuser's password of the cluster in dir is kept.
func PasswordFile(dir string) string { return filepath.Join(dir, "password") }

// ensurePassword reads the superuser's password, creating a random one on first use.
func (c *Cluster) ensurePassword() error {
	file := PasswordFile(c.dir)
	b, err := os.ReadFile(file)
	if err == nil {
		c.password = strings.TrimSpace(string(b))
		if c.password != "" {
			return nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pgcluster: read the password: %w", err)
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	c.password = hex.EncodeToString(raw)
	if err := os.WriteFile(file, []byte(c.password+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgcluster: write the password: %w", err)
	}
	if c.cred != nil { // initdb, run as postgres, reads it
		if err := os.Chown(file, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	return nil
}

// requirePassword upgrades a cluster created when caseflow trusted every local connection:
// the superuser gets the password and every pg_hba.conf rule asks for it (scram-sha-256).
func (c *Cluster) requirePassword(ctx context.Context) error {
	hba := filepath.Join(c.dataDir(), "pg_hba.conf")
	b, err := os.ReadFile(hba)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	lines := strings.Split(string(b), "\n")
	changed := false
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) > 0 && !strings.HasPrefix(f[0], "#") && f[len(f)-1] == "trust" {
			lines[i] = strings.TrimSuffix(strings.TrimRight(l, " \t"), "trust") + "scram-sha-256"
			changed = true
		}
	}
	if !changed {
		return nil
	}
	conn, err := pgx.Connect(ctx, c.DatabaseURL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SET password_encryption = 'scram-sha-256'"); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if _, err := conn.Exec(ctx, "ALTER ROLE "+superuser+" PASSWORD "+quoteLiteral(c.password)); err != nil {
		return fmt.Errorf("pgcluster: set the password: %w", err)
	}
	if err := os.WriteFile(hba, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		return fmt.Errorf("pgcluster: reload: %w", err)
	}
	return nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// CreateDatabase creates database name unless it exists.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.DatabaseURL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: connect: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("pgcluster: create database %s: %w", name, err)
	}
	return nil
}

// Stop shuts the server down (fast mode: open sessions are ended, nothing committed is lost);
// one Attach connected to is left to the process that runs it.
func (c *Cluster) Stop() error {
	if c.attached { // another process runs it
		return nil
	}
	out, err := c.pgctl(context.Background(), "-D", c.dataDir(), "-m", "fast", "-w", "-t", "60", "stop")
	if err != nil {
		return fmt.Errorf("pgcluster: stop: %w: %s", err, out)
	}
	return nil
}

// StopIfStarted stops the server if this process started it, and leaves alone one that
// was already running (a `caseflow dev` in another terminal, say).
func (c *Cluster) StopIfStarted() {
	if c.started {
		_ = c.Stop()
	}
}

func (c *Cluster) dataDir() string  { return filepath.Join(c.dir, "data") }
func (c *Cluster) sockDir() string  { return filepath.Join(c.dir, "run") }
func (c *Cluster) logFile() string  { return filepath.Join(c.dir, "postgres.log") }
func (c *Cluster) portFile() string { return filepath.Join(c.dir, "port") }

func (c *Cluster) prepareDirs() error {
	for _, d := range []string{c.dir, c.sockDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	if c.cred == nil {
		return nil
	}
	// The postgres user must own the cluster's directory and reach it from /.
	for _, d := range []string{c.dir, c.sockDir()} {
		if err := os.Chown(d, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	// A directory on the way that others may not enter (mktemp -d makes them 0700) is given
	// search permission only (o+x: enter, not list), and the log says so.
	for p := filepath.Dir(c.dir); ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if mode := st.Mode().Perm(); mode&0o001 == 0 {
			if err := os.Chmod(p, mode|0o001); err != nil {
				return fmt.Errorf("PostgreSQL runs as user postgres, which cannot enter %s (mode %v), and caseflow could not "+
					"let it (%v); run chmod o+x %s, or choose a data directory under a path every user can enter", p, mode, err, p)
			}
			slog.Info("gave other users search permission (o+x) so that PostgreSQL, running as user postgres, can reach its data",
				"dir", p, "mode", fmt.Sprintf("%v → %v", mode, mode|0o001))
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

func (c *Cluster) initdb(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, "initdb"), "-D", c.dataDir(), "-U", superuser,
		"--auth=scram-sha-256", "--pwfile="+PasswordFile(c.dir), "-E", "UTF8", "--locale=C", "--no-sync")
	if out, err := c.run(cmd); err != nil {
		return fmt.Errorf("PostgreSQL's initdb failed in %s (%v: %s)", c.dataDir(), err, lastLine(out))
	}
	return nil
}

func (c *Cluster) start(ctx context.Context) error {
	if b, err := os.ReadFile(c.portFile()); err == nil {
		c.port, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if c.port != 0 {
		if _, err := c.pgctl(ctx, "-D", c.dataDir(), "status"); err == nil && c.answers(ctx) {
			return nil // still running from an earlier process: reuse it
		}
	}
	for attempt := 0; ; attempt++ {
		if c.port == 0 || !portFree(c.port) {
			p, err := freePort()
			if err != nil {
				return err
			}
			c.port = p
		}
		if err := os.WriteFile(c.portFile(), []byte(strconv.Itoa(c.port)+"\n"), 0o644); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=on", c.port, c.sockDir())
		// A stale postmaster.pid left by a crash is handled by PostgreSQL itself.
		out, err := c.pgctl(ctx, "-D", c.dataDir(), "-l", c.logFile(), "-w", "-t", "120", "-o", opts, "start")
		if err == nil {
			c.started = true
			return nil
		}
		if attempt == 2 {
			logTail, _ := os.ReadFile(c.logFile())
			return fmt.Errorf("PostgreSQL did not start (%s); see %s", lastLine(string(logTail)+"\n"+out), c.logFile())
		}
		// Maybe the port was taken meanwhile, or the previous server's process is not yet
		// reaped (PostgreSQL then takes its pid file as live): wait, and try another port.
		c.port = 0
		time.Sleep(time.Duration(attempt+1) * time.Second)
	}
}

// answers reports whether the server accepts connections on c.port.
func (c *Cluster) answers(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DatabaseURL("postgres"))
	if err != nil {
		return false
	}
	conn.Close(ctx)
	return true
}

func (c *Cluster) pgctl(ctx context.Context, args ...string) (string, error) {
	return c.run(exec.CommandContext(ctx, filepath.Join(c.bin, "pg_ctl"), args...))
}

func (c *Cluster) run(cmd *exec.Cmd) (string, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// Own process group: a Ctrl-C meant for caseflow must not kill PostgreSQL before
	// caseflow stops it cleanly.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

func postgresCredential() (*syscall.Credential, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root, PostgreSQL needs an unprivileged user `postgres`: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// lastLine is the last non-empty line of a command's output.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// findBinaries locates initdb and pg_ctl: in CASEFLOW_PG_BIN if set, else on PATH, else the
// newest /usr/lib/postgresql/*/bin.
func findBinaries() (string, error) {
	if dir := os.Getenv("CASEFLOW_PG_BIN"); dir != "" {
		for _, b := range []string{"initdb", "pg_ctl"} {
			if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
				return "", fmt.Errorf("PostgreSQL's %s is not in %s (CASEFLOW_PG_BIN); point CASEFLOW_PG_BIN at the directory holding initdb and pg_ctl, or unset it", b, dir)
			}
		}
		return dir, nil
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL's server binaries (initdb, pg_ctl) were not found on PATH or under " +
		"/usr/lib/postgresql/*/bin; install the PostgreSQL server package (Debian: apt install postgresql), set CASEFLOW_PG_BIN, or set DATABASE_URL")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// StopDir stops the cluster kept in dir if it runs (for `caseflow postgres stop`); a
// directory without a cluster, or a cluster already stopped, is not an error.
func StopDir(dir string) error {
	bin, err := findBinaries()
	if err != nil {
		return err
	}
	c := &Cluster{dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		if c.cred, err = postgresCredential(); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION")); err != nil {
		return fmt.Errorf("pgcluster: no PostgreSQL cluster in %s", dir)
	}
	if _, err := c.pgctl(context.Background(), "-D", c.dataDir(), "status"); err != nil {
		return nil // not running
	}
	return c.Stop()
}
