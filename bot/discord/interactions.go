package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
)

// ack sends the one initial answer Discord expects to an interaction:
// through REST for gateway interactions, in the HTTP response for HTTP ones.
type ack func(ctx context.Context, resp *discordgo.InteractionResponse) error

// interactionTimeout bounds the work on one interaction: its token lives
// 15 minutes, and the runtime's own handler timeout is shorter still.
const interactionTimeout = 10 * time.Minute

func (a *Adapter) onInteraction(ic *discordgo.InteractionCreate) {
	ctx, cancel := context.WithTimeout(a.workCtx, interactionTimeout)
	defer cancel()
	if !a.firstDelivery(ctx, ic.Interaction, "gateway") {
		return // another delivery is being answered, here or elsewhere
	}
	respond := func(ctx context.Context, resp *discordgo.InteractionResponse) error {
		// The callback is answered once: a retry after an ambiguous failure
		// would be refused as "already acknowledged", so only 429 is retried.
		var files []*discordgo.File
		if resp.Data != nil {
			files = resp.Data.Files
		}
		return a.once(ctx, func(...discordgo.RequestOption) error {
			return interactionCall(ctx, a.s, http.MethodPost, discordgo.EndpointInteractionResponse(ic.ID, ic.Token), interactionBody(resp), files)
		})
	}
	a.interact(ctx, ic.Interaction, respond, true)
}

// firstDelivery claims the interaction's ID in the database, shared by
// every process, and reports whether this is its first delivery: a
// replayed signed HTTP request, or an event the gateway delivers again
// (a resume, two connections on one shard), is then left alone.
// Autocompletes read and change nothing: they are answered every time.
// When the database cannot say, the interaction is handled: the runtime
// then answers that Agora is unavailable, which is better than silence.
func (a *Adapter) firstDelivery(ctx context.Context, i *discordgo.Interaction, transport string) bool {
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete || i.ID == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.ClaimTimeout)
	defer cancel()
	first, err := a.cfg.Store.ClaimInteraction(ctx, commands.PlatformDiscord, i.ID, time.Now())
	if err != nil {
		a.log.Warn("cannot tell whether an interaction was handled already; handling it", "interaction", i.ID, "error", err)
		return true
	}
	if !first {
		a.duplicates.WithLabelValues(transport).Inc()
		a.log.Debug("ignored an interaction delivered again", "interaction", i.ID, "transport", transport)
	}
	return first
}

// interact answers one interaction. inlineFiles is false where the initial
// answer cannot carry files (the HTTP response): files then go in an edit.
func (a *Adapter) interact(ctx context.Context, i *discordgo.Interaction, respond ack, inlineFiles bool) {
	switch i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		a.autocomplete(ctx, i, respond)
	case discordgo.InteractionApplicationCommand, discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit:
		a.run(ctx, i, a.request(i), respond, inlineFiles)
	default:
		a.log.Warn("ignored an interaction of an unknown type", "type", int(i.Type))
	}
}

