package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/agora-community/agora/model"
)

// The FAQ: entries with one text per language, members' votes, the queue
// of unanswered questions, and the chats with automatic answers.

// faqListSeparator joins phrasings and tags in one column; the capability
// keeps newlines out of them.
const faqListSeparator = "\n"

func joinFAQList(items []string) string { return strings.Join(items, faqListSeparator) }

func splitFAQList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, faqListSeparator) {
		if item != "" {
			out = append(out, item)
		}
	}
	return out
}

type faqEntryRow struct {
	ID          int64     `db:"id"`
	CommunityID int64     `db:"community_id"`
	AskedCount  int       `db:"asked_count"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

type faqTextRow struct {
	EntryID   int64  `db:"entry_id"`
	Lang      string `db:"lang"`
	Question  string `db:"question"`
	Phrasings string `db:"phrasings"`
	Tags      string `db:"tags"`
	Answer    string `db:"answer"`
}

func (r faqTextRow) text() model.FAQText {
	return model.FAQText{Lang: r.Lang, Question: r.Question, Phrasings: splitFAQList(r.Phrasings), Tags: splitFAQList(r.Tags), Answer: r.Answer}
}

// faqLangOrder sorts French, the reference, before the other languages.
const faqLangOrder = `CASE t.lang WHEN 'fr' THEN 0 ELSE 1 END, t.lang`

// FAQEntries lists a community's entries with their texts, oldest first.
func (s *Store) FAQEntries(ctx context.Context, communityID int64) ([]model.FAQEntry, error) {
	var rows []faqEntryRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, community_id, asked_count, created_at, updated_at
		FROM faq_entries WHERE community_id = $1 ORDER BY id`, communityID); err != nil {
		return nil, fmt.Errorf("list FAQ entries of community %d: %w", communityID, err)
	}
	var texts []faqTextRow
	if err := s.db.SelectContext(ctx, &texts, `SELECT t.entry_id, t.lang, t.question, t.phrasings, t.tags, t.answer
		FROM faq_texts t JOIN faq_entries e ON e.id = t.entry_id
		WHERE e.community_id = $1 ORDER BY t.entry_id, `+faqLangOrder, communityID); err != nil {
		return nil, fmt.Errorf("list FAQ texts of community %d: %w", communityID, err)
	}
	entries := make([]model.FAQEntry, len(rows))
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		entries[i] = r.entry()
		at[r.ID] = i
	}
	for _, t := range texts {
		if i, ok := at[t.EntryID]; ok {
			entries[i].Texts = append(entries[i].Texts, t.text())
		}
	}
	return entries, nil
}

