package search

import ("testing";"fmt")

func TestScratch(t *testing.T) {
	ix := NewIndex(loadFAQ(t))
	for _, q := range loadQuestions(t) {
		if q.part != "tune" { continue }
		rs := ix.Search(q.question, q.lang, 2)
		ok := "  "
		if len(rs) > 0 && rs[0].ID == q.expect { ok = "OK" }
		if len(rs) == 0 && q.expect == 0 { ok = "OK" }
		s := ""
		for _, r := range rs { s += fmt.Sprintf("%d:%.2f ", r.ID, r.Confidence) }
		fmt.Printf("%s %4d  %-16s %s\n", ok, q.expect, s, q.question)
	}
}
