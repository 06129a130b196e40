// Package faq is /faq and /faqgestion: moderators curate the community's
// questions and answers, members ask in their own words and get the best
// entry at once, Agora answers questions in chats where moderators switched
// it on, and queues what it could not answer so the moderators can add it.
//
// The search itself is commands/faq/search; this package keeps one index
// per community in memory, rebuilt after any change in any process (the
// Notifier's "faq" topic carries the community's ID).
package faq

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/faq/search"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// Limits on what moderators write and members ask. An answer fits a
// Discord message split in two at most; a question fits a button label
// once cut, and a Telegram inline result title.
const (
	MaxAsk       = 500
	MaxQuestion  = 300
	MaxPhrasing  = 300
	MaxPhrasings = 20
	MaxTag       = 50
	MaxTags      = 20
	MaxAnswer    = 3000
	// MaxImportBytes bounds an import file; MaxImportEntries the entries in it.
	MaxImportBytes   = 1 << 20
	MaxImportEntries = 2000
	// MaxChatImport is what a form field holds (a Discord modal's 4,000
	// characters): a larger FAQ is imported with the command line.
	MaxChatImport = 4000
	// maxAutoText skips long messages: a wall of text is a discussion,
	// not a question to answer automatically.
	maxAutoText = 500
	// others is how many close entries an answer offers besides the best one.
	others = 2
)

// Store is what the FAQ reads and writes; storage.Store implements it.
type Store interface {
	commands.SettingStore
	Community(ctx context.Context, id int64) (model.Community, error)
	Chat(ctx context.Context, id int64) (model.Chat, error)

	FAQEntries(ctx context.Context, communityID int64) ([]model.FAQEntry, error)
	FAQEntry(ctx context.Context, id int64) (model.FAQEntry, error)
	CreateFAQEntry(ctx context.Context, e *model.FAQEntry, now time.Time) error
	SaveFAQText(ctx context.Context, communityID, entryID int64, t model.FAQText, now time.Time) error
	DeleteFAQText(ctx context.Context, communityID, entryID int64, lang string, now time.Time) error
	DeleteFAQEntry(ctx context.Context, communityID, entryID int64) error
	ImportFAQ(ctx context.Context, communityID int64, entries []model.FAQEntry, now time.Time) error

	CountFAQAsked(ctx context.Context, entryID int64) error
	VoteFAQ(ctx context.Context, entryID, memberID int64, helpful bool, now time.Time) error
	FAQStats(ctx context.Context, communityID int64, top int) (model.FAQStats, error)

	SetFAQAuto(ctx context.Context, chatID int64, on bool) error
	FAQAutoChats(ctx context.Context, communityID int64) ([]int64, error)
	ClaimFAQAutoAnswer(ctx context.Context, chatID, entryID int64, now time.Time, chatGap, entryCooldown time.Duration) (bool, error)

	QueueFAQQuestion(ctx context.Context, q *model.FAQQuestion) (joined bool, err error)
	FAQQuestion(ctx context.Context, id int64) (model.FAQQuestion, error)
	PendingFAQQuestions(ctx context.Context, communityID int64, limit int) ([]model.FAQQuestion, int, error)
	AnswerFAQQuestion(ctx context.Context, communityID, questionID int64, a model.FAQAnswer, now time.Time) ([]model.FAQQuestion, error)
	DismissFAQQuestion(ctx context.Context, communityID, questionID int64, now time.Time) (int, error)
	MergeFAQMembers(ctx context.Context, into, from int64) error
}

// Options tune automatic answers; zero values take the defaults.
type Options struct {
	// AutoChatGap is the least time between two automatic answers in one
	// chat, so a busy chat is not flooded.
	AutoChatGap time.Duration
	// AutoEntryCooldown is the least time before one entry is given again
	// automatically in one chat: who missed it can scroll up or ask /faq.
	AutoEntryCooldown time.Duration
}

// Default automatic answer spacing.
const (
	DefaultAutoChatGap       = time.Minute
	DefaultAutoEntryCooldown = 30 * time.Minute
)

// thresholdSetting is the confidence, in percent, a match needs before
// Agora answers a chat message on its own. The default is the search's
// AnswerThreshold, calibrated on the labelled questions.
var thresholdSetting = commands.Setting{Key: "faq.threshold", Default: strconv.Itoa(int(search.AnswerThreshold * 100))}

