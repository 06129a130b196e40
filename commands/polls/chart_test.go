package polls

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// chartOf is a chart of the given counts, labelled "Choix 1", "Choix 2"…
func chartOf(winner int, counts ...int) ChartData {
	c := ChartData{Title: "Quel jour pour la fête ?", XLabel: "votes", Winner: winner}
	for i, n := range counts {
		c.Bars = append(c.Bars, Bar{Label: fmt.Sprintf("Choix %d", i+1), Value: fmt.Sprintf("%d · %d\u00a0%%", n, n), Count: n})
	}
	return c
}

func decodeChart(t *testing.T, c ChartData) image.Image {
	t.Helper()
	data, err := BarChart(c)
	if err != nil {
		t.Fatalf("BarChart: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	return img
}

// barCentre is the pixel in the middle of bar i, found with the same
// layout gonum/plot draws with.
func barCentre(t *testing.T, c ChartData, i int) image.Point {
	t.Helper()
	p, w, h, err := chartPlot(c)
	if err != nil {
		t.Fatal(err)
	}
	canvas := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(chartDPI))
	data := p.DataCanvas(chartCanvas(canvas))
	trX, trY := p.Transforms(&data)
	x := trX(float64(c.Bars[i].Count) / 2)
	y := trY(float64(len(c.Bars) - 1 - i))
	return image.Pt(int(x.Dots(chartDPI)), int(h.Dots(chartDPI)-y.Dots(chartDPI)))
}

func sameColor(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	return ar == br && ag == bg && ab == bb
}

// pixels counts the pixels of img for which keep is true.
func pixels(img image.Image, keep func(color.Color) bool) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if keep(img.At(x, y)) {
				n++
			}
		}
	}
	return n
}

func isColor(want color.Color) func(color.Color) bool {
	return func(c color.Color) bool { return sameColor(c, want) }
}

func dark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r < 0x6000 && g < 0x6000 && b < 0x6000
}

func forBars(c *ChartData, f func(*Bar)) {
	for i := range c.Bars {
		f(&c.Bars[i])
	}
}

func TestBarChart(t *testing.T) {
	long := strings.Repeat("Crème brûlée à la façon d'œuvre (5 €) ", 4)
	twenty := chartOf(19, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 40)
	for i := range twenty.Bars {
		twenty.Bars[i].Label = fmt.Sprintf("%d %s 🎉", i, long)
	}
	twenty.Title = long + "\n\t?"
	tests := []struct {
		name   string
		chart  ChartData
		winner bool // the winner's colour is somewhere in the image
	}{
		{"two choices, the second wins", chartOf(1, 3, 7), true},
		{"the first wins among five", chartOf(0, 9, 2, 0, 4, 1), true},
		{"a tie has no winner colour", chartOf(-1, 5, 5, 1), false},
		{"zero votes: every bar is empty", chartOf(-1, 0, 0, 0), false},
		{"twenty long accented labels with emoji, the last wins", twenty, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := decodeChart(t, tt.chart)
			n := len(tt.chart.Bars)
			wantW := int(chartWidth.Dots(chartDPI))
			wantH := int((chartOverhead + vg.Length(n)*chartBarPitch).Dots(chartDPI))
			if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
				t.Fatalf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), wantW, wantH)
			}
			for i, bar := range tt.chart.Bars {
				if bar.Count == 0 {
					continue
				}
				want := chartBar
				if i == tt.chart.Winner {
					want = chartWinner
				}
				at := barCentre(t, tt.chart, i)
				if got := img.At(at.X, at.Y); !sameColor(got, want) {
					t.Errorf("bar %d at %v is %v, want %v", i, at, got, want)
				}
			}
			if got := pixels(img, isColor(chartWinner)) > 0; got != tt.winner {
				t.Errorf("winner colour present = %v, want %v", got, tt.winner)
			}
			if tt.chart.Bars[0].Count == 0 && tt.chart.Bars[1].Count == 0 {
				if got := pixels(img, isColor(chartBar)); got != 0 {
					t.Errorf("%d pixels of bar colour in a chart without votes", got)
				}
			}
			// The title, the labels and the figures are each drawn: the
			// image has more dark (text) pixels than without each of them.
			withText := pixels(img, dark)
			for part, blank := range map[string]func(*ChartData){
				"title":   func(c *ChartData) { c.Title = "" },
				"labels":  func(c *ChartData) { forBars(c, func(b *Bar) { b.Label = "" }) },
				"figures": func(c *ChartData) { forBars(c, func(b *Bar) { b.Value = "" }) },
			} {
				c := tt.chart
				c.Bars = append([]Bar(nil), c.Bars...)
				blank(&c)
				if without := pixels(decodeChart(t, c), dark); withText < without+100 {
					t.Errorf("%d dark pixels, %d without the %s: the %s are not drawn", withText, without, part, part)
				}
			}
		})
	}
}

