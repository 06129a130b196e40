package faq

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/faq/search"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// listPage is how many entries /faqgestion liste shows at once.
const listPage = 20

// problem is what is wrong with a text moderators wrote, as a locale
// message, so commands, forms and imports word it alike.
type problem struct {
	ID   string
	Data locales.Data
}

func (p *problem) fail() error { return commands.Fail(p.ID, p.Data) }

// cleanText tidies one version of an entry and checks it: the question
// and phrasings on one line each, lists without empty or repeated items,
// the answer without trailing spaces. Cleaning twice changes nothing, so
// an exported FAQ imports unchanged.
func cleanText(t model.FAQText) (model.FAQText, *problem) {
	t.Lang = strings.ToLower(strings.TrimSpace(t.Lang))
	if t.Lang == "" {
		t.Lang = "fr"
	}
	if !supportedLang(t.Lang) {
		return t, &problem{"faq.bad_lang", locales.Data{"Lang": t.Lang}}
	}
	t.Question = oneLine(t.Question)
	t.Phrasings = cleanList(t.Phrasings, t.Question)
	t.Tags = cleanList(t.Tags, "")
	t.Answer = cleanAnswer(t.Answer)
	switch {
	case t.Question == "":
		return t, &problem{"faq.missing_question", nil}
	case t.Answer == "":
		return t, &problem{"faq.missing_answer", nil}
	case utf8.RuneCountInString(t.Question) > MaxQuestion:
		return t, &problem{"faq.question_too_long", locales.Data{"Length": locales.Quantity(utf8.RuneCountInString(t.Question)), "Max": locales.Quantity(MaxQuestion)}}
	case utf8.RuneCountInString(t.Answer) > MaxAnswer:
		return t, &problem{"faq.answer_too_long", locales.Data{"Length": locales.Quantity(utf8.RuneCountInString(t.Answer)), "Max": locales.Quantity(MaxAnswer)}}
	case len(t.Phrasings) > MaxPhrasings:
		return t, &problem{"faq.too_many_phrasings", locales.Data{"Count": len(t.Phrasings), "Max": MaxPhrasings}}
	case len(t.Tags) > MaxTags:
		return t, &problem{"faq.too_many_tags", locales.Data{"Count": len(t.Tags), "Max": MaxTags}}
	}
	for _, p := range t.Phrasings {
		if n := utf8.RuneCountInString(p); n > MaxPhrasing {
			return t, &problem{"faq.phrasing_too_long", locales.Data{"Phrasing": cut(p, 40), "Length": locales.Quantity(n), "Max": locales.Quantity(MaxPhrasing)}}
		}
	}
	for _, tag := range t.Tags {
		if n := utf8.RuneCountInString(tag); n > MaxTag {
			return t, &problem{"faq.tag_too_long", locales.Data{"Tag": cut(tag, 40), "Length": locales.Quantity(n), "Max": locales.Quantity(MaxTag)}}
		}
	}
	return t, nil
}

// cleanList puts each item on one line and drops empty ones, repeats
// (whatever their case) and the entry's own question.
func cleanList(items []string, question string) []string {
	var out []string
	for _, item := range items {
		item = oneLine(item)
		if item == "" || strings.EqualFold(item, question) {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || strings.EqualFold(o, item)
		}
		if !dup {
			out = append(out, item)
		}
	}
	return out
}

// cleanAnswer keeps the answer's lines and blank lines, without spaces at
// their ends or around the whole.
func cleanAnswer(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// splitList reads phrasings or tags as typed: separated by "|" or line
// breaks, and tags by commas too.
func splitList(s string, commas bool) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '\n' || r == '\r' || commas && r == ',' })
}

// duplicate finds another entry that already asks question in lang, as
// its question or as one of its phrasings: two entries answering one
// question would split the answers between them.
func (f *communityFAQ) duplicate(lang, question string, except int64) (int64, bool) {
	n := search.Normalize(question, lang)
	if n == "" {
		return 0, false
	}
	for _, id := range f.ids {
		if id == except {
			continue
		}
		t, ok := f.entries[id].Version(lang)
		if !ok {
			continue
		}
		for _, asked := range append([]string{t.Question}, t.Phrasings...) {
			if search.Normalize(asked, lang) == n {
				return id, true
			}
		}
	}
	return 0, false
}

// change is what a moderator gave for a text: nil fields stay as they
// were; for lists, "-" empties them.
type change struct {
	question, answer, phrasings, tags *string
}

func (c change) empty() bool {
	return c.question == nil && c.answer == nil && c.phrasings == nil && c.tags == nil
}

