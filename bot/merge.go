package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/agora-community/agora/commands"
)

// LinkAccount attaches a platform account to a member. When the account
// belonged to another person, the two become one: storage moves their
// accounts and roles at once (the higher role wins) and schedules the merge
// job, which lets every capability move what it keeps about them.
func (rt *Runtime) LinkAccount(ctx context.Context, memberID int64, platform, userID string) (merged int64, err error) {
	merged, err = rt.store.LinkIdentity(ctx, memberID, platform, userID, commands.HigherRole, commands.MergeJob)
	if err != nil {
		return 0, fmt.Errorf("link %s account to member %d: %w", platform, memberID, err)
	}
	return merged, nil
}

// mergeMembersJob runs every capability's merge hook for "into/from", then
// deletes the merged member. A failing hook retries the whole job, so hooks
// are idempotent.
func (rt *Runtime) mergeMembersJob(ctx context.Context, payload string) error {
	a, b, ok := strings.Cut(payload, "/")
	into, err1 := strconv.ParseInt(a, 10, 64)
	from, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || into <= 0 || from <= 0 {
		return fmt.Errorf("%s job: bad payload %q", commands.MergeJob.Kind, payload)
	}
	rt.mu.RLock()
	mergers := rt.mergers
	rt.mu.RUnlock()
	for _, merge := range mergers {
		if err := merge(ctx, into, from); err != nil {
			return fmt.Errorf("merge member %d into %d: %w", from, into, err)
		}
	}
	return rt.store.DeleteMergedMember(ctx, from)
}
