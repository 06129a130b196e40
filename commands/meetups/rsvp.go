package meetups

import (
	"context"
	"errors"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

var verbs = map[string]string{"y": model.RSVPYes, "m": model.RSVPMaybe, "n": model.RSVPNo}

// action handles the answer buttons:
//
//	rv/y/<meetup>  je viens
//	rv/m/<meetup>  peut-être
//	rv/n/<meetup>  je ne viens pas
//
// The number must be canonical and the meetup of the member's community;
// the answer's own transaction checks the meetup is still open and counts
// the seats under the meetup's row lock.
func (s *service) action(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	args := req.Action.Args()
	if len(args) != 2 {
		return nil, commands.Fail("error.unknown_action")
	}
	status, ok := verbs[args[0]]
	id, okID := commands.ParseID(args[1])
	if !ok || !okID {
		return nil, commands.Fail("error.unknown_action")
	}
	m, err := s.loadMeetup(ctx, req, id)
	if err != nil {
		return nil, err
	}
	rule := model.RSVPRule{MeetupID: id, CommunityID: req.Community.ID, MemberID: req.Member.ID, Platform: req.Platform, PlatformUserID: req.User.ID}
	ch, err := s.store.SetRSVP(ctx, rule, status, req.Now, promotedJob)
	if errors.Is(err, model.ErrMeetupClosed) {
		return nil, closedError(s.fresh(ctx, m))
	}
	if err != nil {
		return nil, err
	}
	if ch.Status != ch.Previous {
		s.outbox.Changed(meetupSubject(id))
	}
	data := locales.Data{"ID": m.ID, "Title": m.Title, "Date": req.Loc.DateTime(m.Start), "Position": ch.Position}
	message := "meetup.rsvp." + ch.Status
	if ch.Status == ch.Previous {
		message = "meetup.rsvp.again." + ch.Status
	}
	return commands.Private(req.Loc.T(message, data)), nil
}

// fresh reloads a meetup whose state changed under a request, keeping the
// earlier copy when that fails.
func (s *service) fresh(ctx context.Context, m model.Meetup) model.Meetup {
	if now, err := s.store.Meetup(ctx, m.ID); err == nil {
		return now
	}
	return m
}

// closedError tells why a meetup takes no more answers or changes.
func closedError(m model.Meetup) error {
	if m.Status == model.MeetupCancelled {
		return commands.Fail("meetup.is_cancelled", locales.Data{"ID": m.ID})
	}
	return commands.Fail("meetup.has_started", locales.Data{"ID": m.ID})
}
