package polls

import (
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/frdate"
	"github.com/agora-community/agora/locales"
)

// deadlineFixture is Monday 7 December 2026, 10:00 in Paris, with a French
// localizer.
func deadlineFixture(t testing.TB) (*locales.Localizer, time.Time, *time.Location) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	return catalog.Localizer(paris, "fr"), time.Date(2026, 12, 7, 10, 0, 0, 0, paris), paris
}

func TestParseDeadline(t *testing.T) {
	l, now, paris := deadlineFixture(t)
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, paris) }
	tests := []struct {
		in   string
		want time.Time // or, when zero, the refusal's message ID
		id   string
		date string // part of the date understood, in the refusal
		day  string // the day understood, when the time is missing
	}{
		// A time of day alone is today's, or tomorrow's once passed.
		{in: "18h", want: at(7, 18, 0)},
		{in: "18h30", want: at(7, 18, 30)},
		{in: "18:30", want: at(7, 18, 30)},
		{in: "à 18h", want: at(7, 18, 0)},
		{in: "9h", want: at(8, 9, 0)},
		{in: "2h", want: at(8, 2, 0)},
		{in: "3h30", want: at(8, 3, 30)},
		{in: "18h 30", want: at(7, 18, 30)}, // as "18 h 30" and "18h30", never 18 h 30 min from now
		{in: "18 h 30", want: at(7, 18, 30)},
		// "N heures" too; after "dans" it is a duration.
		{in: "9 heures", want: at(8, 9, 0)},
		{in: "à 9 heures", want: at(8, 9, 0)},
		{in: "2 heures", want: at(8, 2, 0)},
		{in: "demain à 9 heures", want: at(8, 9, 0)},
		{in: "dans 9 heures", want: now.Add(9 * time.Hour)},
		// Durations have "dans" or a unit other than a lone "h".
		{in: "dans 2h", want: now.Add(2 * time.Hour)},
		{in: "dans 3h30", want: now.Add(3*time.Hour + 30*time.Minute)},
		{in: "dans 2 heures", want: now.Add(2 * time.Hour)},
		{in: "3h 30min", want: now.Add(3*time.Hour + 30*time.Minute)},
		{in: "dans 18h 30", want: now.Add(18*time.Hour + 30*time.Minute)},
		{in: "2j", want: now.Add(48 * time.Hour)},
		{in: "90min", want: now.Add(90 * time.Minute)},
		{in: "dans une heure", want: now.Add(time.Hour)},
		{in: "une heure", want: now.Add(time.Hour)}, // counted in words: a duration
		{in: "in an hour", want: now.Add(time.Hour)},
		// Dates.
		{in: "samedi 18h30", want: at(12, 18, 30)},
		{in: "demain 19h", want: at(8, 19, 0)},
		{in: "lundi prochain 11h", want: at(14, 11, 0)}, // never today
		{in: "ce soir 20h", want: at(7, 20, 0)},
		{in: "demain soir 8h", want: at(8, 20, 0)},
		{in: "12 déc. 18h", want: at(12, 18, 0)},
		// English, whatever the member's language.
		{in: "tomorrow 6pm", want: at(8, 18, 0)},
		{in: "6pm", want: at(7, 18, 0)},
		{in: "noon", want: at(7, 12, 0)},
		{in: "midnight", want: at(8, 0, 0)},
		{in: "saturday 6pm", want: at(12, 18, 0)},
		{in: "tomorrow 18:00", want: at(8, 18, 0)},
		{in: "next monday 9am", want: at(14, 9, 0)},
		{in: "dec 12 6pm", want: at(12, 18, 0)},
		{in: "12 december 18:00", want: at(12, 18, 0)},
		{in: "in 2 hours", want: now.Add(2 * time.Hour)},
		{in: "12/12/2026 18h30", want: at(12, 18, 30)},
		{in: "12 décembre 18h30", want: at(12, 18, 30)},
		{in: "2026-12-12T18:30", want: at(12, 18, 30)},
		{in: "2026-12-12 18:30", want: at(12, 18, 30)},
		// Refusals say what was understood, and the limit.
		{in: "12/11 18h", id: "poll.deadline_past", date: "jeudi 12 novembre"},
		{in: "aujourd'hui 9h", id: "poll.deadline_past", date: "lundi 7 décembre"},
		{in: "12/12/2027 18h30", id: "poll.deadline_date_too_far", date: "dimanche 12 décembre"},
		{in: "hier 10h", id: "poll.deadline_past", date: "dimanche 6 décembre à 10h00"},
		{in: "hier", id: "poll.deadline_past", date: "dimanche 6 décembre"},
		{in: "samedi 13 décembre 18h", id: "poll.deadline_wrong_weekday"},
		{in: "31/02 10h", id: "poll.deadline_no_such_day"},
		{in: "31/02", id: "poll.deadline_no_such_day"},
		{in: "400j", id: "poll.deadline_too_long"},
		{in: "dans 53 semaines", id: "poll.deadline_too_long"},
		{in: "30s", id: "poll.deadline_too_soon"},
		{in: "0j", id: "poll.deadline_too_soon"},
		{in: "dans 0h", id: "poll.deadline_too_soon"},
		{in: "0h", want: at(8, 0, 0)}, // midnight, as "18h" is 18:00
		// A day without a time is told back, and the hour asked for.
		{in: "12/12", id: "poll.deadline_no_time", day: "samedi 12 décembre"},
		{in: "samedi", id: "poll.deadline_no_time", day: "samedi 12 décembre"},
		{in: "demain", id: "poll.deadline_no_time", day: "mardi 8 décembre"},
		{in: "lundi prochain", id: "poll.deadline_no_time", day: "lundi 14 décembre"},
		{in: "2026-12-24", id: "poll.deadline_no_time", day: "jeudi 24 décembre"},
		{in: "25 décembre", id: "poll.deadline_no_time", day: "vendredi 25 décembre"},
		{in: "aujourd'hui", id: "poll.deadline_no_time", day: "lundi 7 décembre"},
		{in: "ce soir", id: "poll.deadline_no_time", day: "lundi 7 décembre"},
		{in: "demain matin", id: "poll.deadline_no_time", day: "mardi 8 décembre"},
		{in: "demain soir", id: "poll.deadline_no_time", day: "mardi 8 décembre"},
		{in: "vendredi soir", id: "poll.deadline_no_time", day: "vendredi 11 décembre"},
		{in: "hier soir", id: "poll.deadline_past", date: "dimanche 6 décembre"},
		{in: "1 mois", id: "poll.deadline_months"},
		{in: "dans un mois", id: "poll.deadline_months"},
		{in: "tomorrow", id: "poll.deadline_no_time", day: "mardi 8 décembre"},
		{in: "friday evening", id: "poll.deadline_no_time", day: "vendredi 11 décembre"},
		{in: "yesterday 6pm", id: "poll.deadline_past", date: "dimanche 6 décembre à 18h00"},
		{in: "in a month", id: "poll.deadline_months"},
		{in: "12/11", id: "poll.deadline_past", date: "jeudi 12 novembre"}, // over: past, whatever the hour
		{in: "la semaine des quatre jeudis", id: "poll.deadline_unreadable"},
	}
	for _, tt := range tests {
		got, err := parseDeadline(l, tt.in, now, paris)
		if tt.id == "" {
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("parseDeadline(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			continue
		}
		ue, ok := commands.AsUserError(err)
		if !ok || ue.ID != tt.id {
			t.Errorf("parseDeadline(%q) = %v, %v; want %s", tt.in, got, err, tt.id)
			continue
		}
		if date, _ := ue.Data["Date"].(string); !strings.Contains(date, tt.date) {
			t.Errorf("parseDeadline(%q) understood %q, want %q", tt.in, date, tt.date)
		}
		if day, _ := ue.Data["Day"].(string); day != tt.day {
			t.Errorf("parseDeadline(%q) understood the day %q, want %q", tt.in, day, tt.day)
		}
		if strings.Contains(tt.id, "far") || strings.Contains(tt.id, "long") {
			if ue.Data["Max"] != 366 {
				t.Errorf("parseDeadline(%q) limit %v, want 366 days", tt.in, ue.Data["Max"])
			}
		}
	}
}

