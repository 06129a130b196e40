package discord

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// An attachment option's ID resolves to its file, downloaded through the
// adapter's client; a file over the cap, or missing, leaves the option out.
func TestAttachmentOptionsBringTheirFiles(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/big.yaml") {
			w.Write(make([]byte, maxDownload+1))
			return
		}
		w.Write([]byte("- question: Q\n  reponse: R\n"))
	}))
	defer srv.Close()
	a := &Adapter{s: &discordgo.Session{Client: srv.Client()}, log: slog.New(slog.DiscardHandler)}
	interaction := func(file string) *discordgo.Interaction {
		return &discordgo.Interaction{Type: discordgo.InteractionApplicationCommand, Data: discordgo.ApplicationCommandInteractionData{
			Name: "faqgestion",
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "importer", Type: discordgo.ApplicationCommandOptionSubCommand,
				Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "fichier", Type: discordgo.ApplicationCommandOptionAttachment, Value: "42"}}}},
			Resolved: &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{
				"42": {ID: "42", Filename: file, ContentType: "application/yaml", URL: srv.URL + "/attachments/1/42/" + file},
			}},
		}}
	}
	i := interaction("faq.yaml")
	req := a.request(i)
	a.attachFiles(context.Background(), i, req)
	if req.Command != "faqgestion.importer" || req.Options["fichier"] != "faq.yaml" || len(req.Files) != 1 || string(req.Files[0].Data) != "- question: Q\n  reponse: R\n" {
		t.Errorf("request = %q %v, files %+v", req.Command, req.Options, req.Files)
	}
	if f := req.File("fichier"); f == nil || f.ContentType != "application/yaml" {
		t.Errorf("File(fichier) = %+v", f)
	}
	i = interaction("big.yaml")
	req = a.request(i)
	a.attachFiles(context.Background(), i, req)
	if _, ok := req.Options["fichier"]; ok || len(req.Files) != 0 {
		t.Errorf("a file over the cap was kept: %v, %d files", req.Options, len(req.Files))
	}
}
