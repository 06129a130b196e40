package ambassadors_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/all"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

var (
	tgGeneral     = telegramtest.Supergroup(-1001001, "Coop Lyon")
	tgModeration  = telegramtest.Supergroup(-1001002, "Coop Lyon · modération")
	tgAmbassadors = telegramtest.Supergroup(-1001003, "Coop Lyon · ambassadeurs")
	tgLea         = telegramtest.User{ID: 2001, FirstName: "Léa", LanguageCode: "fr"}
	tgSam         = telegramtest.User{ID: 2002, FirstName: "Sam", LanguageCode: "fr"}
	tgNoe         = telegramtest.User{ID: 2003, FirstName: "Noé", LanguageCode: "fr"}
	tgIntruder    = telegramtest.User{ID: 2004, FirstName: "Intrus"}
)

// startTelegram builds the whole runtime and the Telegram adapter against
// the double, with the three groups of one community, and runs the
// adapter and the job loop until the test ends.
func startTelegram(t *testing.T, srv *telegramtest.Server) *storage.Store {
	t.Helper()
	ctx := context.Background()
	store := storagetest.Open(t)
	defaults := storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"}
	ref := func(c telegramtest.Chat) storage.ChatRef {
		return storage.ChatRef{Platform: commands.PlatformTelegram, ChatID: strconv.FormatInt(c.ID, 10), Title: c.Title}
	}
	_, community, err := store.ResolveChat(ctx, ref(tgGeneral), defaults)
	if err != nil {
		t.Fatal(err)
	}
	for purpose, c := range map[string]telegramtest.Chat{storage.PurposeModeration: tgModeration, storage.PurposeAmbassadors: tgAmbassadors} {
		chat, _, err := store.ResolveChat(ctx, ref(c), defaults)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.MoveChat(ctx, chat.ID, community.ID); err != nil {
			t.Fatal(err)
		}
		if err := store.SetChatPurpose(ctx, chat.ID, purpose); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []telegramtest.Chat{tgGeneral, tgModeration, tgAmbassadors} {
		srv.AddChat(c)
		srv.SetAdministrators(c.ID, tgSam, srv.Bot())
	}

	catalog, err := locales.Load("fr")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	rt := bot.New(store, commands.NewRegistry(catalog), log, nil, bot.Config{DefaultLocale: "fr"})
	if err := rt.Install(all.Modules(rt.Deps(), store)...); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	a, err := telegram.New(runCtx, rt, telegram.Options{
		Token: srv.Token(), APIURL: srv.URL(), Store: store, Log: log, Metrics: rt.Metrics().Registry,
		LeaseTTL: 2 * time.Second, LeaseRenew: 200 * time.Millisecond, PollTimeout: time.Second,
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	rt.AddPlatform(a)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		rt.RunJobs(runCtx, 100*time.Millisecond)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("adapter stopped with %v", err)
		}
		<-jobsDone
	})
	if !srv.WaitFor(wait, a.Polling) {
		t.Fatal("the adapter never started polling")
	}
	return store
}

// sent waits for a message of Agora's in a chat that contains want.
func sent(t *testing.T, srv *telegramtest.Server, chatID int64, want string) telegramtest.SentMessage {
	t.Helper()
	m, ok := srv.WaitMessage(chatID, wait, func(m telegramtest.SentMessage) bool { return strings.Contains(m.Text, want) })
	if !ok {
		var got []string
		for _, m := range srv.SentMessages(chatID) {
			got = append(got, m.Text)
		}
		t.Fatalf("no message with %q in chat %d; got %q", want, chatID, got)
	}
	return m
}

// button finds a message's button with this callback data (or whose data
// starts with it), or its link button.
func button(t *testing.T, m telegramtest.SentMessage, prefix string) telegramtest.InlineKeyboardButton {
	t.Helper()
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, prefix) || b.URL != nil && prefix == "url" {
					return b
				}
			}
		}
	}
	t.Fatalf("message %q has no button %q", m.Text, prefix)
	return telegramtest.InlineKeyboardButton{}
}

