package meetups_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
)

// serve mounts the installed modules' routes as the HTTP server does.
func serve(t *testing.T, env *consoletest.Env) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for pattern, h := range env.Runtime.Routes() {
		mux.Handle(pattern, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

type answer struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, srv *httptest.Server, path string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(body)}
}

var tokenPattern = regexp.MustCompile(`/agenda/([0-9a-f]{32})/`)

// agendaToken asks for the calendar's addresses as a moderator and reads
// the secret in them.
func agendaToken(t *testing.T, env *consoletest.Env, options map[string]string) (string, string) {
	t.Helper()
	reply := ask(t, env, "camille", commands.RoleModerator, "rencontre.agenda", options).Text.Plain()
	m := tokenPattern.FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("no calendar address in %q", reply)
	}
	return m[1], reply
}

func TestCalendarFeedPageAndStaticFiles(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, setup+`
/rencontre creer titre:"<script>alert(1)</script> & co" date:"samedi 18h30" lieu:"Café du Nord" ville:Lyon description:"<b>gras</b>"
/rencontre creer titre:"Pluie" date:"dimanche 18h" lieu:"Parc" ville:Villeurbanne
/rencontre annuler rencontre:2
:user camille
:role membre
/rencontre agenda
`)
	// A meetup of another community, on Telegram.
	foreign := env.Runtime.Handle(context.Background(), &commands.Request{
		Platform: commands.PlatformTelegram, Chat: commands.Chat{ID: "-100"},
		User:    commands.User{ID: "7", Name: "x", PlatformRole: commands.RoleAmbassador},
		Command: "rencontre.creer", Options: map[string]string{"titre": "Ailleurs", "date": "samedi 18h", "lieu": "Bar", "ville": "Paris"},
	})
	if !strings.Contains(foreign.Text.Plain(), "Rencontre n°\u00a03") {
		t.Fatalf("foreign meetup: %q", foreign.Text.Plain())
	}
	token, reply := agendaToken(t, env, nil)
	if !strings.Contains(reply, "Ces adresses sont secrètes") || !strings.Contains(reply, "/agenda/"+token+"/agenda.ics") ||
		!strings.Contains(reply, "L'adresse publique d'Agora n'est pas réglée") {
		t.Fatalf("agenda reply: %q", reply)
	}
	if again, _ := agendaToken(t, env, nil); again != token {
		t.Fatalf("the secret changed without being asked: %s, %s", token, again)
	}
	srv := serve(t, env)
	base := "/agenda/" + token + "/"

	// The feed: upcoming and recently cancelled meetups, parsed back.
	feed := get(t, srv, base+"agenda.ics")
	if feed.status != http.StatusOK || !strings.HasPrefix(feed.header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %v", feed.status, feed.header)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(feed.body))
	if err != nil {
		t.Fatalf("parse feed: %v\n%s", err, feed.body)
	}
	statuses := map[string]string{}
	for _, e := range cal.Events() {
		summary, _ := property(e, ics.ComponentPropertySummary)
		statuses[summary], _ = property(e, ics.ComponentPropertyStatus)
	}
	if len(statuses) != 2 || statuses["<script>alert(1)</script> & co"] != "CONFIRMED" || statuses["Pluie"] != "CANCELLED" {
		t.Fatalf("feed events: %v", statuses)
	}
	if name := feed.body; !strings.Contains(name, "X-WR-CALNAME:") {
		t.Errorf("feed without a name:\n%s", feed.body)
	}
	tag := feed.header.Get("ETag")
	if tag == "" || get(t, srv, base+"agenda.ics", "If-None-Match", tag).status != http.StatusNotModified {
		t.Errorf("conditional request not answered 304 (ETag %q)", tag)
	}

	// One meetup; a meetup of another community, a bad name or a wrong
	// secret are all the same 404.
	one := get(t, srv, base+"1.ics")
	if one.status != http.StatusOK || !strings.Contains(one.body, "UID:meetup-1-1@agora") {
		t.Fatalf("one meetup: %d\n%s", one.status, one.body)
	}
	for _, path := range []string{
		base + "3.ics", base + "01.ics", base + "1", base + "x.ics",
		"/agenda/" + strings.Repeat("0", 32) + "/", "/agenda/" + strings.Repeat("0", 32) + "/agenda.ics",
		"/agenda/nope/agenda.ics", "/agenda/" + strings.ToUpper(token) + "/",
	} {
		if got := get(t, srv, path); got.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, got.status)
		}
	}

	// The page lists upcoming meetups without any script, escaped.
	page := get(t, srv, base)
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %v", page.status, page.header)
	}
	for _, want := range []string{
		`<html lang="fr">`, "Rencontres à venir · ", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co", "&lt;b&gt;gras&lt;/b&gt;",
		`href="agenda.ics"`, `href="1.ics"`, `data-lat="45.7`, "samedi 12 décembre à 18h30", "GeoNames (CC BY 4.0)",
		`data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"`, `src="../static/leaflet/leaflet.js"`,
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("page lacks %q:\n%s", want, page.body)
		}
	}
	for _, unwanted := range []string{"<script>alert", "<b>gras", "Pluie", "Ailleurs"} {
		if strings.Contains(page.body, unwanted) {
			t.Errorf("page has %q:\n%s", unwanted, page.body)
		}
	}
	csp := page.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "img-src 'self' data: https://tile.openstreetmap.org") {
		t.Errorf("page CSP = %q", csp)
	}
	if page.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the page's secret URL may leak through the Referer header")
	}

	// Static files, vendored and embedded.
	for path, kind := range map[string]string{
		"/agenda/static/leaflet/leaflet.js": "javascript", "/agenda/static/leaflet/leaflet.css": "text/css",
		"/agenda/static/leaflet/images/marker-icon.png": "image/png", "/agenda/static/agenda.js": "javascript",
	} {
		got := get(t, srv, path)
		if got.status != http.StatusOK || !strings.Contains(got.header.Get("Content-Type"), kind) {
			t.Errorf("GET %s = %d %q", path, got.status, got.header.Get("Content-Type"))
		}
	}
	for _, path := range []string{"/agenda/static/page.html", "/agenda/static/", "/agenda/static/leaflet/"} {
		if got := get(t, srv, path); got.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, got.status)
		}
	}

	// A custom tile server reaches the page and its CSP; a new secret
	// retires the old one.
	out := env.Run(t, `
:role moderateur
/rencontre reglage tuiles:"https://{s}.tiles.example.org/{z}/{x}/{y}.png" site:"https://agora.example.org/"
/rencontre reglage tuiles:"javascript:alert(1)//{z}{x}{y}"
/rencontre reglage rappels:"48h, 2h"
/rencontre reglage rappels:"1 an"
/rencontre reglage
`)
	consoletest.Contains(t, out,
		"Fond de carte de la page des rencontres\u00a0: https://{s}.tiles.example.org/{z}/{x}/{y}.png", "Adresse publique d'Agora\u00a0: https://agora.example.org.",
		"«\u00a0javascript:alert(1)//{z}{x}{y}\u00a0» n'est pas un serveur de tuiles utilisable",
		"Rappels des rencontres\u00a0: 2 jours, 2 heures avant le début",
		"Je ne comprends pas les rappels «\u00a01 an\u00a0»",
		"Donnez au moins un réglage",
	)
	page = get(t, srv, base)
	if !strings.Contains(page.header.Get("Content-Security-Policy"), "https://*.tiles.example.org") ||
		!strings.Contains(page.body, `data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"`) {
		t.Errorf("custom tiles not on the page: %q\n%s", page.header.Get("Content-Security-Policy"), page.body)
	}
	renewed, reply := agendaToken(t, env, map[string]string{"nouveau": "oui"})
	if renewed == token || !strings.Contains(reply, "https://agora.example.org/agenda/"+renewed+"/agenda.ics") ||
		!strings.Contains(reply, "les anciennes ne marchent plus") {
		t.Fatalf("renewed agenda reply: %q", reply)
	}
	if got := get(t, srv, base+"agenda.ics"); got.status != http.StatusNotFound {
		t.Errorf("the old secret still works: %d", got.status)
	}
	if got := get(t, srv, "/agenda/"+renewed+"/agenda.ics"); got.status != http.StatusOK {
		t.Errorf("the new secret does not work: %d", got.status)
	}
	if r := ask(t, env, "zoe", commands.RoleMember, "rencontre.agenda", nil); !strings.Contains(r.Text.Plain(), "Il faut être modérateur") {
		t.Errorf("a member got the calendar's secret: %q", r.Text.Plain())
	}
}