// run hands the request to the runtime and answers within Discord's
// deadline: at once when the handler is quick, else deferred and completed
// by editing the original response. The handler runs on this goroutine; a
// timer sends the deferral only when it is slow, so a quick press costs
// no second goroutine.
func (a *Adapter) run(ctx context.Context, i *discordgo.Interaction, req *commands.Request, respond ack, inlineFiles bool) {
	kind := interactionKind(i)
	var (
		mu       sync.Mutex
		handled  bool
		deferred chan error // set by the timer once it sends the deferral
	)
	timer := time.AfterFunc(a.cfg.DeferAfter, func() {
		mu.Lock()
		if handled {
			mu.Unlock()
			return
		}
		sent := make(chan error, 1)
		deferred = sent
		mu.Unlock()
		sent <- respond(ctx, deferral(i))
	})
	// Downloading the files is part of the work the deferral covers.
	var resp *commands.Response
	if fe := a.attachFiles(ctx, i, req); fe != nil {
		resp = a.refuseFile(i, fe)
	} else {
		resp = a.rt.Handle(ctx, req)
	}
	mu.Lock()
	handled = true
	sent := deferred
	mu.Unlock()
	timer.Stop()
	if sent != nil {
		// The handler runs to its end even when the deferral failed.
		a.completeDeferred(ctx, i, req, kind, <-sent, resp)
		return
	}
	msgs := renderMessages(resp)
	if inlineFiles || !hasFiles(msgs) || resp.Modal != nil {
		if err := a.answer(ctx, i, resp, msgs, respond); err != nil {
			a.answers.WithLabelValues(kind, "failed").Inc()
			a.logFailure("answer an interaction", err, "request", req.Describe())
			return
		}
		a.answers.WithLabelValues(kind, "immediate").Inc()
		return
	}
	a.completeDeferred(ctx, i, req, kind, respond(ctx, deferral(i)), resp)
}

// completeDeferred finishes an interaction whose deferral was sent (or
// failed with deferErr) by editing the original response.
func (a *Adapter) completeDeferred(ctx context.Context, i *discordgo.Interaction, req *commands.Request, kind string, deferErr error, resp *commands.Response) {
	if deferErr != nil {
		a.answers.WithLabelValues(kind, "failed").Inc()
		a.logFailure("defer an interaction", deferErr, "request", req.Describe())
		return
	}
	if err := a.complete(ctx, i, resp); err != nil {
		a.answers.WithLabelValues(kind, "failed").Inc()
		a.logFailure("complete a deferred interaction", err, "request", req.Describe())
		return
	}
	a.answers.WithLabelValues(kind, "deferred").Inc()
}

func interactionKind(i *discordgo.Interaction) string {
	switch i.Type {
	case discordgo.InteractionMessageComponent:
		return "component"
	case discordgo.InteractionModalSubmit:
		return "modal"
	case discordgo.InteractionApplicationCommandAutocomplete:
		return "autocomplete"
	default:
		return "command"
	}
}

func hasFiles(msgs []message) bool {
	for _, m := range msgs {
		if len(m.Files) > 0 {
			return true
		}
	}
	return false
}

// deferral acknowledges without answering yet. A component gets a silent
// deferred update; a command gets an ephemeral "thinking" answer, because a
// private answer must never become public, while a public one can still be
// posted as a followup once the ephemeral placeholder is removed.
func deferral(i *discordgo.Interaction) *discordgo.InteractionResponse {
	if i.Type == discordgo.InteractionMessageComponent {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
}

func flags(ephemeral bool) discordgo.MessageFlags {
	if ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// updatesMessage reports whether the answer replaces the message the
// interaction came from (type 7) rather than posting a new one.
func updatesMessage(i *discordgo.Interaction, resp *commands.Response) bool {
	return resp.Edit && i.Message != nil &&
		(i.Type == discordgo.InteractionMessageComponent || i.Type == discordgo.InteractionModalSubmit)
}

// answer is the immediate answer: a modal, an update of the clicked
// message, or a new message; text beyond 2,000 characters follows up.
func (a *Adapter) answer(ctx context.Context, i *discordgo.Interaction, resp *commands.Response, msgs []message, respond ack) error {
	if resp.Modal != nil && i.Type != discordgo.InteractionModalSubmit {
		return respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: renderModal(resp.Modal)})
	}
	typ := discordgo.InteractionResponseChannelMessageWithSource
	if updatesMessage(i, resp) {
		typ = discordgo.InteractionResponseUpdateMessage
	}
	first := msgs[0]
	data := &discordgo.InteractionResponseData{
		Content: first.Content, Components: nonNilComponents(first.Components), Files: first.files(),
		AllowedMentions: allowedMentions(first.Mentions), Flags: flags(resp.Ephemeral && typ != discordgo.InteractionResponseUpdateMessage),
	}
	if err := respond(ctx, &discordgo.InteractionResponse{Type: typ, Data: data}); err != nil {
		return err
	}
	return a.followups(ctx, i, msgs[1:], resp.Ephemeral)
}

