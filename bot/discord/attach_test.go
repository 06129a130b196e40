package discord

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agora-community/agora/bot"
	"github.com/bwmarrin/discordgo"
)

// An attachment option's ID resolves to its file, downloaded through the
// adapter's client; a file over the cap, or one the download fails, leaves
// the option out and is reported so the command is refused.
func TestAttachmentOptionsBringTheirFiles(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/big.yaml") {
			w.Write(make([]byte, bot.MaxDownload+1))
			return
		}
		if strings.HasSuffix(r.URL.Path, "/gone.yaml") {
			http.NotFound(w, r)
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
	if fe := a.attachFiles(context.Background(), i, req); fe != nil {
		t.Errorf("attachFiles = %+v", fe)
	}
	if req.Command != "faqgestion.importer" || req.Options["fichier"] != "faq.yaml" || len(req.Files) != 1 || string(req.Files[0].Data) != "- question: Q\n  reponse: R\n" {
		t.Errorf("request = %q %v, files %+v", req.Command, req.Options, req.Files)
	}
	if f := req.File("fichier"); f == nil || f.ContentType != "application/yaml" {
		t.Errorf("File(fichier) = %+v", f)
	}
	for file, tooLarge := range map[string]bool{"big.yaml": true, "gone.yaml": false} {
		i = interaction(file)
		req = a.request(i)
		fe := a.attachFiles(context.Background(), i, req)
		if fe == nil || fe.name != file || errors.Is(fe.err, bot.ErrTooLarge) != tooLarge {
			t.Errorf("%s: attachFiles = %+v, want too large %v", file, fe, tooLarge)
		}
		if _, ok := req.Options["fichier"]; ok || len(req.Files) != 0 {
			t.Errorf("%s: a file not brought was kept: %v, %d files", file, req.Options, len(req.Files))
		}
	}
}
