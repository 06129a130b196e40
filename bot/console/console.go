// Package console is Agora as a terminal chat: type commands as a member
// would, switch the acting user, role, chat and language with meta-commands
// starting with ":", press buttons by number or label. Other lines are chat
// messages (or answers to Agora's questions), and ":arrivee" plays the
// current user joining the chat. Fed a script on its input, it prints a
// transcript, which makes end-to-end tests.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
)

// GroupID puts every console chat in one community, as the channels of a
// Discord server are.
const GroupID = "console"

// JobRunner runs the scheduled jobs that are due; the runtime is one.
type JobRunner interface {
	RunDueJobs(ctx context.Context) (int, error)
}

// Options configure a console.
type Options struct {
	// Echo prints each input line in the transcript, for scripts.
	Echo bool
	// Clock, when set, lets ":avance" move time forward and run the due
	// jobs with Jobs.
	Clock *bot.ManualClock
	Jobs  JobRunner
	// Log receives what goes wrong behind the transcript; nil discards it.
	Log *slog.Logger
	// User, Chat and Locale are the starting identity; defaults are
	// "camille", "general" and "fr".
	User, Chat, Locale string
}

// Console is the terminal adapter.
type Console struct {
	rt   bot.Handler
	in   io.Reader
	opts Options

	mu       sync.Mutex
	out      io.Writer
	nextID   int
	messages map[string]*message // by message ID
	order    []string            // message IDs, oldest first
	user     string
	role     commands.Role
	roles    map[string]commands.Role
	langs    map[string]string
	chat     string
	// pending is the file set with :fichier, sent with the next line.
	pending []commands.File

	// Platform features (features.go) only print what they do; the events
	// are kept so that editing an unknown one fails as it would elsewhere.
	events    map[string]commands.ScheduledEvent
	nextEvent int
	invites   int
}

type message struct {
	id      string
	chat    string
	buttons []commands.Button
	sel     *commands.Select
	modal   *commands.Modal
	forUser string // ephemeral replies belong to one user
}

// New makes a console reading in and writing out.
func New(rt bot.Handler, in io.Reader, out io.Writer, opts Options) *Console {
	if opts.User == "" {
		opts.User = "camille"
	}
	if opts.Chat == "" {
		opts.Chat = "general"
	}
	if opts.Locale == "" {
		opts.Locale = "fr"
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Console{
		rt: rt, in: in, out: out, opts: opts, messages: map[string]*message{},
		user: opts.User, chat: opts.Chat, roles: map[string]commands.Role{}, langs: map[string]string{opts.User: opts.Locale},
	}
}

// Name is the platform name.
func (c *Console) Name() string { return commands.PlatformConsole }

// Run reads lines until the input ends, ":quitter" is typed, or ctx ends.
// The goroutine reading the input belongs to Run; on a terminal it can only
// stop when a line arrives or the process exits, which is when Run's caller
// is done anyway.
func (c *Console) Run(ctx context.Context) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(c.in)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()
	c.say(c.loc().T("console.welcome", c.whoData()))
	for {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				if err := <-readErr; err != nil {
					return fmt.Errorf("read console input: %w", err)
				}
				return nil
			}
			if quit := c.handleLine(ctx, line); quit {
				c.say(c.loc().T("console.bye"))
				return nil
			}
		}
	}
}

// Exec runs one line as if typed, for tests that drive the console directly.
func (c *Console) Exec(ctx context.Context, line string) { c.handleLine(ctx, line) }

func (c *Console) handleLine(ctx context.Context, line string) (quit bool) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		if c.opts.Echo && line != "" {
			c.printf("%s\n", line)
		}
		return false
	}
	if c.opts.Echo {
		c.printf("> %s: %s\n", c.user, line)
	}
	if strings.HasPrefix(line, ":") {
		return c.meta(ctx, line)
	}
	// Commands, answers to Agora's questions and chatter alike go to the
	// runtime's text front end, as on Telegram.
	req := c.baseRequest()
	c.mu.Lock()
	files := c.pending
	c.pending = nil
	c.mu.Unlock()
	c.rt.HandleText(ctx, bot.TextMessage{
		Platform: req.Platform, Chat: req.Chat, User: req.User, Text: line, Direct: true, Files: files,
	}, c.replier(req))
	return false
}

func (c *Console) baseRequest() *commands.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &commands.Request{
		Platform: commands.PlatformConsole,
		Chat:     commands.Chat{ID: c.chat, GroupID: GroupID, Title: c.chat},
		User:     commands.User{ID: c.user, Name: c.user, Locale: c.langs[c.user], PlatformRole: c.roles[c.user]},
	}
}

// replier shows the runtime's answers to a line typed by the current user.
type replier struct {
	c    *Console
	chat string
	user string
}

func (c *Console) replier(req *commands.Request) replier {
	return replier{c: c, chat: req.Chat.ID, user: req.User.ID}
}

func (r replier) Reply(ctx context.Context, resp *commands.Response) {
	r.c.show(r.chat, "", resp, r.user)
}

// Ask shows a guided question; the next line the user types answers it.
// A form's first question also lists the form's fields, so that
// ":formulaire champ=valeur …" fills it at once.
func (r replier) Ask(ctx context.Context, q bot.Question) (string, error) {
	l := r.c.loc()
	text := markup.Join([]markup.Text{q.Text, l.T("console.answer_hint")}, "\n")
	return r.c.show(r.chat, "", &commands.Response{Text: text, Modal: q.Form}, ""), nil
}

