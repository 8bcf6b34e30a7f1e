package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/verbatim-bot/verbatim/usererr"
)

// The router sends each interaction to the handler of its route: a slash or
// message command by its path ("/library/add/url"), an autocomplete by the
// path of the command being typed, a button by the prefix of its custom id
// ("more"), a modal by its custom id. A route lists its middleware, outermost
// first; a handler returns an error, and Bot.fail is the one place an error
// becomes a log line and the member's message.

// handler does the work of a route. It returns nil once the member has been
// answered, or an error for Bot.fail.
type handler func(r *request) error

// middleware wraps a handler: it may refuse (return an error without calling
// next), act first (defer the reply), or change how the member is answered.
type middleware func(next handler) handler

// replyMode is how a request is answered, with its result or its error.
type replyMode int

const (
	// replyNew answers with a new private message (the default).
	replyNew replyMode = iota
	// replyEdit edits the deferred reply (after deferred).
	replyEdit
	// replyUpdate replaces the message the pressed button is on (after
	// updating).
	replyUpdate
)

// request is one interaction on its way through the router.
type request struct {
	ctx   context.Context // done when the bot gives up on work in flight
	i     *discordgo.Interaction
	route string // the route's key: "/sources/show", "more", "addtext"
	// opts are a command's options: those of its subcommand, if any.
	opts map[string]*discordgo.ApplicationCommandInteractionDataOption
	mode replyMode
}

