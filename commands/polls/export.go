package polls

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// export is /sondage exporter: the totals as CSV and, for public polls
// only, every ballot with its voter's name. Anonymous polls never reveal
// who voted what, not even to moderators, and polls whose results wait for
// the close are exported once closed.
func (s *service) export(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	p, err := s.manageable(ctx, req)
	if err != nil {
		return nil, err
	}
	if hiddenNow(p) {
		return nil, commands.Fail("poll.export_waits", locales.Data{"ID": p.ID})
	}
	ballots, err := s.store.Ballots(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	t := Count(p.Kind, len(p.Choices), ballots, p.ID)
	l := req.Loc
	rows := [][]string{{l.S("poll.csv.position"), l.S("poll.csv.choice"), l.S("poll.csv.votes"), l.S("poll.csv.percent")}}
	for i, c := range p.Choices {
		rows = append(rows, []string{itoa(i + 1), c.Label, itoa(t.Counts[i]), itoa(percent(t.Counts[i], t.Voters))})
	}
	totals, err := writeCSV(rows)
	if err != nil {
		return nil, err
	}
	files := []commands.File{{Name: "sondage-" + pollIDString(p.ID) + ".csv", ContentType: "text/csv", Data: totals}}
	if !p.Anonymous {
		rows := [][]string{{l.S("poll.csv.voter"), l.S("poll.csv.ballot")}}
		sep := " | "
		if p.Kind == model.PollRanked {
			sep = " > "
		}
		for _, b := range ballots {
			var labels []string
			for _, c := range b.Choices {
				if c >= 0 && c < len(p.Choices) {
					labels = append(labels, p.Choices[c].Label)
				}
			}
			rows = append(rows, []string{b.Name, strings.Join(labels, sep)})
		}
		data, err := writeCSV(rows)
		if err != nil {
			return nil, err
		}
		files = append(files, commands.File{Name: "sondage-" + pollIDString(p.ID) + "-bulletins.csv", ContentType: "text/csv", Data: data})
	}
	return &commands.Response{
		Text:      l.T("poll.exported", locales.Data{"ID": p.ID, "Anonymous": p.Anonymous}),
		Ephemeral: true,
		Files:     files,
	}, nil
}

// writeCSV writes rows, defusing cells a spreadsheet would run as a
// formula: members choose the labels and names.
func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				cell = "'" + cell
			}
			safe[i] = cell
		}
		if err := w.Write(safe); err != nil {
			return nil, fmt.Errorf("write csv: %w", err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return buf.Bytes(), nil
}
