package polls

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// action handles the poll's buttons and menus (see route). Everything in
// a route is re-checked: its numbers must be written exactly as Agora
// writes them, the poll must belong to the member's community, the choice
// must exist, and the ballot statement itself checks the poll is open, of
// that kind, before its deadline, and open to the member's role.
func (s *service) action(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	r, ok := parseRoute(req.Action.Route)
	if !ok {
		return nil, commands.Fail("error.unknown_action")
	}
	switch r.verb {
	case verbVote, verbToggle:
		st, err := s.static(ctx, req, r.poll)
		if err != nil {
			return nil, err
		}
		choice := int(r.arg)
		if choice >= len(st.Choices) || (r.verb == verbToggle) == (st.Kind == model.PollSingle) {
			return nil, commands.Fail("error.unknown_action")
		}
		if r.verb == verbToggle {
			return s.toggle(ctx, req, st, choice)
		}
		return s.cast(ctx, req, st, []int{choice})
	case verbSelect:
		st, err := s.static(ctx, req, r.poll)
		if err != nil {
			return nil, err
		}
		choices, err := selectedChoices(req.Action.Values, len(st.Choices))
		if err != nil {
			return nil, err
		}
		return s.cast(ctx, req, st, choices)
	case verbDelete:
		return s.confirmDelete(ctx, req, r)
	}
	return nil, commands.Fail("error.unknown_action")
}

func selectedChoices(values []string, n int) ([]int, error) {
	if len(values) == 0 || len(values) > n {
		return nil, commands.Fail("error.unknown_action")
	}
	seen := map[int]bool{}
	out := make([]int, 0, len(values))
	for _, v := range values {
		c, ok := parseIndex(v, n)
		if !ok || seen[c] {
			return nil, commands.Fail("error.unknown_action")
		}
		seen[c] = true
		out = append(out, c)
	}
	return out, nil
}

func rule(req *commands.Request, st model.Poll) model.BallotRule {
	return model.BallotRule{PollID: st.ID, CommunityID: req.Community.ID, MemberID: req.Member.ID, Role: int(req.Member.Role), Kind: st.Kind}
}

// cast stores a whole ballot in one statement, then tells the member: the
// reply is only built once the ballot is stored.
func (s *service) cast(ctx context.Context, req *commands.Request, st model.Poll, choices []int) (*commands.Response, error) {
	if err := checkCount(st, choices, "poll.too_many"); err != nil {
		return nil, err
	}
	replaced, err := s.store.CastBallot(ctx, rule(req, st), choices, req.Now)
	if errors.Is(err, model.ErrPollNotOpen) {
		return nil, s.explain(ctx, req, st.ID)
	}
	if err != nil {
		return nil, err
	}
	s.outbox.Changed(pollSubject(st.ID))
	id := "poll.voted"
	if replaced {
		id = "poll.vote_replaced"
	}
	return commands.Private(req.Loc.T(id, ballotData(req.Loc, st, choices))), nil
}

// checkCount refuses more choices than the poll takes, with the message
// tooMany (plural forms by the maximum).
func checkCount(st model.Poll, choices []int, tooMany string) error {
	switch st.Kind {
	case model.PollSingle:
		if len(choices) != 1 {
			return commands.FailN(tooMany, 1)
		}
	case model.PollMultiple:
		if st.MaxChoices > 0 && len(choices) > st.MaxChoices {
			return commands.FailN(tooMany, st.MaxChoices)
		}
	}
	return nil
}

func ballotData(l *locales.Localizer, st model.Poll, choices []int) locales.Data {
	sep := markup.Text(", ")
	if st.Kind == model.PollRanked {
		sep = " > "
	}
	return locales.Data{"ID": st.ID, "Choices": markup.Join(choiceLabels(st.Choices, choices), sep), "Kind": st.Kind}
}

// toggle adds a choice to the member's ballot or removes it: for multiple
// choice, a set; for ranked polls, the order of pressing is the ranking.
func (s *service) toggle(ctx context.Context, req *commands.Request, st model.Poll, choice int) (*commands.Response, error) {
	_, choices, err := s.store.UpdateBallot(ctx, rule(req, st), req.Now, func(old []int) ([]int, error) {
		out := make([]int, 0, len(old)+1)
		removed := false
		for _, c := range old {
			if c == choice {
				removed = true
				continue
			}
			out = append(out, c)
		}
		if !removed {
			out = append(out, choice)
		}
		return out, checkCount(st, out, "poll.too_many")
	})
	if errors.Is(err, model.ErrPollNotOpen) {
		return nil, s.explain(ctx, req, st.ID)
	}
	if err != nil {
		return nil, err
	}
	s.outbox.Changed(pollSubject(st.ID))
	if len(choices) == 0 {
		return commands.Private(req.Loc.T("poll.ballot_withdrawn", locales.Data{"ID": st.ID})), nil
	}
	return commands.Private(req.Loc.T("poll.ballot_now", ballotData(req.Loc, st, choices))), nil
}

