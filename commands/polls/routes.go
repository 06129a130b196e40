package polls

import (
	"strconv"
	"strings"

	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/model"
)

// Routes of the poll's components, as Agora writes them:
//
//	p/v/<poll>/<choice>      single choice: vote for this choice
//	p/t/<poll>/<choice>      multiple choice or ranked: toggle this choice
//	p/s/<poll>               menu: the selected values are choice positions
//	p/del/<poll>/<member>/<ballots>
//	                         confirms deleting a poll that had that many
//	                         ballots when member asked
//
// They carry only numbers, are at most "p/del/" + 12 digits + "/" + 12
// digits + "/" + 7 digits long (well under Telegram's 64 bytes), and are read strictly: a
// platform hands back whatever a client sends, so only the exact text
// Agora wrote is accepted ("+2", "02", " 2" are not 2).
const (
	verbVote   = "v"
	verbToggle = "t"
	verbSelect = "s"
	verbDelete = "del"
)

// route is a parsed component route. arg is the choice position for
// verbVote and verbToggle, the asking member for verbDelete; count is the
// number of ballots verbDelete's confirmation showed.
type route struct {
	verb  string
	poll  int64
	arg   int64
	count int64
}

// maxCountDigits bounds the ballot count a deletion's route carries.
const maxCountDigits = 7

// String writes the route; parseRoute reads back exactly this text.
func (r route) String() string {
	s := "p/" + r.verb + "/" + pollIDString(r.poll)
	if r.verb != verbSelect {
		s += "/" + strconv.FormatInt(r.arg, 10)
	}
	if r.verb == verbDelete {
		s += "/" + strconv.FormatInt(r.count, 10)
	}
	return s
}

// parseRoute reads a route written by route.String, and nothing else.
func parseRoute(s string) (route, bool) {
	parts := strings.Split(s, "/")
	if len(parts) < 3 || parts[0] != "p" {
		return route{}, false
	}
	r := route{verb: parts[1]}
	var ok bool
	if r.poll, ok = commands.ParseID(parts[2]); !ok {
		return route{}, false
	}
	switch {
	case r.verb == verbSelect && len(parts) == 3:
		return r, true
	case (r.verb == verbVote || r.verb == verbToggle) && len(parts) == 4:
		c, ok := canonicalNumber(parts[3], 2)
		r.arg = c
		return r, ok && c < MaxChoices
	case r.verb == verbDelete && len(parts) == 5:
		if r.arg, ok = commands.ParseID(parts[3]); !ok {
			return route{}, false
		}
		r.count, ok = canonicalNumber(parts[4], maxCountDigits)
		return r, ok
	}
	return route{}, false
}

func voteRoute(p model.Poll, choice int) string {
	verb := verbVote
	if p.Kind != model.PollSingle {
		verb = verbToggle
	}
	return route{verb: verb, poll: p.ID, arg: int64(choice)}.String()
}

func selectRoute(id int64) string { return route{verb: verbSelect, poll: id}.String() }

// deleteRoute confirms the deletion of a poll asked by member, when it
// had ballots ballots.
func deleteRoute(id, member int64, ballots int) string {
	return route{verb: verbDelete, poll: id, arg: member, count: int64(ballots)}.String()
}

// canonicalNumber reads a number of at most maxDigits digits written as
// strconv writes it: digits only, no sign, no space, no leading zero. It
// stays here rather than using commands.ParseID because choice positions
// start at 0, which no ID is.
func canonicalNumber(s string, maxDigits int) (int64, bool) {
	if s == "" || len(s) > maxDigits || !digits(s) || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseIndex reads a canonical choice position below n ("0", "12"; never
// "012" or "+1"), as menus carry them.
func parseIndex(s string, n int) (int, bool) {
	c, ok := canonicalNumber(s, 2)
	return int(c), ok && int(c) < n
}
