package all_test

import (
	"testing"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/locales"
)

// Every message a registered command refers to must exist in every
// language, so no member ever sees a message ID.
func TestEveryCommandTextIsLocalized(t *testing.T) {
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	reg := commands.NewRegistry(cat)
	for _, m := range all.Modules(commands.Deps{Registry: reg}) {
		if err := reg.Add(m.Specs...); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range locales.Supported {
		have := map[string]bool{}
		for _, id := range cat.IDs(lang) {
			have[id] = true
		}
		for _, id := range reg.MessageIDs() {
			if !have[id] {
				t.Errorf("%s.toml lacks %q", lang, id)
			}
		}
	}
	if len(reg.Specs()) == 0 {
		t.Fatal("no command registered")
	}
}
