package storage

// ChatQueries is how many chat lookups of s reached the database.
func ChatQueries(s *Store) int64 { return s.chatQueries.Load() }
