// Package help is the /aide command: what the member may do, in their language.
package help

import (
	"context"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/commands/markup"
	"github.com/agora-community/agora/locales"
)

// Spec returns /aide, which lists the commands of reg.
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
	if name := req.String("commande"); name != "" {
		spec, ok := reg.Lookup(trimSlash(name))
		if !ok || req.Member.Role < spec.Permission {
			return nil, commands.Fail("help.unknown", locales.Data{"Name": name})
		}
		return commands.Private(detail(l, spec)), nil
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

func detail(l *locales.Localizer, s *commands.Spec) markup.Text {
	lines := []markup.Text{l.T("help.line", locales.Data{"Name": commands.LocalName(l, s.NameID), "Description": l.S(s.DescriptionID)})}
	lines = append(lines, optionLines(l, s)...)
	for _, sub := range s.Subcommands {
		lines = append(lines, subLine(l, s, sub))
		lines = append(lines, optionLines(l, sub)...)
	}
	return markup.Join(lines, "\n")
}

func subLine(l *locales.Localizer, parent, sub *commands.Spec) markup.Text {
	return l.T("help.sub_line", locales.Data{
		"Name": commands.LocalName(l, parent.NameID), "Sub": commands.LocalName(l, sub.NameID), "Description": l.S(sub.DescriptionID),
	})
}

func optionLines(l *locales.Localizer, s *commands.Spec) []markup.Text {
	var out []markup.Text
	for _, o := range s.Options {
		out = append(out, l.T("help.option_line", locales.Data{
			"Name": commands.LocalName(l, o.NameID), "Required": o.Required, "Description": l.S(o.DescriptionID),
		}))
	}
	return out
}

func trimSlash(s string) string {
	if len(s) > 0 && s[0] == '/' {
		return s[1:]
	}
	return s
}
