package faq

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/faq/search"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// The FAQ file is YAML, written for people: a list of entries, each with
// its French text at the top and its other versions under their language.
//
//	- id: 3
//	  question: Comment devenir membre ?
//	  formulations:
//	    - Comment adhérer ?
//	  tags: [adhésion, inscription]
//	  reponse: |
//	    Remplissez le *formulaire* d'adhésion.
//	  en:
//	    question: How do I become a member?
//	    reponse: Fill in the membership *form*.
//
// "id" is optional: an entry with the ID of one of the community's entries
// replaces that entry's texts; one without (or with an unknown ID) is
// matched by its question, else added. "langue" names the top text's
// language when it is not French. English keys are read too (phrasings,
// answer, lang).

// fileText is one version of an entry as read, with the lines its parts
// were on, to point at what is wrong.
type fileText struct {
	model.FAQText
	line  int            // where the text starts
	lines map[string]int // canonical key → line
}

// fileEntry is one entry as read.
type fileEntry struct {
	id    int64
	line  int
	texts []fileText
}

// fileProblem is a problem in a file, at a line (0: the whole file).
type fileProblem struct {
	line int
	problem
}

// keys maps every accepted key of an entry to its canonical name.
var keys = map[string]string{
	"id": "id", "question": "question",
	"formulations": "formulations", "phrasings": "formulations",
	"tags": "tags", "reponse": "reponse", "réponse": "reponse", "answer": "reponse",
	"langue": "langue", "lang": "langue", "language": "langue",
}

// fileParser reads a FAQ file, gathering every problem rather than
// stopping at the first, so one report lists all there is to fix.
type fileParser struct {
	problems []fileProblem
}

func (p *fileParser) fail(line int, id string, data locales.Data) {
	p.problems = append(p.problems, fileProblem{line: line, problem: problem{ID: id, Data: data}})
}

// parseFile reads and checks a FAQ file. Entries come back cleaned
// (cleanText); any problem means the file is refused as a whole.
func parseFile(data []byte) ([]fileEntry, []fileProblem) {
	p := &fileParser{}
	if len(data) > MaxImportBytes {
		p.fail(0, "faq.import_too_large", locales.Data{"Size": locales.Quantity(len(data)), "Max": locales.Quantity(MaxImportBytes)})
		return nil, p.problems
	}
	if !utf8.Valid(data) {
		p.fail(0, "faq.import_not_utf8", nil)
		return nil, p.problems
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.fail(0, "faq.import_empty", nil)
		} else {
			p.syntax(err)
		}
		return nil, p.problems
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		p.fail(next.Line, "faq.import_several_documents", nil)
		return nil, p.problems
	case !errors.Is(err, io.EOF):
		p.syntax(err)
		return nil, p.problems
	}
	if len(doc.Content) != 1 {
		p.fail(0, "faq.import_empty", nil)
		return nil, p.problems
	}
	root := doc.Content[0]
	p.refuseAliases(root)
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		p.fail(0, "faq.import_empty", nil)
		return nil, p.problems
	}
	if root.Kind != yaml.SequenceNode {
		p.fail(root.Line, "faq.import_not_a_list", nil)
		return nil, p.problems
	}
	if len(root.Content) > MaxImportEntries {
		p.fail(0, "faq.import_too_many", locales.Data{"Count": locales.Quantity(len(root.Content)), "Max": locales.Quantity(MaxImportEntries)})
		return nil, p.problems
	}
	var entries []fileEntry
	for _, n := range root.Content {
		if e, ok := p.entry(n); ok {
			entries = append(entries, e)
		}
	}
	p.duplicates(entries)
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	return entries, nil
}

// syntaxLine finds the line in the YAML library's syntax errors
// ("yaml: line 3: …"); its wording is not shown to members. The line is
// where the construct in error starts, which may be a little before the
// mistake itself: the message says so.
var syntaxLine = regexp.MustCompile(`^yaml: line (\d+):`)

func (p *fileParser) syntax(err error) {
	line := 0
	if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	}
	p.fail(line, "faq.import_syntax", nil)
}

// refuseAliases refuses anchors and aliases: a FAQ needs none, and
// expanding them is how a small file becomes a huge one.
func (p *fileParser) refuseAliases(n *yaml.Node) {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		p.fail(n.Line, "faq.import_alias", nil)
		return
	}
	for _, c := range n.Content {
		p.refuseAliases(c)
	}
}

