// Package bot is Verbatim on Discord: the slash and context-menu commands,
// their handlers, permissions, rate limits, and the rendering of answers into
// embeds and buttons. It knows the library only through retrieval.Library and
// nothing of the search engine behind it. bot/discordtest is a local fake of
// Discord that the real discordgo session talks to in tests.
//
// Every interaction goes through a small router (router.go): routes, in
// commands.go, lists each command, button and form with its middleware
// (middleware.go: in a server, moderators only, rate limited, deferred).
// Handlers return errors, and Bot.fail (errors.go) is the one place an error
// becomes a log line and the member's message. The handlers are grouped by
// what they serve: asking.go (/ask, Find sources, mentions), buttons.go
// (Context, More, Closest passages, Remove), sources.go (/sources) and
// library.go (/library); responding.go is how the bot answers on Discord.
//
// Every question is read the same way (asking.go: questionOf), whichever
// way it was asked: Discord's markup, links and Markdown are not words of
// it. An answer is only what the library is confident answers the
// question; when nothing is, the member is told so plainly, and the
// passages that came closest are offered behind a button, shown only to
// whoever presses it and labelled as passages that may not answer.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/corpus"
	"github.com/verbatim-bot/verbatim/feeds"
	"github.com/verbatim-bot/verbatim/retrieval"
	"github.com/verbatim-bot/verbatim/usererr"
)

// Config is what the operator sets for the bot.
type Config struct {
	// Token is the bot token (from DISCORD_TOKEN; never from a file).
	Token string
	// GuildIDs, when set, registers the commands in these servers only
	// (instant, for testing); otherwise they are registered globally.
	GuildIDs []string
	// ModeratorRoles are role ids whose members may curate the library in
	// addition to members with Manage Messages, Manage Server or
	// Administrator.
	ModeratorRoles []string
	// MemberPerMinute and MemberBurst limit how often one member may ask.
	MemberPerMinute float64
	MemberBurst     int
	// GuildPerMinute and GuildBurst limit how often one server may ask.
	GuildPerMinute float64
	GuildBurst     int
	// MaxQuotes is how many quotes one answer shows (1–10).
	MaxQuotes int
	// HTTPClient, when set, is the session's HTTP client (to reach Discord
	// through a proxy, or a Discord-compatible server in tests).
	HTTPClient *http.Client
	// MaxAttachmentBytes is the largest file /library add file takes: the
	// body limit of the fetcher the bot was given (an attachment is
	// downloaded through it; 0 means corpus.DefaultFetchMaxBytes, the
	// fetcher's default), and never more than corpus.MaxFileBytes.
	MaxAttachmentBytes int64
	// Shards are the gateway shards this process runs (default: one
	// shard, unsharded); it answers only in their servers.
	Shards Shards

	// retryDelays are the waits between attempts of a Discord call that met
	// a server error (default 200 ms, 1 s, 3 s); tests shorten them.
	retryDelays []time.Duration
	// identifyEvery is the wait between two shards' connections (Discord
	// allows one IDENTIFY per 5 s); tests shorten it.
	identifyEvery time.Duration
}

// withDefaults fills unset limits.
func (c Config) withDefaults() Config {
	if c.MemberPerMinute <= 0 {
		c.MemberPerMinute = 6
	}
	if c.MemberBurst <= 0 {
		c.MemberBurst = 3
	}
	if c.GuildPerMinute <= 0 {
		c.GuildPerMinute = 60
	}
	if c.GuildBurst <= 0 {
		c.GuildBurst = 20
	}
	if c.MaxQuotes <= 0 || c.MaxQuotes > maxEmbeds {
		c.MaxQuotes = 3
	}
	if c.retryDelays == nil {
		c.retryDelays = defaultRetryDelays()
	}
	if c.identifyEvery <= 0 {
		c.identifyEvery = 5 * time.Second
	}
	return c
}

// Time limits of the work behind one interaction: askTimeout for reading
// the library (asking, listing, showing), addTimeout for downloading,
// parsing and storing an article. Discord's interaction token lasts 15
// minutes; nothing here comes near it.
const (
	askTimeout = 20 * time.Second
	addTimeout = 60 * time.Second
)

// Bot is Verbatim's Discord bot.
type Bot struct {
	cfg Config
	lib *retrieval.Library
	log *slog.Logger
	// session is the first shard's session, through which the bot calls
	// Discord's API; sessions are all of them, one gateway connection each.
	session  *discordgo.Session
	sessions []*discordgo.Session
	up       []atomic.Bool // up[i]: sessions[i]'s gateway connection is up
	fetcher  *corpus.Fetcher
	router   *router
	limits   *limiter
	pending  *questionCache
	metrics  *Metrics
	feeds    atomic.Pointer[feeds.Service] // nil: following feeds is off

	ctx        context.Context // cancelled when the bot stops
	inflight   sync.WaitGroup
	stopping   atomic.Bool
	registered atomic.Bool // the commands are registered
}

