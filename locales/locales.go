// Package locales holds every sentence Agora shows to people, in French (the
// reference) and English, and the helpers that pick a language, apply CLDR
// plural rules and write dates the way each language does.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/agora-community/agora/commands/markup"
)

// fr.toml and en.toml hold the shared sentences; a capability may keep its
// own in <capability>/fr.toml and <capability>/en.toml, so adding one never
// edits the shared files. Every file of a language joins one catalog.
//
//go:embed *.toml */*.toml
var files embed.FS

// Supported lists the languages Agora speaks, the reference first.
var Supported = []string{"fr", "en"}

// Catalog is the loaded set of messages. It is safe for concurrent use.
type Catalog struct {
	bundle   *i18n.Bundle
	fallback string
	ids      map[string][]string // language → message IDs, for completeness checks
	// inner holds one go-i18n localizer per language: building one parses
	// language tags, which every request would otherwise pay for.
	inner map[string]*i18n.Localizer
}

// Load reads the embedded locale files. fallback is the language used when
// neither the member nor the community has one Agora speaks.
func Load(fallback string) (*Catalog, error) {
	if !IsSupported(fallback) {
		return nil, fmt.Errorf("load locales: unsupported fallback language %q", fallback)
	}
	bundle := i18n.NewBundle(language.French)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: bundle, fallback: fallback, ids: map[string][]string{}, inner: map[string]*i18n.Localizer{}}
	for _, lang := range Supported {
		names, err := fs.Glob(files, "*/"+lang+".toml")
		if err != nil {
			return nil, fmt.Errorf("load locales: %w", err)
		}
		seen := map[string]string{}
		for _, name := range append([]string{lang + ".toml"}, names...) {
			data, err := files.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("load locales: %w", err)
			}
			mf, err := bundle.ParseMessageFileBytes(data, name)
			if err != nil {
				return nil, fmt.Errorf("load locales %s: %w", name, err)
			}
			for _, m := range mf.Messages {
				if other, dup := seen[m.ID]; dup {
					return nil, fmt.Errorf("load locales: message %q is in both %s and %s", m.ID, other, name)
				}
				seen[m.ID] = name
				c.ids[lang] = append(c.ids[lang], m.ID)
			}
		}
		sort.Strings(c.ids[lang])
	}
	for _, lang := range Supported {
		// The fallback languages follow so that a message missing in one
		// language still shows in another rather than as its ID.
		c.inner[lang] = i18n.NewLocalizer(bundle, lang, fallback, "fr")
	}
	return c, nil
}

// IDs returns the message IDs a language defines, sorted.
func (c *Catalog) IDs(lang string) []string { return c.ids[lang] }

// IsSupported reports whether lang is one of the languages Agora speaks.
func IsSupported(lang string) bool {
	for _, s := range Supported {
		if s == lang {
			return true
		}
	}
	return false
}

// Normalize maps a platform locale ("fr", "en-US", "en_GB", "pt-BR") to a
// supported language, or "" when Agora does not speak it.
func Normalize(platformLocale string) string {
	base := strings.ToLower(platformLocale)
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	if IsSupported(base) {
		return base
	}
	return ""
}

// Localizer speaks one language in one time zone.
type Localizer struct {
	catalog *Catalog
	lang    string
	loc     *time.Location
	inner   *i18n.Localizer
	// now is the present that dates are written relative to: a date in its
	// year goes without the year. Zero means the machine's time, for
	// localizers that never write dates (command names, menus).
	now time.Time
}

// Localizer picks the first supported language among the preferences (the
// member's platform locale, then the community default), then the fallback.
func (c *Catalog) Localizer(tz *time.Location, preferences ...string) *Localizer {
	lang := c.fallback
	for _, p := range preferences {
		if n := Normalize(p); n != "" {
			lang = n
			break
		}
	}
	if tz == nil {
		tz = time.UTC
	}
	return &Localizer{catalog: c, lang: lang, loc: tz, inner: c.inner[lang]}
}

// Lang is the language this localizer speaks.
func (l *Localizer) Lang() string { return l.lang }

// Location is the time zone dates are written in.
func (l *Localizer) Location() *time.Location { return l.loc }

// Data is template data for a message. String values are escaped into markup;
// markup.Text values are inserted as they are; Quantity values are written
// as Number writes them.
type Data map[string]any

// Quantity is a number in template data (a limit, a length, a size) that
// the message writes with its language's digit grouping: "3 000" in French,
// "3,000" in English. It is for data built before the reader's language is
// known, as the data of an error; with a localizer at hand, Number does the
// same.
type Quantity int

// T returns the message id in markup. A missing message yields its ID, which
// the completeness test keeps from ever reaching a member.
func (l *Localizer) T(id string, data ...Data) markup.Text {
	return l.localize(id, nil, data)
}

