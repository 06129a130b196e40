package polls

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
)

func (s *service) tally(ctx context.Context, p storage.Poll) (Tally, error) {
	ballots, err := s.store.Ballots(ctx, p.ID)
	if err != nil {
		return Tally{}, err
	}
	return Count(p.Kind, len(p.Choices), ballots, p.ID), nil
}

// publish posts an open poll in every chat of its community where it is not
// posted yet, and returns how many posts it made. Each post is claimed in
// the database before sending, so concurrent or repeated runs never post
// twice to a chat; a failed send releases its claim for the retry.
func (s *service) publish(ctx context.Context, id int64) (int, error) {
	p, err := s.store.Poll(ctx, id)
	if err != nil {
		return 0, err
	}
	if p.Status != storage.PollOpen {
		return 0, nil
	}
	l, err := s.localizerFor(ctx, p.CommunityID)
	if err != nil {
		return 0, err
	}
	t, err := s.tally(ctx, p)
	if err != nil {
		return 0, err
	}
	msg := pollMessage(l, p, t)
	chats, err := s.store.ChatsOfCommunity(ctx, p.CommunityID)
	if err != nil {
		return 0, err
	}
	posted := 0
	var errs []error
	for _, chat := range chats {
		ok, err := s.store.ClaimPollPost(ctx, p.ID, chat.ID, storage.PostPoll, s.clock.Now(), postClaimLease)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !ok {
			continue
		}
		msgID, err := s.messenger.Send(ctx, commands.ChatAddress{Platform: chat.Platform, ChatID: chat.PlatformChatID}, msg)
		if err != nil {
			errs = append(errs, fmt.Errorf("post poll %d: %w", p.ID, err))
			if rerr := s.store.ReleasePollPost(ctx, p.ID, chat.ID, storage.PostPoll); rerr != nil {
				errs = append(errs, rerr)
			}
			continue
		}
		if err := s.store.RecordPollPost(ctx, p.ID, chat.ID, storage.PostPoll, msgID); err != nil {
			errs = append(errs, err)
			continue
		}
		posted++
	}
	return posted, errors.Join(errs...)
}

func (s *service) publishJob(ctx context.Context, payload string) error {
	id, ok := parseID(payload)
	if !ok {
		return fmt.Errorf("poll.publish job: bad payload %q", payload)
	}
	_, err := s.publish(ctx, id)
	return err
}

// closeJob closes a poll at its deadline and announces the result; it also
// finishes the announcement of a poll closed by hand.
func (s *service) closeJob(ctx context.Context, payload string) error {
	id, ok := parseID(payload)
	if !ok {
		return fmt.Errorf("poll.close job: bad payload %q", payload)
	}
	p, err := s.store.Poll(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	switch {
	case p.Status == storage.PollDeleted:
		return nil
	case p.Status == storage.PollOpen:
		if p.Deadline == nil || now.Before(*p.Deadline) {
			return nil // reopened or rescheduled: a later job closes it
		}
		if _, err := s.store.ClosePoll(ctx, id, now); err != nil {
			return err
		}
	}
	return s.announce(ctx, id)
}

// announce shows a closed poll's final state on every post (without its
// buttons) and posts the result, with a bar chart, in every chat where the
// poll was posted, once per chat.
func (s *service) announce(ctx context.Context, id int64) error {
	p, err := s.store.Poll(ctx, id)
	if err != nil {
		return err
	}
	if p.Status != storage.PollClosed {
		return nil
	}
	l, err := s.localizerFor(ctx, p.CommunityID)
	if err != nil {
		return err
	}
	t, err := s.tally(ctx, p)
	if err != nil {
		return err
	}
	posts, err := s.store.PollPosts(ctx, id, storage.PostPoll)
	if err != nil {
		return err
	}
	final := pollMessage(l, p, t)
	for _, post := range posts {
		if err := s.messenger.Edit(ctx, address(post), post.MessageID, final); err != nil {
			// The poll message may have been deleted by a moderator; the
			// result below still goes out.
			s.log.Warn("edit closed poll", "poll", id, "error", err)
		}
	}
	chart, err := BarChart(resultChart(l, p, t))
	if err != nil {
		return err
	}
	result := &commands.Response{
		Text:  resultMessage(l, p, t),
		Files: []commands.File{{Name: "sondage-" + pollIDString(id) + ".png", ContentType: "image/png", Data: chart}},
	}
	var errs []error
	for _, post := range posts {
		ok, err := s.store.ClaimPollPost(ctx, id, post.ChatID, storage.PostResult, s.clock.Now(), postClaimLease)
		if err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		msgID, err := s.messenger.Send(ctx, address(post), result)
		if err != nil {
			errs = append(errs, fmt.Errorf("post result of poll %d: %w", id, err))
			if rerr := s.store.ReleasePollPost(ctx, id, post.ChatID, storage.PostResult); rerr != nil {
				errs = append(errs, rerr)
			}
			continue
		}
		if err := s.store.RecordPollPost(ctx, id, post.ChatID, storage.PostResult, msgID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func address(p storage.PollPost) commands.ChatAddress {
	return commands.ChatAddress{Platform: p.Platform, ChatID: p.PlatformChatID}
}

// refresh edits the posts of a poll whose edit slot it claims at now. The
// tally is read after the claim, so the edit shows every ballot stored
// before it; a ballot stored later marks the poll dirty again in the
// process that received it. waiting is true when some posts were left to
// a later tick: their slot is held by an edit less than interval old, made
// by this process or another, or the storage failed before the edit.
func (s *service) refresh(ctx context.Context, id int64, now time.Time, interval time.Duration) (waiting bool, err error) {
	claimed, err := s.store.ClaimPollEdits(ctx, id, now, interval)
	if err != nil {
		return true, err
	}
	posts, err := s.store.PollPosts(ctx, id, storage.PostPoll)
	if err != nil {
		return true, err
	}
	taken := make(map[int64]bool, len(claimed))
	for _, post := range claimed {
		taken[post.ChatID] = true
	}
	for _, post := range posts {
		if !taken[post.ChatID] {
			waiting = true
		}
	}
	if len(claimed) == 0 {
		return waiting, nil
	}
	p, err := s.store.Poll(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	if p.Status == storage.PollDeleted {
		return false, nil
	}
	l, err := s.localizerFor(ctx, p.CommunityID)
	if err != nil {
		return true, err
	}
	t, err := s.tally(ctx, p)
	if err != nil {
		return true, err
	}
	msg := pollMessage(l, p, t)
	var errs []error
	for _, post := range claimed {
		if err := s.messenger.Edit(ctx, address(post), post.MessageID, msg); err != nil {
			errs = append(errs, fmt.Errorf("edit post of poll %d in chat %d: %w", id, post.ChatID, err))
		}
	}
	return waiting, errors.Join(errs...)
}
