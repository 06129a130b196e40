package community_test

import (
	"strings"
	"testing"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

func TestOnlyModeratorsChangeSettings(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `/communaute salon objectif:annonces
/aide`)
	consoletest.Contains(t, out, "Il faut être modérateur·rice pour utiliser cette commande.")
	if strings.Contains(out, "/communaute\u00a0:") {
		t.Errorf("a member's /aide lists a moderator command:\n%s", out)
	}
	out = env.Run(t, `:role moderateur
/aide`)
	consoletest.Contains(t, out, "/communaute\u00a0: Réglages de la communauté", "/communaute salon")
}

func TestModeratorConfiguresTheCommunity(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `:role moderateur
/communaute salon objectif:annonces
/communaute nom « Coop *Lyon* »
/communaute fuseau America/Montreal
/communaute fuseau Mars/Olympus
/communaute langue langue:en
/communaute info
:langue en
/community channel purpose:moderation
/communaute salon objectif:cuisine`)
	consoletest.Contains(t, out,
		"Objectif de ce salon\u00a0: annonces.",
		"La communauté s'appelle désormais Coop *Lyon*.",
		"Fuseau horaire\u00a0: America/Montreal. Il est lundi 7 décembre à 4h00.",
		"Je ne connais pas le fuseau «\u00a0Mars/Olympus\u00a0»",
		// Said in the language the community now speaks.
		"The community's default language is now English.",
		"Coop *Lyon* — langue\u00a0: anglais, fuseau horaire\u00a0: America/Montreal",
		// Settings as members read them: durations in words, a word for
		// what is not set, labels capitalized.
		"• Rappels des rencontres (avant le début)\u00a0: 24 heures, 1 heure\n",
		"• Adresse publique d'Agora (liens d'agenda)\u00a0: aucune\n",
		"• Rôle Discord des ambassadeur·rices\u00a0: aucun\n",
		"console · general\u00a0: annonces",
		"This chat is now for moderation.",
		"The option purpose accepts: general, announcements, moderation, ambassadors.")
}

// Public replies are read by the whole chat: they speak the community's
// language, not the language of the moderator who asked.
func TestPublicRepliesSpeakTheCommunitysLanguage(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `:role moderateur
:langue en
/community name "Coop Lyon"
/community channel purpose:announcements
/community timezone America/Montreal
:langue fr
/communaute langue en
/communaute nom Coops
/communaute fuseau Europe/Paris
/communaute salon objectif:general`)
	consoletest.Contains(t, out,
		"> camille: /community name \"Coop Lyon\"\n[#1] La communauté s'appelle désormais Coop Lyon.",
		"> camille: /community channel purpose:announcements\n[#2] Objectif de ce salon\u00a0: annonces.",
		"> camille: /community timezone America/Montreal\n[#3] Fuseau horaire\u00a0: America/Montreal. Il est lundi 7 décembre à 4h00.",
		"> camille: /communaute langue en\n[#4] The community's default language is now English.",
		"> camille: /communaute nom Coops\n[#5] The community is now called Coops.",
		"> camille: /communaute fuseau Europe/Paris\n[#6] Time zone: Europe/Paris. It is Monday 7 December at 10:00 am.",
		"> camille: /communaute salon objectif:general\n[#7] This chat is now for general.",
	)
}