// A community without meetups gets a page that says so, without a map.
func TestEmptyPage(t *testing.T) {
	env := consoletest.New(t)
	token, _ := agendaToken(t, env, nil)
	page := get(t, serve(t, env), "/agenda/"+token+"/")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Aucune rencontre à venir pour l&#39;instant.") ||
		strings.Contains(page.body, "leaflet.js") {
		t.Fatalf("empty page: %d\n%s", page.status, page.body)
	}
}

// The page shows each meetup's own answers, counted for all of them at
// once: one with every kind of answer, one nobody answered.
func TestPageCountsEachMeetupsAnswers(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, setup+`
/rencontre creer titre:"Complet" date:"samedi 18h30" lieu:"Café du Nord" ville:Lyon places:2
:chat annonces
:bouton 1
:user bob
:bouton 1
:user chloe
:bouton 1
:user dan
:bouton 2
:user eve
:bouton 3
:user amel
:chat general
/rencontre creer titre:"Personne" date:"dimanche 18h" lieu:"Parc" ville:Villeurbanne
:user camille
`)
	token, _ := agendaToken(t, env, nil)
	page := get(t, serve(t, env), "/agenda/"+token+"/")
	full := `<p class="counts">👥 2 inscrit·es · 1 peut-être · 0 place libre sur 2 · 1 en liste d&#39;attente</p>`
	empty := `<p class="counts">👥 0 inscrit·e</p>`
	i, j := strings.Index(page.body, full), strings.Index(page.body, empty)
	if page.status != http.StatusOK || i < 0 || j < i {
		t.Fatalf("page counts (want %q, then %q):\n%s", full, empty, page.body)
	}
}
