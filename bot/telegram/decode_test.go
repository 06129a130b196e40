package telegram

import (
	"encoding/json"
	"reflect"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// A press on a poll, as Telegram sends it: the whole message comes along.
const pressOnPoll = `{"update_id":800000123,"callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":10000042,"is_bot":false,"first_name":"Élise","username":"elise","language_code":"fr"},
"message":{"message_id":77,"from":{"id":7000000001,"is_bot":true,"first_name":"Agora"},"chat":{"id":-1001000,"title":"Coopérative","type":"supergroup"},"date":1764633600,
"text":"Quelle pizza ? Margherita 3 Regina 1","entities":[{"offset":0,"length":14,"type":"bold"}],
"reply_markup":{"inline_keyboard":[[{"text":"Margherita","callback_data":"p/v/12/0"},{"text":"Regina","callback_data":"p/v/12/1"}]]}},
"chat_instance":"-6114318128123","data":"p/v/12/1"}}`

func TestDecodeUpdate(t *testing.T) {
	for _, tt := range []struct{ name, raw string }{
		{"press on a poll", pressOnPoll},
		{"press on an inline message", `{"update_id":1,"callback_query":{"id":"q1","from":{"id":5,"first_name":"A"},"inline_message_id":"AAA","chat_instance":"1","data":"f/7"}}`},
		{"press on an inaccessible message", `{"update_id":2,"callback_query":{"id":"q2","from":{"id":5,"first_name":"A"},"message":{"message_id":9,"chat":{"id":-5,"type":"group"},"date":0},"chat_instance":"1","data":"p/v/1/0"}}`},
		{"message", `{"update_id":3,"message":{"message_id":4,"from":{"id":5,"first_name":"A"},"chat":{"id":-5,"type":"group","title":"G"},"date":1,"text":"/sondage Quelle pizza ? | A | B","entities":[{"offset":0,"length":8,"type":"bot_command"}]}}`},
		{"inline query", `{"update_id":4,"inline_query":{"id":"i1","from":{"id":5,"first_name":"A"},"query":"adhésion","offset":""}}`},
		{"member joined", `{"update_id":5,"message":{"message_id":6,"chat":{"id":-5,"type":"group"},"date":1,"new_chat_members":[{"id":8,"first_name":"B"}]}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeUpdate([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			var full tgbotapi.Update
			if err := json.Unmarshal([]byte(tt.raw), &full); err != nil {
				t.Fatal(err)
			}
			if full.CallbackQuery == nil {
				if !reflect.DeepEqual(got, full) {
					t.Errorf("decoded %+v, want %+v", got, full)
				}
				return
			}
			if !reflect.DeepEqual(usedOfPress(got), usedOfPress(full)) {
				t.Errorf("decoded %+v, want %+v", usedOfPress(got), usedOfPress(full))
			}
		})
	}
	if _, err := decodeUpdate([]byte(`{"update_id":"x"}`)); err == nil {
		t.Error("a malformed update was decoded")
	}
}

// pressFields is what the adapter reads of a callback query's update.
type pressFields struct {
	UpdateID                                      int
	ID, Data, InlineMessageID, ChatInstance, Game string
	From                                          tgbotapi.User
	MessageID                                     int
	Chat                                          tgbotapi.Chat
}

func usedOfPress(u tgbotapi.Update) pressFields {
	q := u.CallbackQuery
	f := pressFields{UpdateID: u.UpdateID, ID: q.ID, Data: q.Data, InlineMessageID: q.InlineMessageID, ChatInstance: q.ChatInstance, Game: q.GameShortName}
	if q.From != nil {
		f.From = *q.From
	}
	if q.Message != nil {
		f.MessageID = q.Message.MessageID
		if q.Message.Chat != nil {
			f.Chat = *q.Message.Chat
		}
	}
	return f
}

// Whatever Telegram (or anyone reaching the webhook) sends, decoding does
// not panic; an update the standard library reads is read too, a press
// with what a full decoding would carry, any other update whole.
func FuzzDecodeUpdate(f *testing.F) {
	f.Add([]byte(pressOnPoll))
	f.Add([]byte(`{"update_id":3,"message":{"message_id":4,"chat":{"id":-5,"type":"group"},"date":1,"text":"x"}}`))
	f.Add([]byte(`{"callback_query":{"message":null}}`))
	f.Add([]byte(`{"update_id":5,"message":{"message_id":6,"chat":{"id":-7,"type":"supergroup","title":"Coop\u00e9rative"},"date":1,"text":"/sondage Quelle pizza ? | A | B","entities":[{"offset":0,"length":8,"type":"bot_command"}]}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := decodeUpdate(raw)
		var full tgbotapi.Update
		if json.Unmarshal(raw, &full) != nil {
			return
		}
		if err != nil {
			t.Fatalf("the standard library reads %q, decodeUpdate fails: %v", raw, err)
		}
		if full.CallbackQuery == nil && !reflect.DeepEqual(got, full) {
			t.Fatalf("decoded %+v, want %+v", got, full)
		}
		if (got.CallbackQuery == nil) != (full.CallbackQuery == nil) {
			t.Fatalf("press read as %+v, fully as %+v", got.CallbackQuery, full.CallbackQuery)
		}
		if full.CallbackQuery != nil && !reflect.DeepEqual(usedOfPress(got), usedOfPress(full)) {
			t.Fatalf("decoded %+v, want %+v", usedOfPress(got), usedOfPress(full))
		}
	})
}

func BenchmarkDecodePress(b *testing.B) {
	raw := []byte(pressOnPoll)
	b.Run("light", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeUpdate(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tgbotapi", func(b *testing.B) {
		for b.Loop() {
			var u tgbotapi.Update
			if err := json.Unmarshal(raw, &u); err != nil {
				b.Fatal(err)
			}
		}
	})
}
