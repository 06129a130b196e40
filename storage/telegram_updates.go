package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TelegramUpdate is one update as Telegram sent it: its id and its JSON
// body, with what the adapter read from it for LastTelegramGroup.
type TelegramUpdate struct {
	ID   int64
	Body string
	// UserID is the member who sent the update and GroupID the group or
	// supergroup it came from; 0 when there is none (GroupID is 0 for a
	// private chat or an inline query). They are stored with the claim,
	// in the same statement, so that no update costs a statement more.
	UserID, GroupID int64
}

// ClaimTelegramUpdates records updates taken from Telegram, in one
// statement, and returns the ids of those claimed now. An id already
// claimed (a redelivered update, a batch fetched again after a restart)
// is not returned: it is handled by whoever claimed it first, once. The
// claims stay holder's while it holds its liveness (HoldLiveness).
func (s *Store) ClaimTelegramUpdates(ctx context.Context, botID int64, holder string, now time.Time, updates []TelegramUpdate) ([]int64, error) {
	if len(updates) == 0 {
		return nil, nil
	}
	var sb strings.Builder
	args := make([]any, 0, 4+4*len(updates))
	args = append(args, botID, holder, now.UTC(), LivenessKey(holder))
	for i, u := range updates {
		if i > 0 {
			sb.WriteString(", ")
		}
		n := len(args)
		sb.WriteString("($1, $" + strconv.Itoa(n+1) + ", $" + strconv.Itoa(n+2) + ", $2, $4, $3, $" +
			strconv.Itoa(n+3) + ", $" + strconv.Itoa(n+4) + ")")
		args = append(args, u.ID, u.Body, nullID(u.UserID), nullID(u.GroupID)) // 0: none, stored as NULL
	}
	var claimed []int64
	err := s.db.SelectContext(ctx, &claimed, `INSERT INTO telegram_updates (bot_id, update_id, body, holder, lock_key, claimed_at, user_id, group_chat_id)
		VALUES `+sb.String()+`
		ON CONFLICT (bot_id, update_id) DO NOTHING
		RETURNING update_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("claim %d telegram updates: %w", len(updates), err)
	}
	return claimed, nil
}

// ClaimTelegramUpdate is ClaimTelegramUpdates for one update delivered to
// the webhook, and reports whether it was claimed now. Telegram delivers a
// burst over many connections at once, one update per request: on
// PostgreSQL, the claims arriving together are written in one statement
// (see grouper), one round trip and one commit per group instead of one
// per update.
func (s *Store) ClaimTelegramUpdate(ctx context.Context, botID int64, holder string, now time.Time, u TelegramUpdate) (bool, error) {
	if s.dialect != Postgres {
		claimed, err := s.ClaimTelegramUpdates(ctx, botID, holder, now, []TelegramUpdate{u})
		return len(claimed) == 1, err
	}
	c := &pendingUpdateClaim{bot: botID, holder: holder, now: now, u: u}
	s.updateClaims.g.do(ctx, c)
	return c.claimed, c.err
}

type updateClaimGroups struct {
	s *Store
	g grouper[pendingUpdateClaim, updateClaimKey]
}

type pendingUpdateClaim struct {
	bot     int64
	holder  string
	now     time.Time
	u       TelegramUpdate
	claimed bool
	err     error
}

type updateClaimKey struct{ bot, update int64 }

func newUpdateClaimGroups(s *Store) *updateClaimGroups {
	c := &updateClaimGroups{s: s}
	c.g = grouper[pendingUpdateClaim, updateClaimKey]{
		max:   maxGroup,
		key:   func(p *pendingUpdateClaim) updateClaimKey { return updateClaimKey{p.bot, p.u.ID} },
		write: c.write,
		fail:  func(p *pendingUpdateClaim, err error) { p.err = err },
	}
	return c
}

// write claims a group's updates with ClaimTelegramUpdates, one statement
// per bot and process (a process normally has one of each). The group's
// first claim time stands for all: it is only compared with the sweep's
// cutoff, minutes later.
func (c *updateClaimGroups) write(ctx context.Context, group []*pendingUpdateClaim) {
	type claimer struct {
		bot    int64
		holder string
	}
	byClaimer := map[claimer][]*pendingUpdateClaim{}
	for _, p := range group {
		k := claimer{p.bot, p.holder}
		byClaimer[k] = append(byClaimer[k], p)
	}
	for k, ps := range byClaimer {
		// Sorted ids keep two processes' groups from deadlocking.
		slices.SortFunc(ps, func(a, b *pendingUpdateClaim) int { return cmp.Compare(a.u.ID, b.u.ID) })
		updates := make([]TelegramUpdate, len(ps))
		for i, p := range ps {
			updates[i] = p.u
		}
		claimed, err := c.s.ClaimTelegramUpdates(ctx, k.bot, k.holder, ps[0].now, updates)
		got := make(map[int64]bool, len(claimed))
		for _, id := range claimed {
			got[id] = true
		}
		for _, p := range ps {
			p.claimed, p.err = got[p.u.ID], err
		}
	}
}

// TelegramGroup is a Telegram group or supergroup Agora keeps a chat for.
type TelegramGroup struct {
	ChatID int64
	Title  string
}

// LastTelegramGroup is the group where a member last acted (wrote, pressed
// a button) as the updates claimed by every process tell, for as long as
// they are kept (a day): an inline query names no chat, and the process
// answering it may never have seen the member's group. Only groups Agora
// already keeps a chat for count, so that a group it never handled (a
// message it ignored, or the old ID of a group upgraded to a supergroup,
// whose chat moved to the new ID) does not become a community of its own.
// ok is false when no such group is known.
func (s *Store) LastTelegramGroup(ctx context.Context, botID, userID int64) (g TelegramGroup, ok bool, err error) {
	// Walks telegram_updates_user_group backwards from the member's latest
	// update; the first one whose chat Agora knows is the answer. Chats
	// keep platform IDs as text, hence the cast. 'telegram' is
	// commands.PlatformTelegram, which storage does not import.
	err = s.db.QueryRowxContext(ctx, `SELECT u.group_chat_id, c.title
		FROM telegram_updates u
		JOIN chats c ON c.platform = 'telegram' AND c.platform_chat_id = CAST(u.group_chat_id AS TEXT)
		WHERE u.bot_id = $1 AND u.user_id = $2 AND u.group_chat_id IS NOT NULL
		ORDER BY u.update_id DESC
		LIMIT 1`, botID, userID).Scan(&g.ChatID, &g.Title)
	if errors.Is(err, sql.ErrNoRows) {
		return TelegramGroup{}, false, nil
	}
	if err != nil {
		return TelegramGroup{}, false, fmt.Errorf("find the last group of telegram user %d: %w", userID, err)
	}
	return g, true, nil
}

// HandledTelegramUpdates marks claimed updates as handled, so they are
// never taken over.
func (s *Store) HandledTelegramUpdates(ctx context.Context, botID int64, ids []int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	list, args := idList([]any{botID, now.UTC()}, ids)
	_, err := s.db.ExecContext(ctx, `UPDATE telegram_updates SET handled_at = $2
		WHERE bot_id = $1 AND update_id IN (`+list+`)`, args...)
	if err != nil {
		return fmt.Errorf("mark %d telegram updates handled: %w", len(ids), err)
	}
	return nil
}

// ReleaseTelegramUpdates forgets holder's claims on updates it has not
// handled: a process that stops between claiming updates and queueing them
// gives them back, so that Telegram's next delivery of them (to this
// process restarted, or another behind the webhook's load balancer) is
// handled at once rather than taken for a duplicate and left for the
// sweep minutes later.
func (s *Store) ReleaseTelegramUpdates(ctx context.Context, botID int64, holder string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	list, args := idList([]any{botID, holder}, ids)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM telegram_updates
		WHERE bot_id = $1 AND holder = $2 AND handled_at IS NULL AND update_id IN (`+list+`)`, args...); err != nil {
		return fmt.Errorf("release %d telegram updates: %w", len(ids), err)
	}
	return nil
}

