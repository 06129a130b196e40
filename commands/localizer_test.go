package commands

import (
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

func TestCommunityLocalizer(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		community model.Community
		langs     []string
		wantLang  string
		wantZone  *time.Location
	}{
		{"community's language and zone", model.Community{Locale: "en", Timezone: "Europe/Paris"}, nil, "en", paris},
		{"unknown zone falls back to UTC", model.Community{Locale: "en", Timezone: "Mars/Olympus"}, nil, "en", time.UTC},
		{"explicit language wins", model.Community{Locale: "fr", Timezone: "UTC"}, []string{"en"}, "en", time.UTC},
		{"empty language falls back to the community's", model.Community{Locale: "en", Timezone: "UTC"}, []string{""}, "en", time.UTC},
		{"unspoken language falls back to the community's", model.Community{Locale: "en", Timezone: "UTC"}, []string{"de"}, "en", time.UTC},
		{"first spoken language wins", model.Community{Locale: "fr", Timezone: "UTC"}, []string{"", "en-GB", "fr"}, "en", time.UTC},
		{"nothing spoken falls back to the catalog's", model.Community{Locale: "de", Timezone: "UTC"}, []string{"es"}, "fr", time.UTC},
	}
	now := time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := CommunityLocalizer(catalog, tt.community, now, tt.langs...)
			if l.Lang() != tt.wantLang {
				t.Errorf("language %q, want %q", l.Lang(), tt.wantLang)
			}
			if l.Location().String() != tt.wantZone.String() {
				t.Errorf("zone %v, want %v", l.Location(), tt.wantZone)
			}
			// Dated now: a day of now's year goes without the year, whatever
			// the machine's date.
			if got := l.Date(time.Date(2031, 3, 1, 12, 0, 0, 0, time.UTC)); strings.Contains(got, "2031") {
				t.Errorf("date %q names now's year", got)
			}
		})
	}
}

func TestCommunityLocalizerLeavesLangsAlone(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	langs := make([]string, 1, 2)
	langs[0] = "en"
	CommunityLocalizer(catalog, model.Community{Locale: "fr", Timezone: "UTC"}, time.Time{}, langs...)
	if extra := langs[:2][1]; extra != "" {
		t.Errorf("the caller's slice was written: %q", extra)
	}
}

func TestSettingDisplay(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	fr := catalog.Localizer(nil, "fr")
	plain := Setting{Key: "x.plain"}
	chosen := Setting{Key: "x.chosen", Choices: []Choice{{Value: "moderator", NameID: "role.moderator"}}}
	shown := Setting{Key: "x.shown", Show: func(l *locales.Localizer, v string) string { return "<" + v + ">" }}
	for _, c := range []struct {
		setting     Setting
		value, want string
	}{
		{plain, "60", "60"},
		{plain, "", "aucune valeur"},
		{chosen, "moderator", fr.S("role.moderator")},
		{shown, "", "<>"},
	} {
		if got := c.setting.Display(fr, c.value); got != c.want {
			t.Errorf("%s %q shows as %q, want %q", c.setting.Key, c.value, got, c.want)
		}
	}
}