// Threshold bounds, in percent: below the search's MatchThreshold a match
// is noise, so automatic answers would be mostly wrong.
const (
	minThreshold = int(search.MatchThreshold * 100)
	maxThreshold = 100
)

// notifyTopic is the Notifier topic of FAQ changes; the payload is the
// community's ID.
const notifyTopic = "faq"

type service struct {
	store     Store
	messenger commands.Messenger
	outbox    commands.Outbox
	notifier  commands.Notifier
	clock     commands.Clock
	log       *slog.Logger
	catalog   *locales.Catalog
	opts      Options
	indexes   *indexCache
}

// New builds the capability.
func New(deps commands.Deps, store Store) commands.Module {
	return NewWithOptions(deps, store, Options{})
}

// NewWithOptions builds the capability with tuned automatic answers.
func NewWithOptions(deps commands.Deps, store Store, opts Options) commands.Module {
	return newService(deps, store, opts).module()
}

func newService(deps commands.Deps, store Store, opts Options) *service {
	log := deps.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.AutoChatGap <= 0 {
		opts.AutoChatGap = DefaultAutoChatGap
	}
	if opts.AutoEntryCooldown <= 0 {
		opts.AutoEntryCooldown = DefaultAutoEntryCooldown
	}
	s := &service{store: store, messenger: deps.Messenger, outbox: deps.Outbox, notifier: deps.Notifier, clock: deps.Clock, log: log, opts: opts}
	if deps.Registry != nil {
		s.catalog = deps.Registry.Catalog()
	}
	s.indexes = newIndexCache(s.load)
	if deps.Notifier != nil {
		deps.Notifier.Subscribe(notifyTopic, s.heard)
	}
	return s
}

func (s *service) module() commands.Module {
	return commands.Module{
		Name:         "faq",
		Specs:        []*commands.Spec{s.askSpec(), s.adminSpec()},
		Events:       map[string]commands.Handler{commands.EventMessage: s.onMessage},
		Posts:        map[string]commands.PostRenderer{questionKind: s.renderQuestion},
		Settings:     []commands.Setting{thresholdSetting},
		MergeMembers: s.store.MergeFAQMembers,
		CLI:          map[string]commands.CLICommand{"faq": {UsageID: "faq.cli_usage", Run: s.cli}},
	}
}

var languages = []commands.Choice{
	{Value: "fr", NameID: "faq.lang.fr"},
	{Value: "en", NameID: "faq.lang.en"},
}

// langName names a language code in a sentence ("anglais", "English"):
// "Version en ajoutée" would read as the preposition "en".
func langName(l *locales.Localizer, lang string) string {
	for _, c := range languages {
		if c.Value == lang {
			return l.S(c.NameID)
		}
	}
	return lang
}

// supportedLang reports whether entries may be written in lang.
func supportedLang(lang string) bool {
	for _, c := range languages {
		if c.Value == lang {
			return true
		}
	}
	return false
}

func (s *service) askSpec() *commands.Spec {
	return &commands.Spec{
		Name:         "faq",
		UsageID:      "faq.usage",
		Handle:       s.ask,
		Autocomplete: s.suggestQuestions,
		ActionPrefix: "faq",
		HandleAction: s.memberAction,
		Options: []commands.Option{
			{Name: "question", Type: commands.OptionString, Required: true, MaxLength: MaxAsk, Autocomplete: true},
		},
	}
}

func entryOption(required bool) commands.Option {
	return commands.Option{Name: "entree", Type: commands.OptionString, Required: required, MaxLength: 20, Autocomplete: true}
}

func langOption() commands.Option {
	return commands.Option{Name: "langue", Type: commands.OptionString, Choices: languages}
}

// textOptions are the parts of an entry's text, as options.
func textOptions() []commands.Option {
	return []commands.Option{
		{Name: "question", Type: commands.OptionString, MaxLength: MaxQuestion},
		{Name: "reponse", Type: commands.OptionString, MaxLength: MaxAnswer},
		{Name: "formulations", Type: commands.OptionString, MaxLength: MaxPhrasings * (MaxPhrasing + 3)},
		{Name: "tags", Type: commands.OptionString, MaxLength: MaxTags * (MaxTag + 2)},
	}
}

