package telegram_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
)

// longText is n lines of emoji, two UTF-16 units each, so a few lines
// exceed Telegram's 4,096 units while staying short in runes.
func longText(word string, n int) markup.Text {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s %d %s\n", word, i, strings.Repeat("🌻", 300))
	}
	return markup.Text(b.String())
}

// shown is what the chat shows of the bot's messages: the parts not
// deleted, oldest first.
func shown(srv *telegramtest.Server, chatID int64) []telegramtest.SentMessage {
	var out []telegramtest.SentMessage
	for _, m := range srv.SentMessages(chatID) {
		if !m.Deleted {
			out = append(out, m)
		}
	}
	return out
}

// checkShows fails unless the chat shows exactly the parts of ref, in
// order, together reading want, with buttons on the last part only.
func checkShows(t *testing.T, srv *telegramtest.Server, ref string, want markup.Text, buttons bool) {
	t.Helper()
	msgs := shown(srv, group.ID)
	var ids []string
	var text strings.Builder
	for i, m := range msgs {
		ids = append(ids, fmt.Sprint(m.MessageID))
		text.WriteString(m.Text + "\n")
		if telegramtest.UTF16Len(m.Text) > 4096 {
			t.Errorf("part %d has %d UTF-16 units", i, telegramtest.UTF16Len(m.Text))
		}
		hasButtons := m.ReplyMarkup != nil && len(m.ReplyMarkup.InlineKeyboard) > 0
		if hasButtons != (buttons && i == len(msgs)-1) {
			t.Errorf("part %d of %d: buttons %+v", i+1, len(msgs), m.ReplyMarkup)
		}
	}
	if got := bot.MessageIDs(ref); !slices.Equal(got, ids) {
		t.Errorf("reference %q, but the chat shows parts %v", ref, ids)
	}
	if got, exp := strings.Fields(text.String()), strings.Fields(want.Plain()); !slices.Equal(got, exp) {
		t.Errorf("the parts read %d words, want %d (stale or missing text)", len(got), len(exp))
	}
}

func TestSplitMessageEditedAndDeletedWhole(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	srv.AddChat(group)
	ctx := context.Background()
	buttons := []commands.Button{{Label: "OK", Action: "e/plus/0"}}

	before := longText("Avant", 15) // about 610 units a line, 6 lines a part: 3 parts
	ref, err := r.Send(ctx, "-1001234", &commands.Response{Text: before, Buttons: buttons})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(bot.MessageIDs(ref)); n != 3 {
		t.Fatalf("sent in %d parts (%q), want 3", n, ref)
	}
	checkShows(t, srv, ref, before, true)

	// Longer: the three parts are edited, two more follow the last one.
	longer := longText("Après", 27)
	newRef, err := r.Edit(ctx, "-1001234", ref, &commands.Response{Text: longer, Buttons: buttons})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(newRef, ref+",") || len(bot.MessageIDs(newRef)) != 5 {
		t.Fatalf("longer edit: reference %q from %q; want the old parts then two new ones", newRef, ref)
	}
	checkShows(t, srv, newRef, longer, true)

	// Shorter: the first two parts are edited, the last three deleted.
	shorter := longText("Enfin", 10)
	ref, err = r.Edit(ctx, "-1001234", newRef, &commands.Response{Text: shorter, Buttons: buttons})
	if err != nil {
		t.Fatal(err)
	}
	if want := bot.MessageRef(bot.MessageIDs(newRef)[:2]); ref != want {
		t.Fatalf("shorter edit: reference %q, want %q", ref, want)
	}
	checkShows(t, srv, ref, shorter, true)

	// Without buttons they leave the last part too.
	ref, err = r.Edit(ctx, "-1001234", ref, commands.Reply(shorter))
	if err != nil {
		t.Fatal(err)
	}
	checkShows(t, srv, ref, shorter, false)

	if err := r.Delete(ctx, "-1001234", ref); err != nil {
		t.Fatal(err)
	}
	if left := shown(srv, group.ID); len(left) != 0 {
		t.Fatalf("%d parts left after Delete", len(left))
	}
	if err := r.Delete(ctx, "-1001234", ref); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestEditReplacesFileParts(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	srv.AddChat(group)
	ctx := context.Background()
	csv := commands.File{Name: "liste.csv", ContentType: "text/csv", Data: []byte("a,b\n")}

	ref, err := r.Send(ctx, "-1001234", &commands.Response{Text: "Inscrits", Files: []commands.File{csv}})
	if err != nil || len(bot.MessageIDs(ref)) != 2 {
		t.Fatalf("send = %q, %v; want a text part and a file part", ref, err)
	}
	// Telegram cannot turn a file into text: the file part makes way for
	// the second text part, and goes.
	text := longText("Inscrits", 10)
	ref, err = r.Edit(ctx, "-1001234", ref, commands.Reply(text))
	if err != nil {
		t.Fatal(err)
	}
	checkShows(t, srv, ref, text, false)
	for _, m := range shown(srv, group.ID) {
		if m.File != nil {
			t.Errorf("file %s still shown", m.File.FileName)
		}
	}

	// Files in the new content are sent anew, after the text.
	ref, err = r.Edit(ctx, "-1001234", ref, &commands.Response{Text: "Inscrits", Files: []commands.File{csv}})
	if err != nil {
		t.Fatal(err)
	}
	msgs := shown(srv, group.ID)
	if len(msgs) != 2 || msgs[0].Text != "Inscrits" || msgs[1].File == nil || bot.MessageRef([]string{fmt.Sprint(msgs[0].MessageID), fmt.Sprint(msgs[1].MessageID)}) != ref {
		t.Fatalf("after adding the file back: reference %q, chat %+v", ref, msgs)
	}
	if err := r.Delete(ctx, "-1001234", ref); err != nil {
		t.Fatal(err)
	}
	if left := shown(srv, group.ID); len(left) != 0 {
		t.Fatalf("%d parts left after Delete", len(left))
	}
}
