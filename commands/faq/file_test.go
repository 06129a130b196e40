package faq

import (
	"reflect"
	"strings"
	"testing"

	"github.com/agora-community/agora/model"
)

func TestParseFileReadsEntries(t *testing.T) {
	data := `# Une FAQ
- id: 3
  question: "  Comment   devenir membre ?  "
  formulations:
    - Comment adhérer ?
    - comment ADHÉRER ?
    - ""
  tags: adhésion, inscription
  reponse: |
    Remplissez le *formulaire*.   

    Puis achetez une part.
  en:
    question: How do I join?
    answer: Fill in the form.
- langue: en
  question: Where is the shop?
  answer: 12 High Street.
  fr:
    question: Où est le local ?
    reponse: 12 rue Haute.
- question: Quand ?
  reponse: ~
`
	entries, problems := parseFile([]byte(data))
	if len(problems) != 1 || problems[0].line != 23 || problems[0].ID != "faq.missing_answer" {
		t.Fatalf("problems = %+v, want the missing answer on line 23", problems)
	}
	data = strings.Replace(data, "reponse: ~", "reponse: Bientôt.", 1)
	entries, problems = parseFile([]byte(data))
	if len(problems) != 0 {
		t.Fatalf("problems = %+v", problems)
	}
	texts := func(e fileEntry) []model.FAQText {
		var out []model.FAQText
		for _, t := range e.texts {
			out = append(out, t.FAQText)
		}
		return out
	}
	want := [][]model.FAQText{
		{
			{Lang: "fr", Question: "Comment devenir membre ?", Phrasings: []string{"Comment adhérer ?"}, Tags: []string{"adhésion", "inscription"},
				Answer: "Remplissez le *formulaire*.\n\nPuis achetez une part."},
			{Lang: "en", Question: "How do I join?", Answer: "Fill in the form."},
		},
		{
			{Lang: "en", Question: "Where is the shop?", Answer: "12 High Street."},
			{Lang: "fr", Question: "Où est le local ?", Answer: "12 rue Haute."},
		},
		{{Lang: "fr", Question: "Quand ?", Answer: "Bientôt."}},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(entries), len(want))
	}
	for i := range want {
		if got := texts(entries[i]); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("entry %d = %+v\nwant %+v", i, got, want[i])
		}
	}
	if entries[0].id != 3 || entries[0].line != 2 || entries[1].id != 0 || entries[2].line != 22 {
		t.Errorf("ids and lines = %d@%d, %d@%d, @%d", entries[0].id, entries[0].line, entries[1].id, entries[1].line, entries[2].line)
	}
}

