package bot

import (
	"context"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
)

// TextMessage is a message a member typed on a platform without command
// forms of its own (Telegram, the console): a command line, an answer to a
// question Agora asked, or chatter.
type TextMessage struct {
	Platform string
	Chat     commands.Chat
	User     commands.User
	Text     string
	// MessageID is the platform message, for answers that reply to it.
	MessageID string
	// ReplyTo is the message this one replies to, when the platform says
	// so: a reply to Agora's question answers it, even in a group.
	ReplyTo string
	// Direct says every message in this chat is for Agora (a private chat,
	// the console): unknown commands get an answer, and any message
	// answers a pending question.
	Direct bool
	// BotName is Agora's name on the platform: "/aide@other_bot" is for
	// another bot and is left alone.
	BotName string
	// Spelling is how the platform writes command names.
	Spelling commands.Spelling
	// Files are the files sent with the message (a Telegram document whose
	// caption is the command, the console's :fichier): they fill the
	// command's attachment options, in declared order.
	Files []commands.File
}

// request is a request from the message's member in its chat.
func (m TextMessage) request() *commands.Request {
	return &commands.Request{Platform: m.Platform, Chat: m.Chat, User: m.User}
}

// Replier posts, in the chat a message came from, what the runtime answers.
// Adapters implement it; how a question looks (Telegram's reply prompt) is
// theirs to decide.
type Replier interface {
	// Reply answers the member's message. An ephemeral response is shown
	// to them alone where the platform can.
	Reply(ctx context.Context, r *commands.Response)
	// Ask posts a question only the member should answer and returns the
	// posted message's ID, which their answer may reply to.
	Ask(ctx context.Context, q Question) (messageID string, err error)
}

// Question is one step of a guided conversation.
type Question struct {
	Text markup.Text
	// Hint names what is asked, in a few words, for an input placeholder.
	Hint string
	// Form is the form whose first field this question asks, so a platform
	// may also offer to fill it at once (the console's :formulaire).
	Form *commands.Modal
}

// HandleText answers what a member typed: a command is parsed with the one
// grammar of typed commands (commands.ParseTextAs) and handled, with a
// guided conversation asking for required options left out; any other
// message answers the member's pending question, if any, and is otherwise
// a message event (HandleEvent). Answers go through to.
func (rt *Runtime) HandleText(ctx context.Context, msg TextMessage, to Replier) {
	rt.inflight.Add(1)
	defer rt.inflight.Done()
	text := strings.TrimSpace(msg.Text)
	if text == "" {
		return
	}
	if commands.IsCommandText(text) {
		rt.typedCommand(ctx, msg, text, to)
		return
	}
	if rt.answer(ctx, msg, text, to) {
		return
	}
	req := msg.request()
	req.Event = &commands.Event{Kind: commands.EventMessage, Text: text, MessageID: msg.MessageID}
	for _, r := range rt.HandleEvent(ctx, req) {
		to.Reply(ctx, r)
	}
}

// typedCommand handles a command line.
func (rt *Runtime) typedCommand(ctx context.Context, msg TextMessage, text string, to Replier) {
	head, botName := commands.CommandHead(text)
	if botName != "" && msg.BotName != "" && !strings.EqualFold(botName, msg.BotName) {
		return // addressed to another bot in the group
	}
	addressed := msg.Direct || botName != ""
	l := rt.Localizer(nil, msg.User.Locale)
	if rt.isCancel(head, msg.Spelling) {
		rt.cancel(ctx, msg, to)
		return
	}
	tc, err := commands.ParseTextAs(rt.registry, text, msg.Spelling)
	if err != nil {
		ue, ok := commands.AsUserError(err)
		if !ok {
			rt.log.Error("parse a typed command", "platform", msg.Platform, "error", err)
			to.Reply(ctx, commands.Private(l.T("error.internal")))
			return
		}
		if ue.ID == "error.unknown_command" && !addressed {
			return // in a group, an unknown command may be another bot's
		}
		to.Reply(ctx, commands.Private(ue.Localize(l)))
		return
	}
	req := msg.request()
	req.Command, req.Options = tc.Path, tc.Options
	if spec, ok := rt.registry.Resolve(tc.Path); ok {
		attachFiles(req, spec, msg.Files)
		if missing := missingOptions(spec, tc.Options); len(missing) > 0 {
			rt.startCommand(ctx, req, spec, missing, to)
			return
		}
	}
	rt.deliver(ctx, req, rt.Handle(ctx, req), to)
}

// attachFiles gives each attachment option of the command one of the files
// sent with it: typed text cannot name a file, so the order decides.
func attachFiles(req *commands.Request, spec *commands.Spec, files []commands.File) {
	for i := range spec.Options {
		o := &spec.Options[i]
		if o.Type != commands.OptionAttachment || len(files) == 0 {
			continue
		}
		req.Options[o.Name] = files[0].Name
		req.Files = append(req.Files, files[0])
		files = files[1:]
	}
}

// missingOptions lists the required options not given, in declared order.
func missingOptions(spec *commands.Spec, given map[string]string) []string {
	var out []string
	for _, o := range spec.Options {
		if o.Required && strings.TrimSpace(given[o.Name]) == "" {
			out = append(out, o.Name)
		}
	}
	return out
}

// deliver posts a response, or asks for the fields of the form it holds.
func (rt *Runtime) deliver(ctx context.Context, req *commands.Request, r *commands.Response, to Replier) {
	if r.Modal != nil {
		rt.StartForm(ctx, req, r, to)
		return
	}
	to.Reply(ctx, r)
}

// isCancel reports whether a command word is the built-in cancel command
// ("/annuler", "/cancel"), which ends the member's guided conversation.
func (rt *Runtime) isCancel(head string, sp commands.Spelling) bool {
	for _, lang := range locales.Supported {
		name := rt.catalog.Localizer(nil, lang).S("conversation.cancel.name")
		if commands.FoldName(head) == commands.FoldName(name) || sp.Name != nil && sp.Name(head) != "" && sp.Name(head) == sp.Name(name) {
			return true
		}
	}
	return false
}
