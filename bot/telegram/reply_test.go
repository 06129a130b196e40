package telegram

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestWebhookReply(t *testing.T) {
	// Answered before the webhook waits: the answer goes in the response.
	r := newWebhookReply()
	if !r.offer("answerCallbackQuery", tgbotapi.Params{"callback_query_id": "q1", "text": "A voté"}) {
		t.Fatal("first offer refused")
	}
	if r.offer("answerCallbackQuery", tgbotapi.Params{"callback_query_id": "q1"}) {
		t.Error("a second answer was accepted")
	}
	got, ok := r.await(time.Minute)
	if !ok || got.Get("method") != "answerCallbackQuery" || got.Get("text") != "A voté" || got.Get("callback_query_id") != "q1" {
		t.Errorf("await = %v, %v", got, ok)
	}

	// The webhook stopped waiting: the handler is told to make the request.
	r = newWebhookReply()
	if got, ok := r.await(0); ok {
		t.Errorf("await without an answer = %v", got)
	}
	if r.offer("answerCallbackQuery", tgbotapi.Params{"callback_query_id": "q2"}) {
		t.Error("an answer was accepted after the response was written")
	}

	// The handler answers while the webhook waits.
	r = newWebhookReply()
	go r.offer("answerCallbackQuery", tgbotapi.Params{"callback_query_id": "q3"})
	if got, ok := r.await(time.Minute); !ok || got.Get("callback_query_id") != "q3" {
		t.Errorf("await = %v, %v", got, ok)
	}
}
