package faq

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/faq/search"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// ask is /faq question:…: the best entry, with up to two close ones as
// buttons; a question without a good match is queued for the moderators.
func (s *service) ask(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	question := oneLine(req.String("question"))
	lang := req.Loc.Lang()
	if search.Normalize(question, lang) == "" && search.Normalize(question, "fr") == "" {
		return nil, commands.Fail("faq.too_vague")
	}
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	if req.Chat.Private && len(f.ids) == 0 {
		// A direct conversation with Agora is a community of its own,
		// without a FAQ or moderators: a question queued there would wait
		// for nobody.
		return nil, commands.Fail("faq.private_no_faq")
	}
	results := f.index.Search(question, lang, 1+others)
	if len(results) == 0 || results[0].Confidence < search.MatchThreshold {
		return s.unanswered(ctx, req, question)
	}
	best, ok := f.entry(results[0].ID)
	if !ok {
		return s.unanswered(ctx, req, question)
	}
	var closeIDs []int64
	for _, r := range results[1:] {
		if r.Confidence >= search.MatchThreshold && r.ID != best.ID {
			closeIDs = append(closeIDs, r.ID)
		}
	}
	s.countAsked(ctx, best.ID)
	kind := answerSure
	if results[0].Confidence < search.AnswerThreshold {
		kind = answerUnsure
	}
	return answerResponse(req.Loc, f, best, lang, kind, closeIDs), nil
}

// countAsked records an answer given; a failure costs a statistic, not the
// member's answer.
func (s *service) countAsked(ctx context.Context, entryID int64) {
	if err := s.store.CountFAQAsked(ctx, entryID); err != nil {
		s.log.Warn("count a FAQ answer", "entry", entryID, "error", err)
	}
}

type answerKind int

const (
	answerSure   answerKind = iota // a confident match
	answerUnsure                   // the closest entry, said to be so
	answerAuto                     // given on its own in a chat
	answerShown                    // chosen with a button
)

// answerResponse shows an entry in the member's language (or French) with
// the helpful / unhelpful buttons and buttons for the close entries.
func answerResponse(l *locales.Localizer, f *communityFAQ, e model.FAQEntry, lang string, kind answerKind, closeIDs []int64) *commands.Response {
	t := textFor(e, lang)
	var lines []markup.Text
	if kind == answerUnsure {
		lines = append(lines, l.T("faq.answer_unsure"))
	}
	lines = append(lines, l.T("faq.answer", locales.Data{"Question": t.Question, "Answer": answerMarkup(t.Answer)}))
	if kind == answerAuto {
		lines = append(lines, l.T("faq.answer_auto"))
	}
	buttons := []commands.Button{
		{Label: l.S("faq.button_helpful"), Action: route("u", e.ID), Style: commands.ButtonSuccess},
		{Label: l.S("faq.button_unhelpful"), Action: route("n", e.ID)},
	}
	for _, id := range closeIDs {
		if other, ok := f.entry(id); ok {
			buttons = append(buttons, commands.Button{Label: cut(textFor(other, lang).Question, 80), Action: route("s", id), Style: commands.ButtonPrimary})
		}
	}
	return &commands.Response{Text: markup.Join(lines, "\n"), Buttons: buttons}
}

// urlPattern finds web addresses in answers.
var urlPattern = regexp.MustCompile("https?://[^\\s<>()\\[\\]`]+")

// urlTrailers end a sentence or a formatting around a link rather than
// the link: "voir *https://x.org/a*." has the address https://x.org/a.
const urlTrailers = ".,;:!?*_'\""

// answerMarkup is an answer as moderators wrote it, in the FAQ's own
// formatting (*bold*, _italic_, `code`), except web addresses, whose
// underscores and stars are kept literal: "https://x.org/mon_espace" must
// stay a working link, not start italics.
func answerMarkup(answer string) markup.Text {
	return markup.Text(urlPattern.ReplaceAllStringFunc(answer, func(u string) string {
		link := strings.TrimRight(u, urlTrailers)
		return string(markup.Escape(link)) + u[len(link):]
	}))
}

// Member button routes: "faq/<verb>/<entry>".
const (
	verbHelpful   = "u"
	verbUnhelpful = "n"
	verbShow      = "s"
)

func route(verb string, id int64) string { return "faq/" + verb + "/" + strconv.FormatInt(id, 10) }

// parseRoute reads "<prefix>/<verb>/<id>" strictly: any other shape, an
// unknown verb or a non-canonical number is a forged or stale button.
func parseRoute(r, prefix string, verbs ...string) (verb string, id int64, ok bool) {
	parts := strings.Split(r, "/")
	if len(parts) != 3 || parts[0] != prefix {
		return "", 0, false
	}
	known := false
	for _, v := range verbs {
		known = known || parts[1] == v
	}
	id, ok = commands.ParseID(parts[2])
	return parts[1], id, ok && known
}

// memberAction handles the buttons under an answer.
func (s *service) memberAction(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	verb, id, ok := parseRoute(req.Action.Route, "faq", verbHelpful, verbUnhelpful, verbShow)
	if !ok {
		return nil, commands.Fail("error.unknown_action")
	}
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	e, ok := f.entry(id) // only this community's entries are in its index
	if !ok {
		return nil, commands.Fail("faq.entry_gone")
	}
	switch verb {
	case verbHelpful, verbUnhelpful:
		helpful := verb == verbHelpful
		if err := s.store.VoteFAQ(ctx, e.ID, req.Member.ID, helpful, req.Now); err != nil {
			return nil, err
		}
		if helpful {
			return commands.Private(req.Loc.T("faq.voted_helpful")), nil
		}
		return commands.Private(req.Loc.T("faq.voted_unhelpful")), nil
	default:
		s.countAsked(ctx, e.ID)
		return answerResponse(req.Loc, f, e, req.Loc.Lang(), answerShown, nil), nil
	}
}

// maxSuggestions is Discord's limit on autocomplete choices.
const maxSuggestions = 25

// suggestQuestions completes /faq's question from the FAQ as the member
// types (Discord autocomplete), and answers Telegram inline queries
// ("@bot comment adhérer"), which the Telegram adapter routes here: there
// the suggestion's value is the message the member posts, so it carries
// the answer; on Discord it fills the option, so it is the question.
func (s *service) suggestQuestions(ctx context.Context, req *commands.Request, option, partial string) ([]commands.Suggestion, error) {
	if option != "question" {
		return nil, nil
	}
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	lang := req.Loc.Lang()
	var ids []int64
	if strings.TrimSpace(partial) == "" {
		ids = f.popular[:min(len(f.popular), maxSuggestions)]
	} else {
		for _, r := range f.index.Suggest(partial, lang, maxSuggestions) {
			ids = append(ids, r.ID)
		}
	}
	var out []commands.Suggestion
	for _, id := range ids {
		e, ok := f.entry(id)
		if !ok {
			continue
		}
		t := textFor(e, lang)
		sg := commands.Suggestion{Label: cut(t.Question, 100), Value: cutBytes(t.Question, 100)}
		if req.Platform == commands.PlatformTelegram {
			sg.Value = t.Question + "\n\n" + answerMarkup(t.Answer).Plain()
		}
		out = append(out, sg)
	}
	return out, nil
}
