// Package places finds French communes by the names people type: "Lyon 7e",
// "Saint-Étienne", "st etienne", "Marseille 13e arrondissement", "LYON",
// "Valence 26", "69007 Lyon". It answers from an offline gazetteer embedded
// in the binary (communes.tsv, derived from GeoNames, CC BY 4.0: see
// DATA_LICENSE.md), so a meetup gets coordinates without any network call,
// and measures distances between places for "near" searches.
//
// The gazetteer is read on the first lookup, not at startup.
package places

import (
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

//go:generate go run ./internal/gen -in ${CITIES500} -out communes.tsv

//go:embed communes.tsv
var communesTSV string

// Place is a commune, or a municipal arrondissement of Paris, Lyon or
// Marseille when the gazetteer has it.
type Place struct {
	Name       string  // as GeoNames writes it: "Saint-Étienne", "Lyon 7e"
	Commune    string  // the commune: "Lyon" for "Lyon 7e", else Name
	Department string  // "42", "2A": shown so an ambassador can tell two Valence apart
	Lat, Lon   float64 // degrees, WGS 84
}

// The three communes split into municipal arrondissements. GeoNames lists
// those of Lyon and Marseille; Paris's are looked up as Paris.
var arrondissements = map[string]struct {
	department string
	count      int
}{
	"paris":     {"75", 20},
	"lyon":      {"69", 9},
	"marseille": {"13", 16},
}

type entry struct {
	place      Place
	population int
}

type arrondissementKey struct {
	commune string // folded
	number  int
}

type gazetteer struct {
	entries          []entry
	byName           map[string][]int32 // FoldCity(name) → entries, file order
	byArrondissement map[arrondissementKey]int32
}

// load reads the gazetteer once, on first use, so startup pays nothing.
var load = sync.OnceValue(loadEmbedded)

func loadEmbedded() *gazetteer {
	g, err := parse(communesTSV)
	if err != nil {
		// The file is generated and embedded at build time, and the tests
		// read it: failing here is a broken build, not a runtime condition.
		panic(fmt.Sprintf("places: embedded gazetteer: %v", err))
	}
	return g
}

func parse(data string) (*gazetteer, error) {
	g := &gazetteer{
		entries:          make([]entry, 0, strings.Count(data, "\n")),
		byName:           make(map[string][]int32, 16000),
		byArrondissement: make(map[arrondissementKey]int32, 32),
	}
	for lineNo := 1; data != ""; lineNo++ {
		var line string
		line, data, _ = strings.Cut(data, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		e, arr, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		i := int32(len(g.entries))
		g.entries = append(g.entries, e)
		if arr > 0 {
			g.byArrondissement[arrondissementKey{FoldCity(e.place.Commune), arr}] = i
			continue
		}
		key := FoldCity(e.place.Name)
		g.byName[key] = append(g.byName[key], i)
	}
	if len(g.entries) == 0 {
		return nil, fmt.Errorf("no places")
	}
	return g, nil
}

// parseLine reads "name, commune, arrondissement, department, lat, lon,
// population", tab-separated; commune and arrondissement are empty except
// for arrondissements.
func parseLine(line string) (entry, int, error) {
	cols := strings.Split(line, "\t")
	if len(cols) != 7 {
		return entry{}, 0, fmt.Errorf("%d columns, want 7", len(cols))
	}
	e := entry{place: Place{Name: cols[0], Commune: cols[1], Department: cols[3]}}
	if e.place.Commune == "" {
		e.place.Commune = e.place.Name
	}
	arr := 0
	var err error
	if cols[2] != "" {
		if arr, err = strconv.Atoi(cols[2]); err != nil {
			return entry{}, 0, fmt.Errorf("%s: arrondissement: %w", cols[0], err)
		}
	}
	if e.place.Lat, err = strconv.ParseFloat(cols[4], 64); err != nil {
		return entry{}, 0, fmt.Errorf("%s: latitude: %w", cols[0], err)
	}
	if e.place.Lon, err = strconv.ParseFloat(cols[5], 64); err != nil {
		return entry{}, 0, fmt.Errorf("%s: longitude: %w", cols[0], err)
	}
	if e.population, err = strconv.Atoi(cols[6]); err != nil {
		return entry{}, 0, fmt.Errorf("%s: population: %w", cols[0], err)
	}
	return e, arr, nil
}

// Lookup finds the commune text names. Case, accents, hyphens, apostrophes
// and "St"/"Ste" for "Saint"/"Sainte" do not matter. A postcode (before or
// after the name), a department number ("Valence 26", "Valence (26)") or an
// arrondissement ("Lyon 7e", "Lyon 7ème", "Marseille 13e arrondissement",
// "69007 Lyon") may come with the name. When several communes share the
// name and nothing tells them apart, the most populous wins; a department or
// postcode that matches none of them finds nothing rather than a guess.
func Lookup(text string) (Place, bool) {
	q, ok := parseQuery(text)
	if !ok {
		return Place{}, false
	}
	g := load()
	if q.arrondissement > 0 {
		if i, ok := g.byArrondissement[arrondissementKey{q.name, q.arrondissement}]; ok {
			return g.entries[i].place, true
		}
		// Paris: GeoNames' cities500 lists no arrondissement of it.
	}
	best := -1
	for _, i := range g.byName[q.name] {
		e := g.entries[i]
		if q.department != "" && !sameDepartment(e.place.Department, q.department) {
			continue
		}
		if best < 0 || e.population > g.entries[best].population {
			best = int(i)
		}
	}
	if best < 0 {
		return Place{}, false
	}
	return g.entries[best].place, true
}

type query struct {
	name           string // folded words of the name
	department     string // "69", "2A", or "20" for Corsica from a postcode
	arrondissement int
}

// parseQuery takes the postcode, department and arrondissement off the name.
func parseQuery(text string) (query, bool) {
	if len(text) > 200 {
		return query{}, false // no commune name is that long
	}
	words := strings.Fields(FoldCity(text))
	var (
		q        query
		postcode string
		number   string // a number after the name: arrondissement or department
		ordinal  bool   // number had "e", "er", "eme"... or "arrondissement" after it
		arrWord  bool   // "arrondissement" was read: it qualifies the number before it
	)
	if len(words) > 1 && isPostcode(words[0]) {
		postcode, words = words[0], words[1:]
	}
	// Read suffixes from the end: "Lyon 7e arrondissement 69007".
suffixes:
	for len(words) > 1 {
		w := words[len(words)-1]
		n, suffixed := splitOrdinal(w)
		switch {
		case isPostcode(w) && postcode == "":
			postcode = w
		case w == "cedex":
		case w == "arrondissement" || w == "arr" || w == "arrt" || w == "arrdt":
			arrWord = true
		case n != "" && number == "":
			number, ordinal, arrWord = n, suffixed || arrWord, false
		case n != "" && q.department == "" && !ordinal && len(number) == 2:
			// "Lyon 7e 69": the number read first was the department.
			q.department = number
			number, ordinal, arrWord = n, suffixed || arrWord, false
		case (w == "2a" || w == "2b") && q.department == "":
			q.department = strings.ToUpper(w)
		default:
			break suffixes
		}
		words = words[:len(words)-1]
	}
	q.name = strings.Join(words, " ")
	arr, hasArrondissements := arrondissements[q.name]
	if postcode != "" {
		fromPostcode := postcode[:2]
		switch {
		case q.department == "":
			q.department = fromPostcode
		case !sameDepartment(q.department, fromPostcode):
			return query{}, false // "Ajaccio 2A 75001": contradictory
		}
		if hasArrondissements && fromPostcode == arr.department {
			q.arrondissement, _ = strconv.Atoi(postcode[3:])
		}
	}
	if number != "" {
		n, _ := strconv.Atoi(number)
		switch {
		// "Marseille 13" names the department as often as the arrondissement:
		// a bare number equal to the department is read as the department.
		case hasArrondissements && (ordinal || number != arr.department) && n >= 1 && n <= arr.count:
			q.arrondissement = n
		case ordinal || len(number) != 2:
			return query{}, false // "Valence 7e": no such thing
		case q.department != "" && q.department != number:
			return query{}, false // "Valence 26 69000": contradictory
		default:
			q.department = number
		}
	}
	if hasArrondissements && (q.arrondissement < 0 || q.arrondissement > arr.count) {
		q.arrondissement = 0 // "75000 Paris", or a cedex code: the commune itself
	}
	return q, true
}

// splitOrdinal reads "7", "07", "7e", "7eme", "1er", "1ere", "7ieme": it
// returns the digits, and whether a suffix marked an ordinal.
func splitOrdinal(w string) (digits string, suffixed bool) {
	i := 0
	for i < len(w) && w[i] >= '0' && w[i] <= '9' {
		i++
	}
	if i == 0 || i > 2 {
		return "", false
	}
	switch w[i:] {
	case "":
		return w, false
	case "e", "er", "ere", "eme", "em", "me", "ieme", "nd", "nde":
		return w[:i], true
	}
	return "", false
}

func isPostcode(w string) bool {
	if len(w) != 5 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// sameDepartment matches a place's department against one typed or read
// from a postcode: Corsica's postcodes all start with 20, its departments
// are 2A and 2B; "7" is "07".
func sameDepartment(place, typed string) bool {
	if typed == "20" {
		return place == "2A" || place == "2B"
	}
	return place == typed
}

// FoldCity is the key under which a city name is compared: lower case, no
// accents, words separated by single spaces, "st"/"ste" spelled out.
// "Saint-Étienne", "ST ETIENNE" and "st-étienne" all give "saint etienne".
// Store it beside a meetup's city so the database filters on equality.
func FoldCity(s string) string {
	// Lower case first: lowering can itself produce a combining mark
	// ("İ" → "i" + U+0307), which decomposition then lets us drop. Invalid
	// UTF-8 comes out of ToLower as U+FFFD, a separator below.
	decomposed := norm.NFD.String(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(decomposed))
	for _, r := range decomposed {
		switch {
		case unicode.Is(unicode.Mn, r): // the accent of a decomposed "é"
		case r == 'œ':
			b.WriteString("oe") // ligatures have no decomposition
		case r == 'æ':
			b.WriteString("ae")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		switch w {
		case "st":
			words[i] = "saint"
		case "ste":
			words[i] = "sainte"
		case "sts":
			words[i] = "saints"
		case "stes":
			words[i] = "saintes"
		}
	}
	return strings.Join(words, " ")
}

// earthRadiusKm is the mean Earth radius (IUGG).
const earthRadiusKm = 6371.0088

// Distance is the great-circle distance between a and b in kilometres
// (haversine formula): good to a few metres at the scale of France.
func Distance(a, b Place) float64 {
	lat1, lat2 := a.Lat*math.Pi/180, b.Lat*math.Pi/180
	dLat := lat2 - lat1
	dLon := (b.Lon - a.Lon) * math.Pi / 180
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1)*math.Cos(lat2)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}
