package storage

import (
	"slices"

	"github.com/lib/pq"
)

// maxSQLiteIDs caps the ids of one IN list on SQLite: builds older than
// 3.32 refuse a statement with more than 999 parameters. PostgreSQL reads
// any number of ids as one array parameter.
const maxSQLiteIDs = 900

// idBatches splits ids, each kept once, into the lists that one statement
// each reads: all of them at once on PostgreSQL, at most maxSQLiteIDs at a
// time on SQLite. It returns no batch for no ids.
func (s *Store) idBatches(ids []int64) [][]int64 {
	seen := make(map[int64]bool, len(ids))
	unique := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			unique = append(unique, id)
		}
	}
	if len(unique) == 0 {
		return nil
	}
	size := len(unique)
	if s.dialect == SQLite {
		size = min(size, maxSQLiteIDs)
	}
	return slices.Collect(slices.Chunk(unique, size))
}

// inIDs returns the condition "column is one of ids" and its arguments,
// numbered from $1: column = ANY($1) with an array on PostgreSQL, an IN
// list on SQLite. ids must not be empty.
func (s *Store) inIDs(column string, ids []int64) (string, []any) {
	if s.dialect == Postgres {
		return column + ` = ANY($1)`, []any{pq.Array(ids)}
	}
	list, args := idList(nil, ids)
	return column + ` IN (` + list + `)`, args
}