// entry reads one entry of the list.
func (p *fileParser) entry(n *yaml.Node) (fileEntry, bool) {
	e := fileEntry{line: n.Line}
	if n.Kind != yaml.MappingNode {
		p.fail(n.Line, "faq.import_entry_not_mapping", nil)
		return e, false
	}
	before := len(p.problems)
	top := fileText{line: n.Line, lines: map[string]int{}}
	var versions []fileText
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key, known := keys[strings.ToLower(k.Value)]
		if !known && supportedLang(strings.ToLower(k.Value)) {
			key, known = strings.ToLower(k.Value), true
		}
		if !known || k.Kind != yaml.ScalarNode {
			p.fail(k.Line, "faq.import_unknown_key", locales.Data{"Key": cut(k.Value, 40)})
			continue
		}
		if line, dup := seen[key]; dup {
			p.fail(k.Line, "faq.import_duplicate_key", locales.Data{"Key": k.Value, "Other": line})
			continue
		}
		seen[key] = k.Line
		switch key {
		case "id":
			id, ok := commands.ParseID(strings.TrimSpace(v.Value))
			if v.Kind != yaml.ScalarNode || !ok {
				p.fail(v.Line, "faq.import_bad_id", locales.Data{"Value": cut(v.Value, 20)})
				continue
			}
			e.id = id
		case "langue", "question", "formulations", "tags", "reponse":
			p.field(&top, key, v)
		default:
			if v.Kind != yaml.MappingNode {
				p.fail(v.Line, "faq.import_version_not_mapping", locales.Data{"Lang": key})
				continue
			}
			version := fileText{FAQText: model.FAQText{Lang: key}, line: k.Line, lines: map[string]int{}}
			seenField := map[string]int{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				fk, fv := v.Content[j], v.Content[j+1]
				field, known := keys[strings.ToLower(fk.Value)]
				if !known || field == "id" || field == "langue" || fk.Kind != yaml.ScalarNode {
					p.fail(fk.Line, "faq.import_unknown_key", locales.Data{"Key": cut(fk.Value, 40)})
					continue
				}
				if line, dup := seenField[field]; dup {
					p.fail(fk.Line, "faq.import_duplicate_key", locales.Data{"Key": fk.Value, "Other": line})
					continue
				}
				seenField[field] = fk.Line
				p.field(&version, field, fv)
			}
			versions = append(versions, version)
		}
	}
	if len(top.lines) > 0 {
		if top.Lang == "" {
			top.Lang = "fr"
		}
		e.texts = append(e.texts, top)
	}
	e.texts = append(e.texts, versions...)
	if len(p.problems) > before {
		return e, false
	}
	if len(e.texts) == 0 {
		p.fail(n.Line, "faq.import_empty_entry", nil)
		return e, false
	}
	langs := map[string]bool{}
	for i := range e.texts {
		t := &e.texts[i]
		cleaned, prob := cleanText(t.FAQText)
		if prob != nil {
			p.problems = append(p.problems, fileProblem{line: t.lineOf(prob.ID), problem: *prob})
			continue
		}
		t.FAQText = cleaned
		if langs[t.Lang] {
			p.fail(t.line, "faq.import_lang_twice", locales.Data{"Lang": t.Lang})
		}
		langs[t.Lang] = true
	}
	return e, len(p.problems) == before
}

// field reads one part of a text.
func (p *fileParser) field(t *fileText, key string, v *yaml.Node) {
	t.lines[key] = v.Line
	switch key {
	case "formulations", "tags":
		items, ok := scalars(v)
		if !ok {
			p.fail(v.Line, "faq.import_not_list", locales.Data{"Key": key})
			return
		}
		if key == "tags" {
			// "tags: a, b" is as clear as a list.
			var split []string
			for _, item := range items {
				split = append(split, strings.Split(item, ",")...)
			}
			t.Tags = split
		} else {
			t.Phrasings = items
		}
	default:
		s, ok := scalar(v)
		if !ok {
			p.fail(v.Line, "faq.import_not_text", locales.Data{"Key": key})
			return
		}
		switch key {
		case "langue":
			t.Lang = strings.ToLower(strings.TrimSpace(s))
		case "question":
			t.Question = s
		case "reponse":
			t.Answer = s
		}
	}
}

