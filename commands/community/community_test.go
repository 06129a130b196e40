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
		"Langue par défaut de la communauté\u00a0: anglais.",
		"Coop *Lyon*\u00a0: langue anglais, fuseau America/Montreal",
		"console · general\u00a0: annonces",
		"This chat is now for moderation.",
		"The option purpose accepts: general, announcements, moderation, ambassadors.")
}
