package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// Config is what the runtime needs besides its collaborators.
type Config struct {
	DefaultLocale   string
	DefaultTimezone *time.Location
	// HandlerTimeout bounds one request so a stuck database cannot pile up
	// goroutines; the member gets a localized timeout message.
	HandlerTimeout time.Duration
	// EditInterval is the least time between two edits of one message
	// the outbox keeps up to date (DefaultEditInterval when zero).
	EditInterval time.Duration
	// ConversationTTL is how long a guided conversation waits for an
	// answer (10 min).
	ConversationTTL time.Duration
	// JobLease is how long a claimed job is kept from other processes
	// (DefaultJobLease when zero); tests shorten it to see a dead
	// process's job taken over.
	JobLease time.Duration
	// JobTimeout bounds one job's run, and the outbox's and modules'
	// periodic work (2 min); a stopping process still finishes the work
	// it started, within this bound.
	JobTimeout time.Duration
}

// Runtime connects adapters to commands.
type Runtime struct {
	store    *storage.Store
	registry *commands.Registry
	catalog  *locales.Catalog
	log      *slog.Logger
	clock    Clock
	cfg      Config
	metrics  *Metrics

	mu        sync.RWMutex
	platforms map[string]Platform
	jobs      map[string]commands.JobHandler
	ticks     []func(ctx context.Context) error
	mergers   []func(ctx context.Context, into, from int64) error
	routes    map[string]http.Handler
	cli       map[string]commands.CLICommand
	events    map[string][]eventHandler // by event kind, in installation order
	outbox    *outbox
	notifier  *notifier

	inflight sync.WaitGroup
}

// New makes a runtime. clock may be nil for the system clock.
func New(store *storage.Store, registry *commands.Registry, log *slog.Logger, clock Clock, cfg Config) *Runtime {
	if clock == nil {
		clock = SystemClock{}
	}
	if cfg.DefaultLocale == "" {
		cfg.DefaultLocale = "fr"
	}
	if cfg.DefaultTimezone == nil {
		cfg.DefaultTimezone = time.UTC
	}
	if cfg.HandlerTimeout == 0 {
		cfg.HandlerTimeout = 30 * time.Second
	}
	if cfg.ConversationTTL == 0 {
		cfg.ConversationTTL = 10 * time.Minute
	}
	if cfg.JobLease <= 0 {
		cfg.JobLease = DefaultJobLease
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = 2 * time.Minute
	}
	rt := &Runtime{
		store: store, registry: registry, catalog: registry.Catalog(), log: log, clock: clock, cfg: cfg,
		metrics: newMetrics(), platforms: map[string]Platform{}, jobs: map[string]commands.JobHandler{},
		routes: map[string]http.Handler{}, cli: map[string]commands.CLICommand{}, events: map[string][]eventHandler{},
	}
	rt.jobs[commands.MergeJob.Kind] = rt.mergeMembersJob
	rt.metrics.Registry.MustRegister(newGroupCollector(store))
	rt.outbox = newOutbox(store, rt.Messenger(), clock, log, rt.metrics, cfg.EditInterval)
	rt.notifier = newNotifier(store, log)
	// Another process changed a chat, a community or a role: drop what this
	// one cached (a reconnection, with an empty payload, drops it all).
	rt.notifier.Subscribe(storage.CacheTopic, store.ForgetCached)
	return rt
}

// Registry is the command registry adapters publish.
func (rt *Runtime) Registry() *commands.Registry { return rt.registry }

// Metrics are the runtime's Prometheus series; adapters register theirs
// on Metrics().Registry.
func (rt *Runtime) Metrics() *Metrics { return rt.metrics }

// Localizer speaks the first supported language among the preferences,
// then the default one, in tz (or the default time zone), writing dates
// relative to the runtime's clock.
func (rt *Runtime) Localizer(tz *time.Location, preferences ...string) *locales.Localizer {
	if tz == nil {
		tz = rt.cfg.DefaultTimezone
	}
	return rt.catalog.Localizer(tz, append(preferences, rt.cfg.DefaultLocale)...).At(rt.clock.Now())
}

// AddPlatform makes an adapter reachable through the runtime's Messenger.
func (rt *Runtime) AddPlatform(p Platform) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.platforms[p.Name()] = p
}

// RegisterJob sets the handler of a kind of scheduled job.
func (rt *Runtime) RegisterJob(kind string, h commands.JobHandler) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.jobs[kind] = h
}

// Wait blocks until every request being handled has its response.
func (rt *Runtime) Wait() { rt.inflight.Wait() }

// Handle answers one request. It never panics and never returns nil: every
// failure becomes a localized message, and internal details go to the log.
func (rt *Runtime) Handle(ctx context.Context, req *commands.Request) *commands.Response {
	resp, _ := rt.handle(ctx, req)
	return resp
}

