// Package all lists Agora's capabilities, so main and the end-to-end tests
// install exactly the same set.
package all

import (
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/community"
	"github.com/agora-community/agora/commands/help"
	"github.com/agora-community/agora/commands/polls"
)

// Modules builds every capability.
func Modules(deps commands.Deps) []commands.Module {
	return []commands.Module{
		{Specs: []*commands.Spec{help.Spec(deps.Registry)}},
		community.New(deps),
		polls.New(deps),
	}
}
