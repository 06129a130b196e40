package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/jmoiron/sqlx"
)

const pollColumns = `p.id, p.community_id, COALESCE(p.author_id, 0) AS author_id,
	COALESCE(p.questionnaire_id, 0) AS questionnaire_id, p.question, p.kind, p.max_choices, p.anonymous,
	p.live, p.quorum, p.voter_role, p.voter_rank, p.audience, p.deadline, p.status, p.closed_at, p.created_at`

// CreatePoll stores a poll with its choices and, in the same transaction,
// the jobs that publish it now and close it at its deadline, so a crash
// right after creation still gets it posted and closed. The jobs' payload
// is the poll's ID.
func (s *Store) CreatePoll(ctx context.Context, p *Poll, now time.Time, publish, closing model.JobRef) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		var author, questionnaire any
		if p.AuthorID != 0 {
			author = p.AuthorID
		}
		if p.QuestionnaireID != 0 {
			questionnaire = p.QuestionnaireID
		}
		var deadline any
		if p.Deadline != nil {
			deadline = p.Deadline.UTC()
		}
		err := tx.GetContext(ctx, &p.ID, `INSERT INTO polls (community_id, author_id, questionnaire_id, question, kind,
			max_choices, anonymous, live, quorum, voter_role, voter_rank, audience, deadline, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
			p.CommunityID, author, questionnaire, p.Question, p.Kind, p.MaxChoices, p.Anonymous, p.Live,
			p.Quorum, p.VoterRole, p.VoterRank, p.Audience, deadline, now.UTC())
		if err != nil {
			return fmt.Errorf("create poll: %w", err)
		}
		for i, c := range p.Choices {
			if _, err := tx.ExecContext(ctx, `INSERT INTO poll_choices (poll_id, position, label, price_cents) VALUES ($1, $2, $3, $4)`,
				p.ID, i, c.Label, c.PriceCents); err != nil {
				return fmt.Errorf("create choice %d of poll %d: %w", i, p.ID, err)
			}
			p.Choices[i].Position = i
		}
		p.Status, p.CreatedAt = PollOpen, now
		id := strconv.FormatInt(p.ID, 10)
		publish.Payload, closing.Payload = id, id
		if err := s.scheduleRef(ctx, tx, publish, now); err != nil {
			return err
		}
		if p.Deadline != nil {
			if err := s.scheduleRef(ctx, tx, closing, *p.Deadline); err != nil {
				return err
			}
		}
		return nil
	})
}

// Poll loads a poll with its choices.
func (s *Store) Poll(ctx context.Context, id int64) (Poll, error) {
	var p Poll
	if err := s.db.GetContext(ctx, &p, `SELECT `+pollColumns+` FROM polls p WHERE p.id = $1`, id); err != nil {
		return Poll{}, fmt.Errorf("load poll %d: %w", id, notFound(err))
	}
	if err := s.db.SelectContext(ctx, &p.Choices, `SELECT position, label, price_cents FROM poll_choices WHERE poll_id = $1 ORDER BY position`, id); err != nil {
		return Poll{}, fmt.Errorf("load choices of poll %d: %w", id, err)
	}
	return p, nil
}

// OpenPolls lists a community's open polls, newest first.
func (s *Store) OpenPolls(ctx context.Context, communityID int64) ([]Poll, error) {
	var polls []Poll
	err := s.db.SelectContext(ctx, &polls, `SELECT `+pollColumns+` FROM polls p
		WHERE p.community_id = $1 AND p.status = 'open' ORDER BY p.id DESC`, communityID)
	if err != nil {
		return nil, fmt.Errorf("list open polls of community %d: %w", communityID, err)
	}
	return polls, nil
}

// ClosedPolls lists up to limit of a community's closed polls, the most
// recently closed first.
func (s *Store) ClosedPolls(ctx context.Context, communityID int64, limit int) ([]Poll, error) {
	var polls []Poll
	err := s.db.SelectContext(ctx, &polls, `SELECT `+pollColumns+` FROM polls p
		WHERE p.community_id = $1 AND p.status = 'closed' ORDER BY p.closed_at DESC, p.id DESC LIMIT $2`, communityID, limit)
	if err != nil {
		return nil, fmt.Errorf("list closed polls of community %d: %w", communityID, err)
	}
	return polls, nil
}

func encodeChoices(choices []int) string {
	parts := make([]string, len(choices))
	for i, c := range choices {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ",")
}

func decodeChoices(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("stored ballot %q: %w", s, err)
		}
		out[i] = n
	}
	return out, nil
}

// castBallotSQL is the whole vote in one statement: it writes only when the
// rule holds, and a second ballot of the same person replaces the first
// (revision tells the member it did).
const castBallotSQL = `INSERT INTO poll_ballots (poll_id, member_id, choices, cast_at)
	SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM polls WHERE id = $1 AND status = 'open'
		AND community_id = $5 AND kind = $6 AND (deadline IS NULL OR deadline > $4)
		AND voter_rank <= $7)
	ON CONFLICT (poll_id, member_id) DO UPDATE SET choices = excluded.choices, cast_at = excluded.cast_at,
		revision = poll_ballots.revision + 1
	RETURNING revision`

// CastBallot stores a member's ballot, replacing any earlier one, and
// reports whether it replaced one. It returns ErrPollNotOpen when the rule
// does not hold; the caller loads the poll to tell the member why.
// Concurrent ballots are grouped into one statement on PostgreSQL (see
// ballotGroups); each call still returns once its own ballot is stored.
func (s *Store) CastBallot(ctx context.Context, rule BallotRule, choices []int, now time.Time) (replaced bool, err error) {
	return s.ballots.cast(ctx, rule, choices, now)
}

// castBallot is the one statement that stores a single ballot.
func (s *Store) castBallot(ctx context.Context, q sqlx.QueryerContext, r BallotRule, choices string, now time.Time) (bool, error) {
	var revision int
	err := sqlx.GetContext(ctx, q, &revision, castBallotSQL, r.PollID, r.MemberID, choices, now.UTC(),
		r.CommunityID, r.Kind, r.Role)
	if err != nil {
		if errors.Is(notFound(err), ErrNotFound) {
			return false, ErrPollNotOpen
		}
		return false, fmt.Errorf("cast ballot of member %d on poll %d: %w", r.MemberID, r.PollID, err)
	}
	return revision > 1, nil
}

// CastBallotSQL is the statement CastBallot runs, for the benchmark that
// compares the whole vote path with the bare SQL. Its arguments: poll,
// member, choices ("0,2"), time, community, kind, role rank.
func CastBallotSQL() string { return castBallotSQL }

// UpdateBallot changes a member's ballot from its current choices (nil if
// none) with change, in one transaction: how buttons toggle choices of
// multiple-choice and ranked polls. An empty result withdraws the ballot.
func (s *Store) UpdateBallot(ctx context.Context, rule BallotRule, now time.Time, change func(old []int) ([]int, error)) (existed bool, choices []int, err error) {
	pollID, memberID := rule.PollID, rule.MemberID
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		var raw string
		err := tx.GetContext(ctx, &raw, `SELECT choices FROM poll_ballots WHERE poll_id = $1 AND member_id = $2`+lock, pollID, memberID)
		if err != nil && !errors.Is(notFound(err), ErrNotFound) {
			return fmt.Errorf("read ballot of member %d on poll %d: %w", memberID, pollID, err)
		}
		existed = err == nil
		old, err := decodeChoices(raw)
		if err != nil {
			return err
		}
		choices, err = change(old)
		if err != nil {
			return err
		}
		if len(choices) == 0 {
			// Withdrawing follows the same rule as voting, checked here
			// since no ballot statement runs.
			var open bool
			if err := tx.GetContext(ctx, &open, `SELECT EXISTS (SELECT 1 FROM polls WHERE id = $1 AND status = 'open'
				AND community_id = $2 AND kind = $3 AND (deadline IS NULL OR deadline > $4))`,
				pollID, rule.CommunityID, rule.Kind, now.UTC()); err != nil {
				return fmt.Errorf("check poll %d: %w", pollID, notFound(err))
			}
			if !open {
				return ErrPollNotOpen
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM poll_ballots WHERE poll_id = $1 AND member_id = $2`, pollID, memberID); err != nil {
				return fmt.Errorf("withdraw ballot of member %d on poll %d: %w", memberID, pollID, err)
			}
			return nil
		}
		_, err = s.castBallot(ctx, tx, rule, encodeChoices(choices), now)
		return err
	})
	return existed, choices, err
}