func (r faqEntryRow) entry() model.FAQEntry {
	return model.FAQEntry{ID: r.ID, CommunityID: r.CommunityID, AskedCount: r.AskedCount, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// FAQEntry loads one entry with its texts.
func (s *Store) FAQEntry(ctx context.Context, id int64) (model.FAQEntry, error) {
	var r faqEntryRow
	if err := s.db.GetContext(ctx, &r, `SELECT id, community_id, asked_count, created_at, updated_at
		FROM faq_entries WHERE id = $1`, id); err != nil {
		return model.FAQEntry{}, fmt.Errorf("load FAQ entry %d: %w", id, notFound(err))
	}
	var texts []faqTextRow
	if err := s.db.SelectContext(ctx, &texts, `SELECT t.entry_id, t.lang, t.question, t.phrasings, t.tags, t.answer
		FROM faq_texts t WHERE t.entry_id = $1 ORDER BY `+faqLangOrder, id); err != nil {
		return model.FAQEntry{}, fmt.Errorf("load texts of FAQ entry %d: %w", id, err)
	}
	e := r.entry()
	for _, t := range texts {
		e.Texts = append(e.Texts, t.text())
	}
	return e, nil
}

// CreateFAQEntry stores a new entry with its texts and sets its ID.
func (s *Store) CreateFAQEntry(ctx context.Context, e *model.FAQEntry, now time.Time) error {
	err := s.InTx(ctx, func(tx *sqlx.Tx) error { return createFAQEntry(ctx, tx, e, now) })
	if err != nil {
		return fmt.Errorf("create FAQ entry: %w", err)
	}
	return nil
}

func createFAQEntry(ctx context.Context, tx *sqlx.Tx, e *model.FAQEntry, now time.Time) error {
	if len(e.Texts) == 0 {
		return errors.New("an entry needs at least one text")
	}
	if err := tx.GetContext(ctx, &e.ID, `INSERT INTO faq_entries (community_id, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
		e.CommunityID, now.UTC()); err != nil {
		return err
	}
	e.CreatedAt, e.UpdatedAt = now, now
	for _, t := range e.Texts {
		if err := saveFAQText(ctx, tx, e.ID, t); err != nil {
			return err
		}
	}
	return nil
}

func saveFAQText(ctx context.Context, tx *sqlx.Tx, entryID int64, t model.FAQText) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO faq_texts (entry_id, lang, question, phrasings, tags, answer) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (entry_id, lang) DO UPDATE SET question = excluded.question, phrasings = excluded.phrasings,
			tags = excluded.tags, answer = excluded.answer`,
		entryID, t.Lang, t.Question, joinFAQList(t.Phrasings), joinFAQList(t.Tags), t.Answer)
	if err != nil {
		return fmt.Errorf("save %s text of FAQ entry %d: %w", t.Lang, entryID, err)
	}
	return nil
}

// touchFAQEntry marks an entry of a community as changed; ErrNotFound when
// it is not one of the community's.
func touchFAQEntry(ctx context.Context, tx *sqlx.Tx, communityID, entryID int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE faq_entries SET updated_at = $3 WHERE id = $1 AND community_id = $2`, entryID, communityID, now.UTC())
	if err != nil {
		return fmt.Errorf("update FAQ entry %d: %w", entryID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("update FAQ entry %d of community %d: %w", entryID, communityID, ErrNotFound)
	}
	return nil
}

// SaveFAQText writes one language's version of an entry of a community,
// adding it or replacing the one there was.
func (s *Store) SaveFAQText(ctx context.Context, communityID, entryID int64, t model.FAQText, now time.Time) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := touchFAQEntry(ctx, tx, communityID, entryID, now); err != nil {
			return err
		}
		return saveFAQText(ctx, tx, entryID, t)
	})
}

// DeleteFAQText removes one language's version of an entry. The last
// version is never removed (ErrConflict): deleting it is deleting the entry.
func (s *Store) DeleteFAQText(ctx context.Context, communityID, entryID int64, lang string, now time.Time) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := touchFAQEntry(ctx, tx, communityID, entryID, now); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM faq_texts WHERE entry_id = $1 AND lang = $2
			AND EXISTS (SELECT 1 FROM faq_texts o WHERE o.entry_id = $1 AND o.lang <> $2)`, entryID, lang)
		if err != nil {
			return fmt.Errorf("delete %s text of FAQ entry %d: %w", lang, entryID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("delete %s text of FAQ entry %d: %w", lang, entryID, ErrConflict)
		}
		return nil
	})
}

// DeleteFAQEntry deletes an entry of a community with its texts, votes and
// cooldowns; questions it answered stay, without their entry.
func (s *Store) DeleteFAQEntry(ctx context.Context, communityID, entryID int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM faq_entries WHERE id = $1 AND community_id = $2`, entryID, communityID)
	if err != nil {
		return fmt.Errorf("delete FAQ entry %d: %w", entryID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("delete FAQ entry %d of community %d: %w", entryID, communityID, ErrNotFound)
	}
	return nil
}

// ImportFAQ writes a whole import in one transaction, so a failure leaves
// the FAQ as it was: an entry with an ID has the given texts written over
// its own (it must belong to the community), one without is created and
// gets its ID.
func (s *Store) ImportFAQ(ctx context.Context, communityID int64, entries []model.FAQEntry, now time.Time) error {
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		for i := range entries {
			e := &entries[i]
			e.CommunityID = communityID
			if e.ID == 0 {
				if err := createFAQEntry(ctx, tx, e, now); err != nil {
					return err
				}
				continue
			}
			if err := touchFAQEntry(ctx, tx, communityID, e.ID, now); err != nil {
				return err
			}
			for _, t := range e.Texts {
				if err := saveFAQText(ctx, tx, e.ID, t); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import FAQ of community %d: %w", communityID, err)
	}
	return nil
}

// CountFAQAsked records that an entry was given as an answer.
func (s *Store) CountFAQAsked(ctx context.Context, entryID int64) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE faq_entries SET asked_count = asked_count + 1 WHERE id = $1`, entryID); err != nil {
		return fmt.Errorf("count FAQ entry %d asked: %w", entryID, err)
	}
	return nil
}

