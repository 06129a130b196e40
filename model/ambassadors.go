package model

import "time"

// Ambassador application statuses, as stored. An application is the
// record of one ambassadorship: pending until a moderator decides, then
// approved (the member is an ambassador) or rejected; an approved one is
// revoked when the role is taken back. Withdrawn is an open application
// dropped when two accounts of one person, each with one, were linked.
const (
	ApplicationPending   = "pending"
	ApplicationApproved  = "approved"
	ApplicationRejected  = "rejected"
	ApplicationRevoked   = "revoked"
	ApplicationWithdrawn = "withdrawn"
)

// Application is a member's request to become an ambassador, and once
// approved, their ambassadorship.
type Application struct {
	ID          int64  `db:"id"`
	CommunityID int64  `db:"community_id"`
	MemberID    int64  `db:"member_id"`
	MemberName  string `db:"member_name"`
	// City is the city or region as the member wrote it; CityKey is its
	// folded form, which the directory compares.
	City         string `db:"city"`
	CityKey      string `db:"city_key"`
	Motivation   string `db:"motivation"`
	Availability string `db:"availability"`
	// Platform and PlatformUserID are the account the member applied
	// with, written to first; Locale is the language they applied in,
	// which the decision is told in.
	Platform       string     `db:"platform"`
	PlatformUserID string     `db:"platform_user_id"`
	Locale         string     `db:"locale"`
	Status         string     `db:"status"`
	CreatedAt      time.Time  `db:"created_at"`
	DecidedBy      int64      `db:"decided_by"` // 0 while pending, or when the moderator is gone
	DeciderName    string     `db:"decider_name"`
	DecidedAt      *time.Time `db:"decided_at"`
	// Reason is the latest decision's: why it was rejected or revoked.
	Reason string `db:"reason"`
}

// Open reports whether the application still counts as the member's one
// application: waiting for a decision, or an ambassadorship in force.
func (a Application) Open() bool {
	return a.Status == ApplicationPending || a.Status == ApplicationApproved
}

// AmbassadorDecision is one line of the decisions' history.
type AmbassadorDecision struct {
	ID            int64     `db:"id"`
	ApplicationID int64     `db:"application_id"`
	MemberName    string    `db:"member_name"`
	City          string    `db:"city"`
	Decision      string    `db:"decision"` // approved, rejected or revoked
	DecidedBy     int64     `db:"decided_by"`
	DeciderName   string    `db:"decider_name"`
	Reason        string    `db:"reason"`
	DecidedAt     time.Time `db:"decided_at"`
}

// Platform action kinds and statuses of an ambassadorship.
const (
	ActionGrant  = "grant"
	ActionRevoke = "revoke"

	ActionPending = "pending"
	ActionRunning = "running"
	ActionDone    = "done"
	ActionFailed  = "failed"
	ActionSkipped = "skipped"
)

// AmbassadorAction is what granting or revoking the role takes on one
// platform account of the ambassador: a Discord role, an invite link to
// the Telegram ambassadors' group, a removal from it. Each is recorded
// with its outcome, so a failure is reported and can be retried.
type AmbassadorAction struct {
	ID             int64  `db:"id"`
	ApplicationID  int64  `db:"application_id"`
	Kind           string `db:"kind"`
	Platform       string `db:"platform"`
	PlatformUserID string `db:"platform_user_id"`
	Status         string `db:"status"`
	// Reason is a short stable code the capability localizes; Detail is
	// the platform's own words, for the moderators who fix it.
	Reason    string    `db:"reason"`
	Detail    string    `db:"detail"`
	Attempts  int       `db:"attempts"`
	UpdatedAt time.Time `db:"updated_at"`
}

// The first steps of a new ambassador, in the order they are expected.
const (
	StepCharter         = "charter"
	StepIntroduce       = "introduce"
	StepMeetupAnnounced = "meetup_announced"
	StepMeetupAttended  = "meetup_attended"
)

// AmbassadorSteps lists the checklist in order.
var AmbassadorSteps = []string{StepCharter, StepIntroduce, StepMeetupAnnounced, StepMeetupAttended}

// AmbassadorStep is one checklist step an ambassador completed.
type AmbassadorStep struct {
	ApplicationID int64     `db:"application_id"`
	Step          string    `db:"step"`
	DoneAt        time.Time `db:"done_at"`
	MarkedBy      int64     `db:"marked_by"` // 0 when the ambassador did it, or Agora saw it
}

// WelcomeTexts are what a community's moderators wrote for newcomers;
// an empty text means the default one, in the reader's language.
type WelcomeTexts struct {
	Welcome string `db:"welcome_text"`
	Charter string `db:"charter"`
}
