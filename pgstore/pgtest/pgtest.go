// Package pgtest runs a throwaway PostgreSQL server for tests: initdb into
// a temporary directory, the server listening on a unix socket there only,
// stopped (and the directory removed) when the tests end. One server serves
// a whole test binary (Main); each test gets its own database (Database).
//
// The binaries are looked for on PATH, in /usr/local/bin and in
// /usr/lib/postgresql/*/bin. When there are none, the tests are skipped,
// saying to run scripts/install-postgres.sh; .ci/run installs PostgreSQL and
// sets RequireEnv, so that in CI a missing PostgreSQL is a failure and the
// tests cannot pass by being skipped.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running PostgreSQL server.
type Server struct {
	dir  string // the temporary directory: data/ and the socket
	cmd  *exec.Cmd
	exit chan error
	n    atomic.Int64
}

// ErrNoPostgres says that no PostgreSQL binaries were found.
var ErrNoPostgres = errors.New("PostgreSQL is not installed here (no initdb and postgres on PATH, in /usr/local/bin or in /usr/lib/postgresql/*/bin): run scripts/install-postgres.sh (as root; CI runs it) and test again")

// binDir finds the directory holding initdb and postgres.
func binDir() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	dirs = append(dirs, "/usr/local/bin")
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(found))) // the newest first
	dirs = append(dirs, found...)
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

func isExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// unprivileged is the user and group that run PostgreSQL when the tests
// run as root (initdb and postgres refuse to run as root).
const unprivileged = 65534 // nobody, nogroup

// command makes a command that runs as an unprivileged user when this
// process is root.
func command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: unprivileged, Gid: unprivileged}
	}
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	return cmd
}

// Start initialises and starts a server in a new temporary directory.
func Start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "verbatim-pg-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, exit: make(chan error, 1)}
	if err := s.start(bin); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) start(bin string) error {
	data := filepath.Join(s.dir, "data")
	if os.Geteuid() == 0 {
		if err := os.Chmod(s.dir, 0o755); err != nil {
			return err
		}
		if err := os.Mkdir(data, 0o700); err != nil {
			return err
		}
		if err := os.Chown(data, unprivileged, unprivileged); err != nil {
			return err
		}
		// The socket's directory must be writable by the server.
		if err := os.Chown(s.dir, unprivileged, unprivileged); err != nil {
			return err
		}
	}
	init := command(filepath.Join(bin, "initdb"), "-D", data, "-U", "verbatim", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C")
	if out, err := init.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	s.cmd = command(filepath.Join(bin, "postgres"), "-D", data, "-k", s.dir, "-c", "listen_addresses=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB")
	log, err := os.Create(filepath.Join(s.dir, "postgres.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting postgres: %w", err)
	}
	go func() { s.exit <- s.cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, s.url("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case err := <-s.exit:
			b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			return fmt.Errorf("postgres exited (%v): %s", err, b)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within 30s: %w", err)
		}
	}
}

// url is the address of database db on this server.
func (s *Server) url(db string) string {
	return fmt.Sprintf("postgres://verbatim@/%s?host=%s&sslmode=disable", db, s.dir)
}

// NewDatabase creates an empty database and returns its URL.
func (s *Server) NewDatabase() (string, error) {
	name := fmt.Sprintf("t%d", s.n.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.url("postgres"))
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		return "", err
	}
	return s.url(name), nil
}

// Stop stops the server and removes its directory.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-s.exit:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.exit
		}
	}
	os.RemoveAll(s.dir)
}

var (
	shared    *Server
	sharedErr error
	sharedMu  sync.Mutex
)

// Main runs a test binary's tests with one server for all of them, and
// returns the exit code for os.Exit: in TestMain,
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// The server is started by the first Database call, so a run of only the
// tests that need none starts none.
func Main(m *testing.M) int {
	code := m.Run()
	sharedMu.Lock()
	if shared != nil {
		shared.Stop()
	}
	sharedMu.Unlock()
	return code
}

// RequireEnv names the environment variable that makes a missing
// PostgreSQL a test failure rather than a skip. .ci/run sets it (after
// installing PostgreSQL), so CI always runs the PostgreSQL tests, while a
// newcomer's first `go test ./...` on a machine without it still passes.
const RequireEnv = "VERBATIM_REQUIRE_POSTGRES"

// Database returns the URL of a new, empty database on the test binary's
// server, starting the server first when needed. Without PostgreSQL the
// test is skipped, saying how to install it — or fails, under RequireEnv.
func Database(t testing.TB) string {
	t.Helper()
	sharedMu.Lock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = Start()
	}
	s, err := shared, sharedErr
	sharedMu.Unlock()
	if err != nil {
		if errors.Is(err, ErrNoPostgres) && os.Getenv(RequireEnv) == "" {
			t.Skipf("%v (set %s=1 to make this a failure, as .ci/run does)", err, RequireEnv)
		}
		t.Fatalf("a PostgreSQL server for the tests: %v", err)
	}
	u, err := s.NewDatabase()
	if err != nil {
		t.Fatalf("creating a test database: %v", err)
	}
	return u
}

// Version reports the PostgreSQL version of the binaries found, for logs.
func Version() string {
	bin, err := binDir()
	if err != nil {
		return err.Error()
	}
	out, err := exec.Command(filepath.Join(bin, "postgres"), "--version").Output()
	if err != nil {
		return err.Error()
	}
	return strings.TrimSpace(string(out))
}
