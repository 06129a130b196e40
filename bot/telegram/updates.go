package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/retry"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// allowedUpdates are the update kinds Agora asks Telegram for.
var allowedUpdates = []string{"message", "callback_query", "inline_query"}

// handleTimeout bounds the handling of one update, rate-limit waits included.
const handleTimeout = 2 * time.Minute

// An update taken from Telegram is never lost nor handled twice, even when
// its process is killed. The design, and why:
//
// Each update is claimed in the database, with its body, under its
// update_id, before Telegram is told Agora has it (the next getUpdates
// offset, or the webhook's 200): the offset moves once the update is
// stored, not once it is handled. A second delivery finds the claim and is
// not handled again. The claim, not Telegram's offset, is what survives a
// crash: the offset cannot wait until updates are handled, because
// getUpdates returns at most 100 updates from it, so an offset held at
// the oldest update still being handled would fetch the same in-flight
// updates again and again while newer ones wait behind the slowest
// member; and a webhook has no offset at all (Telegram delivers an update
// again only when its delivery failed, after a delay of its choosing).
//
// A claim belongs to its process for as long as that process holds its
// liveness (storage.Liveness: on PostgreSQL an advisory lock on a session
// of its own, which the server drops the moment the process dies). Every
// process checks, every SweepEvery, for claims whose process is gone, and
// takes them over GoneAfter later, so a process killed in a burst has its
// queued updates handled within seconds by another process, or by itself
// restarted, while Telegram still waits for the buttons' answers. A live
// process's claims are never taken, however long its queue: liveness is
// the server's knowledge of its session, not the age of a claim or of a
// heartbeat that a slow process could outgrow. The few seconds of
// GoneAfter let a live process whose session dropped (a database restart)
// take its liveness again before anyone takes its updates. On SQLite, one
// process owns the file, so claims of another holder are a dead process's.
//
// What a killed process leaves ambiguous is only what it was doing at the
// instant it died: an update whose handler was running, or handled less
// than flushEvery before, is handled again (a vote is stored again, the
// same; its answer was given once, or is given now).

// retakeAfter is how old an unhandled claim made by a version of Agora
// without liveness must be before another process handles its update:
// longer than any handler may run.
const retakeAfter = handleTimeout + 30*time.Second

// dispatcher runs the updates taken from Telegram on a fixed pool of
// workers. One member's updates are handled one at a time in arrival
// order; different members' run concurrently, so 2,000 members pressing
// buttons in one group do not wait for each other. The queue is bounded: when it is full, long
// polling stops fetching and the webhook answers 503 (Telegram delivers
// again), so an update is never dropped and memory stays bounded. Its
// goroutines belong to the adapter's Run, which waits for them.
type dispatcher struct {
	a        *Adapter
	size     int // workers
	capacity int

	mu      sync.Mutex
	work    *sync.Cond        // signalled when a key becomes ready or on stop
	queues  map[int64][]taken // per key, updates not started yet
	ready   []int64           // keys with waiting updates and no worker on them
	busy    map[int64]bool    // keys a worker is on
	queued  int               // updates waiting, all keys together
	held    int               // places reserved by webhook requests, not queued yet
	room    chan struct{}     // closed when queued or held drops, for waitRoom; nil when nobody waits
	handled []int64           // ids handled since the last flush to the database
	marks   chan struct{}     // told when handled stops being empty, for the flusher
	started bool              // workers are running
	stopped bool              // Run is returning: refuse new updates
	ctx     context.Context   // Run's: updates are handled under it
	workers sync.WaitGroup    // the pool
	flushed chan struct{}     // closed when the flusher ends
	flush   chan struct{}     // closed by stop: the flusher's last round
}

// taken is an update claimed in the database, waiting for its handler.
type taken struct {
	u     tgbotapi.Update
	reply *webhookReply // nil unless the webhook waits for the answer
}

func newDispatcher(a *Adapter, workers, capacity int) *dispatcher {
	d := &dispatcher{a: a, size: workers, capacity: capacity,
		queues: map[int64][]taken{}, busy: map[int64]bool{}, flush: make(chan struct{}), flushed: make(chan struct{}),
		marks: make(chan struct{}, 1)}
	d.work = sync.NewCond(&d.mu)
	return d
}

