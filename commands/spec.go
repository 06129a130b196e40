// Package commands is Agora's platform-neutral command model: what a command
// is (Spec), what a member asked (Request), what Agora answers (Response),
// and the Registry every adapter publishes and routes from. Nothing here
// knows Discord or Telegram.
package commands

import (
	"context"
	"strings"

	"github.com/agora-community/agora/locales"
)

// Role is what a member may do in a community. Roles are ordered: a
// moderator may do everything an ambassador may.
type Role int

const (
	RoleMember Role = iota
	RoleAmbassador
	RoleModerator
)

// String is the role's stable name, as stored in the database.
func (r Role) String() string {
	switch r {
	case RoleAmbassador:
		return "ambassador"
	case RoleModerator:
		return "moderator"
	default:
		return "member"
	}
}

// ParseRole reads a stored role name; unknown names are plain members.
func ParseRole(s string) Role {
	switch s {
	case "ambassador":
		return RoleAmbassador
	case "moderator":
		return RoleModerator
	default:
		return RoleMember
	}
}

// OptionType is the type of an option's value.
type OptionType int

const (
	OptionString OptionType = iota
	OptionInteger
	OptionBoolean
	OptionDuration // "2j", "3h30"; parsed by the handler that needs it
	OptionUser
	// OptionAttachment is a file sent with the command. Its value is the
	// file's name; the file itself is in Request.Files.
	OptionAttachment
)

// Choice is one allowed value of an option, with its localized label.
type Choice struct {
	Value  string
	NameID string
	// SynonymsID, when set, names a message listing other words members
	// type for this choice, separated by commas ("fermés, terminés" for
	// "clos"): a typed value is a word, and members use their own.
	SynonymsID string
}

// Option is one typed input of a command.
type Option struct {
	Name          string // canonical French name, lower case, as typed
	NameID        string // defaults to "<command path>.opt.<name>.name"
	DescriptionID string // defaults to "<command path>.opt.<name>.description"
	Type          OptionType
	Required      bool
	Choices       []Choice
	Autocomplete  bool
	MaxLength     int // for strings, in characters; 0 means the platform's limit
	Min, Max      int // for integers, when Max > Min

	// Until and Rest shape a value typed without its name on text
	// platforms (Telegram, the console), where such words fill the options
	// in declared order. Until ends this option's value at the first
	// occurrence of the separator, which is dropped: with Until "|" on a
	// poll's question, "/sondage creer Quelle pizza ? | A | B" asks
	// "Quelle pizza ?". Rest makes the value take the rest of the line
	// ("A | B"), as the last free string option always does.
	Until string
	Rest  bool

	// Check, when set, reads the value as the handler will ("samedi" as a
	// date lacks its hour), so that a wrong value is refused as soon as it
	// is typed or given in answer to a guided question, not after the
	// remaining questions. The request is resolved (community, time zone,
	// language). The handler reads the value again: Check is a courtesy,
	// never what makes a value safe.
	Check func(req *Request, value string) error

	names []string // as members may type it, set by the registry
}

// Handler answers a request.
type Handler func(ctx context.Context, req *Request) (*Response, error)

// AutocompleteHandler proposes values for the focused option as the member types.
type AutocompleteHandler func(ctx context.Context, req *Request, option, partial string) ([]Suggestion, error)

// Suggestion is one autocomplete proposal.
type Suggestion struct {
	Label string
	Value string
}

// Spec declares a command. Adapters generate the platform's command lists
// from it, so a command is described once.
type Spec struct {
	Name          string // canonical French name: "sondage"
	NameID        string // defaults to "cmd.<path>.name"
	DescriptionID string // defaults to "cmd.<path>.description"
	UsageID       string // optional one-line usage for /aide and text platforms
	Permission    Role
	Options       []Option
	Subcommands   []*Spec
	Handle        Handler
	Autocomplete  AutocompleteHandler

	// DefaultSubcommand, on text platforms, is the subcommand that text
	// after the command goes to when its first word names no subcommand:
	// "/sondage Quelle pizza ? | A | B" is "/sondage creer Quelle pizza ? | A | B".
	DefaultSubcommand string

	// ActionPrefix routes buttons, selects and modal submits whose action
	// starts with "<prefix>/" to HandleAction.
	ActionPrefix string
	HandleAction Handler

	path   string   // "sondage" or "sondage.creer", set by the registry
	parent *Spec    // the command of a subcommand, set by the registry
	names  []string // canonical and localized names, set by the registry
}

// Path is the dotted path of the spec within its command ("sondage.voter").
func (s *Spec) Path() string { return s.path }

// Subcommand finds a subcommand by canonical name.
func (s *Spec) Subcommand(name string) *Spec {
	for _, sub := range s.Subcommands {
		if sub.Name == name {
			return sub
		}
	}
	return nil
}

// Option finds an option by canonical name.
func (s *Spec) Option(name string) *Option {
	for i := range s.Options {
		if s.Options[i].Name == name {
			return &s.Options[i]
		}
	}
	return nil
}

func (s *Spec) fillIDs(parent string) {
	s.path = s.Name
	if parent != "" {
		s.path = parent + "." + s.Name
	}
	if s.NameID == "" {
		s.NameID = "cmd." + s.path + ".name"
	}
	if s.DescriptionID == "" {
		s.DescriptionID = "cmd." + s.path + ".description"
	}
	for i := range s.Options {
		o := &s.Options[i]
		if o.NameID == "" {
			o.NameID = "cmd." + s.path + ".opt." + o.Name + ".name"
		}
		if o.DescriptionID == "" {
			o.DescriptionID = "cmd." + s.path + ".opt." + o.Name + ".description"
		}
	}
	for _, sub := range s.Subcommands {
		if sub.Permission < s.Permission {
			sub.Permission = s.Permission
		}
		sub.parent = s
		sub.fillIDs(s.path)
	}
}

// localNames are the names of the spec's command line in a language:
// ["poll", "create"].
func (s *Spec) localNames(l *locales.Localizer) []string {
	var out []string
	for p := s; p != nil; p = p.parent {
		out = append([]string{LocalName(l, p.NameID)}, out...)
	}
	return out
}

// MessageIDs lists every locale message the spec refers to, for the
// completeness test.
func (s *Spec) MessageIDs() []string {
	ids := []string{s.NameID, s.DescriptionID}
	if s.UsageID != "" {
		ids = append(ids, s.UsageID)
	}
	for _, o := range s.Options {
		ids = append(ids, o.NameID, o.DescriptionID)
		for _, c := range o.Choices {
			ids = append(ids, c.NameID)
		}
	}
	for _, sub := range s.Subcommands {
		ids = append(ids, sub.MessageIDs()...)
	}
	return ids
}

// LocalName is the command or option name in a language, lower case, as a
// member would type it, underscores included ("prix_base"). Platform
// adapters further restrict the alphabet.
func LocalName(l *locales.Localizer, nameID string) string {
	return strings.ToLower(strings.TrimSpace(l.Name(nameID)))
}

// HigherRole is whichever of two stored role names ranks higher, for
// merging the roles of a person's linked accounts.
func HigherRole(a, b string) string {
	if ParseRole(b) > ParseRole(a) {
		return b
	}
	return a
}
