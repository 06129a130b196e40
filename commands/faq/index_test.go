package faq

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/model"
)

// An index built from data read before a change is used for the question
// that asked for it, but never kept: the next question rebuilds.
func TestIndexCacheNeverKeepsABuildOlderThanAChange(t *testing.T) {
	var mu sync.Mutex
	loads := 0
	started, release := make(chan struct{}), make(chan struct{})
	c := newIndexCache(func(ctx context.Context, communityID int64) (*communityFAQ, error) {
		mu.Lock()
		loads++
		n := loads
		mu.Unlock()
		if n == 1 {
			close(started)
			<-release
		}
		return build(nil, nil, 0.6), nil
	})
	ctx := context.Background()
	first := make(chan *communityFAQ)
	go func() {
		f, err := c.get(ctx, 1)
		if err != nil {
			t.Error(err)
		}
		first <- f
	}()
	<-started
	c.forget(1) // the FAQ changes while the first build reads it
	close(release)
	stale := <-first
	fresh, err := c.get(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.get(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return loads
	}
	if n := count(); n != 2 || fresh == stale || again != fresh {
		t.Fatalf("%d loads, fresh == stale %v, cached %v: want the stale build dropped and the fresh one kept", n, fresh == stale, again == fresh)
	}
	c.forgetAll()
	if _, err := c.get(ctx, 1); err != nil || count() != 3 {
		t.Fatalf("after forgetting all: %d loads, %v", count(), err)
	}
}

func TestBuildPicksLanguagesAndPopularEntries(t *testing.T) {
	f := build([]model.FAQEntry{
		{ID: 2, AskedCount: 1, Texts: []model.FAQText{{Lang: "fr", Question: "Où est le local ?", Answer: "Rue Haute."}}},
		{ID: 1, AskedCount: 5, Texts: []model.FAQText{
			{Lang: "fr", Question: "Comment adhérer ?", Answer: "Formulaire."},
			{Lang: "en", Question: "How do I join?", Answer: "Form."},
		}},
		{ID: 3, AskedCount: 5, Texts: []model.FAQText{{Lang: "en", Question: "Opening hours?", Answer: "9 to 5."}}},
	}, []int64{7}, 0.6)
	if got := f.popular; len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 2 {
		t.Errorf("popular = %v, want most asked first, then by number", got)
	}
	if got := f.ids; got[0] != 1 || got[2] != 3 {
		t.Errorf("ids = %v, want ascending", got)
	}
	if rs := f.index.Search("how do I join", "en", 1); len(rs) != 1 || rs[0].ID != 1 {
		t.Errorf("English search = %v", rs)
	}
	if rs := f.index.Search("où est le local", "en", 1); len(rs) != 1 || rs[0].ID != 2 {
		t.Errorf("an English speaker asking in French = %v, want the French entry", rs)
	}
	for _, tt := range []struct{ lang, want string }{{"en", "How do I join?"}, {"fr", "Comment adhérer ?"}, {"de", "Comment adhérer ?"}} {
		if got := textFor(f.entries[1], tt.lang).Question; got != tt.want {
			t.Errorf("textFor(%s) = %q, want %q", tt.lang, got, tt.want)
		}
	}
	if got := textFor(f.entries[3], "fr").Question; got != "Opening hours?" {
		t.Errorf("an English-only entry in French = %q", got)
	}
	if !f.autoChats[7] || f.autoChats[8] {
		t.Errorf("auto chats = %v", f.autoChats)
	}
}

func TestAnswerMarkupKeepsFormattingAndLinks(t *testing.T) {
	tests := []struct{ answer, plain string }{
		{"Voir *https://coop.example/mon_espace_membre* ou _ici_.", "Voir https://coop.example/mon_espace_membre ou ici."},
		{"`code_x` et https://a.example/b*c*d", "code_x et https://a.example/b*c*d"},
		{"(https://x.example/a_b_c)", "(https://x.example/a_b_c)"},
		{"Voir https://x.example/a_b.", "Voir https://x.example/a_b."},
	}
	for _, tt := range tests {
		got := answerMarkup(tt.answer)
		if got.Plain() != tt.plain {
			t.Errorf("answerMarkup(%q).Plain() = %q, want %q", tt.answer, got.Plain(), tt.plain)
		}
	}
	spans := markup.Parse(answerMarkup("*gras* https://x.example/a_b"))
	if len(spans) != 2 || !spans[0].Bold || spans[1].Italic {
		t.Errorf("spans = %+v, want bold then plain", spans)
	}
}

func TestCleanTextAndLists(t *testing.T) {
	got, p := cleanText(model.FAQText{
		Question:  "  Comment\n adhérer  ?",
		Phrasings: []string{"comment ADHÉRER ?", "Comment  s'inscrire ?", "comment s'inscrire ?", " ", "Comment adhérer ?"},
		Tags:      splitList("adhésion, inscription,,adhésion | membre", true),
		Answer:    "\r\n  Ligne 1   \r\n\r\nLigne 2\t\n\n",
	})
	// The question in other letters' case is no phrasing; repeats go.
	want := model.FAQText{Lang: "fr", Question: "Comment adhérer ?", Phrasings: []string{"Comment s'inscrire ?"},
		Tags: []string{"adhésion", "inscription", "membre"}, Answer: "Ligne 1\n\nLigne 2"}
	if p != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("cleanText = %+v, %v\nwant %+v", got, p, want)
	}
	again, p := cleanText(got)
	if p != nil || !reflect.DeepEqual(again, got) {
		t.Fatalf("cleaning twice changed %+v into %+v", got, again)
	}
}

func TestParseCLI(t *testing.T) {
	tests := []struct {
		args      []string
		verb      string
		file      string
		community int64
		ok        bool
	}{
		{[]string{"export", "faq.yaml", "--community", "3"}, "export", "faq.yaml", 3, true},
		{[]string{"importer", "--community=12", "f.yaml"}, "import", "f.yaml", 12, true},
		{[]string{"import", "-communaute", "2", "f.yaml"}, "import", "f.yaml", 2, true},
		{[]string{"export", "faq.yaml"}, "", "", 0, false},
		{[]string{"export", "--community", "3"}, "", "", 0, false},
		{[]string{"export", "a", "b", "--community", "3"}, "", "", 0, false},
		{[]string{"export", "a", "--community"}, "", "", 0, false},
		{[]string{"export", "a", "--community", "03"}, "", "", 0, false},
		{[]string{"list", "a", "--community", "3"}, "", "", 0, false},
		{nil, "", "", 0, false},
	}
	for _, tt := range tests {
		verb, file, community, ok := parseCLI(tt.args)
		if verb != tt.verb || file != tt.file || community != tt.community || ok != tt.ok {
			t.Errorf("parseCLI(%q) = %q %q %d %v", tt.args, verb, file, community, ok)
		}
	}
}

func TestFormValues(t *testing.T) {
	c := formChange(map[string]string{"question": " - ", "reponse": "", "formulations": "a\nb | c", "tags": "-"})
	if c.question != nil || c.answer != nil || c.tags != nil || c.phrasings == nil {
		t.Fatalf("change = %+v, want only the phrasings", c)
	}
	got := c.apply(model.FAQText{Question: "Q", Answer: "R", Tags: []string{"t"}})
	if got.Question != "Q" || got.Answer != "R" || !reflect.DeepEqual(got.Tags, []string{"t"}) || !reflect.DeepEqual(got.Phrasings, []string{"a", "b ", " c"}) {
		t.Fatalf("applied = %+v", got)
	}
}