func (c change) apply(t model.FAQText) model.FAQText {
	if c.question != nil {
		t.Question = *c.question
	}
	if c.answer != nil {
		t.Answer = *c.answer
	}
	if c.phrasings != nil {
		t.Phrasings = nil
		if *c.phrasings != "-" {
			t.Phrasings = splitList(*c.phrasings, false)
		}
	}
	if c.tags != nil {
		t.Tags = nil
		if *c.tags != "-" {
			t.Tags = splitList(*c.tags, true)
		}
	}
	return t
}

// optionChange reads a change from a command's options.
func optionChange(req *commands.Request) change {
	var c change
	for name, field := range map[string]**string{"question": &c.question, "reponse": &c.answer, "formulations": &c.phrasings, "tags": &c.tags} {
		if req.Has(name) {
			v := req.String(name)
			*field = &v
		}
	}
	return c
}

// formChange reads a change from a form: an empty field, or "-", leaves
// the text as it was. A form cannot show the current text, and a guided
// conversation (Telegram) asks every field, so "-" is how to skip one;
// emptying a list takes the command's option ("formulations:-").
func formChange(fields map[string]string) change {
	var c change
	for name, field := range map[string]**string{"question": &c.question, "reponse": &c.answer, "formulations": &c.phrasings, "tags": &c.tags} {
		if v := formValue(fields[name]); v != "" {
			*field = &v
		}
	}
	return c
}

// formValue is a form field as typed, "" when left empty or skipped
// with "-".
func formValue(v string) string {
	v = strings.TrimSpace(v)
	if v == "-" {
		return ""
	}
	return v
}

// add is /faqgestion ajouter: with the texts as options, the entry is
// created; with none, a form asks for them (a modal on Discord).
func (s *service) add(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	lang := req.String("langue")
	if lang == "" {
		lang = "fr"
	}
	c := optionChange(req)
	if c.empty() {
		return textForm(req.Loc, "faqg/"+verbAdd+"/"+lang, req.Loc.S("faq.add_form_title", locales.Data{"Lang": langName(req.Loc, lang)}), model.FAQText{}, true), nil
	}
	return s.create(ctx, req, lang, c)
}

func (s *service) addForm(ctx context.Context, req *commands.Request, lang string) (*commands.Response, error) {
	return s.create(ctx, req, lang, formChange(req.Action.Fields))
}

func (s *service) create(ctx context.Context, req *commands.Request, lang string, c change) (*commands.Response, error) {
	t, p := cleanText(c.apply(model.FAQText{Lang: lang}))
	if p != nil {
		return nil, p.fail()
	}
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	if id, dup := f.duplicate(t.Lang, t.Question, 0); dup {
		return nil, commands.Fail("faq.duplicate", locales.Data{"ID": id, "Question": t.Question})
	}
	e := model.FAQEntry{CommunityID: req.Community.ID, Texts: []model.FAQText{t}}
	if err := s.store.CreateFAQEntry(ctx, &e, req.Now); err != nil {
		return nil, err
	}
	s.changed(ctx, req.Community.ID)
	return commands.Private(req.Loc.T("faq.added", locales.Data{"ID": e.ID, "Question": t.Question, "Lang": langName(req.Loc, t.Lang)})), nil
}

// textForm asks for a text's parts (a Discord modal; a guided conversation
// elsewhere). Forms cannot be filled in beforehand, so when editing, the
// placeholders show the current text and an empty field keeps it.
func textForm(l *locales.Localizer, action, title string, current model.FAQText, required bool) *commands.Response {
	hint := func(id, value string) string {
		if value == "" {
			return l.S(id)
		}
		return cut(oneLine(value), 100)
	}
	intro := "faq.add_form_intro"
	if !required {
		intro = "faq.edit_form_intro"
	}
	return &commands.Response{
		Text:      l.T(intro),
		Ephemeral: true,
		Modal: &commands.Modal{Action: action, Title: title, Fields: []commands.ModalField{
			{ID: "question", Label: l.S("faq.field_question"), Placeholder: hint("faq.field_question_hint", current.Question), Required: required, MaxLength: MaxQuestion},
			{ID: "reponse", Label: l.S("faq.field_answer"), Placeholder: hint("faq.field_answer_hint", current.Answer), Long: true, Required: required, MaxLength: MaxAnswer},
			{ID: "formulations", Label: l.S("faq.field_phrasings"), Placeholder: hint("faq.field_phrasings_hint", strings.Join(current.Phrasings, " | ")), Long: true, MaxLength: 4000},
			{ID: "tags", Label: l.S("faq.field_tags"), Placeholder: hint("faq.field_tags_hint", strings.Join(current.Tags, ", ")), MaxLength: 1000},
		}},
	}
}

