package polls

import (
	"strconv"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// usesSelect is true for single-choice polls with more than five choices:
// one menu instead of rows of buttons. Multiple-choice and ranked polls
// keep one toggle button per choice (up to 20, four rows on Discord),
// because Telegram renders a menu as one button per option, which could
// only ever choose one.
func usesSelect(p model.Poll) bool {
	return p.Kind == model.PollSingle && len(p.Choices) > MaxButtons
}

// pollMessage is the message posted in every chat: the question, the live
// tally (or the choices only, when results wait for the close) and the
// voting components while the poll is open.
func pollMessage(l *locales.Localizer, p model.Poll, t Tally) *commands.Response {
	lines := []markup.Text{l.T("poll.header", locales.Data{"ID": p.ID, "Question": p.Question}), meta(l, p)}
	if p.QuestionnaireID != 0 {
		// Said before anyone votes: a question's tie is not left a tie.
		lines = append(lines, l.T("poll.q.tie_rule", locales.Data{"ID": p.QuestionnaireID}))
	}
	open := p.Status == model.PollOpen
	if hiddenNow(p) {
		for i, c := range p.Choices {
			lines = append(lines, l.T("poll.line_hidden", locales.Data{"N": i + 1, "Label": c.Label, "Price": priceImpact(l, c.PriceCents)}))
		}
		lines = append(lines, l.N("poll.voters", t.Voters), l.T("poll.hidden_until_close"))
	} else {
		lines = append(lines, tallyLines(l, p, t)...)
	}
	if !open {
		lines = append(lines, l.T("poll.closed_banner"))
	}
	r := &commands.Response{Text: markup.Join(lines, "\n")}
	if !open {
		return r
	}
	switch {
	case usesSelect(p):
		sel := &commands.Select{Action: selectRoute(p.ID), Placeholder: l.S("poll.select_placeholder"), MinValues: 1, MaxValues: 1}
		for i, c := range p.Choices {
			sel.Options = append(sel.Options, commands.Button{Label: c.Label, Action: strconv.Itoa(i)})
		}
		r.Select = sel
	default:
		for i, c := range p.Choices {
			r.Buttons = append(r.Buttons, commands.Button{Label: c.Label, Action: voteRoute(p, i), Style: commands.ButtonPrimary})
		}
	}
	if p.Kind != model.PollSingle {
		r.Text = markup.Join([]markup.Text{r.Text, l.T("poll.how." + p.Kind)}, "\n")
	}
	return r
}

func meta(l *locales.Localizer, p model.Poll) markup.Text {
	d := locales.Data{
		"Kind":      l.S("poll.kind_label." + p.Kind),
		"Anonymous": p.Anonymous,
		"Max":       p.MaxChoices,
		"Quorum":    l.Number(p.Quorum),
	}
	if p.Deadline != nil {
		d["Deadline"] = l.DateTime(*p.Deadline)
	}
	if p.VoterRole != "member" {
		d["Roles"] = l.S("poll.voters." + p.VoterRole)
	}
	return l.T("poll.meta", d)
}

// tallyLines are the counts, the number of voters, the quorum and, for
// ranked polls, the instant-runoff rounds.
func tallyLines(l *locales.Localizer, p model.Poll, t Tally) []markup.Text {
	var lines []markup.Text
	base := percentBase(p, t)
	for i, c := range p.Choices {
		lines = append(lines, l.T("poll.line", locales.Data{
			"N": i + 1, "Label": c.Label, "Votes": l.N("count.votes", t.Counts[i]), "Percent": percent(t.Counts[i], base),
			"Winner": t.Winner == i, "Price": priceImpact(l, c.PriceCents),
		}))
	}
	if p.Kind == model.PollRanked && t.Voters > 0 {
		gone := make([]bool, len(p.Choices)) // eliminated in an earlier round
		for i, r := range t.Rounds {
			won := i == len(t.Rounds)-1 && t.Winner >= 0
			lines = append(lines, roundLine(l, p, i+1, r, t.Voters, won, gone))
			for _, c := range r.Eliminated {
				gone[c] = true
			}
		}
	}
	voters := l.N("poll.voters", t.Voters)
	if p.Quorum > 0 {
		// While voting runs, a missing quorum is a count still to reach,
		// not a verdict: "non valable" would read as if voting were over.
		id := "poll.quorum_met"
		if !t.QuorumMet(p.Quorum) {
			id = "poll.quorum_missed"
			if p.Status == model.PollOpen {
				id = "poll.quorum_pending"
			}
		}
		voters = markup.Join([]markup.Text{voters, l.T(id, locales.Data{"Quorum": l.Number(p.Quorum)})}, " · ")
	}
	return append(lines, voters)
}

// percentBase is what percentages are of: the voters, or for ranked polls
// the ballots counted in the first round.
func percentBase(p model.Poll, t Tally) int {
	if p.Kind == model.PollRanked && len(t.Rounds) > 0 {
		return t.Rounds[0].Active
	}
	return t.Voters
}

// roundLine shows a round's counts for the choices still in the race, the
// choice eliminated and, when it was tied for last place, the rule that
// broke the tie, so members can check the result. The ballots exhausted by
// then (naming no choice still in the race) are counted, and the round
// that elected the winner (won) says what the majority was of: without
// them, "A 4, B 3" among 9 voters reads as a winner without a majority.
func roundLine(l *locales.Localizer, p model.Poll, n int, r Round, voters int, won bool, gone []bool) markup.Text {
	var counts []markup.Text
	for c, v := range r.Counts {
		if gone[c] || v == 0 && contains(r.Eliminated, c) {
			continue
		}
		counts = append(counts, l.T("poll.round_count", locales.Data{"Label": p.Choices[c].Label, "Votes": l.Number(v)}))
	}
	d := locales.Data{"N": n, "Counts": markup.Join(counts, ", ")}
	if exhausted := voters - r.Active; exhausted > 0 {
		d["Exhausted"] = l.N("poll.round_exhausted", exhausted)
	}
	if won {
		d["Majority"] = l.T("poll.round_majority", locales.Data{"Needed": l.Number(r.Active/2 + 1), "Active": l.Number(r.Active)})
	}
	if len(r.Eliminated) > 0 {
		d["Eliminated"] = roundChoices(l, p, r.Eliminated)
		d["Several"] = len(r.Eliminated) > 1
	}
	if r.Break == NoTieBreak {
		return l.T("poll.round", d)
	}
	d["Tied"] = roundChoices(l, p, r.Tied)
	d["Draw"] = r.Break == ByDraw
	d["Round"] = r.BreakRound
	return l.T("poll.round_tie", d)
}

func roundChoices(l *locales.Localizer, p model.Poll, choices []int) markup.Text {
	out := make([]markup.Text, 0, len(choices))
	for _, c := range choices {
		out = append(out, l.T("poll.round_choice", locales.Data{"Label": p.Choices[c].Label}))
	}
	return markup.Join(out, ", ")
}

// resultMessage is the final result posted at the close.
func resultMessage(l *locales.Localizer, p model.Poll, t Tally) markup.Text {
	lines := []markup.Text{l.T("poll.result.header", locales.Data{"ID": p.ID, "Question": p.Question})}
	lines = append(lines, tallyLines(l, p, t)...)
	lines = append(lines, outcome(l, p, t))
	return markup.Join(lines, "\n")
}

// resultChart is what the result's bar chart shows, localized: the image is
// often seen alone (forwarded, previewed), so it repeats the question,
// labels (with their price impacts) and figures of the message, and says
// what the message's outcome says: a missed quorum, a tie.
//
// A ranked poll decided over several rounds is drawn as its final round,
// with the round named on the axis and each eliminated choice marked:
// first preferences would draw a loser's bar longer than the winner's.
func resultChart(l *locales.Localizer, p model.Poll, t Tally) ChartData {
	c := ChartData{Title: p.Question, XLabel: l.S("poll.chart.axis"), Winner: t.Winner}
	if p.Quorum > 0 && !t.QuorumMet(p.Quorum) {
		c.Notes = append(c.Notes, l.S("poll.quorum_missed", locales.Data{"Quorum": l.Number(p.Quorum)}))
	}
	if t.Tie {
		// A questionnaire's question keeps the choice its tie rule draws,
		// as the result message says; a poll's tie elects no one.
		if dec := t.Decide(p.ID); p.QuestionnaireID != 0 && dec.Winner >= 0 {
			c.Winner = dec.Winner
			c.Notes = append(c.Notes, l.S("poll.chart.tie_broken", locales.Data{"Label": p.Choices[dec.Winner].Label}))
		} else {
			c.Notes = append(c.Notes, l.S("poll.chart.tie"))
		}
	}
	counts, base := t.Counts, percentBase(p, t)
	var eliminated []int // the round (from 1) where each choice left the race; 0 if it did not
	if p.Kind == model.PollRanked {
		c.XLabel = l.S("poll.chart.axis_ranked")
		if n := len(t.Rounds); n > 1 {
			final := t.Rounds[n-1]
			counts, base = final.Counts, final.Active
			c.XLabel = l.S("poll.chart.axis_final_round", locales.Data{"Round": n})
			eliminated = make([]int, len(p.Choices))
			for i, r := range t.Rounds {
				for _, ch := range r.Eliminated {
					eliminated[ch] = i + 1
				}
			}
		}
	}
	for i, choice := range p.Choices {
		value := l.S("poll.chart.value", locales.Data{"Count": l.Number(counts[i]), "Percent": percent(counts[i], base)})
		if eliminated != nil && eliminated[i] > 0 {
			value = l.S("poll.chart.eliminated", locales.Data{"Round": eliminated[i]})
		}
		c.Bars = append(c.Bars, Bar{
			Label:    l.S("poll.chart.label", locales.Data{"Label": choice.Label, "Price": priceImpact(l, choice.PriceCents)}),
			Fallback: l.S("poll.chart.fallback", locales.Data{"N": i + 1}),
			Value:    value,
			Count:    counts[i],
		})
	}
	return c
}

func outcome(l *locales.Localizer, p model.Poll, t Tally) markup.Text {
	switch {
	case t.Voters == 0:
		return l.T("poll.result.none")
	case t.Winner >= 0:
		return l.T("poll.result.winner", locales.Data{"Label": p.Choices[t.Winner].Label, "Valid": t.QuorumMet(p.Quorum)})
	case p.QuestionnaireID != 0 && t.Tie && t.Decide(p.ID).Winner >= 0:
		// A questionnaire's price needs one choice per question: the tie
		// is broken as /questionnaire resultat breaks it, and the result
		// says so to the whole chat.
		dec := t.Decide(p.ID)
		return l.T("poll.result.tie_broken", locales.Data{
			"Questionnaire": p.QuestionnaireID, "Label": p.Choices[dec.Winner].Label, "Tied": roundChoices(l, p, dec.Tied),
			"Draw": dec.Break == ByDraw, "Round": dec.BreakRound,
		})
	default:
		return l.T("poll.result.tie")
	}
}

// priceImpact writes a choice's price impact as the reader's language
// writes amounts, or "" for none: "+0,40 €" in French, "+€0.40" in
// English.
func priceImpact(l *locales.Localizer, cents int64) string {
	switch {
	case cents > 0:
		return "+" + euros(l, cents)
	case cents < 0:
		return euros(l, cents)
	}
	return ""
}

// euros writes an amount as the reader's language does: "-0,30 €" and
// "1 234,00 €" in French (formatEuros), "-€0.30" and "€1,234.00" in
// English. parseEuros reads both back but for the English thousands
// comma, since "1,234" is a French decimal.
func euros(l *locales.Localizer, cents int64) string {
	if l.Lang() == "fr" {
		return formatEuros(cents)
	}
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return sign + "€" + l.Number(int(cents/100)).String() + "." + pad2(cents%100)
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func choiceLabels(p []model.PollChoice, choices []int) []markup.Text {
	out := make([]markup.Text, 0, len(choices))
	for _, c := range choices {
		if c >= 0 && c < len(p) {
			out = append(out, markup.Escape(p[c].Label))
		}
	}
	return out
}
