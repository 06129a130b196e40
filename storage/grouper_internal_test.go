package storage

import (
	"fmt"
	"testing"
)

func TestValueRows(t *testing.T) {
	tests := []struct {
		types    []string
		n        int
		want     string
		wantArgs string
	}{
		{[]string{"text"}, 1, "($1::text)", "[r0c0]"},
		{[]string{"text", "bigint"}, 2, "($1::text, $2::bigint), ($3::text, $4::bigint)", "[r0c0 r0c1 r1c0 r1c1]"},
		{[]string{"int", "text", "timestamptz"}, 3, "($1::int, $2::text, $3::timestamptz), ($4::int, $5::text, $6::timestamptz), ($7::int, $8::text, $9::timestamptz)",
			"[r0c0 r0c1 r0c2 r1c0 r1c1 r1c2 r2c0 r2c1 r2c2]"},
	}
	for _, tt := range tests {
		got, args := valueRows(tt.types, tt.n, func(i int) []any {
			row := make([]any, len(tt.types))
			for j := range row {
				row[j] = fmt.Sprintf("r%dc%d", i, j)
			}
			return row
		})
		if got != tt.want || fmt.Sprint(args) != tt.wantArgs {
			t.Errorf("valueRows(%v, %d) = %q %v, want %q %s", tt.types, tt.n, got, args, tt.want, tt.wantArgs)
		}
	}
}
