package commands

import (
	"slices"
	"time"

	"github.com/agora-community/agora/locales"
	"github.com/agora-community/agora/model"
)

// CommunityLocalizer speaks the first of langs that Agora speaks, else the
// community's language, in the community's time zone (UTC when the zone is
// unknown), dated now: for what a capability writes on its own (posts,
// private messages, reminders), where no request gives a localizer. It logs
// nothing: a capability that wants the unknown zone in its log checks
// LoadLocation itself.
func CommunityLocalizer(catalog *locales.Catalog, c model.Community, now time.Time, langs ...string) *locales.Localizer {
	tz, err := LoadLocation(c.Timezone)
	if err != nil {
		tz = time.UTC
	}
	// Clipped so the append never writes into the caller's slice.
	return catalog.Localizer(tz, append(slices.Clip(langs), c.Locale)...).At(now)
}

// PublicLocalizer speaks the community's language, for replies the whole
// chat reads (Reply rather than Private), whatever the language of the
// member who asked: an English member's command in a French community gets
// its public answer in French. Without a catalog (handlers built for a
// unit test), it is the request's.
func PublicLocalizer(catalog *locales.Catalog, req *Request) *locales.Localizer {
	if catalog == nil {
		return req.Loc
	}
	return catalog.Localizer(req.Community.Location, req.Community.Locale).At(req.Now)
}
