// Package help is the /aide command: what the member may do, in their language.
package help

import (
	"context"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
)

// Spec returns /aide, which lists the commands of reg. "/aide sondage"
// details a command, "/aide sondage creer" one of its actions.
func Spec(reg *commands.Registry) *commands.Spec {
	return &commands.Spec{
		Name: "aide",
		Options: []commands.Option{
			{Name: "commande", Type: commands.OptionString, Autocomplete: true, MaxLength: 100},
		},
		Handle: func(ctx context.Context, req *commands.Request) (*commands.Response, error) {
			return handle(reg, req)
		},
		Autocomplete: func(ctx context.Context, req *commands.Request, option, partial string) ([]commands.Suggestion, error) {
			var out []commands.Suggestion
			for _, s := range visible(reg, req) {
				name := commands.LocalName(req.Loc, s.NameID)
				if len(partial) <= len(name) && name[:len(partial)] == partial {
					out = append(out, commands.Suggestion{Label: name, Value: name})
				}
			}
			return out, nil
		},
	}
}

func visible(reg *commands.Registry, req *commands.Request) []*commands.Spec {
	var out []*commands.Spec
	for _, s := range reg.Specs() {
		if req.Member.Role >= s.Permission {
			out = append(out, s)
		}
	}
	return out
}

func handle(reg *commands.Registry, req *commands.Request) (*commands.Response, error) {
	l := req.Loc
	if asked := req.String("commande"); asked != "" {
		return about(reg, req, asked)
	}
	lines := []markup.Text{l.T("help.title")}
	for _, s := range visible(reg, req) {
		lines = append(lines, l.T("help.line", locales.Data{"Name": commands.LocalName(l, s.NameID), "Description": l.S(s.DescriptionID)}))
		for _, sub := range s.Subcommands {
			if req.Member.Role >= sub.Permission {
				lines = append(lines, subLine(l, s, sub))
			}
		}
	}
	lines = append(lines, "", l.T("help.footer"))
	return commands.Private(markup.Join(lines, "\n")), nil
}

// about details what the member asked about: "sondage", "/sondage creer",
// "poll create", or Telegram's "sondage_creer". A command or action the
// member may not use is named as such, with the role it needs, rather
// than detailed: the member learns it exists and whom to ask.
func about(reg *commands.Registry, req *commands.Request, asked string) (*commands.Response, error) {
	l := req.Loc
	words := strings.Fields(strings.TrimPrefix(strings.TrimSpace(asked), "/"))
	if len(words) == 0 || len(words) > 2 {
		return nil, commands.Fail("help.unknown", locales.Data{"Name": asked})
	}
	spec, ok := reg.Lookup(words[0])
	if !ok && len(words) == 1 {
		if name, sub, found := strings.Cut(words[0], "_"); found {
			if spec, ok = reg.Lookup(name); ok {
				words = []string{name, sub}
			}
		}
	}
	if !ok {
		return nil, commands.Fail("help.unknown", locales.Data{"Name": words[0]})
	}
	name := commands.LocalName(l, spec.NameID)
	if len(words) == 1 {
		if req.Member.Role < spec.Permission {
			return nil, restricted(l, "/"+name, spec)
		}
		return commands.Private(detail(l, req, spec)), nil
	}
	sub := matchSubcommand(reg, spec, words[1])
	if sub == nil {
		return nil, commands.Fail("help.unknown_sub", locales.Data{"Command": name, "Name": words[1]})
	}
	path := "/" + name + " " + commands.LocalName(l, sub.NameID)
	if req.Member.Role < sub.Permission {
		return nil, restricted(l, path, sub)
	}
	return commands.Private(subDetail(l, spec, sub)), nil
}

func restricted(l *locales.Localizer, path string, s *commands.Spec) error {
	return commands.Fail("help.restricted", locales.Data{
		"Path": path, "Description": l.S(s.DescriptionID), "Role": l.S("help.role." + s.Permission.String()),
	})
}