// On Telegram the application continues in private chat; approval sends a
// single-use invite link to the ambassadors' group, and revocation removes
// the member from it (free to be invited again later).
func TestTelegramApplicationInviteAndRemoval(t *testing.T) {
	srv := telegramtest.New(t)
	store := startTelegram(t, srv)
	lea, sam := telegramtest.PrivateChat(tgLea), telegramtest.PrivateChat(tgSam)
	srv.AddChat(lea) // both started Agora in private
	srv.AddChat(sam)

	srv.SendText(tgGeneral, tgLea, "/ambassadeur postuler")
	sent(t, srv, tgGeneral.ID, "Léa, je vous ai écrit en privé")
	start := sent(t, srv, tgLea.ID, "continue ici, en privé")
	srv.PressButton(lea, tgLea, start.MessageID, *button(t, start, "amb/form/").CallbackData)
	sent(t, srv, tgLea.ID, "Ville ou région\u202f?")
	srv.SendText(lea, tgLea, "Villeurbanne")
	sent(t, srv, tgLea.ID, "Motivation\u202f?")
	srv.SendText(lea, tgLea, "Faire vivre la coopérative près de chez moi")
	sent(t, srv, tgLea.ID, "Disponibilités\u202f?")
	srv.SendText(lea, tgLea, "Le samedi")
	sent(t, srv, tgLea.ID, "Votre candidature n°\u00a01 (Villeurbanne) est enregistrée")
	for _, m := range srv.SentMessages(tgGeneral.ID) {
		if strings.Contains(m.Text, "Villeurbanne") || strings.Contains(m.Text, "Motivation") {
			t.Fatalf("the application showed in the group: %q", m.Text)
		}
	}

	post := sent(t, srv, tgModeration.ID, "Candidature d'ambassadeur·rice n°\u00a01")
	if !strings.Contains(post.Text, "Léa · Villeurbanne") || !strings.Contains(post.Text, "Faire vivre la coopérative") {
		t.Fatalf("application post = %q", post.Text)
	}
	// The moderator's answer is the button's own answer (a toast): it fits.
	press := srv.PressButton(tgModeration, tgSam, post.MessageID, *button(t, post, "amb/approve/1").CallbackData)
	approved, ok := srv.WaitCallbackAnswer(press, wait)
	if !ok || !strings.Contains(approved.Text, "Candidature n°\u00a01 acceptée") ||
		!strings.Contains(approved.Text, "Telegram\u00a0: lien d'invitation au salon des ambassadeur·rices envoyé en privé.") {
		t.Fatalf("approval answered %q (answered: %v)", approved.Text, ok)
	}
	sent(t, srv, tgLea.ID, "votre candidature est acceptée")
	invite := sent(t, srv, tgLea.ID, "Voici votre lien pour rejoindre le salon des ambassadeur·rices")
	link := *button(t, invite, "url").URL
	links := srv.InviteLinks(tgAmbassadors.ID)
	if len(links) != 1 || links[0].InviteLink != link || links[0].MemberLimit != 1 || links[0].ExpireDate == 0 {
		t.Fatalf("invite links %+v, want one single-use link %q with an expiry", links, link)
	}

	if _, err := srv.JoinByLink(link, tgLea); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.JoinByLink(link, tgIntruder); !errors.Is(err, telegramtest.ErrInviteLinkExpired) {
		t.Fatalf("the link let a second person in: %v", err)
	}
	if !srv.IsMember(tgAmbassadors.ID, tgLea.ID) || srv.IsMember(tgAmbassadors.ID, tgIntruder.ID) {
		t.Fatal("the ambassadors' group has the wrong members")
	}
	// Her first words in the ambassadors' group are her introduction.
	srv.SendText(tgAmbassadors, tgLea, "Bonjour à tous, je suis Léa de Villeurbanne\u202f!")
	sent(t, srv, tgAmbassadors.ID, "Bienvenue parmi les ambassadeur·rices, Léa\u202f!")

	srv.SendText(tgModeration, tgSam, "/ambassadeur revoquer 1 Plus disponible")
	revoked := sent(t, srv, tgSam.ID, "n'est plus ambassadeur·rice")
	if !strings.Contains(revoked.Text, "Telegram\u00a0: retiré·e du salon des ambassadeur·rices.") {
		t.Fatalf("revocation answered %q", revoked.Text)
	}
	sent(t, srv, tgLea.ID, "vous a été retiré")
	if srv.IsMember(tgAmbassadors.ID, tgLea.ID) || srv.IsBanned(tgAmbassadors.ID, tgLea.ID) {
		t.Fatalf("after revocation: member %v, banned %v; want out but free to come back",
			srv.IsMember(tgAmbassadors.ID, tgLea.ID), srv.IsBanned(tgAmbassadors.ID, tgLea.ID))
	}
	m, err := store.ResolveMember(context.Background(), 1, commands.PlatformTelegram, "2001", "Léa")
	if err != nil || m.Role != "member" {
		t.Fatalf("Léa's role in Agora after revocation: %+v, %v", m, err)
	}
}

// A member who never wrote to Agora privately answers the application's
// questions in the group, each a reply to its question.
func TestTelegramApplicationInTheGroupWithoutPrivateChat(t *testing.T) {
	srv := telegramtest.New(t)
	startTelegram(t, srv)
	srv.SendText(tgGeneral, tgNoe, "/ambassadeur postuler")
	sent(t, srv, tgGeneral.ID, "Je ne peux pas vous écrire en privé")
	for _, step := range []struct{ question, answer string }{
		{"Ville ou région\u202f?", "Lyon"}, {"Motivation\u202f?", "Rencontrer les voisins"}, {"Disponibilités\u202f?", "Le soir"},
	} {
		q := sent(t, srv, tgGeneral.ID, step.question)
		srv.ReplyTo(tgGeneral, tgNoe, q.MessageID, step.answer)
	}
	sent(t, srv, tgGeneral.ID, "Votre candidature n°\u00a01 (Lyon) est enregistrée")
	sent(t, srv, tgModeration.ID, "Noé · Lyon")
}

// The group reads that the application goes on in private in the
// community's language; the private chat speaks the applicant's.
func TestTelegramContinuePrivateSpeaksTheCommunitysLanguage(t *testing.T) {
	srv := telegramtest.New(t)
	startTelegram(t, srv)
	english := tgLea
	english.LanguageCode = "en"
	srv.AddChat(telegramtest.PrivateChat(english))

	srv.SendText(tgGeneral, english, "/ambassadeur postuler")
	sent(t, srv, tgGeneral.ID, "Léa, je vous ai écrit en privé")
	sent(t, srv, english.ID, "continues here, privately")
}
