package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestPrecheckRefusesBeforeAnyQuestion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		f := newFixture(t, s)
		ctx := context.Background()
		req := func(cmd string, role commands.Role) *commands.Request {
			return &commands.Request{Platform: "console", Chat: commands.Chat{ID: "general", GroupID: "g"},
				User: commands.User{ID: "u1", Name: "Camille", PlatformRole: role}, Command: cmd}
		}
		// Missing options are not Precheck's business: /aide lacks its required one.
		if r := f.rt.Precheck(ctx, req("aide", commands.RoleMember)); r != nil {
			t.Errorf("allowed command refused: %q", r.Text)
		}
		if r := f.rt.Precheck(ctx, req("moderer", commands.RoleModerator)); r != nil {
			t.Errorf("moderator refused: %q", r.Text)
		}
		r := f.rt.Precheck(ctx, req("moderer", commands.RoleMember))
		if r == nil || !r.Ephemeral || !strings.Contains(string(r.Text), "modérat") {
			t.Errorf("member not refused: %+v", r)
		}
		if r := f.rt.Precheck(ctx, req("inconnue", commands.RoleMember)); r == nil {
			t.Error("unknown command not refused")
		}
		if n := f.calls.Load(); n != 0 {
			t.Errorf("Precheck ran a handler %d times", n)
		}
	})
}
