package polls

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/bidi"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// ChartData is what the result chart shows. A chart is often forwarded or
// previewed alone, so it carries its own title, labels and figures; the
// caller localizes them (the chart knows no language).
type ChartData struct {
	Title string // the poll's question
	// Notes are lines under the title, when the result needs a warning
	// ("quorum not met", "a tie"); none for none.
	Notes  []string
	XLabel string // the axis label, e.g. "votes"
	Bars   []Bar  // one per choice, in the poll's order, drawn top to bottom
	Winner int    // index in Bars of the winner, or -1 (tie, no votes)
}

// Bar is one choice: its label, the figures written at the end of its bar
// (e.g. "12 · 40 %") and the count that sets its length.
type Bar struct {
	Label string
	// Fallback replaces the numbered label when the font cannot draw its
	// letters (e.g. "Choix 3", matching "3." in the result message); empty:
	// such letters are drawn as boxes.
	Fallback string
	Value    string
	Count    int
}

// Chart geometry, in points (1/72 inch), rendered at chartDPI. The height
// grows with the number of choices so that bars and labels keep their size.
const (
	chartDPI                 = 120
	chartLabelMax            = 40 // characters of a choice label
	chartWidth     vg.Length = 600
	chartMargin    vg.Length = 12
	chartOverhead  vg.Length = 96 // title, axis, margins
	chartBarPitch  vg.Length = 24 // from one bar's centre to the next
	chartBarWidth  vg.Length = 16 // thickness of a bar
	chartNoteLine  vg.Length = 18 // each line of note under the title
	chartTitleSize vg.Length = 14
	chartTextSize  vg.Length = 11
)

var (
	chartBar    = color.RGBA{0x58, 0x65, 0xf2, 0xff}
	chartWinner = color.RGBA{0x23, 0xa5, 0x5a, 0xff}
	chartGrid   = color.RGBA{0xdd, 0xdf, 0xe3, 0xff}
	chartText   = color.RGBA{0x23, 0x27, 0x2a, 0xff}
	chartFont   = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

// BarChart draws a labelled horizontal bar chart as a PNG: the title (and
// its notes) on top, one bar per choice with its number and label on the
// left and its value at its end, the winner's bar in green. Text is drawn
// as plain text: markup means nothing in an image, and control characters
// are removed. Greek, Cyrillic, Hebrew and the Latin alphabets are drawn
// as typed, right-to-left words in their reading order. Other characters
// the embedded Liberation Sans font lacks are drawn as "□", so a title
// never silently loses a part ("🍕 Margherita" reads "□ Margherita"); but
// a label whose letters the font lacks (Chinese, Japanese, Arabic,
// Devanagari...), or that would be boxes alone (an emoji), is replaced by
// its bar's Fallback: "3. □□" and "4. □□" would tell nothing apart.
func BarChart(c ChartData) ([]byte, error) {
	p, w, h, err := chartPlot(c)
	if err != nil {
		return nil, err
	}
	canvas := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(chartDPI))
	p.Draw(chartCanvas(canvas))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode bar chart: %w", err)
	}
	return buf.Bytes(), nil
}

// chartCanvas is the drawing area of the plot: the image less its margins.
func chartCanvas(c vg.CanvasSizer) draw.Canvas {
	return draw.Crop(draw.New(c), chartMargin, -chartMargin, chartMargin, -chartMargin)
}