// start runs the workers and the flusher of handled marks under ctx.
func (d *dispatcher) start(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started || d.stopped {
		return
	}
	d.started, d.ctx = true, ctx
	for range d.size {
		d.workers.Add(1)
		go d.worker()
	}
	go d.flusher()
}

// accepting reports whether updates may be queued: Run is running.
func (d *dispatcher) accepting() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.started && !d.stopped
}

// free is how many more updates the queue takes now.
func (d *dispatcher) free() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return max(d.capacity-d.queued, 0)
}

// full reports whether the queue has no room left.
func (d *dispatcher) full() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.queued+d.held >= d.capacity
}

// reserve takes a place in the queue for a webhook update about to be
// claimed, and reports false when there is none left. Taken at once,
// before the claim, it keeps concurrent requests from all finding room
// and overfilling the queue. The place is used by enqueueFromWebhook, or
// given back by unreserve when the update is not queued.
func (d *dispatcher) reserve() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.queued+d.held >= d.capacity {
		return false
	}
	d.held++
	return true
}

// unreserve gives back a place reserve took.
func (d *dispatcher) unreserve() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.held--
	if d.room != nil {
		close(d.room)
		d.room = nil
	}
}

// waitRoom waits until the queue has room, or ctx ends, and returns how
// many more updates fit (at least one).
func (d *dispatcher) waitRoom(ctx context.Context) (int, error) {
	for {
		d.mu.Lock()
		if d.queued+d.held < d.capacity || d.stopped {
			n := max(d.capacity-d.queued-d.held, 1)
			d.mu.Unlock()
			return n, nil
		}
		if d.room == nil {
			d.room = make(chan struct{})
		}
		ch := d.room
		d.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// enqueue queues claimed updates; it reports false once the dispatcher
// stopped (the claims stay, and another process takes them over later).
// Callers wait for room first and take no more than fits.
func (d *dispatcher) enqueue(us ...tgbotapi.Update) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started || d.stopped {
		return false
	}
	for _, u := range us {
		d.queueLocked(taken{u: u})
	}
	d.a.metrics.queued.Set(float64(d.queued))
	return true
}

// enqueueFromWebhook queues an update delivered to the webhook in the
// place reserve took for it. For a button press handled at once (not
// behind a backlog of updates, nor behind the member's own), it returns
// the reply through which the handler answers the press in the webhook's
// response; otherwise nil, and the response is not worth holding.
func (d *dispatcher) enqueueFromWebhook(u tgbotapi.Update) (accepted bool, reply *webhookReply) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.held--
	if !d.started || d.stopped {
		return false, nil
	}
	key := updateKey(u)
	if u.CallbackQuery != nil && d.queued < d.size/2 && !d.busy[key] && len(d.queues[key]) == 0 {
		reply = newWebhookReply()
	}
	d.queueLocked(taken{u: u, reply: reply})
	d.a.metrics.queued.Set(float64(d.queued))
	return true, reply
}

func (d *dispatcher) queueLocked(t taken) {
	key := updateKey(t.u)
	q := d.queues[key]
	if len(q) == 0 && !d.busy[key] {
		d.ready = append(d.ready, key)
		d.work.Signal()
	}
	d.queues[key] = append(q, t)
	d.queued++
}

// worker handles one update of a ready key at a time. A key is given back
// to the ready list after each update, so a member pressing many times
// does not hold a worker while others wait.
func (d *dispatcher) worker() {
	defer d.workers.Done()
	for {
		d.mu.Lock()
		for len(d.ready) == 0 && !d.stopped {
			d.work.Wait()
		}
		if len(d.ready) == 0 { // stopped and nothing left
			d.mu.Unlock()
			return
		}
		key := d.ready[0]
		d.ready = d.ready[1:]
		q := d.queues[key]
		t := q[0]
		if len(q) == 1 {
			delete(d.queues, key)
		} else {
			d.queues[key] = q[1:]
		}
		d.busy[key] = true
		d.queued--
		d.a.metrics.queued.Set(float64(d.queued))
		if d.room != nil {
			close(d.room)
			d.room = nil
		}
		ctx := d.ctx
		d.mu.Unlock()

		// An update taken is finished even when Run is asked to stop,
		// so a member is not left with half an answer.
		hctx, cancel := context.WithTimeout(withReply(context.WithoutCancel(ctx), t.reply), handleTimeout)
		d.a.handleUpdate(hctx, t.u)
		cancel()

		d.mu.Lock()
		delete(d.busy, key)
		if len(d.queues[key]) > 0 {
			d.ready = append(d.ready, key)
			d.work.Signal()
		}
		d.noteHandledLocked(int64(t.u.UpdateID))
		d.mu.Unlock()
	}
}

