package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the static image has no zoneinfo; Europe/Paris must still load

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/storage"
)

// Config is everything Agora reads from its environment or flags.
type Config struct {
	Command string   // "run", "migrate", or a capability's command-line tool ("faq")
	Args    []string // the tool's arguments

	DatabaseURL string
	// DatabaseMaxConns caps each process's PostgreSQL connections.
	DatabaseMaxConns int

	DiscordToken      string
	DiscordAPIURL     string
	DiscordGatewayURL string
	DiscordPublicKey  string
	DiscordGuildID    string
	DiscordShardID    int
	DiscordShardCount int
	// Server roles whose holders are Agora moderators or ambassadors.
	DiscordModeratorRole  string
	DiscordAmbassadorRole string
	// Privileged gateway intents, each to be switched on in the developer portal.
	DiscordWelcomes bool
	DiscordAutoFAQ  bool

	TelegramToken         string
	TelegramAPIURL        string
	TelegramWebhookURL    string
	TelegramWebhookSecret string

	HTTPAddr        string
	LogLevel        slog.Level
	LogLevelSet     bool
	DefaultLocale   string
	DefaultTimezone *time.Location
}

// ConfigError names the variable at fault, never its value: values may be secrets.
type ConfigError struct {
	Var    string
	Reason string
}

func (e *ConfigError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Var, e.Reason) }

type setting struct {
	env, flag, def, usage string
	secret                bool
}

var settings = []setting{
	{"DATABASE_URL", "database-url", "", "postgres://user@host:5432/db?sslmode=disable, or sqlite:PATH; unset: embedded SQLite file " + storage.DefaultSQLitePath, true},
	{"DATABASE_MAX_CONNECTIONS", "database-max-connections", strconv.Itoa(storage.DefaultMaxConns), "PostgreSQL connections this process may open (plus one for LISTEN, and one per platform, Discord and Telegram, that tells other processes this one is alive); lower it to run more processes on one server", false},
	{"DISCORD_TOKEN", "discord-token", "", "Discord bot token; enables the Discord adapter", true},
	{"DISCORD_API_URL", "discord-api-url", "", "replaces https://discord.com for every REST call (proxy or test double)", false},
	{"DISCORD_GATEWAY_URL", "discord-gateway-url", "", "replaces the gateway websocket URL Discord hands out", false},
	{"DISCORD_PUBLIC_KEY", "discord-public-key", "", "application public key (hex); enables HTTP interactions at /discord/interactions", false},
	{"DISCORD_GUILD_ID", "discord-guild-id", "", "publish commands to this server only (fast iteration) instead of globally", false},
	{"DISCORD_SHARD_ID", "discord-shard-id", "0", "this process's shard, from 0", false},
	{"DISCORD_SHARD_COUNT", "discord-shard-count", "1", "number of shards, one process each", false},
	{"DISCORD_MODERATOR_ROLE", "discord-moderator-role", "", "ID of a server role whose members are Agora moderators (Manage Server already is)", false},
	{"DISCORD_AMBASSADOR_ROLE", "discord-ambassador-role", "", "ID of a server role whose members are Agora ambassadors", false},
	{"DISCORD_WELCOMES", "discord-welcomes", "off", "receive member joins to welcome newcomers (needs the Server Members intent): on or off", false},
	{"DISCORD_AUTO_FAQ", "discord-auto-faq", "off", "read channel messages to answer questions automatically (needs the Message Content intent): on or off", false},
	{"TELEGRAM_TOKEN", "telegram-token", "", "Telegram bot token from BotFather; enables the Telegram adapter", true},
	{"TELEGRAM_API_URL", "telegram-api-url", "", "replaces https://api.telegram.org (local Bot API server or test double)", false},
	{"TELEGRAM_WEBHOOK_URL", "telegram-webhook-url", "", "public HTTPS URL of /telegram/webhook; unset: long polling", false},
	{"TELEGRAM_WEBHOOK_SECRET", "telegram-webhook-secret", "", "secret Telegram sends with each webhook call; unset: generated and kept in the database", true},
	{"HTTP_ADDR", "http-addr", "", "address of the HTTP server (/healthz, /readyz, /metrics, webhooks), e.g. :8080; unset: no HTTP server", false},
	{"LOG_LEVEL", "log-level", "info", "debug, info, warn or error", false},
	{"DEFAULT_LOCALE", "default-locale", "fr", "language of new communities: fr or en", false},
	{"DEFAULT_TIMEZONE", "default-timezone", "Europe/Paris", "time zone of new communities (IANA name)", false},
}