// Every problem is reported with its line, and one problem refuses the
// whole file.
func TestParseFileRefusals(t *testing.T) {
	long := strings.Repeat("é", MaxQuestion+1)
	tests := []struct {
		name string
		data string
		want []string // "line:message ID"
	}{
		{"empty", "", []string{"0:faq.import_empty"}},
		{"comment only", "# rien\n", []string{"0:faq.import_empty"}},
		{"null", "~\n", []string{"0:faq.import_empty"}},
		{"not utf-8", "- question: \xff\n", []string{"0:faq.import_not_utf8"}},
		{"too large", strings.Repeat("#", MaxImportBytes+1), []string{"0:faq.import_too_large"}},
		{"syntax", "- question: Q ?\n  reponse: R\n- question: P ?\n  reponse: [R\n", []string{"3:faq.import_syntax"}},
		{"bad indentation", "- question: Q ?\n  reponse: R\n- question: P ?\n reponse: R\n", []string{"3:faq.import_syntax"}},
		{"two documents", "- question: A ?\n  reponse: B\n---\n- question: C ?\n  reponse: D\n", []string{"3:faq.import_several_documents"}},
		{"a mapping", "question: Q ?\nreponse: R\n", []string{"1:faq.import_not_a_list"}},
		{"an entry not a mapping", "- Q ?\n", []string{"1:faq.import_entry_not_mapping"}},
		{"aliases", "- question: &q Q ?\n  reponse: R\n- question: *q\n  reponse: S\n", []string{"1:faq.import_alias", "3:faq.import_alias"}},
		{"unknown key", "- question: Q ?\n  reponse: R\n  auteur: moi\n", []string{"3:faq.import_unknown_key"}},
		{"key twice", "- question: Q ?\n  reponse: R\n  answer: S\n", []string{"3:faq.import_duplicate_key"}},
		{"bad id", "- id: douze\n  question: Q ?\n  reponse: R\n- id: 012\n  question: P ?\n  reponse: R\n", []string{"1:faq.import_bad_id", "4:faq.import_bad_id"}},
		{"id twice", "- id: 1\n  question: Q ?\n  reponse: R\n- id: 1\n  question: P ?\n  reponse: R\n", []string{"4:faq.import_duplicate_id"}},
		{"question not text", "- question: [a, b]\n  reponse: R\n", []string{"1:faq.import_not_text"}},
		{"phrasings not a list", "- question: Q ?\n  reponse: R\n  formulations: {a: b}\n", []string{"3:faq.import_not_list"}},
		{"version not a mapping", "- question: Q ?\n  reponse: R\n  en: Q?\n", []string{"3:faq.import_version_not_mapping"}},
		{"version with an id", "- question: Q ?\n  reponse: R\n  en:\n    id: 3\n", []string{"4:faq.import_unknown_key"}},
		{"language twice", "- langue: en\n  question: Q?\n  reponse: R\n  en:\n    question: P?\n    reponse: S\n", []string{"4:faq.import_lang_twice"}},
		{"unknown language", "- langue: de\n  question: Q?\n  reponse: R\n", []string{"1:faq.bad_lang"}},
		{"empty entry", "- id: 4\n", []string{"1:faq.import_empty_entry"}},
		{"no question", "- reponse: R\n", []string{"1:faq.missing_question"}},
		{"question too long", "- reponse: R\n  question: " + long + "\n", []string{"2:faq.question_too_long"}},
		{"answer too long", "- question: Q ?\n  reponse: " + strings.Repeat("x", MaxAnswer+1) + "\n", []string{"2:faq.answer_too_long"}},
		{"tag too long", "- question: Q ?\n  reponse: R\n  tags: [" + strings.Repeat("t", MaxTag+1) + "]\n", []string{"3:faq.tag_too_long"}},
		{"duplicate questions", "- question: Comment adhérer ?\n  reponse: R\n- question: comment ADHERER\n  reponse: S\n",
			[]string{"3:faq.import_duplicate"}},
		{"several problems", "- question: Q ?\n- reponse: R\n- question: P ?\n  reponse: S\n  x: y\n",
			[]string{"1:faq.missing_answer", "2:faq.missing_question", "5:faq.import_unknown_key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, problems := parseFile([]byte(tt.data))
			var got []string
			for _, p := range problems {
				got = append(got, itoa(int64(p.line))+":"+p.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("problems = %v, want %v", got, tt.want)
			}
			if entries != nil {
				t.Fatalf("a refused file gave entries: %+v", entries)
			}
		})
	}
}

func TestParseFileTooManyEntries(t *testing.T) {
	var b strings.Builder
	for i := range MaxImportEntries + 1 {
		b.WriteString("- question: Q" + itoa(int64(i)) + " ?\n  reponse: R\n")
	}
	_, problems := parseFile([]byte(b.String()))
	if len(problems) != 1 || problems[0].ID != "faq.import_too_many" {
		t.Fatalf("problems = %+v", problems)
	}
}

// What writeFile writes, parseFile reads back as it was.
func TestWriteFileRoundTrip(t *testing.T) {
	entries := []model.FAQEntry{
		{ID: 1, Texts: []model.FAQText{
			{Lang: "fr", Question: "Qu'est-ce que c'est : un « test » ?", Phrasings: []string{"yes", "null", "- tiret", "# dièse"},
				Tags: []string{"a", "b c", "123"}, Answer: "Ligne *un*\n\n  indentée\nfin: oui\n- liste\n#pas un commentaire"},
			{Lang: "en", Question: "What is it?", Answer: "A test: `code` and _italics_."},
		}},
		{ID: 7, Texts: []model.FAQText{{Lang: "en", Question: "English only?", Answer: "Yes."}}},
		{ID: 9, Texts: []model.FAQText{{Lang: "fr", Question: "Guillemets \"doubles\" et 'simples' ?", Answer: "\"Oui\" : 'vraiment'."}}},
	}
	data, err := writeFile("En-tête\nsur deux lignes", entries)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# En-tête\n# sur deux lignes\n") {
		t.Errorf("the header is not a comment:\n%s", data)
	}
	back, problems := parseFile(data)
	if len(problems) > 0 {
		t.Fatalf("problems reading back:\n%s\n%+v", data, problems)
	}
	for i, e := range back {
		var texts []model.FAQText
		for _, t := range e.texts {
			texts = append(texts, t.FAQText)
		}
		if e.id != entries[i].ID || !reflect.DeepEqual(texts, entries[i].Texts) {
			t.Errorf("entry %d read back as %d %+v\nwant %+v\nfile:\n%s", i, e.id, texts, entries[i].Texts, data)
		}
	}
}