func (c *Console) act(ctx context.Context, msg *message, action *commands.Action) {
	req := c.baseRequest()
	action.MessageID = msg.id
	req.Action = action
	resp := c.rt.Handle(ctx, req)
	if resp.Modal != nil {
		c.rt.StartForm(ctx, req, resp, c.replier(req))
		return
	}
	editID := ""
	if resp.Edit && msg.forUser == "" {
		editID = msg.id
	}
	c.show(msg.chat, editID, resp, req.User.ID)
}

// show prints a response: a new message, or an edit of editID.
func (c *Console) show(chat, editID string, r *commands.Response, user string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := editID
	if id == "" {
		c.nextID++
		id = strconv.Itoa(c.nextID)
		c.order = append(c.order, id)
	}
	m := &message{id: id, chat: chat, buttons: r.Buttons, sel: r.Select, modal: r.Modal}
	if r.Ephemeral {
		m.forUser = user
	}
	c.messages[id] = m
	l := c.locLocked()
	var head []string
	head = append(head, "#"+id)
	if editID != "" {
		head = append(head, l.S("console.edited"))
	}
	if chat != c.chat {
		head = append(head, chat)
	}
	if r.Ephemeral {
		head = append(head, l.S("console.private"))
	}
	c.render(head, r, l)
	return id
}

func (c *Console) render(head []string, r *commands.Response, l *locales.Localizer) {
	fmt.Fprintf(c.out, "[%s] %s\n", strings.Join(head, " · "), indent(r.Text.Plain()))
	if len(r.Buttons) > 0 {
		var b strings.Builder
		for i, btn := range r.Buttons {
			if btn.URL != "" {
				fmt.Fprintf(&b, " [%d %s → %s]", i+1, btn.Label, btn.URL)
			} else {
				fmt.Fprintf(&b, " [%d %s]", i+1, btn.Label)
			}
		}
		fmt.Fprintf(c.out, "   %s\n", strings.TrimSpace(b.String()))
	}
	if r.Select != nil {
		fmt.Fprintf(c.out, "   %s: %s\n", l.S("console.select"), r.Select.Placeholder)
		for i, o := range r.Select.Options {
			fmt.Fprintf(c.out, "     %d. %s\n", i+1, o.Label)
		}
	}
	if r.Modal != nil {
		fmt.Fprintf(c.out, "   %s\n", l.S("console.modal", locales.Data{"Title": r.Modal.Title}))
		for _, f := range r.Modal.Fields {
			fmt.Fprintf(c.out, "     %s: %s\n", f.ID, f.Label)
		}
	}
	for _, f := range r.Files {
		fmt.Fprintf(c.out, "   %s\n", l.S("console.file", locales.Data{"Name": f.Name, "Size": l.Number(len(f.Data))}))
	}
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }

// Send posts a message in a console chat (mirrored polls, results, reminders).
func (c *Console) Send(ctx context.Context, chatID string, r *commands.Response) (string, error) {
	return c.show(chatID, "", r, ""), nil
}

// Edit replaces a message. A console message is never split, so its
// reference is its one ID and stays the same.
func (c *Console) Edit(ctx context.Context, chatID, ref string, r *commands.Response) (string, error) {
	c.mu.Lock()
	_, ok := c.messages[ref]
	c.mu.Unlock()
	if !ok {
		return ref, fmt.Errorf("console message %s: not found", ref)
	}
	c.show(chatID, ref, r, "")
	return ref, nil
}

// Delete removes a message; one already gone counts as deleted, as on the
// other platforms.
func (c *Console) Delete(ctx context.Context, chatID, ref string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.messages[ref]; !ok {
		return nil
	}
	delete(c.messages, ref)
	fmt.Fprintf(c.out, "[#%s · %s]\n", ref, c.locLocked().S("console.deleted"))
	return nil
}

// DirectMessage prints a private message.
func (c *Console) DirectMessage(ctx context.Context, userID string, r *commands.Response) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	id := strconv.Itoa(c.nextID)
	c.messages[id] = &message{id: id, chat: "@" + userID, buttons: r.Buttons, sel: r.Select, modal: r.Modal, forUser: userID}
	c.order = append(c.order, id)
	l := c.locLocked()
	c.render([]string{"#" + id, l.S("console.direct", locales.Data{"User": userID})}, r, l)
	return id, nil
}

func (c *Console) say(t markup.Text) {
	c.printf("%s\n", indent(t.Plain()))
}

func (c *Console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, format, args...)
}

func (c *Console) loc() *locales.Localizer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.locLocked()
}

func (c *Console) locLocked() *locales.Localizer {
	return c.rt.Localizer(nil, c.langs[c.user])
}

func (c *Console) whoData() locales.Data {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.locLocked()
	return locales.Data{"User": c.user, "Role": l.S("role." + c.roles[c.user].String()), "Chat": c.chat, "Lang": l.Lang()}
}

// lastWith finds the newest message in the current chat (or a direct
// message to the current user) that has what want looks for.
func (c *Console) lastWith(want func(*message) bool) *message {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.order) - 1; i >= 0; i-- {
		m, ok := c.messages[c.order[i]]
		if !ok || (m.chat != c.chat && m.chat != "@"+c.user) {
			continue
		}
		if m.forUser != "" && m.forUser != c.user {
			continue
		}
		if want(m) {
			return m
		}
	}
	return nil
}

// advance moves the manual clock and runs the jobs now due.
func (c *Console) advance(ctx context.Context, d time.Duration) {
	now := c.opts.Clock.Advance(d)
	c.say(c.loc().T("console.clock", locales.Data{"Time": c.loc().DateTime(now)}))
	if c.opts.Jobs == nil {
		return
	}
	if _, err := c.opts.Jobs.RunDueJobs(ctx); err != nil {
		c.opts.Log.Error("run due jobs", "error", err)
		c.say(c.loc().T("error.internal"))
	}
}
