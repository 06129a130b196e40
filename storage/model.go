package storage

import "github.com/agora-community/agora/model"

// The plain data types live in the leaf package model, so capabilities can
// use them without compiling in the drivers; these names keep storage's
// own code and its tests reading as before.
type (
	Community     = model.Community
	Chat          = model.Chat
	Member        = model.Member
	Identity      = model.Identity
	Poll          = model.Poll
	PollChoice    = model.PollChoice
	Ballot        = model.Ballot
	BallotRule    = model.BallotRule
	Questionnaire = model.Questionnaire
)

// Sentinel errors and stored values, from model.
var (
	ErrNotFound    = model.ErrNotFound
	ErrConflict    = model.ErrConflict
	ErrPollNotOpen = model.ErrPollNotOpen
)

const (
	PurposeGeneral       = model.PurposeGeneral
	PurposeAnnouncements = model.PurposeAnnouncements
	PurposeModeration    = model.PurposeModeration
	PurposeAmbassadors   = model.PurposeAmbassadors

	PollSingle   = model.PollSingle
	PollMultiple = model.PollMultiple
	PollRanked   = model.PollRanked
	PollOpen     = model.PollOpen
	PollClosed   = model.PollClosed
	PollDeleted  = model.PollDeleted
)