const usageHeader = `Agora, the community bot for cooperatives and sharing platforms.

Usage:
  agora [flags]          run every configured adapter (the console when no token is set)
  agora migrate [flags]  apply database migrations and exit

Every flag can also be set by the environment variable named beside it.
Flags:
`

// LoadConfig reads flags, falling back to environment variables, and
// validates them. It returns flag.ErrHelp after printing help.
func LoadConfig(args []string, getenv func(string) string, stdout io.Writer) (Config, error) {
	fs := flag.NewFlagSet("agora", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	values := map[string]*string{}
	for _, s := range settings {
		def := getenv(s.env)
		if def == "" {
			def = s.def
		}
		values[s.env] = fs.String(s.flag, def, s.usage)
	}
	fs.Usage = func() {
		fmt.Fprint(stdout, usageHeader)
		for _, s := range settings {
			fmt.Fprintf(stdout, "  --%-24s %s\n      %s", s.flag, "$"+s.env, s.usage)
			if s.def != "" {
				fmt.Fprintf(stdout, " (default %s)", s.def)
			}
			fmt.Fprintln(stdout)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err // Parse has printed the usage already
		}
		return Config{}, &ConfigError{Var: "flags", Reason: err.Error()}
	}
	cfg := Config{Command: "run"}
	switch rest := fs.Args(); {
	case len(rest) == 0:
	case len(rest) == 1 && rest[0] == "migrate":
		cfg.Command = "migrate"
	case len(rest) == 1 && rest[0] == "help":
		fs.Usage()
		return Config{}, flag.ErrHelp
	default:
		// A capability's command-line tool; main refuses a name no
		// installed capability declares.
		cfg.Command, cfg.Args = rest[0], rest[1:]
	}
	v := func(env string) string { return strings.TrimSpace(*values[env]) }
	cfg.LogLevelSet = getenv("LOG_LEVEL") != "" || flagSet(fs, "log-level")

	var err error
	cfg.DatabaseURL = v("DATABASE_URL")
	if _, _, err := storage.ParseURL(cfg.DatabaseURL); err != nil {
		return Config{}, &ConfigError{Var: "DATABASE_URL", Reason: err.Error()}
	}
	if cfg.DatabaseMaxConns, err = intIn("DATABASE_MAX_CONNECTIONS", v("DATABASE_MAX_CONNECTIONS"), 2, 1000); err != nil {
		return Config{}, err
	}
	cfg.DiscordToken = v("DISCORD_TOKEN")
	if cfg.DiscordToken != "" && !regexp.MustCompile(`^[A-Za-z0-9._-]{20,200}$`).MatchString(cfg.DiscordToken) {
		return Config{}, &ConfigError{Var: "DISCORD_TOKEN", Reason: "does not look like a bot token (copy it from the Bot page of the Discord developer portal)"}
	}
	if cfg.DiscordAPIURL, err = httpURL("DISCORD_API_URL", v("DISCORD_API_URL")); err != nil {
		return Config{}, err
	}
	if cfg.DiscordGatewayURL, err = wsURL("DISCORD_GATEWAY_URL", v("DISCORD_GATEWAY_URL")); err != nil {
		return Config{}, err
	}
	cfg.DiscordPublicKey = v("DISCORD_PUBLIC_KEY")
	if k := cfg.DiscordPublicKey; k != "" {
		if b, err := hex.DecodeString(k); err != nil || len(b) != 32 {
			return Config{}, &ConfigError{Var: "DISCORD_PUBLIC_KEY", Reason: "must be the 64 hexadecimal characters shown as Public Key in the developer portal"}
		}
	}
	cfg.DiscordGuildID = v("DISCORD_GUILD_ID")
	if id := cfg.DiscordGuildID; id != "" && !regexp.MustCompile(`^[0-9]{1,20}$`).MatchString(id) {
		return Config{}, &ConfigError{Var: "DISCORD_GUILD_ID", Reason: "must be a numeric server ID"}
	}
	if cfg.DiscordShardID, err = intIn("DISCORD_SHARD_ID", v("DISCORD_SHARD_ID"), 0, 1<<16); err != nil {
		return Config{}, err
	}
	if cfg.DiscordShardCount, err = intIn("DISCORD_SHARD_COUNT", v("DISCORD_SHARD_COUNT"), 1, 1<<16); err != nil {
		return Config{}, err
	}
	if cfg.DiscordShardID >= cfg.DiscordShardCount {
		return Config{}, &ConfigError{Var: "DISCORD_SHARD_ID", Reason: "must be lower than DISCORD_SHARD_COUNT"}
	}
	for _, r := range []struct {
		env  string
		dest *string
	}{{"DISCORD_MODERATOR_ROLE", &cfg.DiscordModeratorRole}, {"DISCORD_AMBASSADOR_ROLE", &cfg.DiscordAmbassadorRole}} {
		*r.dest = v(r.env)
		if id := *r.dest; id != "" && !regexp.MustCompile(`^[0-9]{1,20}$`).MatchString(id) {
			return Config{}, &ConfigError{Var: r.env, Reason: "must be a numeric role ID (Copy Role ID in Discord with developer mode on)"}
		}
	}
	if cfg.DiscordModeratorRole != "" && cfg.DiscordModeratorRole == cfg.DiscordAmbassadorRole {
		return Config{}, &ConfigError{Var: "DISCORD_AMBASSADOR_ROLE", Reason: "must differ from DISCORD_MODERATOR_ROLE"}
	}
	if cfg.DiscordWelcomes, err = onOff("DISCORD_WELCOMES", v("DISCORD_WELCOMES")); err != nil {
		return Config{}, err
	}
	if cfg.DiscordAutoFAQ, err = onOff("DISCORD_AUTO_FAQ", v("DISCORD_AUTO_FAQ")); err != nil {
		return Config{}, err
	}

	cfg.TelegramToken = v("TELEGRAM_TOKEN")
	if t := cfg.TelegramToken; t != "" && !regexp.MustCompile(`^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$`).MatchString(t) {
		return Config{}, &ConfigError{Var: "TELEGRAM_TOKEN", Reason: "does not look like a BotFather token (digits, a colon, then letters)"}
	}
	if cfg.TelegramAPIURL, err = httpURL("TELEGRAM_API_URL", v("TELEGRAM_API_URL")); err != nil {
		return Config{}, err
	}
	if cfg.TelegramWebhookURL, err = httpURL("TELEGRAM_WEBHOOK_URL", v("TELEGRAM_WEBHOOK_URL")); err != nil {
		return Config{}, err
	}
	cfg.TelegramWebhookSecret = v("TELEGRAM_WEBHOOK_SECRET")
	if s := cfg.TelegramWebhookSecret; s != "" && !regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`).MatchString(s) {
		return Config{}, &ConfigError{Var: "TELEGRAM_WEBHOOK_SECRET", Reason: "Telegram allows 1 to 256 characters among A-Z, a-z, 0-9, _ and -"}
	}

	cfg.HTTPAddr = v("HTTP_ADDR")
	if a := cfg.HTTPAddr; a != "" {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			return Config{}, &ConfigError{Var: "HTTP_ADDR", Reason: "must be host:port or :port, like :8080"}
		}
	}
	if cfg.TelegramWebhookURL != "" && cfg.HTTPAddr == "" {
		return Config{}, &ConfigError{Var: "HTTP_ADDR", Reason: "must be set when TELEGRAM_WEBHOOK_URL is, to receive the webhook"}
	}
	if cfg.DiscordPublicKey != "" && cfg.HTTPAddr == "" {
		return Config{}, &ConfigError{Var: "HTTP_ADDR", Reason: "must be set when DISCORD_PUBLIC_KEY is, to receive interactions"}
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(v("LOG_LEVEL"))); err != nil {
		return Config{}, &ConfigError{Var: "LOG_LEVEL", Reason: "must be debug, info, warn or error"}
	}
	cfg.DefaultLocale = strings.ToLower(v("DEFAULT_LOCALE"))
	if !locales.IsSupported(cfg.DefaultLocale) {
		return Config{}, &ConfigError{Var: "DEFAULT_LOCALE", Reason: "must be one of " + strings.Join(locales.Supported, ", ")}
	}
	tz := v("DEFAULT_TIMEZONE")
	if cfg.DefaultTimezone, err = time.LoadLocation(tz); err != nil || tz == "" || strings.EqualFold(tz, "local") {
		return Config{}, &ConfigError{Var: "DEFAULT_TIMEZONE", Reason: "must be an IANA time zone name such as Europe/Paris"}
	}
	return cfg, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

func httpURL(name, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &ConfigError{Var: name, Reason: "must be an absolute http:// or https:// URL"}
	}
	return strings.TrimRight(v, "/"), nil
}

func wsURL(name, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		return "", &ConfigError{Var: name, Reason: "must be an absolute ws:// or wss:// URL"}
	}
	return v, nil
}

func onOff(name, v string) (bool, error) {
	b, ok := commands.ParseBool(v)
	if !ok {
		return false, &ConfigError{Var: name, Reason: "must be on or off"}
	}
	return b, nil
}

func intIn(name, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, &ConfigError{Var: name, Reason: fmt.Sprintf("must be a whole number from %d to %d", lo, hi)}
	}
	return n, nil
}
