package polls_test

import (
	"testing"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }

func TestScratch(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, `
/aide
:chat annonces
/aide
:chat general
/sondage creer question:"Quel jour ?" choix:"Samedi | Dimanche | *Lundi*" fin:"samedi 18h30" quorum:3
:bouton 1
:user alex
:bouton 2
:bouton 1
:avance 3s
/sondage resultats 1
:avance 6j
`)
	t.Log(out)
}