// New makes a bot over a library. fetcher downloads what moderators add
// (attachments and article URLs); it is the only way the bot reaches the
// web. New does not connect; Run does.
func New(cfg Config, lib *retrieval.Library, fetcher *corpus.Fetcher, log *slog.Logger, metrics *Metrics) (*Bot, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("no Discord token: set DISCORD_TOKEN")
	}
	if lib == nil || fetcher == nil {
		return nil, errors.New("making the bot: a library and a fetcher are needed")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if metrics == nil {
		metrics = NewMetrics()
	}
	if err := cfg.Shards.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	b := &Bot{
		cfg:     cfg,
		lib:     lib,
		log:     log,
		fetcher: fetcher,
		limits:  newLimiter(cfg),
		pending: newQuestionCache(2000, time.Hour),
		metrics: metrics,
		ctx:     context.Background(),
	}
	b.router = b.routes()
	ids := cfg.Shards.ids()
	b.up = make([]atomic.Bool, len(ids))
	for n, id := range ids {
		s, err := discordgo.New("Bot " + cfg.Token)
		if err != nil {
			return nil, fmt.Errorf("making the Discord session: %w", err)
		}
		if cfg.HTTPClient != nil {
			s.Client = cfg.HTTPClient
		}
		if cfg.Shards.count() > 1 {
			s.ShardID, s.ShardCount = id, cfg.Shards.count()
		}
		// Discord lets a client add to its User-Agent: naming the shards
		// tells an operator (or a proxy's log, or a test) which process
		// made a call.
		s.UserAgent += " verbatim (" + cfg.Shards.String() + ")"
		s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
		s.StateEnabled = true
		s.ShouldReconnectOnError = true
		s.ShouldRetryOnRateLimit = true
		s.MaxRestRetries = 3
		if b.session == nil {
			b.session = s
		} else {
			s.Ratelimiter = b.session.Ratelimiter // one bot, one set of rate limits
		}
		up := &b.up[n]
		s.AddHandler(b.onReady)
		s.AddHandler(func(*discordgo.Session, *discordgo.Ready) { up.Store(true) })
		s.AddHandler(func(*discordgo.Session, *discordgo.Connect) { up.Store(true) })
		s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { up.Store(true) })
		s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { up.Store(false) })
		s.AddHandler(b.onInteraction)
		s.AddHandler(b.onMessage)
		b.sessions = append(b.sessions, s)
	}
	return b, nil
}

// Session returns the bot's discordgo session, its first shard's (for
// tests and wiring).
func (b *Bot) Session() *discordgo.Session { return b.session }

// Run connects to Discord, registers the commands and serves until ctx is
// done; then it stops taking work, lets answers in flight finish (up to
// grace), and disconnects. The caller closes the library afterwards.
func (b *Bot) Run(ctx context.Context, grace time.Duration) error {
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	b.ctx = hctx
	if err := b.connect(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // told to stop while connecting the shards
		}
		return err
	}
	// The commands are the bot's, not a shard's: the process that runs
	// shard 0 registers them, once.
	if b.cfg.Shards.runs(0) {
		if err := b.register(ctx); err != nil {
			b.closeSessions()
			return err
		}
	}
	b.registered.Store(true)
	user, _ := b.identity()
	b.log.Info("bot is serving", "user", user.Username, "guilds", len(b.cfg.GuildIDs), "shards", b.cfg.Shards.String())
	<-ctx.Done()

	b.stopping.Store(true)
	b.log.Info("stopping: finishing answers in flight")
	done := make(chan struct{})
	go func() { b.inflight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		b.log.Warn("stopping: answers still in flight after the grace period", "grace", grace)
		cancel()
	}
	if err := b.closeSessions(); err != nil {
		return fmt.Errorf("disconnecting from Discord: %w", err)
	}
	return nil
}

// connect opens every shard's gateway session, one IDENTIFY every
// identifyEvery as Discord asks, until ctx ends.
func (b *Bot) connect(ctx context.Context) error {
	for n, s := range b.sessions {
		if n > 0 {
			select {
			case <-ctx.Done():
				b.closeSessions()
				return ctx.Err()
			case <-time.After(b.cfg.identifyEvery):
			}
		}
		if err := s.Open(); err != nil {
			b.closeSessions()
			if len(b.sessions) > 1 {
				return fmt.Errorf("connecting shard %d of %d to Discord: %w", s.ShardID, s.ShardCount, err)
			}
			return fmt.Errorf("connecting to Discord: %w", err)
		}
		b.up[n].Store(true)
	}
	return nil
}

