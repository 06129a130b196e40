package discord

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
)

// Discord's limits, from its documentation; going over them is a 400.
const (
	maxContent       = 2000
	maxButtonsPerRow = 5
	maxRows          = 5
	maxButtonLabel   = 80
	maxCustomID      = 100
	maxSelectOptions = 25
	maxSelectLabel   = 100
	maxModalTitle    = 45
	maxModalFields   = 5
	maxInputLabel    = 45
	maxPlaceholder   = 100
	maxChoiceName    = 100
	maxChoices       = 25
	maxDescription   = 100
)

// markdownSpecial are the characters Discord markdown gives a meaning to;
// each is escaped with a backslash when it comes from text.
const markdownSpecial = "\\*_`~|>#-+[]()<"

// escapeMarkdown makes text render literally: markdown characters get a
// backslash and @ gets a zero-width space after it, so "@everyone" and
// "<@123>" written by a member neither ping nor render as mentions. A dot
// after a digit is escaped too, or "1. " would start a list.
func escapeMarkdown(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := rune(0)
	for _, r := range s {
		switch {
		case strings.ContainsRune(markdownSpecial, r), r == '.' && prev >= '0' && prev <= '9':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '@':
			b.WriteString("@\u200b")
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// codeText keeps inline code literal: Discord does not honour backslashes
// inside backticks, so a backtick in the text would end the span early.
func codeText(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "`", "ˋ"), "@", "@\u200b")
}

// renderLines renders markup as Discord markdown, one string per line. Each
// line opens and closes its own styles, so a message can be cut between any
// two lines without leaving a marker open.
func renderLines(t markup.Text) []string {
	lines := []string{""}
	for _, sp := range markup.Parse(t) {
		for i, piece := range strings.Split(sp.Text, "\n") {
			if i > 0 {
				lines = append(lines, "")
			}
			lines[len(lines)-1] += renderSpan(sp, piece)
		}
	}
	return lines
}

func renderSpan(sp markup.Span, text string) string {
	if text == "" {
		return ""
	}
	if sp.Code {
		return "`" + codeText(text) + "`"
	}
	// Discord ignores markers that touch spaces on their inner side, so the
	// spaces stay outside the markers.
	core := strings.TrimSpace(text)
	if core == "" || (!sp.Bold && !sp.Italic) {
		return escapeMarkdown(text)
	}
	lead := text[:strings.Index(text, core)]
	trail := text[len(lead)+len(core):]
	marker := ""
	if sp.Bold {
		marker += "**"
	}
	if sp.Italic {
		marker += "*"
	}
	return escapeMarkdown(lead) + marker + escapeMarkdown(core) + marker + escapeMarkdown(trail)
}

// Render turns markup into one Discord markdown string.
func Render(t markup.Text) string { return strings.Join(renderLines(t), "\n") }

// renderChunks renders markup into messages of at most limit characters,
// cutting between lines, and inside a line only when it alone is too long.
func renderChunks(t markup.Text, limit int) []string {
	var chunks []string
	var cur strings.Builder
	curLen := 0
	flush := func() {
		if cur.Len() > 0 {
			chunks = append(chunks, cur.String())
			cur.Reset()
			curLen = 0
		}
	}
	for _, line := range renderLines(t) {
		n := utf8.RuneCountInString(line)
		sep := 0
		if cur.Len() > 0 {
			sep = 1
		}
		if curLen+sep+n <= limit {
			if sep == 1 {
				cur.WriteByte('\n')
			}
			cur.WriteString(line)
			curLen += sep + n
			continue
		}
		flush()
		pieces := splitLine(line, limit)
		chunks = append(chunks, pieces[:len(pieces)-1]...)
		last := pieces[len(pieces)-1]
		cur.WriteString(last)
		curLen = utf8.RuneCountInString(last)
	}
	flush()
	return chunks
}

// splitLine cuts an over-long rendered line into pieces of at most limit
// runes, never between a backslash and the character it escapes nor inside
// "@" + zero-width space. Styles of the cut line may show their markers;
// text never gains formatting.
func splitLine(line string, limit int) []string {
	var out []string
	var cur []rune
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		atom := runes[i : i+1]
		if i+1 < len(runes) && (runes[i] == '\\' || (runes[i] == '@' && runes[i+1] == '\u200b')) {
			atom = runes[i : i+2]
			i++
		}
		if len(cur)+len(atom) > limit && len(cur) > 0 {
			out = append(out, string(cur))
			cur = nil
		}
		cur = append(cur, atom...)
	}
	if len(cur) > 0 {
		out = append(out, string(cur))
	}
	return out
}

