package bot

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// A guided conversation asks, one question at a time, for what a typed
// command or a form still needs: the required options a member left out,
// or a modal's fields on platforms without forms. It is platform-neutral:
// adapters only post the questions (Replier.Ask). Its state lives in the
// database, so the answer may reach any process, even after a restart.

// convState is a conversation's progress, stored as JSON.
type convState struct {
	// Command and Options for a command waiting for options.
	Command string            `json:"command,omitempty"`
	Options map[string]string `json:"options,omitempty"`
	// Route, Fields and Labels for a form; MessageID is the message whose
	// button opened it.
	Route     string            `json:"route,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	MessageID string            `json:"message_id,omitempty"`
	// Pending lists the option names or field IDs still to ask, in order.
	Pending []string `json:"pending"`
}

// startCommand asks for the first missing option of a typed command, once
// it is clear the command would not be refused at the end anyway and what
// was given is valid: no question is asked in vain.
func (rt *Runtime) startCommand(ctx context.Context, req *commands.Request, spec *commands.Spec, missing []string, to Replier) {
	if refusal := rt.Precheck(ctx, req); refusal != nil {
		to.Reply(ctx, refusal)
		return
	}
	if err := validateOptions(req, spec, true); err != nil {
		resp, _ := rt.failure(req, err)
		to.Reply(ctx, resp)
		return
	}
	rt.ask(ctx, req, convState{Command: req.Command, Options: req.Options, Pending: missing}, nil, to)
}

// StartForm asks for a form's fields one at a time, on platforms without
// forms: r is the response holding the modal, req the request it answers
// (a button press: its message is edited when the form's answer says so).
func (rt *Runtime) StartForm(ctx context.Context, req *commands.Request, r *commands.Response, to Replier) {
	st := convState{Route: r.Modal.Action, Fields: map[string]string{}, Labels: map[string]string{}}
	if req.Action != nil {
		st.MessageID = req.Action.MessageID
	}
	for _, f := range r.Modal.Fields {
		st.Pending = append(st.Pending, f.ID)
		st.Labels[f.ID] = f.Label
	}
	if len(st.Pending) == 0 {
		rt.finishForm(ctx, req, st, to)
		return
	}
	if strings.TrimSpace(string(r.Text)) != "" {
		to.Reply(ctx, &commands.Response{Text: r.Text})
	}
	rt.ask(ctx, req, st, r.Modal, to)
}

// ask posts the question for st.Pending[0], then saves the conversation
// with the question's message ID.
func (rt *Runtime) ask(ctx context.Context, who *commands.Request, st convState, form *commands.Modal, to Replier) {
	l := rt.Localizer(nil, who.User.Locale)
	name := st.Pending[0]
	q := Question{Form: form}
	if st.Route != "" {
		q.Hint = st.Labels[name]
		q.Text = l.T("conversation.ask_field", locales.Data{"Label": q.Hint})
	} else if o := rt.option(st.Command, name); o != nil {
		q.Hint = commands.LocalName(l, o.NameID)
		q.Text = l.T("conversation.ask_option", locales.Data{"Name": q.Hint, "Description": l.S(o.DescriptionID)})
		if list := rt.suggestions(ctx, who, st.Command, o); list != "" {
			q.Text += "\n" + list
		}
	} else {
		rt.log.Error("conversation asks for an unknown option", "command", st.Command, "option", name)
		return
	}
	id, err := to.Ask(ctx, q)
	if err != nil {
		rt.log.Error("post a guided question", "platform", who.Platform, "chat", who.Chat.ID, "error", err)
		return
	}
	state, err := json.Marshal(st)
	if err != nil {
		rt.log.Error("encode conversation", "error", err)
		return
	}
	c := storage.Conversation{
		Platform: who.Platform, ChatID: who.Chat.ID, UserID: who.User.ID,
		State: string(state), PromptID: id, ExpiresAt: rt.clock.Now().Add(rt.cfg.ConversationTTL),
	}
	if err := rt.store.SaveConversation(ctx, c); err != nil {
		rt.log.Error("save conversation", "error", err)
		to.Reply(ctx, commands.Private(l.T("error.unavailable")))
	}
}

// maxSuggestions bounds the values a guided question lists: a question
// is one message, and a member picks among the few newest.
const maxSuggestions = 10

// suggestions lists what the command proposes for the option as a member
// types it (Discord's autocomplete: open polls, coming meetups), for a
// question on a text platform to show what there is to pick from.
func (rt *Runtime) suggestions(ctx context.Context, who *commands.Request, path string, o *commands.Option) markup.Text {
	if !o.Autocomplete {
		return ""
	}
	req := &commands.Request{Platform: who.Platform, Chat: who.Chat, User: who.User, Command: path}
	list := rt.Autocomplete(ctx, req, o.Name, "")
	if len(list) == 0 {
		return ""
	}
	lines := []markup.Text{req.Loc.T("conversation.suggestions")}
	for _, s := range list[:min(len(list), maxSuggestions)] {
		lines = append(lines, "• "+markup.Escape(s.Label))
	}
	return markup.Join(lines, "\n")
}

// option finds an option of a command by canonical names.
func (rt *Runtime) option(path, name string) *commands.Option {
	spec, ok := rt.registry.Resolve(path)
	if !ok {
		return nil
	}
	return spec.Option(name)
}

// answer takes a message as the answer to the member's pending question: a
// reply to the question, or any message where every message is for Agora.
// It reports whether the message was taken.
func (rt *Runtime) answer(ctx context.Context, msg TextMessage, text string, to Replier) bool {
	if !msg.Direct && msg.ReplyTo == "" {
		return false // group chatter: no question to look up
	}
	c, err := rt.store.Conversation(ctx, msg.Platform, msg.Chat.ID, msg.User.ID, rt.clock.Now())
	if errors.Is(err, storage.ErrNotFound) {
		return false
	}
	if err != nil {
		rt.log.Error("read conversation", "error", err)
		return false
	}
	if !msg.Direct && msg.ReplyTo != c.PromptID {
		return false // a reply to another message, not the answer
	}
	var st convState
	if err := json.Unmarshal([]byte(c.State), &st); err != nil || len(st.Pending) == 0 {
		rt.log.Error("unreadable conversation; forgetting it", "error", err)
		_, _ = rt.store.EndConversation(ctx, c.Platform, c.ChatID, c.UserID, rt.clock.Now())
		return true
	}
	who := msg.request()
	name := st.Pending[0]
	if st.Route == "" {
		if o := rt.option(st.Command, name); o != nil {
			l := rt.Localizer(nil, msg.User.Locale)
			err := rt.checkAnswer(ctx, who, st.Command, o, text)
			if err != nil {
				// Said, then asked again: nothing given so far is lost.
				if ue, ok := commands.AsUserError(err); ok {
					to.Reply(ctx, commands.Reply(ue.Localize(l)))
				}
				rt.ask(ctx, who, st, nil, to)
				return true
			}
		}
		if st.Options == nil {
			st.Options = map[string]string{}
		}
		st.Options[name] = text
	} else {
		if st.Fields == nil {
			st.Fields = map[string]string{}
		}
		st.Fields[name] = text
	}
	st.Pending = st.Pending[1:]
	if len(st.Pending) > 0 {
		rt.ask(ctx, who, st, nil, to)
		return true
	}
	if _, err := rt.store.EndConversation(ctx, c.Platform, c.ChatID, c.UserID, rt.clock.Now()); err != nil {
		rt.log.Error("end conversation", "error", err)
	}
	if st.Route != "" {
		rt.finishForm(ctx, who, st, to)
		return true
	}
	who.Command, who.Options = st.Command, maps.Clone(st.Options)
	resp, refusal := rt.handle(ctx, who)
	if refusal != nil && refusal.Option != "" && rt.option(st.Command, refusal.Option) != nil {
		// The command refused one value (two choices where it needs two
		// different ones, a poll number that names no poll): said, then
		// asked again, as for a value of the wrong type, so the member
		// does not retype the whole command.
		l := rt.Localizer(nil, msg.User.Locale)
		to.Reply(ctx, commands.Reply(refusal.Localize(l)))
		delete(st.Options, refusal.Option)
		st.Pending = []string{refusal.Option}
		rt.ask(ctx, who, st, nil, to)
		return true
	}
	rt.deliver(ctx, who, resp, to)
	return true
}

// checkAnswer checks an answer as the option's value: its type and
// length, then what the option's Check reads in it, on the request
// resolved as the command's would be.
func (rt *Runtime) checkAnswer(ctx context.Context, who *commands.Request, path string, o *commands.Option, text string) error {
	l := rt.Localizer(nil, who.User.Locale)
	v, err := checkOption(l, o, text)
	if err != nil || o.Check == nil || v == "" {
		return err
	}
	req := &commands.Request{Platform: who.Platform, Chat: who.Chat, User: who.User, Command: path}
	if rt.Precheck(ctx, req) != nil {
		return nil // the command itself will say why it cannot run
	}
	err = o.Check(req, v)
	if _, isUser := commands.AsUserError(err); err != nil && !isUser {
		// Not the member's mistake: the command reads the value again and
		// reports the failure; asking again would not help.
		rt.log.Warn("check an answer", "command", path, "option", o.Name, "error", err)
		return nil
	}
	return err
}

// finishForm submits a completed form as the action it was for.
func (rt *Runtime) finishForm(ctx context.Context, who *commands.Request, st convState, to Replier) {
	req := &commands.Request{Platform: who.Platform, Chat: who.Chat, User: who.User}
	req.Action = &commands.Action{Route: st.Route, Fields: st.Fields, MessageID: st.MessageID}
	r := rt.Handle(ctx, req)
	if r.Edit && st.MessageID != "" && !r.Ephemeral && r.Modal == nil {
		at := commands.ChatAddress{Platform: req.Platform, ChatID: req.Chat.ID}
		if _, err := rt.Messenger().Edit(ctx, at, st.MessageID, r); err != nil {
			rt.log.Error("edit after a form", "platform", req.Platform, "chat", req.Chat.ID, "error", err)
		}
		return
	}
	rt.deliver(ctx, req, r, to)
}

// cancel ends the member's conversation in the chat, if any.
func (rt *Runtime) cancel(ctx context.Context, msg TextMessage, to Replier) {
	l := rt.Localizer(nil, msg.User.Locale)
	live, err := rt.store.EndConversation(ctx, msg.Platform, msg.Chat.ID, msg.User.ID, rt.clock.Now())
	if err != nil {
		rt.log.Error("cancel conversation", "error", err)
		to.Reply(ctx, commands.Private(l.T("error.unavailable")))
		return
	}
	id := "conversation.nothing_to_cancel"
	if live {
		id = "conversation.cancelled"
	}
	// Said in the chat, not privately: it closes the question asked there.
	to.Reply(ctx, commands.Reply(l.T(id)))
}

// forgetForm ends a guided conversation asking for the form a request
// submits whole (the console's :formulaire), so its questions do not
// linger and submit the form a second time.
func (rt *Runtime) forgetForm(ctx context.Context, req *commands.Request) {
	now := rt.clock.Now()
	c, err := rt.store.Conversation(ctx, req.Platform, req.Chat.ID, req.User.ID, now)
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			rt.log.Warn("read conversation", "error", err)
		}
		return
	}
	var st convState
	if json.Unmarshal([]byte(c.State), &st) == nil && st.Route == req.Action.Route {
		if _, err := rt.store.EndConversation(ctx, c.Platform, c.ChatID, c.UserID, now); err != nil {
			rt.log.Warn("end conversation", "error", err)
		}
	}
}
