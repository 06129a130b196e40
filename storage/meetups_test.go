package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// The meetups capability's job kinds, as it hands them to storage.
var (
	meetupPublishJob  = model.JobRef{Kind: "meetup.publish"}
	meetupRemindJob   = model.JobRef{Kind: "meetup.remind"}
	meetupPromotedJob = model.JobRef{Kind: "meetup.promoted"}
)

var meetupNow = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

type meetupFixture struct {
	pollFixture
}

func newMeetupFixture(t *testing.T, s *storage.Store, members int) meetupFixture {
	return meetupFixture{newPollFixture(t, s, members)}
}

// meetup stores a meetup starting in two days with the given capacity,
// with its publish job and a reminder one day before.
func (f meetupFixture) meetup(t testing.TB, s *storage.Store, capacity int) model.Meetup {
	t.Helper()
	lat, lon := 45.75, 4.85
	m := model.Meetup{
		CommunityID: f.community.ID, AuthorID: f.members[0].ID, Title: "Apéro", Kind: model.MeetupLocal,
		Start: meetupNow.Add(48 * time.Hour), End: meetupNow.Add(50 * time.Hour), Place: "Café", City: "Lyon 7e",
		CityKey: "lyon", Lat: &lat, Lon: &lon, Capacity: capacity, Reminders: "24h",
	}
	err := s.CreateMeetup(context.Background(), &m, meetupNow, func(m model.Meetup) model.JobPlan {
		id := strconv.FormatInt(m.ID, 10)
		publish, remind := meetupPublishJob, meetupRemindJob
		publish.Payload, remind.Payload = id, id+"/24h"
		return model.JobPlan{Schedule: []model.JobAt{{Job: publish, At: meetupNow}, {Job: remind, At: m.Start.Add(-24 * time.Hour)}}}
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (f meetupFixture) rule(m model.Meetup, member int) model.RSVPRule {
	return model.RSVPRule{MeetupID: m.ID, CommunityID: f.community.ID, MemberID: f.members[member].ID,
		Platform: "console", PlatformUserID: fmt.Sprintf("user%d", member)}
}

func TestMeetupRoundTripListingAndJobs(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newMeetupFixture(t, s, 1)
		m := f.meetup(t, s, 0)
		got, err := s.Meetup(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Apéro" || got.Kind != model.MeetupLocal || !got.Start.Equal(m.Start) || !got.End.Equal(m.End) ||
			got.Lat == nil || *got.Lat != 45.75 || got.CityKey != "lyon" || got.Status != model.MeetupScheduled ||
			got.AuthorID != f.members[0].ID || got.Reminders != "24h" || got.Duration() != 2*time.Hour {
			t.Fatalf("meetup = %+v", got)
		}
		jobs, err := s.PendingJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 2 || jobs[0].Kind != "meetup.publish" || jobs[1].Kind != "meetup.remind" ||
			jobs[1].Payload != strconv.FormatInt(m.ID, 10)+"/24h" || !jobs[1].RunAt.Equal(m.Start.Add(-24*time.Hour)) {
			t.Fatalf("jobs = %+v", jobs)
		}
		// A second, earlier meetup lists first; a cancelled one only on demand.
		early := f.meetup(t, s, 0)
		_, _, _, err = s.UpdateMeetup(ctx, early.ID, meetupNow, meetupPromotedJob, func(m *model.Meetup) (model.JobPlan, error) {
			m.Start, m.End = meetupNow.Add(time.Hour), meetupNow.Add(2*time.Hour)
			m.Sequence++
			return model.JobPlan{}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		gone := f.meetup(t, s, 0)
		now := meetupNow
		_, after, _, err := s.UpdateMeetup(ctx, gone.ID, meetupNow, meetupPromotedJob, func(m *model.Meetup) (model.JobPlan, error) {
			m.Status, m.CancelledAt, m.CancelReason = model.MeetupCancelled, &now, "pluie"
			return model.JobPlan{}, nil
		})
		if err != nil || after.Status != model.MeetupCancelled || after.CancelReason != "pluie" {
			t.Fatalf("cancel: %+v, %v", after, err)
		}
		list, err := s.Meetups(ctx, f.community.ID, meetupNow, false, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != early.ID || list[1].ID != m.ID || list[0].Sequence != 1 {
			t.Fatalf("upcoming = %+v", list)
		}
		all, err := s.Meetups(ctx, f.community.ID, meetupNow, true, 10)
		if err != nil || len(all) != 3 {
			t.Fatalf("with cancelled: %d, %v", len(all), err)
		}
		// Past meetups are not upcoming.
		if later, err := s.Meetups(ctx, f.community.ID, meetupNow.Add(3*time.Hour), false, 10); err != nil || len(later) != 1 {
			t.Fatalf("later: %+v, %v", later, err)
		}
		// An error from the change leaves the meetup as it was.
		refused := errors.New("refused")
		_, _, _, err = s.UpdateMeetup(ctx, m.ID, meetupNow, meetupPromotedJob, func(m *model.Meetup) (model.JobPlan, error) {
			m.Title = "changed"
			return model.JobPlan{}, refused
		})
		if !errors.Is(err, refused) {
			t.Fatalf("update error = %v", err)
		}
		if again, _ := s.Meetup(ctx, m.ID); again.Title != "Apéro" {
			t.Fatalf("title after a refused change: %q", again.Title)
		}
		if _, err := s.Meetup(ctx, 999); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing meetup: %v", err)
		}
	})
}

func TestRSVPWaitingListAndPromotion(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newMeetupFixture(t, s, 4)
		m := f.meetup(t, s, 2)
		answer := func(member int, status string) model.RSVPChange {
			t.Helper()
			ch, err := s.SetRSVP(ctx, f.rule(m, member), status, meetupNow, meetupPromotedJob)
			if err != nil {
				t.Fatal(err)
			}
			return ch
		}
		if ch := answer(0, model.RSVPYes); ch.Status != model.RSVPYes || ch.Previous != "" || ch.Counts.Yes != 1 {
			t.Fatalf("first yes: %+v", ch)
		}
		answer(1, model.RSVPYes)
		if ch := answer(2, model.RSVPYes); ch.Status != model.RSVPWaiting || ch.Position != 1 || ch.Counts.Waiting != 1 {
			t.Fatalf("third yes: %+v", ch)
		}
		if ch := answer(3, model.RSVPYes); ch.Status != model.RSVPWaiting || ch.Position != 2 {
			t.Fatalf("fourth yes: %+v", ch)
		}
		// Saying yes again keeps one's seat or place.
		if ch := answer(2, model.RSVPYes); ch.Status != model.RSVPWaiting || ch.Position != 1 || ch.Previous != model.RSVPWaiting {
			t.Fatalf("yes again: %+v", ch)
		}
		if ch := answer(0, model.RSVPYes); ch.Status != model.RSVPYes || ch.Counts.Yes != 2 {
			t.Fatalf("yes again while seated: %+v", ch)
		}
		// A seated member withdraws: the first waiting gets the seat.
		ch := answer(0, model.RSVPNo)
		if ch.Status != model.RSVPNo || len(ch.Promoted) != 1 || ch.Promoted[0].MemberID != f.members[2].ID ||
			ch.Promoted[0].PlatformUserID != "user2" || ch.Counts != (model.RSVPCounts{Yes: 2, No: 1, Waiting: 1}) {
			t.Fatalf("withdrawal: %+v", ch)
		}
		jobs, err := s.PendingJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := strconv.FormatInt(m.ID, 10) + "/" + strconv.FormatInt(f.members[2].ID, 10)
		found := false
		for _, j := range jobs {
			found = found || j.Kind == "meetup.promoted" && j.Payload == want
		}
		if !found {
			t.Fatalf("no promoted job %q in %+v", want, jobs)
		}
		// "Maybe" from a waiting member leaves the list.
		if ch := answer(3, model.RSVPMaybe); ch.Status != model.RSVPMaybe || ch.Counts.Waiting != 0 || len(ch.Promoted) != 0 {
			t.Fatalf("maybe: %+v", ch)
		}
		list, err := s.Attendees(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, a := range list {
			order = append(order, a.PlatformUserID+"="+a.Status)
		}
		if fmt.Sprint(order) != "[user1=yes user2=yes user3=maybe user0=no]" {
			t.Fatalf("attendees = %v", order)
		}
		// Raising the capacity seats whoever waits.
		answer(0, model.RSVPYes)
		_, _, moved, err := s.UpdateMeetup(ctx, m.ID, meetupNow, meetupPromotedJob, func(m *model.Meetup) (model.JobPlan, error) {
			m.Capacity = 3
			return model.JobPlan{}, nil
		})
		if err != nil || len(moved) != 1 || moved[0].MemberID != f.members[0].ID {
			t.Fatalf("capacity raised: %+v, %v", moved, err)
		}
		if c, err := s.RSVPCounts(ctx, m.ID); err != nil || c.Yes != 3 {
			t.Fatalf("counts: %+v, %v", c, err)
		}
		if a, err := s.RSVP(ctx, m.ID, f.members[0].ID); err != nil || a.Status != model.RSVPYes {
			t.Fatalf("rsvp: %+v, %v", a, err)
		}
		if _, err := s.RSVP(ctx, 999, f.members[0].ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing rsvp: %v", err)
		}
	})
}

// RSVPCountsOf counts, for every meetup asked about, what RSVPCounts
// counts for it alone, whatever the number of ids; a meetup nobody
// answered, or none by that id, has zero counts.
func TestRSVPCountsOf(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newMeetupFixture(t, s, 6)
		full, empty, open := f.meetup(t, s, 2), f.meetup(t, s, 0), f.meetup(t, s, 0)
		for member, answer := range []struct {
			m      model.Meetup
			status string
		}{
			{full, model.RSVPYes}, {full, model.RSVPYes}, {full, model.RSVPYes}, {full, model.RSVPMaybe}, {full, model.RSVPNo},
			{open, model.RSVPYes},
		} {
			if _, err := s.SetRSVP(ctx, f.rule(answer.m, member), answer.status, meetupNow, meetupPromotedJob); err != nil {
				t.Fatal(err)
			}
		}
		for member, status := range []string{model.RSVPMaybe, model.RSVPNo, model.RSVPNo} {
			if _, err := s.SetRSVP(ctx, f.rule(open, member), status, meetupNow, meetupPromotedJob); err != nil {
				t.Fatal(err)
			}
		}

		// The meetups, an unknown one and a repeated one, spread among
		// enough unknown ids to take several statements on SQLite.
		ids := []int64{full.ID, 999999, empty.ID, full.ID}
		for i := range 2000 {
			ids = append(ids, int64(1_000_000+i))
		}
		ids = append(ids, open.ID)
		got, err := s.RSVPCountsOf(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2000+4 {
			t.Errorf("%d entries for %d distinct ids", len(got), 2000+4)
		}
		for _, id := range ids {
			want, err := s.RSVPCounts(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if c, ok := got[id]; !ok || c != want {
				t.Errorf("meetup %d: %+v (present %v), want %+v", id, c, ok, want)
			}
		}
		for m, want := range map[int64]model.RSVPCounts{
			full.ID:  {Yes: 2, Maybe: 1, No: 1, Waiting: 1},
			empty.ID: {},
			open.ID:  {Yes: 1, Maybe: 1, No: 2},
		} {
			if got[m] != want {
				t.Errorf("meetup %d: %+v, want %+v", m, got[m], want)
			}
		}

		for _, none := range [][]int64{nil, {}} {
			if got, err := s.RSVPCountsOf(ctx, none); err != nil || len(got) != 0 {
				t.Errorf("no ids (%#v): %v, %v", none, got, err)
			}
		}
	})
}

func TestRSVPRefusedWhenClosed(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newMeetupFixture(t, s, 1)
		m := f.meetup(t, s, 0)
		other := f.rule(m, 0)
		other.CommunityID++
		if _, err := s.SetRSVP(ctx, other, model.RSVPYes, meetupNow, meetupPromotedJob); !errors.Is(err, model.ErrMeetupClosed) {
			t.Errorf("other community: %v", err)
		}
		if _, err := s.SetRSVP(ctx, f.rule(m, 0), model.RSVPYes, m.Start, meetupPromotedJob); !errors.Is(err, model.ErrMeetupClosed) {
			t.Errorf("at the start: %v", err)
		}
		missing := f.rule(m, 0)
		missing.MeetupID = 999
		if _, err := s.SetRSVP(ctx, missing, model.RSVPYes, meetupNow, meetupPromotedJob); !errors.Is(err, model.ErrMeetupClosed) {
			t.Errorf("missing meetup: %v", err)
		}
		if _, _, _, err := s.UpdateMeetup(ctx, m.ID, meetupNow, meetupPromotedJob, func(m *model.Meetup) (model.JobPlan, error) {
			m.Status = model.MeetupCancelled
			return model.JobPlan{Cancel: []model.JobRef{{Kind: "meetup.remind", Payload: strconv.FormatInt(m.ID, 10) + "/24h"}}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetRSVP(ctx, f.rule(m, 0), model.RSVPYes, meetupNow, meetupPromotedJob); !errors.Is(err, model.ErrMeetupClosed) {
			t.Errorf("cancelled: %v", err)
		}
		jobs, err := s.PendingJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			if j.Kind == "meetup.remind" {
				t.Errorf("reminder of a cancelled meetup still pending: %+v", j)
			}
		}
	})
}

// Two members take the last seat at the same moment, round after round:
// exactly one gets it, the other joins the waiting list.
func TestLastSeatGoesToExactlyOne(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("concurrent writers need PostgreSQL: set TEST_DATABASE_URL")
	}
	s := storagetest.OpenPostgres(t)
	ctx := context.Background()
	f := newMeetupFixture(t, s, 3)
	for round := 0; round < 40; round++ {
		m := f.meetup(t, s, 2)
		if _, err := s.SetRSVP(ctx, f.rule(m, 0), model.RSVPYes, meetupNow, meetupPromotedJob); err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		results := make([]model.RSVPChange, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = s.SetRSVP(ctx, f.rule(m, i+1), model.RSVPYes, meetupNow, meetupPromotedJob)
			}()
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		statuses := map[string]int{results[0].Status: 1}
		statuses[results[1].Status]++
		if statuses[model.RSVPYes] != 1 || statuses[model.RSVPWaiting] != 1 {
			t.Fatalf("round %d: %s and %s, want one yes and one waiting", round, results[0].Status, results[1].Status)
		}
		c, err := s.RSVPCounts(ctx, m.ID)
		if err != nil || c.Yes != 2 || c.Waiting != 1 {
			t.Fatalf("round %d: counts %+v, %v", round, c, err)
		}
	}
}

// Concurrent withdrawals and answers never seat more than the capacity.
func TestConcurrentAnswersNeverExceedCapacity(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newMeetupFixture(t, s, 8)
		m := f.meetup(t, s, 3)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range 6 {
					status := model.RSVPYes
					if (i+j)%3 == 0 {
						status = model.RSVPNo
					}
					if _, err := s.SetRSVP(ctx, f.rule(m, i), status, meetupNow, meetupPromotedJob); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		c, err := s.RSVPCounts(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Yes > 3 || c.Yes < 3 && c.Waiting > 0 {
			t.Fatalf("counts %+v: over capacity, or seats free while members wait", c)
		}
	})
}

func TestMeetupDeliveriesEventsAndCalendars(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newMeetupFixture(t, s, 1)
		m := f.meetup(t, s, 0)
		member := f.members[0].ID
		if ok, err := s.ClaimDelivery(ctx, m.ID, "remind/24h", member, meetupNow); !ok || err != nil {
			t.Fatalf("first claim: %v, %v", ok, err)
		}
		if ok, err := s.ClaimDelivery(ctx, m.ID, "remind/24h", member, meetupNow); ok || err != nil {
			t.Fatalf("second claim: %v, %v", ok, err)
		}
		if err := s.FinishDelivery(ctx, m.ID, "remind/24h", member, storage.DeliverySent); err != nil {
			t.Fatal(err)
		}
		// A claim released after a failure may be taken again.
		if ok, _ := s.ClaimDelivery(ctx, m.ID, "remind/1h", member, meetupNow); !ok {
			t.Fatal("claim 1h")
		}
		if err := s.FinishDelivery(ctx, m.ID, "remind/1h", member, ""); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimDelivery(ctx, m.ID, "remind/1h", member, meetupNow); !ok {
			t.Fatal("claim 1h after release")
		}
		if d, err := s.Deliveries(ctx, m.ID, "remind/24h"); err != nil || d[storage.DeliverySent] != 1 {
			t.Fatalf("deliveries: %v, %v", d, err)
		}

		if ok, err := s.ClaimPlatformEvent(ctx, m.ID, "discord", "g1", meetupNow); !ok || err != nil {
			t.Fatalf("claim event: %v, %v", ok, err)
		}
		if ok, _ := s.ClaimPlatformEvent(ctx, m.ID, "discord", "g1", meetupNow); ok {
			t.Fatal("event claimed twice")
		}
		if err := s.RecordPlatformEvent(ctx, model.PlatformEvent{MeetupID: m.ID, Platform: "discord", GroupID: "g1", EventID: "e1", Sequence: 2}); err != nil {
			t.Fatal(err)
		}
		s.ClaimPlatformEvent(ctx, m.ID, "discord", "g2", meetupNow)
		if err := s.ReleasePlatformEvent(ctx, m.ID, "discord", "g2"); err != nil {
			t.Fatal(err)
		}
		// A created event is never released.
		if err := s.ReleasePlatformEvent(ctx, m.ID, "discord", "g1"); err != nil {
			t.Fatal(err)
		}
		events, err := s.PlatformEvents(ctx, m.ID)
		if err != nil || len(events) != 1 || events[0].EventID != "e1" || events[0].Sequence != 2 {
			t.Fatalf("events = %+v, %v", events, err)
		}

		token, err := s.CalendarToken(ctx, f.community.ID, "first", meetupNow)
		if err != nil || token != "first" {
			t.Fatalf("token = %q, %v", token, err)
		}
		if token, _ := s.CalendarToken(ctx, f.community.ID, "second", meetupNow); token != "first" {
			t.Fatalf("token replaced by a candidate: %q", token)
		}
		if c, err := s.CommunityByCalendarToken(ctx, "first"); err != nil || c.ID != f.community.ID {
			t.Fatalf("by token: %+v, %v", c, err)
		}
		if err := s.ResetCalendarToken(ctx, f.community.ID, "third", meetupNow); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CommunityByCalendarToken(ctx, "first"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("old token still works: %v", err)
		}
		if c, err := s.CommunityByCalendarToken(ctx, "third"); err != nil || c.ID != f.community.ID {
			t.Fatalf("new token: %+v, %v", c, err)
		}
	})
}

