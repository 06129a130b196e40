package commands

import (
	"sync"
	"time"
)

// locations caches loaded time zones: time.LoadLocation reads and parses a
// file on every call, and every request and every post rendered needs its
// community's zone.
var locations sync.Map // name → *time.Location

// LoadLocation is time.LoadLocation, loaded once per process per name.
func LoadLocation(name string) (*time.Location, error) {
	if tz, ok := locations.Load(name); ok {
		return tz.(*time.Location), nil
	}
	tz, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, tz)
	return tz, nil
}