// VoteFAQ records whether an answer helped a member, replacing their
// earlier opinion of it.
func (s *Store) VoteFAQ(ctx context.Context, entryID, memberID int64, helpful bool, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO faq_votes (entry_id, member_id, helpful, voted_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (entry_id, member_id) DO UPDATE SET helpful = excluded.helpful, voted_at = excluded.voted_at`,
		entryID, memberID, helpful, now.UTC())
	if err != nil {
		return fmt.Errorf("record vote on FAQ entry %d: %w", entryID, err)
	}
	return nil
}

// FAQStats sums up a community's FAQ: totals, the top most asked entries,
// and the top entries members found unhelpful most often.
func (s *Store) FAQStats(ctx context.Context, communityID int64, top int) (model.FAQStats, error) {
	var st model.FAQStats
	var totals struct {
		Entries   int `db:"entries"`
		Asked     int `db:"asked"`
		Helpful   int `db:"helpful"`
		Unhelpful int `db:"unhelpful"`
		Pending   int `db:"pending"`
		Answered  int `db:"answered"`
	}
	err := s.db.GetContext(ctx, &totals, `SELECT
		(SELECT COUNT(*) FROM faq_entries WHERE community_id = $1) AS entries,
		(SELECT COALESCE(SUM(asked_count), 0) FROM faq_entries WHERE community_id = $1) AS asked,
		(SELECT COUNT(*) FROM faq_votes v JOIN faq_entries e ON e.id = v.entry_id WHERE e.community_id = $1 AND v.helpful) AS helpful,
		(SELECT COUNT(*) FROM faq_votes v JOIN faq_entries e ON e.id = v.entry_id WHERE e.community_id = $1 AND NOT v.helpful) AS unhelpful,
		(SELECT COUNT(*) FROM faq_questions WHERE community_id = $1 AND status = 'pending') AS pending,
		(SELECT COUNT(*) FROM faq_questions WHERE community_id = $1 AND status = 'answered') AS answered`, communityID)
	if err != nil {
		return st, fmt.Errorf("FAQ statistics of community %d: %w", communityID, err)
	}
	st.Entries, st.Asked, st.Helpful, st.Unhelpful, st.Pending, st.Answered =
		totals.Entries, totals.Asked, totals.Helpful, totals.Unhelpful, totals.Pending, totals.Answered

	const perEntry = `SELECT e.id AS entry_id, e.asked_count AS asked,
		(SELECT COUNT(*) FROM faq_votes v WHERE v.entry_id = e.id AND v.helpful) AS helpful,
		(SELECT COUNT(*) FROM faq_votes v WHERE v.entry_id = e.id AND NOT v.helpful) AS unhelpful
		FROM faq_entries e WHERE e.community_id = $1`
	var rows []faqStatsRow
	if err := s.db.SelectContext(ctx, &rows, perEntry+` AND e.asked_count > 0 ORDER BY e.asked_count DESC, e.id LIMIT $2`, communityID, top); err != nil {
		return st, fmt.Errorf("most asked FAQ entries of community %d: %w", communityID, err)
	}
	st.MostAsked = faqStatsList(rows)
	rows = nil
	if err := s.db.SelectContext(ctx, &rows, `SELECT * FROM (`+perEntry+`) x WHERE unhelpful > 0
		ORDER BY unhelpful - helpful DESC, unhelpful DESC, entry_id LIMIT $2`, communityID, top); err != nil {
		return st, fmt.Errorf("least useful FAQ entries of community %d: %w", communityID, err)
	}
	st.LeastUseful = faqStatsList(rows)
	return st, nil
}

type faqStatsRow struct {
	EntryID   int64 `db:"entry_id"`
	Asked     int   `db:"asked"`
	Helpful   int   `db:"helpful"`
	Unhelpful int   `db:"unhelpful"`
}

func faqStatsList(rows []faqStatsRow) []model.FAQEntryStats {
	out := make([]model.FAQEntryStats, len(rows))
	for i, r := range rows {
		out[i] = model.FAQEntryStats{EntryID: r.EntryID, Asked: r.Asked, Helpful: r.Helpful, Unhelpful: r.Unhelpful}
	}
	return out
}

// SetFAQAuto switches automatic answers on or off in a chat.
func (s *Store) SetFAQAuto(ctx context.Context, chatID int64, on bool) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO faq_chats (chat_id, auto) VALUES ($1, $2)
		ON CONFLICT (chat_id) DO UPDATE SET auto = excluded.auto`, chatID, on)
	if err != nil {
		return fmt.Errorf("switch automatic FAQ answers in chat %d: %w", chatID, err)
	}
	return nil
}