// Ballots lists a poll's ballots with the voters' names, oldest first.
func (s *Store) Ballots(ctx context.Context, pollID int64) ([]Ballot, error) {
	var rows []struct {
		MemberID int64  `db:"member_id"`
		Name     string `db:"display_name"`
		Choices  string `db:"choices"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT b.member_id, m.display_name, b.choices
		FROM poll_ballots b JOIN members m ON m.id = b.member_id WHERE b.poll_id = $1 ORDER BY b.cast_at, b.member_id`, pollID)
	if err != nil {
		return nil, fmt.Errorf("list ballots of poll %d: %w", pollID, err)
	}
	out := make([]Ballot, len(rows))
	for i, r := range rows {
		choices, err := decodeChoices(r.Choices)
		if err != nil {
			return nil, fmt.Errorf("list ballots of poll %d: %w", pollID, err)
		}
		out[i] = Ballot{MemberID: r.MemberID, Name: r.Name, Choices: choices}
	}
	return out, nil
}

// ClosePoll closes an open poll and schedules, in the same transaction, the
// job that announces its result everywhere it was posted (payload: the
// poll's ID). It returns false when the poll was not open.
func (s *Store) ClosePoll(ctx context.Context, id int64, now time.Time, announce model.JobRef) (bool, error) {
	closed := false
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE polls SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'open'`, id, now.UTC())
		if err != nil {
			return fmt.Errorf("close poll %d: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		closed = true
		announce.Payload = strconv.FormatInt(id, 10)
		return s.scheduleRef(ctx, tx, announce, now)
	})
	return closed, err
}

// ReopenPoll opens a closed poll again until its deadline, when the closing
// job runs again.
func (s *Store) ReopenPoll(ctx context.Context, id int64, closing model.JobRef) (bool, error) {
	reopened := false
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		var deadline *time.Time
		err := tx.GetContext(ctx, &deadline, `UPDATE polls SET status = 'open', closed_at = NULL WHERE id = $1 AND status = 'closed' RETURNING deadline`, id)
		if errors.Is(notFound(err), ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reopen poll %d: %w", id, err)
		}
		reopened = true
		closing.Payload = strconv.FormatInt(id, 10)
		if deadline == nil {
			return s.CancelJob(ctx, tx, closing.Key())
		}
		return s.scheduleRef(ctx, tx, closing, *deadline)
	})
	return reopened, err
}

// DeletePoll hides a poll for good and cancels its pending jobs; its
// ballots stay until the community is deleted, but nothing shows or counts
// them any more.
func (s *Store) DeletePoll(ctx context.Context, id int64, pending ...model.JobRef) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE polls SET status = 'deleted' WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete poll %d: %w", id, err)
		}
		for _, j := range pending {
			j.Payload = strconv.FormatInt(id, 10)
			if err := s.CancelJob(ctx, tx, j.Key()); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreateQuestionnaire stores a questionnaire.
func (s *Store) CreateQuestionnaire(ctx context.Context, q *Questionnaire, authorID int64) error {
	err := s.db.GetContext(ctx, &q.ID, `INSERT INTO questionnaires (community_id, author_id, title, base_cents) VALUES ($1, $2, $3, $4) RETURNING id`,
		q.CommunityID, authorID, q.Title, q.BaseCents)
	if err != nil {
		return fmt.Errorf("create questionnaire: %w", err)
	}
	return nil
}

// Questionnaire loads a questionnaire.
func (s *Store) Questionnaire(ctx context.Context, id int64) (Questionnaire, error) {
	var q Questionnaire
	if err := s.db.GetContext(ctx, &q, `SELECT `+questionnaireColumns+` FROM questionnaires WHERE id = $1`, id); err != nil {
		return Questionnaire{}, fmt.Errorf("load questionnaire %d: %w", id, notFound(err))
	}
	return q, nil
}

const questionnaireColumns = `id, community_id, COALESCE(author_id, 0) AS author_id, title, base_cents`

// Questionnaires lists up to limit of a community's questionnaires, the
// newest first.
func (s *Store) Questionnaires(ctx context.Context, communityID int64, limit int) ([]Questionnaire, error) {
	var out []Questionnaire
	if err := s.db.SelectContext(ctx, &out, `SELECT `+questionnaireColumns+` FROM questionnaires
		WHERE community_id = $1 ORDER BY id DESC LIMIT $2`, communityID, limit); err != nil {
		return nil, fmt.Errorf("list questionnaires of community %d: %w", communityID, err)
	}
	return out, nil
}

// QuestionnairePolls lists the polls of a questionnaire that were not
// deleted, in the order they were added, with their choices.
func (s *Store) QuestionnairePolls(ctx context.Context, id int64) ([]Poll, error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM polls WHERE questionnaire_id = $1 AND status <> 'deleted' ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("list polls of questionnaire %d: %w", id, err)
	}
	polls := make([]Poll, 0, len(ids))
	for _, pid := range ids {
		p, err := s.Poll(ctx, pid)
		if err != nil {
			return nil, err
		}
		polls = append(polls, p)
	}
	return polls, nil
}

// QuestionnairePollsOf lists the polls of several questionnaires at once,
// as QuestionnairePolls lists each one's: every id given gets an entry
// (an empty list for a questionnaire without polls, or unknown), its polls
// not deleted, in the order they were added, with their choices. It reads
// the polls in one query and their choices in another (per batch of ids
// on SQLite; see idBatches).
func (s *Store) QuestionnairePollsOf(ctx context.Context, ids []int64) (map[int64][]Poll, error) {
	out := make(map[int64][]Poll, len(ids))
	for _, id := range ids {
		out[id] = []Poll{}
	}
	for _, batch := range s.idBatches(ids) {
		in, args := s.inIDs("p.questionnaire_id", batch)
		var polls []Poll
		if err := s.db.SelectContext(ctx, &polls, `SELECT `+pollColumns+` FROM polls p
			WHERE `+in+` AND p.status <> 'deleted' ORDER BY p.id`, args...); err != nil {
			return nil, fmt.Errorf("list polls of %d questionnaires: %w", len(batch), err)
		}
		if len(polls) == 0 {
			continue
		}
		// The choices of every poll of these questionnaires, deleted or not:
		// a poll deleted between the two queries still gets its choices, as
		// QuestionnairePolls loads each poll listed whatever its status.
		var choices []struct {
			PollID int64 `db:"poll_id"`
			PollChoice
		}
		if err := s.db.SelectContext(ctx, &choices, `SELECT c.poll_id, c.position, c.label, c.price_cents
			FROM poll_choices c JOIN polls p ON p.id = c.poll_id
			WHERE `+in+` ORDER BY c.poll_id, c.position`, args...); err != nil {
			return nil, fmt.Errorf("load choices of the polls of %d questionnaires: %w", len(batch), err)
		}
		byPoll := make(map[int64][]PollChoice, len(polls))
		for _, c := range choices {
			byPoll[c.PollID] = append(byPoll[c.PollID], c.PollChoice)
		}
		for _, p := range polls {
			p.Choices = byPoll[p.ID]
			out[p.QuestionnaireID] = append(out[p.QuestionnaireID], p)
		}
	}
	return out, nil
}

// MergePollBallots moves member from's ballots, polls and questionnaires
// to member into, when a person links two accounts. Where both voted in one
// poll, the more recent ballot wins. It is idempotent, so a retried merge is harmless.
func (s *Store) MergePollBallots(ctx context.Context, into, from int64) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM poll_ballots WHERE member_id = $1 AND EXISTS (
			SELECT 1 FROM poll_ballots o WHERE o.member_id = $2 AND o.poll_id = poll_ballots.poll_id AND o.cast_at > poll_ballots.cast_at)`,
			into, from); err != nil {
			return fmt.Errorf("merge ballots of member %d into %d: %w", from, into, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE poll_ballots SET member_id = $1 WHERE member_id = $2
			AND poll_id NOT IN (SELECT poll_id FROM poll_ballots WHERE member_id = $1)`, into, from); err != nil {
			return fmt.Errorf("merge ballots of member %d into %d: %w", from, into, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM poll_ballots WHERE member_id = $1`, from); err != nil {
			return fmt.Errorf("merge ballots of member %d into %d: %w", from, into, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE polls SET author_id = $1 WHERE author_id = $2`, into, from); err != nil {
			return fmt.Errorf("merge polls of member %d into %d: %w", from, into, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE questionnaires SET author_id = $1 WHERE author_id = $2`, into, from); err != nil {
			return fmt.Errorf("merge questionnaires of member %d into %d: %w", from, into, err)
		}
		return nil
	})
}
