package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/agora-community/agora/model"
)

// The outbox keeps what capabilities post in the chats of a community: one
// row per subject and chat, claimed before sending so each is sent once,
// retried after a failure, and edited at most once per interval.

// postColumns names a post with its chat, for the outbox worker.
const postColumns = `o.subject, o.chat_id, c.platform, c.platform_chat_id, o.state, o.message_ref, o.attempts`

const postFrom = ` FROM outbox_posts o JOIN chats c ON c.id = o.chat_id`

// QueuePosts records subject for a community and queues a post in each of
// its chats whose purpose is one of purposes (every chat when there are
// none). It is idempotent: chats that already have the post keep it. It
// returns how many chats have the post, whatever its state.
func (s *Store) QueuePosts(ctx context.Context, communityID int64, subject string, purposes []string, live bool, now time.Time) (int, error) {
	var n int
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_subjects (subject, community_id, purposes, live) VALUES ($1, $2, $3, $4)
			ON CONFLICT (subject) DO UPDATE SET purposes = excluded.purposes, live = excluded.live`,
			subject, communityID, strings.Join(purposes, ","), live); err != nil {
			return fmt.Errorf("record subject %s: %w", subject, err)
		}
		return s.queueForSubject(ctx, tx, subject, now, &n)
	})
	if err != nil {
		return 0, fmt.Errorf("queue posts of %s: %w", subject, err)
	}
	return n, nil
}

// queueForSubject adds the missing posts of a subject in the chats its
// purposes name, and counts the subject's posts.
func (s *Store) queueForSubject(ctx context.Context, tx *sqlx.Tx, subject string, now time.Time, count *int) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_posts (subject, chat_id, next_at)
		SELECT o.subject, c.id, $2 FROM outbox_subjects o JOIN chats c ON c.community_id = o.community_id
		WHERE o.subject = $1 AND (o.purposes = '' OR ','||o.purposes||',' LIKE '%,'||c.purpose||',%')
		ON CONFLICT (subject, chat_id) DO NOTHING`, subject, now.UTC()); err != nil {
		return err
	}
	return tx.GetContext(ctx, count, `SELECT COUNT(*) FROM outbox_posts WHERE subject = $1`, subject)
}