func TestMergeMeetupRSVPsKeepsTheStrongerAnswer(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newMeetupFixture(t, s, 3)
		both := f.meetup(t, s, 0)
		onlyFrom := f.meetup(t, s, 0)
		into, from := f.members[1], f.members[2]
		set := func(m model.Meetup, member int, status string) {
			t.Helper()
			if _, err := s.SetRSVP(ctx, f.rule(m, member), status, meetupNow, meetupPromotedJob); err != nil {
				t.Fatal(err)
			}
		}
		set(both, 1, model.RSVPMaybe)
		set(both, 2, model.RSVPYes)
		set(onlyFrom, 2, model.RSVPNo)
		s.ClaimDelivery(ctx, both.ID, "remind/24h", from.ID, meetupNow)
		for range 2 { // idempotent
			if err := s.MergeMeetupRSVPs(ctx, into.ID, from.ID); err != nil {
				t.Fatal(err)
			}
		}
		a, err := s.RSVP(ctx, both.ID, into.ID)
		if err != nil || a.Status != model.RSVPYes {
			t.Fatalf("both: %+v, %v", a, err)
		}
		if a, err := s.RSVP(ctx, onlyFrom.ID, into.ID); err != nil || a.Status != model.RSVPNo {
			t.Fatalf("only from: %+v, %v", a, err)
		}
		if c, _ := s.RSVPCounts(ctx, both.ID); c.Yes != 1 || c.Maybe != 0 {
			t.Fatalf("counts after merge: %+v", c)
		}
		if ok, _ := s.ClaimDelivery(ctx, both.ID, "remind/24h", into.ID, meetupNow); ok {
			t.Fatal("the merged member's delivery was not moved")
		}
	})
}