func TestBarChartGrowsWithChoices(t *testing.T) {
	last := 0
	for _, n := range []int{2, 3, 10, 20} {
		counts := make([]int, n)
		counts[0] = 1
		h := decodeChart(t, chartOf(0, counts...)).Bounds().Dy()
		if h <= last {
			t.Fatalf("%d choices: height %d, not more than %d", n, h, last)
		}
		if h > 2000 {
			t.Fatalf("%d choices: height %d, too tall to read in a chat", n, h)
		}
		last = h
	}
}

func TestBarChartRejects(t *testing.T) {
	tests := []struct {
		name  string
		chart ChartData
	}{
		{"no choice", ChartData{Title: "?", Winner: -1}},
		{"winner out of range", chartOf(2, 1, 2)},
		{"winner below -1", chartOf(-2, 1, 2)},
		{"negative count", chartOf(-1, 1, -2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := BarChart(tt.chart); err == nil {
				t.Fatal("drawn without error")
			}
		})
	}
}

// Results of several polls may close at once: drawing is safe in parallel
// (gonum/plot shares one font cache) and gives the same image.
func TestBarChartConcurrent(t *testing.T) {
	want, err := BarChart(chartOf(1, 3, 7, 2))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	errs := make([]error, 4)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = BarChart(chartOf(1, 3, 7, 2)) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || !bytes.Equal(got[i], want) {
			t.Fatalf("drawing %d: error %v, same image %v", i, errs[i], bytes.Equal(got[i], want))
		}
	}
}

