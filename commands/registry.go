package commands

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/agora-community/agora/locales"
)

// Registry lists every command, so adapters publish and route from one place.
type Registry struct {
	catalog  *locales.Catalog
	specs    []*Spec
	byName   map[string]*Spec // canonical and localized names, folded (FoldName)
	byPrefix map[string]*Spec
	settings []Setting
}

// NewRegistry makes an empty registry that resolves names in every
// language of the catalog.
func NewRegistry(catalog *locales.Catalog) *Registry {
	return &Registry{catalog: catalog, byName: map[string]*Spec{}, byPrefix: map[string]*Spec{}}
}

var canonicalName = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// Add registers commands. Names must be unique in every language, accents
// and case aside.
func (r *Registry) Add(specs ...*Spec) error {
	for _, s := range specs {
		if !canonicalName.MatchString(s.Name) {
			return fmt.Errorf("register command %q: name must match %s", s.Name, canonicalName)
		}
		s.fillIDs("")
		if err := checkSpec(s); err != nil {
			return fmt.Errorf("register command %q: %w", s.Name, err)
		}
		r.fillNames(s)
		for _, n := range s.names {
			if other, ok := r.byName[FoldName(n)]; ok && other != s {
				return fmt.Errorf("register command %q: name %q already used by %q", s.Name, n, other.Name)
			}
		}
		for _, n := range s.names {
			r.byName[FoldName(n)] = s
		}
		if s.ActionPrefix != "" {
			if strings.Contains(s.ActionPrefix, "/") {
				return fmt.Errorf("register command %q: action prefix %q contains a slash", s.Name, s.ActionPrefix)
			}
			if _, dup := r.byPrefix[s.ActionPrefix]; dup {
				return fmt.Errorf("register command %q: action prefix %q already used", s.Name, s.ActionPrefix)
			}
			r.byPrefix[s.ActionPrefix] = s
		}
		r.specs = append(r.specs, s)
	}
	return nil
}

// fillNames keeps the names a member may type for a spec, its options and
// its subcommands: canonical first, then each language's.
func (r *Registry) fillNames(s *Spec) {
	local := func(canonical, id string) []string {
		names := []string{canonical}
		for _, lang := range locales.Supported {
			if n := LocalName(r.catalog.Localizer(nil, lang), id); !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		return names
	}
	s.names = local(s.Name, s.NameID)
	for i := range s.Options {
		s.Options[i].names = local(s.Options[i].Name, s.Options[i].NameID)
	}
	for _, sub := range s.Subcommands {
		r.fillNames(sub)
	}
}

func checkSpec(s *Spec) error {
	if s.Handle == nil && len(s.Subcommands) == 0 {
		return fmt.Errorf("%s has neither a handler nor subcommands", s.path)
	}
	if s.DefaultSubcommand != "" && s.Subcommand(s.DefaultSubcommand) == nil {
		return fmt.Errorf("%s: default subcommand %q does not exist", s.path, s.DefaultSubcommand)
	}
	if s.ActionPrefix != "" && s.HandleAction == nil {
		return fmt.Errorf("%s has an action prefix but no action handler", s.path)
	}
	for _, o := range s.Options {
		if !canonicalName.MatchString(o.Name) {
			return fmt.Errorf("%s option %q: bad name", s.path, o.Name)
		}
	}
	for _, sub := range s.Subcommands {
		if !canonicalName.MatchString(sub.Name) {
			return fmt.Errorf("%s subcommand %q: bad name", s.path, sub.Name)
		}
		if err := checkSpec(sub); err != nil {
			return err
		}
	}
	return nil
}

// AddSettings records community settings a capability owns, for listings.
func (r *Registry) AddSettings(settings ...Setting) error {
	for _, s := range settings {
		for _, other := range r.settings {
			if other.Key == s.Key {
				return fmt.Errorf("register setting %q: already registered", s.Key)
			}
		}
		r.settings = append(r.settings, s)
	}
	return nil
}

// Settings lists every capability's community settings, in installation order.
func (r *Registry) Settings() []Setting { return append([]Setting(nil), r.settings...) }

// Specs returns the top-level commands sorted by canonical name.
func (r *Registry) Specs() []*Spec {
	out := append([]*Spec(nil), r.specs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Catalog is the catalog the registry resolves names with.
func (r *Registry) Catalog() *locales.Catalog { return r.catalog }

// Lookup finds a top-level command by its canonical or any localized
// name, accents and case aside.
func (r *Registry) Lookup(name string) (*Spec, bool) {
	s, ok := r.byName[FoldName(name)]
	return s, ok
}

// Word finds the command a typed command word names, as a platform spells
// it (see Spelling): a top-level command, or with sp.Join a subcommand
// joined to its command ("sondage_creer").
func (r *Registry) Word(word string, sp Spelling) (*Spec, bool) {
	if s, ok := r.Lookup(word); ok {
		return s, true
	}
	m := sp.matcher(word)
	specs := r.Specs()
	for _, s := range specs {
		if m.matches(s.names) {
			return s, true
		}
	}
	if sp.Join == "" {
		return nil, false
	}
	for _, s := range specs {
		for _, sub := range s.Subcommands {
			var joined []string
			for _, pn := range s.names {
				for _, sn := range sub.names {
					joined = append(joined, pn+sp.Join+sn)
				}
			}
			if m.matches(joined) {
				return sub, true
			}
		}
	}
	return nil, false
}

// Resolve finds the spec for a canonical path such as "sondage.creer".
func (r *Registry) Resolve(path string) (*Spec, bool) {
	parts := strings.Split(path, ".")
	s, ok := r.byName[parts[0]]
	if !ok || s.Name != parts[0] {
		return nil, false
	}
	for _, p := range parts[1:] {
		if s = s.Subcommand(p); s == nil {
			return nil, false
		}
	}
	return s, true
}

// ForAction finds the command that owns an action route.
func (r *Registry) ForAction(route string) (*Spec, bool) {
	prefix, _, _ := strings.Cut(route, "/")
	s, ok := r.byPrefix[prefix]
	return s, ok
}

// MatchSubcommand finds a subcommand by canonical or localized name,
// accents and case aside.
func (r *Registry) MatchSubcommand(s *Spec, name string) *Spec {
	return matchSubcommand(s, name, Spelling{})
}

func matchSubcommand(s *Spec, name string, sp Spelling) *Spec {
	m := sp.matcher(name)
	for _, sub := range s.Subcommands {
		if m.matches(sub.names) {
			return sub
		}
	}
	return nil
}

// MatchOption finds an option by canonical or localized name, accents and
// case aside.
func (r *Registry) MatchOption(s *Spec, name string) *Option {
	m := Spelling{}.matcher(name)
	for i := range s.Options {
		if m.matches(s.Options[i].names) {
			return &s.Options[i]
		}
	}
	return nil
}

// MessageIDs lists every locale message the registered commands refer to.
func (r *Registry) MessageIDs() []string {
	var ids []string
	for _, s := range r.specs {
		ids = append(ids, s.MessageIDs()...)
	}
	return ids
}