// FAQAutoChats lists the chats of a community with automatic answers on.
func (s *Store) FAQAutoChats(ctx context.Context, communityID int64) ([]int64, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, `SELECT f.chat_id FROM faq_chats f JOIN chats c ON c.id = f.chat_id
		WHERE c.community_id = $1 AND f.auto ORDER BY f.chat_id`, communityID)
	if err != nil {
		return nil, fmt.Errorf("list chats with automatic FAQ answers in community %d: %w", communityID, err)
	}
	return ids, nil
}

// ClaimFAQAutoAnswer takes the right to answer automatically with an entry
// in a chat at now: the chat must have automatic answers on, its last
// automatic answer must be at least chatGap old, and its last one with
// this entry at least entryCooldown old. Both times move to now in one
// transaction, so among processes sharing the database exactly one
// claim succeeds and the cooldowns hold whichever process answers.
func (s *Store) ClaimFAQAutoAnswer(ctx context.Context, chatID, entryID int64, now time.Time, chatGap, entryCooldown time.Duration) (bool, error) {
	claimed := false
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE faq_chats SET last_auto_at = $2
			WHERE chat_id = $1 AND auto AND (last_auto_at IS NULL OR last_auto_at <= $3)`, chatID, now.UTC(), now.Add(-chatGap).UTC())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO faq_auto_answers (chat_id, entry_id, last_at) VALUES ($1, $2, $3)
			ON CONFLICT (chat_id, entry_id) DO UPDATE SET last_at = excluded.last_at WHERE faq_auto_answers.last_at <= $4`,
			chatID, entryID, now.UTC(), now.Add(-entryCooldown).UTC())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = errNotClaimed // undoes the chat's slot: nothing was answered
			}
			return err
		}
		claimed = true
		return nil
	})
	if errors.Is(err, errNotClaimed) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim automatic answer of FAQ entry %d in chat %d: %w", entryID, chatID, err)
	}
	return claimed, nil
}

var errNotClaimed = errors.New("not claimed")

const faqQuestionColumns = `q.id, q.community_id, q.member_id, q.member_name, COALESCE(q.chat_id, 0) AS chat_id, q.platform,
	q.platform_user_id, q.lang, q.question, q.normalized, q.status, COALESCE(q.entry_id, 0) AS entry_id, q.asked_at, q.answered_at`

type faqQuestionRow struct {
	ID             int64      `db:"id"`
	CommunityID    int64      `db:"community_id"`
	MemberID       int64      `db:"member_id"`
	MemberName     string     `db:"member_name"`
	ChatID         int64      `db:"chat_id"`
	Platform       string     `db:"platform"`
	PlatformUserID string     `db:"platform_user_id"`
	Lang           string     `db:"lang"`
	Question       string     `db:"question"`
	Normalized     string     `db:"normalized"`
	Status         string     `db:"status"`
	EntryID        int64      `db:"entry_id"`
	AskedAt        time.Time  `db:"asked_at"`
	AnsweredAt     *time.Time `db:"answered_at"`
}

