package polls

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
)

// Chart geometry. The chart carries no text: labels, counts and
// percentages are in the message it is attached to, already localized and
// escaped, so no font is needed (gonum/plot would pull fonts and a dozen
// modules for what is a few rectangles).
const (
	chartWidth  = 600
	chartMargin = 10
	barHeight   = 28
	barGap      = 8
)

var (
	chartBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	chartTrack      = color.RGBA{0xec, 0xee, 0xf1, 0xff}
	chartBar        = color.RGBA{0x58, 0x65, 0xf2, 0xff}
	chartWinner     = color.RGBA{0x23, 0xa5, 0x5a, 0xff}
)

// BarChart draws one horizontal bar per choice, in order, each as long as
// its share of the largest count; the winner (if not -1) is green.
func BarChart(counts []int, winner int) ([]byte, error) {
	if len(counts) == 0 {
		return nil, fmt.Errorf("bar chart of no choice")
	}
	height := 2*chartMargin + len(counts)*barHeight + (len(counts)-1)*barGap
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, height))
	draw.Draw(img, img.Bounds(), image.NewUniform(chartBackground), image.Point{}, draw.Src)
	most := 0
	for _, c := range counts {
		most = max(most, c)
	}
	track := chartWidth - 2*chartMargin
	for i, c := range counts {
		y := chartMargin + i*(barHeight+barGap)
		draw.Draw(img, image.Rect(chartMargin, y, chartMargin+track, y+barHeight), image.NewUniform(chartTrack), image.Point{}, draw.Src)
		if c <= 0 || most == 0 {
			continue
		}
		w := max(2, track*c/most)
		fill := chartBar
		if i == winner {
			fill = chartWinner
		}
		draw.Draw(img, image.Rect(chartMargin, y, chartMargin+w, y+barHeight), image.NewUniform(fill), image.Point{}, draw.Src)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode bar chart: %w", err)
	}
	return buf.Bytes(), nil
}