// chartPlot builds the plot and the image size. Choice i is drawn at
// y = n-1-i, because gonum/plot's nominal axis counts from the bottom and
// a reader expects the first choice on top.
func chartPlot(c ChartData) (*plot.Plot, vg.Length, vg.Length, error) {
	n := len(c.Bars)
	if n == 0 {
		return nil, 0, 0, fmt.Errorf("bar chart of no choice")
	}
	if c.Winner < -1 || c.Winner >= n {
		return nil, 0, 0, fmt.Errorf("bar chart winner %d out of %d bars", c.Winner, n)
	}
	most := 0
	for i, b := range c.Bars {
		if b.Count < 0 {
			return nil, 0, 0, fmt.Errorf("bar chart: negative count %d for bar %d", b.Count, i)
		}
		most = max(most, b.Count)
	}

	p := plot.New()
	style := func(size vg.Length, bold bool) text.Style {
		f := chartFont
		if bold {
			f.Weight = xfont.WeightBold
		}
		return text.Style{Color: chartText, Font: font.From(f, size), Handler: p.TextHandler}
	}
	p.Title.TextStyle = style(chartTitleSize, true)
	p.Title.TextStyle.XAlign, p.Title.TextStyle.YAlign = draw.XCenter, draw.YTop
	p.Title.Text = fitWidth(p.Title.TextStyle, drawable(p.Title.TextStyle, visualOrder(plainLine(c.Title))), chartWidth-2*chartMargin)
	notes := 0
	for _, note := range c.Notes {
		if note = drawable(p.Title.TextStyle, plainLine(note)); note != "" {
			p.Title.Text += "\n" + fitWidth(p.Title.TextStyle, note, chartWidth-2*chartMargin)
			notes++
		}
	}
	p.Title.Padding = 10

	p.X.Label.TextStyle = style(chartTextSize, false)
	p.X.Label.Text = fitWidth(p.X.Label.TextStyle, drawable(p.X.Label.TextStyle, plainLine(c.XLabel)), chartWidth/2)
	p.X.Label.TextStyle.XAlign, p.X.Label.TextStyle.YAlign = draw.XCenter, draw.YBottom
	p.X.Tick.Label = style(chartTextSize-1, false)
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XCenter, draw.YTop
	p.X.Tick.Marker = plot.TickerFunc(countTicks)
	p.X.Min, p.X.Max = 0, float64(max(most, 1)) // no votes: an axis from 0 to 1

	p.Y.Tick.Label = style(chartTextSize, false)
	names := make([]string, n)
	for i, label := range barLabels(p.Y.Tick.Label, c.Bars) {
		names[n-1-i] = label
	}
	p.Y.Tick.Label.XAlign, p.Y.Tick.Label.YAlign = draw.XRight, draw.YCenter
	p.NominalY(names...)
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5

	grid := plotter.NewGrid()
	grid.Horizontal.Color = nil
	grid.Vertical = draw.LineStyle{Color: chartGrid, Width: vg.Points(0.5)}
	p.Add(grid)

	// Two bar series share the rows: the winner's row is empty in the
	// first and the only full one in the second, which gives it its colour.
	others, winner := make(plotter.Values, n), make(plotter.Values, n)
	values := plotter.XYLabels{XYs: make(plotter.XYs, n), Labels: make([]string, n)}
	for i, b := range c.Bars {
		y := n - 1 - i
		if i == c.Winner {
			winner[y] = float64(b.Count)
		} else {
			others[y] = float64(b.Count)
		}
		values.XYs[y] = plotter.XY{X: float64(b.Count), Y: float64(y)}
		values.Labels[y] = truncateRunes(drawable(p.Y.Tick.Label, plainLine(b.Value)), chartLabelMax)
	}
	for _, s := range []struct {
		v  plotter.Values
		to color.Color
	}{{others, chartBar}, {winner, chartWinner}} {
		bars, err := plotter.NewBarChart(s.v, chartBarWidth)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("bar chart: %w", err)
		}
		bars.Horizontal = true
		bars.Color = s.to
		bars.LineStyle.Width = 0 // an empty bar must stay invisible
		p.Add(bars)
	}
	labels, err := plotter.NewLabels(values)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("bar chart labels: %w", err)
	}
	for y := range labels.TextStyle {
		labels.TextStyle[y] = style(chartTextSize, n-1-y == c.Winner)
		labels.TextStyle[y].XAlign, labels.TextStyle[y].YAlign = draw.XLeft, draw.YCenter
	}
	// Figures have no descenders: centring the whole text box, descent
	// included, would draw them visibly below the bar's middle.
	labels.Offset = vg.Point{X: 5, Y: labels.TextStyle[0].FontExtents().Descent / 2}
	p.Add(labels)
	// plot.Add widens the axes to the data; the rows stay centred on their
	// integer positions, one pitch apart.
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	p.X.Min = 0

	height := chartOverhead + vg.Length(n)*chartBarPitch
	height += vg.Length(notes) * chartNoteLine
	return p, chartWidth, height, nil
}

