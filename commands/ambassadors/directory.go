package ambassadors

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/commands/meetups/places"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

func (s *service) directorySpec() *commands.Spec {
	return &commands.Spec{
		Name:   "ambassadeurs",
		Handle: s.directory,
		Options: []commands.Option{
			{Name: "ville", Type: commands.OptionString, MaxLength: MaxCity, Rest: true},
		},
	}
}

// directory is /ambassadeurs [ville]: the ambassadors of a city or region,
// so members know whom to contact near them; without a city, every
// ambassador by city. Cities compare accents, case, hyphens and "St"
// aside, and a city matches the ambassadors of a place whose name holds
// it: "rhone" finds the ambassadors of "Auvergne-Rhône-Alpes".
func (s *service) directory(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	apps, err := s.store.Applications(ctx, req.Community.ID, model.ApplicationApproved)
	if err != nil {
		return nil, fmt.Errorf("ambassadors: %w", err)
	}
	raw := req.String("ville")
	if strings.TrimSpace(raw) == "" {
		return commands.Private(byCity(req.Loc, apps)), nil
	}
	key := places.FoldCity(raw)
	if key == "" {
		return nil, commands.Fail("ambassador.apply.bad_city", locales.Data{"Value": raw})
	}
	var found []model.Application
	for _, a := range apps {
		if cityMatches(a.CityKey, key) {
			found = append(found, a)
		}
	}
	if len(found) == 0 {
		return commands.Private(req.Loc.T("ambassador.directory.none_in", locales.Data{"City": raw})), nil
	}
	lines := []markup.Text{req.Loc.N("ambassador.directory.in", len(found), locales.Data{"City": raw})}
	for _, a := range found {
		lines = append(lines, req.Loc.T("ambassador.directory.line", locales.Data{"Name": a.MemberName, "City": a.City}))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// cityMatches reports whether a folded city holds the folded query as
// whole words: "lyon" is in "lyon 7eme", not in "lyonnais".
func cityMatches(city, query string) bool {
	return city == query || strings.Contains(" "+city+" ", " "+query+" ")
}

// byCity lists every ambassador under their city, cities in alphabetical
// order of their folded names.
func byCity(l *locales.Localizer, apps []model.Application) markup.Text {
	if len(apps) == 0 {
		return l.T("ambassador.directory.none")
	}
	type city struct {
		name  string
		names []string
	}
	cities := map[string]*city{}
	var keys []string
	for _, a := range apps {
		c, ok := cities[a.CityKey]
		if !ok {
			c = &city{name: a.City}
			cities[a.CityKey] = c
			keys = append(keys, a.CityKey)
		}
		c.names = append(c.names, a.MemberName)
	}
	sort.Strings(keys)
	lines := []markup.Text{l.N("ambassador.directory.title", len(apps))}
	for _, k := range keys {
		c := cities[k]
		lines = append(lines, l.T("ambassador.directory.city", locales.Data{"City": c.name, "Names": strings.Join(c.names, ", ")}))
	}
	return markup.Join(lines, "\n")
}
