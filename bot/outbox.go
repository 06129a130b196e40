package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
)

const (
	// DefaultEditInterval is the least time between two edits of one
	// message: a burst of thousands of votes costs one edit per interval.
	DefaultEditInterval = 3 * time.Second
	// postLease bounds one send; a post still "sending" after it was lost
	// with its worker and is put in doubt rather than sent twice.
	postLease       = 2 * time.Minute
	postMaxAttempts = 8
	postBatch       = 50
)

// outbox is the runtime's commands.Outbox. Sending is claimed row by row in
// the database (storage.ClaimDuePosts), so several processes share the
// work without posting anything twice. Edits are marked in memory (the hot
// path of a vote only writes a map entry) and made by Flush, which claims
// each message's edit slot in the database, so a message is edited at most
// once per interval across processes. It keeps no goroutine: the runtime's
// job loop calls Flush, and its context stops it.
type outbox struct {
	store     *storage.Store
	messenger commands.Messenger
	clock     Clock
	log       *slog.Logger
	metrics   *Metrics
	interval  time.Duration

	mu        sync.Mutex
	renderers map[string]commands.PostRenderer // by subject kind
	dirty     map[string]bool

	flushing sync.Mutex // one Flush at a time; guards started
	started  bool
}

func newOutbox(store *storage.Store, messenger commands.Messenger, clock Clock, log *slog.Logger, metrics *Metrics, interval time.Duration) *outbox {
	if interval <= 0 {
		interval = DefaultEditInterval
	}
	return &outbox{store: store, messenger: messenger, clock: clock, log: log, metrics: metrics, interval: interval,
		renderers: map[string]commands.PostRenderer{}, dirty: map[string]bool{}}
}

func (o *outbox) addRenderer(kind string, r commands.PostRenderer) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, dup := o.renderers[kind]; dup {
		return fmt.Errorf("post kind %q already has a renderer", kind)
	}
	o.renderers[kind] = r
	return nil
}

// render asks the subject's module for its message as it is now.
func (o *outbox) render(ctx context.Context, subject string) (*commands.Response, error) {
	kind, _, _ := strings.Cut(subject, "/")
	o.mu.Lock()
	r, ok := o.renderers[kind]
	o.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no renderer for posts of kind %q", kind)
	}
	msg, err := r(ctx, subject)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", subject, err)
	}
	return msg, nil
}

func (o *outbox) Publish(ctx context.Context, communityID int64, subject string, purposes []string) (commands.Delivery, error) {
	return o.publish(ctx, communityID, subject, purposes, true)
}

func (o *outbox) PublishOnce(ctx context.Context, communityID int64, subject string, purposes []string) (commands.Delivery, error) {
	return o.publish(ctx, communityID, subject, purposes, false)
}

// publish queues subject's posts in the database, then sends them.
func (o *outbox) publish(ctx context.Context, communityID int64, subject string, purposes []string, live bool) (commands.Delivery, error) {
	n, err := o.store.QueuePosts(ctx, communityID, subject, purposes, live, o.clock.Now())
	if err != nil {
		return commands.Delivery{}, err
	}
	return o.deliverNow(ctx, subject, n)
}

func (o *outbox) PublishAlong(ctx context.Context, subject, along string) (commands.Delivery, error) {
	n, err := o.store.QueuePostsAlong(ctx, subject, along, o.clock.Now())
	if err != nil {
		return commands.Delivery{}, err
	}
	return o.deliverNow(ctx, subject, n)
}

// deliverNow sends a subject's due posts at once, so a member sees their
// poll posted before their confirmation; what fails is left to Flush.
func (o *outbox) deliverNow(ctx context.Context, subject string, chats int) (commands.Delivery, error) {
	err := o.deliver(ctx, subject)
	posts, perr := o.store.Posts(ctx, subject)
	if perr != nil {
		return commands.Delivery{Chats: chats}, errors.Join(err, perr)
	}
	d := commands.Delivery{Chats: chats}
	for _, p := range posts {
		if p.State == model.PostSent {
			d.Sent++
		}
	}
	return d, err
}

