// Package welcome greets newcomers once per community, in their language,
// with the community's charter, how to take part and how to become an
// ambassador; /bienvenue lets moderators write the welcome text and the
// charter (the defaults are in locales/welcome).
package welcome

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// Limits on what moderators write, so the welcome message with both texts
// stays a few messages long on every platform.
const (
	MaxWelcomeText = 1000
	MaxCharter     = 2000
)

// Store is what the capability reads and writes; storage.Store implements it.
type Store interface {
	WelcomeTexts(ctx context.Context, communityID int64) (model.WelcomeTexts, error)
	SetWelcomeText(ctx context.Context, communityID int64, text string, by int64, now time.Time) error
	SetCharter(ctx context.Context, communityID int64, text string, by int64, now time.Time) error
	MarkWelcomed(ctx context.Context, communityID, memberID int64, now time.Time) (bool, error)
	MergeWelcome(ctx context.Context, into, from int64) error
}

// What moderators edit: the option and form field names, and the form routes.
const (
	textOption  = "texte"
	whatText    = "texte"
	whatCharter = "charte"
	formText    = "bvn/text"
	formCharter = "bvn/charter"
)

var resettable = []commands.Choice{
	{Value: whatText, NameID: "welcome.what.text"},
	{Value: whatCharter, NameID: "welcome.what.charter"},
}

// New builds the capability.
func New(deps commands.Deps, store Store) commands.Module {
	h := handlers{store: store}
	return commands.Module{
		Name: "welcome",
		Specs: []*commands.Spec{{
			Name:         "bienvenue",
			Permission:   commands.RoleModerator,
			ActionPrefix: "bvn",
			HandleAction: h.form,
			Subcommands: []*commands.Spec{
				{Name: "texte", Handle: h.setText, Options: []commands.Option{
					{Name: textOption, Type: commands.OptionString, MaxLength: MaxWelcomeText, Rest: true},
				}},
				{Name: "charte", Handle: h.setCharter, Options: []commands.Option{
					{Name: textOption, Type: commands.OptionString, MaxLength: MaxCharter, Rest: true},
				}},
				{Name: "apercu", Handle: h.preview},
				{Name: "reinitialiser", Handle: h.reset, Options: []commands.Option{
					{Name: "quoi", Type: commands.OptionString, Required: true, Choices: resettable},
				}},
			},
		}},
		Events:       map[string]commands.Handler{commands.EventMemberJoined: h.joined},
		MergeMembers: store.MergeWelcome,
	}
}

type handlers struct{ store Store }

// joined greets a member who joined a chat, once per community: the
// greeting is recorded first, so a member who rejoins, or whose join two
// processes see, is not greeted again. The moderators' and ambassadors'
// chats are not where newcomers arrive: nobody is greeted there, and
// joining them does not count as being greeted.
func (h handlers) joined(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	if req.ChatPurpose == model.PurposeModeration || req.ChatPurpose == model.PurposeAmbassadors {
		return nil, nil
	}
	texts, err := h.store.WelcomeTexts(ctx, req.Community.ID)
	if err != nil {
		return nil, fmt.Errorf("welcome: %w", err)
	}
	first, err := h.store.MarkWelcomed(ctx, req.Community.ID, req.Member.ID, req.Now)
	if err != nil {
		return nil, fmt.Errorf("welcome: %w", err)
	}
	if !first {
		return nil, nil
	}
	return commands.Reply(Message(req.Loc, req.Community.Name, req.Member.Name, texts)), nil
}

// Message is the greeting a newcomer reads, in l's language: the
// moderators' texts where they wrote some, the defaults otherwise.
func Message(l *locales.Localizer, community, member string, texts model.WelcomeTexts) markup.Text {
	body := l.T("welcome.default_text")
	if texts.Welcome != "" {
		body = markup.Escape(texts.Welcome)
	}
	return markup.Join([]markup.Text{
		l.T("welcome.greeting", locales.Data{"Name": member, "Community": community}),
		body,
		l.T("welcome.charter_title"),
		Charter(l, texts),
		l.T("welcome.ambassador_hint"),
	}, "\n\n")
}

// Charter is the community's charter as l's reader sees it: what the
// moderators wrote (shown as typed), or the default in l's language.
func Charter(l *locales.Localizer, texts model.WelcomeTexts) markup.Text {
	if texts.Charter != "" {
		return markup.Escape(texts.Charter)
	}
	return l.T("welcome.default_charter")
}

