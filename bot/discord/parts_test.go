package discord_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
)

// lines is n lines of about 100 characters: twenty make two messages.
func lines(word string, n int) markup.Text {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s %d %s\n", word, i, strings.Repeat("é", 90))
	}
	return markup.Text(b.String())
}

// checkChannel fails unless the channel shows exactly the parts of ref, in
// order, together reading want, with components on the last part only.
func checkChannel(t *testing.T, srv *discordtest.Server, ref string, want markup.Text, components bool) {
	t.Helper()
	msgs := srv.Messages(channelID)
	var ids []string
	var text strings.Builder
	for i, m := range msgs {
		ids = append(ids, m.ID)
		text.WriteString(m.Content + "\n")
		if n := utf8.RuneCountInString(m.Content); n > 2000 {
			t.Errorf("part %d has %d characters", i+1, n)
		}
		if has := len(m.Components) > 0; has != (components && i == len(msgs)-1) {
			t.Errorf("part %d of %d: components %v", i+1, len(msgs), m.Components)
		}
	}
	if got := bot.MessageIDs(ref); !slices.Equal(got, ids) {
		t.Errorf("reference %q, but the channel shows parts %v", ref, ids)
	}
	if got, exp := strings.Fields(text.String()), strings.Fields(want.Plain()); !slices.Equal(got, exp) {
		t.Errorf("the parts read %d words, want %d (stale or missing text)", len(got), len(exp))
	}
}

func TestSplitMessageEditedAndDeletedWhole(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	ctx := context.Background()
	buttons := []commands.Button{{Label: "Oui", Action: "t/un"}}

	before := lines("avant", 30) // about 3,000 characters: 2 parts
	ref, err := e.adapter.Send(ctx, channelID, &commands.Response{Text: before, Buttons: buttons})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(bot.MessageIDs(ref)); n != 2 {
		t.Fatalf("sent in %d parts (%q), want 2", n, ref)
	}
	checkChannel(t, e.srv, ref, before, true)

	// Longer: both parts edited, a third sent after them, the buttons on it.
	longer := lines("après", 50)
	newRef, err := e.adapter.Edit(ctx, channelID, ref, &commands.Response{Text: longer, Buttons: buttons})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(newRef, ref+",") || len(bot.MessageIDs(newRef)) != 3 {
		t.Fatalf("longer edit: reference %q from %q", newRef, ref)
	}
	checkChannel(t, e.srv, newRef, longer, true)

	// Shorter: the first part edited, the other two deleted.
	shorter := lines("enfin", 5)
	ref, err = e.adapter.Edit(ctx, channelID, newRef, &commands.Response{Text: shorter, Buttons: buttons})
	if err != nil {
		t.Fatal(err)
	}
	if want := bot.MessageIDs(newRef)[0]; ref != want {
		t.Fatalf("shorter edit: reference %q, want %q", ref, want)
	}
	checkChannel(t, e.srv, ref, shorter, true)

	// Split again, then deleted whole.
	ref, err = e.adapter.Edit(ctx, channelID, ref, commands.Reply(before))
	if err != nil {
		t.Fatal(err)
	}
	checkChannel(t, e.srv, ref, before, false)
	if err := e.adapter.Delete(ctx, channelID, ref); err != nil {
		t.Fatal(err)
	}
	if left := e.srv.Messages(channelID); len(left) != 0 {
		t.Fatalf("%d parts left after Delete", len(left))
	}
}

func TestEditMovesFilesToTheLastPart(t *testing.T) {
	e := newEnv(t, nil, nil, nil)
	ctx := context.Background()
	ics := commands.File{Name: "sortie.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}
	ref, err := e.adapter.Send(ctx, channelID, &commands.Response{Text: "Sortie", Files: []commands.File{ics}})
	if err != nil {
		t.Fatal(err)
	}
	ref, err = e.adapter.Edit(ctx, channelID, ref, &commands.Response{Text: lines("sortie", 30), Files: []commands.File{ics}})
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.srv.Messages(channelID)
	if len(msgs) != 2 || len(msgs[0].Attachments) != 0 || len(msgs[1].Attachments) != 1 || msgs[1].Attachments[0].Filename != "sortie.ics" {
		t.Fatalf("reference %q; parts %+v", ref, msgs)
	}
}
