package faq

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/faq/search"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// queueListed is how many waiting questions /faqgestion file shows.
const queueListed = 15

// unanswered queues a question the FAQ cannot answer and tells the
// moderators, once per member and question.
func (s *service) unanswered(ctx context.Context, req *commands.Request, question string) (*commands.Response, error) {
	lang := req.Loc.Lang()
	q := model.FAQQuestion{
		CommunityID: req.Community.ID, MemberID: req.Member.ID, MemberName: req.User.Name, ChatID: req.ChatRef,
		Platform: req.Platform, PlatformUserID: req.User.ID, Lang: lang,
		Question: question, Normalized: search.Normalize(question, lang), AskedAt: req.Now,
	}
	if _, err := s.store.QueueFAQQuestion(ctx, &q); err != nil {
		return nil, err
	}
	// Asked again (the store joined it to the member's waiting question),
	// the question keeps its one notice: the outbox queues a subject's post
	// once per chat, so publishing it again only makes up for a notice a
	// process lost between storing the question and queuing the notice.
	s.tellModerators(ctx, q)
	return commands.Private(req.Loc.T("faq.unanswered")), nil
}

// What an outbox subject names: a queued question's notice in the
// moderation chats ("faq-question/12").
const questionKind = "faq-question"

var noticePurposes = []string{model.PurposeModeration}

func questionSubject(id int64) string { return questionKind + "/" + strconv.FormatInt(id, 10) }

// tellModerators queues a new question's notice in the outbox, for the
// community's moderation chats: stored before the member is answered, sent
// at once when the platform allows, retried by the outbox otherwise, also
// after a restart. The notice is not live: a moderation chat added later
// does not receive the questions asked before. A failure is logged: the
// question waits in the queue anyway (/faqgestion file).
func (s *service) tellModerators(ctx context.Context, q model.FAQQuestion) {
	if s.outbox == nil {
		s.log.Error("tell moderators of a FAQ question: no outbox", "question", q.ID)
		return
	}
	d, err := s.outbox.PublishOnce(ctx, q.CommunityID, questionSubject(q.ID), noticePurposes)
	switch {
	case err != nil && d.Chats > 0:
		// Stored: the outbox retries what it could not send.
		s.log.Warn("tell moderators of a FAQ question: the outbox will retry", "question", q.ID, "chats", d.Chats, "sent", d.Sent, "error", err)
	case err != nil:
		s.log.Error("tell moderators of a FAQ question", "question", q.ID, "error", err)
	case d.Chats == 0:
		s.log.Info("no moderation chat to tell of a FAQ question", "community", q.CommunityID, "question", q.ID)
	}
}

// renderQuestion is a queued question's notice in the moderation chats,
// with buttons to answer or dismiss it.
func (s *service) renderQuestion(ctx context.Context, subject string) (*commands.Response, error) {
	id, ok := commands.ParseID(strings.TrimPrefix(subject, questionKind+"/"))
	if !ok {
		return nil, fmt.Errorf("bad FAQ notice subject %q", subject)
	}
	q, err := s.store.FAQQuestion(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("render FAQ notice %s: %w", subject, err)
	}
	if q.Status != model.FAQPending {
		// Answered or dismissed before its notice went out: the
		// moderators have nothing left to do with it.
		return nil, commands.ErrNothingToPost
	}
	c, err := s.store.Community(ctx, q.CommunityID)
	if err != nil {
		return nil, fmt.Errorf("render FAQ notice %s: %w", subject, err)
	}
	l := s.localizer(c, "")
	return &commands.Response{
		Text: l.T("faq.queue_notice", locales.Data{"ID": q.ID, "Name": q.MemberName, "Question": q.Question}),
		Buttons: []commands.Button{
			{Label: l.S("faq.button_answer"), Action: adminRoute(verbAnswer, q.ID), Style: commands.ButtonPrimary},
			{Label: l.S("faq.button_dismiss"), Action: adminRoute(verbDismiss, q.ID)},
		},
	}, nil
}

// queue is /faqgestion file: the questions waiting for an answer.
func (s *service) queue(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	questions, total, err := s.store.PendingFAQQuestions(ctx, req.Community.ID, queueListed)
	if err != nil {
		return nil, err
	}
	if total == 0 {
		return commands.Private(req.Loc.T("faq.queue_empty")), nil
	}
	lines := []markup.Text{req.Loc.N("faq.queue_title", total)}
	for _, q := range questions {
		lines = append(lines, req.Loc.T("faq.queue_line", locales.Data{
			"ID": q.ID, "Name": q.MemberName, "Question": cut(q.Question, 200), "Date": req.Loc.DateTime(q.AskedAt),
		}))
	}
	if total > len(questions) {
		lines = append(lines, req.Loc.N("faq.queue_more", total-len(questions)))
	}
	lines = append(lines, req.Loc.T("faq.queue_hint"))
	return commands.Private(markup.Join(lines, "\n")), nil
}

