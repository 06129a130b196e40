package telegram_test

import (
	"testing"

	"github.com/agora-community/agora/bot/telegram/telegramtest"
)

func dumpCalls(t *testing.T, srv *telegramtest.Server) {
	for _, c := range srv.Calls() {
		if c.Method != "getUpdates" {
			t.Logf("%s %v -> %d %s", c.Method, c.Params, c.Status, c.Error)
		}
	}
}