// scalar reads a text value; "~" or nothing is empty.
func scalar(v *yaml.Node) (string, bool) {
	if v.Kind != yaml.ScalarNode {
		return "", false
	}
	if v.Tag == "!!null" {
		return "", true
	}
	return v.Value, true
}

// scalars reads a list of texts, or one text as a list of one.
func scalars(v *yaml.Node) ([]string, bool) {
	if v.Kind == yaml.ScalarNode {
		s, _ := scalar(v)
		if s == "" {
			return nil, true
		}
		return []string{s}, true
	}
	if v.Kind != yaml.SequenceNode {
		return nil, false
	}
	var out []string
	for _, c := range v.Content {
		s, ok := scalar(c)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// lineOf points at the part of a text a problem is about.
func (t fileText) lineOf(problemID string) int {
	field := map[string]string{
		"faq.bad_lang": "langue", "faq.question_too_long": "question", "faq.answer_too_long": "reponse",
		"faq.missing_question": "question", "faq.missing_answer": "reponse",
		"faq.too_many_phrasings": "formulations", "faq.phrasing_too_long": "formulations",
		"faq.too_many_tags": "tags", "faq.tag_too_long": "tags",
	}[problemID]
	return t.at(field)
}

// at is the line of a part of the text, or of the text when it lacks it.
func (t fileText) at(field string) int {
	if line, ok := t.lines[field]; ok {
		return line
	}
	return t.line
}

// questionKey identifies a question for duplicate checks: its language
// and analyzed form; "" when it has no meaningful word to compare.
func questionKey(lang, question string) string {
	n := search.Normalize(question, lang)
	if n == "" {
		return ""
	}
	return lang + "\x00" + n
}

// duplicates refuses two entries of the file asking the same question, or
// carrying the same ID.
func (p *fileParser) duplicates(entries []fileEntry) {
	questions := map[string]int{}
	ids := map[int64]int{}
	for _, e := range entries {
		if e.id != 0 {
			if line, dup := ids[e.id]; dup {
				p.fail(e.line, "faq.import_duplicate_id", locales.Data{"ID": e.id, "Other": line})
			}
			ids[e.id] = e.line
		}
		for _, t := range e.texts {
			k := questionKey(t.Lang, t.Question)
			if k == "" {
				continue
			}
			if line, dup := questions[k]; dup {
				p.fail(t.at("question"), "faq.import_duplicate", locales.Data{"Question": cut(t.Question, 80), "Other": line})
				continue
			}
			questions[k] = t.at("question")
		}
	}
}

// writeFile writes entries as a FAQ file, under a comment naming the
// community and the date.
func writeFile(header string, entries []model.FAQEntry) ([]byte, error) {
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	addText := func(m *yaml.Node, t model.FAQText) {
		m.Content = append(m.Content, str("question"), str(t.Question))
		if len(t.Phrasings) > 0 {
			seq := &yaml.Node{Kind: yaml.SequenceNode}
			for _, ph := range t.Phrasings {
				seq.Content = append(seq.Content, str(ph))
			}
			m.Content = append(m.Content, str("formulations"), seq)
		}
		if len(t.Tags) > 0 {
			seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			for _, tag := range t.Tags {
				seq.Content = append(seq.Content, str(tag))
			}
			m.Content = append(m.Content, str("tags"), seq)
		}
		answer := str(t.Answer)
		if strings.Contains(t.Answer, "\n") {
			answer.Style = yaml.LiteralStyle
		}
		m.Content = append(m.Content, str("reponse"), answer)
	}
	list := &yaml.Node{Kind: yaml.SequenceNode}
	for _, e := range entries {
		if len(e.Texts) == 0 {
			continue
		}
		m := &yaml.Node{Kind: yaml.MappingNode}
		if e.ID > 0 {
			m.Content = append(m.Content, str("id"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(e.ID, 10)})
		}
		top := mainText(e)
		if top.Lang != "fr" {
			m.Content = append(m.Content, str("langue"), str(top.Lang))
		}
		addText(m, top)
		for _, t := range e.Texts {
			if t.Lang == top.Lang {
				continue
			}
			version := &yaml.Node{Kind: yaml.MappingNode}
			addText(version, t)
			m.Content = append(m.Content, str(t.Lang), version)
		}
		list.Content = append(list.Content, m)
	}
	doc := &yaml.Node{Kind: yaml.DocumentNode, HeadComment: header, Content: []*yaml.Node{list}}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
