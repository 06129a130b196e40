package telegram

import (
	"encoding/json"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// What a claim stores of an update, read from Telegram's JSON: the sender,
// and the group only when the update came from one that stays.
func TestActorOfAnUpdate(t *testing.T) {
	const from = `"from":{"id":7,"is_bot":false,"first_name":"Camille"}`
	tests := []struct {
		name        string
		body        string
		user, group int64
	}{
		{"message in a supergroup", `{"update_id":1,"message":{"message_id":1,"date":1,` + from + `,"chat":{"id":-1001234,"type":"supergroup","title":"Coop"},"text":"hi"}}`, 7, -1001234},
		{"message in a group", `{"update_id":1,"message":{"message_id":1,"date":1,` + from + `,"chat":{"id":-42,"type":"group","title":"Coop"},"text":"hi"}}`, 7, -42},
		{"message in private", `{"update_id":1,"message":{"message_id":1,"date":1,` + from + `,"chat":{"id":7,"type":"private"},"text":"hi"}}`, 7, 0},
		{"button in a group", `{"update_id":1,"callback_query":{"id":"q",` + from + `,"chat_instance":"c","data":"x","message":{"message_id":1,"date":1,"chat":{"id":-1001234,"type":"supergroup"}}}}`, 7, -1001234},
		{"button of an inline message", `{"update_id":1,"callback_query":{"id":"q",` + from + `,"chat_instance":"c","data":"x","inline_message_id":"m"}}`, 7, 0},
		{"inline query", `{"update_id":1,"inline_query":{"id":"q",` + from + `,"query":"faq","offset":""}}`, 7, 0},
		{"old group's upgrade notice", `{"update_id":1,"message":{"message_id":1,"date":1,` + from + `,"chat":{"id":-42,"type":"group"},"migrate_to_chat_id":-10042}}`, 7, 0},
		{"new supergroup's upgrade notice", `{"update_id":1,"message":{"message_id":1,"date":1,` + from + `,"chat":{"id":-10042,"type":"supergroup"},"migrate_from_chat_id":-42}}`, 7, -10042},
		{"message without a sender", `{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":-42,"type":"group"},"text":"hi"}}`, 0, 0},
	}
	for _, tt := range tests {
		var u tgbotapi.Update
		if err := json.Unmarshal([]byte(tt.body), &u); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if user, group := actor(u); user != tt.user || group != tt.group {
			t.Errorf("%s: actor = %d, %d; want %d, %d", tt.name, user, group, tt.user, tt.group)
		}
	}
}