// typedEntry loads the entry whose number the moderator typed in option.
func (s *service) typedEntry(ctx context.Context, req *commands.Request, option string) (model.FAQEntry, error) {
	raw := req.String(option)
	id, ok := commands.ParseNumber(raw)
	if !ok {
		return model.FAQEntry{}, commands.OptionError(option, commands.Fail("faq.bad_number", locales.Data{"Value": raw}))
	}
	e, err := s.communityEntry(ctx, req, id)
	if err != nil {
		return e, commands.OptionError(option, err)
	}
	return e, nil
}

// communityEntry loads an entry of the request's community, fresh from
// the store (the counts are not in the index).
func (s *service) communityEntry(ctx context.Context, req *commands.Request, id int64) (model.FAQEntry, error) {
	e, err := s.store.FAQEntry(ctx, id)
	if errors.Is(err, model.ErrNotFound) || err == nil && e.CommunityID != req.Community.ID {
		return e, commands.Fail("faq.entry_not_found", locales.Data{"ID": id})
	}
	return e, err
}

// edit is /faqgestion modifier: changes one language's version of an entry,
// or adds it (an English version of a French entry). Without texts, a form
// asks for them.
func (s *service) edit(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	e, err := s.typedEntry(ctx, req, "entree")
	if err != nil {
		return nil, err
	}
	lang := req.String("langue")
	if lang == "" {
		lang = mainText(e).Lang
	}
	c := optionChange(req)
	if c.empty() {
		current, has := e.Version(lang)
		title := req.Loc.S("faq.edit_form_title", locales.Data{"ID": e.ID, "Lang": langName(req.Loc, lang)})
		return textForm(req.Loc, "faqg/"+verbEdit+"/"+itoa(e.ID)+"/"+lang, title, current, !has), nil
	}
	return s.update(ctx, req, e, lang, c)
}

func (s *service) editForm(ctx context.Context, req *commands.Request, id int64, lang string) (*commands.Response, error) {
	e, err := s.communityEntry(ctx, req, id)
	if err != nil {
		return nil, err
	}
	c := formChange(req.Action.Fields)
	if c.empty() {
		return nil, commands.Fail("faq.nothing_changed", locales.Data{"ID": e.ID})
	}
	return s.update(ctx, req, e, lang, c)
}

func (s *service) update(ctx context.Context, req *commands.Request, e model.FAQEntry, lang string, c change) (*commands.Response, error) {
	current, has := e.Version(lang)
	if !has {
		current = model.FAQText{Lang: lang}
	}
	t, p := cleanText(c.apply(current))
	if p != nil {
		return nil, p.fail()
	}
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	if id, dup := f.duplicate(t.Lang, t.Question, e.ID); dup {
		return nil, commands.Fail("faq.duplicate", locales.Data{"ID": id, "Question": t.Question})
	}
	if err := s.store.SaveFAQText(ctx, req.Community.ID, e.ID, t, req.Now); err != nil {
		return nil, err
	}
	s.changed(ctx, req.Community.ID)
	id := "faq.edited"
	if !has {
		id = "faq.translated"
	}
	return commands.Private(req.Loc.T(id, locales.Data{"ID": e.ID, "Question": t.Question, "Lang": langName(req.Loc, t.Lang)})), nil
}

// delete is /faqgestion supprimer: the whole entry, or one language's
// version of it.
func (s *service) delete(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	e, err := s.typedEntry(ctx, req, "entree")
	if err != nil {
		return nil, err
	}
	if lang := req.String("langue"); lang != "" {
		if _, has := e.Version(lang); !has {
			return nil, commands.Fail("faq.no_such_text", locales.Data{"ID": e.ID, "Lang": langName(req.Loc, lang)})
		}
		err := s.store.DeleteFAQText(ctx, req.Community.ID, e.ID, lang, req.Now)
		if errors.Is(err, model.ErrConflict) {
			return nil, commands.Fail("faq.last_text", locales.Data{"ID": e.ID})
		}
		if err != nil {
			return nil, err
		}
		s.changed(ctx, req.Community.ID)
		return commands.Private(req.Loc.T("faq.text_deleted", locales.Data{"ID": e.ID, "Lang": langName(req.Loc, lang)})), nil
	}
	if err := s.store.DeleteFAQEntry(ctx, req.Community.ID, e.ID); err != nil {
		return nil, err
	}
	s.changed(ctx, req.Community.ID)
	return commands.Private(req.Loc.T("faq.deleted", locales.Data{"ID": e.ID, "Question": mainText(e).Question})), nil
}

