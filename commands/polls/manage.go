package polls

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// results is /sondage resultats. Polls whose results wait for the close
// show only the number of voters until then, to everyone: the author and
// moderators too, since a tally seen early by those who can close the
// poll is exactly what "results at the close" promises to prevent.
func (s *service) results(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	var p model.Poll
	var err error
	if req.Has("sondage") {
		p, err = s.typedPoll(ctx, req)
	} else {
		p, err = s.latestPoll(ctx, req)
	}
	if err != nil {
		return nil, err
	}
	if hiddenNow(p) {
		return nil, commands.Fail("poll.results_hidden", locales.Data{"ID": p.ID})
	}
	t, err := s.tally(ctx, p)
	if err != nil {
		return nil, err
	}
	lines := []markup.Text{req.Loc.T("poll.header", locales.Data{"ID": p.ID, "Question": p.Question}), meta(req.Loc, p)}
	lines = append(lines, tallyLines(req.Loc, p, t)...)
	if p.Status == model.PollClosed {
		lines = append(lines, outcome(req.Loc, p, t))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// latestPoll is the poll /sondage resultats shows when no number is
// given, which is what a member asking "the results?" means: the newest
// open poll posted in this chat whose results may be shown, or else the
// one closed last there; polls of other chats only when this chat has
// none. A poll whose results wait for the close is passed over while
// open, for one whose results exist.
func (s *service) latestPoll(ctx context.Context, req *commands.Request) (model.Poll, error) {
	open, err := s.store.OpenPolls(ctx, req.Community.ID)
	if err != nil {
		return model.Poll{}, err
	}
	closed, err := s.store.ClosedPolls(ctx, req.Community.ID, listLimit)
	if err != nil {
		return model.Poll{}, err
	}
	var hidden *model.Poll
	for _, here := range []bool{true, false} {
		for _, polls := range [][]model.Poll{open, closed} {
			for _, p := range visiblePolls(req, polls) {
				if here && !slices.Contains(audiencePurposes(p.Audience), req.ChatPurpose) {
					continue
				}
				if hiddenNow(p) {
					if hidden == nil {
						hidden = &p
					}
					continue
				}
				return s.loadPoll(ctx, req, p.ID)
			}
		}
	}
	if hidden != nil {
		// Only polls whose results wait: say so for the newest.
		return s.loadPoll(ctx, req, hidden.ID)
	}
	return model.Poll{}, commands.Fail("poll.none")
}

// close is /sondage fermer: the poll closes now and its result is posted
// at once; the close job, due now, retries whatever failed to post.
func (s *service) close(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	p, err := s.manageable(ctx, req)
	if err != nil {
		return nil, err
	}
	closed, err := s.store.ClosePoll(ctx, p.ID, req.Now, announceJob)
	if err != nil {
		return nil, err
	}
	if !closed {
		return nil, commands.Fail("poll.already_closed", locales.Data{"ID": p.ID})
	}
	if err := s.announce(ctx, p.ID); err != nil {
		s.log.Warn("announce closed poll now failed; the job will retry", "poll", p.ID, "error", err)
	}
	return commands.Private(req.Loc.T("poll.closed_now", locales.Data{"ID": p.ID})), nil
}

// reopen is /sondage rouvrir, allowed before the deadline only (after it,
// the vote is over) and never for a poll whose results waited for the
// close (they are out).
func (s *service) reopen(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	p, err := s.manageable(ctx, req)
	if err != nil {
		return nil, err
	}
	if p.Status == model.PollOpen {
		return nil, commands.Fail("poll.already_open", locales.Data{"ID": p.ID})
	}
	if p.Deadline != nil && !req.Now.Before(*p.Deadline) {
		return nil, commands.Fail("poll.deadline_passed", locales.Data{"ID": p.ID})
	}
	if !p.Live {
		// Its tally was published at the close: voting on would be voting
		// with the count known, which "results at the close" rules out.
		return nil, commands.Fail("poll.reopen_revealed", locales.Data{"ID": p.ID})
	}
	ok, err := s.store.ReopenPoll(ctx, p.ID, closeJob)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, commands.Fail("poll.already_open", locales.Data{"ID": p.ID})
	}
	// The earlier result no longer holds: its messages go, and the next
	// close posts a new one. The poll's posts get their buttons back.
	if err := s.outbox.Retract(ctx, resultSubject(p.ID)); err != nil {
		s.log.Warn("retract the result of a reopened poll", "poll", p.ID, "error", err)
	}
	if err := s.outbox.Forget(ctx, resultSubject(p.ID)); err != nil {
		return nil, err
	}
	if err := s.outbox.Revive(ctx, pollSubject(p.ID)); err != nil {
		return nil, err
	}
	d := locales.Data{"ID": p.ID}
	if p.Deadline != nil {
		d["Deadline"] = req.Loc.DateTime(*p.Deadline)
	}
	return commands.Private(req.Loc.T("poll.reopened", d)), nil
}

// delete is /sondage supprimer: the poll disappears from every chat. A
// poll that members voted in is only deleted once the member who asked
// confirms with a button, since their votes go with it.
func (s *service) delete(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	p, err := s.manageable(ctx, req)
	if err != nil {
		return nil, err
	}
	ballots, err := s.store.Ballots(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if len(ballots) == 0 {
		return s.deleteNow(ctx, req, p)
	}
	return deleteConfirmation(req, p, len(ballots)), nil
}

// deleteConfirmation asks the member to confirm deleting p and its
// ballots; its button carries their number, so that a confirmation shown
// before more members voted deletes nothing they were not told of.
func deleteConfirmation(req *commands.Request, p model.Poll, ballots int) *commands.Response {
	r := commands.Private(req.Loc.N("poll.delete_confirm", ballots, locales.Data{"ID": p.ID}))
	r.Buttons = []commands.Button{{
		Label:  req.Loc.S("poll.delete_button", locales.Data{"ID": p.ID}),
		Action: deleteRoute(p.ID, req.Member.ID, ballots),
		Style:  commands.ButtonDanger,
	}}
	return r
}

// confirmDelete is the press of the confirmation button. The route names
// the poll and the member who asked: only that member confirms, and only
// while they may still manage the poll. When the poll has gained or lost
// ballots since, the confirmation is asked again with the new number.
func (s *service) confirmDelete(ctx context.Context, req *commands.Request, r route) (*commands.Response, error) {
	if r.arg != req.Member.ID {
		return nil, commands.Fail("poll.delete_not_yours", locales.Data{"ID": r.poll})
	}
	p, err := s.loadPoll(ctx, req, r.poll)
	if err != nil {
		return nil, err
	}
	if !mayManage(req, p) {
		return nil, commands.Fail("poll.not_yours", locales.Data{"ID": p.ID})
	}
	ballots, err := s.store.Ballots(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	var resp *commands.Response
	if int64(len(ballots)) != r.count && len(ballots) > 0 {
		resp = deleteConfirmation(req, p, len(ballots))
	} else if resp, err = s.deleteNow(ctx, req, p); err != nil {
		return nil, err
	}
	resp.Edit = true // the confirmation becomes the outcome (or the new confirmation)
	return resp, nil
}

func (s *service) deleteNow(ctx context.Context, req *commands.Request, p model.Poll) (*commands.Response, error) {
	if err := s.store.DeletePoll(ctx, p.ID, publishJob, closeJob, announceJob); err != nil {
		return nil, err
	}
	for _, subject := range []string{pollSubject(p.ID), resultSubject(p.ID)} {
		if err := s.outbox.Retract(ctx, subject); err != nil {
			// A moderator may have deleted a message by hand already.
			s.log.Warn("delete poll messages", "poll", p.ID, "error", err)
		}
	}
	return commands.Private(req.Loc.T("poll.deleted", locales.Data{"ID": p.ID})), nil
}

// listLimit bounds the closed polls and questionnaires a list shows: a
// list is one message, and older ones are still reachable by number.
const listLimit = 20

// list is /sondage liste: the community's open polls, its closed ones
// (the most recently closed first), or both.
func (s *service) list(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	state := req.String("etat")
	if state == "" {
		state = "open"
	}
	l := req.Loc
	var lines []markup.Text
	if state != "closed" {
		open, err := s.store.OpenPolls(ctx, req.Community.ID)
		if err != nil {
			return nil, err
		}
		if open = visiblePolls(req, open); len(open) > 0 {
			lines = append(lines, l.N("poll.list_title", len(open)))
			for _, p := range open {
				d := locales.Data{"ID": p.ID, "Question": p.Question}
				if p.Deadline != nil {
					d["Deadline"] = l.DateTime(*p.Deadline)
				}
				lines = append(lines, l.T("poll.list_line", d))
			}
		}
	}
	if state != "open" {
		closed, err := s.store.ClosedPolls(ctx, req.Community.ID, listLimit+1)
		if err != nil {
			return nil, err
		}
		closed = visiblePolls(req, closed)
		more := len(closed) > listLimit
		closed = closed[:min(len(closed), listLimit)]
		if len(closed) > 0 {
			lines = append(lines, l.N("poll.list_title_closed", len(closed)))
			for _, p := range closed {
				d := locales.Data{"ID": p.ID, "Question": p.Question}
				if p.ClosedAt != nil {
					d["Closed"] = l.DateTime(*p.ClosedAt)
				}
				lines = append(lines, l.T("poll.list_line_closed", d))
			}
		}
		if more {
			lines = append(lines, l.T("poll.list_more", locales.Data{"Max": listLimit}))
		}
	}
	if len(lines) == 0 {
		empty := map[string]string{"open": "poll.list_empty", "closed": "poll.list_empty_closed", "all": "poll.none"}[state]
		return commands.Private(l.T(empty)), nil
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// settings is /sondage reglage: who may create polls.
func (s *service) settings(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	role := req.String("creation")
	if err := creationSetting.Set(ctx, s.store, req.Community.ID, role, req.Now); err != nil {
		return nil, err
	}
	l := commands.PublicLocalizer(s.catalog, req)
	return commands.Reply(l.T("poll.creation_set", locales.Data{"Role": l.S("role." + role)})), nil
}

// hiddenNow is true while a poll whose results wait for the close is
// still open: no count may be shown or exported, to anyone.
func hiddenNow(p model.Poll) bool { return p.Status == model.PollOpen && !p.Live }

// visiblePolls drops the polls hidden from this member.
func visiblePolls(req *commands.Request, polls []model.Poll) []model.Poll {
	out := polls[:0:0]
	for _, p := range polls {
		if !hiddenFrom(req, p) {
			out = append(out, p)
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// suggestPolls proposes the community's open polls as the member types a
// poll number (Discord autocomplete).
func (s *service) suggestPolls(ctx context.Context, req *commands.Request, option, partial string) ([]commands.Suggestion, error) {
	if option != "sondage" {
		return nil, nil
	}
	polls, err := s.store.OpenPolls(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	polls = visiblePolls(req, polls)
	var out []commands.Suggestion
	for _, p := range polls {
		id := pollIDString(p.ID)
		if !strings.HasPrefix(id, commands.TrimNumberPrefix(partial)) {
			continue
		}
		question := p.Question
		if r := []rune(question); len(r) > 80 {
			question = string(r[:79]) + "…"
		}
		out = append(out, commands.Suggestion{Label: req.Loc.S("poll.suggestion", locales.Data{"ID": p.ID, "Question": question}), Value: id})
		if len(out) == 25 {
			break
		}
	}
	return out, nil
}