// flushEvery is how often handled updates are marked in the database, in
// one statement for all of them. A process killed before marking an update
// handled leaves it to be handled again by the process taking over, seconds
// later: the shorter the interval, the fewer such updates (a burst of 500
// presses a second leaves at most 25), for a statement every 50 ms at most.
const flushEvery = 50 * time.Millisecond

// retryMarksAfter is how long the flusher waits after marks failed (the
// database is down, say) before it tries them again.
const retryMarksAfter = time.Second

// noteHandledLocked records handled updates for the flusher; d.mu is held.
func (d *dispatcher) noteHandledLocked(ids ...int64) {
	if len(d.handled) == 0 {
		select {
		case d.marks <- struct{}{}:
		default: // told already
		}
	}
	d.handled = append(d.handled, ids...)
}

// flusher marks handled updates until stop, then marks the last ones. It
// sleeps while nothing is handled: an idle process wakes for nothing.
func (d *dispatcher) flusher() {
	defer close(d.flushed)
	wait := flushEvery
	for {
		select {
		case <-d.marks:
		case <-d.flush:
			d.markHandled()
			return
		}
		// Gathers what is handled meanwhile into the same statement.
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-d.flush:
			t.Stop()
			d.markHandled()
			return
		}
		wait = flushEvery
		if !d.markHandled() {
			wait = retryMarksAfter
		}
	}
}

// markHandled marks the handled updates in the database, and reports
// false when it failed (the updates are kept for the next round).
func (d *dispatcher) markHandled() bool {
	d.mu.Lock()
	ids := d.handled
	d.handled = nil
	d.mu.Unlock()
	if len(ids) == 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for len(ids) > 0 {
		n := min(len(ids), 1000)
		if err := d.a.store.HandledTelegramUpdates(ctx, d.a.botID, ids[:n], time.Now()); err != nil {
			// The updates were handled; left unmarked, they would be
			// handled again once this process is gone. Say so loudly, and
			// mark them with the next round.
			d.a.log.Error("mark telegram updates handled; trying again", "count", len(ids), "error", err)
			d.mu.Lock()
			d.noteHandledLocked(ids...)
			d.mu.Unlock()
			return false
		}
		ids = ids[n:]
	}
	return true
}

// stop refuses further updates, waits for the queued and running ones,
// then marks them handled.
func (d *dispatcher) stop() {
	d.mu.Lock()
	d.stopped = true
	started := d.started
	d.work.Broadcast()
	if d.room != nil {
		close(d.room)
		d.room = nil
	}
	d.mu.Unlock()
	if !started {
		return
	}
	// Workers leave once the ready list is empty; the flusher after them.
	d.workers.Wait()
	close(d.flush)
	<-d.flushed
}

// updateKey orders updates by member: what one member writes and presses
// is handled in order (a reply to a guided question after the button that
// asked it), while members never wait for each other. A private chat's ID
// is its member's; a message without a sender is ordered by chat.
func updateKey(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From.ID
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.InlineQuery != nil:
		return u.InlineQuery.From.ID
	}
	return 0
}

// handleUpdate converts one update and answers it. Failures are logged: an
// update is never retried, so that nothing is answered twice.
func (a *Adapter) handleUpdate(ctx context.Context, u tgbotapi.Update) {
	switch {
	case u.Message != nil && len(u.Message.NewChatMembers) > 0:
		a.joined(ctx, u.Message)
	case u.Message != nil && u.Message.MigrateToChatID != 0:
		a.migrated(ctx, u.Message.Chat.ID, u.Message.MigrateToChatID)
	case u.Message != nil && u.Message.MigrateFromChatID != 0:
		a.migrated(ctx, u.Message.MigrateFromChatID, u.Message.Chat.ID)
	case u.Message != nil && u.Message.From != nil && !u.Message.From.IsBot:
		a.message(ctx, u.Message)
	case u.CallbackQuery != nil:
		a.callback(ctx, u.CallbackQuery)
	case u.InlineQuery != nil:
		a.inline(ctx, u.InlineQuery)
	}
}

