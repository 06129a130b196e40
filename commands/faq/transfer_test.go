package faq_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/storage"
)

// cli runs "agora faq ARGS" as the command line does and returns what it
// printed and its error.
func cli(t *testing.T, env *consoletest.Env, args ...string) (string, error) {
	t.Helper()
	tool, ok := env.Runtime.CLI("faq")
	if !ok {
		t.Fatal("no faq command-line tool installed")
	}
	var out bytes.Buffer
	err := tool.Run(context.Background(), args, &out, env.Runtime.Localizer(nil))
	return out.String(), err
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestExportImportRoundTripOnTheCommandLine(t *testing.T) {
	env := consoletest.New(t)
	env.Run(t, fourEntries+`
:role moderateur
/faqgestion modifier entree:1 langue:en question:"How do I join?" reponse:"Fill in the *form*."
`)
	ctx := context.Background()
	_, community, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: "console", GroupID: "console", ChatID: "general"},
		storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(community.ID, 10)
	dir := t.TempDir()
	first := filepath.Join(dir, "faq.yaml")

	out, err := cli(t, env, "export", first, "--community", id)
	if err != nil || !strings.Contains(out, "4 entrées de la FAQ de «\u00a0general\u00a0» exportées dans "+first) {
		t.Fatalf("export: %q, %v", out, err)
	}
	file := read(t, first)
	for _, want := range []string{
		"# FAQ de la communauté «\u00a0general\u00a0»\u00a0: 4 entrées, exportée le lundi 7 décembre à 10h00.",
		"(mise en forme\u00a0: *gras*, _italique_, `code`)",
		"- id: 1\n  question: Comment devenir membre de la coopérative ?\n  formulations:\n    - Comment adhérer ?\n",
		"  tags: [adhésion, inscription]\n",
		"  en:\n    question: How do I join?\n    reponse: Fill in the *form*.\n",
		"- id: 4\n  question: Où se trouve le local ?\n",
	} {
		if !strings.Contains(file, want) {
			t.Fatalf("the export lacks %q:\n%s", want, file)
		}
	}

	// Importing the export changes nothing, and exporting again gives the same file.
	out, err = cli(t, env, "import", first, "--community="+id)
	if err != nil || !strings.Contains(out, "Import terminé\u00a0: 0 ajoutée, 0 modifiée, 4 inchangées.") {
		t.Fatalf("import of the export: %q, %v", out, err)
	}
	second := filepath.Join(dir, "again.yaml")
	if _, err := cli(t, env, "exporter", second, "--community", id); err != nil {
		t.Fatal(err)
	}
	if again := read(t, second); again != file {
		t.Fatalf("export after import differs:\n%s\n---\n%s", file, again)
	}

	// An edited file: one answer changed, one entry added with a long answer.
	edited := strings.Replace(file, "reponse: Une part vaut 20 €.", "reponse: Une part vaut 25 €.", 1) + `- question: Quels sont les horaires ?
  tags: [horaires]
  reponse: |
    Du mardi au samedi :
    - 9h à 13h ;
    - 15h à 19h.
`
	write(t, first, edited)
	out, err = cli(t, env, "import", first, "--community", id)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Import terminé\u00a0: 1 ajoutée, 1 modifiée, 3 inchangées.",
		"+ n°\u00a05 (ligne 27)\u00a0: «\u00a0Quels sont les horaires ?\u00a0»",
		"~ n°\u00a02 (ligne 16)\u00a0: «\u00a0Combien coûte une part sociale ?\u00a0»",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("report lacks %q:\n%s\nfile:\n%s", want, out, edited)
		}
	}
	// Every process rebuilds its index: members get the new entry at once.
	transcript := env.Run(t, `
:role membre
/faq quels horaires ?
/faq le prix d'une part
`)
	consoletest.Contains(t, transcript,
		"❓ Quels sont les horaires ?\n    Du mardi au samedi :\n    - 9h à 13h ;\n    - 15h à 19h.",
		"❓ Combien coûte une part sociale ?\n    Une part vaut 25 €.",
	)

	// The same file in another community adds everything once; again, nothing.
	_, other, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: "telegram", ChatID: "-100"},
		storage.CommunityDefaults{Locale: "fr", Timezone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	otherID := strconv.FormatInt(other.ID, 10)
	out, err = cli(t, env, "import", first, "--community", otherID)
	if err != nil || !strings.Contains(out, "Import terminé\u00a0: 5 ajoutées, 0 modifiée, 0 inchangée.") {
		t.Fatalf("import into another community: %q, %v", out, err)
	}
	out, err = cli(t, env, "import", first, "--community", otherID)
	if err != nil || !strings.Contains(out, "Import terminé\u00a0: 0 ajoutée, 0 modifiée, 5 inchangées.") {
		t.Fatalf("second import into another community: %q, %v", out, err)
	}

	// A refused file says why, line by line, and changes nothing.
	bad := filepath.Join(dir, "bad.yaml")
	write(t, bad, `- question: Comment adhérer à la coopérative ?
  reponse: Nouveau.
- question: comment adhérer à la COOPÉRATIVE
  reponse: Doublon.
- id: 2
  question: Combien coûte une part sociale ?
  reponse: 30 €.
  couleur: rouge
`)
	out, err = cli(t, env, "import", bad, "--community", id)
	if err == nil || err.Error() != "import refusé" {
		t.Fatalf("refused import: error %v", err)
	}
	for _, want := range []string{
		"Import refusé, la FAQ n'a pas changé. 2 problèmes\u00a0:",
		"ligne 8\u00a0: champ inconnu «\u00a0couleur\u00a0»",
		"ligne 3\u00a0: la question «\u00a0comment adhérer à la COOPÉRATIVE\u00a0» est déjà posée ligne 1.",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("report lacks %q:\n%s", want, out)
		}
	}
	third := filepath.Join(dir, "third.yaml")
	if _, err := cli(t, env, "export", third, "--community", id); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(read(t, third), "Une part vaut 25 €.") {
		t.Fatal("a refused import changed the FAQ")
	}

	for _, args := range [][]string{
		{},
		{"export", first},
		{"export", "--community", id},
		{"effacer", first, "--community", id},
		{"export", first, "--community", "x"},
		{"import", first, "other", "--community", id},
	} {
		if _, err := cli(t, env, args...); err == nil || !strings.HasPrefix(err.Error(), "usage\u00a0: agora faq export FICHIER --community N") {
			t.Errorf("agora faq %v: %v, want the usage", args, err)
		}
	}
	if _, err := cli(t, env, "export", first, "--community", "999"); err == nil || err.Error() != "aucune communauté n°\u00a0999" {
		t.Errorf("unknown community: %v", err)
	}
	if _, err := cli(t, env, "import", filepath.Join(dir, "absent.yaml"), "--community", id); err == nil || !strings.HasPrefix(err.Error(), "lecture de ") {
		t.Errorf("missing file: %v", err)
	}
}

