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
	consoletest.Contains(t, out, "réservée aux modérateur·rices")
	if strings.Contains(out, "/communaute :") {
		t.Errorf("a member's /aide lists a moderator command:\n%s", out)
	}
	out = env.Run(t, `:role moderateur
/aide`)
	consoletest.Contains(t, out, "/communaute : Réglages de la communauté", "/communaute salon")
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
		"Ce salon sert désormais aux annonces.",
		"La communauté s'appelle désormais Coop *Lyon*.",
		"Fuseau horaire : America/Montreal. Il est lundi 7 décembre à 4h00.",
		"Je ne connais pas le fuseau « Mars/Olympus »",
		"Langue par défaut de la communauté : anglais.",
		"Coop *Lyon* : langue anglais, fuseau America/Montreal",
		"console · general : annonces",
		"This chat is now for moderation.",
		"The option purpose accepts: general, announcements, moderation, ambassadors.")
}
