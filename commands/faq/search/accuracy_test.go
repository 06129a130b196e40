package search

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The targets of the FAQ issue are top-1 ≥ 90% and false answers ≤ 5%; the
// test fails below these relaxed floors, so that a change that makes the
// search clearly worse cannot land, while one question more or less does
// not make it flaky.
const (
	minTop1         = 0.85
	maxFalseAnswers = 0.10
)

// loadFAQ reads the sample FAQ; JSON keys match the Entry fields.
func loadFAQ(t testing.TB) []Entry {
	t.Helper()
	data, err := os.ReadFile("testdata/faq.json")
	if err != nil {
		t.Fatalf("read sample FAQ: %v", err)
	}
	var entries []Entry
	if err := json.Unmarshal(data, &entries); err != nil {
		t.Fatalf("decode sample FAQ: %v", err)
	}
	return entries
}

// labelled is a member question with the entry that answers it; expect is
// 0 when the FAQ has no answer.
type labelled struct {
	part     string // "tune" or "heldout"
	expect   int64
	lang     string
	question string
	line     int
}

// loadQuestions reads testdata/questions.txt (its format is described at
// the top of the file).
func loadQuestions(t testing.TB) []labelled {
	t.Helper()
	f, err := os.Open("testdata/questions.txt")
	if err != nil {
		t.Fatalf("open labelled questions: %v", err)
	}
	defer f.Close()
	var out []labelled
	part := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case line == "[tune]" || line == "[heldout]":
			part = strings.Trim(line, "[]")
			continue
		}
		cols := strings.SplitN(line, "|", 3)
		if len(cols) != 3 || part == "" {
			t.Fatalf("questions.txt:%d: want EXPECTED | LANG | QUESTION inside a section, got %q", n, line)
		}
		q := labelled{part: part, lang: strings.TrimSpace(cols[1]), question: strings.TrimSpace(cols[2]), line: n}
		if exp := strings.TrimSpace(cols[0]); exp != "none" {
			q.expect, err = strconv.ParseInt(exp, 10, 64)
			if err != nil {
				t.Fatalf("questions.txt:%d: expected entry %q: %v", n, exp, err)
			}
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read labelled questions: %v", err)
	}
	return out
}

// figures are the measures of one part of the labelled questions.
type figures struct {
	answerable, top1, autoRight, autoWrong, missed int
	noAnswer, falseAnswers, saidNoMatch            int
}

func (f figures) top1Rate() float64  { return ratio(f.top1, f.answerable) }
func (f figures) falseRate() float64 { return ratio(f.falseAnswers, f.noAnswer) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// TestAccuracy measures the search on the labelled questions. The figures
// are printed on standard output, which go test shows with -v or when run
// inside the package folder:
//
//	go test -v -run TestAccuracy ./commands/faq/search/
func TestAccuracy(t *testing.T) {
	entries := loadFAQ(t)
	questions := loadQuestions(t)
	ix := NewIndex(entries)
	known := make(map[int64]bool)
	for _, e := range entries {
		known[e.ID] = true
	}

	parts := map[string]*figures{"tune": {}, "heldout": {}}
	for _, q := range questions {
		if q.expect != 0 && !known[q.expect] {
			t.Fatalf("questions.txt:%d: entry %d is not in faq.json", q.line, q.expect)
		}
		f := parts[q.part]
		rs := ix.Search(q.question, q.lang, 3)
		var top Result
		if len(rs) > 0 {
			top = rs[0]
		}
		answered := len(rs) > 0 && top.Confidence >= AnswerThreshold
		if q.expect == 0 {
			f.noAnswer++
			if answered {
				f.falseAnswers++
				t.Logf("%s, line %d: false answer %d (confidence %.2f) to %q", q.part, q.line, top.ID, top.Confidence, q.question)
			}
			if len(rs) == 0 || top.Confidence < MatchThreshold {
				f.saidNoMatch++
			}
			continue
		}
		f.answerable++
		if len(rs) == 0 || top.Confidence < MatchThreshold {
			f.missed++
		}
		switch {
		case top.ID == q.expect:
			f.top1++
			if answered {
				f.autoRight++
			}
		default:
			if answered {
				f.autoWrong++
			}
			t.Logf("%s, line %d: want %d, got %v for %q", q.part, q.line, q.expect, rs, q.question)
		}
	}

	for _, name := range []string{"tune", "heldout"} {
		f := parts[name]
		fmt.Fprintf(os.Stdout, "FAQ search, %s: top-1 %d/%d (%.1f%%), answered automatically %d right and %d wrong, "+
			"%d told no match; no-answer questions: %d/%d false answers (%.1f%%), %d/%d told no match\n",
			name, f.top1, f.answerable, 100*f.top1Rate(), f.autoRight, f.autoWrong, f.missed,
			f.falseAnswers, f.noAnswer, 100*f.falseRate(), f.saidNoMatch, f.noAnswer)
		if f.answerable == 0 || f.noAnswer == 0 {
			t.Errorf("%s: the labelled set needs answerable and no-answer questions", name)
			continue
		}
		if f.top1Rate() < minTop1 {
			t.Errorf("%s: top-1 accuracy %.1f%% is below the floor of %.0f%% (target 90%%)", name, 100*f.top1Rate(), 100*minTop1)
		}
		if f.falseRate() > maxFalseAnswers {
			t.Errorf("%s: false answers %.1f%% are above the ceiling of %.0f%% (target 5%%)", name, 100*f.falseRate(), 100*maxFalseAnswers)
		}
	}
}

// TestLabelledSetSize keeps the labelled set as large as the FAQ issue asks.
func TestLabelledSetSize(t *testing.T) {
	entries := loadFAQ(t)
	questions := loadQuestions(t)
	var heldout, none int
	for _, q := range questions {
		if q.part == "heldout" {
			heldout++
		}
		if q.expect == 0 {
			none++
		}
	}
	if len(entries) < 30 || len(questions) < 60 || heldout < 25 || none < 12 {
		t.Errorf("sample too small: %d entries (want 30), %d questions (want 60), %d held out (want 25), %d without answer (want 12)",
			len(entries), len(questions), heldout, none)
	}
}
