package telegram_test

import (
	"strings"
	"testing"

	"github.com/agora-community/agora/bot/telegram/telegramtest"
)

// TestPollCreatedByTextAndVotedWithButtons runs once the polls capability is
// installed by commands/all (it lands on its own branch).
func TestPollCreatedByTextAndVotedWithButtons(t *testing.T) {
	srv := telegramtest.New(t)
	r, _ := startPolling(t, srv)
	if _, ok := r.rt.Registry().Resolve("sondage.creer"); !ok {
		t.Skip("the polls capability is not installed")
	}
	srv.SendText(group, camille, `/sondage_creer question:"Quel jour ?" choix:"Lundi | Mardi"`)
	poll, ok := srv.WaitMessage(group.ID, wait, func(m telegramtest.SentMessage) bool {
		return strings.Contains(m.Text, "Quel jour") && m.ReplyMarkup != nil && len(m.ReplyMarkup.InlineKeyboard) > 0
	})
	if !ok {
		t.Fatalf("no poll with buttons posted; sent: %+v", srv.SentMessages(group.ID))
	}
	var data string
	for _, row := range poll.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && strings.Contains(b.Text, "Lundi") {
				data = *b.CallbackData
			}
		}
	}
	if data == "" {
		t.Fatalf("no button for Lundi: %s", poll.ReplyMarkupJSON)
	}
	q := srv.PressButton(group, alex, poll.MessageID, data)
	if _, ok := srv.WaitCallbackAnswer(q, wait); !ok {
		t.Fatal("vote not answered")
	}
	if !srv.WaitFor(wait, func() bool {
		for _, e := range srv.Edits() {
			if e.MessageID == poll.MessageID && e.ChatID == group.ID && e.NewText != e.OldText {
				return true
			}
		}
		return false
	}) {
		t.Errorf("the poll message was not updated after the vote; edits %+v", srv.Edits())
	}
}
