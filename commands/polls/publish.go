package polls

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// Polls are published through the kit's outbox: a poll is the subject
// "poll/<id>", kept up to date while it is open; its result is
// "poll-result/<id>", posted where the poll was.
const (
	pollKind   = "poll"
	resultKind = "poll-result"
)

func pollSubject(id int64) string   { return pollKind + "/" + pollIDString(id) }
func resultSubject(id int64) string { return resultKind + "/" + pollIDString(id) }

func subjectID(subject, kind string) (int64, error) {
	id, ok := commands.ParseID(strings.TrimPrefix(subject, kind+"/"))
	if !ok || !strings.HasPrefix(subject, kind+"/") {
		return 0, fmt.Errorf("bad %s subject %q", kind, subject)
	}
	return id, nil
}

func (s *service) tally(ctx context.Context, p model.Poll) (Tally, error) {
	ballots, err := s.store.Ballots(ctx, p.ID)
	if err != nil {
		return Tally{}, err
	}
	return Count(p.Kind, len(p.Choices), ballots, p.ID), nil
}

// publish posts an open poll in every chat of its community where it is
// not posted yet, among the chats its audience names (stored with the poll,
// so a retry goes to the same chats); the outbox claims each post, so
// concurrent or repeated runs never post twice to a chat, and retries what
// failed.
func (s *service) publish(ctx context.Context, id int64) (commands.Delivery, error) {
	p, err := s.store.Poll(ctx, id)
	if err != nil {
		return commands.Delivery{}, err
	}
	if p.Status != model.PollOpen {
		return commands.Delivery{}, nil
	}
	return s.outbox.Publish(ctx, p.CommunityID, pollSubject(id), audiencePurposes(p.Audience))
}

func (s *service) publishJob(ctx context.Context, payload string) error {
	id, ok := commands.ParseID(payload)
	if !ok {
		return fmt.Errorf("poll.publish job: bad payload %q", payload)
	}
	_, err := s.publish(ctx, id)
	return err
}

// closeJob closes a poll at its deadline; the close schedules the
// announcement as a job of its own, so this job never reschedules itself
// while it runs (another process would run it again).
func (s *service) closeJob(ctx context.Context, payload string) error {
	id, ok := commands.ParseID(payload)
	if !ok {
		return fmt.Errorf("poll.close job: bad payload %q", payload)
	}
	p, err := s.store.Poll(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if p.Status != model.PollOpen || p.Deadline == nil || now.Before(*p.Deadline) {
		return nil // closed by hand, deleted, reopened or rescheduled: nothing to do now
	}
	_, err = s.store.ClosePoll(ctx, id, now, announceJob)
	return err
}

// announceJob announces a closed poll's result; a poll reopened meanwhile
// is left alone.
func (s *service) announceJob(ctx context.Context, payload string) error {
	id, ok := commands.ParseID(payload)
	if !ok {
		return fmt.Errorf("poll.announce job: bad payload %q", payload)
	}
	err := s.announce(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	return err
}

// announce shows a closed poll's final state on every post (without its
// buttons) and posts the result, with a bar chart, in every chat where the
// poll was posted, once per chat.
func (s *service) announce(ctx context.Context, id int64) error {
	p, err := s.store.Poll(ctx, id)
	if err != nil {
		return err
	}
	if p.Status != model.PollClosed {
		return nil
	}
	if err := s.outbox.Settle(ctx, pollSubject(id)); err != nil {
		return err
	}
	_, err = s.outbox.PublishAlong(ctx, resultSubject(id), pollSubject(id))
	return err
}

// renderPoll is the poll message as the poll is now: live counts (or
// hidden ones), buttons while open, the final state once closed.
func (s *service) renderPoll(ctx context.Context, subject string) (*commands.Response, error) {
	id, err := subjectID(subject, pollKind)
	if err != nil {
		return nil, err
	}
	p, err := s.store.Poll(ctx, id)
	if err != nil {
		return nil, err
	}
	l, err := s.localizerFor(ctx, p.CommunityID)
	if err != nil {
		return nil, err
	}
	t, err := s.tally(ctx, p)
	if err != nil {
		return nil, err
	}
	return pollMessage(l, p, t), nil
}

// renderResult is a closed poll's result with its bar chart.
func (s *service) renderResult(ctx context.Context, subject string) (*commands.Response, error) {
	id, err := subjectID(subject, resultKind)
	if err != nil {
		return nil, err
	}
	p, err := s.store.Poll(ctx, id)
	if err != nil {
		return nil, err
	}
	l, err := s.localizerFor(ctx, p.CommunityID)
	if err != nil {
		return nil, err
	}
	t, err := s.tally(ctx, p)
	if err != nil {
		return nil, err
	}
	chart, err := BarChart(resultChart(l, p, t))
	if err != nil {
		return nil, err
	}
	return &commands.Response{
		Text:  resultMessage(l, p, t),
		Files: []commands.File{{Name: l.S("poll.file.chart", locales.Data{"ID": id}), ContentType: "image/png", Data: chart}},
	}, nil
}