// truncate shortens s to max runes, ending with an ellipsis when cut.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// allowedMentions lets only the listed users be pinged: never @everyone,
// roles, or a name a member typed. Parse must marshal as [], not null.
func allowedMentions(users []string) *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Users: users}
}

// message is one Discord message of a rendered response.
type message struct {
	Content    string
	Components []discordgo.MessageComponent
	Files      []commands.File
	Mentions   []string // user IDs the message may ping
}

// files gives fresh readers each time, so a retried upload sends the whole file.
func (m message) files() []*discordgo.File {
	var out []*discordgo.File
	for _, f := range m.Files {
		out = append(out, &discordgo.File{Name: f.Name, ContentType: f.ContentType, Reader: bytes.NewReader(f.Data)})
	}
	return out
}

// Custom IDs Agora makes itself start with "~" (no action prefix does):
// "~b<n>" is a menu standing for buttons that did not fit, its values are the
// buttons' routes; "~<n>~<route>" is part <n> of a select split in several.
const selectPartPrefix = "~"

// renderMessages renders a response as one or more messages: the text cut
// at 2,000 characters, the components and files on the last message.
func renderMessages(r *commands.Response) []message {
	chunks := renderChunks(r.Text, maxContent)
	if len(chunks) == 0 {
		chunks = []string{""}
	}
	msgs := make([]message, len(chunks))
	for i, c := range chunks {
		msgs[i].Content = c
		msgs[i].Mentions = r.Mentions
	}
	last := &msgs[len(msgs)-1]
	last.Components = renderComponents(r.Buttons, r.Select)
	last.Files = r.Files
	if last.Content == "" && len(last.Files) == 0 && len(last.Components) > 0 {
		// Discord refuses a message made of components alone only when it
		// has no content either; a zero-width space keeps it valid.
		last.Content = "\u200b"
	}
	return msgs
}

// renderComponents lays out buttons five to a row on at most five rows.
// Buttons that do not fit become select menus, so none is lost.
func renderComponents(buttons []commands.Button, sel *commands.Select) []discordgo.MessageComponent {
	var selects []discordgo.MessageComponent
	if sel != nil {
		selects = renderSelect(sel)
	}
	rowsForButtons := maxRows - len(selects)
	if rowsForButtons < 0 {
		rowsForButtons = 0
	}
	var rows []discordgo.MessageComponent
	var usable, links, actions []commands.Button
	// Discord refuses a whole message when two components share a custom_id:
	// a repeated action keeps its first button only.
	used := map[string]bool{}
	if sel != nil {
		used[sel.Action] = true
	}
	for _, b := range buttons {
		switch {
		case b.URL != "":
			links = append(links, b)
		case b.Action != "" && len(b.Action) <= maxValue && !used[b.Action]:
			used[b.Action] = true
			actions = append(actions, b)
		default:
			continue
		}
		usable = append(usable, b)
	}
	if (len(usable)+maxButtonsPerRow-1)/maxButtonsPerRow <= rowsForButtons {
		rows = append(rows, buttonRows(usable)...)
	} else {
		// Link buttons cannot live in a menu: they keep their rows and the
		// action buttons fill menus of 25 options.
		menus := (len(actions) + maxSelectOptions - 1) / maxSelectOptions
		linkRows := rowsForButtons - menus
		if linkRows < 0 {
			linkRows = 0
		}
		if len(links) > linkRows*maxButtonsPerRow {
			links = links[:linkRows*maxButtonsPerRow]
		}
		rows = append(rows, buttonRows(links)...)
		for i := 0; i*maxSelectOptions < len(actions) && len(rows) < rowsForButtons; i++ {
			part := actions[i*maxSelectOptions : min((i+1)*maxSelectOptions, len(actions))]
			opts := make([]discordgo.SelectMenuOption, len(part))
			for j, b := range part {
				opts[j] = discordgo.SelectMenuOption{Label: truncate(nonEmpty(b.Label, b.Action), maxSelectLabel), Value: b.Action}
			}
			one := 1
			rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.SelectMenu{
				MenuType: discordgo.StringSelectMenu, CustomID: selectPartPrefix + "b" + strconv.Itoa(i),
				MinValues: &one, MaxValues: 1, Options: opts,
			}}})
		}
	}
	rows = append(rows, selects...)
	if len(rows) > maxRows {
		rows = rows[:maxRows]
	}
	return rows
}

