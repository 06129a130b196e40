package polls

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/frdate"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// create is /sondage creer. The poll is stored with its publish job in one
// transaction; it is then posted at once in every chat of the community,
// and the job retries whatever failed (a crash, a platform error).
func (s *service) create(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	creation, err := creationSetting.Get(ctx, s.store, req.Community.ID, model.ErrNotFound)
	if err != nil {
		return nil, err
	}
	if needed := commands.ParseRole(creation); req.Member.Role < needed {
		return nil, commands.Fail("poll.creation_restricted", locales.Data{"Role": req.Loc.S("role." + needed.String())})
	}
	p, err := pollFromOptions(req)
	if err != nil {
		return nil, err
	}
	return s.createPoll(ctx, req, p)
}

func (s *service) createPoll(ctx context.Context, req *commands.Request, p *model.Poll) (*commands.Response, error) {
	p.CommunityID, p.AuthorID = req.Community.ID, req.Member.ID
	p.VoterRank = int(commands.ParseRole(p.VoterRole))
	if err := s.store.CreatePoll(ctx, p, req.Now, publishJob, closeJob); err != nil {
		return nil, err
	}
	s.remember(*p)
	d, err := s.publish(ctx, p.ID)
	if err != nil {
		// The outbox retries; the member's poll exists and will be posted.
		s.log.Warn("publish poll now failed; the outbox will retry", "poll", p.ID, "error", err)
	}
	data := locales.Data{"ID": p.ID, "Question": p.Question, "Sent": d.Sent}
	switch {
	case d.Chats == 0:
		return commands.Private(req.Loc.T("poll.created_nowhere", data)), nil
	case d.Sent < d.Chats:
		// Told as it is: some chats still wait for their post.
		return commands.Private(req.Loc.N("poll.created_pending", d.Chats, data)), nil
	}
	return commands.Private(req.Loc.N("poll.created", d.Sent, data)), nil
}

// pollFromOptions reads and checks the options of /sondage creer.
func pollFromOptions(req *commands.Request) (*model.Poll, error) {
	p := &model.Poll{
		Question:  strings.TrimSpace(req.String("question")),
		Kind:      model.PollSingle,
		Anonymous: req.Bool("anonyme", true),
		Live:      req.String("resultats") != "close",
		Quorum:    req.Int("quorum", 0),
		VoterRole: "member",
	}
	if k := req.String("type"); k != "" {
		p.Kind = k
	}
	if r := req.String("votants"); r != "" {
		p.VoterRole = r
	}
	if p.Question == "" {
		return nil, commands.Fail("poll.question_empty")
	}
	choices, err := parseChoices(req.String("choix"), false)
	if err != nil {
		return nil, err
	}
	p.Choices = choices
	if req.Has("max") {
		if p.Kind != model.PollMultiple {
			return nil, commands.Fail("poll.max_needs_multiple")
		}
		p.MaxChoices = req.Int("max", 0)
		if p.MaxChoices > len(choices) {
			return nil, commands.Fail("poll.max_too_high", locales.Data{"Max": p.MaxChoices, "Choices": len(choices)})
		}
	}
	if end := req.String("fin"); end != "" {
		deadline, err := parseDeadline(end, req.Now, req.Community.Location)
		if err != nil {
			return nil, err
		}
		p.Deadline = &deadline
	}
	return p, nil
}

// parseDeadline reads a duration ("2j", "3h30") or a French date ("samedi
// 18h30") in the community's time zone.
func parseDeadline(s string, now time.Time, tz *time.Location) (time.Time, error) {
	if tz == nil {
		tz = time.UTC
	}
	if d, ok := commands.ParseDuration(s); ok {
		if d < time.Minute {
			return time.Time{}, commands.Fail("poll.deadline_too_soon")
		}
		return now.Add(d), nil
	}
	if t, ok := frdate.Parse(s, now, tz); ok {
		if t.Sub(now) < time.Minute {
			return time.Time{}, commands.Fail("poll.deadline_too_soon")
		}
		if t.Sub(now) > commands.MaxDuration {
			return time.Time{}, commands.Fail("poll.deadline_too_far")
		}
		return t, nil
	}
	return time.Time{}, commands.Fail("poll.deadline_unreadable", locales.Data{"Value": s})
}

// parseChoices splits "A | B | C" into choices, refusing empty, duplicate
// and over-long ones. With prices, a trailing "+0,40 €" is the choice's
// price impact in a questionnaire.
func parseChoices(raw string, prices bool) ([]model.PollChoice, error) {
	parts := strings.Split(raw, "|")
	if len(parts) < MinChoices || len(parts) > MaxChoices {
		return nil, commands.Fail("poll.choice_count", locales.Data{"Min": MinChoices, "Max": MaxChoices, "Count": len(parts)})
	}
	seen := map[string]bool{}
	out := make([]model.PollChoice, 0, len(parts))
	for i, part := range parts {
		label := strings.Join(strings.Fields(part), " ")
		var price int64
		if prices {
			var ok bool
			if label, price, ok = splitPrice(label); !ok {
				return nil, commands.Fail("poll.choice_bad_price", locales.Data{"Choice": strings.TrimSpace(part)})
			}
		}
		if label == "" {
			return nil, commands.Fail("poll.choice_empty", locales.Data{"N": i + 1})
		}
		if n := utf8.RuneCountInString(label); n > MaxChoice {
			return nil, commands.Fail("poll.choice_too_long", locales.Data{"N": i + 1, "Length": n, "Max": MaxChoice})
		}
		key := strings.ToLower(label)
		if seen[key] {
			return nil, commands.Fail("poll.choice_duplicate", locales.Data{"Choice": label})
		}
		seen[key] = true
		out = append(out, model.PollChoice{Label: label, PriceCents: price})
	}
	return out, nil
}
