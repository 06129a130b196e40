package meetups

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/commands/meetups/places"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// list is /rencontres (and /rencontre liste): upcoming meetups, nearest
// date first, of a city (ville:, accents and case aside; "Lyon 7e" finds
// all of Lyon) or within a distance of a town (près:Lyon rayon:30).
func (s *service) list(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	city := cleanLine(req.String("ville"))
	near := cleanLine(req.String("pres"))
	radius := req.Int("rayon", DefaultRadiusKm)
	if req.Has("rayon") && near == "" {
		return nil, commands.Fail("meetup.radius_needs_near")
	}
	var center places.Place
	if near != "" {
		var ok bool
		if center, ok = places.Lookup(near); !ok {
			return nil, commands.Fail("meetup.near_unknown", locales.Data{"Value": near})
		}
	}
	all, err := s.store.Meetups(ctx, req.Community.ID, req.Now, false, maxScanned)
	if err != nil {
		return nil, err
	}
	var keys []string
	if city != "" {
		keys = cityKeys(city)
	}
	type found struct {
		m  model.Meetup
		km float64
	}
	var hits []found
	for _, m := range all {
		if keys != nil && !slices.Contains(keys, m.CityKey) {
			continue
		}
		f := found{m: m}
		if near != "" {
			if m.Lat == nil || m.Lon == nil {
				continue // a place the gazetteer lacks is not found by distance
			}
			f.km = places.Distance(center, places.Place{Lat: *m.Lat, Lon: *m.Lon})
			if f.km > float64(radius) {
				continue
			}
		}
		hits = append(hits, f)
	}
	filter := locales.Data{"City": city, "Near": center.Name, "Radius": radius}
	if len(hits) == 0 {
		return commands.Private(req.Loc.T("meetup.list.empty", filter)), nil
	}
	lines := []markup.Text{req.Loc.N("meetup.list.title", len(hits), filter)}
	for i, h := range hits {
		if i == maxListed {
			lines = append(lines, req.Loc.N("meetup.list.more", len(hits)-maxListed))
			break
		}
		d := locales.Data{"ID": h.m.ID, "Date": req.Loc.DateTime(h.m.Start), "Title": h.m.Title, "City": h.m.City,
			"Kind": req.Loc.S("meetup.kind." + h.m.Kind)}
		if near != "" {
			d["Km"] = int(math.Round(h.km))
		}
		lines = append(lines, req.Loc.T("meetup.list.line", d))
	}
	return commands.Private(markup.Join(lines, "\n")), nil
}

// show is /rencontre voir: the meetup, the member's own answer, and for
// its author and moderators who answered what; members see counts only.
func (s *service) show(ctx context.Context, req *commands.Request) (*commands.Response, error) {
	m, err := s.typedMeetup(ctx, req)
	if err != nil {
		return nil, err
	}
	c, err := s.store.RSVPCounts(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	r := announcement(req.Loc, m, c, req.Now)
	lines := []markup.Text{r.Text}
	mine, err := s.store.RSVP(ctx, m.ID, req.Member.ID)
	switch {
	case err == nil:
		lines = append(lines, req.Loc.T("meetup.show.yours", locales.Data{"Answer": req.Loc.S("meetup.answer." + mine.Status)}))
	case !errors.Is(err, model.ErrNotFound):
		return nil, err
	}
	if mayManage(req, m) {
		attendees, err := s.store.Attendees(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		byStatus := map[string][]string{}
		for _, a := range attendees {
			byStatus[a.Status] = append(byStatus[a.Status], a.Name)
		}
		for _, st := range []string{model.RSVPYes, model.RSVPMaybe, model.RSVPWaiting, model.RSVPNo} {
			if names := byStatus[st]; len(names) > 0 {
				lines = append(lines, req.Loc.N("meetup.show."+st, len(names), locales.Data{"Names": strings.Join(names, ", ")}))
			}
		}
	}
	r.Text, r.Ephemeral = markup.Join(lines, "\n"), true
	return r, nil
}

// suggest proposes the community's upcoming meetups as the member types a
// meetup number (Discord autocomplete).
func (s *service) suggest(ctx context.Context, req *commands.Request, option, partial string) ([]commands.Suggestion, error) {
	if option != "rencontre" {
		return nil, nil
	}
	upcoming, err := s.store.Meetups(ctx, req.Community.ID, req.Now, false, 100)
	if err != nil {
		return nil, err
	}
	prefix := commands.TrimNumberPrefix(partial)
	var out []commands.Suggestion
	for _, m := range upcoming {
		id := idString(m.ID)
		if !strings.HasPrefix(id, prefix) {
			continue
		}
		title := m.Title
		if r := []rune(title); len(r) > 60 {
			title = string(r[:59]) + "…"
		}
		out = append(out, commands.Suggestion{Label: req.Loc.S("meetup.suggestion", locales.Data{"ID": m.ID, "Title": title, "Date": req.Loc.DateTime(m.Start)}), Value: id})
		if len(out) == 25 {
			break
		}
	}
	return out, nil
}