func TestExportAndImportInChat(t *testing.T) {
	env := consoletest.New(t)
	out := env.Run(t, fourEntries+`
:role moderateur
/faqgestion exporter
/faqgestion importer
:formulaire yaml="[{question: Où se garer, reponse: Rue Basse.}, {id: 2, question: 'Combien coûte une part sociale ?', reponse: 25 €}]"
/faqgestion importer
:formulaire yaml="[{question: Où se garer, reponse: Ailleurs.}, {question: où se GARER, reponse: Doublon.}, {question: Sans réponse}]"
/faqgestion importer
:formulaire yaml="- question: [oups"
:role membre
/faq où se garer ?
/faqgestion importer
`)
	consoletest.Contains(t, out,
		"> camille: /faqgestion exporter", "Voici la FAQ : 4 entrées.", "fichier joint : faq.yaml (",
		"> camille: /faqgestion importer",
		"Collez le contenu du fichier YAML (4\u202f000 caractères au plus ; au-delà, utilisez agora faq import sur le serveur).",
		"Formulaire « Importer une FAQ (YAML) »", "yaml: Contenu du fichier YAML",
		"Import terminé : 1 ajoutée, 1 modifiée, 0 inchangée.",
		"+ n° 5 (ligne 1) : « Où se garer »", "~ n° 2 (ligne 1) : « Combien coûte une part sociale ? »",
		"Import refusé, la FAQ n'a pas changé. 2 problèmes :",
		"ligne 1 : Il manque la réponse.",
		"ligne 1 : la question « où se GARER » est déjà posée ligne 1.",
		"Import refusé, la FAQ n'a pas changé. 1 problème :", "ligne 1 : le YAML est mal formé",
		"> camille: /faq où se garer ?", "❓ Où se garer\n    Rue Basse.",
		"> camille: /faqgestion importer", "Il faut être modérateur·rice pour utiliser cette commande.",
	)
}

// A moderator sends the FAQ as a file with the command, as on Discord or
// Telegram: the whole file is imported, beyond what a form field holds.
func TestImportAnAttachedFileInChat(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "faq.yaml")
	long := strings.Repeat("Une réponse détaillée. ", 100)
	yaml := "- question: Où se garer\n  reponse: " + long + "\n- id: 2\n  question: 'Combien coûte une part sociale ?'\n  reponse: 25 €\n" +
		"# " + strings.Repeat("commentaire ", 200) + "\n" // more than a form field holds
	if err := os.WriteFile(good, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "oups.yaml")
	if err := os.WriteFile(bad, []byte("- question: [oups"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := consoletest.New(t)
	out := env.Run(t, fourEntries+`
:role moderateur
/faqgestion exporter
:fichier `+good+`
/faqgestion importer
:fichier `+bad+`
/faqgestion importer fichier:oups.yaml
/faqgestion importer
:role membre
/faq où se garer ?
`)
	consoletest.Contains(t, out,
		"Voici la FAQ : 4 entrées.", "fichier joint : faq.yaml (",
		"fichier prêt : faq.yaml (",
		"Import terminé : 1 ajoutée, 1 modifiée, 0 inchangée.",
		"+ n° 5 (ligne 1) : « Où se garer »", "~ n° 2 (ligne 3) : « Combien coûte une part sociale ? »",
		"Import refusé, la FAQ n'a pas changé. 1 problème :", "ligne 1 : le YAML est mal formé",
		// Without a file, the form as before.
		"Formulaire « Importer une FAQ (YAML) »",
		"> camille: /faq où se garer ?", "❓ Où se garer\n    Une réponse détaillée.",
	)
}
