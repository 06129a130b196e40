package polls

import (
	"context"
	"errors"
	"fmt"
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
		return nil, commands.Fail("poll.creation_restricted", locales.Data{"Roles": req.Loc.S("poll.voters." + needed.String())})
	}
	p, err := pollFromOptions(req)
	if err != nil {
		return nil, err
	}
	// Any creator chooses among the public chats; only moderators post in
	// their own chats.
	if p.Audience == audienceModeration && req.Member.Role < commands.RoleModerator {
		return nil, commands.Fail("poll.audience_moderators")
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
	data := locales.Data{"ID": p.ID, "Question": p.Question, "Sent": d.Sent, "Total": d.Chats, "Chats": req.Loc.S("poll.audience.where." + audienceOrDefault(p.Audience))}
	// Told as it is: where the poll is posted, or that its posts are on
	// their way (the publish job sends what could not go at once).
	switch {
	case d.Chats == 0:
		return commands.Private(req.Loc.T("poll.created_nowhere", data)), nil
	case d.Sent == 0:
		return commands.Private(req.Loc.N("poll.created_pending", d.Chats, data)), nil
	case d.Sent < d.Chats:
		return commands.Private(req.Loc.N("poll.created_partly", d.Chats-d.Sent, data)), nil
	}
	return commands.Private(req.Loc.N("poll.created", d.Sent, data)), nil
}

// audienceOrDefault is the audience chosen, or the public chats.
func audienceOrDefault(a string) string {
	if a == "" {
		return audiencePublic
	}
	return a
}