// matchSubcommand finds an action by any of its names, also typed with or
// without accents ("créer" for "creer").
func matchSubcommand(reg *commands.Registry, spec *commands.Spec, name string) *commands.Spec {
	if sub := reg.MatchSubcommand(spec, name); sub != nil {
		return sub
	}
	want := foldAccents(name)
	for _, sub := range spec.Subcommands {
		if foldAccents(sub.Name) == want {
			return sub
		}
		for _, lang := range locales.Supported {
			if foldAccents(commands.LocalName(reg.Catalog().Localizer(nil, lang), sub.NameID)) == want {
				return sub
			}
		}
	}
	return nil
}

// foldAccents lowers s and drops its accents: "Créer" is "creer".
func foldAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// detail is a command with its options, or with the actions the member
// may use and how to learn more about one of them: the options of every
// action at once would be a wall of text.
func detail(l *locales.Localizer, req *commands.Request, s *commands.Spec) markup.Text {
	name := commands.LocalName(l, s.NameID)
	lines := []markup.Text{l.T("help.line", locales.Data{"Name": name, "Description": l.S(s.DescriptionID)})}
	lines = append(lines, optionLines(l, s)...)
	var first *commands.Spec
	for _, sub := range s.Subcommands {
		if req.Member.Role < sub.Permission {
			continue
		}
		if first == nil {
			first = sub
		}
		lines = append(lines, subLine(l, s, sub))
	}
	if first != nil {
		lines = append(lines, l.T("help.sub_hint", locales.Data{"Name": name, "Sub": commands.LocalName(l, first.NameID)}))
	}
	return markup.Join(lines, "\n")
}

// subDetail is one action: what it does, for whom, its options with the
// values each accepts.
func subDetail(l *locales.Localizer, parent, sub *commands.Spec) markup.Text {
	path := commands.LocalName(l, parent.NameID) + " " + commands.LocalName(l, sub.NameID)
	lines := []markup.Text{l.T("help.line", locales.Data{"Name": path, "Description": l.S(sub.DescriptionID)})}
	if sub.Permission > commands.RoleMember {
		lines = append(lines, l.T("help.for_role", locales.Data{"Role": l.S("help.role." + sub.Permission.String())}))
	}
	opts := optionLines(l, sub)
	if len(opts) == 0 {
		lines = append(lines, l.T("help.no_options"))
	}
	return markup.Join(append(lines, opts...), "\n")
}

func subLine(l *locales.Localizer, parent, sub *commands.Spec) markup.Text {
	return l.T("help.sub_line", locales.Data{
		"Name": commands.LocalName(l, parent.NameID), "Sub": commands.LocalName(l, sub.NameID), "Description": l.S(sub.DescriptionID),
	})
}

func optionLines(l *locales.Localizer, s *commands.Spec) []markup.Text {
	var out []markup.Text
	for _, o := range s.Options {
		d := locales.Data{"Name": commands.LocalName(l, o.NameID), "Required": o.Required, "Description": l.S(o.DescriptionID)}
		if v := values(l, o); v != "" {
			d["Values"] = v
		}
		out = append(out, l.T("help.option_line", d))
	}
	return out
}

// values says what an option accepts when its type says more than its
// description: the labels of its choices, an integer's range, yes or no.
func values(l *locales.Localizer, o commands.Option) markup.Text {
	switch {
	case len(o.Choices) > 0:
		labels := make([]markup.Text, len(o.Choices))
		for i, c := range o.Choices {
			labels[i] = l.T("help.value", locales.Data{"Value": l.S(c.NameID)})
		}
		return l.T("help.values.choices", locales.Data{"Values": markup.Join(labels, ", ")})
	case o.Type == commands.OptionInteger && o.Max > o.Min:
		return l.T("help.values.range", locales.Data{"Min": l.Number(o.Min), "Max": l.Number(o.Max)})
	case o.Type == commands.OptionInteger:
		return l.T("help.values.integer")
	case o.Type == commands.OptionBoolean:
		return l.T("help.values.boolean")
	}
	return ""
}
