package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
)

// englishLocales are the Discord locales that get Agora's English texts.
var englishLocales = []discordgo.Locale{discordgo.EnglishUS, discordgo.EnglishGB}

// discordName makes a localized name acceptable to Discord
// (^[-_\p{L}\p{N}]{1,32}$, lower case): spaces become dashes, other
// characters are dropped; accents are letters and stay.
func discordName(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if n == 32 {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '\'' || r == '’':
			b.WriteRune('-')
		default:
			continue
		}
		n++
	}
	return strings.Trim(b.String(), "-")
}

type texts struct{ fr, en *locales.Localizer }

// names returns the localized names that differ from the canonical one.
func (t texts) names(id, canonical string) map[discordgo.Locale]string {
	m := map[discordgo.Locale]string{}
	if fr := discordName(commands.LocalName(t.fr, id)); fr != "" && fr != canonical {
		m[discordgo.French] = fr
	}
	if en := discordName(commands.LocalName(t.en, id)); en != "" && en != canonical {
		for _, l := range englishLocales {
			m[l] = en
		}
	}
	return m
}

func description(l *locales.Localizer, id string) string {
	return truncate(nonEmpty(l.S(id), "…"), maxDescription)
}

// descriptions returns the French description and its English versions.
func (t texts) descriptions(id string) (string, map[discordgo.Locale]string) {
	fr := description(t.fr, id)
	en := description(t.en, id)
	m := map[discordgo.Locale]string{}
	if en != fr {
		for _, l := range englishLocales {
			m[l] = en
		}
	}
	return fr, m
}

// ptr gives commands their localizations as discordgo wants them there:
// a pointer, nil when there are none.
func ptr(m map[discordgo.Locale]string) *map[discordgo.Locale]string {
	if len(m) == 0 {
		return nil
	}
	return &m
}

// ApplicationCommands builds the Discord commands from the registry:
// canonical (French) names, French descriptions, English localizations.
func ApplicationCommands(reg *commands.Registry) []*discordgo.ApplicationCommand {
	t := texts{fr: reg.Catalog().Localizer(nil, "fr"), en: reg.Catalog().Localizer(nil, "en")}
	var out []*discordgo.ApplicationCommand
	for _, s := range reg.Specs() {
		desc, descs := t.descriptions(s.DescriptionID)
		cmd := &discordgo.ApplicationCommand{
			Type: discordgo.ChatApplicationCommand, Name: s.Name, Description: desc,
			NameLocalizations: ptr(t.names(s.NameID, s.Name)), DescriptionLocalizations: ptr(descs),
			Options: t.options(s, 0),
		}
		if s.Permission >= commands.RoleModerator {
			// Hidden from members by default; the runtime checks anyway.
			perms := PermissionManageServer
			cmd.DefaultMemberPermissions = &perms
		}
		out = append(out, cmd)
	}
	return out
}

func (t texts) options(s *commands.Spec, depth int) []*discordgo.ApplicationCommandOption {
	var out []*discordgo.ApplicationCommandOption
	if len(s.Subcommands) > 0 {
		// Discord does not mix subcommands and options on one level.
		for _, sub := range s.Subcommands {
			typ := discordgo.ApplicationCommandOptionSubCommand
			if len(sub.Subcommands) > 0 && depth == 0 {
				typ = discordgo.ApplicationCommandOptionSubCommandGroup
			}
			desc, descs := t.descriptions(sub.DescriptionID)
			out = append(out, &discordgo.ApplicationCommandOption{
				Type: typ, Name: sub.Name, Description: desc,
				NameLocalizations: t.names(sub.NameID, sub.Name), DescriptionLocalizations: descs,
				Options: t.options(sub, depth+1),
			})
		}
		return out
	}
	for _, o := range s.Options {
		desc, descs := t.descriptions(o.DescriptionID)
		opt := &discordgo.ApplicationCommandOption{
			Type: optionType(o.Type), Name: o.Name, Description: desc, Required: o.Required,
			NameLocalizations: t.names(o.NameID, o.Name), DescriptionLocalizations: descs,
			Autocomplete: o.Autocomplete && len(o.Choices) == 0,
		}
		for _, c := range o.Choices {
			if len(opt.Choices) == maxChoices {
				break
			}
			name := truncate(nonEmpty(t.fr.S(c.NameID), c.Value), maxChoiceName)
			ch := &discordgo.ApplicationCommandOptionChoice{Name: name, Value: c.Value}
			if opt.Type == discordgo.ApplicationCommandOptionInteger {
				n, err := strconv.Atoi(c.Value)
				if err != nil {
					continue
				}
				ch.Value = n
			}
			if en := truncate(nonEmpty(t.en.S(c.NameID), c.Value), maxChoiceName); en != name {
				ch.NameLocalizations = map[discordgo.Locale]string{discordgo.EnglishUS: en, discordgo.EnglishGB: en}
			}
			opt.Choices = append(opt.Choices, ch)
		}
		switch opt.Type {
		case discordgo.ApplicationCommandOptionString:
			if o.MaxLength > 0 {
				opt.MaxLength = min(o.MaxLength, 6000)
			}
		case discordgo.ApplicationCommandOptionInteger:
			if o.Max > o.Min {
				lo := float64(o.Min)
				opt.MinValue, opt.MaxValue = &lo, float64(o.Max)
			}
		}
		out = append(out, opt)
	}
	// Discord wants required options first.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Required && !out[j].Required })
	return out
}

