package polls

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// questionnaireSpec is /questionnaire: a moderator builds a product
// specification from single-choice polls whose choices may change the
// price ("Bio +0,40 € | Standard"); the result is each question's winning
// choice and the resulting price.
//
// Typed as text, the title takes the rest of the line, so "/questionnaire
// creer Jus de pomme 2,10 €" needs no quotes (its trailing amount is the
// base price, see createQuestionnaire), and a question ends at the first
// "|" as a poll's does: "/questionnaire ajouter 1 Farine ? | Bio +0,40 € |
// Standard".
func (s *service) questionnaireSpec() *commands.Spec {
	return &commands.Spec{
		Name: "questionnaire",
		Subcommands: []*commands.Spec{
			{Name: "creer", Permission: commands.RoleModerator, Handle: s.createQuestionnaire, Options: []commands.Option{
				{Name: "titre", Type: commands.OptionString, Required: true, MaxLength: MaxTitle, Rest: true},
				{Name: "prix_base", Type: commands.OptionString, MaxLength: 20},
			}},
			{Name: "ajouter", Permission: commands.RoleModerator, Handle: s.addQuestion, Options: []commands.Option{
				numberOption("questionnaire"),
				{Name: "question", Type: commands.OptionString, Required: true, MaxLength: MaxQuestion, Until: "|"},
				{Name: "choix", Type: commands.OptionString, Required: true, MaxLength: MaxChoices * (MaxChoice + 15), Rest: true},
				{Name: "fin", Type: commands.OptionString, MaxLength: 100},
			}},
			{Name: "resultat", Handle: s.questionnaireResult, Options: []commands.Option{
				numberOption("questionnaire"),
			}},
			{Name: "liste", Handle: s.listQuestionnaires},
			// Not a moderators' command: the author may close their own,
			// as with /sondage fermer; the handler checks.
			{Name: "fermer", Handle: s.closeQuestionnaire, Options: []commands.Option{
				numberOption("questionnaire"),
			}},
		},
	}
}

// createQuestionnaire is /questionnaire creer. Without prix_base, the
// title may end with the base price, written as a choice's price impact
// is ("Jus de pomme 2,10 €", "… 2,10 euros"), since a member typing the
// command as text writes both on one line; with prix_base, the title is
// kept as given.
func (s *service) createQuestionnaire(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	q := model.Questionnaire{CommunityID: req.Community.ID, Title: strings.TrimSpace(req.String("titre"))}
	if raw := req.String("prix_base"); raw != "" {
		cents, ok := parseBasePrice(raw)
		if !ok || cents < 0 {
			return nil, commands.Fail("poll.q.bad_price", locales.Data{"Value": raw})
		}
		q.BaseCents = cents
	} else {
		title, cents, err := splitPrice(q.Title)
		switch {
		case errors.Is(err, errAmbiguousPrice):
			return nil, commands.Fail("poll.q.title_unsigned_price", locales.Data{"Title": q.Title})
		case err != nil || cents < 0:
			return nil, commands.Fail("poll.q.title_bad_price", locales.Data{"Title": q.Title})
		case title == "":
			return nil, commands.Fail("poll.q.title_empty", locales.Data{"Title": q.Title})
		}
		q.Title, q.BaseCents = title, cents
	}
	if err := s.store.CreateQuestionnaire(ctx, &q, req.Member.ID); err != nil {
		return nil, err
	}
	return commands.Private(req.Loc.T("poll.q.created", locales.Data{"ID": q.ID, "Title": q.Title, "Base": euros(req.Loc, q.BaseCents)})), nil
}

func (s *service) loadQuestionnaire(ctx context.Context, req *commands.Request) (model.Questionnaire, error) {
	raw := req.String("questionnaire")
	id, ok := commands.ParseNumber(raw)
	if !ok {
		return model.Questionnaire{}, commands.Fail("poll.q.bad_number", locales.Data{"Value": raw})
	}
	q, err := s.store.Questionnaire(ctx, id)
	if errors.Is(err, model.ErrNotFound) || err == nil && q.CommunityID != req.Community.ID {
		return q, commands.Fail("poll.q.not_found", locales.Data{"ID": id})
	}
	return q, err
}

// addQuestion posts a single-choice poll that belongs to the questionnaire.
func (s *service) addQuestion(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	q, err := s.loadQuestionnaire(ctx, req)
	if err != nil {
		return nil, err
	}
	choices, err := parseChoices(req.String("choix"), true)
	if err != nil {
		return nil, err
	}
	p := &model.Poll{
		QuestionnaireID: q.ID, Question: strings.TrimSpace(req.String("question")), Kind: model.PollSingle,
		Anonymous: true, Live: true, VoterRole: "member", Choices: choices,
	}
	if p.Question == "" {
		return nil, commands.Fail("poll.question_empty")
	}
	if end := req.String("fin"); end != "" {
		deadline, err := parseDeadline(req.Loc, end, req.Now, req.Community.Location)
		if err != nil {
			return nil, err
		}
		p.Deadline = &deadline
	}
	return s.createPoll(ctx, req, p)
}

