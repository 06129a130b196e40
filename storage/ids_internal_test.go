package storage

import "testing"

func TestIDBatches(t *testing.T) {
	many := make([]int64, 2000)
	for i := range many {
		many[i] = int64(i + 1)
	}
	for _, tc := range []struct {
		name    string
		dialect string
		ids     []int64
		sizes   []int
	}{
		{"none", Postgres, nil, nil},
		{"repeats kept once", SQLite, []int64{3, 1, 3, 2, 1}, []int{3}},
		{"PostgreSQL reads any number at once", Postgres, many, []int{2000}},
		{"SQLite stays under its parameter limit", SQLite, many, []int{900, 900, 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			batches := (&Store{dialect: tc.dialect}).idBatches(tc.ids)
			if len(batches) != len(tc.sizes) {
				t.Fatalf("%d batches, want %d", len(batches), len(tc.sizes))
			}
			seen := map[int64]bool{}
			for i, b := range batches {
				if len(b) != tc.sizes[i] {
					t.Errorf("batch %d has %d ids, want %d", i, len(b), tc.sizes[i])
				}
				for _, id := range b {
					if seen[id] {
						t.Errorf("id %d in two batches", id)
					}
					seen[id] = true
				}
			}
		})
	}
}
