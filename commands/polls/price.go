package polls

import (
	"strconv"
	"strings"
)

// parseEuros reads an amount as French speakers write it: "2,10", "2.10",
// "2,10 €", "2 €", "+0,40", "-1". It returns euro cents.
func parseEuros(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "€"))
	s = strings.TrimSpace(strings.TrimPrefix(s, "€"))
	sign := int64(1)
	switch {
	case strings.HasPrefix(s, "+"):
		s = strings.TrimSpace(s[1:])
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"):
		_, size := firstRune(s)
		s = strings.TrimSpace(s[size:])
		sign = -1
	}
	whole, frac, hasFrac := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	if whole == "" || len(whole) > 7 || !digits(whole) {
		return 0, false
	}
	cents, _ := strconv.ParseInt(whole, 10, 64)
	cents *= 100
	if hasFrac {
		if frac == "" || len(frac) > 2 || !digits(frac) {
			return 0, false
		}
		f, _ := strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
		cents += f
	}
	return sign * cents, true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// splitPrice separates a trailing signed amount from a choice label:
// "Bio +0,40 €" is "Bio" costing 40 cents more. A label without a signed
// amount costs nothing more; a sign followed by garbage is refused.
func splitPrice(label string) (string, int64, bool) {
	i := strings.LastIndexAny(label, "+-−")
	if i < 0 {
		return label, 0, true
	}
	amount := label[i:]
	if !strings.ContainsAny(amount, "0123456789") {
		return label, 0, true // "Pré-commande" has a hyphen, not a price
	}
	before := label[:i]
	if before != "" && !strings.HasSuffix(before, " ") {
		return label, 0, true // "T-shirt-2": a hyphen inside a word
	}
	cents, ok := parseEuros(amount)
	if !ok {
		return "", 0, false
	}
	return strings.TrimSpace(before), cents, true
}

// formatEuros writes cents the French way: "2,50 €", "-0,40 €".
func formatEuros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return sign + strconv.FormatInt(cents/100, 10) + "," + pad2(cents%100) + " €"
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
