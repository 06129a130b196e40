package model

import (
	"errors"
	"time"
)

// Meetup kinds, statuses and answers, as stored.
const (
	MeetupLocal    = "local"    // rencontre locale
	MeetupProducer = "producer" // visite de producteur
	MeetupStore    = "store"    // animation en magasin
	MeetupSocial   = "social"   // temps convivial
	MeetupOnline   = "online"   // en ligne

	MeetupScheduled = "scheduled"
	MeetupCancelled = "cancelled"

	RSVPYes     = "yes"
	RSVPMaybe   = "maybe"
	RSVPNo      = "no"
	RSVPWaiting = "waiting" // said yes when the meetup was full
)

// ErrMeetupClosed is returned when an answer arrives for a meetup that was
// cancelled, has started, or belongs to another community.
var ErrMeetupClosed = errors.New("meetup is not open for answers")

// Meetup is a gathering an ambassador announces.
type Meetup struct {
	ID          int64     `db:"id"`
	CommunityID int64     `db:"community_id"`
	AuthorID    int64     `db:"author_id"`
	Title       string    `db:"title"`
	Kind        string    `db:"kind"`
	Start       time.Time `db:"starts_at"`
	End         time.Time `db:"ends_at"`
	Place       string    `db:"place"` // an address, or a link for online meetups
	City        string    `db:"city"`  // as shown: "Lyon 7e"
	// CityKey is the city folded for comparison (places.FoldCity of the
	// commune: "lyon" for "Lyon 7e"), so listings filter on equality.
	CityKey     string   `db:"city_key"`
	Lat         *float64 `db:"lat"` // nil when the place is not in the gazetteer
	Lon         *float64 `db:"lon"`
	Capacity    int      `db:"capacity"` // 0: no limit
	Description string   `db:"description"`
	Status      string   `db:"status"`
	// Sequence counts the changes attendees should notice (iCalendar
	// SEQUENCE); it also names each change notice.
	Sequence     int        `db:"sequence"`
	Reminders    string     `db:"reminders"` // offsets scheduled, "24h,1h"
	CancelReason string     `db:"cancel_reason"`
	CreatedAt    time.Time  `db:"created_at"`
	UpdatedAt    time.Time  `db:"updated_at"`
	CancelledAt  *time.Time `db:"cancelled_at"`
}

// Duration is how long the meetup lasts.
func (m Meetup) Duration() time.Duration { return m.End.Sub(m.Start) }

// RSVPCounts are a meetup's answers, by kind.
type RSVPCounts struct {
	Yes, Maybe, No, Waiting int
}

// Attendee is a member's answer to a meetup, with the account they
// answered from: the platform to write to them on.
type Attendee struct {
	MemberID       int64     `db:"member_id"`
	Name           string    `db:"display_name"`
	Status         string    `db:"status"`
	Platform       string    `db:"platform"`
	PlatformUserID string    `db:"platform_user_id"`
	Locale         string    `db:"locale"`
	AnsweredAt     time.Time `db:"answered_at"`
}

// RSVPRule is what an answer must satisfy, checked in the transaction
// that stores it: the meetup is scheduled, of this community, not started.
type RSVPRule struct {
	MeetupID       int64
	CommunityID    int64
	MemberID       int64
	Platform       string // the account the member answered from
	PlatformUserID string
}

// RSVPChange is what an answer did.
type RSVPChange struct {
	Previous string // "" when the member had not answered
	Status   string // what was stored: RSVPWaiting when "yes" found the meetup full
	Position int    // place on the waiting list, from 1, when waiting
	Counts   RSVPCounts
	// Promoted are the members who left the waiting list for a seat that
	// this answer freed, in the order they had joined it.
	Promoted []Attendee
}

// PlatformEvent is a meetup as listed in one platform group's own events
// (a Discord server's scheduled event).
type PlatformEvent struct {
	MeetupID  int64  `db:"meetup_id"`
	Platform  string `db:"platform"`
	GroupID   string `db:"group_id"`
	EventID   string `db:"event_id"` // "" while being created, or when the platform has none
	Sequence  int    `db:"synced_sequence"`
	Cancelled bool   `db:"cancelled"`
	// Unsupported marks a group whose platform keeps no event list, so it
	// is not asked again.
	Unsupported bool      `db:"unsupported"`
	ClaimedAt   time.Time `db:"claimed_at"`
}

// JobAt is a job to schedule at a time; its payload is set.
type JobAt struct {
	Job JobRef
	At  time.Time
}

// JobPlan is what a change does to scheduled jobs, kept in the change's
// transaction: jobs scheduled (or moved, for one already scheduled under
// the same key) and jobs cancelled.
type JobPlan struct {
	Schedule []JobAt
	Cancel   []JobRef
}
