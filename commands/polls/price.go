package polls

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// parseEuros reads an amount as French speakers write it: "2,10", "2.10",
// "2,10 €", "2 €", "+0,40", "-1", as English speakers do ("+€0.40"), and as Agora writes it ("1 234,00 €",
// with no-break spaces). It returns euro cents.
func parseEuros(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "€"))
	sign := int64(1)
	switch {
	case strings.HasPrefix(s, "+"):
		s = strings.TrimSpace(s[1:])
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"):
		_, size := firstRune(s)
		s = strings.TrimSpace(s[size:])
		sign = -1
	}
	s = strings.TrimSpace(strings.TrimPrefix(s, "€")) // "€2", "+€0.40", as English speakers write it
	whole, frac, hasFrac := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	whole, grouped := ungroupThousands(whole)
	if !grouped || whole == "" || len(whole) > 7 || !digits(whole) {
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

// parseBasePrice reads a questionnaire's base price: an amount as
// parseEuros reads it, also with a currency word ("2,10 euros", "3 EUR").
func parseBasePrice(s string) (int64, bool) {
	return parseEuros(euroWord(strings.TrimSpace(s)))
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

// splitPrice's refusals.
var (
	errBadPrice       = errors.New("unreadable price impact")
	errAmbiguousPrice = errors.New("number that may be a price, without sign or euro")
)

// splitPrice separates a trailing price impact from a choice label. An
// impact is an amount at the end of the label, after a space, either
// signed ("Bio +0,40 €", "Petit -0,5", "Grand +1") or in euros ("Bio
// 0,40 €", "Bio 2€", "Bio €2", "Bio 0,40 euros", "Bio 0,40 EUR"), and may
// stand in parentheses, as Agora shows a priced choice ("Bio (+0,40 €)"),
// so a choice copied from a poll keeps its price. An impact is an
// addition unless written with "-" or "−", so "Bio 0,40 €" costs 40 cents
// more. A label ending in an amount that cannot be read ("Bio +0,4x",
// "Lot 1 000 €", "Bio (lot de 2 €)") is refused rather than priced at
// nothing, and so is a label ending in a decimal number with neither sign
// nor euro ("Bio 0,40", "Bio (0,40)"), which may be a price or a name.
// Other numbers belong to the label: "Pack de 6", "T-shirt-2",
// "Pré-commande", "Taille (42)".
func splitPrice(label string) (string, int64, error) {
	label = strings.TrimSpace(label)
	if before, inner, ok := cutParens(label); ok {
		rest, cents, err := splitPrice(inner)
		switch {
		case err != nil:
			return "", 0, err
		case rest == inner:
			// No amount inside ("Bio (local)", "Taille (42)"): the
			// parentheses belong to the label, read on below.
		case rest != "":
			return "", 0, errBadPrice // "Bio (lot de 2 €)": words and a price
		default:
			return strings.TrimSpace(before), cents, nil
		}
	}
	// "0,40 euros" reads as "0,40 €"; a label with nothing cut is given
	// back as typed ("Prix en euros").
	read := euroWord(label)
	out, cents, err := splitAmount(read)
	if err == nil && out == read {
		return label, 0, nil
	}
	return out, cents, err
}

// euroWords are the currency words members write after an amount, compared
// without case: "0,40 euros", "2 EUR".
var euroWords = []string{"euros", "euro", "eur"}

// euroWord replaces a currency word that ends s, as a word of its own or
// right after a digit ("Bio 0,40 euros", "Bio 2EUR"), by "€", so that
// splitAmount reads or refuses it as it does "€". Other endings stay
// ("Fleur").
func euroWord(s string) string {
	for _, w := range euroWords {
		if len(s) < len(w) || !strings.EqualFold(s[len(s)-len(w):], w) {
			continue
		}
		before := s[:len(s)-len(w)]
		trimmed := strings.TrimRightFunc(before, unicode.IsSpace)
		if before == "" || trimmed != before || trimmed[len(trimmed)-1] >= '0' && trimmed[len(trimmed)-1] <= '9' {
			return trimmed + " €"
		}
	}
	return s
}

// cutParens splits "Bio (+0,40 €)" into "Bio " and "+0,40 €": the text
// after the last "(" of a label that ends with ")".
func cutParens(s string) (before, inner string, ok bool) {
	if !strings.HasSuffix(s, ")") {
		return "", "", false
	}
	i := strings.LastIndex(s, "(")
	if i < 0 {
		return "", "", false
	}
	return s[:i], strings.TrimSpace(s[i+1 : len(s)-1]), true
}

// splitAmount is splitPrice for a label without currency words or
// parentheses around its amount.
func splitAmount(label string) (string, int64, error) {
	if i := strings.LastIndexAny(label, "+-−"); i >= 0 {
		before, amount := label[:i], label[i:]
		// "Pré-commande" and "T-shirt-2" have hyphens, not signs.
		if strings.ContainsAny(amount, "0123456789") && (before == "" || strings.HasSuffix(before, " ")) {
			cents, ok := parseEuros(amount)
			if !ok {
				return "", 0, errBadPrice
			}
			return strings.TrimSpace(before), cents, nil
		}
	}
	// The trailing run of digits, separators, spaces and euro signs; the
	// no-break spaces are those of prices copied from Agora's messages.
	start := 0
	if i := strings.LastIndexFunc(label, func(r rune) bool { return !strings.ContainsRune("0123456789,. \u00a0\u202f€", r) }); i >= 0 {
		_, size := utf8.DecodeRuneInString(label[i:])
		start = i + size
	}
	amount := strings.TrimSpace(label[start:])
	before := strings.TrimSuffix(label, amount)
	lastWord := ""
	if words := strings.Fields(label); len(words) > 0 {
		lastWord = words[len(words)-1]
	}
	switch {
	case strings.Contains(amount, "€") && strings.ContainsAny(amount, "0123456789"):
		if before != "" && !strings.HasSuffix(before, " ") {
			return "", 0, errBadPrice // "Bio0,40 €", "Bio 0,4x0 €"
		}
		cents, ok := parseEuros(amount)
		if !ok {
			return "", 0, errBadPrice
		}
		return strings.TrimSpace(before), cents, nil
	case strings.Contains(amount, "€"):
		// "Prix en €" names euros; "Bio 0,4x €" is a price mistyped.
		if w := strings.Fields(before); len(w) > 0 && strings.ContainsAny(w[len(w)-1], "0123456789") {
			return "", 0, errBadPrice
		}
		return label, 0, nil
	case decimalComma(lastWord):
		return "", 0, errAmbiguousPrice
	}
	return label, 0, nil
}

// decimalComma is true for numbers written with a French decimal comma,
// as prices are: "0,40", "2,5".
func decimalComma(w string) bool {
	whole, frac, ok := strings.Cut(w, ",")
	return ok && digits(whole) && digits(frac) && len(frac) <= 2
}

// formatEuros writes cents the French way: "2,50 €", "-0,40 €",
// "1 234,00 €", with a no-break space before the euro sign and narrow
// no-break spaces between groups of digits, so a price never breaks
// across lines. parseEuros reads it back.
func formatEuros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return sign + groupThousands(strconv.FormatInt(cents/100, 10)) + "," + pad2(cents%100) + "\u00a0€"
}

// groupSep separates groups of three digits in amounts Agora writes.
const groupSep = "\u202f"

// groupThousands puts groupSep between groups of three digits.
func groupThousands(digits string) string {
	for i := len(digits) - 3; i > 0; i -= 3 {
		digits = digits[:i] + groupSep + digits[i:]
	}
	return digits
}

// ungroupThousands removes groupSep from a whole number written by
// groupThousands ("1 234"), and refuses any other grouping ("12 34").
func ungroupThousands(s string) (string, bool) {
	if !strings.Contains(s, groupSep) {
		return s, true
	}
	groups := strings.Split(s, groupSep)
	for i, g := range groups {
		if g == "" || len(g) > 3 || i > 0 && len(g) != 3 {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}
