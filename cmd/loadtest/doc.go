// Package loadtest is Agora's load harness, run as a test behind flags:
// it builds the agora binary, starts it as a child process on a fresh
// PostgreSQL database against the Telegram and Discord doubles
// (bot/telegram/telegramtest, bot/discord/discordtest) running in the test
// process, has N members press a poll's buttons at a chosen rate, and
// reports presses sent and answered, press-to-answer latency, API calls
// by method, edits per message, the final tally against the expected one,
// and the Agora process's CPU time and peak memory.
//
//	TEST_DATABASE_URL=postgres://... go test ./cmd/loadtest -run Load -count=1 -v -timeout 30m \
//	    -args -members 2000 -rate 500 -platform telegram
//
// Without -members it does nothing, so `go test ./...` skips it. It fails
// on a press left unanswered, a lost or doubled ballot, a wrong tally, a
// poll message edited more often than once per edit interval, or (on
// Telegram) a message tried in a voter's private chat. Traffic
// stays on the loopback interface, and every loop is bounded in count and
// time.
package loadtest