// barLabels are the choices' labels as drawn: numbered as in the result
// message ("3. Bio"), so twenty long labels stay told apart however they
// are cut, and cut in the middle, keeping the end where labels sharing a
// long beginning differ. A label the font cannot draw is its bar's
// fallback instead.
func barLabels(sty text.Style, bars []Bar) []string {
	out := make([]string, len(bars))
	for i, b := range bars {
		label := visualOrder(plainLine(b.Label))
		if b.Fallback != "" && !legible(sty, label) {
			out[i] = truncateRunes(drawable(sty, plainLine(b.Fallback)), chartLabelMax)
			continue
		}
		out[i] = strconv.Itoa(i+1) + ". " + truncateMiddle(drawable(sty, label), chartLabelMax)
	}
	return out
}

// legible is false for text drawn in sty with a letter or digit the font
// lacks, or drawn as boxes alone: boxes for a word make different labels
// look the same. Emoji beside drawable words are only decoration.
func legible(sty text.Style, s string) bool {
	face := sty.Handler.Cache().Lookup(sty.Font, sty.Font.Size)
	var buf sfnt.Buffer
	words, boxes := false, false
	for _, r := range s {
		g, err := face.Face.GlyphIndex(&buf, r)
		drawn := err == nil && g != 0
		switch {
		case unicode.In(r, unicode.L, unicode.N):
			if !drawn {
				return false
			}
			words = true
		case !drawn && r != ' ' && !unicode.In(r, unicode.Cf, unicode.Mn, unicode.Sk):
			boxes = true // what drawable would draw as a box
		}
	}
	return words || !boxes
}

// visualOrder lays out right-to-left words (Hebrew, Arabic) in the order
// they are drawn, since the chart draws characters left to right: for a
// left-to-right line, as Unicode's bidirectional algorithm does, each run
// that starts with a right-to-left letter and goes on, through spaces,
// punctuation and numbers, to the last such letter or number before a
// left-to-right letter is reversed. Numbers in it keep their digits' order,
// marks stay on their letter, and brackets are mirrored.
func visualOrder(s string) string {
	class := func(r rune) bidi.Class {
		p, _ := bidi.LookupRune(r)
		return p.Class()
	}
	rtl := func(r rune) bool { c := class(r); return c == bidi.R || c == bidi.AL }
	runes := []rune(s)
	if !slices.ContainsFunc(runes, rtl) {
		return s
	}
	out := make([]rune, 0, len(runes))
	for i := 0; i < len(runes); {
		if !rtl(runes[i]) {
			out = append(out, runes[i])
			i++
			continue
		}
		end := i
		for j := i; j < len(runes) && class(runes[j]) != bidi.L; j++ {
			switch class(runes[j]) {
			case bidi.R, bidi.AL, bidi.EN, bidi.AN, bidi.NSM:
				end = j
			}
		}
		// A bracket opened in the run closes in it, before any
		// left-to-right letter: "(עולם)" and "(-0,30 €)" are in the run.
		open := brackets(runes[i : end+1])
		for j := end + 1; open > 0 && j < len(runes) && class(runes[j]) != bidi.L; j++ {
			if p, _ := bidi.LookupRune(runes[j]); p.IsBracket() {
				if p.IsOpeningBracket() {
					open++
				} else if open--; open == 0 {
					end = j
				}
			}
		}
		out = append(out, reverseRTL(runes[i:end+1], class)...)
		i = end + 1
	}
	return string(out)
}

