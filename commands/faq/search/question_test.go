package search

import "testing"

func TestLooksLikeQuestion(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		// A question mark is enough, wherever it is.
		{"La livraison est gratuite ?", true},
		{"ok ?", true},
		{"¿Dónde está?", true},
		// French interrogative words and phrases.
		{"Comment voter à l'AG", true},
		{"comment je fais pour voter", true},
		{"Pourquoi c'est plus cher", true},
		{"Combien coûte une part", true},
		{"Quelle est la date de l'AG", true},
		{"Qui s'occupe des livraisons", true},
		{"Où est le local", true},
		{"ou est le local", true},
		{"Quand a lieu l'assemblée générale", true},
		{"quand est-ce qu'on est livré", true},
		{"Est-ce que je peux payer en espèces", true},
		{"est ce qu'on peut venir à deux", true},
		{"Qu'est-ce qu'une part sociale", true},
		{"c'est quoi une part sociale", true},
		{"Que faire si mon colis est abîmé", true},
		{"Y a-t-il un parking", true},
		// Inverted subject.
		{"Peut-on voter par procuration", true},
		{"Puis-je donner mon pouvoir", true},
		{"Faut-il déclarer ses parts", true},
		{"Livrez-vous à Grenoble", true},
		{"Rejoignez-nous samedi au local", false}, // "-nous" after an order
		{"Avez-vous un numéro de téléphone", true},
		{"La coop fait-elle des cartes cadeaux", true},
		// Indirect questions.
		{"Je voudrais savoir si la livraison est gratuite", true},
		{"quelqu'un sait à quelle heure ouvre le local", true},
		// After a greeting or a mention.
		{"Bonjour, comment devenir membre", true},
		{"@Agora salut, peut-on voter en ligne", true},
		{"<@123456> combien coûte la livraison", true},
		// English.
		{"How do I reset my password", true},
		{"what is a share", true},
		{"Can I vote online", true},
		{"Is there a parking", true},
		{"does anyone know when the meeting is", true},
		// Statements, orders and chatter.
		{"Merci pour la réponse", false},
		{"Contactez-nous pour toute demande", false},
		{"Inscrivez-vous avant vendredi", false},
		{"Quand je commande, ça bloque", false},
		{"Ou alors on fait ça demain", false},
		{"Que du bonheur cette rencontre", false},
		{"Do it now", false},
		{"Thanks, see you on Saturday", false},
		{"Bonjour à tous", false},
		{"", false},
		{"   ", false},
	}
	for _, tt := range tests {
		if got := LooksLikeQuestion(tt.text); got != tt.want {
			t.Errorf("LooksLikeQuestion(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
