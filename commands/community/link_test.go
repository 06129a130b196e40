package community_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
)

var codePattern = regexp.MustCompile(`[A-HJ-NP-Z2-9]{8}`)

func codeIn(t *testing.T, out string) string {
	t.Helper()
	code := codePattern.FindString(out)
	if code == "" {
		t.Fatalf("no code in:\n%s", out)
	}
	return code
}

// discord sends a command as a Discord moderator (a server administrator)
// in channel c1 of server g.
func discord(env *consoletest.Env, user string, role commands.Role, command string, opts map[string]string) string {
	return env.Runtime.Handle(context.Background(), &commands.Request{
		Platform: commands.PlatformDiscord, Chat: commands.Chat{ID: "c1", GroupID: "g", Title: "général"},
		User:    commands.User{ID: user, Name: user, Locale: "fr", PlatformRole: role},
		Command: command, Options: opts,
	}).Text.Plain()
}

// A Discord channel joins the console's community with a one-time code,
// and receives the poll already open there; the code serves once, for 15
// minutes; unlinking gives the channel a community of its own again.
func TestChatsOfTwoPlatformsBecomeOneCommunity(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, `/sondage creer question:"Pizza ?" choix:"Oui | Non"`)
	out := env.Run(t, ":role moderateur\n/communaute lier")
	consoletest.Contains(t, out, "Code de liaison", "valable 15 minutes", "/communaute lier code:")
	code := codeIn(t, out)

	if got := discord(env, "u1", commands.RoleMember, "communaute.lier", map[string]string{"code": code}); !strings.Contains(got, "Il faut être modérateur") {
		t.Fatalf("a member linked a chat: %q", got)
	}
	got := discord(env, "admin", commands.RoleModerator, "communaute.lier", map[string]string{"code": strings.ToLower(code[:4]) + "-" + code[4:]})
	if !strings.Contains(got, "Ce salon fait désormais partie de la communauté") {
		t.Fatalf("link: %q", got)
	}
	if got := discord(env, "admin", commands.RoleModerator, "communaute.lier", map[string]string{"code": code}); !strings.Contains(got, "n'est pas valable") {
		t.Fatalf("a used code served twice: %q", got)
	}
	// The poll open in the console's community now goes to the Discord channel too.
	posts, err := env.Store.Posts(context.Background(), "poll/1")
	if err != nil {
		t.Fatal(err)
	}
	platforms := map[string]bool{}
	for _, p := range posts {
		platforms[p.Platform] = true
	}
	if !platforms[commands.PlatformDiscord] || !platforms[commands.PlatformConsole] {
		t.Fatalf("poll posts after linking = %+v, want the Discord channel too", posts)
	}
	out = env.Run(t, "/communaute info")
	consoletest.Contains(t, out, "discord · général")

	// A code older than 15 minutes is refused.
	code = codeIn(t, env.Run(t, "/communaute lier"))
	env.Clock.Advance(16 * time.Minute)
	if got := discord(env, "admin", commands.RoleModerator, "communaute.lier", map[string]string{"code": code}); !strings.Contains(got, "n'est pas valable") {
		t.Fatalf("an expired code served: %q", got)
	}

	if got := discord(env, "admin", commands.RoleModerator, "communaute.delier", nil); !strings.Contains(got, "ne fait plus partie") {
		t.Fatalf("unlink: %q", got)
	}
	if got := discord(env, "admin", commands.RoleModerator, "communaute.delier", nil); !strings.Contains(got, "rien à délier") {
		t.Fatalf("second unlink: %q", got)
	}
	out = env.Run(t, "/communaute info")
	if strings.Contains(out, "discord · général") {
		t.Fatalf("the unlinked channel is still listed:\n%s", out)
	}
}

// A member's Discord account joins their console account with a code: one
// person, listed with both accounts.
func TestAMemberLinksTheirAccounts(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, "/compte lier")
	consoletest.Contains(t, out, "Votre code", "/compte lier code:")
	code := codeIn(t, out)
	if got := env.Run(t, "/compte lier code:"+code); !strings.Contains(got, "vient de ce compte-ci") {
		t.Fatalf("own code accepted: %q", got)
	}
	// Typing it spent the code (single use): ask for another.
	code = codeIn(t, env.Run(t, "/compte lier"))
	got := discord(env, "d-42", commands.RoleMember, "compte.lier", map[string]string{"code": code})
	if !strings.Contains(got, "Votre compte Discord est relié") {
		t.Fatalf("link: %q", got)
	}
	out = env.Run(t, "/compte info")
	consoletest.Contains(t, out, "2 comptes sont reliés à vous", "console\u00a0: camille", "Discord\u00a0: d-42")
}
