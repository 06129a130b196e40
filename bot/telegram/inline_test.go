package telegram_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/agora-community/agora/bot/telegram"
	"github.com/agora-community/agora/bot/telegram/telegramtest"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// sharedDatabase returns the URL of a new, migrated database for several
// stores, each standing for a process: PostgreSQL when TEST_DATABASE_URL
// is set, else an SQLite file (a restarted process finds the same file).
func sharedDatabase(t *testing.T) string {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") != "" {
		return storagetest.NewPostgresDatabase(t)
	}
	url := "sqlite:" + filepath.Join(t.TempDir(), "agora.db")
	if err := storagetest.OpenURL(t, url).Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return url
}

// A process that never saw a member still answers their inline query from
// the FAQ of the group where they last spoke: the group is kept with the
// claimed updates every process shares, not only in the memory of the
// process that handled the member's message. Once across a restart (long
// polling), once across two processes behind a load balancer (webhook).
func TestInlineFAQAnswersFromTheGroupAnotherProcessSaw(t *testing.T) {
	t.Run("restart", func(t *testing.T) {
		srv := telegramtest.New(t)
		url := sharedDatabase(t)
		a := start(t, srv, storagetest.OpenURL(t, url), telegram.Options{InlineCommand: "faq"})
		if !srv.WaitFor(wait, a.Polling) {
			t.Fatal("process A never started polling")
		}
		addGroupFAQ(t, srv)
		speakInGroup(t, srv, alex)
		a.stop()
		b := start(t, srv, storagetest.OpenURL(t, url), telegram.Options{InlineCommand: "faq"})
		if !srv.WaitFor(wait, b.Polling) {
			t.Fatal("process B never started polling")
		}
		srv.InlineQuery(alex, "adhérer")
		waitGroupFAQAnswer(t, srv)
	})

	t.Run("webhook", func(t *testing.T) {
		srv := telegramtest.New(t, telegramtest.WithInsecureWebhooks())
		url := sharedDatabase(t)
		// The load balancer sends every delivery to the process the test
		// names, A (0) then B (1), and counts what each one was given.
		var mu sync.Mutex
		var handlers []http.Handler
		to := 0
		served := [2]int{}
		lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			if handlers == nil {
				mu.Unlock()
				http.Error(w, "starting", http.StatusServiceUnavailable)
				return
			}
			h := handlers[to]
			served[to]++
			mu.Unlock()
			h.ServeHTTP(w, r)
		}))
		t.Cleanup(lb.Close)
		route := func(i int) {
			mu.Lock()
			defer mu.Unlock()
			to = i
		}
		opts := telegram.Options{InlineCommand: "faq", WebhookURL: lb.URL + telegram.WebhookPath}
		a := start(t, srv, storagetest.OpenURL(t, url), opts)
		b := start(t, srv, storagetest.OpenURL(t, url), opts)
		mu.Lock()
		handlers = []http.Handler{a.WebhookHandler(), b.WebhookHandler()}
		mu.Unlock()
		addGroupFAQ(t, srv)
		speakInGroup(t, srv, alex)
		route(1)
		srv.InlineQuery(alex, "adhérer")
		waitGroupFAQAnswer(t, srv)
		mu.Lock()
		defer mu.Unlock()
		if served[0] < 2 || served[1] == 0 {
			t.Errorf("deliveries to A, B = %v; want the group's messages to A, the inline query to B", served)
		}
	})
}

// failingGroups is the database failing to say where members last acted.
type failingGroups struct {
	*storage.Store
	asked atomic.Int32
}

func (f *failingGroups) LastTelegramGroup(ctx context.Context, botID, userID int64) (storage.TelegramGroup, bool, error) {
	f.asked.Add(1)
	return storage.TelegramGroup{}, false, errors.New("database unreachable")
}

// When the database cannot say where a member last acted, the inline query
// is still answered, from their private chat as before Agora kept any trace.
func TestInlineQueryAnsweredWhenTheLastGroupIsUnknowable(t *testing.T) {
	srv := telegramtest.New(t)
	store := storagetest.Open(t)
	fs := &failingGroups{Store: store}
	r := start(t, srv, store, telegram.Options{Store: fs})
	if !srv.WaitFor(wait, r.Polling) {
		t.Fatal("the adapter never started polling")
	}
	srv.InlineQuery(alex, "voter")
	if !srv.WaitFor(wait, func() bool { return len(srv.InlineAnswers()) == 1 }) {
		t.Fatal("inline query not answered")
	}
	if ans := srv.InlineAnswers()[0]; len(ans.Results) != 1 {
		t.Errorf("answer = %+v, want the autocomplete's one result", ans)
	}
	if fs.asked.Load() != 1 {
		t.Errorf("the database was asked %d times, want once", fs.asked.Load())
	}
}