// The plan matches file entries to the FAQ's by ID, then by question, and
// refuses what would leave two entries asking one question.
func TestPlanMatchesAndRefuses(t *testing.T) {
	existing := []model.FAQEntry{
		{ID: 1, Texts: []model.FAQText{{Lang: "fr", Question: "Comment adhérer ?", Phrasings: []string{"Comment s'inscrire ?"}, Answer: "Formulaire."}}},
		{ID: 2, Texts: []model.FAQText{{Lang: "fr", Question: "Où est le local ?", Answer: "Rue Haute."}}},
	}
	parse := func(data string) []fileEntry {
		t.Helper()
		entries, problems := parseFile([]byte(data))
		if len(problems) > 0 {
			t.Fatalf("problems: %+v", problems)
		}
		return entries
	}
	report, writes := plan(parse(`
- id: 1
  question: Comment adhérer ?
  formulations: ["Comment s'inscrire ?"]
  reponse: Formulaire.
- question: où est LE local
  reponse: 12 rue Haute.
- id: 99
  question: Combien coûte une part ?
  reponse: 20 €.
`), existing)
	if report.refused() || report.unchanged != 1 || len(report.changed) != 1 || report.changed[0].id != 2 || report.changed[0].line != 6 ||
		len(report.added) != 1 || report.added[0].line != 8 {
		t.Fatalf("report = %+v", report)
	}
	if len(writes) != 2 || writes[0].ID != 2 || writes[1].ID != 0 || report.added[0].write != 1 {
		t.Fatalf("writes = %+v", writes)
	}

	tests := []struct {
		name, data string
		want       []string
	}{
		{"asks an entry's phrasing", "- question: Comment s'inscrire ?\n  reponse: R\n", []string{"1:faq.import_duplicate_entry"}},
		{"renamed onto another entry", "- id: 2\n  question: Comment adhérer ?\n  reponse: R\n", []string{"2:faq.import_duplicate_entry"}},
		{"two replace one", "- id: 1\n  question: A ?\n  reponse: R\n- question: Comment adhérer ?\n  reponse: R\n", []string{"4:faq.import_same_entry"}},
		{"a swap makes way", "- id: 1\n  question: Où est le local ?\n  reponse: R\n- id: 2\n  question: Comment adhérer ?\n  reponse: S\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			report, _ := plan(parse(tt.data), existing)
			var got []string
			for _, p := range report.problems {
				got = append(got, itoa(int64(p.line))+":"+p.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("problems = %v, want %v", got, tt.want)
			}
		})
	}
}

// FuzzParseFile feeds the import parser arbitrary files: it must never
// panic, and what it accepts must be clean entries that write and read
// back unchanged.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte("- question: Comment adhérer ?\n  reponse: |\n    Remplissez *le* formulaire.\n  en:\n    question: How?\n    answer: Fill it.\n"))
	f.Add([]byte("- id: 3\n  question: Q ?\n  formulations: [a, b]\n  tags: x, y\n  reponse: R\n"))
	f.Add([]byte("- question: &a Q\n  reponse: *a\n"))
	f.Add([]byte("[{question: Q, reponse: R}, {question: P, reponse: S, langue: en}]"))
	f.Add([]byte("- question: \"\\u00e9t\\u00e9 ?\"\n  reponse: '  '\n"))
	f.Add([]byte("---\n- a\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, problems := parseFile(data)
		if len(problems) > 0 {
			if entries != nil {
				t.Fatal("entries with problems")
			}
			return
		}
		var model []model.FAQEntry
		for i, e := range entries {
			if len(e.texts) == 0 {
				t.Fatalf("entry %d has no text", i)
			}
			me := modelEntry(e)
			for _, tx := range me.Texts {
				if again, p := cleanText(tx); p != nil || !reflect.DeepEqual(again, tx) {
					t.Fatalf("accepted text is not clean: %+v → %+v, %v", tx, again, p)
				}
			}
			model = append(model, me)
		}
		out, err := writeFile("x", model)
		if err != nil {
			t.Fatalf("write accepted entries: %v", err)
		}
		back, problems := parseFile(out)
		if len(problems) > 0 && len(out) <= MaxImportBytes {
			t.Fatalf("written file refused: %+v\n%s", problems, out)
		}
		if len(problems) == 0 {
			for i := range back {
				if !reflect.DeepEqual(modelEntry(back[i]).Texts, model[i].Texts) {
					t.Fatalf("entry %d changed: %+v → %+v", i, model[i].Texts, modelEntry(back[i]).Texts)
				}
			}
		}
	})
}

func modelEntry(e fileEntry) model.FAQEntry {
	me := model.FAQEntry{ID: e.id}
	for _, t := range e.texts {
		me.Texts = append(me.Texts, t.FAQText)
	}
	return me
}