// withdraw is /sondage retirer: the member's ballot goes, whatever the
// poll's kind. A single-choice button pressed again keeps the vote
// instead, since a double click must not undo it.
func (s *service) withdraw(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	p, err := s.typedPoll(ctx, req)
	if err != nil {
		return nil, err
	}
	had, _, err := s.store.UpdateBallot(ctx, rule(req, p), req.Now, func([]int) ([]int, error) { return nil, nil })
	if errors.Is(err, model.ErrPollNotOpen) {
		return nil, s.explain(ctx, req, p.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("withdraw ballot on poll %d: %w", p.ID, err)
	}
	if !had {
		return commands.Private(req.Loc.T("poll.no_ballot", locales.Data{"ID": p.ID})), nil
	}
	s.outbox.Changed(pollSubject(p.ID))
	return commands.Private(req.Loc.T("poll.ballot_withdrawn", locales.Data{"ID": p.ID})), nil
}

// explain finds out why a ballot was refused, for the member.
func (s *service) explain(ctx context.Context, req *commands.Request, id int64) error {
	p, err := s.loadPoll(ctx, req, id)
	if err != nil {
		return err
	}
	switch {
	case p.Status != model.PollOpen || p.Deadline != nil && !req.Now.Before(*p.Deadline):
		return commands.Fail("poll.closed", locales.Data{"ID": p.ID})
	case int(req.Member.Role) < int(commands.ParseRole(p.VoterRole)):
		return commands.Fail("poll.role_required", locales.Data{"Roles": req.Loc.S("poll.voters." + p.VoterRole)})
	}
	return fmt.Errorf("ballot on poll %d refused for no known reason", id)
}

// static returns the parts of a poll that never change (kind, maximum,
// choices), from memory when the poll was seen before.
func (s *service) static(ctx context.Context, req *commands.Request, id int64) (model.Poll, error) {
	s.mu.Lock()
	st, ok := s.statics[id]
	s.mu.Unlock()
	// A poll of another community takes the slow path, which refuses it
	// with the same reply as a poll that does not exist.
	if ok && st.CommunityID == req.Community.ID {
		return st, nil
	}
	return s.loadPoll(ctx, req, id)
}

// voteCommand is /sondage voter, for keyboards and screen readers:
// choix:"2" or choix:"Bio", choix:"1, 3" for several, classement:"B > A > C".
func (s *service) voteCommand(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	p, err := s.typedPoll(ctx, req)
	if err != nil {
		return nil, err
	}
	choice, ranking := req.String("choix"), req.String("classement")
	option, raw := "choix", choice
	switch {
	case choice != "" && ranking != "":
		return nil, commands.Fail("poll.choice_or_ranking")
	case ranking != "" && p.Kind != model.PollRanked:
		// Read as choices, a ranking would be a ballot the member did not mean.
		return nil, commands.Fail("poll.ranking_not_ranked", locales.Data{"ID": p.ID})
	case ranking != "":
		option, raw = "classement", ranking
	case raw == "":
		return nil, commands.OptionError(option, commands.Fail("poll.vote_needs_choice"))
	}
	choices, err := matchChoices(p, raw)
	if err != nil {
		return nil, commands.OptionError(option, err)
	}
	// Said without the buttons' advice to remove a choice first.
	if err := checkCount(p, choices, "poll.too_many_typed"); err != nil {
		return nil, commands.OptionError(option, err)
	}
	return s.cast(ctx, req, p, choices)
}

// matchChoices reads choices by number or by label. Ranked polls separate
// them with ">", others with "|" or ","; numbers alone may also be
// separated by spaces ("1 3").
func matchChoices(p model.Poll, raw string) ([]int, error) {
	var parts []string
	switch {
	case p.Kind == model.PollRanked && strings.Contains(raw, ">"):
		parts = strings.Split(raw, ">")
	case strings.Contains(raw, "|"):
		parts = strings.Split(raw, "|")
	default:
		parts = strings.Split(raw, ",")
		if _, err := matchOne(p, raw); err == nil {
			parts = []string{raw} // one label, perhaps with a comma in it
		} else if words := strings.Fields(raw); len(parts) == 1 && len(words) > 1 && allNumbers(words) {
			parts = words
		}
	}
	seen := map[int]bool{}
	var out []int
	for _, part := range parts {
		c, err := matchOne(p, part)
		if err != nil {
			return nil, err
		}
		if seen[c] {
			return nil, commands.Fail("poll.choice_twice", locales.Data{"Choice": p.Choices[c].Label})
		}
		seen[c] = true
		out = append(out, c)
	}
	return out, nil
}

func allNumbers(words []string) bool {
	for _, w := range words {
		if _, err := strconv.Atoi(w); err != nil {
			return false
		}
	}
	return true
}

// matchOne finds one choice. A label is looked for before a position, so
// that on a poll of "1 | 2 | 4 | 8", "4" is the choice labelled 4; then
// without case and accents ("regina" for "Régina"), when that names one
// choice only; then by position.
func matchOne(p model.Poll, s string) (int, error) {
	s = strings.Join(strings.Fields(s), " ")
	for i, c := range p.Choices {
		if strings.EqualFold(c.Label, s) {
			return i, nil
		}
	}
	found, folded := -1, commands.FoldName(s)
	for i, c := range p.Choices {
		if commands.FoldName(c.Label) == folded {
			if found >= 0 {
				found = -2 // two labels differ only by their accents
				break
			}
			found = i
		}
	}
	if found >= 0 {
		return found, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(p.Choices) {
		return n - 1, nil
	}
	return 0, commands.Fail("poll.no_such_choice", locales.Data{"Choice": s, "Count": len(p.Choices)})
}