// deliver sends due posts, of one subject or of any when subject is empty,
// rendering each subject once per round.
func (o *outbox) deliver(ctx context.Context, subject string) error {
	var errs []error
	for ctx.Err() == nil {
		posts, err := o.store.ClaimDuePosts(ctx, subject, o.clock.Now(), postLease, postBatch)
		if err != nil {
			return errors.Join(append(errs, err)...)
		}
		if len(posts) == 0 {
			break
		}
		rendered := map[string]*commands.Response{}
		withdrawn := map[string]bool{}
		for _, p := range posts {
			msg, ok := rendered[p.Subject]
			if !ok && !withdrawn[p.Subject] {
				msg, err = o.render(ctx, p.Subject)
				switch {
				case errors.Is(err, commands.ErrNothingToPost):
					withdrawn[p.Subject] = true
					o.log.Info("post withdrawn before it was sent", "subject", p.Subject)
					if err := o.store.DropUnsentPosts(ctx, p.Subject); err != nil {
						errs = append(errs, err)
					}
				case err != nil:
					errs = append(errs, err)
				}
				rendered[p.Subject] = msg
			}
			if withdrawn[p.Subject] {
				continue
			}
			if msg == nil {
				errs = append(errs, o.failed(ctx, p, errors.New("nothing to post")))
				continue
			}
			ref, err := o.messenger.Send(ctx, address(p), msg)
			if err != nil {
				errs = append(errs, o.failed(ctx, p, err))
				continue
			}
			if err := o.store.RecordPostSent(ctx, p.Subject, p.ChatID, ref, o.clock.Now()); err != nil {
				errs = append(errs, err)
			}
		}
		if len(posts) < postBatch {
			break
		}
	}
	return errors.Join(errs...)
}

// failed puts a post back in the queue with backoff, or gives it up.
func (o *outbox) failed(ctx context.Context, p model.OutboxPost, cause error) error {
	giveUp := p.Attempts >= postMaxAttempts
	backoff := time.Duration(1<<min(p.Attempts, 9)) * time.Second
	o.log.Warn("post failed", "subject", p.Subject, "chat", p.ChatID, "attempt", p.Attempts, "give_up", giveUp, "error", cause)
	if err := o.store.RecordPostFailed(ctx, p.Subject, p.ChatID, cause.Error(), o.clock.Now().Add(backoff), giveUp); err != nil {
		return errors.Join(cause, err)
	}
	return fmt.Errorf("post %s in chat %d: %w", p.Subject, p.ChatID, cause)
}

func (o *outbox) Changed(subject string) {
	o.mu.Lock()
	o.dirty[subject] = true
	o.mu.Unlock()
}

func (o *outbox) isDirty(subject string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dirty[subject]
}

// Settle makes the final edit at once when the messages' edit slots are
// free, so a poll shows it is closed before its result is posted; what it
// cannot edit now stays owed in the database for Flush.
func (o *outbox) Settle(ctx context.Context, subject string) error {
	if err := o.store.SettleSubject(ctx, subject); err != nil {
		return err
	}
	waiting, err := o.edit(ctx, subject)
	if waiting {
		o.Changed(subject)
	}
	if err != nil {
		o.log.Warn("final edit failed; it stays owed", "subject", subject, "error", err)
	}
	return nil
}

func (o *outbox) Revive(ctx context.Context, subject string) error {
	if err := o.store.ReviveSubject(ctx, subject); err != nil {
		return err
	}
	o.Changed(subject)
	return nil
}

func (o *outbox) Retract(ctx context.Context, subject string) error {
	sent, err := o.store.RetractSubject(ctx, subject)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range sent {
		if err := o.messenger.Delete(ctx, address(p), p.MessageRef); err != nil {
			// A moderator may have deleted it already; the others still go.
			errs = append(errs, fmt.Errorf("delete %s in chat %d: %w", subject, p.ChatID, err))
		}
	}
	return errors.Join(errs...)
}