// questionnaireResult adds the price impact of each question's leading
// choice to the base price. A question still open makes the price
// provisional; a closed one without votes (or below its quorum) has no
// choice for good, and adds nothing to a price that is no longer
// provisional for its sake.
func (s *service) questionnaireResult(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	q, err := s.loadQuestionnaire(ctx, req)
	if err != nil {
		return nil, err
	}
	polls, err := s.store.QuestionnairePolls(ctx, q.ID)
	if err != nil {
		return nil, err
	}
	// Answered to the asker alone, in their language, as /sondage
	// resultats is: the chat sees each question's result when it closes.
	l := req.Loc
	lines := []markup.Text{l.T("poll.q.header", locales.Data{"ID": q.ID, "Title": q.Title})}
	total, provisional := q.BaseCents, false
	for i, p := range polls {
		t, err := s.tally(ctx, p)
		if err != nil {
			return nil, err
		}
		open := p.Status == model.PollOpen
		provisional = provisional || open
		d := locales.Data{"N": i + 1, "Question": p.Question, "Poll": p.ID, "Open": open}
		// A price needs one choice per question: a tie is broken by the
		// rule of ranked polls (earlier rounds, then the poll's draw), and
		// the line says so.
		dec := t.Decide(p.ID)
		undecided := dec.Winner < 0 || !t.QuorumMet(p.Quorum)
		switch {
		// Agora's questions show live results; a poll that waits for the
		// close must not leak its leader here either.
		case hiddenNow(p) || open && undecided:
			lines = append(lines, l.T("poll.q.undecided", d))
			continue
		case undecided:
			d["NoVote"] = t.Voters == 0
			lines = append(lines, l.T("poll.q.no_choice", d))
			continue
		}
		c := p.Choices[dec.Winner]
		total += c.PriceCents
		d["Choice"] = c.Label
		d["Price"] = priceImpact(l, c.PriceCents)
		if len(dec.Tied) == 0 {
			lines = append(lines, l.T("poll.q.line", d))
			continue
		}
		d["Tied"] = roundChoices(l, p, dec.Tied)
		d["Draw"] = dec.Break == ByDraw
		d["Round"] = dec.BreakRound
		lines = append(lines, l.T("poll.q.line_tie", d))
	}
	if len(polls) == 0 {
		lines = append(lines, l.T("poll.q.empty", locales.Data{"ID": q.ID}))
	}
	lines = append(lines, l.T("poll.q.total", locales.Data{"Total": euros(l, total), "Base": euros(l, q.BaseCents), "Provisional": provisional}))
	return commands.Private(markup.Join(lines, "\n")), nil
}

// listQuestionnaires is /questionnaire liste: the community's latest
// questionnaires with how many questions each has, and how many are open.
func (s *service) listQuestionnaires(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	qs, err := s.store.Questionnaires(ctx, req.Community.ID, listLimit)
	if err != nil {
		return nil, err
	}
	l := req.Loc
	if len(qs) == 0 {
		return commands.Private(l.T("poll.q.list_empty")), nil
	}
	ids := make([]int64, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	pollsOf, err := s.store.QuestionnairePollsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	lines := []markup.Text{l.N("poll.q.list_title", len(qs))}
	for _, q := range qs {
		polls := pollsOf[q.ID]
		open := 0
		for _, p := range polls {
			if p.Status == model.PollOpen {
				open++
			}
		}
		d := locales.Data{"ID": q.ID, "Title": q.Title, "Questions": l.N("poll.q.questions", len(polls))}
		if open > 0 {
			d["Open"] = l.N("poll.q.open_count", open)
		}
		lines = append(lines, l.T("poll.q.list_line", d))
	}
	if len(qs) == listLimit {
		lines = append(lines, l.T("poll.q.list_more", locales.Data{"Max": listLimit}))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// closeQuestionnaire is /questionnaire fermer: every open question closes
// now and its result is posted, as /sondage fermer does for one poll.
func (s *service) closeQuestionnaire(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	q, err := s.loadQuestionnaire(ctx, req)
	if err != nil {
		return nil, err
	}
	if req.Member.Role < commands.RoleModerator && q.AuthorID != req.Member.ID {
		return nil, commands.Fail("poll.q.not_yours", locales.Data{"ID": q.ID})
	}
	polls, err := s.store.QuestionnairePolls(ctx, q.ID)
	if err != nil {
		return nil, err
	}
	closed := 0
	for _, p := range polls {
		if p.Status != model.PollOpen {
			continue
		}
		ok, err := s.store.ClosePoll(ctx, p.ID, req.Now, announceJob)
		if err != nil {
			return nil, fmt.Errorf("close questionnaire %d: %w", q.ID, err)
		}
		if !ok {
			continue // closed meanwhile by its deadline or by hand
		}
		closed++
		if err := s.announce(ctx, p.ID); err != nil {
			s.log.Warn("announce closed poll now failed; the job will retry", "poll", p.ID, "error", err)
		}
	}
	if closed == 0 {
		return nil, commands.Fail("poll.q.nothing_open", locales.Data{"ID": q.ID})
	}
	return commands.Private(req.Loc.N("poll.q.closed_now", closed, locales.Data{"ID": q.ID})), nil
}
