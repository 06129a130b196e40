package faq

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// reportItem is an entry an import added or changed.
type reportItem struct {
	id       int64
	line     int
	question string
	write    int // the entry's index among the writes, for added ones
}

// importReport says what an import did, or why it did nothing.
type importReport struct {
	added, changed []reportItem
	unchanged      int
	problems       []fileProblem
}

func (r importReport) refused() bool { return len(r.problems) > 0 }

// reportListed bounds the lines of a report shown in a chat; the command
// line shows them all.
const reportListed = 30

// render writes the report; limit bounds each list (0: no bound).
func (r importReport) render(l *locales.Localizer, limit int) markup.Text {
	var lines []markup.Text
	listed := func(n int) int {
		if limit > 0 {
			return min(n, limit)
		}
		return n
	}
	if r.refused() {
		lines = append(lines, l.N("faq.import_refused", len(r.problems)))
		for _, p := range r.problems[:listed(len(r.problems))] {
			text := l.T(p.ID, p.Data)
			if p.line > 0 {
				lines = append(lines, l.T("faq.import_problem_at", locales.Data{"Line": p.line, "Problem": text}))
			} else {
				lines = append(lines, l.T("faq.import_problem", locales.Data{"Problem": text}))
			}
		}
		if rest := len(r.problems) - listed(len(r.problems)); rest > 0 {
			lines = append(lines, l.N("faq.import_more", rest))
		}
		return markup.Join(lines, "\n")
	}
	lines = append(lines, l.T("faq.import_done", locales.Data{
		"Added": len(r.added), "Changed": len(r.changed), "Unchanged": r.unchanged,
	}))
	for _, group := range []struct {
		id    string
		items []reportItem
	}{{"faq.import_added", r.added}, {"faq.import_changed", r.changed}} {
		for _, it := range group.items[:listed(len(group.items))] {
			lines = append(lines, l.T(group.id, locales.Data{"ID": it.id, "Line": it.line, "Question": cut(it.question, 80)}))
		}
		if rest := len(group.items) - listed(len(group.items)); rest > 0 {
			lines = append(lines, l.N("faq.import_more", rest))
		}
	}
	return markup.Join(lines, "\n")
}

// importFile imports a FAQ file into a community: all of it, in one
// transaction, or nothing when anything is wrong.
func (s *service) importFile(ctx context.Context, communityID int64, data []byte, now time.Time) (importReport, error) {
	entries, problems := parseFile(data)
	if len(problems) > 0 {
		return importReport{problems: problems}, nil
	}
	existing, err := s.store.FAQEntries(ctx, communityID) // fresh: the import must see every change
	if err != nil {
		return importReport{}, err
	}
	report, writes := plan(entries, existing)
	if report.refused() {
		return report, nil
	}
	if len(writes) == 0 {
		return report, nil
	}
	if err := s.store.ImportFAQ(ctx, communityID, writes, now); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			// An entry was deleted since it was read: nothing was written.
			return importReport{problems: []fileProblem{{problem: problem{ID: "faq.import_conflict"}}}}, nil
		}
		return importReport{}, err
	}
	for i := range report.added {
		report.added[i].id = writes[report.added[i].write].ID // set by the store
	}
	s.changed(ctx, communityID)
	return report, nil
}