// pendingQuestion loads a question of the request's community that still
// waits for an answer.
func (s *service) pendingQuestion(ctx context.Context, req *commands.Request, id int64) (model.FAQQuestion, error) {
	q, err := s.store.FAQQuestion(ctx, id)
	if errors.Is(err, model.ErrNotFound) || err == nil && q.CommunityID != req.Community.ID {
		return q, commands.Fail("faq.question_not_found", locales.Data{"ID": id})
	}
	if err != nil {
		return q, err
	}
	if q.Status != model.FAQPending {
		return q, commands.Fail("faq.question_done", locales.Data{"ID": id})
	}
	return q, nil
}

func (s *service) typedQuestion(ctx context.Context, req *commands.Request) (model.FAQQuestion, error) {
	raw := req.String("demande")
	id, ok := commands.ParseNumber(raw)
	if !ok {
		return model.FAQQuestion{}, commands.OptionError("demande", commands.Fail("faq.bad_number", locales.Data{"Value": raw}))
	}
	q, err := s.pendingQuestion(ctx, req, id)
	if err != nil {
		return q, commands.OptionError("demande", err)
	}
	return q, nil
}

// answerQuestion is /faqgestion repondre: with reponse, the question
// becomes a new entry (titled intitule when the moderator rewords it); with
// comme, it becomes a phrasing of an existing entry. Either way each
// member who asked it is told. With neither, a form asks.
func (s *service) answerQuestion(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	q, err := s.typedQuestion(ctx, req)
	if err != nil {
		return nil, err
	}
	if !req.Has("reponse") && !req.Has("comme") {
		return answerForm(req.Loc, q), nil
	}
	return s.answer(ctx, req, q, req.String("reponse"), req.String("comme"), req.String("intitule"))
}

// answerForm asks for the answer to a queued question.
func answerForm(l *locales.Localizer, q model.FAQQuestion) *commands.Response {
	return &commands.Response{
		Text: l.T("faq.answer_form_intro", locales.Data{"ID": q.ID, "Question": q.Question}),
		Modal: &commands.Modal{
			Action: adminRoute(verbAnswerForm, q.ID),
			Title:  l.S("faq.answer_form_title", locales.Data{"ID": q.ID}),
			Fields: []commands.ModalField{
				{ID: "reponse", Label: l.S("faq.field_answer"), Placeholder: l.S("faq.field_answer_new_hint"), Long: true, MaxLength: MaxAnswer},
				{ID: "comme", Label: l.S("faq.field_as"), Placeholder: l.S("faq.field_as_hint"), MaxLength: 20},
				{ID: "intitule", Label: l.S("faq.field_title"), Placeholder: cut(q.Question, 100), MaxLength: MaxQuestion},
			},
		},
		Ephemeral: true,
	}
}

// answer answers a queued question with a new entry or an existing one.
func (s *service) answer(ctx context.Context, req *commands.Request, q model.FAQQuestion, answer, as, title string) (*commands.Response, error) {
	answer, as, title = formValue(answer), formValue(as), formValue(title)
	if answer != "" && as != "" {
		return nil, commands.Fail("faq.answer_either")
	}
	if answer == "" && as == "" {
		return nil, commands.Fail("faq.answer_missing")
	}
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	lang := q.Lang
	if !supportedLang(lang) {
		lang = "fr"
	}
	var a model.FAQAnswer
	if as != "" {
		id, ok := commands.ParseNumber(as)
		if !ok {
			return nil, commands.Fail("faq.bad_number", locales.Data{"Value": as})
		}
		e, ok := f.entry(id)
		if !ok {
			return nil, commands.Fail("faq.entry_not_found", locales.Data{"ID": id})
		}
		a = model.FAQAnswer{EntryID: e.ID, Lang: textFor(e, lang).Lang}
		if phrasing := oneLine(q.Question); newPhrasing(textFor(e, lang), phrasing) {
			a.Phrasing = phrasing
		}
	} else {
		if title == "" {
			title = q.Question
		}
		t := model.FAQText{Lang: lang, Question: title, Answer: answer}
		if oneLine(title) != oneLine(q.Question) {
			t.Phrasings = []string{q.Question} // the member's words help the next member who asks alike
		}
		t, p := cleanText(t)
		if p != nil {
			return nil, p.fail()
		}
		if id, dup := f.duplicate(t.Lang, t.Question, 0); dup {
			return nil, commands.Fail("faq.duplicate", locales.Data{"ID": id, "Question": t.Question})
		}
		a.NewEntry = &model.FAQEntry{CommunityID: req.Community.ID, Texts: []model.FAQText{t}}
	}
	answered, err := s.store.AnswerFAQQuestion(ctx, req.Community.ID, q.ID, a, req.Now)
	if errors.Is(err, model.ErrNotFound) {
		return nil, commands.Fail("faq.question_done", locales.Data{"ID": q.ID})
	}
	if err != nil {
		return nil, err
	}
	entryID := a.EntryID
	if a.NewEntry != nil {
		entryID = a.NewEntry.ID
	}
	s.changed(ctx, req.Community.ID)
	e, err := s.store.FAQEntry(ctx, entryID)
	if err != nil {
		return nil, err
	}
	told := 0
	for _, asked := range answered {
		if err := s.tellAsker(ctx, asked, e); err != nil {
			s.log.Warn("tell a member the answer to their FAQ question", "question", asked.ID, "error", err)
			continue
		}
		told++
	}
	id := "faq.answered_existing"
	if a.NewEntry != nil {
		id = "faq.answered_new"
	}
	return commands.Private(req.Loc.N(id, told, locales.Data{"ID": q.ID, "Entry": entryID, "Asked": len(answered)})), nil
}

