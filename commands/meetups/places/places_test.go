package places

import (
	"math"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		in         string
		name       string // "" when not found
		department string
	}{
		{"Lyon", "Lyon", "69"},
		{"LYON", "Lyon", "69"},
		{"  lyon  ", "Lyon", "69"},
		{"Lyon 7e", "Lyon 7e", "69"},
		{"Lyon 7ème", "Lyon 7e", "69"},
		{"lyon 7eme arrondissement", "Lyon 7e", "69"},
		{"Lyon 07", "Lyon 7e", "69"},
		{"Lyon 1er", "Lyon 1er", "69"},
		{"69007 Lyon", "Lyon 7e", "69"},
		{"Lyon 69007", "Lyon 7e", "69"},
		{"Lyon 69", "Lyon", "69"}, // the department, not an arrondissement
		{"Lyon (69)", "Lyon", "69"},
		{"Lyon 10e", "", ""}, // Lyon has nine
		{"Lyon Cedex 07", "Lyon 7e", "69"},
		{"Saint-Étienne", "Saint-Étienne", "42"},
		{"saint etienne", "Saint-Étienne", "42"},
		{"st etienne", "Saint-Étienne", "42"},
		{"St-Étienne", "Saint-Étienne", "42"},
		{"ST. ETIENNE", "Saint-Étienne", "42"},
		{"Saint-Étienne 42000", "Saint-Étienne", "42"},
		{"Saint-Étienne-du-Rouvray", "Saint-Étienne-du-Rouvray", "76"},
		{"ste genevieve des bois", "Sainte-Geneviève-des-Bois", "91"}, // the most populous of two
		{"Paris", "Paris", "75"},
		{"Paris 11e", "Paris", "75"}, // no Paris arrondissements in the data: Paris itself
		{"Paris 11", "Paris", "75"},
		{"75011 Paris", "Paris", "75"},
		{"Paris 75", "Paris", "75"},
		{"Paris 21e", "", ""},
		{"Marseille", "Marseille", "13"},
		{"Marseille 13e arrondissement", "Marseille 13e", "13"},
		{"Marseille 13e", "Marseille 13e", "13"},
		{"13013 Marseille", "Marseille 13e", "13"},
		{"Marseille 13", "Marseille", "13"}, // reads as the department
		{"Marseille 1er arrondissement", "Marseille 1er", "13"},
		{"Marseille 16ème", "Marseille 16e", "13"},
		{"Lille", "Lille", "59"},
		{"Villeurbanne", "Villeurbanne", "69"},
		{"Aix-en-Provence", "Aix-en-Provence", "13"},
		{"aix en provence", "Aix-en-Provence", "13"},
		{"AIX EN PROVENCE 13100", "Aix-en-Provence", "13"},
		{"L’Haÿ-les-Roses", "L'Haÿ-les-Roses", "94"},
		{"lhay les roses", "", ""},                  // the article is a word of its own
		{"Valence", "Valence", "26"},                // Drôme, not Tarn-et-Garonne's
		{"Valence 82", "Valence", "82"},             // unless told
		{"Valence (Tarn-et-Garonne) 82400", "", ""}, // department names are not read
		{"Valence 82400", "Valence", "82"},
		{"Valence 75", "", ""},       // no Valence in Paris: no guess
		{"Valence 26 82400", "", ""}, // contradictory
		{"Ajaccio", "Ajaccio", "2A"},
		{"Ajaccio 20000", "Ajaccio", "2A"},
		{"Ajaccio 2a", "Ajaccio", "2A"},
		{"Bastia 2A", "", ""},
		{"Trifouilly-les-Oies", "", ""},
		{"", "", ""},
		{"   ", "", ""},
		{"75011", "", ""},
		{"-", "", ""},
		{"Lyon Lyon", "", ""},
	}
	for _, tt := range tests {
		p, ok := Lookup(tt.in)
		if tt.name == "" {
			if ok {
				t.Errorf("Lookup(%q) = %+v, want not found", tt.in, p)
			}
			continue
		}
		if !ok {
			t.Errorf("Lookup(%q) not found, want %s (%s)", tt.in, tt.name, tt.department)
			continue
		}
		if p.Name != tt.name || p.Department != tt.department {
			t.Errorf("Lookup(%q) = %s (%s), want %s (%s)", tt.in, p.Name, p.Department, tt.name, tt.department)
		}
	}
}

// The gazetteer loads on the first lookup, which may come from several
// commands at once: run under -race, this checks the load is shared safely.
func TestLookupConcurrent(t *testing.T) {
	load = sync.OnceValue(loadEmbedded) // unloaded again, whatever ran before
	names := []string{"Lyon 7e", "st etienne", "Valence", "Paris 11e", "Lille", "Trifouilly-les-Oies"}
	results := make(chan bool, 4*len(names))
	for range 4 {
		for _, n := range names {
			go func() {
				_, ok := Lookup(n)
				results <- ok
			}()
		}
	}
	found := 0
	for range 4 * len(names) {
		if <-results {
			found++
		}
	}
	if found != 4*(len(names)-1) {
		t.Errorf("%d lookups found, want %d", found, 4*(len(names)-1))
	}
}

func TestLookupArrondissementFields(t *testing.T) {
	p, ok := Lookup("Lyon 7e")
	if !ok {
		t.Fatal("Lyon 7e not found")
	}
	lyon, _ := Lookup("Lyon")
	if p.Commune != "Lyon" || lyon.Commune != "Lyon" {
		t.Errorf("communes: %q and %q, want Lyon", p.Commune, lyon.Commune)
	}
	// The 7th arrondissement's point is not the city's, but close to it.
	if d := Distance(p, lyon); d == 0 || d > 5 {
		t.Errorf("Lyon 7e is %.2f km from Lyon", d)
	}
}

