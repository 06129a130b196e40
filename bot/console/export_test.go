package console_test

import (
	"io"
	"strings"

	"github.com/agora-community/agora/bot/console"
	"github.com/agora-community/agora/bot/console/consoletest"
)

func consoleFor(env *consoletest.Env, script string, out io.Writer) *console.Console {
	return console.New(env.Runtime, strings.NewReader(script), out, console.Options{Echo: true, Clock: env.Clock, Jobs: env.Runtime})
}