// QueuePostsAlong queues subject in every chat where along was sent (a
// poll's result where the poll was posted). The subject is not live.
func (s *Store) QueuePostsAlong(ctx context.Context, subject, along string, now time.Time) (int, error) {
	var n int
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_subjects (subject, community_id, live)
			SELECT $1, community_id, FALSE FROM outbox_subjects WHERE subject = $2
			ON CONFLICT (subject) DO NOTHING`, subject, along); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox_posts (subject, chat_id, next_at)
			SELECT $1, chat_id, $3 FROM outbox_posts WHERE subject = $2 AND state = 'sent'
			ON CONFLICT (subject, chat_id) DO NOTHING`, subject, along, now.UTC()); err != nil {
			return err
		}
		return tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM outbox_posts WHERE subject = $1`, subject)
	})
	if err != nil {
		return 0, fmt.Errorf("queue posts of %s along %s: %w", subject, along, err)
	}
	return n, nil
}

// QueueLivePostsForChat queues, in a chat that joined a community or
// changed purpose, every live subject of the community it should show.
func (s *Store) QueueLivePostsForChat(ctx context.Context, chatID int64, now time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO outbox_posts (subject, chat_id, next_at)
		SELECT o.subject, c.id, $2 FROM chats c JOIN outbox_subjects o ON o.community_id = c.community_id
		WHERE c.id = $1 AND o.live AND (o.purposes = '' OR ','||o.purposes||',' LIKE '%,'||c.purpose||',%')
		ON CONFLICT (subject, chat_id) DO NOTHING`, chatID, now.UTC())
	if err != nil {
		return 0, fmt.Errorf("queue live posts for chat %d: %w", chatID, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ClaimDuePosts takes up to limit pending posts due at now (of one subject,
// or of any when subject is empty) for lease, marking them as being sent.
// Before that, posts whose worker died while sending are put in doubt:
// they may have reached the chat, and a second copy is worse than none.
func (s *Store) ClaimDuePosts(ctx context.Context, subject string, now time.Time, lease time.Duration, limit int) ([]model.OutboxPost, error) {
	now = now.UTC()
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox_posts SET state = 'doubt', locked_until = NULL,
		last_error = 'the worker stopped while sending'
		WHERE state = 'sending' AND locked_until <= $1`, now); err != nil {
		return nil, fmt.Errorf("find posts in doubt: %w", err)
	}
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var keys []struct {
		Subject string `db:"subject"`
		ChatID  int64  `db:"chat_id"`
	}
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.SelectContext(ctx, &keys, `SELECT subject, chat_id FROM outbox_posts
			WHERE state = 'pending' AND next_at <= $1 AND ($2 = '' OR subject = $2)
			ORDER BY next_at, subject, chat_id LIMIT $3`+lock, now, subject, limit)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox_posts SET state = 'sending', locked_until = $3, attempts = attempts + 1
				WHERE subject = $1 AND chat_id = $2`, k.Subject, k.ChatID, now.Add(lease)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim due posts: %w", err)
	}
	posts := make([]model.OutboxPost, 0, len(keys))
	for _, k := range keys {
		var p model.OutboxPost
		if err := s.db.GetContext(ctx, &p, `SELECT `+postColumns+postFrom+` WHERE o.subject = $1 AND o.chat_id = $2`, k.Subject, k.ChatID); err != nil {
			return nil, fmt.Errorf("load claimed post %s in chat %d: %w", k.Subject, k.ChatID, notFound(err))
		}
		posts = append(posts, p)
	}
	return posts, nil
}

// RecordPostSent stores the message reference of a post that was sent.
func (s *Store) RecordPostSent(ctx context.Context, subject string, chatID int64, ref string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox_posts SET state = 'sent', message_ref = $3, locked_until = NULL, last_error = '', edited_at = $4
		WHERE subject = $1 AND chat_id = $2`, subject, chatID, ref, now.UTC())
	if err != nil {
		return fmt.Errorf("record post %s in chat %d: %w", subject, chatID, err)
	}
	return nil
}

// RecordPostFailed puts a post whose sending failed back in the queue for
// retryAt, or gives it up.
func (s *Store) RecordPostFailed(ctx context.Context, subject string, chatID int64, failure string, retryAt time.Time, giveUp bool) error {
	state := "pending"
	if giveUp {
		state = "failed"
	}
	_, err := s.db.ExecContext(ctx, `UPDATE outbox_posts SET state = $3, next_at = $4, locked_until = NULL, last_error = $5
		WHERE subject = $1 AND chat_id = $2`, subject, chatID, state, retryAt.UTC(), failure)
	if err != nil {
		return fmt.Errorf("record failed post %s in chat %d: %w", subject, chatID, err)
	}
	return nil
}

// Posts lists a subject's posts in every state, with their chats.
func (s *Store) Posts(ctx context.Context, subject string) ([]model.OutboxPost, error) {
	var posts []model.OutboxPost
	if err := s.db.SelectContext(ctx, &posts, `SELECT `+postColumns+postFrom+` WHERE o.subject = $1 ORDER BY o.chat_id`, subject); err != nil {
		return nil, fmt.Errorf("list posts of %s: %w", subject, err)
	}
	return posts, nil
}

// ClaimPostEdits takes the edit slot of every sent post of a subject whose
// last edit is at least interval old (or that owes a final edit and was not
// edited within interval), stamping it with now, and returns the posts
// taken. The stamp is the claim: among processes sharing the database
// exactly one gets each slot, so a message is edited at most once per
// interval whatever the number of processes. The caller renders after
// claiming, so its edit shows every change stored before the claim.
func (s *Store) ClaimPostEdits(ctx context.Context, subject string, now time.Time, interval time.Duration) ([]model.OutboxPost, error) {
	var posts []model.OutboxPost
	// RETURNING may only name the updated table on SQLite, hence the
	// subqueries for the chat's columns instead of UPDATE ... FROM.
	err := s.db.SelectContext(ctx, &posts, `UPDATE outbox_posts SET edited_at = $2
		WHERE subject = $1 AND state = 'sent' AND (edited_at IS NULL OR edited_at <= $3)
		RETURNING subject, chat_id,
			(SELECT c.platform FROM chats c WHERE c.id = outbox_posts.chat_id) AS platform,
			(SELECT c.platform_chat_id FROM chats c WHERE c.id = outbox_posts.chat_id) AS platform_chat_id,
			state, message_ref, attempts`, subject, now.UTC(), now.Add(-interval).UTC())
	if err != nil {
		return nil, fmt.Errorf("claim edits of %s: %w", subject, err)
	}
	return posts, nil
}

// RecordPostEdited stores the message reference an edit returned (it
// changes when a split message gains or loses parts), settles an owed
// final edit, and moves the edit slot's stamp to now, when the edit was
// done: the next edit is claimed an interval after this one reached the
// platform, not after it was claimed, so two edits arrive an interval
// apart even when one call was slow (an overloaded process, a rate limit).
func (s *Store) RecordPostEdited(ctx context.Context, subject string, chatID int64, ref string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox_posts SET message_ref = $3, pending_edit = FALSE, edit_failures = 0,
		edited_at = CASE WHEN edited_at IS NULL OR edited_at < $4 THEN $4 ELSE edited_at END
		WHERE subject = $1 AND chat_id = $2`,
		subject, chatID, ref, now.UTC())
	if err != nil {
		return fmt.Errorf("record edit of %s in chat %d: %w", subject, chatID, err)
	}
	return nil
}

// maxEditFailures bounds the tries of an owed final edit.
const maxEditFailures = 5

// RecordPostEditFailed counts a failed edit; an owed final edit that failed
// maxEditFailures times is given up, so a deleted message is not retried
// forever.
func (s *Store) RecordPostEditFailed(ctx context.Context, subject string, chatID int64, ref, failure string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox_posts SET edit_failures = edit_failures + 1, last_error = $4, message_ref = $3,
		pending_edit = pending_edit AND edit_failures + 1 < $5
		WHERE subject = $1 AND chat_id = $2`, subject, chatID, ref, failure, maxEditFailures)
	if err != nil {
		return fmt.Errorf("record failed edit of %s in chat %d: %w", subject, chatID, err)
	}
	return nil
}

// SettleSubject stops a subject from following changes: it reaches no new
// chat, and each of its messages owes one final edit, kept here so that a
// restart still makes it.
func (s *Store) SettleSubject(ctx context.Context, subject string) error {
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox_subjects SET live = FALSE WHERE subject = $1`, subject); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox_posts SET pending_edit = TRUE WHERE subject = $1 AND state = 'sent'`, subject)
		return err
	})
	if err != nil {
		return fmt.Errorf("settle %s: %w", subject, err)
	}
	return nil
}

// ReviveSubject makes a settled subject live again (a reopened poll).
func (s *Store) ReviveSubject(ctx context.Context, subject string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox_subjects SET live = TRUE WHERE subject = $1`, subject); err != nil {
		return fmt.Errorf("revive %s: %w", subject, err)
	}
	return nil
}