// show is /faqgestion voir: an entry in every language, as stored.
func (s *service) show(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	e, err := s.typedEntry(ctx, req, "entree")
	if err != nil {
		return nil, err
	}
	lines := []markup.Text{req.Loc.N("faq.show_title", e.AskedCount, locales.Data{"ID": e.ID})}
	for _, t := range e.Texts {
		lines = append(lines, req.Loc.T("faq.show_text", locales.Data{"Lang": langName(req.Loc, t.Lang), "Question": t.Question}))
		if len(t.Phrasings) > 0 {
			lines = append(lines, req.Loc.T("faq.show_phrasings", locales.Data{"Phrasings": strings.Join(t.Phrasings, " | ")}))
		}
		if len(t.Tags) > 0 {
			lines = append(lines, req.Loc.T("faq.show_tags", locales.Data{"Tags": strings.Join(t.Tags, ", ")}))
		}
		lines = append(lines, answerMarkup(t.Answer))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// list is /faqgestion liste: the entries, a page at a time.
func (s *service) list(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	if len(f.ids) == 0 {
		return commands.Private(req.Loc.T("faq.list_empty")), nil
	}
	pages := (len(f.ids) + listPage - 1) / listPage
	page := min(req.Int("page", 1), pages)
	lines := []markup.Text{req.Loc.N("faq.list_title", len(f.ids), locales.Data{"Page": page, "Pages": pages})}
	for _, id := range f.ids[(page-1)*listPage : min(page*listPage, len(f.ids))] {
		e := f.entries[id]
		var langs []string
		for _, t := range e.Texts {
			langs = append(langs, langName(req.Loc, t.Lang))
		}
		lines = append(lines, req.Loc.T("faq.list_line", locales.Data{"ID": id, "Question": cut(mainText(e).Question, 120), "Langs": strings.Join(langs, ", ")}))
	}
	if page < pages {
		lines = append(lines, req.Loc.T("faq.list_next", locales.Data{"Next": page + 1}))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// suggestAdmin completes entry and question numbers for moderators.
func (s *service) suggestAdmin(ctx context.Context, req *commands.Request, option, partial string) ([]commands.Suggestion, error) {
	switch option {
	case "entree", "comme":
		return s.suggestEntries(ctx, req, partial)
	case "demande":
		return s.suggestPending(ctx, req, partial)
	}
	return nil, nil
}

// suggestEntries proposes entries by number or by words of their question.
func (s *service) suggestEntries(ctx context.Context, req *commands.Request, partial string) ([]commands.Suggestion, error) {
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	lang := req.Loc.Lang()
	number := strings.TrimLeft(strings.TrimSpace(partial), "n°#º ")
	var ids []int64
	if number == "" || digits(number) {
		for _, id := range f.ids {
			if strings.HasPrefix(itoa(id), number) {
				ids = append(ids, id)
			}
		}
	} else {
		for _, r := range f.index.Suggest(partial, lang, maxSuggestions) {
			ids = append(ids, r.ID)
		}
	}
	var out []commands.Suggestion
	for _, id := range ids[:min(len(ids), maxSuggestions)] {
		q := cut(textFor(f.entries[id], lang).Question, 80)
		out = append(out, commands.Suggestion{Label: req.Loc.S("faq.suggestion", locales.Data{"ID": id, "Question": q}), Value: itoa(id)})
	}
	return out, nil
}

// suggestPending proposes waiting questions by number or words.
func (s *service) suggestPending(ctx context.Context, req *commands.Request, partial string) ([]commands.Suggestion, error) {
	questions, _, err := s.store.PendingFAQQuestions(ctx, req.Community.ID, 200)
	if err != nil {
		return nil, err
	}
	typed := strings.ToLower(strings.TrimLeft(strings.TrimSpace(partial), "n°#º "))
	var out []commands.Suggestion
	for _, q := range questions {
		if typed != "" && !strings.HasPrefix(itoa(q.ID), typed) && !strings.Contains(strings.ToLower(q.Question), typed) {
			continue
		}
		label := req.Loc.S("faq.suggestion", locales.Data{"ID": q.ID, "Question": cut(q.Question, 80)})
		out = append(out, commands.Suggestion{Label: label, Value: itoa(q.ID)})
		if len(out) == maxSuggestions {
			break
		}
	}
	return out, nil
}