// baseRequest describes where a member acts and who they are; group
// administrators are moderators on Telegram's word.
func (a *Adapter) baseRequest(ctx context.Context, chat *tgbotapi.Chat, from *tgbotapi.User) *commands.Request {
	req := &commands.Request{
		Platform: commands.PlatformTelegram,
		Chat:     commands.Chat{ID: itoa(chat.ID), Title: chatTitle(chat, from), Private: chat.IsPrivate()},
		User:     commands.User{ID: itoa(from.ID), Name: displayName(from), Locale: from.LanguageCode, Bot: from.IsBot},
	}
	if !chat.IsPrivate() {
		a.noteGroup(from.ID, chat)
		if a.isAdmin(ctx, chat.ID, from.ID) {
			req.User.PlatformRole = commands.RoleModerator
		}
	}
	return req
}

// maxKnownGroups bounds the memory of where members last spoke.
const maxKnownGroups = 100_000

// noteGroup remembers the group a member last acted in. An inline query
// names no chat, and a member's private chat is a community of its own:
// the group tells which community's FAQ answers them.
func (a *Adapter) noteGroup(userID int64, chat *tgbotapi.Chat) {
	a.groupsMu.Lock()
	defer a.groupsMu.Unlock()
	if a.lastGroup == nil || len(a.lastGroup) >= maxKnownGroups {
		a.lastGroup = map[int64]tgbotapi.Chat{}
	}
	a.lastGroup[userID] = tgbotapi.Chat{ID: chat.ID, Type: chat.Type, Title: chat.Title}
}

// groupOf is the group a member last acted in, as far as this process saw.
func (a *Adapter) groupOf(userID int64) (*tgbotapi.Chat, bool) {
	a.groupsMu.Lock()
	defer a.groupsMu.Unlock()
	c, ok := a.lastGroup[userID]
	return &c, ok
}

// actor reads who sent an update and, when it came from a group or
// supergroup, which one (0 when none). Both are stored with the update's
// claim, so that any process can find the group where a member last acted
// (inlineChat), not only the one that handled their messages.
func actor(u tgbotapi.Update) (userID, groupID int64) {
	var chat *tgbotapi.Chat
	switch {
	case u.Message != nil:
		if u.Message.From != nil {
			userID = u.Message.From.ID
		}
		// The notice in a group upgraded to a supergroup names the old
		// chat, which Agora moves to the new ID: it is no group to remember.
		if u.Message.MigrateToChatID == 0 {
			chat = u.Message.Chat
		}
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		userID = u.CallbackQuery.From.ID
		if u.CallbackQuery.Message != nil {
			chat = u.CallbackQuery.Message.Chat
		}
	case u.InlineQuery != nil && u.InlineQuery.From != nil:
		userID = u.InlineQuery.From.ID // names no chat
	}
	if userID != 0 && chat != nil && (chat.IsGroup() || chat.IsSuperGroup()) {
		groupID = chat.ID
	}
	return userID, groupID
}

// inlineChat is the chat an inline query is answered from: the group where
// the member last acted, else their private chat. The updates every
// process stored say which group that is, even when this process never saw
// the member (their messages went to another process behind the webhook's
// load balancer, or this one restarted since). A failure to ask them must
// not leave the query unanswered: this process's memory answers, else the
// private chat, as before Agora kept any trace.
func (a *Adapter) inlineChat(ctx context.Context, from *tgbotapi.User) *tgbotapi.Chat {
	// The database first: behind several processes, this one's memory may
	// hold an older group than the one another process saw last.
	g, ok, err := a.store.LastTelegramGroup(ctx, a.botID, from.ID)
	switch {
	case err != nil:
		a.log.Warn("find the group where a member last acted; using this process's memory", "user", from.ID, "error", err)
		if g, ok := a.groupOf(from.ID); ok {
			return g
		}
	case ok:
		// Agora's chats do not keep a group's type: "group" only says it is
		// not private, which is all a request needs (the ID finds the chat,
		// which exists, so the title is not used to create it).
		return &tgbotapi.Chat{ID: g.ChatID, Type: "group", Title: g.Title}
	}
	return &tgbotapi.Chat{ID: from.ID, Type: "private"}
}

func chatTitle(chat *tgbotapi.Chat, from *tgbotapi.User) string {
	if chat.Title != "" {
		return chat.Title
	}
	return displayName(from)
}

func displayName(u *tgbotapi.User) string {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.UserName
	}
	return name
}

