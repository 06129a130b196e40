package storage

import (
	"context"
	"sync"
	"time"
)

// resolveCache keeps recent chat and member resolutions, because every
// request resolves both and the vote path must not pay two extra queries
// per ballot. Entries live for a few seconds: long enough to absorb a burst
// of votes, short enough that another process's change (a role granted on
// another replica) shows quickly. Changes made through this Store drop the
// affected entries at once.
type resolveCache struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	chats   map[chatKey]cachedChat
	members map[memberKey]cachedMember
}

type chatKey struct{ platform, chatID string }

type memberKey struct {
	community        int64
	platform, userID string
}

type cachedChat struct {
	chat      Chat
	community Community
	expires   time.Time
}

type cachedMember struct {
	member  Member
	expires time.Time
}

func newResolveCache(ttl time.Duration, max int) *resolveCache {
	return &resolveCache{ttl: ttl, max: max, chats: map[chatKey]cachedChat{}, members: map[memberKey]cachedMember{}}
}

func (c *resolveCache) chat(k chatKey) (Chat, Community, bool) {
	if c == nil {
		return Chat{}, Community{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.chats[k]
	if !ok || time.Now().After(e.expires) {
		return Chat{}, Community{}, false
	}
	return e.chat, e.community, true
}

func (c *resolveCache) putChat(k chatKey, chat Chat, community Community) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.chats) >= c.max {
		clear(c.chats) // crude but bounded; a burst refills it in one round of queries
	}
	c.chats[k] = cachedChat{chat: chat, community: community, expires: time.Now().Add(c.ttl)}
}

func (c *resolveCache) member(k memberKey) (Member, bool) {
	if c == nil {
		return Member{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.members[k]
	if !ok || time.Now().After(e.expires) {
		return Member{}, false
	}
	return e.member, true
}

func (c *resolveCache) putMember(k memberKey, m Member) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.members) >= c.max {
		clear(c.members)
	}
	c.members[k] = cachedMember{member: m, expires: time.Now().Add(c.ttl)}
}

// forgetChats drops every chat entry: a community or chat changed.
func (c *resolveCache) forgetChats() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.chats)
}

// forgetMembers drops every member entry: a role or an identity changed.
func (c *resolveCache) forgetMembers() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.members)
}

// CacheTopic is the notification topic that tells every process sharing
// the database to drop its cached chats or members ("chats", "members").
const CacheTopic = "cache"

// TopicSeparator separates a notification's topic from its payload.
const TopicSeparator = "\x1f"

// forgetChats drops the cached chats and communities here and, through
// PostgreSQL NOTIFY, in every other process, so a moderator's change shows
// everywhere at once rather than after ResolveCacheTTL.
func (s *Store) forgetChats(ctx context.Context) {
	s.cache.forgetChats()
	s.announceCacheChange(ctx, "chats")
}

// forgetMembers is forgetChats for members and their roles.
func (s *Store) forgetMembers(ctx context.Context) {
	s.cache.forgetMembers()
	s.announceCacheChange(ctx, "members")
}

// announceCacheChange is best effort on purpose: the change itself is
// committed, and a lost notification only delays what other processes
// see by ResolveCacheTTL at most, so failing the member's request for it
// would be wrong.
func (s *Store) announceCacheChange(ctx context.Context, what string) {
	_ = s.Notify(context.WithoutCancel(ctx), CacheTopic+TopicSeparator+what)
}

// ForgetCached drops what another process announced changed ("chats",
// "members"; anything else, both: a lost connection may have hidden any
// change).
func (s *Store) ForgetCached(what string) {
	switch what {
	case "chats":
		s.cache.forgetChats()
	case "members":
		s.cache.forgetMembers()
	default:
		s.cache.forgetChats()
		s.cache.forgetMembers()
	}
}