func TestChartText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Quel jour ?", "Quel jour ?"},
		{"  deux\nlignes\t et\r\n\x00nul\x7f ", "deux lignes et nul"},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
		{"*gras* <b>", "*gras* <b>"}, // no markup in an image: drawn as typed
	}
	for _, tt := range tests {
		if got := plainLine(tt.in); got != tt.want {
			t.Errorf("plainLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"court", 40, "court"},
		{strings.Repeat("é", 40), 40, strings.Repeat("é", 40)},
		{strings.Repeat("é", 41), 40, strings.Repeat("é", 39) + "…"},
		{"abc def", 5, "abc…"},
	} {
		if got := truncateRunes(tt.in, tt.n); got != tt.want {
			t.Errorf("truncateRunes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestChartTitleFits(t *testing.T) {
	long := strings.Repeat("Faut-il acheter un nouveau four à pain pour l'été ? ", 5)
	p, _, _, err := chartPlot(ChartData{Title: long, Bars: []Bar{{Label: "Oui"}, {Label: "Non"}}, Winner: -1})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Title.Text
	if !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Fatalf("title %q is not a cut of the question", got)
	}
	if w := p.Title.TextStyle.Width(got); w > chartWidth-2*chartMargin || w < (chartWidth-2*chartMargin)*3/4 {
		t.Fatalf("title width %v, want at most and near %v", w, chartWidth-2*chartMargin)
	}
	p, _, _, err = chartPlot(ChartData{Title: "Court ?", Bars: []Bar{{Label: "Oui"}}, Winner: -1})
	if err != nil || p.Title.Text != "Court ?" {
		t.Fatalf("a short title became %q (%v)", p.Title.Text, err)
	}
}

func TestResultChart(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	p := storage.Poll{Question: "Pain *bio* ?", Kind: storage.PollSingle, Choices: []storage.PollChoice{{Label: "Oui"}, {Label: "Non_"}, {Label: "Sans avis"}}}
	tally := Tally{Voters: 5, Counts: []int{3, 2, 0}, Winner: 0}
	tests := []struct {
		lang, kind, axis string
		values           []string
	}{
		{"fr", storage.PollSingle, "votes", []string{"3 · 60\u00a0%", "2 · 40\u00a0%", "0 · 0\u00a0%"}},
		{"en", storage.PollSingle, "votes", []string{"3 · 60%", "2 · 40%", "0 · 0%"}},
		{"fr", storage.PollRanked, "votes (premier choix)", []string{"3 · 60\u00a0%", "2 · 40\u00a0%", "0 · 0\u00a0%"}},
	}
	for _, tt := range tests {
		p.Kind = tt.kind
		c := resultChart(catalog.Localizer(nil, tt.lang), p, tally)
		if c.Title != p.Question || c.XLabel != tt.axis || c.Winner != 0 || len(c.Bars) != 3 {
			t.Fatalf("%s %s: %+v", tt.lang, tt.kind, c)
		}
		for i, b := range c.Bars {
			if b.Label != p.Choices[i].Label || b.Value != tt.values[i] || b.Count != tally.Counts[i] {
				t.Errorf("%s bar %d = %+v, want %q %q %d", tt.lang, i, b, p.Choices[i].Label, tt.values[i], tally.Counts[i])
			}
		}
	}
	// No votes at all: percentages of nothing are 0, not a division by zero.
	c := resultChart(catalog.Localizer(nil, "fr"), p, Tally{Counts: make([]int, 3), Winner: -1})
	if c.Bars[0].Value != "0 · 0\u00a0%" {
		t.Fatalf("value without votes %q", c.Bars[0].Value)
	}
	if _, err := BarChart(c); err != nil {
		t.Fatal(err)
	}
	// A tie elects no one on a poll; on a questionnaire's question, the
	// chart shows the choice its tie rule keeps, as the result message does.
	tie := Tally{Voters: 2, Counts: []int{1, 1, 0}, Winner: -1, Tie: true}
	if c := resultChart(catalog.Localizer(nil, "fr"), p, tie); c.Winner != -1 || !slices.Contains(c.Notes, "égalité : aucun choix ne l'emporte") {
		t.Errorf("poll tie: winner %d, notes %q", c.Winner, c.Notes)
	}
	q := p
	q.QuestionnaireID = 1
	dec := tie.Decide(q.ID)
	c = resultChart(catalog.Localizer(nil, "fr"), q, tie)
	if c.Winner != dec.Winner || c.Winner < 0 || len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "départagée") || !strings.Contains(c.Notes[0], q.Choices[dec.Winner].Label) {
		t.Errorf("questionnaire tie: winner %d (rule keeps %d), notes %q", c.Winner, dec.Winner, c.Notes)
	}
}

func FuzzBarChart(f *testing.F) {
	f.Add("Quel jour ?", "Samedi soir", "12 · 40\u00a0%", uint8(12), true)
	f.Add("", "", "", uint8(0), false)
	f.Add("\x00\n\t\xff", "🎉🇫🇷 é è à ç œ €", "\u202e", uint8(255), true)
	f.Add(strings.Repeat("long ", 100), strings.Repeat("é", 300), "$x^2$ \\frac", uint8(1), false)
	f.Fuzz(func(t *testing.T, title, label, value string, count uint8, winner bool) {
		c := ChartData{Title: title, XLabel: label, Winner: -1, Bars: []Bar{
			{Label: label, Value: value, Count: int(count)},
			{Label: "B", Value: "0", Count: 0},
			{Label: label + label, Value: value, Count: int(count) / 2},
		}}
		if winner {
			c.Winner = 0
		}
		data, err := BarChart(c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{plainLine(title), truncateRunes(plainLine(label), chartLabelMax)} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) || utf8.RuneCountInString(s) > max(chartLabelMax, utf8.RuneCountInString(title)) {
				t.Fatalf("unsafe chart text %q", s)
			}
		}
	})
}

func BenchmarkBarChart(b *testing.B) {
	c := chartOf(1, 12, 40, 3, 0, 7, 9, 1, 2, 5, 8, 13, 21, 34, 0, 1, 1, 2, 3, 5, 8)
	for i := range c.Bars {
		c.Bars[i].Label = fmt.Sprintf("Choix n°%d : crème brûlée à la façon d'œuvre", i+1)
	}
	b.ReportAllocs()
	size := 0
	for b.Loop() {
		data, err := BarChart(c)
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "PNG-bytes")
}

// A result below its quorum says so under the title, in the image too.
func TestChartShowsAMissedQuorum(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	p := storage.Poll{Question: "On déménage ?", Kind: storage.PollSingle, Quorum: 5, Choices: []storage.PollChoice{{Label: "Oui"}, {Label: "Non"}}}
	missed := resultChart(catalog.Localizer(nil, "fr"), p, Tally{Voters: 2, Counts: []int{2, 0}, Winner: 0})
	if len(missed.Notes) != 1 || missed.Notes[0] != "quorum de 5 non atteint\u00a0: résultat non valable" {
		t.Fatalf("notes = %q", missed.Notes)
	}
	met := resultChart(catalog.Localizer(nil, "fr"), p, Tally{Voters: 5, Counts: []int{3, 2}, Winner: 0})
	if len(met.Notes) != 0 {
		t.Fatalf("notes with the quorum met = %q", met.Notes)
	}
	if en := resultChart(catalog.Localizer(nil, "en"), p, Tally{Voters: 2, Counts: []int{2, 0}, Winner: 0}); len(en.Notes) != 1 || !strings.Contains(en.Notes[0], "not reached") {
		t.Fatalf("English notes = %q", en.Notes)
	}
	plot, _, h, err := chartPlot(missed)
	if err != nil {
		t.Fatal(err)
	}
	if title := plot.Title.Text; title != "On déménage ?\nquorum de 5 non atteint\u00a0: résultat non valable" {
		t.Fatalf("title = %q", title)
	}
	_, _, without, err := chartPlot(met)
	if err != nil || h <= without {
		t.Fatalf("height %v with the note, %v without (%v)", h, without, err)
	}
	if with, plain := pixels(decodeChart(t, missed), dark), pixels(decodeChart(t, met), dark); with < plain+100 {
		t.Errorf("%d dark pixels with the note, %d without: the note is not drawn", with, plain)
	}
}

// Characters the font lacks are drawn as a visible box, never dropped;
// the scripts it has are drawn as typed.
func TestChartDrawsOrMarksEveryCharacter(t *testing.T) {
	p, _, _, err := chartPlot(chartOf(-1, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	sty := p.Y.Tick.Label
	tests := []struct{ in, want string }{
		{"🍕 Margherita", "□ Margherita"},
		{"日本", "□□"},
		{"Ελληνικά", "Ελληνικά"},
		{"Crème brûlée, œuf, ß, Жук", "Crème brûlée, œuf, ß, Жук"},
		{"👍🏽 ❤️ 👨‍👩‍👧", "□ □ □\u200d□\u200d□"}, // skin tones and selectors add no box; joiners are invisible
		{"2\u00a0%, 1\u202f234", "2\u00a0%, 1\u202f234"},
		{"\uFFFD", "□"},
	}
	for _, tt := range tests {
		if got := drawable(sty, tt.in); got != tt.want {
			t.Errorf("drawable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The boxes are drawn: a label of boxes darkens the image.
	c := chartOf(-1, 1, 1)
	c.Bars[0].Label, c.Bars[1].Label = "日本", "Ελληνικά"
	blank := chartOf(-1, 1, 1)
	blank.Bars[0].Label, blank.Bars[1].Label = "", ""
	if with, without := pixels(decodeChart(t, c), dark), pixels(decodeChart(t, blank), dark); with < without+50 {
		t.Errorf("%d dark pixels with the labels, %d without", with, without)
	}
}

// Twenty long labels that share their beginning stay told apart: each is
// numbered as in the result message, and cut in the middle with "…".
func TestChartKeepsLongLabelsApart(t *testing.T) {
	prefix := string([]rune(strings.Repeat("Farine bio de blé ancien, moulue sur meule de pierre, ", 2))[:60])
	c := chartOf(-1, make([]int, 20)...)
	for i := range c.Bars {
		c.Bars[i].Label = prefix + fmt.Sprintf("pain de mie no %02d, 1 kg", i+1)[:20]
		if n := utf8.RuneCountInString(c.Bars[i].Label); n != 80 {
			t.Fatalf("label %d has %d characters", i, n)
		}
	}
	p, _, _, err := chartPlot(c)
	if err != nil {
		t.Fatal(err)
	}
	labels := barLabels(p.Y.Tick.Label, c.Bars)
	seen := map[string]bool{}
	for i, l := range labels {
		if seen[l] {
			t.Errorf("label %d %q drawn twice", i, l)
		}
		seen[l] = true
		if !strings.HasPrefix(l, fmt.Sprintf("%d. ", i+1)) || !strings.Contains(l, "…") {
			t.Errorf("label %d = %q, want numbered and cut with …", i, l)
		}
		if n := utf8.RuneCountInString(l); n > chartLabelMax+4 {
			t.Errorf("label %d = %q: %d characters", i, l, n)
		}
	}
	// Without their numbers, the labels still differ: the cut keeps the end.
	unnumbered := map[string]bool{}
	for _, l := range labels {
		_, rest, _ := strings.Cut(l, ". ")
		unnumbered[rest] = true
	}
	if len(unnumbered) != len(labels) {
		t.Errorf("only %d distinct labels without their numbers: %q", len(unnumbered), labels)
	}
	if _, err := BarChart(c); err != nil {
		t.Fatal(err)
	}
}

// A ranked poll decided over several rounds is drawn as its final round:
// with 4 "Alpha", 3 "Beta > Gamma" and 3 "Gamma > Beta", Gamma wins, and
// its bar must be the longest, not Alpha's first preferences.
func TestRankedChartDrawsTheFinalRound(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	p := storage.Poll{ID: 1, Question: "Meilleur langage ?", Kind: storage.PollRanked,
		Choices: []storage.PollChoice{{Label: "Alpha"}, {Label: "Beta"}, {Label: "Gamma"}}}
	var b [][]int
	b = append(b, repeat(4, []int{0})...)
	b = append(b, repeat(3, []int{1, 2})...)
	b = append(b, repeat(3, []int{2, 1})...)
	tally := Count(p.Kind, 3, ballots(b...), p.ID)
	if tally.Winner != 2 || len(tally.Rounds) != 2 {
		t.Fatalf("tally %+v", tally)
	}
	for lang, want := range map[string][]string{
		"fr": {"votes au tour 2, le dernier", "4 · 40\u00a0%", "éliminé au tour 1", "6 · 60\u00a0%"},
		"en": {"votes in round 2, the final one", "4 · 40%", "eliminated in round 1", "6 · 60%"},
	} {
		c := resultChart(catalog.Localizer(nil, lang), p, tally)
		if c.XLabel != want[0] || c.Winner != 2 {
			t.Errorf("%s: axis %q, winner %d", lang, c.XLabel, c.Winner)
		}
		for i, bar := range c.Bars {
			if bar.Value != want[i+1] {
				t.Errorf("%s bar %d value %q, want %q", lang, i, bar.Value, want[i+1])
			}
		}
		if c.Bars[2].Count <= c.Bars[0].Count || c.Bars[1].Count != 0 {
			t.Errorf("%s: the winner's bar is not the longest: %+v", lang, c.Bars)
		}
		if _, err := BarChart(c); err != nil {
			t.Fatal(err)
		}
	}
	// Decided in the first round: its first preferences are the final round.
	won := Count(p.Kind, 3, ballots([]int{0}, []int{0}, []int{1, 0}), p.ID)
	if c := resultChart(catalog.Localizer(nil, "fr"), p, won); c.XLabel != "votes (premier choix)" || c.Bars[0].Count != 2 || c.Winner != 0 {
		t.Errorf("one round: %+v", c)
	}
}

// A tie says so under the title, as the result message does; a
// questionnaire's choices keep their price impact.
func TestChartShowsATieAndPrices(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	p := storage.Poll{ID: 1, Question: "Taille ?", Kind: storage.PollSingle,
		Choices: []storage.PollChoice{{Label: "Petit", PriceCents: -30}, {Label: "Grand", PriceCents: 100}, {Label: "Moyen"}}}
	tie := Count(p.Kind, 3, ballots([]int{0}, []int{1}), p.ID)
	c := resultChart(catalog.Localizer(nil, "fr"), p, tie)
	if len(c.Notes) != 1 || c.Notes[0] != "égalité\u00a0: aucun choix ne l'emporte" || c.Winner != -1 {
		t.Fatalf("tie chart: notes %q, winner %d", c.Notes, c.Winner)
	}
	for i, want := range []string{"Petit (-0,30\u00a0€)", "Grand (+1,00\u00a0€)", "Moyen"} {
		if c.Bars[i].Label != want {
			t.Errorf("bar %d label %q, want %q", i, c.Bars[i].Label, want)
		}
	}
	plot, _, h, err := chartPlot(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(plot.Title.Text, "\négalité\u00a0: aucun choix ne l'emporte") {
		t.Errorf("title %q has no tie note", plot.Title.Text)
	}
	if labels := barLabels(plot.Y.Tick.Label, c.Bars); labels[0] != "1. Petit (-0,30\u00a0€)" {
		t.Errorf("drawn labels %q", labels)
	}
	won := resultChart(catalog.Localizer(nil, "fr"), p, Count(p.Kind, 3, ballots([]int{0}), p.ID))
	if len(won.Notes) != 0 {
		t.Errorf("notes without a tie: %q", won.Notes)
	}
	// A tie below the quorum says both, one line each.
	p.Quorum = 5
	both := resultChart(catalog.Localizer(nil, "fr"), p, tie)
	_, _, h2, err := chartPlot(both)
	if err != nil || len(both.Notes) != 2 || h2 <= h {
		t.Errorf("tie and quorum: notes %q, height %v then %v (%v)", both.Notes, h, h2, err)
	}
}

// Right-to-left words are laid out in the order they are drawn, left to
// right: reversed, with their numbers, marks and brackets kept readable.
func TestVisualOrder(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Margherita", "Margherita"},
		{"שקשוקה", "הקושקש"},
		{"Pizza שקשוקה !", "Pizza הקושקש !"},
		{"שלום 2 abc", "2 םולש abc"},                                                                 // a number after a Hebrew word goes on its left
		{"שלום 12,50 ש", "ש 12,50 םולש"},                                                             // and keeps its digits' order
		{"(שלום) x", "(םולש) x"},                                                                     // brackets around it stay on the line's side
		{"שלום (עולם)", "(םלוע) םולש"},                                                               // brackets within it are mirrored
		{"\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd", "\u05dd\u05d5\u05b9\u05dc\u05e9\u05b8\u05c1"}, // shalom with points: marks stay on their letters
		{"A שלום B עולם", "A םולש B םלוע"},
		{"שקשוקה (-0,30\u00a0€)", "(€\u00a00,30-) הקושקש"}, // a price impact as a questionnaire writes it
	}
	for _, tt := range tests {
		if got := visualOrder(tt.in); got != tt.want {
			t.Errorf("visualOrder(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A label whose letters the font cannot draw is replaced by its choice
// number, as the result message numbers it, so "披萨" and "ピザ" do not
// both read "□□"; emoji beside words stay boxes, and Hebrew is drawn in
// reading order.
func TestChartLabelsFallBackToTheirNumber(t *testing.T) {
	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	p := storage.Poll{ID: 1, Question: "Quelle pizza ? עברית", Kind: storage.PollSingle}
	for _, l := range []string{"🍕 Margherita", "🍍 Hawaï", "披萨", "ピザ", "Пицца", "Πίτσα", "שקשוקה", "بيتزا", "नमस्ते", "👍", "Pizza 披萨"} {
		p.Choices = append(p.Choices, storage.PollChoice{Label: l})
	}
	tally := Count(p.Kind, len(p.Choices), ballots([]int{0}, []int{2}), p.ID)
	for lang, choice := range map[string]string{"fr": "Choix", "en": "Choice"} {
		c := resultChart(catalog.Localizer(nil, lang), p, tally)
		plot, _, _, err := chartPlot(c)
		if err != nil {
			t.Fatal(err)
		}
		got := barLabels(plot.Y.Tick.Label, c.Bars)
		want := []string{"1. □ Margherita", "2. □ Hawaï", choice + " 3", choice + " 4", "5. Пицца", "6. Πίτσα", "7. הקושקש", choice + " 8", choice + " 9", choice + " 10", choice + " 11"}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("%s labels\n%q\nwant\n%q", lang, got, want)
		}
		if !strings.HasPrefix(plot.Title.Text, "Quelle pizza ? תירבע\n") {
			t.Errorf("title %q: Hebrew not in reading order", plot.Title.Text)
		}
		if _, err := BarChart(c); err != nil {
			t.Fatal(err)
		}
	}
	// Without a fallback, the letters are boxes, as before.
	c := chartOf(-1, 1, 1)
	c.Bars[0].Label = "披萨"
	plot, _, _, err := chartPlot(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := barLabels(plot.Y.Tick.Label, c.Bars)[0]; got != "1. □□" {
		t.Errorf("label without fallback %q", got)
	}
}