// loc speaks the member's Telegram language, else the default.
func (a *Adapter) loc(from *tgbotapi.User) *locales.Localizer {
	return a.rt.Localizer(nil, from.LanguageCode)
}

// message hands a text message to the runtime's text front end: a
// command, an answer to a guided question, or chatter (a message event,
// whose answers reply to it).
func (a *Adapter) message(ctx context.Context, m *tgbotapi.Message) {
	if m.Chat.IsPrivate() {
		// Whatever a member writes in private proves the bot may answer there.
		a.notePrivate(ctx, m.From.ID, true)
	}
	text := strings.TrimSpace(m.Text)
	if m.Document != nil && text == "" {
		// A file sent with a command has the command as its caption.
		text = strings.TrimSpace(m.Caption)
	}
	if text == "" {
		return
	}
	if head, _ := commands.CommandHead(text); commandName(head) == "start" {
		// Telegram sends /start (with a deep-link payload, which Agora
		// does not use) when a member opens the bot.
		if _, ok := a.rt.Registry().Word("start", spelling); !ok {
			text = "/" + a.opts.StartCommand
		}
	}
	req := a.baseRequest(ctx, m.Chat, m.From)
	msg := bot.TextMessage{
		Platform: req.Platform, Chat: req.Chat, User: req.User, Text: text,
		MessageID: itoa(int64(m.MessageID)), Direct: m.Chat.IsPrivate(), BotName: a.username, Spelling: spelling,
	}
	if m.ReplyToMessage != nil {
		msg.ReplyTo = itoa(int64(m.ReplyToMessage.MessageID))
	}
	if m.Document != nil && strings.HasPrefix(text, "/") {
		// Only a command's file is downloaded: other documents are chatter.
		f, err := a.download(ctx, m.Document)
		if err != nil {
			if errors.Is(err, bot.ErrTooLarge) {
				a.log.Info("refused a document over the download cap", "size", m.Document.FileSize)
			} else {
				a.log.Warn("download a document sent with a command", "error", redactToken(err, a.opts.Token))
			}
			a.reply(ctx, m, bot.FileRefusal(a.loc(m.From), m.Document.FileName, err))
			return
		}
		msg.Files = []commands.File{f}
	}
	a.rt.HandleText(ctx, msg, a.replier(m.Chat, m.From, m.MessageID))
}

// reply delivers the answer to a member's message. There is no ephemeral
// message in a Telegram group: a private answer goes by direct message
// unless the member is known not to accept one, else it is posted in the
// group as a reply to them.
func (a *Adapter) reply(ctx context.Context, m *tgbotapi.Message, r *commands.Response) {
	if r.Ephemeral && !m.Chat.IsPrivate() {
		if open, known := a.privateOpen(ctx, m.From.ID); open || !known {
			if a.sendPrivately(ctx, m.From.ID, r) {
				return
			}
		}
	}
	if _, err := a.send(ctx, m.Chat.ID, m.MessageID, r); err != nil {
		a.log.Error("answer a command", "chat", m.Chat.ID, "error", err)
	}
}

