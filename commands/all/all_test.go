package all_test

import (
	"testing"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// Every message a registered command refers to must exist in every
// language, so no member ever sees a message ID.
func TestEveryCommandTextIsLocalized(t *testing.T) {
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	reg := commands.NewRegistry(cat)
	// No database: building the modules must not touch their store.
	for _, m := range all.Modules(commands.Deps{Registry: reg}, (*storage.Store)(nil)) {
		if err := reg.Add(m.Specs...); err != nil {
			t.Fatal(err)
		}
		if err := reg.AddSettings(m.Settings...); err != nil {
			t.Fatal(err)
		}
	}
	var settingIDs []string
	for _, s := range reg.Settings() {
		settingIDs = append(settingIDs, s.NameID())
		for _, c := range s.Choices {
			settingIDs = append(settingIDs, c.NameID)
		}
	}
	for _, lang := range locales.Supported {
		have := map[string]bool{}
		for _, id := range cat.IDs(lang) {
			have[id] = true
		}
		for _, id := range append(reg.MessageIDs(), settingIDs...) {
			if !have[id] {
				t.Errorf("%s.toml lacks %q", lang, id)
			}
		}
	}
	if len(reg.Specs()) == 0 {
		t.Fatal("no command registered")
	}
}