// optString returns a string option, trimmed ("" when absent).
func (r *request) optString(name string) string {
	if o, ok := r.opts[name]; ok {
		if s, ok := o.Value.(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// optBool returns a boolean option (false when absent).
func (r *request) optBool(name string) bool {
	if o, ok := r.opts[name]; ok {
		if v, ok := o.Value.(bool); ok {
			return v
		}
	}
	return false
}

// optInt returns an integer option, or def when absent.
func (r *request) optInt(name string, def int) int {
	if o, ok := r.opts[name]; ok {
		if v, ok := o.Value.(float64); ok {
			return int(v)
		}
	}
	return def
}

// route is a handler with its middleware, outermost first.
type route struct {
	h   handler
	mws []middleware
}

// chain wraps h in mws, the first outermost: chain(h, a, b) runs a, then b,
// then h.
func chain(h handler, mws ...middleware) handler {
	for k := len(mws) - 1; k >= 0; k-- {
		h = mws[k](h)
	}
	return h
}

// buttonRoute reads a pressed button's custom id into the handler that does
// what the button stands for (bind), then runs that inside mws.
type buttonRoute struct {
	bind func(r *request, customID string) (handler, error)
	mws  []middleware
}

// router holds the routes of every kind of interaction.
type router struct {
	commands      map[string]route
	autocompletes map[string]handler
	buttons       map[string]buttonRoute
	modals        map[string]route
}

func newRouter() *router {
	return &router{
		commands:      map[string]route{},
		autocompletes: map[string]handler{},
		buttons:       map[string]buttonRoute{},
		modals:        map[string]route{},
	}
}

// command routes a command path ("/ask", "/library/add/url") to h. A path
// with no route of its own goes to its nearest ancestor's ("/sources/nope"
// to "/sources"), which tells the member how to use the command.
func (rt *router) command(path string, h handler, mws ...middleware) {
	rt.commands[path] = route{h: h, mws: mws}
}

// autocomplete routes the autocompletion of a command path to h. It has no
// middleware: it answers with choices, never with a message.
func (rt *router) autocomplete(path string, h handler) { rt.autocompletes[path] = h }

// modal routes the submission of the modal with this custom id to h.
func (rt *router) modal(customID string, h handler, mws ...middleware) {
	rt.modals[customID] = route{h: h, mws: mws}
}

// button routes presses of the buttons spec declares to h, with the custom
// id's parts parsed into a T before any middleware runs: a forged or stale
// id is refused as expired and costs the member nothing.
func button[T any](rt *router, spec idSpec[T], h func(*request, T) error, mws ...middleware) {
	resolvedButton(rt, spec, func(_ *request, v T) (T, error) { return v, nil }, h, mws...)
}

// resolvedButton is button for a button that stands for something the bot
// keeps (More: a question in its cache): resolve turns the parsed parts into
// it, also before any middleware, so that a stale button is refused as
// expired before it spends the member's rate limit.
func resolvedButton[T, V any](rt *router, spec idSpec[T], resolve func(*request, T) (V, error), h func(*request, V) error, mws ...middleware) {
	rt.buttons[spec.prefix] = buttonRoute{mws: mws, bind: func(r *request, customID string) (handler, error) {
		parts, err := spec.parse(customID)
		if err != nil {
			return nil, expired(err)
		}
		v, err := resolve(r, parts)
		if err != nil {
			return nil, err
		}
		return func(r *request) error { return h(r, v) }, nil
	}}
}

// dispatch runs the route of r's interaction and returns its error.
func (rt *router) dispatch(r *request) error {
	switch r.i.Type {
	case discordgo.InteractionApplicationCommand:
		path, opts := commandPath(r.i.ApplicationCommandData())
		r.opts = options(opts)
		key, ok := nearest(rt.commands, path)
		if !ok {
			return usererr.Wrap(usererr.Invalid, fmt.Errorf("no route for command %q", path), "That command is not known to this version of Verbatim.")
		}
		r.route = key
		return chain(rt.commands[key].h, rt.commands[key].mws...)(r)
	case discordgo.InteractionApplicationCommandAutocomplete:
		path, opts := commandPath(r.i.ApplicationCommandData())
		r.opts, r.route = options(opts), path
		h, ok := rt.autocompletes[path]
		if !ok {
			return fmt.Errorf("no autocomplete for %q", path)
		}
		return h(r)
	case discordgo.InteractionMessageComponent:
		id := r.i.MessageComponentData().CustomID
		prefix, _, _ := strings.Cut(id, ":")
		br, ok := rt.buttons[prefix]
		if !ok {
			return expired(fmt.Errorf("unknown button %.120q", id))
		}
		r.route = prefix
		h, err := br.bind(r, id)
		if err != nil {
			return err
		}
		return chain(h, br.mws...)(r)
	case discordgo.InteractionModalSubmit:
		id := r.i.ModalSubmitData().CustomID
		m, ok := rt.modals[id]
		if !ok {
			return expired(fmt.Errorf("unknown modal %.120q", id))
		}
		r.route = id
		return chain(m.h, m.mws...)(r)
	}
	return fmt.Errorf("interaction type %d is not routed", r.i.Type)
}

// commandPath returns a command's path, "/" + its name and those of its
// subcommand group and subcommand ("/library/add/url"), and the options of
// the innermost of them.
func commandPath(data discordgo.ApplicationCommandInteractionData) (string, []*discordgo.ApplicationCommandInteractionDataOption) {
	path, opts := "/"+data.Name, data.Options
	for len(opts) > 0 && opts[0] != nil &&
		(opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup || opts[0].Type == discordgo.ApplicationCommandOptionSubCommand) {
		path += "/" + opts[0].Name
		opts = opts[0].Options
	}
	return path, opts
}

// nearest returns the longest key of routes that is path or an ancestor of
// it ("/sources" for "/sources/nope").
func nearest(routes map[string]route, path string) (string, bool) {
	for p := path; p != ""; {
		if _, ok := routes[p]; ok {
			return p, true
		}
		k := strings.LastIndexByte(p, '/')
		if k <= 0 {
			break
		}
		p = p[:k]
	}
	return "", false
}

// options maps options by name.
func options(opts []*discordgo.ApplicationCommandInteractionDataOption) map[string]*discordgo.ApplicationCommandInteractionDataOption {
	m := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range opts {
		if o != nil {
			m[o.Name] = o
		}
	}
	return m
}

// idSpec declares a custom id: a prefix and typed parts after it, all
// separated by ":" ("ctx:<source>:<start>:<end>"). The same spec writes ids
// (format) and reads them (parse), so the two cannot drift apart.
type idSpec[T any] struct {
	prefix string
	// parts lists the fields of a T that make up the id, in order.
	parts func(*T) []idPart
}

// idPart is one typed part of a custom id, bound to a field.
type idPart struct {
	read  func(s string) error
	write func() string
}

// textPart is a part held in a string field: not empty, and no ":" (the
// separator) when read.
func textPart(p *string) idPart {
	return idPart{
		read: func(s string) error {
			if s == "" {
				return fmt.Errorf("empty part")
			}
			*p = s
			return nil
		},
		write: func() string { return *p },
	}
}

// numberPart is a part held in an int field: decimal digits only (no sign,
// no space), within an int's range.
func numberPart(p *int) idPart {
	return idPart{
		read: func(s string) error {
			if s == "" || strings.TrimLeft(s, "0123456789") != "" {
				return fmt.Errorf("%.30q is not a number", s)
			}
			n, err := strconv.Atoi(s)
			if err != nil {
				return fmt.Errorf("%.30q is out of range", s)
			}
			*p = n
			return nil
		},
		write: func() string { return strconv.Itoa(*p) },
	}
}

// format writes v's custom id.
func (s idSpec[T]) format(v T) string {
	out := []string{s.prefix}
	if s.parts != nil {
		for _, p := range s.parts(&v) {
			out = append(out, p.write())
		}
	}
	return strings.Join(out, ":")
}

// parse reads a custom id strictly: the spec's prefix, then exactly its
// parts, each well formed.
func (s idSpec[T]) parse(id string) (T, error) {
	var v T
	got := strings.Split(id, ":")
	var parts []idPart
	if s.parts != nil {
		parts = s.parts(&v)
	}
	if got[0] != s.prefix || len(got) != 1+len(parts) {
		return v, fmt.Errorf("custom id %.120q is not %s with %d parts", id, s.prefix, len(parts))
	}
	for k, p := range parts {
		if err := p.read(got[1+k]); err != nil {
			return v, fmt.Errorf("custom id %.120q, part %d: %w", id, k+1, err)
		}
	}
	return v, nil
}