func (h handlers) setText(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	return h.edit(ctx, req, whatText, req.String(textOption))
}

func (h handlers) setCharter(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	return h.edit(ctx, req, whatCharter, req.String(textOption))
}

// edit writes a text given as an option; without one, it opens a form,
// where a long text with several lines is easier to write.
func (h handlers) edit(ctx context.Context, req *commands.Request, what, raw string) (*commands.Response, error) {
	if strings.TrimSpace(raw) == "" {
		return &commands.Response{Text: req.Loc.T("welcome.form_intro." + what), Modal: form(req.Loc, what)}, nil
	}
	return h.save(ctx, req, what, raw)
}

func form(l *locales.Localizer, what string) *commands.Modal {
	route, max := formText, MaxWelcomeText
	if what == whatCharter {
		route, max = formCharter, MaxCharter
	}
	return &commands.Modal{Action: route, Title: l.S("welcome.form_title." + what), Fields: []commands.ModalField{{
		ID: textOption, Label: l.S("welcome.form_label." + what), Placeholder: l.S("welcome.form_placeholder." + what),
		Long: true, Required: true, MaxLength: max,
	}}}
}

// form takes the texts written in the forms /bienvenue texte and /bienvenue
// charte open; the runtime already checked the member is a moderator.
func (h handlers) form(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	switch req.Action.Route {
	case formText:
		return h.save(ctx, req, whatText, req.Action.Fields[textOption])
	case formCharter:
		return h.save(ctx, req, whatCharter, req.Action.Fields[textOption])
	}
	return nil, commands.Fail("error.unknown_action")
}

func (h handlers) save(ctx context.Context, req *commands.Request, what, raw string) (*commands.Response, error) {
	max := MaxWelcomeText
	if what == whatCharter {
		max = MaxCharter
	}
	text := CleanText(raw)
	if text == "" {
		return nil, commands.Fail("welcome.empty")
	}
	if n := utf8.RuneCountInString(text); n > max {
		return nil, commands.Fail("welcome.too_long", locales.Data{"Length": locales.Quantity(n), "Max": locales.Quantity(max)})
	}
	if err := h.write(ctx, req, what, text); err != nil {
		return nil, err
	}
	return commands.Private(req.Loc.T("welcome.saved."+what, locales.Data{"Text": text})), nil
}

func (h handlers) write(ctx context.Context, req *commands.Request, what, text string) error {
	var err error
	if what == whatCharter {
		err = h.store.SetCharter(ctx, req.Community.ID, text, req.Member.ID, req.Now)
	} else {
		err = h.store.SetWelcomeText(ctx, req.Community.ID, text, req.Member.ID, req.Now)
	}
	if err != nil {
		return fmt.Errorf("welcome: save %s: %w", what, err)
	}
	return nil
}

// reset goes back to the default text, in each reader's language.
func (h handlers) reset(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	what := req.String("quoi")
	if err := h.write(ctx, req, what, ""); err != nil {
		return nil, err
	}
	return commands.Private(req.Loc.T("welcome.reset." + what)), nil
}

// preview shows the greeting as a newcomer speaking the moderator's
// language will read it.
func (h handlers) preview(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	texts, err := h.store.WelcomeTexts(ctx, req.Community.ID)
	if err != nil {
		return nil, fmt.Errorf("welcome: %w", err)
	}
	msg := Message(req.Loc, req.Community.Name, req.Loc.S("welcome.preview_name"), texts)
	return commands.Private(markup.Join([]markup.Text{req.Loc.T("welcome.preview"), msg}, "\n\n")), nil
}

// CleanText reads a text moderators wrote: control characters dropped
// (tabs become spaces), every kind of line break made one, spaces ending
// lines and runs of blank lines removed, so what is shown is what they meant.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n").Replace(s)
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRightFunc(strings.Map(printable, line), unicode.IsSpace)
		if line == "" && (len(lines) == 0 || lines[len(lines)-1] == "") {
			continue // at most one blank line between paragraphs, none first
		}
		lines = append(lines, line)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func printable(r rune) rune {
	switch {
	case r == '\t':
		return ' '
	case unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != '\u200d':
		return -1 // invisible characters that change nothing a reader wants
	}
	return r
}