// closeSessions closes every shard's session.
func (b *Bot) closeSessions() error {
	var errs []error
	for _, s := range b.sessions {
		// No reconnecting once closed: discordgo's heartbeat goroutine,
		// caught by Close just as its ticker fired, would otherwise fail
		// to write to the closed connection and reconnect after Run
		// returned (and keep trying for ever once Discord is out of
		// reach). Set under the session's lock, which that goroutine
		// takes before it reads the flag.
		s.Lock()
		s.ShouldReconnectOnError = false
		s.Unlock()
		if err := s.Close(); err != nil && !errors.Is(err, discordgo.ErrWSNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Ready reports whether the bot is connected, on every shard it runs, and
// has its user.
func (b *Bot) Ready() bool {
	if !b.registered.Load() || b.stopping.Load() {
		return false
	}
	for i := range b.up {
		if !b.up[i].Load() {
			return false
		}
	}
	return true
}

// Health is nil while the bot is ready and its library sound, else what is
// wrong: for /healthz, so an orchestrator restarts a process whose store or
// index went bad under it, not only one that lost Discord.
func (b *Bot) Health() error {
	if !b.Ready() {
		return errors.New("not connected to Discord")
	}
	if err := b.lib.Health(); err != nil {
		return fmt.Errorf("library: %w", err)
	}
	return nil
}

func (b *Bot) onReady(s *discordgo.Session, r *discordgo.Ready) {
	if r.User != nil {
		b.log.Info("connected to Discord", "user", r.User.Username, "guilds", len(r.Guilds), "shard", s.ShardID)
	}
}

// identity returns the bot's user and its application id as the last READY
// gave them (the user's id when READY had no application), or zero values
// before the first READY. It reads them under the state's lock: a READY
// after an invalid session (op 9) rewrites them while handlers run.
func (b *Bot) identity() (user discordgo.User, appID string) {
	st := b.session.State
	if st == nil {
		return discordgo.User{}, ""
	}
	st.RLock()
	defer st.RUnlock()
	if st.User != nil {
		user = *st.User
		appID = st.User.ID
	}
	if st.Application != nil && st.Application.ID != "" {
		appID = st.Application.ID
	}
	return user, appID
}

// register bulk-overwrites the commands, per guild when GuildIDs is set.
func (b *Bot) register(ctx context.Context) error {
	_, appID := b.identity()
	guilds := b.cfg.GuildIDs
	if len(guilds) == 0 {
		guilds = []string{""}
	}
	for _, g := range guilds {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := b.session.ApplicationCommandBulkOverwrite(appID, g, Commands(), discordgo.WithContext(ctx)); err != nil {
			where := "globally"
			if g != "" {
				where = "in server " + g
			}
			return fmt.Errorf("registering commands %s: %w", where, err)
		}
	}
	return nil
}

// track runs one unit of work unless the bot is stopping, counting it as in
// flight so that shutdown waits for it.
func (b *Bot) track(f func()) bool {
	if b.stopping.Load() {
		return false
	}
	b.inflight.Add(1)
	defer b.inflight.Done()
	f()
	return true
}

// onInteraction runs every interaction through the router, counted as in
// flight; a handler's error or panic goes to fail. Events with missing
// fields (no member and no user) are logged and ignored, and so are
// interactions without data (see dataless).
func (b *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	if ic == nil || ic.Interaction == nil {
		return
	}
	r := &request{ctx: b.ctx, i: ic.Interaction, mode: replyNew}
	if !b.cfg.Shards.Owns(r.i.GuildID) {
		// Another process's shard: Discord sends it there, and it answers.
		b.log.Debug("interaction of a server of another shard; not answered", "interaction", r.i.ID, "guild", r.i.GuildID)
		return
	}
	if userOf(r.i) == nil {
		b.log.Warn("interaction without a user", "interaction", r.i.ID)
		return
	}
	ran := b.track(func() {
		defer func() {
			if p := recover(); p != nil {
				b.fail(r, &opError{op: "handling an interaction", msg: "handler panicked", err: fmt.Errorf("panic: %v", p)})
			}
		}()
		if r.i.Data == nil {
			b.dataless(r)
			return
		}
		b.fail(r, b.router.dispatch(r))
	})
	if !ran {
		b.fail(r, usererr.New(usererr.Unavailable, msgStopping))
	}
}

// dataless handles an interaction that came without data: Discord sends
// data with every command, component, modal and autocomplete, but a
// Discord-compatible server may not, and there is then nothing to route
// (discordgo's ApplicationCommandData and the like would panic). It is
// logged and not answered, except that an autocomplete is answered with no
// choices, so that the member's client stops waiting for them.
func (b *Bot) dataless(r *request) {
	b.log.WarnContext(r.ctx, "interaction without data; ignored", "interaction", r.i.ID, "type", r.i.Type.String())
	if r.i.Type != discordgo.InteractionApplicationCommandAutocomplete {
		return
	}
	if err := b.answerChoices(r.ctx, r.i, nil); err != nil {
		b.explain(r.ctx, err, "autocomplete", "interaction", r.i.ID)
	}
}

// userOf returns who caused an interaction: the member's user in a server,
// the user in a DM, or nil.
func userOf(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	return i.User
}

// scopeOf is whose library an interaction sees: its server's, or in a DM
// the global library only.
func scopeOf(guildID string) string {
	if guildID == "" {
		return corpus.GlobalScope
	}
	return guildID
}