func (r faqQuestionRow) question() model.FAQQuestion { return model.FAQQuestion(r) }

func faqQuestions(rows []faqQuestionRow) []model.FAQQuestion {
	out := make([]model.FAQQuestion, len(rows))
	for i, r := range rows {
		out[i] = r.question()
	}
	return out
}

// QueueFAQQuestion queues a question the FAQ could not answer and sets its
// ID. When the same member already waits for the same question (same
// normalized form), nothing is added: q gets that question's ID and
// joined is true.
func (s *Store) QueueFAQQuestion(ctx context.Context, q *model.FAQQuestion) (joined bool, err error) {
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		// A question with no normalized form (nothing left once stop words
		// are gone) is never the same as another one.
		err := tx.GetContext(ctx, &q.ID, `SELECT id FROM faq_questions
			WHERE community_id = $1 AND normalized = $2 AND normalized <> '' AND member_id = $3 AND status = 'pending' ORDER BY id LIMIT 1`,
			q.CommunityID, q.Normalized, q.MemberID)
		if err == nil {
			joined = true
			return nil
		}
		if !errors.Is(notFound(err), ErrNotFound) {
			return err
		}
		var chatID any
		if q.ChatID != 0 {
			chatID = q.ChatID
		}
		q.Status = model.FAQPending
		return tx.GetContext(ctx, &q.ID, `INSERT INTO faq_questions (community_id, member_id, member_name, chat_id, platform,
			platform_user_id, lang, question, normalized, status, asked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10) RETURNING id`,
			q.CommunityID, q.MemberID, q.MemberName, chatID, q.Platform, q.PlatformUserID, q.Lang, q.Question, q.Normalized, q.AskedAt.UTC())
	})
	if err != nil {
		return false, fmt.Errorf("queue FAQ question: %w", err)
	}
	return joined, nil
}

// FAQQuestion loads a queued question.
func (s *Store) FAQQuestion(ctx context.Context, id int64) (model.FAQQuestion, error) {
	var r faqQuestionRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+faqQuestionColumns+` FROM faq_questions q WHERE q.id = $1`, id); err != nil {
		return model.FAQQuestion{}, fmt.Errorf("load FAQ question %d: %w", id, notFound(err))
	}
	return r.question(), nil
}

