package search

import (
	"slices"
	"strings"
)

// LooksLikeQuestion tells whether a chat message reads as a question, in
// French or English: it has a question mark, or opens (after a greeting or
// a mention) with an interrogative word or phrase ("comment", "est-ce que",
// "peut-on", "how", "can I"...). It is the gate for answering automatically
// in a chat, so it leans towards "no" where a statement is as likely: an
// imperative like "contactez-nous" or "quand je commande, ça bloque" is not
// a question.
func LooksLikeQuestion(text string) bool {
	if strings.ContainsAny(text, "?¿？") {
		return true
	}
	ws := openingWords(text)
	if len(ws) == 0 {
		return false
	}
	next := func(i int) string {
		if i < len(ws) {
			return ws[i]
		}
		return ""
	}
	first, second := ws[0], next(1)

	switch first {
	case "comment", "pourquoi", "combien", "quel", "quelle", "quels", "quelles",
		"lequel", "laquelle", "lesquels", "lesquelles", "qui", "quoi",
		"how", "what", "why", "when", "where", "who", "whom", "whose", "which":
		return true
	case "ou":
		// Folded, "où" (where) and "ou" (or) are the same word; "or" does
		// not open a sentence with a verb behind it.
		return slices.Contains(frenchWhereVerbs, second)
	case "quand":
		// "Quand je commande, ..." is a statement; "quand a lieu l'AG" and
		// "quand est-ce que" are questions.
		return !slices.Contains(frenchSubjects, second)
	case "que":
		return slices.Contains(frenchQueVerbs, second)
	case "est":
		return second == "ce" // "est-ce que", "est ce qu'on"
	case "qu":
		return second == "est" // "qu'est-ce que"
	case "c":
		return second == "est" && next(2) == "quoi" || second == "quoi" // "c'est quoi", "c quoi"
	case "y":
		return second == "a" && next(2) == "t" // "y a-t-il"
	}
	if slices.Contains(englishAuxiliaries, first) && slices.Contains(englishSubjects, second) {
		return !(first == "do" && second == "it") // "do it now" is an order
	}
	for _, p := range indirectQuestions {
		if slices.Equal(ws[:min(len(ws), len(p))], p) {
			return true
		}
	}
	return hasInversion(text)
}

// openingWords returns the first folded words of text, after mentions and
// greetings ("@Agora bonjour, comment...").
func openingWords(text string) []string {
	var kept []string
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "@") || strings.HasPrefix(f, "<@") {
			continue
		}
		kept = append(kept, f)
		if len(kept) == 12 {
			break
		}
	}
	ws := words(fold(strings.Join(kept, " ")))
	for len(ws) > 0 && slices.Contains(greetings, ws[0]) {
		ws = ws[1:]
	}
	return ws
}

// hasInversion finds a French verb with its subject pronoun after it,
// hyphenated, among the first words: "peut-on", "puis-je", "faut-il",
// "avez-vous", "y a-t-il". "-nous" and "-vous" are also imperatives
// ("contactez-nous", "inscrivez-vous"), so only verbs that are not used so
// count with them.
func hasInversion(text string) bool {
	fs := strings.Fields(fold(text))
	for len(fs) > 0 && (strings.HasPrefix(fs[0], "@") || strings.HasPrefix(fs[0], "<@") ||
		slices.Contains(greetings, strings.Trim(fs[0], ",.!:;"))) {
		fs = fs[1:]
	}
	for _, f := range fs[:min(len(fs), 3)] {
		parts := strings.Split(strings.Trim(f, ",.!:;"), "-")
		if len(parts) < 2 {
			continue
		}
		verb, pronoun := parts[0], parts[len(parts)-1]
		switch pronoun {
		case "je", "tu", "il", "elle", "on", "ils", "elles":
			return true
		case "nous", "vous":
			return slices.Contains(interrogativeVerbs, verb)
		}
	}
	return false
}

var greetings = []string{"bonjour", "bonsoir", "salut", "coucou", "hello", "hi", "hey", "yo", "re", "svp", "stp", "please", "excusez", "pardon", "dites", "dis", "alors"}

var frenchSubjects = []string{"je", "j", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "ca", "c"}

var frenchWhereVerbs = []string{"est", "sont", "se", "puis", "peut", "peux", "faut", "trouver", "trouve", "en", "va", "vont", "dois", "doit", "sera", "a", "ont", "aller"}

var frenchQueVerbs = []string{"faire", "se", "dois", "doit", "devons", "faut", "puis", "peut", "peux", "signifie", "veut", "deviennent", "devient", "fait", "fais", "faites", "pensez", "penses"}

var interrogativeVerbs = []string{"avez", "avons", "pouvez", "pouvons", "savez", "etes", "sommes", "voulez", "connaissez", "devons", "devez", "allez", "acceptez", "livrez", "proposez", "vendez", "faites"}

var englishAuxiliaries = []string{"can", "could", "do", "does", "did", "is", "are", "am", "was", "were", "will", "would", "should", "shall", "may", "might", "has", "have"}

var englishSubjects = []string{"i", "we", "you", "they", "he", "she", "it", "there", "the", "a", "an", "my", "our", "your", "this", "that", "someone", "anyone", "anybody", "somebody", "members", "people"}

// indirectQuestions are openings that announce a question without its
// grammar: "je voudrais savoir si...".
var indirectQuestions = [][]string{
	{"je", "voudrais", "savoir"}, {"j", "aimerais", "savoir"}, {"je", "me", "demande"},
	{"je", "me", "demandais"}, {"quelqu", "un", "sait"}, {"qqn", "sait"},
	{"i", "wonder"}, {"does", "anyone", "know"}, {"anyone", "know"}, {"any", "idea"},
}
