package commands

import (
	"strconv"
	"strings"
)

// maxIDDigits bounds the IDs Agora writes and reads: 12 digits keep the
// longest button data ("p/del/<poll>/<member>") within Telegram's 64 bytes
// and never overflow an int64.
const maxIDDigits = 12

// numberPrefixes are the marks members put before a number: "n°12" as
// Agora writes it, "nº12" with the ordinal indicator, "no 12", "No. 12",
// "#12". "no." comes before "no" so that its dot goes too.
var numberPrefixes = []string{"n°", "nº", "no.", "no", "#"}

// ParseID reads an ID as Agora writes it in routes, button data, job
// payloads and subjects: a positive number of at most 12 digits, written
// as strconv writes it. Anything else ("012", "+12", " 12", "1e3") is
// refused rather than read as some number, since a platform hands back
// whatever a client sends.
func ParseID(s string) (int64, bool) {
	if s == "" || len(s) > maxIDDigits || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// ParseNumber reads a number (a poll, meetup, application or FAQ entry) as
// members type it: "12", "n°12", "n° 12", "N°12", "nº12", "no 12",
// "No. 12", "#12", with spaces around. Leading zeros are tolerated ("007"),
// since a typed number is not a key; what is left must then be an ID as
// ParseID reads it. Signs, decimals, other digits than ASCII ones, zero
// and numbers of more than 12 digits are refused.
func ParseNumber(s string) (int64, bool) {
	return ParseID(strings.TrimLeft(TrimNumberPrefix(s), "0"))
}

// TrimNumberPrefix drops the spaces around a typed number and its mark
// ("n° 12" gives "12"), for completing a number a member is still typing.
// Only one mark is dropped: "n°#12" gives "#12".
func TrimNumberPrefix(s string) string {
	s = strings.TrimSpace(s)
	for _, p := range numberPrefixes {
		// Marks are matched regardless of case: "N°12", "No. 12".
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return strings.TrimSpace(s[len(p):])
		}
	}
	return s
}
