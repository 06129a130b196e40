package telegram

import (
	"context"
	"fmt"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
)

// maxMenu is Telegram's limit on a command list.
const maxMenu = 100

// defaultMenuLanguage is the reference language, published without a
// language code so every client without its own list sees it.
const defaultMenuLanguage = "fr"

type botCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// publishMenus sets the command menus from the registry: French as the
// default (no language code), English for English-speaking clients, and in
// each the moderators' commands only for chat administrators, who get
// every command. Subcommands appear as "sondage_creer"; typing
// "/sondage creer" works as well.
func (a *Adapter) publishMenus(ctx context.Context) error {
	for _, lang := range locales.Supported {
		members, admins := a.menus(lang)
		code := lang
		if lang == defaultMenuLanguage {
			code = "" // the list for every client language without its own
		}
		for _, m := range []struct {
			scope    tgbotapi.BotCommandScope
			commands []botCommand
		}{
			{tgbotapi.NewBotCommandScopeDefault(), members},
			{tgbotapi.NewBotCommandScopeAllChatAdministrators(), admins},
		} {
			params := tgbotapi.Params{"commands": mustJSON(m.commands), "scope": mustJSON(m.scope)}
			if code != "" {
				params["language_code"] = code
			}
			if _, err := a.request(ctx, "setMyCommands", 0, idempotent, params); err != nil {
				return fmt.Errorf("publish %s commands for scope %s: %w", lang, m.scope.Type, err)
			}
		}
	}
	return nil
}

// menus lists the commands in a language: those below moderator for
// everyone, all of them for administrators.
func (a *Adapter) menus(lang string) (members, admins []botCommand) {
	l := a.rt.Registry().Catalog().Localizer(nil, lang)
	add := func(name, descID string, perm commands.Role) {
		n := commandName(name)
		if n == "" {
			a.log.Error("command has no name Telegram accepts; left out of the menu", "name", name, "lang", lang)
			return
		}
		desc, _ := truncatePlain(l.S(descID), 256)
		if desc == "" {
			desc = n
		}
		c := botCommand{Command: n, Description: desc}
		if perm < commands.RoleModerator && len(members) < maxMenu {
			members = append(members, c)
		}
		if len(admins) < maxMenu {
			admins = append(admins, c)
		}
	}
	for _, s := range a.rt.Registry().Specs() {
		name := commands.LocalName(l, s.NameID)
		if s.Handle != nil || len(s.Subcommands) == 0 {
			add(name, s.DescriptionID, s.Permission)
		}
		for _, sub := range s.Subcommands {
			add(name+"_"+commands.LocalName(l, sub.NameID), sub.DescriptionID, sub.Permission)
		}
	}
	add(l.S("conversation.cancel.name"), "conversation.cancel.description", commands.RoleMember)
	return members, admins
}
