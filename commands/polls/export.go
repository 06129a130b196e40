package polls

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
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
	f := csvFormatFor(l)
	totals, err := writeCSV(totalsRows(l, f, p, t), f)
	if err != nil {
		return nil, err
	}
	files := []commands.File{{Name: l.S("poll.file.totals", locales.Data{"ID": p.ID}), ContentType: "text/csv; charset=utf-8", Data: totals}}
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
		data, err := writeCSV(rows, f)
		if err != nil {
			return nil, err
		}
		files = append(files, commands.File{Name: l.S("poll.file.ballots", locales.Data{"ID": p.ID}), ContentType: "text/csv; charset=utf-8", Data: data})
	}
	return &commands.Response{
		Text:      l.T("poll.exported", locales.Data{"ID": p.ID, "Anonymous": p.Anonymous}),
		Ephemeral: true,
		Files:     files,
	}, nil
}

// totalsRows are the totals file: header lines first, so the file says
// what it is when opened alone, the outcome among them (winner or tie,
// quorum), then one row per choice. A ranked poll's rows give the first
// choices and then every round, with each choice's fate: its first
// choices alone would show a loser leading.
func totalsRows(l *locales.Localizer, f csvFormat, p model.Poll, t Tally) [][]string {
	closed := l.S("poll.csv.open")
	if p.ClosedAt != nil {
		closed = p.ClosedAt.In(l.Location()).Format("2006-01-02 15:04")
	}
	open := p.Status == model.PollOpen
	result := l.S("poll.csv.result")
	if open {
		result = l.S("poll.csv.result_open")
	}
	dec := t.Decide(p.ID)
	outcome := l.S("poll.csv.no_votes")
	switch {
	case t.Winner >= 0:
		outcome = p.Choices[t.Winner].Label
	case t.Tie:
		outcome = l.S("poll.csv.tie", locales.Data{"Choices": markup.Join(choiceLabels(p.Choices, dec.Tied), ", ")})
	}
	rows := [][]string{
		{l.S("poll.csv.poll"), pollIDString(p.ID)},
		{l.S("poll.csv.question"), p.Question},
		{l.S("poll.csv.voters"), itoa(t.Voters)},
		{l.S("poll.csv.closed"), closed},
		{result, outcome},
	}
	if p.Quorum > 0 {
		quorum := "poll.csv.quorum_met"
		if !t.QuorumMet(p.Quorum) {
			quorum = "poll.csv.quorum_missed"
			if open {
				quorum = "poll.csv.quorum_pending"
			}
		}
		rows = append(rows, []string{l.S("poll.csv.quorum"), itoa(p.Quorum), l.S(quorum)})
	}
	rows = append(rows, []string{})
	base := percentBase(p, t)
	if p.Kind != model.PollRanked {
		rows = append(rows, []string{l.S("poll.csv.position"), l.S("poll.csv.choice"), l.S("poll.csv.votes"), l.S("poll.csv.percent")})
		for i, c := range p.Choices {
			rows = append(rows, []string{itoa(i + 1), c.Label, itoa(t.Counts[i]), f.percent(t.Counts[i], base)})
		}
		return rows
	}
	head := []string{l.S("poll.csv.position"), l.S("poll.csv.choice"), l.S("poll.csv.first_choices"), l.S("poll.csv.percent")}
	for i := range t.Rounds {
		head = append(head, l.S("poll.csv.round", locales.Data{"N": i + 1}))
	}
	rows = append(rows, append(head, l.S("poll.csv.fate")))
	tied := map[int]bool{}
	for _, c := range dec.Tied {
		tied[c] = true
	}
	for i, c := range p.Choices {
		row := []string{itoa(i + 1), c.Label, itoa(t.Counts[i]), f.percent(t.Counts[i], base)}
		fate := ""
		for k, r := range t.Rounds {
			if fate != "" {
				row = append(row, "") // out of the race
				continue
			}
			row = append(row, itoa(r.Counts[i]))
			if contains(r.Eliminated, i) {
				fate = l.S("poll.csv.eliminated", locales.Data{"Round": k + 1})
			}
		}
		switch {
		case fate != "":
		case i == t.Winner && open:
			fate = l.S("poll.csv.leading")
		case i == t.Winner:
			fate = l.S("poll.csv.winner")
		case tied[i]:
			fate = l.S("poll.csv.tied")
		}
		rows = append(rows, append(row, fate))
	}
	exhausted := []string{"", l.S("poll.csv.exhausted"), "", ""}
	for _, r := range t.Rounds {
		exhausted = append(exhausted, itoa(t.Voters-r.Active))
	}
	return append(rows, exhausted)
}

// csvFormat is how a spreadsheet of the member's language reads CSV:
// French Excel splits fields at ";" and reads "33,3" as a number, since
// the comma is its decimal mark; English spreadsheets use "," and "33.3".
type csvFormat struct {
	comma   rune
	decimal string
}

func csvFormatFor(l *locales.Localizer) csvFormat {
	if l.Lang() == "fr" {
		return csvFormat{comma: ';', decimal: ","}
	}
	return csvFormat{comma: ',', decimal: "."}
}

// percent is a share with one decimal, as a plain number (no "%"), so the
// spreadsheet can compute with it.
func (f csvFormat) percent(part, whole int) string {
	if whole == 0 {
		return "0"
	}
	return strings.Replace(strconv.FormatFloat(float64(part)*100/float64(whole), 'f', 1, 64), ".", f.decimal, 1)
}

// utf8BOM starts the files: without it, Excel reads UTF-8 as the
// system's legacy code page and garbles every accent.
const utf8BOM = "\ufeff"

// writeCSV writes rows after a byte order mark, defusing cells a
// spreadsheet would run as a formula: members choose the labels and names.
func writeCSV(rows [][]string, f csvFormat) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	w := csv.NewWriter(&buf)
	w.Comma = f.comma
	w.UseCRLF = true // Excel's line ends
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