// newPhrasing reports whether a member's question adds a way of asking to
// an entry's text, rather than repeating its question or a phrasing.
func newPhrasing(t model.FAQText, phrasing string) bool {
	if phrasing == "" || len([]rune(phrasing)) > MaxPhrasing || len(t.Phrasings) >= MaxPhrasings {
		return false
	}
	n := search.Normalize(phrasing, t.Lang)
	for _, known := range append([]string{t.Question}, t.Phrasings...) {
		if strings.EqualFold(known, phrasing) || n != "" && search.Normalize(known, t.Lang) == n {
			return false
		}
	}
	return true
}

// tellAsker tells a member the answer to their question, in their
// language: by direct message, or where they asked when they refuse
// direct messages.
func (s *service) tellAsker(ctx context.Context, q model.FAQQuestion, e model.FAQEntry) error {
	if s.messenger == nil {
		return errors.New("no messenger")
	}
	c, err := s.store.Community(ctx, q.CommunityID)
	if err != nil {
		return err
	}
	l := s.localizer(c, q.Lang)
	t := textFor(e, l.Lang())
	data := locales.Data{"Name": q.MemberName, "Asked": q.Question, "Question": t.Question, "Answer": answerMarkup(t.Answer)}
	_, err = s.messenger.DirectMessage(ctx, q.Platform, q.PlatformUserID, &commands.Response{Text: l.T("faq.told", data)})
	if !errors.Is(err, commands.ErrDirectMessageRefused) || q.ChatID == 0 {
		return err
	}
	chat, err := s.store.Chat(ctx, q.ChatID)
	if err != nil {
		return err
	}
	_, err = s.messenger.Send(ctx, commands.ChatAddress{Platform: chat.Platform, ChatID: chat.PlatformChatID},
		&commands.Response{Text: l.T("faq.told_in_chat", data)})
	return err
}

// dismiss is /faqgestion ecarter: the question leaves the queue unanswered.
func (s *service) dismiss(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	q, err := s.typedQuestion(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.dismissQuestion(ctx, req, q)
}

func (s *service) dismissQuestion(ctx context.Context, req *commands.Request, q model.FAQQuestion) (*commands.Response, error) {
	n, err := s.store.DismissFAQQuestion(ctx, req.Community.ID, q.ID, req.Now)
	if errors.Is(err, model.ErrNotFound) {
		return nil, commands.Fail("faq.question_done", locales.Data{"ID": q.ID})
	}
	if err != nil {
		return nil, err
	}
	return commands.Private(req.Loc.N("faq.dismissed", n, locales.Data{"ID": q.ID})), nil
}

// Moderator button and form routes: "faqg/<verb>/<id>", plus the forms'
// languages.
const (
	verbAdd        = "a" // faqg/a/<lang>: the add form
	verbEdit       = "e" // faqg/e/<entry>/<lang>: the edit form
	verbAnswer     = "r" // faqg/r/<question>: the answer button
	verbAnswerForm = "f" // faqg/f/<question>: the answer form
	verbDismiss    = "x" // faqg/x/<question>: the dismiss button
	verbImport     = "i" // faqg/i: the import form
)

func adminRoute(verb string, id int64) string {
	return "faqg/" + verb + "/" + strconv.FormatInt(id, 10)
}

// adminAction handles the moderators' buttons and forms; the runtime has
// checked the member is a moderator (the command's permission).
func (s *service) adminAction(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	parts := strings.Split(req.Action.Route, "/")
	if len(parts) < 2 || parts[0] != "faqg" {
		return nil, commands.Fail("error.unknown_action")
	}
	switch {
	case len(parts) == 2 && parts[1] == verbImport:
		return s.importForm(ctx, req)
	case len(parts) == 3 && parts[1] == verbAdd && supportedLang(parts[2]):
		return s.addForm(ctx, req, parts[2])
	case len(parts) == 4 && parts[1] == verbEdit && supportedLang(parts[3]):
		id, ok := commands.ParseID(parts[2])
		if !ok {
			return nil, commands.Fail("error.unknown_action")
		}
		return s.editForm(ctx, req, id, parts[3])
	}
	verb, id, ok := parseRoute(req.Action.Route, "faqg", verbAnswer, verbAnswerForm, verbDismiss)
	if !ok {
		return nil, commands.Fail("error.unknown_action")
	}
	q, err := s.pendingQuestion(ctx, req, id)
	if err != nil {
		return nil, err
	}
	switch verb {
	case verbAnswer:
		return answerForm(req.Loc, q), nil
	case verbDismiss:
		return s.dismissQuestion(ctx, req, q)
	default:
		return s.answer(ctx, req, q, req.Action.Fields["reponse"], req.Action.Fields["comme"], req.Action.Fields["intitule"])
	}
}