func (o *outbox) Forget(ctx context.Context, subject string) error {
	return o.store.ForgetSubject(ctx, subject)
}

func (o *outbox) Posts(ctx context.Context, subject string) ([]model.OutboxPost, error) {
	return o.store.Posts(ctx, subject)
}

// Flush sends due posts, then edits the messages of changed subjects whose
// edit slot is free. A subject is taken off the dirty set before its slot
// is claimed and its content rendered, so a change arriving meanwhile marks
// it again and shows in a later edit: no change is left undisplayed. The
// first Flush of a process marks every live subject, so changes stored
// just before a crash or restart are shown.
func (o *outbox) Flush(ctx context.Context) error {
	o.flushing.Lock()
	defer o.flushing.Unlock()
	var errs []error
	if err := o.deliver(ctx, ""); err != nil {
		errs = append(errs, err)
	}
	var subjects []string
	var err error
	if !o.started {
		subjects, err = o.store.SubjectsToEdit(ctx)
	} else {
		subjects, err = o.store.OwedEdits(ctx)
	}
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	o.started = true
	o.mu.Lock()
	for _, s := range subjects {
		o.dirty[s] = true
	}
	subjects = subjects[:0]
	for s := range o.dirty {
		subjects = append(subjects, s)
	}
	o.mu.Unlock()
	sort.Strings(subjects)
	for _, subject := range subjects {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		o.mu.Lock()
		delete(o.dirty, subject)
		o.mu.Unlock()
		waiting, err := o.edit(ctx, subject)
		if waiting {
			o.Changed(subject)
		}
		if err != nil {
			// A failed live edit is not retried on its own: the next change
			// marks the subject again; an owed final edit stays owed.
			o.log.Warn("edit posts failed", "subject", subject, "error", err)
		}
	}
	return errors.Join(errs...)
}

// edit edits the posts of a subject whose edit slot it can claim now.
// waiting is true when some sent posts were left to a later flush: their
// slot is held by an edit less than an interval old, made by this process
// or another, or the storage failed before the edit.
func (o *outbox) edit(ctx context.Context, subject string) (waiting bool, err error) {
	now := o.clock.Now()
	claimed, err := o.store.ClaimPostEdits(ctx, subject, now, o.interval)
	if err != nil {
		return true, err
	}
	posts, err := o.store.Posts(ctx, subject)
	if err != nil {
		return true, err
	}
	// A post being sent right now was rendered before this change: the
	// subject stays marked, so the post is edited once it is recorded.
	if len(claimed) < countSent(posts) || slices.ContainsFunc(posts, func(p model.OutboxPost) bool { return p.State == model.PostSending }) {
		waiting = true
	}
	if len(claimed) == 0 {
		return waiting, nil
	}
	msg, err := o.render(ctx, subject)
	if errors.Is(err, commands.ErrNothingToPost) {
		return false, nil // nothing to show any more: the messages stay as they are
	}
	if err != nil {
		return true, err
	}
	var errs []error
	for _, p := range claimed {
		ref, err := o.messenger.Edit(ctx, address(p), p.MessageRef, msg)
		if err != nil {
			errs = append(errs, fmt.Errorf("edit %s in chat %d: %w", subject, p.ChatID, err))
			// A split message edited in part keeps the parts now posted.
			if ref == "" {
				ref = p.MessageRef
			}
			if ferr := o.store.RecordPostEditFailed(ctx, subject, p.ChatID, ref, err.Error()); ferr != nil {
				errs = append(errs, ferr)
			}
			continue
		}
		if err := o.store.RecordPostEdited(ctx, subject, p.ChatID, ref, o.clock.Now()); err != nil {
			errs = append(errs, err)
		}
	}
	return waiting, errors.Join(errs...)
}

func countSent(posts []model.OutboxPost) int {
	n := 0
	for _, p := range posts {
		if p.State == model.PostSent {
			n++
		}
	}
	return n
}

func address(p model.OutboxPost) commands.ChatAddress {
	return commands.ChatAddress{Platform: p.Platform, ChatID: p.PlatformChatID}
}