// idList appends ids to args and returns their placeholders, "$3, $4, …",
// for an IN list that both dialects read.
func idList[T any](args []any, ids []T) (string, []any) {
	var sb strings.Builder
	for i, id := range ids {
		if i > 0 {
			sb.WriteString(", ")
		}
		args = append(args, id)
		sb.WriteString("$" + strconv.Itoa(len(args)))
	}
	return sb.String(), args
}

// GoneTelegramHolders lists the holders of unhandled claims whose
// liveness is held by no one: their process died (or stopped without
// finishing them). Claims made by versions of Agora without liveness are
// not counted: RetakeTelegramUpdates takes them over by age.
func (s *Store) GoneTelegramHolders(ctx context.Context, botID int64) ([]string, error) {
	var holders []string
	err := s.db.SelectContext(ctx, &holders, `SELECT DISTINCT holder FROM telegram_updates
		WHERE bot_id = $1 AND handled_at IS NULL AND lock_key IS NOT NULL
		AND lock_key NOT IN (`+s.liveKeys()+`)
		ORDER BY holder`, botID)
	if err != nil {
		return nil, fmt.Errorf("find the processes gone with unhandled telegram updates: %w", err)
	}
	return holders, nil
}

// RetakeTelegramUpdates claims for holder, oldest first, at most limit
// unhandled updates whose handler's process is gone: those of the holders
// in gone whose liveness is still held by no one (checked again here, in
// the statement that takes them), and those claimed before cutoff by a
// version of Agora without liveness. A live holder's updates are never
// taken, however old. Each is returned to one caller only.
func (s *Store) RetakeTelegramUpdates(ctx context.Context, botID int64, holder string, gone []string, now, cutoff time.Time, limit int) ([]TelegramUpdate, error) {
	args := []any{botID, holder, LivenessKey(holder), now.UTC(), cutoff.UTC(), limit}
	left := "FALSE"
	if len(gone) > 0 {
		var list string
		list, args = idList(args, gone)
		left = "holder IN (" + list + ") AND lock_key IS NOT NULL AND lock_key NOT IN (" + s.liveKeys() + ")"
	}
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED" // concurrent sweepers take different rows
	}
	// The rows are picked once, in a materialized CTE: as an IN subquery,
	// PostgreSQL may scan them again for each row it updates, and each new
	// scan skips the rows this statement already updated, so LIMIT no longer
	// bounds how many are taken.
	rows, err := s.db.QueryContext(ctx, `WITH picked AS MATERIALIZED (SELECT update_id FROM telegram_updates
			WHERE bot_id = $1 AND handled_at IS NULL AND holder <> $2
			AND ((`+left+`) OR (lock_key IS NULL AND claimed_at < $5))
			ORDER BY update_id LIMIT $6`+lock+`)
		UPDATE telegram_updates SET holder = $2, lock_key = $3, claimed_at = $4
		WHERE bot_id = $1 AND update_id IN (SELECT update_id FROM picked) AND handled_at IS NULL
		RETURNING update_id, body`, args...)
	if err != nil {
		return nil, fmt.Errorf("retake telegram updates: %w", err)
	}
	defer rows.Close()
	var out []TelegramUpdate
	for rows.Next() {
		var u TelegramUpdate
		if err := rows.Scan(&u.ID, &u.Body); err != nil {
			return nil, fmt.Errorf("retake telegram updates: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("retake telegram updates: %w", err)
	}
	return out, nil
}

// TelegramClaim is the state of one update kept for a bot.
type TelegramClaim struct {
	ID      int64  `db:"update_id"`
	Holder  string `db:"holder"`
	Handled bool   `db:"handled"`
}

// TelegramClaims lists the updates kept for a bot, by id, with who holds
// them and whether they were handled: for tests and investigations.
func (s *Store) TelegramClaims(ctx context.Context, botID int64) ([]TelegramClaim, error) {
	var out []TelegramClaim
	err := s.db.SelectContext(ctx, &out, `SELECT update_id, holder, handled_at IS NOT NULL AS handled
		FROM telegram_updates WHERE bot_id = $1 ORDER BY update_id`, botID)
	if err != nil {
		return nil, fmt.Errorf("list telegram updates: %w", err)
	}
	return out, nil
}

// TelegramUpdateOffset is the id after the last update claimed for the
// bot (0 when none is kept): where long polling resumes.
func (s *Store) TelegramUpdateOffset(ctx context.Context, botID int64) (int64, error) {
	var last sql.NullInt64
	if err := s.db.GetContext(ctx, &last, `SELECT MAX(update_id) FROM telegram_updates WHERE bot_id = $1`, botID); err != nil {
		return 0, fmt.Errorf("read the telegram update offset: %w", err)
	}
	if !last.Valid {
		return 0, nil
	}
	return last.Int64 + 1, nil
}

// PruneTelegramUpdates forgets updates handled before cutoff.
func (s *Store) PruneTelegramUpdates(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM telegram_updates WHERE handled_at IS NOT NULL AND handled_at < $1`, cutoff.UTC())
	if err != nil {
		return 0, fmt.Errorf("prune telegram updates: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// TelegramPrivateChat tells whether the bot can write privately to a user:
// known is false when Agora never learned either way.
func (s *Store) TelegramPrivateChat(ctx context.Context, botID, userID int64) (open, known bool, err error) {
	err = s.db.GetContext(ctx, &open, `SELECT open FROM telegram_private_chats WHERE bot_id = $1 AND user_id = $2`, botID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("read the private chat of telegram user %d: %w", userID, err)
	}
	return open, true, nil
}

// SetTelegramPrivateChat records whether the bot can write privately to a user.
func (s *Store) SetTelegramPrivateChat(ctx context.Context, botID, userID int64, open bool, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO telegram_private_chats (bot_id, user_id, open, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (bot_id, user_id) DO UPDATE SET open = excluded.open, updated_at = excluded.updated_at`, botID, userID, open, now.UTC())
	if err != nil {
		return fmt.Errorf("record the private chat of telegram user %d: %w", userID, err)
	}
	return nil
}
