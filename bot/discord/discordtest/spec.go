package discordtest

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// discordOpenAPI is Discord's OpenAPI v10 document, copied byte for byte
// from upstream (see testdata/README.md). It is embedded so the double works
// from any working directory and in any clone of the repository.
//
//go:embed testdata/discord-openapi.json
var discordOpenAPI []byte

// specResource is the URL under which the spec document is registered with
// the compiler; $refs inside it ("#/components/...") resolve against it.
const specResource = "file:///discord-openapi.json"

// spec is a compiled view of Discord's OpenAPI document. Compiling the whole
// document is wasteful, so request-body schemas are compiled lazily, one per
// route, and kept for every later server in the test binary.
type spec struct {
	doc      map[string]any
	compiler *jsonschema.Compiler

	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema // "METHOD path" -> schema; nil = no body schema
}

var specCache struct {
	sync.Mutex
	byPath map[string]*specResult
}

type specResult struct {
	once sync.Once
	spec *spec
	err  error
}

// loadSpec parses a spec once per path for the whole test binary: the file
// is over a megabyte and many tests start servers. An empty path is the
// embedded document.
func loadSpec(path string) (*spec, error) {
	specCache.Lock()
	if specCache.byPath == nil {
		specCache.byPath = map[string]*specResult{}
	}
	r, ok := specCache.byPath[path]
	if !ok {
		r = &specResult{}
		specCache.byPath[path] = r
	}
	specCache.Unlock()
	r.once.Do(func() {
		raw, name := discordOpenAPI, "embedded discord-openapi.json"
		if path != "" {
			var err error
			if raw, err = os.ReadFile(path); err != nil {
				r.err = fmt.Errorf("read spec: %w", err)
				return
			}
			name = path
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			r.err = fmt.Errorf("parse %s: %w", name, err)
			return
		}
		m, ok := doc.(map[string]any)
		if !ok {
			r.err = fmt.Errorf("%s: not a JSON object", name)
			return
		}
		acceptNumericStrings(doc)
		c := jsonschema.NewCompiler()
		// OpenAPI 3.1 schemas are JSON Schema 2020-12 (type arrays for
		// nullability, const, ...), so draft 2020 is the right dialect.
		c.DefaultDraft(jsonschema.Draft2020)
		if err := c.AddResource(specResource, doc); err != nil {
			r.err = err
			return
		}
		r.spec = &spec{doc: m, compiler: c, compiled: map[string]*jsonschema.Schema{}}
	})
	return r.spec, r.err
}

func jsonPointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// schemaFor returns the JSON request-body schema of an operation, or nil when
// the spec declares no body for it.
func (s *spec) schemaFor(method, specPath string) (*jsonschema.Schema, error) {
	key := method + " " + specPath
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.compiled[key]; ok {
		return sch, nil
	}
	var sch *jsonschema.Schema
	paths, _ := s.doc["paths"].(map[string]any)
	item, _ := paths[specPath].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	body, _ := op["requestBody"].(map[string]any)
	content, _ := body["content"].(map[string]any)
	if _, ok := content["application/json"]; ok {
		loc := specResource + "#/paths/" + jsonPointerEscape(specPath) + "/" + strings.ToLower(method) +
			"/requestBody/content/application~1json/schema"
		var err error
		sch, err = s.compiler.Compile(loc)
		if err != nil {
			return nil, err
		}
	}
	s.compiled[key] = sch
	return sch, nil
}

// validateComponent checks a decoded JSON value against one of the spec's
// component schemas, for objects the double itself sends.
func (s *spec) validateComponent(name string, v any) error {
	key := "schema " + name
	s.mu.Lock()
	sch, ok := s.compiled[key]
	if !ok {
		var err error
		if sch, err = s.compiler.Compile(specResource + "#/components/schemas/" + jsonPointerEscape(name)); err != nil {
			s.mu.Unlock()
			return err
		}
		s.compiled[key] = sch
	}
	s.mu.Unlock()
	return sch.Validate(v)
}

// fieldError is one entry of Discord's "errors" tree.
type fieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// validate checks a decoded JSON body and, when it does not match, returns
// the nested "errors" object of Discord's 50035 answer.
func (s *spec) validate(method, specPath string, body any) (map[string]any, error) {
	sch, err := s.schemaFor(method, specPath)
	if err != nil || sch == nil {
		return nil, err
	}
	verr := sch.Validate(body)
	if verr == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(verr, &ve) {
		return nil, verr
	}
	tree := map[string]any{}
	for _, leaf := range expandRequired(bestLeaves(ve)) {
		addFieldError(tree, leaf.InstanceLocation, describe(leaf))
	}
	return tree, nil
}

