package ambassadors

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

func TestReadApplication(t *testing.T) {
	long := strings.Repeat("é", MaxMotivation+1)
	tests := []struct {
		name                 string
		city, motiv, avail   string
		wantCity, wantKey    string
		wantMotiv, wantAvail string
		wantErr              string
	}{
		{name: "plain", city: "Lyon", motiv: "J'aime", avail: "Samedi",
			wantCity: "Lyon", wantKey: "lyon", wantMotiv: "J'aime", wantAvail: "Samedi"},
		{name: "spaces and lines in the city", city: "  Saint-\u00c9tienne \n  (Loire) ", motiv: "a\r\n\r\n\r\nb", avail: "\tle soir ",
			wantCity: "Saint-Étienne (Loire)", wantKey: "saint etienne loire", wantMotiv: "a\n\nb", wantAvail: "le soir"},
		{name: "abbreviated saint", city: "ST ETIENNE", motiv: "x", avail: "y",
			wantCity: "ST ETIENNE", wantKey: "saint etienne", wantMotiv: "x", wantAvail: "y"},
		{name: "no city", city: "   ", motiv: "x", avail: "y", wantErr: "ambassador.apply.bad_city"},
		{name: "punctuation is no city", city: "?!…", motiv: "x", avail: "y", wantErr: "ambassador.apply.bad_city"},
		{name: "city too long", city: strings.Repeat("a", MaxCity+1), motiv: "x", avail: "y", wantErr: "ambassador.apply.too_long"},
		{name: "no motivation", city: "Lyon", motiv: "\u200b \x00", avail: "y", wantErr: "ambassador.apply.missing"},
		{name: "motivation too long", city: "Lyon", motiv: long, avail: "y", wantErr: "ambassador.apply.too_long"},
		{name: "no availability", city: "Lyon", motiv: "x", avail: "", wantErr: "ambassador.apply.missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := readApplication(map[string]string{fieldCity: tt.city, fieldMotivation: tt.motiv, fieldAvailability: tt.avail})
			if tt.wantErr != "" {
				ue, ok := commands.AsUserError(err)
				if !ok || ue.ID != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := applicationInput{City: tt.wantCity, CityKey: tt.wantKey, Motivation: tt.wantMotiv, Availability: tt.wantAvail}
			if in != want {
				t.Fatalf("got %+v, want %+v", in, want)
			}
		})
	}
}

// Whatever is typed as a city, it is refused with a member's error or
// kept as one line within the limit, with a non-empty key that its own
// folding finds again.
func FuzzReadCity(f *testing.F) {
	for _, s := range []string{"Lyon", "Saint-Étienne", "  ST   ETIENNE\n", "", "?!", "\x00\xff", "Ærø", strings.Repeat("a", 90)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		city, key, err := readCity(raw)
		if err != nil {
			if _, ok := commands.AsUserError(err); !ok {
				t.Fatalf("readCity(%q): %v is not a member's error", raw, err)
			}
			return
		}
		if !utf8.ValidString(city) || strings.ContainsAny(city, "\n\r\t") || city != strings.TrimSpace(city) {
			t.Fatalf("readCity(%q) = %q", raw, city)
		}
		if utf8.RuneCountInString(city) > MaxCity || key == "" {
			t.Fatalf("readCity(%q) = %q, key %q", raw, city, key)
		}
		if !cityMatches(key, key) {
			t.Fatalf("key %q does not find itself", key)
		}
		if again, againKey, err := readCity(city); err != nil || again != city || againKey != key {
			t.Fatalf("readCity is not stable on %q: %q %q %v", city, again, againKey, err)
		}
	})
}

func TestCityMatches(t *testing.T) {
	tests := []struct {
		city, query string
		want        bool
	}{
		{"lyon", "lyon", true},
		{"lyon 7eme", "lyon", true},
		{"auvergne rhone alpes", "rhone", true},
		{"auvergne rhone alpes", "rhone alpes", true},
		{"lyonnais", "lyon", false},
		{"saint etienne", "etienne saint", false},
	}
	for _, tt := range tests {
		if got := cityMatches(tt.city, tt.query); got != tt.want {
			t.Errorf("cityMatches(%q, %q) = %v", tt.city, tt.query, got)
		}
	}
}

func TestParseRoleID(t *testing.T) {
	for in, want := range map[string]string{"123456789012345678": "123456789012345678", " <@&42> ": "42", "abc": "", "": "", "<@&>": "", "12 3": ""} {
		if got, ok := parseRoleID(in); got != want || ok != (want != "") {
			t.Errorf("parseRoleID(%q) = %q, %v", in, got, ok)
		}
	}
}

// The messages the capability names by building their IDs exist in every
// language (the registry's test covers the commands' own texts).
func TestBuiltMessageIDsExist(t *testing.T) {
	cat, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, step := range model.AmbassadorSteps {
		ids = append(ids, "ambassador.step."+step, "ambassador.hint."+step)
	}
	for _, status := range []string{model.ApplicationApproved, model.ApplicationRejected, model.ApplicationRevoked, model.ApplicationWithdrawn} {
		ids = append(ids, "ambassador.decision."+status)
	}
	for _, d := range []string{model.ApplicationApproved, model.ApplicationRejected, model.ApplicationRevoked} {
		ids = append(ids, "ambassador.history."+d)
	}
	for _, kind := range []string{model.ActionGrant, model.ActionRevoke} {
		ids = append(ids, "ambassador.failure."+kind)
		for _, p := range []string{commands.PlatformDiscord, commands.PlatformTelegram, commands.PlatformConsole} {
			ids = append(ids, "ambassador.outcome.done."+kind+"."+platformFamily(p), "ambassador.platform."+p)
		}
	}
	for _, r := range []string{reasonNoRole, reasonNoServer, reasonNoChat, reasonUnsupported, reasonDMRefused, reasonPlatform} {
		ids = append(ids, "ambassador.reason."+r)
	}
	for _, lang := range locales.Supported {
		have := map[string]bool{}
		for _, id := range cat.IDs(lang) {
			have[id] = true
		}
		for _, id := range ids {
			if !have[id] {
				t.Errorf("%s lacks %q", lang, id)
			}
		}
	}
}
