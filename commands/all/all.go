// Package all lists Agora's capabilities, so main and the end-to-end tests
// install exactly the same set. It is the one place that names them all.
package all

import (
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/account"
	"github.com/agora-community/agora/commands/ambassadors"
	"github.com/agora-community/agora/commands/community"
	"github.com/agora-community/agora/commands/faq"
	"github.com/agora-community/agora/commands/help"
	"github.com/agora-community/agora/commands/meetups"
	"github.com/agora-community/agora/commands/polls"
	"github.com/agora-community/agora/commands/welcome"
)

// Store is every capability's store interface at once. storage.Store
// implements it; each capability sees only its own part.
type Store interface {
	account.Store
	community.Store
	polls.Store
	meetups.Store
	faq.Store
	welcome.Store
	ambassadors.Store
}

// Modules builds every capability.
func Modules(deps commands.Deps, store Store) []commands.Module {
	return []commands.Module{
		{Name: "help", Specs: []*commands.Spec{help.Spec(deps.Registry)}},
		community.New(deps, store),
		account.New(deps, store),
		polls.New(deps, store),
		meetups.New(deps, store),
		faq.New(deps, store),
		welcome.New(deps, store),
		ambassadors.New(deps, store),
	}
}
