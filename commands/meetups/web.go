package meetups

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/meetups/ical"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// The secret URLs of a community's meetups, under /agenda/<secret>/:
//
//	/agenda/<secret>/            the upcoming meetups as a page, with a map
//	/agenda/<secret>/agenda.ics  the iCalendar feed calendar apps subscribe to
//	/agenda/<secret>/<id>.ics    one meetup
//	/agenda/static/...           the page's style, script and Leaflet
//
// A wrong secret and a meetup of another community get the same 404.
const (
	agendaPrefix = "/agenda/"
	feedFile     = "agenda.ics"
)

//go:embed web/page.html web/agenda.css web/agenda.js web/leaflet
var webFiles embed.FS

var pageTemplate = template.Must(template.ParseFS(webFiles, "web/page.html"))

// requestTimeout bounds one HTTP request's database work.
const requestTimeout = 10 * time.Second

func (s *service) routes() map[string]http.Handler {
	static, err := fs.Sub(webFiles, "web")
	if err != nil {
		panic(err) // the embedded folder is part of the build
	}
	files := http.FileServerFS(static)
	serve := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if name == "" || strings.HasSuffix(name, "/") {
				http.NotFound(w, r) // no directory listings
				return
			}
			w.Header().Set("Cache-Control", "public, max-age=86400")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			r2 := r.Clone(r.Context())
			r2.URL.Path = path.Clean("/" + name)
			files.ServeHTTP(w, r2)
		})
	}
	// The static files have literal paths (and Leaflet its own folder), so
	// that no pattern overlaps /agenda/{token}/ without being more
	// specific: ServeMux refuses such pairs.
	return map[string]http.Handler{
		"GET " + agendaPrefix + "{token}/{$}":         http.HandlerFunc(s.servePage),
		"GET " + agendaPrefix + "{token}/" + feedFile: http.HandlerFunc(s.serveFeed),
		"GET " + agendaPrefix + "{token}/{file}":      http.HandlerFunc(s.serveMeetup),
		"GET " + agendaPrefix + "static/agenda.js":    serve("agenda.js"),
		"GET " + agendaPrefix + "static/agenda.css":   serve("agenda.css"),
		"GET " + agendaPrefix + "static/leaflet/{path...}": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			serve("leaflet/"+r.PathValue("path")).ServeHTTP(w, r)
		}),
	}
}