// handle is Handle that also returns the user error a refusal came from,
// for a guided conversation to ask again for the option it names.
func (rt *Runtime) handle(ctx context.Context, req *commands.Request) (resp *commands.Response, refusal *commands.UserError) {
	rt.inflight.Add(1)
	defer rt.inflight.Done()
	start := time.Now()
	req.Now = rt.clock.Now()
	req.Loc = rt.Localizer(nil, req.User.Locale)
	label := "unknown"
	outcome := "ok"
	defer func() {
		if p := recover(); p != nil {
			rt.log.Error("handler panicked", "request", req.Describe(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp = commands.Private(req.Loc.T("error.internal"))
			outcome = "internal_error"
		}
		rt.metrics.Requests.WithLabelValues(req.Platform, label, outcome).Inc()
		rt.metrics.RequestDuration.WithLabelValues(req.Platform).Observe(time.Since(start).Seconds())
	}()

	spec, handler, err := rt.admit(ctx, req)
	if spec != nil {
		label = spec.Path()
	}
	if err == nil && req.Action == nil {
		err = validateOptions(req, spec, false)
	}
	if err == nil && req.Action != nil && req.Action.Fields != nil {
		rt.forgetForm(ctx, req)
	}
	if err == nil {
		hctx, cancel := context.WithTimeout(ctx, rt.cfg.HandlerTimeout)
		resp, err = handler(hctx, req)
		if err != nil && errors.Is(hctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			err = commands.Fail("error.timeout")
		}
		cancel()
	}
	if err != nil {
		resp, outcome = rt.failure(req, err)
		resp.Refused = true
		refusal, _ = commands.AsUserError(err)
	}
	if resp == nil {
		rt.log.Error("handler returned no response", "request", req.Describe())
		resp, outcome = commands.Private(req.Loc.T("error.internal")), "internal_error"
	}
	return resp, refusal
}

// failure turns an error into what the member sees.
func (rt *Runtime) failure(req *commands.Request, err error) (*commands.Response, string) {
	if ue, ok := commands.AsUserError(err); ok {
		return commands.Private(ue.Localize(req.Loc)), "user_error"
	}
	if errors.Is(err, errUnavailable) {
		rt.log.Error("database unavailable", "request", req.Describe(), "error", err)
		return commands.Private(req.Loc.T("error.unavailable")), "internal_error"
	}
	rt.log.Error("request failed", "request", req.Describe(), "error", err)
	return commands.Private(req.Loc.T("error.internal")), "internal_error"
}

var errUnavailable = errors.New("database unavailable")

// admit finds what a request asks for, resolves who and where it comes
// from, and checks the member may ask it: everything Handle and Precheck
// both need before a handler may run.
func (rt *Runtime) admit(ctx context.Context, req *commands.Request) (*commands.Spec, commands.Handler, error) {
	spec, handler, err := rt.route(req)
	if err == nil {
		err = rt.resolve(ctx, req)
	}
	if err == nil {
		err = rt.authorize(req, spec)
	}
	return spec, handler, err
}

func (rt *Runtime) route(req *commands.Request) (*commands.Spec, commands.Handler, error) {
	if req.Action != nil {
		if !validRoute(req.Action.Route) {
			return nil, nil, commands.Fail("error.unknown_action")
		}
		spec, ok := rt.registry.ForAction(req.Action.Route)
		if !ok {
			return nil, nil, commands.Fail("error.unknown_action")
		}
		return spec, spec.HandleAction, nil
	}
	spec, ok := rt.registry.Resolve(req.Command)
	if !ok {
		name, _, _ := strings.Cut(req.Command, ".")
		return nil, nil, commands.Fail("error.unknown_command", locales.Data{"Name": name})
	}
	if spec.Handle == nil {
		return spec, nil, commands.Fail("error.missing_subcommand", locales.Data{"Command": spec.Name})
	}
	return spec, spec.Handle, nil
}

// validRoute refuses forged or garbled component references before any
// handler sees them: printable ASCII only, and within Telegram's 64 bytes.
func validRoute(route string) bool {
	if route == "" || len(route) > 64 {
		return false
	}
	for i := 0; i < len(route); i++ {
		if route[i] < 0x21 || route[i] > 0x7e {
			return false
		}
	}
	return true
}

// resolve fills in the community, chat, member and language of a request.
func (rt *Runtime) resolve(ctx context.Context, req *commands.Request) error {
	chat, community, err := rt.store.ResolveChat(ctx, storage.ChatRef{
		Platform: req.Platform, GroupID: req.Chat.GroupID, ChatID: req.Chat.ID, Title: req.Chat.Title,
	}, storage.CommunityDefaults{Locale: rt.cfg.DefaultLocale, Timezone: rt.cfg.DefaultTimezone.String()})
	if err != nil {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	// The member's language is recorded (when it changed) for what Agora
	// sends them outside any request: meetup reminders, direct messages.
	member, err := rt.store.ResolveMemberLocale(ctx, community.ID, req.Platform, req.User.ID, req.User.Name, locales.Normalize(req.User.Locale))
	if err != nil {
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	tz, err := commands.LoadLocation(community.Timezone)
	if err != nil {
		rt.log.Warn("community has an unknown time zone", "community", community.ID, "timezone", community.Timezone)
		tz = rt.cfg.DefaultTimezone
	}
	req.ChatRef, req.ChatPurpose = chat.ID, chat.Purpose
	req.Community = commands.Community{
		ID: community.ID, Name: community.Name, Locale: community.Locale, Location: tz,
	}
	role := commands.ParseRole(member.Role)
	if req.User.PlatformRole > role {
		role = req.User.PlatformRole
	}
	req.Member = commands.Member{ID: member.ID, Name: req.User.Name, Role: role}
	req.Loc = rt.catalog.Localizer(tz, req.User.Locale, member.Locale, community.Locale, rt.cfg.DefaultLocale).At(req.Now)
	return nil
}

func (rt *Runtime) authorize(req *commands.Request, spec *commands.Spec) error {
	if req.Member.Role >= spec.Permission {
		return nil
	}
	return commands.Fail("error.permission", locales.Data{"Role": req.Loc.S("role." + spec.Permission.String())})
}

// validateOptions checks presence, types, choices and lengths once for every
// command, so handlers can read options without re-checking them. With
// partial, required options may still be missing: a guided conversation
// asks for them next.
func validateOptions(req *commands.Request, spec *commands.Spec, partial bool) error {
	if req.Options == nil {
		req.Options = map[string]string{}
	}
	for name := range req.Options {
		if spec.Option(name) == nil {
			delete(req.Options, name) // adapters only pass declared options; be strict anyway
		}
	}
	for i := range spec.Options {
		o := &spec.Options[i]
		raw := req.Options[o.Name]
		if o.Type == commands.OptionAttachment && req.File(o.Name) == nil {
			// A file name without its file is no file: the adapter could not
			// bring it, so the option is missing.
			raw = ""
		}
		v, err := checkOption(req.Loc, o, raw)
		if err != nil && (!partial || strings.TrimSpace(raw) != "") {
			return err
		}
		if _, given := req.Options[o.Name]; given && v == "" && !o.Required && o.Type != commands.OptionAttachment {
			// `fin:"  "` typed: refused rather than read as no deadline.
			return commands.OptionError(o.Name, commands.Fail("error.option_empty", locales.Data{"Name": commands.LocalName(req.Loc, o.NameID)}))
		}
		if v == "" {
			delete(req.Options, o.Name)
			continue
		}
		if o.Check != nil {
			if err := o.Check(req, v); err != nil {
				return commands.OptionError(o.Name, err)
			}
		}
		req.Options[o.Name] = v
	}
	return nil
}

// checkOption checks one option's value as typed, in a whole request or as
// an answer to a guided question, and returns it as handlers read it:
// trimmed, booleans as "true" or "false", choices as their value. An empty
// value is "" and, for a required option, an error saying what is missing.
func checkOption(l *locales.Localizer, o *commands.Option, v string) (string, error) {
	label := commands.LocalName(l, o.NameID)
	v = strings.TrimSpace(v)
	if v == "" {
		if o.Required {
			return "", commands.Fail("error.missing_option", locales.Data{"Name": label, "Description": l.S(o.DescriptionID)})
		}
		return "", nil
	}
	switch o.Type {
	case commands.OptionInteger:
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", commands.Fail("error.option_not_integer", locales.Data{"Name": label, "Value": v})
		}
		if o.Max > o.Min && (n < o.Min || n > o.Max) {
			return "", commands.Fail("error.option_out_of_range", locales.Data{"Name": label, "Min": locales.Quantity(o.Min), "Max": locales.Quantity(o.Max)})
		}
	case commands.OptionBoolean:
		b, ok := commands.ParseBool(v)
		if !ok {
			return "", commands.Fail("error.option_not_boolean", locales.Data{"Name": label, "Value": v})
		}
		v = strconv.FormatBool(b)
	}
	if len(o.Choices) > 0 {
		c := matchChoice(l, o.Choices, v)
		if c == "" {
			labels := make([]string, len(o.Choices))
			for i, c := range o.Choices {
				labels[i] = l.S(c.NameID)
			}
			return "", commands.Fail("error.option_bad_choice", locales.Data{"Name": label, "Choices": strings.Join(labels, ", ")})
		}
		v = c
	}
	if o.MaxLength > 0 {
		if n := utf8.RuneCountInString(v); n > o.MaxLength {
			return "", commands.Fail("error.option_too_long", locales.Data{"Name": label, "Length": locales.Quantity(n), "Max": locales.Quantity(o.MaxLength)})
		}
	}
	return v, nil
}

// matchChoice accepts a choice's value, its label or one of its synonyms
// in the member's language, case and accents aside ("clôture" is
// "cloture").
func matchChoice(l *locales.Localizer, choices []commands.Choice, v string) string {
	v = commands.FoldName(v)
	for _, c := range choices {
		if commands.FoldName(c.Value) == v || commands.FoldName(l.S(c.NameID)) == v {
			return c.Value
		}
		if c.SynonymsID == "" {
			continue
		}
		for _, w := range strings.Split(l.Name(c.SynonymsID), ",") {
			if commands.FoldName(w) == v {
				return c.Value
			}
		}
	}
	return ""
}

// Autocomplete proposes values for an option being typed. Failures yield no
// suggestions: the member keeps typing.
func (rt *Runtime) Autocomplete(ctx context.Context, req *commands.Request, option, partial string) []commands.Suggestion {
	spec, ok := rt.registry.Resolve(req.Command)
	if !ok || spec.Autocomplete == nil {
		return nil
	}
	req.Now = rt.clock.Now()
	req.Loc = rt.Localizer(nil, req.User.Locale)
	if err := rt.resolve(ctx, req); err != nil {
		rt.log.Warn("autocomplete without database", "request", req.Describe(), "error", err)
		return nil
	}
	out, err := spec.Autocomplete(ctx, req, option, partial)
	if err != nil {
		rt.log.Warn("autocomplete failed", "request", req.Describe(), "error", err)
		return nil
	}
	return out
}

// Install registers capabilities: everything their Module declares. It
// refuses a module whose job kind or HTTP route another one already has.
func (rt *Runtime) Install(mods ...commands.Module) error {
	for _, m := range mods {
		if err := rt.registry.Add(m.Specs...); err != nil {
			return fmt.Errorf("install %s: %w", m.Name, err)
		}
		if err := rt.registry.AddSettings(m.Settings...); err != nil {
			return fmt.Errorf("install %s: %w", m.Name, err)
		}
		rt.mu.Lock()
		for kind, h := range m.Jobs {
			if _, dup := rt.jobs[kind]; dup {
				rt.mu.Unlock()
				return fmt.Errorf("install %s: job kind %q already has a handler", m.Name, kind)
			}
			rt.jobs[kind] = h
		}
		for pattern, h := range m.Routes {
			if _, dup := rt.routes[pattern]; dup {
				rt.mu.Unlock()
				return fmt.Errorf("install %s: HTTP route %q already taken", m.Name, pattern)
			}
			rt.routes[pattern] = h
		}
		for name, c := range m.CLI {
			if _, dup := rt.cli[name]; dup || name == "run" || name == "migrate" || name == "help" {
				rt.mu.Unlock()
				return fmt.Errorf("install %s: command-line tool %q already taken", m.Name, name)
			}
			rt.cli[name] = c
		}
		if m.Tick != nil {
			rt.ticks = append(rt.ticks, m.Tick)
		}
		if m.MergeMembers != nil {
			rt.mergers = append(rt.mergers, m.MergeMembers)
		}
		rt.mu.Unlock()
		for kind, r := range m.Posts {
			if err := rt.outbox.addRenderer(kind, r); err != nil {
				return fmt.Errorf("install %s: %w", m.Name, err)
			}
		}
		rt.mu.Lock()
		for _, kind := range slices.Sorted(maps.Keys(m.Events)) {
			rt.events[kind] = append(rt.events[kind], eventHandler{module: m.Name, handle: m.Events[kind]})
		}
		rt.mu.Unlock()
	}
	return nil
}

// Routes are the installed modules' HTTP routes, by ServeMux pattern, for
// the HTTP server.
func (rt *Runtime) Routes() map[string]http.Handler {
	rt.mu.RLock()
	defer rt.mu.RUnlock()
	return maps.Clone(rt.routes)
}

// CLI finds an installed capability's command-line tool.
func (rt *Runtime) CLI(name string) (commands.CLICommand, bool) {
	rt.mu.RLock()
	defer rt.mu.RUnlock()
	c, ok := rt.cli[name]
	return c, ok
}

// Deps are the collaborators capabilities are built with.
func (rt *Runtime) Deps() commands.Deps {
	p := rt.Platforms()
	return commands.Deps{
		Messenger: p, Roles: p, Events: p, Invites: p,
		Outbox: rt.outbox, Notifier: rt.notifier, Clock: rt.clock, Log: rt.log, Registry: rt.registry,
	}
}
