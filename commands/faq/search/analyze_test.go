package search

import (
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Événement", "evenement"},
		{"ÇA COÛTE", "ca coute"},
		{"œuvre Cœur", "oeuvre coeur"},
		{"naïve Noël", "naive noel"},
		{"e\u0301te\u0301", "ete"}, // accents typed as combining marks
		{"Straße", "strasse"},
		{"한국 Ёлка", "한국 ёлка"}, // other scripts: lowercased, not decomposed
		{"déjà-vu, l'été !", "deja-vu, l'ete !"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		name, lang, text string
		want             []string // stems
	}{
		{"elision and stop words", "fr", "Qu'est-ce que l'adhésion ?", []string{"adhes"}},
		{"accents do not change the stem", "fr", "événement evenement Evénements", []string{"even", "even", "even"}},
		{"plurals and verb forms", "fr", "parts part voter votes", []string{"part", "part", "vot", "vot"}},
		{"polite wrapping is dropped", "fr", "Bonjour, je voudrais savoir comment voter svp merci", []string{"vot"}},
		{"chat abbreviations", "fr", "rdv pr l'AG", []string{"rend", "assemble", "general"}},
		{"English", "en", "How do I reset my passwords?", []string{"reset", "password"}},
		{"unknown language keeps folded words", "de", "Grüße Mitglieder", []string{"grusse", "mitglieder"}},
		{"nothing to keep", "fr", "?!", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, term := range newAnalyzer(tt.lang).terms(tt.text) {
				got = append(got, term.stem)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("terms(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"case, accents, punctuation", "Comment voter à l'AG ?", "comment voter a l'ag", true},
		{"word order and plural", "frais de livraison", "livraisons : les frais", true},
		{"verb form", "Comment adhérer à la coopérative ?", "adhère coopérative", true},
		{"different questions", "Comment voter ?", "Comment payer ?", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			na, nb := Normalize(tt.a, "fr"), Normalize(tt.b, "fr")
			if (na == nb) != tt.same {
				t.Errorf("Normalize(%q) = %q, Normalize(%q) = %q, want same=%v", tt.a, na, tt.b, nb, tt.same)
			}
		})
	}
}