// callback handles a button press and always answers it, so the member's
// client stops its spinner. The answer goes before any public message,
// which may wait behind the chat's rate limit longer than Telegram waits
// for the answer.
func (a *Adapter) callback(ctx context.Context, q *tgbotapi.CallbackQuery) {
	answered := false
	answer := func(toast string, alert bool) {
		if answered {
			return
		}
		answered = true
		params := tgbotapi.Params{"callback_query_id": q.ID}
		if toast != "" {
			params["text"] = toast
			if alert {
				params["show_alert"] = "true"
			}
		}
		if r := replyOf(ctx); r != nil && r.offer("answerCallbackQuery", params) {
			a.metrics.calls.WithLabelValues("answerCallbackQuery", "in_webhook_response").Inc()
			return
		}
		if _, err := a.request(ctx, "answerCallbackQuery", 0, idempotent, params); err != nil {
			a.log.Warn("answer callback query", "error", err)
		}
	}
	defer answer("", false)
	chat := &tgbotapi.Chat{ID: q.From.ID, Type: "private"}
	var messageID int
	if q.Message != nil {
		chat, messageID = q.Message.Chat, q.Message.MessageID
	}
	req := a.baseRequest(ctx, chat, q.From)
	req.Action = parseCallbackData(q.Data)
	if messageID != 0 {
		req.Action.MessageID = itoa(int64(messageID))
	}
	r := a.rt.Handle(ctx, req)
	switch {
	case r.Modal != nil:
		answer("", false)
		a.rt.StartForm(ctx, req, r, a.replier(chat, q.From, 0))
	case r.Ephemeral && !chat.IsPrivate():
		// The answer to the press is the private answer: a toast, or an
		// alert for a refusal, which the member must read. Only what does
		// not fit goes by private message, to members known to accept one.
		text := strings.TrimSpace(r.Text.Plain())
		toast, cut := truncatePlain(text, maxCallbackText)
		if cut && len(r.Files) == 0 {
			if open, _ := a.privateOpen(ctx, q.From.ID); open && a.sendPrivately(ctx, q.From.ID, r) {
				answer(a.loc(q.From).S("telegram.sent_privately"), false)
				return
			}
		}
		answer(toast, cut || r.Refused)
	case r.Edit && messageID != 0:
		answer("", false)
		if err := a.edit(ctx, chat.ID, int64(messageID), r); err != nil {
			a.log.Error("edit after a button", "chat", chat.ID, "error", err)
		}
	default:
		answer("", false)
		if _, err := a.send(ctx, chat.ID, 0, r); err != nil {
			a.log.Error("answer a button", "chat", chat.ID, "error", err)
		}
	}
}

// maxCallbackText is Telegram's limit on a button answer's text, in characters.
const maxCallbackText = 200

// sendPrivately sends r to userID's private chat and reports whether it
// was delivered; a refusal is remembered so it is not tried again.
func (a *Adapter) sendPrivately(ctx context.Context, userID int64, r *commands.Response) bool {
	_, err := a.send(ctx, userID, 0, r)
	switch {
	case err == nil:
		a.notePrivate(ctx, userID, true)
		return true
	case refusedDM(err):
		a.notePrivate(ctx, userID, false)
	default:
		a.log.Warn("private answer failed; answering in the chat", "error", err)
	}
	return false
}

// inline answers an inline query from the configured command's autocomplete.
func (a *Adapter) inline(ctx context.Context, q *tgbotapi.InlineQuery) {
	type content struct {
		Text      string `json:"message_text"`
		ParseMode string `json:"parse_mode"`
	}
	type article struct {
		Type    string  `json:"type"`
		ID      string  `json:"id"`
		Title   string  `json:"title"`
		Content content `json:"input_message_content"`
	}
	results := []article{}
	if spec, ok := a.rt.Registry().Resolve(a.opts.InlineCommand); ok && spec.Autocomplete != nil && strings.TrimSpace(q.Query) != "" {
		// The community answering is the one of the group where the
		// member last acted; else their private chat's.
		req := a.baseRequest(ctx, a.inlineChat(ctx, q.From), q.From)
		req.Command = spec.Path()
		option := ""
		for _, o := range spec.Options {
			if o.Autocomplete {
				option = o.Name
				break
			}
		}
		for i, s := range a.rt.Autocomplete(ctx, req, option, q.Query) {
			if i == 50 { // Telegram's maximum
				break
			}
			title, _ := truncatePlain(s.Label, 200)
			body, _ := truncatePlain(s.Value, maxMessage)
			if strings.TrimSpace(title) == "" || strings.TrimSpace(body) == "" {
				continue
			}
			results = append(results, article{Type: "article", ID: itoa(int64(i)), Title: title, Content: content{Text: escapeHTML(body), ParseMode: "HTML"}})
		}
	}
	params := tgbotapi.Params{"inline_query_id": q.ID, "results": mustJSON(results), "cache_time": "10", "is_personal": "true"}
	if _, err := a.request(ctx, "answerInlineQuery", 0, idempotent, params); err != nil {
		a.log.Warn("answer inline query", "error", err)
	}
}

// joined hands each new group member to the runtime as an event and posts
// what the modules answer (a welcome) in the group; a private answer goes
// to the newcomer when they have started the bot.
func (a *Adapter) joined(ctx context.Context, m *tgbotapi.Message) {
	for _, u := range m.NewChatMembers {
		a.log.Info("member joined a group", "chat", m.Chat.ID, "user", u.ID)
		req := &commands.Request{
			Platform: commands.PlatformTelegram,
			Chat:     commands.Chat{ID: itoa(m.Chat.ID), Title: chatTitle(m.Chat, &u)},
			User:     commands.User{ID: itoa(u.ID), Name: displayName(&u), Locale: u.LanguageCode, Bot: u.IsBot || u.ID == a.botID},
			Event:    &commands.Event{Kind: commands.EventMemberJoined},
		}
		for _, r := range a.rt.HandleEvent(ctx, req) {
			a.reply(ctx, &tgbotapi.Message{Chat: m.Chat, From: &u}, r)
		}
	}
}