// pollFromOptions reads and checks the options of /sondage creer.
func pollFromOptions(req *commands.Request) (*model.Poll, error) {
	p := &model.Poll{
		Question:  commands.TidyText(req.String("question")),
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
	p.Audience = audienceOrDefault(req.String("salons"))
	if p.Audience == audienceModeration {
		// Only moderators see the poll, so only they vote.
		p.VoterRole = "moderator"
	}
	if p.Question == "" {
		return nil, commands.OptionError("question", commands.Fail("poll.question_empty"))
	}
	choices, err := parseChoices(req.String("choix"), false)
	if err != nil {
		return nil, commands.OptionError("choix", err)
	}
	p.Choices = choices
	if p.Kind == model.PollRanked {
		for _, c := range choices {
			if strings.Contains(c.Label, ">") {
				// It could not be typed in a ranking: "A > B" reads as two choices.
				return nil, commands.OptionError("choix", commands.Fail("poll.choice_ranking_mark", locales.Data{"Choice": c.Label}))
			}
		}
	}
	if req.Has("max") {
		if p.Kind != model.PollMultiple {
			return nil, commands.Fail("poll.max_needs_multiple")
		}
		p.MaxChoices = req.Int("max", 0)
		if p.MaxChoices > len(choices) {
			return nil, commands.OptionError("max", commands.Fail("poll.max_too_high", locales.Data{"Max": p.MaxChoices, "Choices": len(choices)}))
		}
	}
	if end := req.String("fin"); end != "" {
		deadline, err := parseDeadline(req.Loc, end, req.Now, req.Community.Location)
		if err != nil {
			return nil, commands.OptionError("fin", err)
		}
		p.Deadline = &deadline
	}
	return p, nil
}

// checkChoices and checkDeadline read the options of /sondage creer as
// they are given (commands.Option.Check), so a guided question refuses a
// wrong answer at once.
func checkChoices(_ *commands.Request, v string) error {
	_, err := parseChoices(v, false)
	return err
}

func checkDeadline(req *commands.Request, v string) error {
	_, err := parseDeadline(req.Loc, v, req.Now, req.Community.Location)
	return err
}

// parseDeadline reads the "fin" option in the community's time zone, and
// on refusal tells the member how the text was understood.
//
// The rule, also in the option's help: a time of day written alone
// ("18h", "18h30", "18h 30", "18:30", "à 18h", "9 heures", "midi") is
// that time today, or tomorrow once passed; it is never a number of
// hours, because "fin:18h" and "fin:9 heures" are how members write
// "closes at 18:00", "at 9:00". A date with a time ("samedi 18h30",
// "demain à 9 heures", "12/12 18h30", "2026-12-12 18:30") is read by
// frdate. Anything else must be a duration: after "dans" ("dans 2h",
// "dans 3h30", "dans 9 heures"), with a unit other than hours ("2j",
// "90min", "3h 30min"), or counted in words ("une heure", "dans une
// heure": no one writes 1:00 so). Of the forms the help documented, only
// the duration "3h30" changes meaning; the help now writes it "dans 3h30".
//
// A day without a time ("samedi", "demain soir") is refused with the day
// understood: the member is asked the hour rather than given one they did
// not write. Months ("1 mois") are refused with the forms to use: a month
// is no fixed duration, and 30 days would not be the date the member has
// in mind.
func parseDeadline(l *locales.Localizer, s string, now time.Time, tz *time.Location) (time.Time, error) {
	if tz == nil {
		tz = time.UTC
	}
	reading, err := frdate.Read(s, now, tz)
	var understood *frdate.Error
	switch {
	case err == nil:
		if reading.Time.Sub(now) < time.Minute {
			return time.Time{}, commands.Fail("poll.deadline_too_soon")
		}
		return reading.Time, nil
	case errors.As(err, &understood):
		return time.Time{}, deadlineRefusals.Refuse(l.In(tz), s, understood, now)
	case !errors.Is(err, frdate.ErrUnreadable):
		return time.Time{}, fmt.Errorf("read deadline %q: %w", s, err)
	}
	d, err := commands.ReadDuration(s)
	switch {
	case errors.Is(err, commands.ErrDurationTooLong):
		return time.Time{}, commands.Fail("poll.deadline_too_long", locales.Data{"Value": s, "Max": deadlineRefusals.MaxDays})
	case errors.Is(err, commands.ErrDurationZero):
		return time.Time{}, commands.Fail("poll.deadline_too_soon")
	case errors.Is(err, commands.ErrDurationMonths):
		return time.Time{}, commands.Fail("poll.deadline_months", locales.Data{"Value": s})
	case err != nil:
		return time.Time{}, dayWithoutTime(l, s, now, tz)
	case d < time.Minute:
		return time.Time{}, commands.Fail("poll.deadline_too_soon")
	}
	return now.Add(d), nil
}

// deadlineRefusals tell why a deadline read as a date is refused.
var deadlineRefusals = commands.DateRefusals{
	Past: "poll.deadline_past", TooFar: "poll.deadline_date_too_far",
	WrongWeekday: "poll.deadline_wrong_weekday", NoSuchDay: "poll.deadline_no_such_day",
	MaxDays: int(commands.MaxDuration / (24 * time.Hour)),
}

// dayWithoutTime refuses a deadline that is neither a date with a time
// nor a duration. A day without a time ("samedi", "demain", "12/12") is
// told back with the question of the hour, rather than closed at an hour
// the member did not write; a day already over ("hier") is past.
func dayWithoutTime(l *locales.Localizer, s string, now time.Time, tz *time.Location) error {
	day, ok := frdate.DayWithoutTime(s, now, tz)
	switch {
	case !ok:
		return commands.Fail("poll.deadline_unreadable", locales.Data{"Value": s})
	case !day.AddDate(0, 0, 1).After(now):
		return commands.Fail("poll.deadline_past", locales.Data{"Value": s, "Date": l.In(tz).Date(day)})
	}
	return commands.Fail("poll.deadline_no_time", locales.Data{"Value": s, "Day": l.In(tz).Date(day)})
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
		label := commands.TidyText(part)
		var price int64
		if prices {
			var err error
			label, price, err = splitPrice(label)
			switch {
			case errors.Is(err, errAmbiguousPrice):
				return nil, commands.Fail("poll.choice_unsigned_price", locales.Data{"Choice": strings.TrimSpace(part)})
			case err != nil:
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