// plan decides what an import does: which file entry replaces which
// entry, which are new, and what would break the rule that no two entries
// ask the same question in one language.
func plan(entries []fileEntry, existing []model.FAQEntry) (importReport, []model.FAQEntry) {
	var r importReport
	byID := map[int64]model.FAQEntry{}
	byQuestion := map[string]int64{}
	for _, e := range existing {
		byID[e.ID] = e
		for _, t := range e.Texts {
			if k := questionKey(t.Lang, t.Question); k != "" {
				byQuestion[k] = e.ID
			}
		}
	}
	fail := func(line int, id string, data locales.Data) {
		r.problems = append(r.problems, fileProblem{line: line, problem: problem{ID: id, Data: data}})
	}

	// Each file entry replaces the entry with its ID, or else the one
	// asking one of its questions; two may not replace the same one.
	targets := make([]int64, len(entries))
	takenBy := map[int64]int{}
	for i, fe := range entries {
		target := int64(0)
		if _, ok := byID[fe.id]; ok {
			target = fe.id
		} else {
			for _, t := range fe.texts {
				if id, ok := byQuestion[questionKey(t.Lang, t.Question)]; ok {
					target = id
					break
				}
			}
		}
		if target == 0 {
			continue
		}
		if line, taken := takenBy[target]; taken {
			fail(fe.line, "faq.import_same_entry", locales.Data{"ID": target, "Other": line})
			continue
		}
		takenBy[target] = fe.line
		targets[i] = target
	}

	// After the import, no question may read like another entry's
	// question or phrasing: the texts the file replaces make way for the
	// file's.
	replaced := map[int64]map[string]bool{}
	for i, fe := range entries {
		if targets[i] == 0 {
			continue
		}
		replaced[targets[i]] = map[string]bool{}
		for _, t := range fe.texts {
			replaced[targets[i]][t.Lang] = true
		}
	}
	owner := map[string]int64{} // questions and phrasings of the texts that stay
	for _, e := range existing {
		for _, t := range e.Texts {
			if replaced[e.ID][t.Lang] {
				continue
			}
			for _, asked := range append([]string{t.Question}, t.Phrasings...) {
				if k := questionKey(t.Lang, asked); k != "" {
					owner[k] = e.ID
				}
			}
		}
	}
	for i, fe := range entries {
		for _, t := range fe.texts {
			k := questionKey(t.Lang, t.Question)
			if k == "" {
				continue
			}
			if id, taken := owner[k]; taken && id != targets[i] {
				fail(t.at("question"), "faq.import_duplicate_entry", locales.Data{"ID": id, "Question": cut(t.Question, 80)})
			}
		}
	}
	if r.refused() {
		return r, nil
	}

	var writes []model.FAQEntry
	for i, fe := range entries {
		texts := make([]model.FAQText, len(fe.texts))
		for j, t := range fe.texts {
			texts[j] = t.FAQText
		}
		item := reportItem{id: targets[i], line: fe.line, question: texts[0].Question}
		if targets[i] == 0 {
			item.write = len(writes)
			writes = append(writes, model.FAQEntry{Texts: texts})
			r.added = append(r.added, item)
			continue
		}
		if sameTexts(byID[targets[i]], texts) {
			r.unchanged++
			continue
		}
		writes = append(writes, model.FAQEntry{ID: targets[i], Texts: texts})
		r.changed = append(r.changed, item)
	}
	return r, writes
}

