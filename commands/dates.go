package commands

import (
	"errors"
	"fmt"
	"time"

	"github.com/agora-community/agora/commands/frdate"
	"github.com/agora-community/agora/locales"
)

// DateRefusals names a capability's messages for a date that was read but
// cannot be used (frdate.Error), so that every command taking a date tells
// the member the same things: when it is, or what does not hold.
type DateRefusals struct {
	Past, TooFar, WrongWeekday, NoSuchDay string // message IDs
	MaxDays                               int    // the limit TooFar states
}

// Refuse tells why the date e, read from s, is refused, in l (dated in the
// community's time zone). An error that is no frdate refusal is returned
// wrapped, as a failure.
func (r DateRefusals) Refuse(l *locales.Localizer, s string, e *frdate.Error, now time.Time) error {
	d := locales.Data{"Value": s}
	switch {
	case errors.Is(e, frdate.ErrPast):
		d["Date"] = l.DateTime(e.Time)
		return Fail(r.Past, d)
	case errors.Is(e, frdate.ErrTooFar):
		d["Date"], d["Max"] = l.DateTime(e.Time), r.MaxDays
		return Fail(r.TooFar, d)
	case errors.Is(e, frdate.ErrWrongWeekday):
		d["Day"], d["Month"] = e.Time.Day(), l.Month(e.Time.Month())
		d["Actual"], d["Weekday"] = l.Weekday(e.Time.Weekday()), l.Weekday(e.Weekday)
		if e.Time.Year() != now.In(e.Time.Location()).Year() {
			d["Year"] = e.Time.Year()
		}
		return Fail(r.WrongWeekday, d)
	case errors.Is(e, frdate.ErrNoSuchDay):
		d["Day"], d["Month"], d["Year"] = e.Day, l.Month(e.Month), e.Year
		return Fail(r.NoSuchDay, d)
	}
	return fmt.Errorf("read date %q: %w", s, e)
}