// The two limits a member meets, for a date and for a duration, are one.
func TestDeadlineLimitsAgree(t *testing.T) {
	if frdate.MaxAhead != commands.MaxDuration {
		t.Fatalf("frdate.MaxAhead %v, commands.MaxDuration %v", frdate.MaxAhead, commands.MaxDuration)
	}
}

// The refusals read as the issue asked, in French and in English.
func TestDeadlineRefusalMessages(t *testing.T) {
	_, now, paris := deadlineFixture(t)
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ lang, in, want string }{
		{"fr", "12/11 18h", "«\u00a012/11 18h\u00a0» se lit jeudi 12 novembre"},
		{"fr", "12/11 18h", "à 18h00, qui est passé. Écrivez une date à venir"},
		{"fr", "400j", "«\u00a0400j\u00a0» est trop long\u00a0: la clôture doit être dans 366\u00a0jours au plus."},
		{"en", "12/11 18h", "“12/11 18h” reads as Thursday 12 November"},
		{"en", "400j", "the deadline must be at most 366 days away."},
		{"fr", "samedi 13 décembre 18h", "«\u00a0samedi 13 décembre 18h\u00a0» ne va pas\u00a0: le 13 décembre est un dimanche, pas un samedi. Corrigez le jour ou la date."},
		{"fr", "mardi 1/12/2027 18h", "le 1er décembre 2027 est un mercredi, pas un mardi."},
		{"en", "samedi 13 décembre 18h", "“samedi 13 décembre 18h” does not match: 13 December is a Sunday, not a Saturday."},
		{"fr", "31/02 10h", "«\u00a031/02 10h\u00a0»\u00a0: il n'y a pas de 31 février. Écrivez une date qui existe."},
		{"fr", "29/02/2027 10h", "il n'y a pas de 29 février 2027."},
		{"en", "31/02 10h", "“31/02 10h”: there is no 31 February. Write a date that exists."},
		{"fr", "1 mois", "«\u00a01 mois\u00a0»\u00a0: un mois n'a pas de durée fixe. Écrivez la date de clôture (12/01 18h) ou une durée en jours ou en semaines (30j, 4\u00a0semaines)."},
		{"en", "tomorrow", "“tomorrow” reads as Tuesday 8 December, but without a time: when should the poll close? Add it, for example “tomorrow 6:30pm”."},
		{"en", "someday", "Write a time of day (6pm or 18:30: today, or tomorrow once passed), a coming date (saturday 6pm, tomorrow 9am, dec 12 6pm,"},
		{"en", "1 mois", "“1 mois”: a month has no fixed length."},
		{"fr", "hier 10h", "«\u00a0hier 10h\u00a0» se lit dimanche 6 décembre à 10h00, qui est passé."},
		{"fr", "samedi", "«\u00a0samedi\u00a0» se lit samedi 12 décembre, mais sans heure\u00a0: à quelle heure clore le sondage\u202f? Ajoutez-la, par exemple «\u00a0samedi 18h30\u00a0»."},
		{"en", "samedi", "“samedi” reads as Saturday 12 December, but without a time: when should the poll close? Add it, for example “samedi 6:30pm”."},
	}
	for _, tt := range tests {
		l := catalog.Localizer(paris, tt.lang)
		_, err := parseDeadline(l, tt.in, now, paris)
		ue, ok := commands.AsUserError(err)
		if !ok {
			t.Fatalf("parseDeadline(%q) = %v", tt.in, err)
		}
		if got := l.S(ue.ID, ue.Data); !strings.Contains(got, tt.want) {
			t.Errorf("%s %q: %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

func FuzzParseDeadline(f *testing.F) {
	for _, s := range []string{"18h", "dans 2h", "2j", "samedi 18h30", "12/11 18h", "400j", "2026-12-12T18:30", "3h 30min", "18h 30", "dans 18h 30", "9 heures", "dans 9 heures", "samedi", "12/11", "samedi 13 décembre 18h", "31/02 10h", "hier", "0j", "ce soir", "dans une heure", "1 mois", "tomorrow 6pm", "next monday 9am", "dec 12 6pm"} {
		f.Add(s)
	}
	l, now, paris := deadlineFixture(f)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseDeadline(l, s, now, paris)
		if err != nil {
			if _, ok := commands.AsUserError(err); !ok {
				t.Fatalf("parseDeadline(%q): not a user error: %v", s, err)
			}
			return
		}
		if got.Sub(now) < time.Minute || got.Sub(now) > commands.MaxDuration {
			t.Fatalf("parseDeadline(%q) = %v, out of range", s, got)
		}
	})
}
