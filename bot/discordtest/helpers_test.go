package discordtest

import (
	"context"
	"errors"
	"flag"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// TestMain runs more tests at once than there are CPUs, unless -parallel
// is given: a test that opens a discordgo session spends most of its time in
// the one-second sleep of discordgo's Close (see the package doc), which
// takes no CPU. On two CPUs this takes the package from about 8.5 s to 2.5 s.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(max(16, 4*runtime.GOMAXPROCS(0)))); err != nil {
			panic(err) // the testing package always defines -test.parallel
		}
	}
	os.Exit(m.Run())
}

// testTimeout bounds every wait in these tests; nothing waits blindly.
const testTimeout = 10 * time.Second

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// forward returns a handler that passes events to a buffered channel without
// ever blocking discordgo (handlers must not touch t after the test ends).
func forward[T any](ch chan T) func(*discordgo.Session, T) {
	return func(_ *discordgo.Session, v T) {
		select {
		case ch <- v:
		default:
		}
	}
}

// recv waits for one value from ch.
func recv[T any](ctx context.Context, t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// connected starts a fake, opens a real discordgo session on it and returns
// the interactions the session receives.
func connected(t *testing.T, opts ...Option) (*Server, *discordgo.Session, chan *discordgo.InteractionCreate) {
	t.Helper()
	srv := New(t, opts...)
	s := srv.Session(t, "")
	interactions := make(chan *discordgo.InteractionCreate, 16)
	s.AddHandler(forward(interactions))
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	return srv, s, interactions
}

// dispatch sends an interaction and returns it as the bot received it.
func dispatch(ctx context.Context, t *testing.T, srv *Server, ch <-chan *discordgo.InteractionCreate, i *discordgo.Interaction) *discordgo.Interaction {
	t.Helper()
	if err := srv.DispatchInteraction(i); err != nil {
		t.Fatalf("DispatchInteraction: %v", err)
	}
	got := recv(ctx, t, ch, "INTERACTION_CREATE")
	if got.ID != i.ID {
		t.Fatalf("bot received interaction %s, want %s", got.ID, i.ID)
	}
	return got.Interaction
}

// restErr returns err as a *discordgo.RESTError, failing the test otherwise.
func restErr(t *testing.T, err error) *discordgo.RESTError {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) {
		t.Fatalf("error = %v (%T), want *discordgo.RESTError", err, err)
	}
	return re
}

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 11, 3, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func alice() *discordgo.User { return NewUser("2000000000000000001", "alice") }

func bob() *discordgo.User { return NewUser("2000000000000000002", "bob") }

const (
	guildID   = "3000000000000000001"
	channelID = "3000000000000000002"
	dmID      = "3000000000000000003"
)
