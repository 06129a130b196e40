package welcome_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands/welcome"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

// A newcomer is greeted once per community, in their language, with the
// default texts until moderators write their own.
func TestNewcomersAreGreetedOnceInTheirLanguage(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
:user lea
:arrivee
:arrivee
:chat annonces
:arrivee
:user sam
:langue en
:arrivee
`)
	consoletest.Contains(t, out,
		"> lea: :arrivee", "👋 Bienvenue dans general, lea !",
		"présentez-vous en quelques mots dans ce salon",
		"Notre charte", "1. Respect : on discute des idées, jamais des personnes.",
		"Devenez ambassadeur·rice : /ambassadeur postuler",
		"> sam: :arrivee", "👋 Welcome to general, sam!", "Our charter", "1. Respect: we discuss ideas",
		"Become an ambassador: /ambassador apply",
	)
	if n := strings.Count(out, "Bienvenue dans general, lea"); n != 1 {
		t.Fatalf("lea was greeted %d times, want once:\n%s", n, out)
	}
}

// Moderators write the welcome text and the charter, as an option or in a
// form, preview them, and go back to the defaults; members cannot.
func TestModeratorsWriteTheWelcomeTextAndCharter(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/bienvenue charte Pas de pub.
:role moderateur
/bienvenue charte Respect, entraide et *bonne humeur*.
/bienvenue texte
:formulaire texte="Présentez-vous dans #general !"
/bienvenue apercu
:chat moderation
/communaute salon objectif:moderation
:user zoe
:arrivee
:chat general
:arrivee
:user camille
/bienvenue texte
/annuler
/bienvenue reinitialiser quoi:charte
:user noe
:arrivee
`)
	consoletest.Contains(t, out,
		"> camille: /bienvenue charte Pas de pub.", "Il faut être modérateur·rice pour utiliser cette commande.",
		"Charte enregistrée.", "Respect, entraide et *bonne humeur*.",
		"> camille: /bienvenue texte", "Écrivez le texte de bienvenue", "texte: Texte de bienvenue",
		"Texte de bienvenue enregistré.", "Présentez-vous dans #general !",
		"> camille: /bienvenue apercu", "Aperçu du message d'accueil :", "Bienvenue dans general, Camille",
		"Présentez-vous dans #general !", "Notre charte", "Respect, entraide et *bonne humeur*.",
		// Nobody is greeted in the moderators' chat; the same person is in a general one.
		"> zoe: :arrivee", "> zoe: :chat general", "> zoe: :arrivee", "Bienvenue dans general, zoe",
		"Présentez-vous dans #general !", "Respect, entraide et *bonne humeur*.",
		"> camille: /bienvenue reinitialiser quoi:charte", "La charte par défaut d'Agora est rétablie",
		"> noe: :arrivee", "Bienvenue dans general, noe", "Présentez-vous dans #general !", "1. Respect : on discute des idées",
	)
	if strings.Contains(out[:strings.Index(out, "> zoe: :chat general")], "Bienvenue zoe") {
		t.Fatalf("zoe was greeted in the moderators' chat:\n%s", out)
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Bonjour  ", "Bonjour"},
		{"Ligne 1\r\nLigne 2", "Ligne 1\nLigne 2"},
		{"Un\n\n\n\n  \nDeux", "Un\n\nDeux"},
		{"\n\nTitre\t:\tvaleur  \n", "Titre : valeur"},
		{"sans\u0000nul\u202eretour", "sansnulretour"},
		{"famille 👨\u200d👩\u200d👧", "famille 👨\u200d👩\u200d👧"},
		{"\u2028\u2029", ""},
		{"abc\xffdef", "abcdef"},
	}
	for _, tt := range tests {
		if got := welcome.CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Whatever moderators type, the text kept is valid, has no control
// characters but line breaks, no blank line twice, and is never longer.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "Respect\n\n\nEntraide", "a\r\nb\rc", "\x00\u202e\t", "é\u0301", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := welcome.CleanText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if len(got) > len(s)+len(s)/2 {
			t.Fatalf("CleanText(%q) grew to %q", s, got)
		}
		for _, r := range got {
			if r != '\n' && unicode.IsControl(r) {
				t.Fatalf("control character %U kept from %q", r, s)
			}
		}
		if strings.Contains(got, "\n\n\n") || got != strings.TrimSpace(got) {
			t.Fatalf("CleanText(%q) = %q", s, got)
		}
		if welcome.CleanText(got) != got {
			t.Fatalf("CleanText is not stable on %q", got)
		}
	})
}
