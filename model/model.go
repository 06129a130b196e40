// Package model holds the plain data Agora stores: communities, chats,
// members, polls. It is a leaf: capabilities use these types without
// compiling in the database drivers, and storage reads and writes them.
package model

import (
	"errors"
	"time"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a uniqueness rule refuses a write.
var ErrConflict = errors.New("conflict")

// Community is a group of people Agora serves, across its chats.
type Community struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	Locale    string    `db:"locale"`
	Timezone  string    `db:"timezone"`
	CreatedAt time.Time `db:"created_at"`
}

// Chat purposes.
const (
	PurposeGeneral       = "general"
	PurposeAnnouncements = "announcements"
	PurposeModeration    = "moderation"
	PurposeAmbassadors   = "ambassadors"
)

// Chat is one conversation on one platform that belongs to a community.
type Chat struct {
	ID              int64     `db:"id"`
	CommunityID     int64     `db:"community_id"`
	Platform        string    `db:"platform"`
	PlatformGroupID string    `db:"platform_group_id"`
	PlatformChatID  string    `db:"platform_chat_id"`
	Title           string    `db:"title"`
	Purpose         string    `db:"purpose"`
	CreatedAt       time.Time `db:"created_at"`
}

// Member is a person, with their role in one community.
type Member struct {
	ID          int64  `db:"id"`
	DisplayName string `db:"display_name"`
	Locale      string `db:"locale"`
	Role        string `db:"role"` // member, ambassador or moderator, in the community asked about
}

// Identity is one platform account of a member.
type Identity struct {
	Platform       string `db:"platform"`
	PlatformUserID string `db:"platform_user_id"`
	MemberID       int64  `db:"member_id"`
	DisplayName    string `db:"display_name"`
}

// JobRef names scheduled work that a capability asks storage to keep with
// a state change, in the same transaction. Storage stores it without
// knowing what it means; the capability's job handler for Kind runs it.
// One job exists per Kind and Payload: scheduling it again moves it.
type JobRef struct {
	Kind    string
	Payload string
}

// Key is the job's dedupe key.
func (j JobRef) Key() string { return j.Kind + "/" + j.Payload }

// Outbox post states.
const (
	PostPending = "pending"
	PostSending = "sending"
	PostSent    = "sent"
	PostFailed  = "failed"
	PostDoubt   = "doubt"
	PostDeleted = "deleted"
)

// OutboxPost is one chat's copy of something a capability posts (a poll,
// a meetup announcement), with the chat it goes to.
type OutboxPost struct {
	Subject        string `db:"subject"`
	ChatID         int64  `db:"chat_id"`
	Platform       string `db:"platform"`
	PlatformChatID string `db:"platform_chat_id"`
	State          string `db:"state"`
	MessageRef     string `db:"message_ref"`
	Attempts       int    `db:"attempts"`
}

// Link code kinds.
const (
	LinkChat    = "chat"
	LinkAccount = "account"
)

// LinkCode is a one-time code that links a chat to a community, or an
// account to a person.
type LinkCode struct {
	Code        string    `db:"code"`
	Kind        string    `db:"kind"`
	CommunityID int64     `db:"community_id"`
	MemberID    int64     `db:"member_id"`
	ExpiresAt   time.Time `db:"expires_at"`
}