func TestDistance(t *testing.T) {
	get := func(name string) Place {
		t.Helper()
		p, ok := Lookup(name)
		if !ok {
			t.Fatalf("%s not found", name)
		}
		return p
	}
	tests := []struct {
		a, b      string
		km, slack float64
	}{
		// Straight-line distances between town centres (IGN's Géoportail
		// measure gives about 50 km, 392 km and 660 km).
		{"Lyon", "Saint-Étienne", 50, 2},
		{"Paris", "Lyon", 392, 4},
		{"Lille", "Marseille", 835, 6},
		{"Lyon", "Lyon", 0, 0},
	}
	for _, tt := range tests {
		a, b := get(tt.a), get(tt.b)
		d := Distance(a, b)
		if math.Abs(d-tt.km) > tt.slack {
			t.Errorf("Distance(%s, %s) = %.1f km, want %.0f ± %.0f", tt.a, tt.b, d, tt.km, tt.slack)
		}
		if back := Distance(b, a); math.Abs(back-d) > 1e-9 {
			t.Errorf("Distance(%s, %s) = %f but the reverse is %f", tt.a, tt.b, d, back)
		}
	}
	// Antipodes: the formula must not return NaN when rounding pushes h past 1.
	if d := Distance(Place{Lat: 0, Lon: 0}, Place{Lat: 0, Lon: 180}); math.IsNaN(d) || math.Abs(d-math.Pi*earthRadiusKm) > 1e-6 {
		t.Errorf("antipodes: %f km", d)
	}
}

func TestFoldCity(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Saint-Étienne", "saint etienne"},
		{"ST ETIENNE", "saint etienne"},
		{"st-étienne", "saint etienne"},
		{"Ste-Foy-lès-Lyon", "sainte foy les lyon"},
		{"L'Haÿ-les-Roses", "l hay les roses"},
		{"L’Haÿ-les-Roses", "l hay les roses"},
		{"Œuilly", "oeuilly"},
		{"Hœnheim", "hoenheim"},
		{"  Aix   en  Provence ", "aix en provence"},
		{"Lyon 7ème", "lyon 7eme"},
		{"Château-Chinon(Ville)", "chateau chinon ville"},
		{"Stains", "stains"}, // a word starting with "st" is not an abbreviation
		{"", ""},
		{"«»!?", ""},
		{"Zürich\xff", "zurich"},
	}
	for _, tt := range tests {
		if got := FoldCity(tt.in); got != tt.want {
			t.Errorf("FoldCity(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every name in the gazetteer must be found by its own spelling, so no row
// is shadowed by a parsing rule (a name ending in a number, say).
func TestEveryNameFindsItself(t *testing.T) {
	g := load()
	if len(g.entries) < 15000 {
		t.Fatalf("%d places, want the 15,000 of cities500", len(g.entries))
	}
	for _, e := range g.entries {
		p, ok := Lookup(e.place.Name + " " + e.place.Department)
		if !ok || p.Department != e.place.Department || FoldCity(p.Name) != FoldCity(e.place.Name) {
			t.Errorf("Lookup(%q) = %+v, %v", e.place.Name+" "+e.place.Department, p, ok)
		}
		if e.place.Lat < 41 || e.place.Lat > 52 || e.place.Lon < -6 || e.place.Lon > 10 {
			t.Errorf("%s at %f,%f: outside metropolitan France", e.place.Name, e.place.Lat, e.place.Lon)
		}
	}
}

func TestParseRejectsBrokenData(t *testing.T) {
	tests := []string{
		"",
		"# only a comment\n",
		"Lyon\t\t\t69\t45.7\t4.8\n",    // a column short
		"Lyon\t\t\t69\tnord\t4.8\t5\n", // latitude
		"Lyon 7e\tLyon\tseptième\t69\t45.7\t4.8\t5\n", // arrondissement
		"Lyon\t\t\t69\t45.7\t4.8\tbeaucoup\n",         // population
	}
	for _, data := range tests {
		if _, err := parse(data); err == nil {
			t.Errorf("parse(%q) accepted", data)
		}
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"Lyon 7e", "Saint-Étienne", "st etienne", "Paris 11e", "Marseille 13e arrondissement",
		"LYON", "69007 Lyon", "Valence (26)", "Ajaccio 2A", "Lyon Cedex 07", "aix en provence 13100", "Œuilly"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key := FoldCity(s)
		if again := FoldCity(key); again != key {
			t.Fatalf("FoldCity not idempotent: %q → %q → %q", s, key, again)
		}
		if !utf8.ValidString(key) || strings.Contains(key, "  ") || strings.TrimSpace(key) != key {
			t.Fatalf("FoldCity(%q) = %q", s, key)
		}
		p, ok := Lookup(s)
		if !ok {
			return
		}
		if p.Name == "" || p.Commune == "" || p.Department == "" {
			t.Fatalf("Lookup(%q) = %+v: empty field", s, p)
		}
		// Whatever was typed around it, the name itself is in the text.
		if !strings.Contains(key, FoldCity(p.Commune)) {
			t.Fatalf("Lookup(%q) = %s, a name not in the text", s, p.Name)
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parse(communesTSV); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	load()
	for b.Loop() {
		if _, ok := Lookup("St-Étienne 42000"); !ok {
			b.Fatal("not found")
		}
	}
}