// complete finishes a deferred interaction through the interaction webhook.
func (a *Adapter) complete(ctx context.Context, i *discordgo.Interaction, resp *commands.Response) error {
	if resp.Modal != nil {
		// A modal can only be the first answer; the member is told to retry.
		a.log.Error("a slow handler answered with a modal, which Discord only accepts at once", "interaction", i.ID)
		resp = commands.Private(a.rt.Localizer(nil, string(i.Locale)).T("error.timeout"))
	}
	msgs := renderMessages(resp)
	var err error
	switch {
	case i.Type == discordgo.InteractionMessageComponent && resp.Edit,
		i.Type != discordgo.InteractionMessageComponent && resp.Ephemeral:
		// Replace the clicked message, or the ephemeral placeholder.
		if err = a.editOriginal(ctx, i, msgs[0]); err == nil {
			err = a.followups(ctx, i, msgs[1:], resp.Ephemeral)
		}
	case i.Type == discordgo.InteractionMessageComponent:
		err = a.followups(ctx, i, msgs, resp.Ephemeral)
	default:
		// A public answer cannot replace an ephemeral placeholder.
		err = a.idempotent(ctx, func(...discordgo.RequestOption) error {
			return interactionCall(ctx, a.s, http.MethodDelete, discordgo.EndpointInteractionResponseActions(i.AppID, i.Token), nil, nil)
		})
		if _, code, _ := restError(err); err == nil || code == codeUnknownMessage {
			err = a.followups(ctx, i, msgs, false)
		}
	}
	return err
}

// editOriginal replaces @original: the placeholder, or the clicked message.
// Like every call whose URL carries the interaction's token, it goes
// outside discordgo's rate limiter (see interactionCall).
func (a *Adapter) editOriginal(ctx context.Context, i *discordgo.Interaction, m message) error {
	return a.idempotent(ctx, func(...discordgo.RequestOption) error {
		content, comps := m.Content, nonNilComponents(m.Components)
		edit := &discordgo.WebhookEdit{Content: &content, Components: &comps, Files: m.files(), AllowedMentions: allowedMentions(m.Mentions)}
		return interactionCall(ctx, a.s, http.MethodPatch, discordgo.EndpointInteractionResponseActions(i.AppID, i.Token), edit, edit.Files)
	})
}

