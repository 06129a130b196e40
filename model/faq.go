package model

import "time"

// FAQText is one language's version of a FAQ entry, as moderators wrote it.
// Answer is neutral markup (the FAQ's own formatting); Question, Phrasings
// and Tags are plain text.
type FAQText struct {
	Lang      string
	Question  string
	Phrasings []string
	Tags      []string
	Answer    string
}

// FAQEntry is one question of a community's FAQ, in one or more languages
// (French first; an English version is optional).
type FAQEntry struct {
	ID          int64
	CommunityID int64
	Texts       []FAQText // at most one per language, French first
	AskedCount  int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Version returns the text in lang, if the entry has one.
func (e FAQEntry) Version(lang string) (FAQText, bool) {
	for _, t := range e.Texts {
		if t.Lang == lang {
			return t, true
		}
	}
	return FAQText{}, false
}

// FAQ question statuses, as stored.
const (
	FAQPending   = "pending"
	FAQAnswered  = "answered"
	FAQDismissed = "dismissed"
)

// FAQQuestion is a member's question the FAQ had no answer to, queued for
// the moderators. Platform and PlatformUserID are the account the member
// asked from, so Agora can tell them the answer there.
type FAQQuestion struct {
	ID             int64
	CommunityID    int64
	MemberID       int64
	MemberName     string
	ChatID         int64 // Agora's chat where it was asked; 0 when that chat is gone
	Platform       string
	PlatformUserID string
	Lang           string // the member's language when asking
	Question       string
	// Normalized is the question's analyzed form (search.Normalize): the
	// same question asked again joins the one already queued.
	Normalized string
	Status     string
	EntryID    int64 // the entry that answers it, once answered
	AskedAt    time.Time
	AnsweredAt *time.Time
}

// FAQAnswer is how moderators answer a queued question: with a new entry,
// or with an existing one (adding the question to its phrasings in Lang
// when Phrasing is set).
type FAQAnswer struct {
	NewEntry *FAQEntry
	EntryID  int64
	Lang     string
	Phrasing string
}

// FAQEntryStats is how an entry is used: how often it was given as an
// answer and what members said of it.
type FAQEntryStats struct {
	EntryID   int64
	Asked     int
	Helpful   int
	Unhelpful int
}

// FAQStats sums up a community's FAQ for its moderators.
type FAQStats struct {
	Entries     int
	Asked       int
	Helpful     int
	Unhelpful   int
	Pending     int // unanswered questions waiting in the queue
	Answered    int // queued questions the moderators answered
	MostAsked   []FAQEntryStats
	LeastUseful []FAQEntryStats
}
