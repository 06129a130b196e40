package telegramtest

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// botAPISpec is the Bot API 10.1 description, copied byte for byte from
// upstream (see testdata/README.md). It is embedded so the double works from
// any working directory and in any clone of the repository.
//
//go:embed testdata/telegram-bot-api.json
var botAPISpec []byte

type specField struct {
	Name     string   `json:"name"`
	Types    []string `json:"types"`
	Required bool     `json:"required"`
}

type specMethod struct {
	Name   string      `json:"name"`
	Fields []specField `json:"fields"`
}

type apiSpec struct {
	Version string                `json:"version"`
	Methods map[string]specMethod `json:"methods"`
	// byLower maps a lower-cased method name to its canonical spelling,
	// because Telegram matches method names case-insensitively.
	byLower map[string]string
}

var (
	specOnce   sync.Once
	loadedSpec *apiSpec
	specErr    error
)

// legacyParams are parameters that Bot API 10.1 no longer documents but that
// Telegram still honours and tgbotapi v5.5.1 still sends. Rejecting them would
// make the double refuse every sendMessage of the real client.
var legacyParams = map[string]string{
	"reply_to_message_id":         "reply_parameters",
	"allow_sending_without_reply": "reply_parameters",
	"disable_web_page_preview":    "link_preview_options",
	"switch_pm_text":              "button",
	"switch_pm_parameter":         "button",
	"thumb":                       "thumbnail",
}

func loadSpec() (*apiSpec, error) {
	specOnce.Do(func() {
		data, name := botAPISpec, "embedded telegram-bot-api.json"
		// $TELEGRAM_BOT_API_SPEC tries the double against another version
		// of the upstream file.
		if p := os.Getenv("TELEGRAM_BOT_API_SPEC"); p != "" {
			var err error
			if data, err = os.ReadFile(p); err != nil {
				specErr = fmt.Errorf("telegramtest: read spec: %w", err)
				return
			}
			name = p
		}
		var s apiSpec
		if err := json.Unmarshal(data, &s); err != nil {
			specErr = fmt.Errorf("telegramtest: parse %s: %w", name, err)
			return
		}
		if len(s.Methods) == 0 {
			specErr = errors.New("telegramtest: spec has no methods")
			return
		}
		s.byLower = make(map[string]string, len(s.Methods))
		for name := range s.Methods {
			s.byLower[strings.ToLower(name)] = name
		}
		loadedSpec = &s
	})
	return loadedSpec, specErr
}

// validate checks incoming parameters against the method description: no
// unknown names, required ones present, and values of the declared type.
// files holds multipart file parts, which satisfy InputFile fields.
func (s *apiSpec) validate(method string, params map[string]string, files map[string]*UploadedFile) error {
	m := s.Methods[method]
	fields := make(map[string]specField, len(m.Fields))
	for _, f := range m.Fields {
		fields[f.Name] = f
	}
	for name := range files {
		if _, ok := fields[name]; ok {
			continue
		}
		if modern, ok := legacyParams[name]; ok {
			if _, ok := fields[modern]; ok {
				continue
			}
		}
		// Files may also be attached by name and referenced as attach://name.
		if !attachReferenced(params, name) {
			return badRequest("unknown parameter %q", name)
		}
	}
	for name, value := range params {
		f, ok := fields[name]
		if !ok {
			if modern, isLegacy := legacyParams[name]; isLegacy {
				if _, ok := fields[modern]; ok {
					continue
				}
			}
			return badRequest("unknown parameter %q", name)
		}
		if err := checkType(f, value); err != nil {
			return err
		}
	}
	for _, f := range m.Fields {
		if !f.Required {
			continue
		}
		if _, ok := params[f.Name]; ok {
			continue
		}
		if _, ok := files[f.Name]; ok {
			continue
		}
		switch f.Name {
		case "text":
			return badRequest("message text is empty")
		case "chat_id":
			return badRequest("chat_id is empty")
		}
		return badRequest("parameter %q is required", f.Name)
	}
	return nil
}

func attachReferenced(params map[string]string, name string) bool {
	for _, v := range params {
		if strings.Contains(v, "attach://"+name) {
			return true
		}
	}
	return false
}

func checkType(f specField, v string) error {
	var errs []string
	for _, t := range f.Types {
		err := checkOneType(t, v)
		if err == nil {
			return nil
		}
		errs = append(errs, err.Error())
	}
	if len(f.Types) == 1 && f.Types[0] != "Integer" && f.Types[0] != "Boolean" && f.Types[0] != "Float" && f.Types[0] != "String" {
		return badRequest("can't parse %s JSON object", f.Name)
	}
	return badRequest("invalid %s: %s", f.Name, strings.Join(errs, " or "))
}

func checkOneType(t, v string) error {
	switch t {
	case "String":
		return nil
	case "Integer":
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil {
			return fmt.Errorf("expected an Integer, got %q", v)
		}
		return nil
	case "Float":
		if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil {
			return fmt.Errorf("expected a Float, got %q", v)
		}
		return nil
	case "Boolean":
		if _, ok := parseBool(v); !ok {
			return fmt.Errorf("expected a Boolean, got %q", v)
		}
		return nil
	case "InputFile":
		// A file passed as a form value is a file_id, a URL or attach://name;
		// all are strings, and the handler decides whether it resolves.
		return nil
	}
	// Everything else is a JSON-serialized object or array.
	if !json.Valid([]byte(v)) {
		return fmt.Errorf("expected JSON-serialized %s", t)
	}
	trimmed := strings.TrimSpace(v)
	if trimmed == "null" {
		// tgbotapi marshals nil slices as "null"; Telegram treats it as absent.
		return nil
	}
	if strings.HasPrefix(t, "Array of") && !strings.HasPrefix(trimmed, "[") {
		return fmt.Errorf("expected a JSON array for %s", t)
	}
	if !strings.HasPrefix(t, "Array of") && !strings.HasPrefix(trimmed, "{") {
		return fmt.Errorf("expected a JSON object for %s", t)
	}
	return nil
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1":
		return true, true
	case "false", "0", "":
		return false, true
	}
	return false, false
}