// bestLeaves picks the errors worth reporting. For oneOf/anyOf every branch
// fails, and most fail only on their discriminator ("type" const); the branch
// whose errors reach deepest into the value is the one the caller meant.
func bestLeaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		var best []*jsonschema.ValidationError
		bestDepth := -1
		for _, c := range e.Causes {
			leaves := bestLeaves(c)
			d := 0
			for _, l := range leaves {
				if len(l.InstanceLocation) > d {
					d = len(l.InstanceLocation)
				}
			}
			if d > bestDepth {
				best, bestDepth = leaves, d
			} else if d == bestDepth {
				best = append(best, leaves...)
			}
		}
		return best
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, bestLeaves(c)...)
	}
	return out
}

// describe maps a JSON Schema failure to the code Discord uses for it.
func describe(e *jsonschema.ValidationError) fieldError {
	switch k := e.ErrorKind.(type) {
	case *kind.MaxLength:
		return fieldError{"BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", k.Want)}
	case *kind.MinLength:
		return fieldError{"BASE_TYPE_MIN_LENGTH", fmt.Sprintf("Must be %d or more in length.", k.Want)}
	case *kind.MaxItems:
		return fieldError{"BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", k.Want)}
	case *kind.MinItems:
		return fieldError{"BASE_TYPE_MIN_LENGTH", fmt.Sprintf("Must be %d or more in length.", k.Want)}
	case *kind.Required:
		return fieldError{"BASE_TYPE_REQUIRED", "This field is required"}
	case *kind.Enum, *kind.Const:
		return fieldError{"BASE_TYPE_CHOICES", "Value must be one of the allowed choices."}
	case *kind.Maximum:
		return fieldError{"NUMBER_TYPE_MAX", fmt.Sprintf("int value should be less than or equal to %v.", k.Want)}
	case *kind.Minimum:
		return fieldError{"NUMBER_TYPE_MIN", fmt.Sprintf("int value should be greater than or equal to %v.", k.Want)}
	case *kind.Type:
		want := strings.Join(k.Want, " or ")
		switch {
		case strings.Contains(want, "integer") || strings.Contains(want, "number"):
			return fieldError{"NUMBER_TYPE_COERCE", fmt.Sprintf("Value \"%v\" is not int.", k.Got)}
		case strings.Contains(want, "string"):
			return fieldError{"STRING_TYPE_CONVERT", "Could not interpret value as string."}
		case strings.Contains(want, "array"):
			return fieldError{"LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"}
		case strings.Contains(want, "object"):
			return fieldError{"DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"}
		case strings.Contains(want, "boolean"):
			return fieldError{"BOOLEAN_TYPE_CONVERT", "Must be either true or false."}
		}
	}
	return fieldError{"BASE_TYPE_INVALID", strings.TrimSpace(fmt.Sprint(e.ErrorKind))}
}

// addFieldError nests err under its value path the way Discord does:
// {"embeds":{"0":{"title":{"_errors":[...]}}}}. A required-property failure is
// reported on the missing property itself.
func addFieldError(tree map[string]any, loc []string, err fieldError) {
	node := tree
	for _, p := range loc {
		next, ok := node[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			node[p] = next
		}
		node = next
	}
	list, _ := node["_errors"].([]fieldError)
	for _, have := range list {
		if have == err {
			return
		}
	}
	node["_errors"] = append(list, err)
}

// expandRequired expands a Required failure into one entry per missing key,
// since Discord reports each missing field at its own path.
func expandRequired(leaves []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	out := leaves[:0:0]
	for _, l := range leaves {
		if r, ok := l.ErrorKind.(*kind.Required); ok {
			props := append([]string(nil), r.Missing...)
			sort.Strings(props)
			for _, p := range props {
				c := *l
				c.InstanceLocation = append(append([]string(nil), l.InstanceLocation...), p)
				out = append(out, &c)
			}
			continue
		}
		out = append(out, l)
	}
	return out
}

// acceptNumericStrings lets integer fields also take decimal strings. The
// spec types permission bit sets and similar 53-bit values as integers, but
// Discord serializes them as strings and coerces numeric strings on input
// (discordgo sends default_member_permissions as "8589934592"). Fields with a
// const or enum, such as discriminators, stay strict.
func acceptNumericStrings(node any) {
	switch n := node.(type) {
	case map[string]any:
		_, hasConst := n["const"]
		_, hasEnum := n["enum"]
		_, hasPattern := n["pattern"]
		if !hasConst && !hasEnum && !hasPattern {
			switch t := n["type"].(type) {
			case string:
				if t == "integer" {
					n["type"] = []any{"integer", "string"}
					n["pattern"] = "^-?[0-9]+$"
				}
			case []any:
				for _, x := range t {
					if x == "integer" {
						n["type"] = append(t, "string")
						n["pattern"] = "^-?[0-9]+$"
						break
					}
				}
			}
		}
		for _, v := range n {
			acceptNumericStrings(v)
		}
	case []any:
		for _, v := range n {
			acceptNumericStrings(v)
		}
	}
}
