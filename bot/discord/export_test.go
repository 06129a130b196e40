package discord

import (
	"reflect"
	"sort"

	"github.com/bwmarrin/discordgo"
)

// RateLimitBuckets lists the keys of the buckets discordgo's rate limiter
// holds for the adapter's session. The map is unexported, so it is read
// through reflection, under the limiter's own lock.
func RateLimitBuckets(a *Adapter) []string { return bucketKeys(a.s) }

func bucketKeys(s *discordgo.Session) []string {
	rl := s.Ratelimiter
	rl.Lock()
	defer rl.Unlock()
	var keys []string
	for _, k := range reflect.ValueOf(rl).Elem().FieldByName("buckets").MapKeys() {
		keys = append(keys, k.String())
	}
	sort.Strings(keys)
	return keys
}
