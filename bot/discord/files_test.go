package discord_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/agora-community/agora/bot/discord"
	"github.com/agora-community/agora/bot/discord/discordtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
)

// onlyTheDouble carries the adapter's HTTP requests to the double and
// refuses, recording them, requests for any other host.
type onlyTheDouble struct {
	host string
	mu   sync.Mutex
	away []string
}

func (o *onlyTheDouble) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != o.host {
		o.mu.Lock()
		o.away = append(o.away, req.URL.String())
		o.mu.Unlock()
		return nil, fmt.Errorf("the test lets no request leave for %s", req.URL.Host)
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (o *onlyTheDouble) outside() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.away...)
}

// newFileEnv starts the adapter with every HTTP request kept on the double.
func newFileEnv(t *testing.T) (*env, *onlyTheDouble) {
	t.Helper()
	srv := discordtest.New(t, discordtest.WithGuild(guild()))
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	guard := &onlyTheDouble{host: u.Host}
	e := newEnv(t, srv, nil, func(c *discord.Config) { c.Transport = guard })
	e.start()
	return e, guard
}

// importFAQ runs /faqgestion importer as a moderator, sending file.
func (e *env) importFAQ(file *discordtest.Attachment) (discordtest.Interaction, discordtest.InteractionResponse) {
	e.t.Helper()
	in := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(memberID, "0", modRoleID), Name: "faqgestion",
		Options: sub("importer", discordtest.CommandOption{Name: "fichier", File: file})})
	return in, e.response(in)
}

// faqEntries reads the FAQ of the guild's community from the store.
func (e *env) faqEntries() []model.FAQEntry {
	e.t.Helper()
	ctx := context.Background()
	_, community, err := e.store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformDiscord, GroupID: guildID, ChatID: channelID},
		storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"})
	if err != nil {
		e.t.Fatal(err)
	}
	entries, err := e.store.FAQEntries(ctx, community.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return entries
}

// A moderator imports a FAQ by sending its YAML file with the command: the
// adapter fetches the file where Discord's interaction says, from the
// double's CDN, without the bot token, and the entries are imported.
func TestFAQImportedFromAnAttachedFile(t *testing.T) {
	e, guard := newFileEnv(t)
	yaml := "# FAQ de la coopérative\n" +
		"- question: Où se garer ?\n  reponse: Rue Basse, derrière le local.\n  tags: parking\n" +
		"- question: Quand le local est-il ouvert ?\n  reponse: Le samedi matin.\n"
	in, r := e.importFAQ(&discordtest.Attachment{Filename: "faq.yaml", ContentType: "application/x-yaml", Data: []byte(yaml)})
	if r.Type != 4 || !r.Ephemeral() || !strings.Contains(content(r), `Import terminé`+"\u00a0"+`: 2 ajoutées, 0 modifiée, 0 inchangée.`) ||
		!strings.Contains(content(r), "Où se garer ?") {
		t.Fatalf("import answer = %+v", r)
	}
	entries := e.faqEntries()
	if len(entries) != 2 {
		t.Fatalf("the FAQ has %d entries after the import, want 2: %+v", len(entries), entries)
	}
	if v, ok := entries[0].Version("fr"); !ok || v.Question != "Où se garer ?" || v.Answer != "Rue Basse, derrière le local." {
		t.Errorf("first entry = %+v", entries[0])
	}

	// The file came from the URL the double served, once, without the
	// bot token; nothing left for another host.
	if len(in.Files) != 1 {
		t.Fatalf("files served = %+v", in.Files)
	}
	served := in.Files[0]
	var downloads []discordtest.Download
	e.srv.MustWaitFor(wait, "the download recorded", func() bool {
		downloads = e.srv.Downloads()
		return len(downloads) == 1 && downloads[0].Status != 0
	})
	d := downloads[0]
	if got := e.srv.URL() + d.Path + "?" + d.Query; got != served.URL || d.AttachmentID != served.ID || d.Status != 200 || d.Bytes != len(yaml) {
		t.Errorf("download = %+v, want %+v", d, served)
	}
	if auth := d.Header.Get("Authorization"); auth != "" {
		t.Errorf("the download carried an Authorization header: %q", auth)
	}
	if away := guard.outside(); len(away) != 0 {
		t.Errorf("requests left for other hosts: %q", away)
	}

	// Members then find the imported answer.
	ask := e.srv.DispatchSlashCommand(discordtest.SlashCommand{Invoker: invoker(ownerID, "0"), Name: "faq",
		Options: []discordtest.CommandOption{{Name: "question", Type: 3, Value: "Où se garer ?"}}})
	if r := e.response(ask); !strings.Contains(content(r), "Rue Basse, derrière le local.") {
		t.Errorf("/faq answer = %q", content(r))
	}
}

// A file over the adapter's cap is never fetched (Discord announces its
// size) and the member is told why nothing happened; a file under the cap
// but over the FAQ's own limit is fetched and refused by the import; a
// file the CDN fails to serve is reported as such. The FAQ stays empty.
func TestFAQImportRefusesFilesItCannotTake(t *testing.T) {
	e, guard := newFileEnv(t)
	line := []byte("# une ligne de commentaire dans un très gros fichier\n")

	big := bytes.Repeat(line, (2<<20)/len(line)+1)
	_, r := e.importFAQ(&discordtest.Attachment{Filename: "gros.yaml", ContentType: "application/x-yaml", Data: big})
	want := "Le fichier «\u00a0gros.yaml\u00a0» est trop gros\u00a0: Agora accepte des fichiers de 2\u00a0Mo au plus. Rien n'a été fait."
	if r.Type != 4 || !r.Ephemeral() || content(r) != want {
		t.Fatalf("answer to a file over the cap = %+v\nwant %q", r, want)
	}
	if d := e.srv.Downloads(); len(d) != 0 {
		t.Errorf("a file over the cap was fetched: %+v", d)
	}

	middle := bytes.Repeat(line, (3<<19)/len(line))
	_, r = e.importFAQ(&discordtest.Attachment{Filename: "moyen.yaml", ContentType: "application/x-yaml", Data: middle})
	// 1 572 858 octets: sizes are grouped as French writes numbers.
	if !r.Ephemeral() || !strings.Contains(content(r), "Le fichier fait 1\u202f572\u202f858\u00a0octets pour 1\u202f048\u202f576 au plus.") || len(middle) != 1572858 {
		t.Errorf("answer to a file over the FAQ's limit = %q", content(r))
	}
	e.srv.MustWaitFor(wait, "the download recorded", func() bool {
		d := e.srv.Downloads()
		return len(d) == 1 && d[0].Status == 200 && d[0].Bytes == len(middle)
	})

	e.srv.FailNext("GET /ephemeral-attachments/*/*/*", 1, http.StatusServiceUnavailable)
	_, r = e.importFAQ(&discordtest.Attachment{Filename: "faq.yaml", ContentType: "application/x-yaml", Data: []byte("- question: Q ?\n  reponse: R.\n")})
	want = "Le fichier «\u00a0faq.yaml\u00a0» n'a pas pu être récupéré. Rien n'a été fait\u00a0: réessayez dans un instant."
	if !r.Ephemeral() || content(r) != want {
		t.Errorf("answer to a failed download = %q\nwant %q", content(r), want)
	}

	if entries := e.faqEntries(); len(entries) != 0 {
		t.Errorf("the FAQ changed: %+v", entries)
	}
	if away := guard.outside(); len(away) != 0 {
		t.Errorf("requests left for other hosts: %q", away)
	}
}
