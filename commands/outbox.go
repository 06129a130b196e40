package commands

import (
	"context"
	"errors"

	"github.com/agora-community/agora/model"
)

// Outbox posts what capabilities publish (a poll, a meetup announcement,
// a result) in the chats of a community, on every platform, and keeps the
// messages up to date. The runtime implements it on the database: each
// chat's post is claimed before sending, so it is sent once whichever
// process sends it; a failed send is retried with backoff; edits are
// coalesced to at most one per message per interval across processes.
//
// A subject names what is posted: "<kind>/<id>", as "poll/12". The module
// that publishes a kind declares its renderer in Module.Posts; the outbox
// calls it whenever it sends or edits, so a message always shows the
// subject as it is at that moment.
type Outbox interface {
	// Publish posts subject in every chat of the community whose purpose
	// is one of purposes (every chat when there are none), and later in
	// chats that join while the subject is live. It sends at once what it
	// can; the outbox worker retries the rest.
	Publish(ctx context.Context, communityID int64, subject string, purposes []string) (Delivery, error)
	// PublishOnce posts subject in every chat of the community whose
	// purpose is one of purposes (every chat when there are none) as
	// Publish does, stored first and retried until sent, but the subject
	// is not live: it reaches no chat that joins later, and a starting
	// process does not look for changes to show in it. It suits a one-off
	// notice (a question for the moderators) that would otherwise be
	// posted again in every new chat and edited at every restart. Calling
	// it again for a subject queues only the posts it lacks.
	PublishOnce(ctx context.Context, communityID int64, subject string, purposes []string) (Delivery, error)
	// PublishAlong posts subject in every chat where along was posted (a
	// result where its poll went). The subject does not follow changes.
	PublishAlong(ctx context.Context, subject, along string) (Delivery, error)
	// Changed asks for fresh content in subject's messages. It only marks
	// the subject, so it costs nothing on a hot path; edits follow at most
	// once per message per interval.
	Changed(subject string)
	// Settle makes one last edit of subject's messages (kept in the
	// database until made) and stops following it.
	Settle(ctx context.Context, subject string) error
	// Revive follows a settled subject again.
	Revive(ctx context.Context, subject string) error
	// Retract deletes subject's messages everywhere and sends no more.
	Retract(ctx context.Context, subject string) error
	// Forget drops subject's record so it may be published anew; its
	// messages stay where they are.
	Forget(ctx context.Context, subject string) error
	// Posts lists subject's posts, in every state.
	Posts(ctx context.Context, subject string) ([]model.OutboxPost, error)
}

// Delivery says how far a publication got: in how many chats the subject
// goes, and in how many it is posted already.
type Delivery struct {
	Chats int
	Sent  int
}

// PostRenderer renders a subject's message as the subject is now. It
// returns ErrNothingToPost when the subject is no longer to be posted.
type PostRenderer func(ctx context.Context, subject string) (*Response, error)

// ErrNothingToPost is what a PostRenderer returns for a subject that is no
// longer to be posted (a question answered before its notice went out):
// the outbox then sends none of the subject's posts still waiting, instead
// of retrying them, and edits none of those sent.
var ErrNothingToPost = errors.New("nothing to post")

// Notifier tells every Agora process sharing the database that something
// changed, so each rebuilds what it keeps in memory (the FAQ index, cached
// settings). Delivery is at most once and may repeat: a subscriber reloads
// from the database rather than trusting the payload, and a subscriber is
// also called after a lost connection comes back, with an empty payload,
// since notifications sent meanwhile are lost.
type Notifier interface {
	// Notify announces a change of topic ("faq") with a small payload
	// (the community's ID); this process's subscribers hear it at once.
	Notify(ctx context.Context, topic, payload string) error
	// Subscribe calls fn for every change of topic, in this process and
	// the others. fn must be quick: it runs on the notifier's goroutine.
	Subscribe(topic string, fn func(payload string))
}
