package discord

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// A press on a poll's button, as Discord posts it: the message comes whole.
const pressOnPoll = `{"id":"1300000000000000001","application_id":"1200000000000000001","type":3,
"data":{"custom_id":"p/v/12/1","component_type":2},
"guild_id":"4000000000000000001","channel_id":"4000000000000000002","app_permissions":"2248473465835073",
"message":{"id":"1300000000000000077","channel_id":"4000000000000000002","content":"","author":{"id":"1200000000000000001","username":"Agora","bot":true},
"embeds":[{"title":"Quelle pizza ?","description":"Margherita 3 · Regina 1","color":3447003,"fields":[{"name":"Votants","value":"4","inline":true}]}],
"components":[{"type":1,"components":[{"type":2,"style":1,"label":"Margherita","custom_id":"p/v/12/0"},{"type":2,"style":1,"label":"Regina","custom_id":"p/v/12/1"}]}],
"timestamp":"2026-12-02T01:00:00.000000+00:00","flags":0},
"member":{"user":{"id":"5000000000000000042","username":"elise","global_name":"Élise"},"nick":"Élise B.","roles":["4000000000000000009"],"joined_at":"2025-03-01T10:00:00.000000+00:00","permissions":"2248473465835073"},
"locale":"fr","guild_locale":"fr","context":0,"authorizing_integration_owners":{"0":"4000000000000000001"},"token":"aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMTp0b2tlbg","version":1,"entitlements":[]}`

func TestDecodeInteraction(t *testing.T) {
	for _, tt := range []struct{ name, body string }{
		{"press on a poll", pressOnPoll},
		{"select in a private chat", `{"id":"2","application_id":"1","type":3,"data":{"custom_id":"m/choix","component_type":3,"values":["a","b"]},"channel_id":"9","message":{"id":"77","channel_id":"9"},"user":{"id":"5","username":"u"},"locale":"en-US","token":"t","version":1}`},
		{"slash command", `{"id":"3","application_id":"1","type":2,"data":{"id":"8","name":"sondage","type":1,"options":[{"name":"creer","type":1,"options":[{"name":"question","type":3,"value":"Quelle pizza ?"}]}]},"guild_id":"4","channel_id":"9","member":{"user":{"id":"5","username":"u"},"roles":[],"permissions":"8"},"locale":"fr","token":"t","version":1}`},
		{"autocomplete", `{"id":"4","application_id":"1","type":4,"data":{"id":"8","name":"faq","type":1,"options":[{"name":"question","type":3,"value":"adh","focused":true}]},"guild_id":"4","channel_id":"9","member":{"user":{"id":"5","username":"u"},"permissions":"0"},"locale":"fr","token":"t","version":1}`},
		{"modal", `{"id":"5","application_id":"1","type":5,"data":{"custom_id":"f/1","components":[{"type":1,"components":[{"type":4,"custom_id":"q","value":"Bonjour"}]}]},"guild_id":"4","channel_id":"9","member":{"user":{"id":"5","username":"u"},"permissions":"0"},"token":"t","version":1}`},
		{"ping", `{"id":"6","application_id":"1","type":1,"token":"t","version":1}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeInteraction([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if want := lightlyDecoded(t, []byte(tt.body)); !reflect.DeepEqual(got, want) {
				t.Errorf("decoded\n%+v\nwant\n%+v", got, want)
			}
		})
	}
	for _, bad := range []string{`{"type":"3"}`, `{"type":3,"data":{"custom_id":3}}`, `[]`, ``} {
		if _, err := decodeInteraction([]byte(bad)); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

// lightlyDecoded is discordgo's own reading of body, with a component's
// message reduced to what decodeInteraction keeps of it.
func lightlyDecoded(t testing.TB, body []byte) *discordgo.Interaction {
	var want discordgo.Interaction
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	if want.Type == discordgo.InteractionMessageComponent && want.Message != nil {
		want.Message = &discordgo.Message{ID: want.Message.ID, ChannelID: want.Message.ChannelID}
	}
	return &want
}

// Whatever reaches the endpoint (signed, but from a client Discord lets
// through), decoding does not panic and reads what discordgo would.
func FuzzDecodeInteraction(f *testing.F) {
	f.Add([]byte(pressOnPoll))
	f.Add([]byte(`{"id":"3","type":2,"data":{"name":"sondage","type":1}}`))
	f.Add([]byte(`{"type":3,"message":null,"data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeInteraction(body)
		var full discordgo.Interaction
		if err != nil || json.Unmarshal(body, &full) != nil {
			return
		}
		if want := lightlyDecoded(t, body); !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded %+v, want %+v", got, want)
		}
	})
}

func BenchmarkDecodePress(b *testing.B) {
	body := []byte(pressOnPoll)
	b.Run("light", func(b *testing.B) {
		for b.Loop() {
			if _, err := decodeInteraction(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("discordgo", func(b *testing.B) {
		for b.Loop() {
			var i discordgo.Interaction
			if err := json.Unmarshal(body, &i); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReadGatewayPress reads a press from its gateway frame as
// discordgo's reader did (wsapi.go: the frame through a json.Decoder, its
// data copied into a string for a debug log, then the whole interaction)
// and as Agora's does.
func BenchmarkReadGatewayPress(b *testing.B) {
	frame := []byte(`{"op":0,"s":42,"t":"INTERACTION_CREATE","d":` + pressOnPoll + `}`)
	b.Run("discordgo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var e *discordgo.Event
			if err := json.NewDecoder(bytes.NewReader(frame)).Decode(&e); err != nil {
				b.Fatal(err)
			}
			_ = string(e.RawData)
			var ic discordgo.InteractionCreate
			if err := json.Unmarshal(e.RawData, &ic); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("agora", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, err := readFrame(frame)
			if err != nil || f.T != "INTERACTION_CREATE" {
				b.Fatal(f.T, err)
			}
			if i, err := decodeInteraction(f.D); err != nil || i.Message == nil {
				b.Fatal(i, err)
			}
		}
	})
}