// maxValue is the longest route that fits in both a custom_id and a select value.
const maxValue = 100

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func buttonRows(buttons []commands.Button) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	for i := 0; i < len(buttons); i += maxButtonsPerRow {
		var row []discordgo.MessageComponent
		for _, b := range buttons[i:min(i+maxButtonsPerRow, len(buttons))] {
			btn := discordgo.Button{Label: truncate(nonEmpty(b.Label, "…"), maxButtonLabel), Style: buttonStyle(b.Style), CustomID: b.Action}
			if b.URL != "" {
				btn.Style, btn.URL, btn.CustomID = discordgo.LinkButton, b.URL, ""
			}
			row = append(row, btn)
		}
		rows = append(rows, discordgo.ActionsRow{Components: row})
	}
	return rows
}

func buttonStyle(s commands.ButtonStyle) discordgo.ButtonStyle {
	switch s {
	case commands.ButtonPrimary:
		return discordgo.PrimaryButton
	case commands.ButtonSuccess:
		return discordgo.SuccessButton
	case commands.ButtonDanger:
		return discordgo.DangerButton
	default:
		return discordgo.SecondaryButton
	}
}

// renderSelect makes one row per 25 options; parts after the first carry
// their number in the custom_id, which must be unique within a message.
func renderSelect(sel *commands.Select) []discordgo.MessageComponent {
	var rows []discordgo.MessageComponent
	for i := 0; i*maxSelectOptions < len(sel.Options) && i < maxRows; i++ {
		part := sel.Options[i*maxSelectOptions : min((i+1)*maxSelectOptions, len(sel.Options))]
		opts := make([]discordgo.SelectMenuOption, 0, len(part))
		for _, o := range part {
			if o.Action == "" || len(o.Action) > maxValue {
				continue
			}
			opts = append(opts, discordgo.SelectMenuOption{Label: truncate(nonEmpty(o.Label, o.Action), maxSelectLabel), Value: o.Action})
		}
		if len(opts) == 0 {
			continue
		}
		id := sel.Action
		if i > 0 {
			id = fmt.Sprintf("%s%d%s%s", selectPartPrefix, i, selectPartPrefix, sel.Action)
		}
		if len(id) > maxCustomID {
			continue
		}
		minV := max(sel.MinValues, 1)
		maxV := sel.MaxValues
		if maxV < minV {
			maxV = minV
		}
		minV, maxV = min(minV, len(opts)), min(maxV, len(opts))
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.SelectMenu{
			MenuType: discordgo.StringSelectMenu, CustomID: id, Placeholder: truncate(sel.Placeholder, 150),
			MinValues: &minV, MaxValues: maxV, Options: opts,
		}}})
	}
	return rows
}

// actionFromComponent turns a component's custom_id and values back into the
// neutral action, undoing what renderComponents did to make things fit.
func actionFromComponent(customID string, values []string) (route string, vals []string) {
	rest, ok := strings.CutPrefix(customID, selectPartPrefix)
	if !ok {
		return customID, values
	}
	if strings.HasPrefix(rest, "b") {
		// A menu standing for buttons: the chosen value is the button's route.
		if len(values) == 0 {
			return "", nil
		}
		return values[0], nil
	}
	if _, route, ok := strings.Cut(rest, selectPartPrefix); ok {
		return route, values
	}
	return "", nil
}

// renderModal makes a Discord modal: at most five text inputs.
func renderModal(m *commands.Modal) *discordgo.InteractionResponseData {
	var rows []discordgo.MessageComponent
	for _, f := range m.Fields {
		if len(rows) == maxModalFields {
			break
		}
		style := discordgo.TextInputShort
		if f.Long {
			style = discordgo.TextInputParagraph
		}
		maxLen := f.MaxLength
		if maxLen <= 0 || maxLen > 4000 {
			maxLen = 4000
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
			CustomID: f.ID, Label: truncate(nonEmpty(f.Label, f.ID), maxInputLabel), Style: style,
			Placeholder: truncate(f.Placeholder, maxPlaceholder), Required: f.Required, MaxLength: maxLen,
		}}})
	}
	return &discordgo.InteractionResponseData{CustomID: m.Action, Title: truncate(nonEmpty(m.Title, "Agora"), maxModalTitle), Components: rows}
}
