package all_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// User-visible sentences live only in locales/. This test reads the source
// of commands/ and bot/ and fails on a string literal with letters used as
// markup, as a reply, or as a button, menu or form text.
func TestNoSentenceOutsideLocales(t *testing.T) {
	textFields := map[string]bool{"Text": true, "Label": true, "Placeholder": true, "Title": true}
	replyFuncs := map[string]bool{"Reply": true, "Private": true}
	fset := token.NewFileSet()
	for _, root := range []string{"../../commands", "../../bot"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			// Test doubles speak for Discord and Telegram, not for Agora.
			if strings.Contains(path, "discordtest") || strings.Contains(path, "telegramtest") || strings.Contains(path, "consoletest") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					name := calleeName(n.Fun)
					if name == "Text" || replyFuncs[name] {
						for _, arg := range n.Args {
							if s, ok := wordy(arg); ok {
								t.Errorf("%s: %s(%q): put the sentence in locales/", fset.Position(n.Pos()), name, s)
							}
						}
					}
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); ok && textFields[k.Name] {
						if s, ok := wordy(n.Value); ok {
							t.Errorf("%s: %s: %q: put the sentence in locales/", fset.Position(n.Pos()), k.Name, s)
						}
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func calleeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// wordy reports a string literal holding two letters in a row: a word, not
// a separator or a symbol.
func wordy(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return "", false
	}
	run := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			run++
			if run >= 2 {
				return s, true
			}
		} else {
			run = 0
		}
	}
	return "", false
}