// PendingFAQQuestions lists up to limit of a community's unanswered
// questions, oldest first, and how many there are in all.
func (s *Store) PendingFAQQuestions(ctx context.Context, communityID int64, limit int) ([]model.FAQQuestion, int, error) {
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM faq_questions WHERE community_id = $1 AND status = 'pending'`, communityID); err != nil {
		return nil, 0, fmt.Errorf("count FAQ questions of community %d: %w", communityID, err)
	}
	var rows []faqQuestionRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+faqQuestionColumns+` FROM faq_questions q
		WHERE q.community_id = $1 AND q.status = 'pending' ORDER BY q.id LIMIT $2`, communityID, limit); err != nil {
		return nil, 0, fmt.Errorf("list FAQ questions of community %d: %w", communityID, err)
	}
	return faqQuestions(rows), total, nil
}

// AnswerFAQQuestion answers a pending question of a community in one
// transaction: it creates the new entry or adds the phrasing, then marks
// answered the question and every other pending one of the community with
// the same normalized form, and returns them all, so each member who asked
// is told. A question no longer pending is ErrNotFound.
func (s *Store) AnswerFAQQuestion(ctx context.Context, communityID, questionID int64, a model.FAQAnswer, now time.Time) ([]model.FAQQuestion, error) {
	var answered []model.FAQQuestion
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		normalized, err := claimPendingFAQQuestion(ctx, tx, communityID, questionID)
		if err != nil {
			return err
		}
		entryID := a.EntryID
		if a.NewEntry != nil {
			a.NewEntry.CommunityID = communityID
			if err := createFAQEntry(ctx, tx, a.NewEntry, now); err != nil {
				return err
			}
			entryID = a.NewEntry.ID
		} else {
			if err := touchFAQEntry(ctx, tx, communityID, entryID, now); err != nil {
				return err
			}
			if a.Phrasing != "" {
				res, err := tx.ExecContext(ctx, `UPDATE faq_texts SET phrasings = CASE WHEN phrasings = '' THEN $3 ELSE phrasings || $4 || $3 END
					WHERE entry_id = $1 AND lang = $2`, entryID, a.Lang, a.Phrasing, faqListSeparator)
				if err != nil {
					return fmt.Errorf("add a phrasing to FAQ entry %d: %w", entryID, err)
				}
				if n, err := res.RowsAffected(); err != nil || n == 0 {
					return fmt.Errorf("add a phrasing to the %s text of FAQ entry %d: %w", a.Lang, entryID, ErrNotFound)
				}
			}
		}
		var rows []faqQuestionRow
		if err := tx.SelectContext(ctx, &rows, `UPDATE faq_questions SET status = 'answered', entry_id = $3, answered_at = $4
			WHERE community_id = $1 AND status = 'pending' AND (id = $2 OR (normalized = $5 AND normalized <> ''))
			RETURNING `+strings.ReplaceAll(faqQuestionColumns, "q.", ""), communityID, questionID, entryID, now.UTC(), normalized); err != nil {
			return fmt.Errorf("mark FAQ questions answered: %w", err)
		}
		answered = faqQuestions(rows)
		sort.Slice(answered, func(i, j int) bool { return answered[i].ID < answered[j].ID })
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("answer FAQ question %d: %w", questionID, err)
	}
	return answered, nil
}

// claimPendingFAQQuestion checks that a question of the community is
// pending and returns its normalized form. On PostgreSQL the row stays
// locked until the transaction ends, so two moderators answering at once
// answer it once.
func claimPendingFAQQuestion(ctx context.Context, tx *sqlx.Tx, communityID, questionID int64) (string, error) {
	var normalized string
	err := tx.GetContext(ctx, &normalized, `UPDATE faq_questions SET status = status
		WHERE id = $1 AND community_id = $2 AND status = 'pending' RETURNING normalized`, questionID, communityID)
	if err != nil {
		return "", fmt.Errorf("FAQ question %d: %w", questionID, notFound(err))
	}
	return normalized, nil
}

// DismissFAQQuestion takes a pending question of a community out of the
// queue without an answer (spam, off topic), with the other pending ones
// of the same normalized form, and returns how many left the queue.
func (s *Store) DismissFAQQuestion(ctx context.Context, communityID, questionID int64, now time.Time) (int, error) {
	var n int64
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		normalized, err := claimPendingFAQQuestion(ctx, tx, communityID, questionID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE faq_questions SET status = 'dismissed', answered_at = $3
			WHERE community_id = $1 AND status = 'pending' AND (id = $2 OR (normalized = $4 AND normalized <> ''))`,
			communityID, questionID, now.UTC(), normalized)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("dismiss FAQ question %d: %w", questionID, err)
	}
	return int(n), nil
}

// MergeFAQMembers moves member from's queued questions and votes to member
// into when a person links two accounts. Where both voted on one entry,
// the more recent vote wins. It is idempotent, so a retried merge is
// harmless.
func (s *Store) MergeFAQMembers(ctx context.Context, into, from int64) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE faq_questions SET member_id = $1 WHERE member_id = $2`, into, from); err != nil {
			return fmt.Errorf("merge FAQ questions of member %d into %d: %w", from, into, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM faq_votes WHERE member_id = $1 AND EXISTS (
			SELECT 1 FROM faq_votes o WHERE o.member_id = $2 AND o.entry_id = faq_votes.entry_id AND o.voted_at > faq_votes.voted_at)`,
			into, from); err != nil {
			return fmt.Errorf("merge FAQ votes of member %d into %d: %w", from, into, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE faq_votes SET member_id = $1 WHERE member_id = $2
			AND entry_id NOT IN (SELECT entry_id FROM faq_votes WHERE member_id = $1)`, into, from); err != nil {
			return fmt.Errorf("merge FAQ votes of member %d into %d: %w", from, into, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM faq_votes WHERE member_id = $1`, from); err != nil {
			return fmt.Errorf("merge FAQ votes of member %d into %d: %w", from, into, err)
		}
		return nil
	})
}
