package model

import (
	"errors"
	"time"
)

// Poll kinds and statuses, as stored.
const (
	PollSingle   = "single"
	PollMultiple = "multiple"
	PollRanked   = "ranked"

	PollOpen    = "open"
	PollClosed  = "closed"
	PollDeleted = "deleted"
)

// ErrPollNotOpen is returned when a ballot arrives for a poll that is no
// longer open (closed or deleted meanwhile).
var ErrPollNotOpen = errors.New("poll is not open")

// Poll is a question put to a community.
type Poll struct {
	ID              int64  `db:"id"`
	CommunityID     int64  `db:"community_id"`
	AuthorID        int64  `db:"author_id"`
	QuestionnaireID int64  `db:"questionnaire_id"`
	Question        string `db:"question"`
	Kind            string `db:"kind"`
	MaxChoices      int    `db:"max_choices"`
	Anonymous       bool   `db:"anonymous"`
	Live            bool   `db:"live"`
	Quorum          int    `db:"quorum"`
	VoterRole       string `db:"voter_role"`
	// VoterRank is VoterRole's rank as the capability orders roles: the
	// ballot statement compares it with the voter's.
	VoterRank int `db:"voter_rank"`
	// Audience names the chats the poll is posted to, as the capability
	// names them; empty is its default.
	Audience  string     `db:"audience"`
	Deadline  *time.Time `db:"deadline"`
	Status    string     `db:"status"`
	ClosedAt  *time.Time `db:"closed_at"`
	CreatedAt time.Time  `db:"created_at"`

	Choices []PollChoice `db:"-"`
}

// PollChoice is one answer a poll offers; PriceCents is its effect on a
// questionnaire's price.
type PollChoice struct {
	Position   int    `db:"position"`
	Label      string `db:"label"`
	PriceCents int64  `db:"price_cents"`
}

// Ballot is one member's answer: choice positions, in rank order for
// ranked polls.
type Ballot struct {
	MemberID int64
	Name     string
	Choices  []int
}

// BallotRule is what a ballot must satisfy to count, checked by the same
// statement that stores it: the poll is open, in the voter's community,
// of the expected kind, before its deadline, and the voter's role is high
// enough (0 member, 1 ambassador, 2 moderator).
type BallotRule struct {
	PollID      int64
	CommunityID int64
	MemberID    int64
	Role        int
	Kind        string
}

// Questionnaire groups polls into one product specification.
type Questionnaire struct {
	ID          int64  `db:"id"`
	CommunityID int64  `db:"community_id"`
	AuthorID    int64  `db:"author_id"`
	Title       string `db:"title"`
	BaseCents   int64  `db:"base_cents"`
}