func optionType(t commands.OptionType) discordgo.ApplicationCommandOptionType {
	switch t {
	case commands.OptionInteger:
		return discordgo.ApplicationCommandOptionInteger
	case commands.OptionBoolean:
		return discordgo.ApplicationCommandOptionBoolean
	case commands.OptionUser:
		return discordgo.ApplicationCommandOptionUser
	case commands.OptionAttachment:
		return discordgo.ApplicationCommandOptionAttachment
	default:
		return discordgo.ApplicationCommandOptionString
	}
}

// PublishCommands makes Discord's command list match the registry. It reads
// what Discord has first and writes only when something differs, so a
// restart costs no write and no rate limit.
func (a *Adapter) PublishCommands(ctx context.Context) error {
	appID, err := a.applicationID(ctx)
	if err != nil {
		return err
	}
	want := ApplicationCommands(a.rt.Registry())
	endpoint := discordgo.EndpointApplicationGlobalCommands(appID)
	if a.cfg.GuildID != "" {
		endpoint = discordgo.EndpointApplicationGuildCommands(appID, a.cfg.GuildID)
	}
	var have []byte
	err = a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		// Without with_localizations Discord returns only the caller's locale.
		have, err = a.s.RequestWithBucketID("GET", endpoint+"?with_localizations=true", nil, endpoint, opts...)
		return err
	})
	if err != nil {
		return a.wrap("list the published commands", err)
	}
	same, err := sameCommands(want, have)
	if err != nil {
		return fmt.Errorf("compare the published commands: %w", err)
	}
	if same {
		a.log.Info("Discord commands are up to date", "count", len(want))
		return nil
	}
	err = a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		_, err := a.s.ApplicationCommandBulkOverwrite(appID, a.cfg.GuildID, want, opts...)
		return err
	})
	if err != nil {
		return a.wrap("publish the commands", err)
	}
	a.log.Info("published the Discord commands", "count", len(want), "guild", a.cfg.GuildID)
	return nil
}

func (a *Adapter) applicationID(ctx context.Context) (string, error) {
	var body []byte
	endpoint := discordgo.EndpointOAuth2Application("@me")
	err := a.idempotent(ctx, func(opts ...discordgo.RequestOption) error {
		var err error
		body, err = a.s.RequestWithBucketID("GET", endpoint, nil, endpoint, opts...)
		return err
	})
	if err != nil {
		return "", a.wrap("read the Discord application", err)
	}
	var app struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &app); err != nil || app.ID == "" {
		return "", fmt.Errorf("read the Discord application: unexpected answer")
	}
	return app.ID, nil
}

// sameCommands compares the commands Agora wants with Discord's list,
// ignoring what Discord adds (IDs, versions, defaults) and the order of
// commands.
func sameCommands(want []*discordgo.ApplicationCommand, have []byte) (bool, error) {
	wb, err := json.Marshal(want)
	if err != nil {
		return false, err
	}
	var w, h []any
	if err := json.Unmarshal(wb, &w); err != nil {
		return false, err
	}
	if err := json.Unmarshal(have, &h); err != nil {
		return false, err
	}
	return reflect.DeepEqual(normalizeCommands(w), normalizeCommands(h)), nil
}

var serverFields = map[string]bool{
	"id": true, "application_id": true, "guild_id": true, "version": true, "name_localized": true,
	"description_localized": true, "dm_permission": true, "nsfw": true, "contexts": true,
	"integration_types": true, "handler": true,
}

func normalizeCommands(list []any) []any {
	out := make([]any, 0, len(list))
	for _, c := range list {
		m, ok := c.(map[string]any)
		if !ok {
			continue
		}
		for k := range serverFields {
			delete(m, k)
		}
		out = append(out, prune(m))
	}
	sort.Slice(out, func(i, j int) bool {
		return fmt.Sprint(out[i].(map[string]any)["name"]) < fmt.Sprint(out[j].(map[string]any)["name"])
	})
	return out
}

// prune drops empty values, which Discord and discordgo write differently
// (absent, null, false, "", {} or []).
func prune(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			x = prune(x)
			if isEmpty(x) {
				delete(v, k)
			} else {
				v[k] = x
			}
		}
		return v
	case []any:
		for i := range v {
			v[i] = prune(v[i])
		}
		return v
	}
	return v
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case string:
		return v == ""
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}
