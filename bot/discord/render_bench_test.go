package discord

import (
	"strings"
	"testing"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
)

// BenchmarkRenderMessages renders a poll-sized answer: 40 lines of member
// text with styles, and 12 buttons.
func BenchmarkRenderMessages(b *testing.B) {
	var lines []markup.Text
	for range 40 {
		lines = append(lines, "*"+markup.Escape("Option **proposée** par @camille <3")+"* : "+markup.Escape("12 votes (30 %)"))
	}
	r := &commands.Response{Text: markup.Join(lines, "\n"), Buttons: buttons(12)}
	b.ReportAllocs()
	for b.Loop() {
		renderMessages(r)
	}
}

// BenchmarkRenderLong renders 20,000 characters of escaped member text,
// split into messages.
func BenchmarkRenderLong(b *testing.B) {
	t := markup.Escape(strings.Repeat("Une ligne écrite par un membre, avec *des* _signes_ #1.\n", 350))
	b.ReportAllocs()
	for b.Loop() {
		renderChunks(t, maxContent)
	}
}