// brackets is how many brackets rs opens and does not close.
func brackets(rs []rune) int {
	open := 0
	for _, r := range rs {
		if p, _ := bidi.LookupRune(r); p.IsBracket() {
			if p.IsOpeningBracket() {
				open++
			} else if open > 0 {
				open--
			}
		}
	}
	return open
}

// reverseRTL reverses a right-to-left run by units: a number (digits with
// the separators between them) or a character with its marks.
func reverseRTL(run []rune, class func(rune) bidi.Class) []rune {
	digit := func(r rune) bool { c := class(r); return c == bidi.EN || c == bidi.AN }
	var units [][]rune
	for i := 0; i < len(run); {
		j := i + 1
		switch {
		case digit(run[i]):
			for j < len(run) && (digit(run[j]) || j+1 < len(run) && digit(run[j+1]) && strings.ContainsRune(",.:/\u00a0\u202f", run[j])) {
				j++
			}
		default:
			for j < len(run) && class(run[j]) == bidi.NSM {
				j++
			}
		}
		unit := run[i:j]
		if p, _ := bidi.LookupRune(unit[0]); len(unit) == 1 && p.IsBracket() {
			unit = []rune(bidi.ReverseString(string(unit))) // "(" reads ")" from the right
		}
		units = append(units, unit)
		i = j
	}
	out := make([]rune, 0, len(run))
	for k := len(units) - 1; k >= 0; k-- {
		out = append(out, units[k]...)
	}
	return out
}

// missingGlyph stands for a character the chart's font cannot draw.
const missingGlyph = '□'

// drawable replaces the characters sty's font lacks by missingGlyph, and
// drops the invisible ones that only join or vary others (the zero-width
// joiner and variation selector of "👍🏽" or "❤️"), which would otherwise
// each become a box.
func drawable(sty text.Style, s string) string {
	face := sty.Handler.Cache().Lookup(sty.Font, sty.Font.Size)
	var buf sfnt.Buffer
	return strings.Map(func(r rune) rune {
		if r == ' ' {
			return r
		}
		if g, err := face.Face.GlyphIndex(&buf, r); err == nil && g != 0 {
			return r
		}
		if unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Sk, r) {
			return -1
		}
		return missingGlyph
	}, s)
}

// countTicks marks whole numbers of votes only, at a step of 1, 2 or 5
// times a power of ten, at most about eight marks.
func countTicks(min, max float64) []plot.Tick {
	step := 1.0
	for i := 0; max/step > 8; i++ {
		step *= []float64{2, 2.5, 2}[i%3]
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ticks
}

// plainLine makes text a single plain line: control characters (newlines
// included) become spaces, runs of spaces one, and invalid UTF-8 is
// replaced. No-break spaces stay: French text puts them before ":" and
// "%".
func plainLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' }), " ")
}

// truncateRunes cuts s to at most n characters, ending with "…" when cut.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// truncateMiddle cuts s to at most n characters by replacing its middle
// with "…", keeping about two thirds of what is left from its beginning.
func truncateMiddle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	head := (n - 1) * 2 / 3
	tail := n - 1 - head
	return strings.TrimSpace(string(r[:head])) + "…" + strings.TrimSpace(string(r[len(r)-tail:]))
}

// fitWidth cuts s, ending with "…", until it is at most width wide in sty.
func fitWidth(sty text.Style, s string, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r) // the longest prefix that fits is in [lo, hi)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if sty.Width(strings.TrimSpace(string(r[:mid]))+"…") <= width {
			lo = mid
		} else {
			hi = mid
		}
	}
	return strings.TrimSpace(string(r[:lo])) + "…"
}