// sameTexts reports whether an entry already has exactly these texts.
func sameTexts(e model.FAQEntry, texts []model.FAQText) bool {
	for _, t := range texts {
		have, ok := e.Version(t.Lang)
		if !ok || have.Question != t.Question || have.Answer != t.Answer ||
			!reflect.DeepEqual(nonNil(have.Phrasings), nonNil(t.Phrasings)) || !reflect.DeepEqual(nonNil(have.Tags), nonNil(t.Tags)) {
			return false
		}
	}
	return true
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// exportFile writes a community's FAQ as a file.
func (s *service) exportFile(ctx context.Context, c model.Community, l *locales.Localizer, now time.Time) ([]byte, int, error) {
	entries, err := s.store.FAQEntries(ctx, c.ID)
	if err != nil {
		return nil, 0, err
	}
	header := l.S("faq.export_header", locales.Data{"Community": oneLine(c.Name), "Date": l.DateTime(now), "Count": len(entries)})
	data, err := writeFile(header, entries)
	if err != nil {
		return nil, 0, fmt.Errorf("write the FAQ of community %d: %w", c.ID, err)
	}
	return data, len(entries), nil
}

// exportCommand is /faqgestion exporter: the FAQ as a YAML file.
func (s *service) exportCommand(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	c, err := s.store.Community(ctx, req.Community.ID)
	if err != nil {
		return nil, err
	}
	data, n, err := s.exportFile(ctx, c, req.Loc, req.Now)
	if err != nil {
		return nil, err
	}
	return &commands.Response{
		Text:      req.Loc.N("faq.exported", n),
		Ephemeral: true,
		Files:     []commands.File{{Name: "faq.yaml", ContentType: "application/yaml", Data: data}},
	}, nil
}

// importCommand is /faqgestion importer: an attached file is imported at
// once, with the same limit as the command line's (the adapter caps the
// download, importFile refuses more than MaxImportBytes). Without a file, a
// form takes the file's text, limited to what a form field holds.
func (s *service) importCommand(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	if file := req.File("fichier"); file != nil {
		report, err := s.importFile(ctx, req.Community.ID, file.Data, req.Now)
		if err != nil {
			return nil, fmt.Errorf("import attached file: %w", err)
		}
		return commands.Private(report.render(req.Loc, reportListed)), nil
	}
	return &commands.Response{
		Text:      req.Loc.T("faq.import_form_intro", locales.Data{"Max": req.Loc.Number(MaxChatImport)}),
		Ephemeral: true,
		Modal: &commands.Modal{Action: "faqg/" + verbImport, Title: req.Loc.S("faq.import_form_title"), Fields: []commands.ModalField{
			{ID: "yaml", Label: req.Loc.S("faq.field_yaml"), Placeholder: req.Loc.S("faq.field_yaml_hint"), Long: true, Required: true, MaxLength: MaxChatImport},
		}},
	}, nil
}

func (s *service) importForm(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	text := req.Action.Fields["yaml"]
	if n := utf8.RuneCountInString(text); n > MaxChatImport {
		return nil, commands.Fail("faq.import_chat_too_large", locales.Data{"Length": locales.Quantity(n), "Max": locales.Quantity(MaxChatImport)})
	}
	report, err := s.importFile(ctx, req.Community.ID, []byte(text), req.Now)
	if err != nil {
		return nil, err
	}
	return commands.Private(report.render(req.Loc, reportListed)), nil
}

// cli is "agora faq export|import FILE --community ID".
func (s *service) cli(ctx context.Context, args []string, out io.Writer, l *locales.Localizer) error {
	verb, file, communityID, ok := parseCLI(args)
	if !ok {
		return errors.New(l.S("faq.cli_usage_error", locales.Data{"Usage": l.S("faq.cli_usage")}))
	}
	c, err := s.store.Community(ctx, communityID)
	if errors.Is(err, model.ErrNotFound) {
		return errors.New(l.S("faq.cli_no_community", locales.Data{"ID": communityID}))
	}
	if err != nil {
		return err
	}
	now := time.Now()
	if s.clock != nil {
		now = s.clock.Now()
	}
	if verb == "export" {
		data, n, err := s.exportFile(ctx, c, l, now)
		if err != nil {
			return err
		}
		if err := writeAtomically(file, data); err != nil {
			return errors.New(l.S("faq.cli_write_failed", locales.Data{"File": file, "Error": err.Error()}))
		}
		_, err = fmt.Fprintln(out, l.N("faq.cli_exported", n, locales.Data{"File": file, "Community": c.Name}).Plain())
		return err
	}
	data, err := readLimited(file, MaxImportBytes)
	if err != nil {
		return errors.New(l.S("faq.cli_read_failed", locales.Data{"File": file, "Error": err.Error()}))
	}
	report, err := s.importFile(ctx, c.ID, data, now)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(out, report.render(l, 0).Plain()); err != nil {
		return err
	}
	if report.refused() {
		return errors.New(l.S("faq.cli_import_refused"))
	}
	return nil
}

// parseCLI reads "export FILE --community ID" (or import), the flag
// anywhere after the verb, as "--community ID" or "--community=ID".
func parseCLI(args []string) (verb, file string, communityID int64, ok bool) {
	if len(args) == 0 {
		return "", "", 0, false
	}
	switch args[0] {
	case "export", "exporter":
		verb = "export"
	case "import", "importer":
		verb = "import"
	default:
		return "", "", 0, false
	}
	var rest []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && (name == "community" || name == "communaute") {
			if !hasValue {
				if i+1 >= len(args) {
					return "", "", 0, false
				}
				i++
				value = args[i]
			}
			id, ok := commands.ParseID(value)
			if !ok {
				return "", "", 0, false
			}
			communityID = id
			continue
		}
		rest = append(rest, a)
	}
	if len(rest) != 1 || communityID == 0 || rest[0] == "" {
		return "", "", 0, false
	}
	return verb, rest[0], communityID, true
}

// readLimited reads a file, refusing more than max bytes without reading
// them all: parseFile then reports the size.
func readLimited(path string, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, int64(max)+1))
}

// writeAtomically writes a file through a temporary one renamed over it,
// so a failure never leaves half an export.
func writeAtomically(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".faq-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