// SubjectsToEdit lists the subjects a starting process must look at: live
// ones with sent posts (changes may have happened while it was away) and
// those owing a final edit.
func (s *Store) SubjectsToEdit(ctx context.Context) ([]string, error) {
	var subjects []string
	err := s.db.SelectContext(ctx, &subjects, `SELECT o.subject FROM outbox_subjects o WHERE o.live
			AND EXISTS (SELECT 1 FROM outbox_posts p WHERE p.subject = o.subject AND p.state = 'sent')
		UNION SELECT subject FROM outbox_posts WHERE pending_edit
		ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("list subjects to edit: %w", err)
	}
	return subjects, nil
}

// OwedEdits lists the subjects whose messages owe a final edit.
func (s *Store) OwedEdits(ctx context.Context) ([]string, error) {
	var subjects []string
	if err := s.db.SelectContext(ctx, &subjects, `SELECT DISTINCT subject FROM outbox_posts WHERE pending_edit ORDER BY subject`); err != nil {
		return nil, fmt.Errorf("list owed edits: %w", err)
	}
	return subjects, nil
}

// RetractSubject stops a subject for good and returns its sent posts, for
// their messages to be deleted; pending posts are never sent.
func (s *Store) RetractSubject(ctx context.Context, subject string) ([]model.OutboxPost, error) {
	var sent []model.OutboxPost
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := tx.SelectContext(ctx, &sent, `SELECT `+postColumns+postFrom+` WHERE o.subject = $1 AND o.state = 'sent' ORDER BY o.chat_id`, subject); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox_subjects SET live = FALSE WHERE subject = $1`, subject); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outbox_posts SET state = 'deleted', pending_edit = FALSE, locked_until = NULL
			WHERE subject = $1 AND state IN ('pending', 'sent', 'failed')`, subject)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("retract %s: %w", subject, err)
	}
	return sent, nil
}

// DropUnsentPosts gives up a subject's posts not sent yet, its renderer
// having nothing to post any more; those sent, or perhaps sent, stay.
func (s *Store) DropUnsentPosts(ctx context.Context, subject string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox_posts SET state = 'deleted', locked_until = NULL
		WHERE subject = $1 AND state IN ('pending', 'sending')`, subject); err != nil {
		return fmt.Errorf("drop unsent posts of %s: %w", subject, err)
	}
	return nil
}

// ForgetSubject removes a subject and its posts, so it may be posted anew
// (the result of a reopened poll); its messages stay where they are.
func (s *Store) ForgetSubject(ctx context.Context, subject string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM outbox_subjects WHERE subject = $1`, subject); err != nil {
		return fmt.Errorf("forget %s: %w", subject, err)
	}
	return nil
}