// migrated follows a group upgraded to a supergroup, which changes its ID:
// Telegram says so in both the old and the new chat, and the first notice
// moves Agora's chat (community, purpose, posts) to the new ID.
func (a *Adapter) migrated(ctx context.Context, from, to int64) {
	moved, err := a.store.ChangeChatID(ctx, commands.PlatformTelegram, itoa(from), itoa(to))
	switch {
	case errors.Is(err, storage.ErrConflict):
		a.log.Warn("group upgraded to a supergroup that Agora already knew; the old group's settings stay behind", "from", from, "to", to)
	case err != nil:
		a.log.Error("follow a group upgraded to a supergroup", "from", from, "to", to, "error", err)
	case moved:
		a.log.Info("group upgraded to a supergroup; chat moved", "from", from, "to", to)
	}
	a.mu.Lock()
	delete(a.admins, from)
	a.mu.Unlock()
}

// isAdmin asks Telegram who administers a group, remembering the answer
// for a minute. When Telegram cannot say, the member is not a moderator
// on Telegram's word (their stored role still applies).
func (a *Adapter) isAdmin(ctx context.Context, chatID, userID int64) bool {
	if e, ok := a.adminsOf(chatID); ok {
		return e.ids[userID]
	}
	// When the answer expires in a burst, every press in flight misses it
	// at once: one call to Telegram serves them all, instead of dozens of
	// calls Telegram would limit.
	flight := a.adminLookups.DoChan(itoa(chatID), func() (any, error) {
		if e, ok := a.adminsOf(chatID); ok { // stored by the call just before
			return e, nil
		}
		// The call serves callers other than the one that started it, so
		// it does not end with that caller's context (callTimeout bounds it).
		resp, err := a.request(context.WithoutCancel(ctx), "getChatAdministrators", 0, idempotent, tgbotapi.Params{"chat_id": itoa(chatID)})
		var members []struct {
			User tgbotapi.User `json:"user"`
		}
		if err == nil {
			err = decode(resp, &members)
		}
		if err != nil {
			// Logged here, once for every caller waiting on this call.
			a.log.Warn("read group administrators", "chat", chatID, "error", err)
			return nil, err
		}
		e := adminEntry{ids: map[int64]bool{}, at: time.Now()}
		for _, m := range members {
			e.ids[m.User.ID] = true
		}
		a.mu.Lock()
		a.admins[chatID] = e
		a.mu.Unlock()
		return e, nil
	})
	select {
	case r := <-flight:
		if r.Err != nil {
			return false
		}
		return r.Val.(adminEntry).ids[userID]
	case <-ctx.Done():
		return false
	}
}

// adminsOf is the remembered administrators of a group, unless too old.
func (a *Adapter) adminsOf(chatID int64) (adminEntry, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.admins[chatID]
	if !ok || time.Since(e.at) > a.opts.AdminCacheTTL {
		return adminEntry{}, false
	}
	return e, true
}

func (a *Adapter) download(ctx context.Context, d *tgbotapi.Document) (commands.File, error) {
	if err := bot.CheckDeclaredSize(int64(d.FileSize)); err != nil {
		return commands.File{}, err
	}
	resp, err := a.request(ctx, "getFile", 0, retry.SafeToRepeat, tgbotapi.Params{"file_id": d.FileID})
	if err != nil {
		return commands.File{}, fmt.Errorf("getFile: %w", err)
	}
	var tf tgbotapi.File
	if err := json.Unmarshal(resp.Result, &tf); err != nil {
		return commands.File{}, fmt.Errorf("getFile: decode: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	data, err := bot.Download(cctx, a.hc, fmt.Sprintf(a.opts.APIURL+"/file/bot%s/%s", a.opts.Token, tf.FilePath), 0)
	if err != nil {
		return commands.File{}, err
	}
	return commands.File{Name: d.FileName, ContentType: d.MimeType, Data: data}, nil
}
