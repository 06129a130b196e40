package discordtest

import (
	"encoding/json"
	"time"
)

// User is a Discord user as the double knows it.
type User struct {
	ID         string
	Username   string
	GlobalName string
	Bot        bool
}

func (u User) json() map[string]any {
	m := map[string]any{"id": u.ID, "username": u.Username, "discriminator": "0", "avatar": nil, "bot": u.Bot}
	if u.GlobalName != "" {
		m["global_name"] = u.GlobalName
	} else {
		m["global_name"] = nil
	}
	return m
}

// Channel is a guild channel (Type 0 text, 2 voice, 4 category, ...).
type Channel struct {
	ID       string
	Name     string
	Type     int
	ParentID string
}

// Role is a guild role; Permissions is the decimal bit set as a string.
type Role struct {
	ID          string
	Name        string
	Permissions string
	Position    int
	Color       int
}

// Member is a guild member.
type Member struct {
	User     User
	Roles    []string
	Nick     string
	JoinedAt time.Time
}

// Guild is a guild with the channels, roles and members sent in GUILD_CREATE.
// The @everyone role (ID = guild ID) is added when missing.
type Guild struct {
	ID       string
	Name     string
	OwnerID  string
	Channels []Channel
	Roles    []Role
	Members  []Member
}

// Attachment is an uploaded file.
type Attachment struct {
	ID          string
	Filename    string
	ContentType string
	Data        []byte
}

// Message is a message the bot created, in a channel or as an interaction
// response (original or followup).
type Message struct {
	ID              string
	ChannelID       string
	GuildID         string
	Content         string
	Embeds          []map[string]any
	Components      []any
	Flags           int
	AllowedMentions map[string]any
	Attachments     []Attachment
	InteractionID   string // set for interaction originals and followups
	Deleted         bool
	Edits           int
	Timestamp       time.Time
	// Payload is the last JSON body received for the message.
	Payload map[string]any
}

// Ephemeral reports whether flag 64 is set.
func (m Message) Ephemeral() bool { return m.Flags&64 != 0 }

// InteractionResponse is a callback the bot sent for an interaction.
type InteractionResponse struct {
	InteractionID string
	Type          int // 1 pong, 4 message, 5 deferred message, 6 deferred update, 7 update, 8 autocomplete, 9 modal
	Data          map[string]any
	Flags         int
	Attachments   []Attachment
	Time          time.Time
}

// Ephemeral reports whether the response carries flag 64.
func (r InteractionResponse) Ephemeral() bool { return r.Flags&64 != 0 }

// Command is a registered application command.
type Command struct {
	ID                       string
	ApplicationID            string
	GuildID                  string // empty for global commands
	Type                     int
	Name                     string
	Description              string
	NameLocalizations        map[string]string
	DescriptionLocalizations map[string]string
	DefaultMemberPermissions *string
	Options                  []map[string]any
	Raw                      map[string]any
}

func commandFromMap(m map[string]any) Command {
	var c struct {
		ID                       string            `json:"id"`
		ApplicationID            string            `json:"application_id"`
		GuildID                  string            `json:"guild_id"`
		Type                     int               `json:"type"`
		Name                     string            `json:"name"`
		Description              string            `json:"description"`
		NameLocalizations        map[string]string `json:"name_localizations"`
		DescriptionLocalizations map[string]string `json:"description_localizations"`
		DefaultMemberPermissions *string           `json:"default_member_permissions"`
		Options                  []map[string]any  `json:"options"`
	}
	b, _ := json.Marshal(m)
	_ = json.Unmarshal(b, &c)
	return Command{
		ID: c.ID, ApplicationID: c.ApplicationID, GuildID: c.GuildID, Type: c.Type,
		Name: c.Name, Description: c.Description,
		NameLocalizations: c.NameLocalizations, DescriptionLocalizations: c.DescriptionLocalizations,
		DefaultMemberPermissions: c.DefaultMemberPermissions, Options: c.Options, Raw: m,
	}
}

// RoleGrant records a role added to or removed from a member.
type RoleGrant struct {
	GuildID string
	UserID  string
	RoleID  string
	Added   bool   // false for removal
	Reason  string // X-Audit-Log-Reason, if any
}

// Invite is a channel invite the bot created.
type Invite struct {
	Code      string
	ChannelID string
	GuildID   string
	MaxAge    int // seconds; 0 never expires
	MaxUses   int // 0 unlimited
	Uses      int
	Temporary bool
	Unique    bool
	CreatedAt time.Time
	// Joined lists the users who joined with it, in order.
	Joined []string
}

// expired reports whether the invite can no longer be used at now.
func (i *Invite) expired(now time.Time) bool {
	return (i.MaxAge > 0 && !now.Before(i.CreatedAt.Add(time.Duration(i.MaxAge)*time.Second))) ||
		(i.MaxUses > 0 && i.Uses >= i.MaxUses)
}

type channelState struct {
	id      string
	guildID string
	typ     int
	name    string
	dmUser  string
}

type interactionState struct {
	id        string
	token     string
	typ       int
	guildID   string
	channelID string
	messageID string // component interactions: the message clicked
	responses []InteractionResponse
	original  *Message
	followups []*Message
}