// N returns the plural form of message id for count, which templates see as
// {{.Count}}, written with the language's digit grouping (see Number).
func (l *Localizer) N(id string, count int, data ...Data) markup.Text {
	return l.localize(id, count, data)
}

// S returns the message as plain text, for places without markup (button
// labels, command descriptions, toasts).
func (l *Localizer) S(id string, data ...Data) string { return l.T(id, data...).Plain() }

// Name returns a message that is a name members type (a command's, an
// option's) exactly as written: names are not markup, and read as markup
// "prix_base" would lose its underscore to italics and show, and be
// matched, as "prixbase". A missing message yields its ID.
func (l *Localizer) Name(id string) string {
	s, err := l.inner.Localize(&i18n.LocalizeConfig{MessageID: id})
	if err != nil && s == "" {
		return id
	}
	return s
}

func (l *Localizer) localize(id string, count any, data []Data) markup.Text {
	td := map[string]any{}
	for _, d := range data {
		for k, v := range d {
			switch v := v.(type) {
			case string:
				td[k] = string(markup.Escape(v))
			case markup.Text:
				td[k] = string(v)
			case Quantity:
				td[k] = l.Number(int(v))
			default:
				td[k] = v
			}
		}
	}
	if n, ok := count.(int); ok {
		td["Count"] = l.Number(n)
	}
	s, err := l.inner.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: td, PluralCount: count})
	if err != nil && s == "" {
		return markup.Escape(id)
	}
	return markup.Text(s)
}

// Number is n as people of the localizer's language read it, for template
// data: "13 000" in French (narrow no-break spaces group the digits, as
// French typography has it), "13,000" in English. Templates still see a
// number, so {{if .Count}} and {{eq .Count 1}} work on it.
func (l *Localizer) Number(n int) fmt.Stringer {
	if l.lang == "fr" {
		return frenchNumber(n)
	}
	return englishNumber(n)
}

// The language's number types: named integers, so text/template compares
// them as numbers and prints them with their String method.
type (
	frenchNumber  int
	englishNumber int
)

func (n frenchNumber) String() string  { return groupDigits(int(n), "\u202f") }
func (n englishNumber) String() string { return groupDigits(int(n), ",") }

// groupDigits writes n with sep between groups of three digits.
func groupDigits(n int, sep string) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return sign + s
	}
	var b strings.Builder
	b.WriteString(sign)
	first := len(s) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(s[:first])
	for i := first; i < len(s); i += 3 {
		b.WriteString(sep)
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

var weekdayIDs = [...]string{"date.weekday.sunday", "date.weekday.monday", "date.weekday.tuesday", "date.weekday.wednesday", "date.weekday.thursday", "date.weekday.friday", "date.weekday.saturday"}

var monthIDs = [...]string{"date.month.january", "date.month.february", "date.month.march", "date.month.april", "date.month.may", "date.month.june", "date.month.july", "date.month.august", "date.month.september", "date.month.october", "date.month.november", "date.month.december"}

// DateTime writes t in the localizer's time zone, as people of its language
// write it: "samedi 12 décembre à 18h30", "Saturday 12 December at 6:30 pm".
func (l *Localizer) DateTime(t time.Time) string {
	return l.S("date.datetime", l.dateData(t))
}

// Date writes the day only: "samedi 12 décembre".
func (l *Localizer) Date(t time.Time) string {
	return l.S("date.date", l.dateData(t))
}

// Weekday names a day of the week: "samedi", "Saturday".
func (l *Localizer) Weekday(d time.Weekday) string { return l.S(weekdayIDs[d]) }

// Month names a month: "décembre", "December".
func (l *Localizer) Month(m time.Month) string { return l.S(monthIDs[m-1]) }

func (l *Localizer) dateData(t time.Time) Data {
	t = t.In(l.loc)
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	d := Data{
		"Weekday": l.S(weekdayIDs[t.Weekday()]),
		"Day":     t.Day(),
		"Month":   l.S(monthIDs[t.Month()-1]),
		"Year":    t.Year(),
		"Hour":    t.Hour(),
		"Hour12":  hour12,
		"Minute":  fmt.Sprintf("%02d", t.Minute()),
		"PM":      t.Hour() >= 12,
	}
	now := l.now
	if now.IsZero() {
		now = time.Now()
	}
	if t.Year() != now.In(l.loc).Year() {
		d["OtherYear"] = true
	}
	return d
}

// At returns the same localizer writing dates relative to now. The runtime
// passes its clock's time, so a script or test that moves the clock sees the
// dates a member would see on that day, whatever the machine's date.
func (l *Localizer) At(now time.Time) *Localizer {
	c := *l
	c.now = now
	return &c
}

// In returns the same language in another time zone.
func (l *Localizer) In(tz *time.Location) *Localizer {
	c := *l
	c.loc = tz
	return &c
}