func (s *service) adminSpec() *commands.Spec {
	questionOption := commands.Option{Name: "demande", Type: commands.OptionString, Required: true, MaxLength: 20, Autocomplete: true}
	return &commands.Spec{
		Name:         "faqgestion",
		UsageID:      "faq.admin_usage",
		Permission:   commands.RoleModerator,
		ActionPrefix: "faqg",
		HandleAction: s.adminAction,
		Subcommands: []*commands.Spec{
			{Name: "ajouter", Handle: s.add, Options: append(textOptions(), langOption())},
			{Name: "modifier", Handle: s.edit, Autocomplete: s.suggestAdmin, Options: append([]commands.Option{entryOption(true)}, append(textOptions(), langOption())...)},
			{Name: "supprimer", Handle: s.delete, Autocomplete: s.suggestAdmin, Options: []commands.Option{entryOption(true), langOption()}},
			{Name: "voir", Handle: s.show, Autocomplete: s.suggestAdmin, Options: []commands.Option{entryOption(true)}},
			{Name: "liste", Handle: s.list, Options: []commands.Option{{Name: "page", Type: commands.OptionInteger, Min: 1, Max: 1000}}},
			{Name: "file", Handle: s.queue},
			{Name: "repondre", Handle: s.answerQuestion, Autocomplete: s.suggestAdmin, Options: []commands.Option{
				questionOption,
				{Name: "reponse", Type: commands.OptionString, MaxLength: MaxAnswer},
				{Name: "comme", Type: commands.OptionString, MaxLength: 20, Autocomplete: true},
				{Name: "intitule", Type: commands.OptionString, MaxLength: MaxQuestion},
			}},
			{Name: "ecarter", Handle: s.dismiss, Autocomplete: s.suggestAdmin, Options: []commands.Option{questionOption}},
			{Name: "stats", Handle: s.stats},
			{Name: "exporter", Handle: s.exportCommand},
			{Name: "importer", Handle: s.importCommand, Options: []commands.Option{{Name: "fichier", Type: commands.OptionAttachment}}},
			{Name: "auto", Handle: s.auto, Options: []commands.Option{{Name: "actif", Type: commands.OptionBoolean}}},
			{Name: "seuil", Handle: s.setThreshold, Options: []commands.Option{
				{Name: "valeur", Type: commands.OptionInteger, Required: true, Min: minThreshold, Max: maxThreshold},
			}},
		},
	}
}

// changed rebuilds the community's index here and in every other process.
func (s *service) changed(ctx context.Context, communityID int64) {
	if s.notifier == nil {
		s.indexes.forget(communityID)
		return
	}
	// Notify calls this process's subscriber before anything can fail,
	// so the local index is fresh even when the others miss the news;
	// they reload after their connection comes back.
	if err := s.notifier.Notify(ctx, notifyTopic, strconv.FormatInt(communityID, 10)); err != nil {
		s.log.Warn("tell other processes the FAQ changed", "community", communityID, "error", err)
		s.indexes.forget(communityID)
	}
}

// heard is the Notifier's subscriber: the payload names the community
// whose FAQ changed; an empty or unreadable one means "reload everything".
func (s *service) heard(payload string) {
	id, err := strconv.ParseInt(payload, 10, 64)
	if payload == "" || err != nil {
		s.indexes.forgetAll()
		return
	}
	s.indexes.forget(id)
}

// textFor picks the version of an entry a member reads: theirs, else the
// French one (the reference), else whichever there is.
func textFor(e model.FAQEntry, lang string) model.FAQText {
	if t, ok := e.Version(lang); ok {
		return t
	}
	if t, ok := e.Version("fr"); ok {
		return t
	}
	if len(e.Texts) > 0 {
		return e.Texts[0]
	}
	return model.FAQText{}
}

// mainText is the entry's reference version: French when it has one.
func mainText(e model.FAQEntry) model.FAQText { return textFor(e, "fr") }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// cut shortens text to n characters, with "…" when cut.
func cut(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// cutBytes shortens text to n bytes on a character boundary, for values
// a platform limits in bytes (a Discord autocomplete value: 100).
func cutBytes(text string, n int) string {
	if len(text) <= n {
		return text
	}
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	return text[:n]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// oneLine collapses every run of spaces and line breaks into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// localizer speaks lang (or the community's language) in the community's
// time zone, for messages Agora sends on its own. Deps may come without a
// clock; a zero time dates by the machine's.
func (s *service) localizer(c model.Community, lang string) *locales.Localizer {
	var now time.Time
	if s.clock != nil {
		now = s.clock.Now()
	}
	return commands.CommunityLocalizer(s.catalog, c, now, lang)
}
