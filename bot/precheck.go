package bot

import (
	"context"

	"github.com/agora-community/agora/commands"
)

// Precheck tells, before a guided conversation asks a member for missing
// options, whether the command would be refused anyway: unknown, not
// allowed to them, or the database unreachable. It resolves the request as Handle
// does and returns nil or the response Handle would give for that refusal.
// Handle still checks everything again when the command finally runs.
func (rt *Runtime) Precheck(ctx context.Context, req *commands.Request) *commands.Response {
	req.Now = rt.clock.Now()
	req.Loc = rt.Localizer(nil, req.User.Locale)
	_, _, err := rt.admit(ctx, req)
	if err == nil {
		return nil
	}
	resp, _ := rt.failure(req, err)
	return resp
}