// followups posts messages after the first answer. wait=true makes
// Discord answer once the message is stored, so a success proves it was
// created (see once).
func (a *Adapter) followups(ctx context.Context, i *discordgo.Interaction, msgs []message, ephemeral bool) error {
	for _, m := range msgs {
		err := a.once(ctx, func(...discordgo.RequestOption) error {
			params := &discordgo.WebhookParams{
				Content: m.Content, Components: nonNilComponents(m.Components), Files: m.files(),
				AllowedMentions: allowedMentions(m.Mentions), Flags: flags(ephemeral),
			}
			return interactionCall(ctx, a.s, http.MethodPost, discordgo.EndpointFollowupMessage(i.AppID, i.Token)+"?wait=true", params, params.Files)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// request turns an interaction into the neutral request.
func (a *Adapter) request(i *discordgo.Interaction) *commands.Request {
	req := &commands.Request{
		Platform: commands.PlatformDiscord,
		Chat:     commands.Chat{ID: i.ChannelID, GroupID: i.GuildID, Private: i.GuildID == "", Title: a.channelName(i.ChannelID)},
		User:     a.user(i),
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
		data := i.ApplicationCommandData()
		req.Command, req.Options, _, _ = commandPath(data.Name, data.Options)
	case discordgo.InteractionMessageComponent:
		data := i.MessageComponentData()
		route, values := actionFromComponent(data.CustomID, data.Values)
		req.Action = &commands.Action{Route: route, Values: values}
	case discordgo.InteractionModalSubmit:
		data := i.ModalSubmitData()
		req.Action = &commands.Action{Route: data.CustomID, Fields: modalFields(data.Components)}
	}
	if req.Action != nil && i.Message != nil {
		req.Action.MessageID = i.Message.ID
	}
	return req
}

func (a *Adapter) channelName(id string) string {
	if a.s.State == nil {
		return ""
	}
	if ch, err := a.s.State.Channel(id); err == nil {
		return ch.Name
	}
	return ""
}

func (a *Adapter) user(i *discordgo.Interaction) commands.User {
	u := commands.User{Locale: string(i.Locale)}
	var du *discordgo.User
	if i.Member != nil {
		du = i.Member.User
		u.PlatformRole = a.platformRole(i.Member.Permissions, i.Member.Roles)
	} else {
		du = i.User
	}
	if du != nil {
		u.ID = du.ID
		u.Name = nonEmpty(du.GlobalName, du.Username)
	}
	if i.Member != nil && i.Member.Nick != "" {
		u.Name = i.Member.Nick
	}
	return u
}

// commandPath walks subcommands into the canonical path ("sondage.creer")
// and collects option values as strings; it also returns the option being
// typed, for autocomplete.
func commandPath(name string, opts []*discordgo.ApplicationCommandInteractionDataOption) (path string, values map[string]string, focused string, partial string) {
	path, values = name, map[string]string{}
	for len(opts) > 0 {
		o := opts[0]
		if o.Type != discordgo.ApplicationCommandOptionSubCommand && o.Type != discordgo.ApplicationCommandOptionSubCommandGroup {
			break
		}
		path += "." + o.Name
		opts = o.Options
	}
	for _, o := range opts {
		v := optionString(o.Value)
		if o.Focused {
			focused, partial = o.Name, v
		}
		values[o.Name] = v
	}
	return path, values, focused, partial
}

func optionString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func modalFields(rows []discordgo.MessageComponent) map[string]string {
	fields := map[string]string{}
	var walk func(c discordgo.MessageComponent)
	walk = func(c discordgo.MessageComponent) {
		switch c := c.(type) {
		case *discordgo.ActionsRow:
			for _, inner := range c.Components {
				walk(inner)
			}
		case discordgo.ActionsRow:
			for _, inner := range c.Components {
				walk(inner)
			}
		case *discordgo.TextInput:
			fields[c.CustomID] = c.Value
		case discordgo.TextInput:
			fields[c.CustomID] = c.Value
		}
	}
	for _, r := range rows {
		walk(r)
	}
	return fields
}

// autocomplete answers at once (Discord gives no time to defer) with at
// most 25 suggestions.
func (a *Adapter) autocomplete(ctx context.Context, i *discordgo.Interaction, respond ack) {
	req := a.request(i)
	data := i.ApplicationCommandData()
	_, _, focused, partial := commandPath(data.Name, data.Options)
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, s := range a.rt.Autocomplete(ctx, req, focused, partial) {
		if len(choices) == maxChoices {
			break
		}
		if s.Value == "" || len(s.Value) > maxValue {
			continue
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(nonEmpty(s.Label, s.Value), maxChoiceName), Value: s.Value})
	}
	err := respond(ctx, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
	if err != nil {
		a.answers.WithLabelValues("autocomplete", "failed").Inc()
		a.logFailure("answer an autocomplete", err, "request", req.Describe())
		return
	}
	a.answers.WithLabelValues("autocomplete", "immediate").Inc()
}

// maxInteractionBody bounds what an unauthenticated caller can make Agora read.
const maxInteractionBody = 1 << 20

// HTTPPath is where Discord posts interactions in HTTP mode.
const HTTPPath = "/discord/interactions"

// HTTPHandler serves HTTP interactions, to be mounted at POST HTTPPath.
// Without the application's public key it refuses every request, since
// none can be verified.
func (a *Adapter) HTTPHandler() http.Handler {
	return http.HandlerFunc(a.serveInteraction)
}

type httpAnswer struct {
	resp *discordgo.InteractionResponse
	sent chan error
}

// serveInteraction checks the signature and its age on every request,
// answers PING, and otherwise waits for the first answer the interaction
// produces and writes it as the HTTP response. Work that goes on after a
// deferral continues in the adapter, not in the request.
func (a *Adapter) serveInteraction(w http.ResponseWriter, r *http.Request) {
	// Anyone can post here: refusals are counted, not logged one line
	// each, so a flood of forged requests cannot flood the log.
	if a.publicKey == nil {
		a.refuse(w, r, "not_configured", "HTTP interactions are not configured", http.StatusUnauthorized)
		return
	}
	// Tracked from its arrival, so a request that came before Run began
	// to stop is answered, even when it waited for a slot meanwhile. Run
	// stops only once requests stopped coming (see drainHTTP).
	a.lastHTTP.Store(time.Now().UnixNano())
	if !a.track() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	handedOff := false // the tracked work, and the slot once taken, go to the work's goroutine
	defer func() {
		if !handedOff {
			a.work.Done()
		}
	}()
	// A slot before anything is read or decoded, shared with the gateway:
	// beyond what Agora serves, requests wait a little, then are refused,
	// rather than pile up in memory (Discord tells the member the
	// interaction failed; they can press again).
	if !a.enter(r.Context()) {
		a.refuse(w, r, "busy", "too many interactions in progress", http.StatusServiceUnavailable)
		return
	}
	defer func() {
		if !handedOff {
			<-a.slots
		}
	}()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInteractionBody))
	if err != nil {
		a.refuse(w, r, "too_large", "body too large or cut short", http.StatusRequestEntityTooLarge)
		return
	}
	if !a.publicKey.signed(r.Header, body) {
		a.refuse(w, r, "signature", "invalid request signature", http.StatusUnauthorized)
		return
	}
	if !a.freshTimestamp(r.Header.Get("X-Signature-Timestamp")) {
		a.refuse(w, r, "stale", "invalid request signature", http.StatusUnauthorized)
		return
	}
	i, err := decodeInteraction(body)
	if err != nil {
		a.refuse(w, r, "malformed", "invalid interaction", http.StatusBadRequest)
		return
	}
	if i.Type == discordgo.InteractionPing {
		writeInteractionJSON(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	}
	if !a.firstDelivery(r.Context(), i, "http") {
		// A signed request sent again within its validity: Discord itself
		// never does, so the sender gets a harmless private note, and
		// nothing is handled twice.
		writeInteractionJSON(w, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: a.rt.Localizer(nil, string(i.Locale)).S("error.already_handled"),
				Flags:   discordgo.MessageFlagsEphemeral,
			},
		})
		return
	}
	answers := make(chan httpAnswer)
	finished := make(chan struct{})
	gone := r.Context().Done()
	respond := func(ctx context.Context, resp *discordgo.InteractionResponse) error {
		sent := make(chan error, 1)
		select {
		case answers <- httpAnswer{resp: resp, sent: sent}:
			return <-sent
		case <-gone:
			return errors.New("the HTTP request ended before the answer")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	handedOff = true
	go func() {
		defer func() { <-a.slots }()
		defer a.work.Done()
		defer close(finished)
		ctx, cancel := context.WithTimeout(a.workCtx, interactionTimeout)
		defer cancel()
		a.interact(ctx, i, respond, false)
	}()
	select {
	case ans := <-answers:
		ans.sent <- writeInteractionJSON(w, ans.resp)
	case <-finished:
		http.Error(w, "no answer", http.StatusInternalServerError)
	case <-gone:
	}
}

// refuse answers a request refused before any work, counting it.
func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, reason, msg string, status int) {
	a.refused.WithLabelValues(reason).Inc()
	a.log.Debug("refused an HTTP interaction", "reason", reason, "remote", r.RemoteAddr)
	http.Error(w, msg, status)
}

// interactionBody is the JSON of an answer. discordgo drops an empty
// choices list (omitempty), but Discord requires the field in an
// autocomplete result, so "no suggestion" is written by hand.
func interactionBody(resp *discordgo.InteractionResponse) any {
	if resp.Type == discordgo.InteractionApplicationCommandAutocompleteResult && (resp.Data == nil || len(resp.Data.Choices) == 0) {
		return map[string]any{"type": resp.Type, "data": map[string]any{"choices": []any{}}}
	}
	return resp
}

func writeInteractionJSON(w http.ResponseWriter, resp *discordgo.InteractionResponse) error {
	b, err := json.Marshal(interactionBody(resp))
	if err != nil {
		http.Error(w, "cannot encode the answer", http.StatusInternalServerError)
		return fmt.Errorf("encode interaction answer: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write interaction answer: %w", err)
	}
	return nil
}

// freshTimestamp refuses replays of old signed requests.
func (a *Adapter) freshTimestamp(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	age := time.Since(time.Unix(sec, 0))
	return age < a.cfg.MaxSignatureAge && age > -a.cfg.MaxSignatureAge
}

// fileError is a file the member sent that could not be brought.
type fileError struct {
	name string
	err  error
}

// attachFiles downloads the files of a command's attachment options. The
// option's value is the attachment's ID, resolved in the interaction's
// data; the request gets the file's name as the value and the file itself.
// A file the member sent that cannot be brought (too large, or the
// download failed) is returned: the command is then refused with a
// sentence saying so, rather than run as if no file had been sent, which
// a member could not make sense of (an optional file then opened the form
// of /faqgestion importer, a required one was said to be missing).
func (a *Adapter) attachFiles(ctx context.Context, i *discordgo.Interaction, req *commands.Request) *fileError {
	if i.Type != discordgo.InteractionApplicationCommand {
		return nil
	}
	data := i.ApplicationCommandData()
	opts := data.Options
	for len(opts) > 0 && (opts[0].Type == discordgo.ApplicationCommandOptionSubCommand || opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
		opts = opts[0].Options
	}
	for _, o := range opts {
		if o.Type != discordgo.ApplicationCommandOptionAttachment {
			continue
		}
		id := optionString(o.Value)
		var att *discordgo.MessageAttachment
		if data.Resolved != nil {
			att = data.Resolved.Attachments[id]
		}
		if att == nil {
			delete(req.Options, o.Name)
			a.log.Warn("an attachment option without its attachment", "request", req.Describe())
			continue
		}
		f, err := a.download(ctx, att)
		if err != nil {
			delete(req.Options, o.Name)
			if errors.Is(err, bot.ErrTooLarge) {
				a.log.Info("refused a file over the download cap", "request", req.Describe(), "size", att.Size, "error", err)
			} else {
				a.logFailure("download an attachment", err, "request", req.Describe())
			}
			return &fileError{name: att.Filename, err: err}
		}
		req.Options[o.Name] = f.Name
		req.Files = append(req.Files, f)
	}
	return nil
}

// refuseFile is the answer to a command whose file could not be brought,
// in the member's Discord language: the handler did not run.
func (a *Adapter) refuseFile(i *discordgo.Interaction, fe *fileError) *commands.Response {
	return bot.FileRefusal(a.rt.Localizer(nil, string(i.Locale)), fe.name, fe.err)
}

// download fetches an attachment through the adapter's HTTP client.
func (a *Adapter) download(ctx context.Context, att *discordgo.MessageAttachment) (commands.File, error) {
	data, err := bot.Download(ctx, a.s.Client, att.URL, int64(att.Size))
	if err != nil {
		return commands.File{}, fmt.Errorf("attachment: %w", err)
	}
	return commands.File{Name: att.Filename, ContentType: att.ContentType, Data: data}, nil
}
