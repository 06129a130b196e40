package faq

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/faq/search"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// onMessage answers a chat message on its own when moderators switched
// automatic answers on in the chat, the message reads as a question, and
// an entry matches it at least as surely as the community's threshold.
// The chat's spacing and the entry's cooldown are claimed in the database,
// so they hold whichever process sees the message. Everything before the
// claim is read from memory: most messages cost no query at all.
func (s *service) onMessage(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	if req.Event == nil || req.Event.Kind != commands.EventMessage || req.User.Bot {
		return nil, nil // never answer a bot, Agora included: two bots could talk forever
	}
	text := strings.TrimSpace(req.Event.Text)
	if text == "" || commands.IsCommandText(text) || utf8.RuneCountInString(text) > maxAutoText {
		return nil, nil
	}
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	if !f.autoChats[req.ChatRef] || !search.LooksLikeQuestion(text) {
		return nil, nil
	}
	lang := req.Loc.Lang()
	results := f.index.Search(text, lang, 1)
	if len(results) == 0 || results[0].Confidence < f.threshold {
		return nil, nil
	}
	e, ok := f.entry(results[0].ID)
	if !ok {
		return nil, nil
	}
	claimed, err := s.store.ClaimFAQAutoAnswer(ctx, req.ChatRef, e.ID, req.Now, s.opts.AutoChatGap, s.opts.AutoEntryCooldown)
	if err != nil || !claimed {
		return nil, err
	}
	s.countAsked(ctx, e.ID)
	return answerResponse(req.Loc, f, e, lang, answerAuto, nil), nil
}

// auto is /faqgestion auto: switches automatic answers in this chat, or
// says whether they are on.
func (s *service) auto(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	threshold, err := s.threshold(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	data := locales.Data{"Threshold": threshold}
	if !req.Has("actif") {
		f, err := s.faq(ctx, req.Community.ID)
		if err != nil {
			return nil, err
		}
		if f.autoChats[req.ChatRef] {
			return commands.Private(req.Loc.T("faq.auto_is_on", data)), nil
		}
		return commands.Private(req.Loc.T("faq.auto_is_off", data)), nil
	}
	on := req.Bool("actif", false)
	if err := s.store.SetFAQAuto(ctx, req.ChatRef, on); err != nil {
		return nil, err
	}
	s.changed(ctx, req.Community.ID)
	if on {
		return commands.Private(req.Loc.T("faq.auto_on", data)), nil
	}
	return commands.Private(req.Loc.T("faq.auto_off")), nil
}

// setThreshold is /faqgestion seuil: how sure a match must be, in percent,
// for an automatic answer.
func (s *service) setThreshold(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	v := req.Int("valeur", 0)
	if v < minThreshold || v > maxThreshold { // the runtime checked; a direct call may not have
		return nil, commands.Fail("faq.bad_threshold", locales.Data{"Min": minThreshold, "Max": maxThreshold})
	}
	if err := thresholdSetting.Set(ctx, s.store, req.Community.ID, strconv.Itoa(v), req.Now); err != nil {
		return nil, err
	}
	s.changed(ctx, req.Community.ID)
	return commands.Private(req.Loc.T("faq.threshold_set", locales.Data{"Threshold": v, "Default": thresholdSetting.Default})), nil
}

// statsTop is how many entries each ranking of /faqgestion stats shows.
const statsTop = 5

// stats is /faqgestion stats: what the FAQ answers, how well, and what
// waits for an answer.
func (s *service) stats(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	st, err := s.store.FAQStats(ctx, req.Community.ID, statsTop)
	if err != nil {
		return nil, err
	}
	f, err := s.faq(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	l := req.Loc
	lines := []markup.Text{
		l.T("faq.stats_title"),
		l.N("faq.stats_entries", st.Entries),
		l.N("faq.stats_asked", st.Asked),
		l.N("faq.stats_pending", st.Pending, locales.Data{"Answered": st.Answered}),
		l.T("faq.stats_opinions", locales.Data{"Helpful": st.Helpful, "Unhelpful": st.Unhelpful, "Ratio": ratio(l, st.Helpful, st.Unhelpful)}),
	}
	rank := func(titleID string, list []model.FAQEntryStats) {
		if len(list) == 0 {
			return
		}
		lines = append(lines, l.T(titleID))
		for i, es := range list {
			question := ""
			if e, ok := f.entry(es.EntryID); ok {
				question = cut(textFor(e, l.Lang()).Question, 80)
			}
			lines = append(lines, l.N("faq.stats_line", es.Asked, locales.Data{
				"Rank": i + 1, "ID": es.EntryID, "Question": question,
				"Helpful": es.Helpful, "Unhelpful": es.Unhelpful, "Ratio": ratio(l, es.Helpful, es.Unhelpful),
			}))
		}
	}
	rank("faq.stats_most_asked", st.MostAsked)
	rank("faq.stats_least_useful", st.LeastUseful)
	return commands.Private(markup.Join(lines, "\n")), nil
}

// ratio is the share of helpful opinions, "83 %", or a word when there is
// no opinion yet.
func ratio(l *locales.Localizer, helpful, unhelpful int) string {
	total := helpful + unhelpful
	if total == 0 {
		return l.S("faq.stats_no_opinion")
	}
	return l.S("faq.stats_percent", locales.Data{"Percent": (helpful*100 + total/2) / total})
}
