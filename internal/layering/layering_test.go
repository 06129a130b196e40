// Package layering holds the test that keeps Agora's layers apart: it reads
// the imports of every package in the repository and fails when one
// reaches where it must not.
package layering

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/agora-community/agora"

// rule forbids packages matching from to depend, directly or through other
// packages of the repository, on packages matching to; a direct rule only
// looks at direct imports (main may build an adapter that uses discordgo,
// but may not use discordgo itself).
type rule struct {
	why      string
	from, to func(pkg string) bool
	direct   bool
}

func under(prefix string) func(string) bool {
	return func(pkg string) bool { return pkg == prefix || strings.HasPrefix(pkg, prefix+"/") }
}

func anyOf(fs ...func(string) bool) func(string) bool {
	return func(pkg string) bool {
		for _, f := range fs {
			if f(pkg) {
				return true
			}
		}
		return false
	}
}

func except(f, but func(string) bool) func(string) bool {
	return func(pkg string) bool { return f(pkg) && !but(pkg) }
}

var (
	commandsPkgs = under(module + "/commands")
	botPkgs      = under(module + "/bot")
	storagePkgs  = under(module + "/storage")
	modelPkg     = under(module + "/model")
	discordPkgs  = under(module + "/bot/discord")
	telegramPkgs = under(module + "/bot/telegram")
	consolePkgs  = under(module + "/bot/console")
	discordgo    = under("github.com/bwmarrin/discordgo")
	tgbotapi     = under("github.com/go-telegram-bot-api/telegram-bot-api/v5")
	sqlPkgs      = anyOf(under("github.com/jmoiron/sqlx"), under("github.com/lib/pq"), under("modernc.org/sqlite"),
		under("github.com/pressly/goose/v3"), under("database/sql"))
)

var rules = []rule{
	{"capabilities are platform-neutral: they never see the runtime or an adapter", commandsPkgs, botPkgs, false},
	{"capabilities take their own narrow store interface, never the concrete store (plain data comes from model)", commandsPkgs, storagePkgs, false},
	{"capabilities never compile in a database driver", commandsPkgs, sqlPkgs, false},
	{"storage is below everything: it never imports the runtime or a capability", storagePkgs, anyOf(botPkgs, commandsPkgs), false},
	{"model is a leaf of plain data", modelPkg, anyOf(botPkgs, commandsPkgs, storagePkgs, sqlPkgs), false},
	{"the Discord adapter never imports another adapter", discordPkgs, anyOf(telegramPkgs, consolePkgs), false},
	{"the Telegram adapter never imports another adapter", telegramPkgs, anyOf(discordPkgs, consolePkgs), false},
	{"the console never imports another adapter", consolePkgs, anyOf(discordPkgs, telegramPkgs), false},
	{"SQL lives in storage: no other package talks to the database", except(under(module), storagePkgs), sqlPkgs, true},
	{"discordgo types stay inside bot/discord", except(under(module), discordPkgs), discordgo, true},
	{"telegram-bot-api types stay inside bot/telegram", except(under(module), telegramPkgs), tgbotapi, true},
}

// graph maps each package to its direct imports (non-test files only:
// tests may reach further, to build real fixtures).
type graph map[string][]string

// violations lists, for every rule, the packages that reach a forbidden
// one, with the path of imports that gets there.
func (g graph) violations(rules []rule) []string {
	var out []string
	pkgs := make([]string, 0, len(g))
	for p := range g {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, r := range rules {
		for _, p := range pkgs {
			if !r.from(p) {
				continue
			}
			if path := g.reach(p, r.to, r.direct); path != nil {
				out = append(out, r.why+": "+strings.Join(path, " → "))
			}
		}
	}
	return out
}

// reach finds a path of imports from pkg to a package matching target,
// following the repository's own packages.
func (g graph) reach(pkg string, target func(string) bool, direct bool) []string {
	seen := map[string]bool{pkg: true}
	var walk func(p string, path []string) []string
	walk = func(p string, path []string) []string {
		for _, imp := range g[p] {
			if target(imp) {
				return append(append([]string(nil), path...), imp)
			}
			if direct || seen[imp] || !strings.HasPrefix(imp, module) {
				continue
			}
			seen[imp] = true
			if found := walk(imp, append(path, imp)); found != nil {
				return found
			}
		}
		return nil
	}
	return walk(pkg, []string{pkg})
}

// load reads the imports of every package of the repository.
func load(t *testing.T, root string) graph {
	t.Helper()
	g := graph{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := module
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		for _, imp := range f.Imports {
			g[pkg] = append(g[pkg], strings.Trim(imp.Path.Value, `"`))
		}
		if _, ok := g[pkg]; !ok {
			g[pkg] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestLayering(t *testing.T) {
	g := load(t, filepath.Join("..", ".."))
	for _, p := range []string{module + "/commands/polls", module + "/storage", module + "/bot/telegram"} {
		if _, ok := g[p]; !ok {
			t.Fatalf("package %s not found: the test reads the wrong folder", p)
		}
	}
	for _, v := range g.violations(rules) {
		t.Error(v)
	}
}

// The checker itself must catch what it is for, directly and through
// another package.
func TestLayeringCatchesViolations(t *testing.T) {
	bad := graph{
		module + "/commands/meetups": {module + "/commands/util"},
		module + "/commands/util":    {module + "/storage"},
		module + "/storage":          {module + "/bot"},
		module + "/bot/discord":      {module + "/bot/telegram", "github.com/bwmarrin/discordgo"},
		module + "/bot":              {"github.com/bwmarrin/discordgo"},
	}
	got := strings.Join(bad.violations(rules), "\n")
	for _, want := range []string{
		"commands/meetups → " + module + "/commands/util → " + module + "/storage",
		"storage → " + module + "/bot",
		"bot/discord → " + module + "/bot/telegram",
		"discordgo types stay inside bot/discord: " + module + "/bot → github.com/bwmarrin/discordgo",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("violations lack %q; got:\n%s", want, got)
		}
	}
}
