package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
)

// meta runs a console meta-command; French and English names both work.
func (c *Console) meta(ctx context.Context, line string) (quit bool) {
	words, err := commands.Fields(strings.TrimPrefix(line, ":"))
	if err != nil {
		if ue, ok := commands.AsUserError(err); ok {
			c.say(ue.Localize(c.loc()))
		}
		return false
	}
	if len(words) == 0 {
		return false
	}
	name, args := strings.ToLower(words[0]), words[1:]
	arg := strings.Join(args, " ")
	switch name {
	case "aide", "help", "?":
		c.say(c.loc().T("console.meta_help"))
	case "quitter", "quit", "q", "exit":
		return true
	case "user", "utilisateur", "qui":
		if arg != "" {
			c.mu.Lock()
			c.user = arg
			if _, ok := c.langs[arg]; !ok {
				c.langs[arg] = c.opts.Locale
			}
			c.mu.Unlock()
		}
		c.say(c.loc().T("console.you_are", c.whoData()))
	case "role", "rôle":
		role, ok := parseRole(arg)
		if !ok {
			c.say(c.loc().T("console.bad_role", locales.Data{"Role": arg}))
			return false
		}
		c.mu.Lock()
		c.roles[c.user] = role
		c.mu.Unlock()
		c.say(c.loc().T("console.you_are", c.whoData()))
	case "chat", "salon":
		if arg != "" {
			c.mu.Lock()
			c.chat = arg
			c.mu.Unlock()
		}
		c.say(c.loc().T("console.you_are", c.whoData()))
	case "langue", "lang", "language":
		c.mu.Lock()
		c.langs[c.user] = arg
		c.mu.Unlock()
		c.say(c.loc().T("console.you_are", c.whoData()))
	case "bouton", "button", "b":
		c.press(ctx, arg)
	case "choix", "choose", "select":
		c.choose(ctx, args)
	case "formulaire", "form":
		c.submit(ctx, args)
	case "fichier", "file":
		c.attach(arg)
	case "arrivee", "arrivée", "join":
		c.join(ctx)
	case "avance", "advance":
		if c.opts.Clock == nil {
			c.say(c.loc().T("console.no_clock"))
			return false
		}
		d, ok := commands.ParseDuration(arg)
		if !ok {
			c.say(c.loc().T("console.bad_duration", locales.Data{"Value": arg}))
			return false
		}
		c.advance(ctx, d)
	default:
		c.say(c.loc().T("console.unknown_meta", locales.Data{"Name": ":" + name}))
	}
	return false
}

func parseRole(s string) (commands.Role, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "membre", "member":
		return commands.RoleMember, true
	case "ambassadeur", "ambassadrice", "ambassador":
		return commands.RoleAmbassador, true
	case "moderateur", "modérateur", "moderatrice", "modératrice", "moderator", "mod":
		return commands.RoleModerator, true
	}
	return 0, false
}

// press finds a button of the newest message that has buttons, by its
// number or its label (case and accents as typed; the no-break spaces of
// French typography, which no one types in a terminal, as plain spaces).
func (c *Console) press(ctx context.Context, which string) {
	m := c.lastWith(func(m *message) bool { return len(m.buttons) > 0 })
	if m != nil {
		for i, b := range m.buttons {
			if b.URL == "" && (which == strconv.Itoa(i+1) || strings.EqualFold(plainSpaces.Replace(which), plainSpaces.Replace(b.Label))) {
				c.act(ctx, m, &commands.Action{Route: b.Action})
				return
			}
		}
	}
	c.say(c.loc().T("console.no_button", locales.Data{"Label": which}))
}

var plainSpaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ")

func (c *Console) choose(ctx context.Context, picks []string) {
	m := c.lastWith(func(m *message) bool { return m.sel != nil })
	if m == nil {
		c.say(c.loc().T("console.no_select"))
		return
	}
	var values []string
	for _, p := range picks {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > len(m.sel.Options) {
			c.say(c.loc().T("console.no_button", locales.Data{"Label": p}))
			return
		}
		values = append(values, m.sel.Options[n-1].Action)
	}
	c.act(ctx, m, &commands.Action{Route: m.sel.Action, Values: values})
}

func (c *Console) submit(ctx context.Context, pairs []string) {
	m := c.lastWith(func(m *message) bool { return m.modal != nil })
	if m == nil {
		c.say(c.loc().T("console.no_modal"))
		return
	}
	fields := map[string]string{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		fields[k] = strings.Trim(v, `"`)
	}
	c.act(ctx, m, &commands.Action{Route: m.modal.Action, Fields: fields})
}

// join plays the current user joining the current chat: the member event
// modules welcome newcomers with.
func (c *Console) join(ctx context.Context) {
	req := c.baseRequest()
	req.Event = &commands.Event{Kind: commands.EventMemberJoined}
	for _, r := range c.rt.HandleEvent(ctx, req) {
		c.show(req.Chat.ID, "", r, req.User.ID)
	}
}

// maxAttachment caps a file read by :fichier, as the chat adapters cap
// their downloads.
const maxAttachment = 8 << 20

// attach reads a file that the next typed line carries, as a file sent with
// a command on Discord or Telegram.
func (c *Console) attach(path string) {
	data, err := readCapped(path, maxAttachment)
	if err != nil {
		c.say(c.loc().T("console.file_unreadable", locales.Data{"File": path, "Error": err.Error()}))
		return
	}
	c.mu.Lock()
	c.pending = []commands.File{{Name: filepath.Base(path), ContentType: "application/octet-stream", Data: data}}
	c.mu.Unlock()
	c.say(c.loc().T("console.file_pending", locales.Data{"Name": filepath.Base(path), "Size": locales.Quantity(len(data))}))
}

// readCapped reads at most max bytes of a file and refuses a larger one.
func readCapped(path string, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > max {
		return nil, fmt.Errorf("more than %d bytes", max)
	}
	return data, nil
}