// calendarOf finds the community whose secret is in the URL; any other
// text answers 404, as does a failure, which is logged.
func (s *service) calendarOf(w http.ResponseWriter, r *http.Request) (model.Community, *time.Location, bool) {
	token := r.PathValue("token")
	if !validToken(token) {
		http.NotFound(w, r)
		return model.Community{}, nil, false
	}
	c, err := s.store.CommunityByCalendarToken(r.Context(), token)
	if err != nil {
		if !errors.Is(err, model.ErrNotFound) {
			s.log.Error("find a calendar", "error", err)
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return model.Community{}, nil, false
		}
		http.NotFound(w, r)
		return model.Community{}, nil, false
	}
	_, tz, err := s.community(r.Context(), c.ID)
	if err != nil {
		s.log.Error("load a calendar's community", "community", c.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return model.Community{}, nil, false
	}
	return c, tz, true
}

// serveCalendar writes iCalendar data with an ETag, answering 304 when
// the client has it already (calendar apps poll feeds).
func serveCalendar(w http.ResponseWriter, r *http.Request, name string, data []byte) {
	tag := etag(data)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("ETag", tag)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Header.Get("If-None-Match") == tag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(data)
}

// serveFeed is the community's calendar: upcoming meetups, and those
// ended or cancelled in the last 30 days, so subscribed calendars keep
// them and see cancellations.
func (s *service) serveFeed(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	c, tz, ok := s.calendarOf(w, r)
	if !ok {
		return
	}
	list, err := s.store.Meetups(ctx, c.ID, s.clock.Now().Add(-feedPast), true, maxScanned)
	if err != nil {
		s.log.Error("list a calendar's meetups", "community", c.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	l := commands.CommunityLocalizer(s.catalog, c, s.clock.Now())
	events := make([]ical.Event, len(list))
	for i, m := range list {
		events[i] = icsEvent(l, m, tz)
	}
	serveCalendar(w, r, feedFile, ical.Calendar(calendarName(l, c), events))
}

// serveMeetup is one meetup's .ics, "<id>.ics".
func (s *service) serveMeetup(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	name, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	id, okID := commands.ParseID(name)
	if !ok || !okID {
		http.NotFound(w, r)
		return
	}
	c, tz, ok := s.calendarOf(w, r)
	if !ok {
		return
	}
	m, err := s.store.Meetup(ctx, id)
	if errors.Is(err, model.ErrNotFound) || err == nil && m.CommunityID != c.ID {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.log.Error("load a meetup for its .ics", "meetup", id, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	l := commands.CommunityLocalizer(s.catalog, c, s.clock.Now())
	serveCalendar(w, r, "rencontre-"+idString(id)+".ics", ical.Calendar(calendarName(l, c), []ical.Event{icsEvent(l, m, tz)}))
}

// pageMeetup is one meetup as the page shows it; every text goes through
// html/template, which escapes it for where it lands.
type pageMeetup struct {
	ID                              int64
	Title, Date, StartISO, Duration string
	Kind, Place, City, Description  string
	Counts                          string
	Link                            string // the place, when it is a web address
	ICS                             string
	HasCoords                       bool
	Lat, Lon                        string
}

type pageData struct {
	Lang, Title, Subscribe, SubscribeHint, Feed string
	Empty, AddToCalendar, MapLabel, Attribution string
	Tiles, TilesAttribution                     string
	Meetups                                     []pageMeetup
}

// servePage is the community's upcoming meetups as a list (no script
// needed) and, with JavaScript, on a map.
func (s *service) servePage(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	r = r.WithContext(ctx)
	c, tz, ok := s.calendarOf(w, r)
	if !ok {
		return
	}
	now := s.clock.Now()
	list, err := s.store.Meetups(ctx, c.ID, now, false, maxScanned)
	if err != nil {
		s.log.Error("list a page's meetups", "community", c.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	tiles, err := tilesSetting.Get(ctx, s.store, c.ID, model.ErrNotFound)
	if err != nil {
		s.log.Error("read a page's tile server", "community", c.ID, "error", err)
		tiles = DefaultTiles
	}
	origin, ok := checkTiles(tiles)
	if !ok {
		tiles = DefaultTiles
		origin, _ = checkTiles(tiles)
	}
	l := commands.CommunityLocalizer(s.catalog, c, s.clock.Now())
	data := pageData{
		Lang: l.Lang(), Title: l.S("meetup.page.title", locales.Data{"Community": c.Name}),
		Subscribe: l.S("meetup.page.subscribe"), SubscribeHint: l.S("meetup.page.subscribe_hint"), Feed: feedFile,
		Empty: l.S("meetup.page.empty"), AddToCalendar: l.S("meetup.page.add"), MapLabel: l.S("meetup.page.map"),
		Attribution: l.S("meetup.page.attribution"), Tiles: tiles, TilesAttribution: l.S("meetup.page.tiles_attribution"),
	}
	ids := make([]int64, len(list))
	for i, m := range list {
		ids[i] = m.ID
	}
	countsOf, err := s.store.RSVPCountsOf(ctx, ids)
	if err != nil {
		s.log.Error("count a page's answers", "community", c.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	for _, m := range list {
		counts := countsOf[m.ID]
		pm := pageMeetup{
			ID: m.ID, Title: m.Title, Date: l.DateTime(m.Start), StartISO: m.Start.In(tz).Format(time.RFC3339),
			Duration: durationText(l, m.Duration()), Kind: l.S("meetup.kind." + m.Kind),
			Place: m.Place, City: shownCity(m), Description: m.Description,
			Counts: countsLine(l, m, counts).Plain(), ICS: idString(m.ID) + ".ics",
		}
		if isLink(m.Place) {
			pm.Link = m.Place
		}
		if m.Lat != nil && m.Lon != nil {
			pm.HasCoords = true
			pm.Lat = strconv.FormatFloat(*m.Lat, 'f', 5, 64)
			pm.Lon = strconv.FormatFloat(*m.Lon, 'f', 5, 64)
		}
		data.Meetups = append(data.Meetups, pm)
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		s.log.Error("render a meetups page", "community", c.ID, "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "private, max-age=60")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer") // the URL holds the secret
	// Scripts and styles from this server only; images from it and the
	// tile server.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: "+origin+
		"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.Write(buf.Bytes())
}
