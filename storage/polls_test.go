package storage_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

// The polls capability's job kinds, as it hands them to storage.
var (
	publishJob  = model.JobRef{Kind: "poll.publish"}
	closeJob    = model.JobRef{Kind: "poll.close"}
	announceJob = model.JobRef{Kind: "poll.announce"}
)

var pollNow = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

type pollFixture struct {
	community storage.Community
	chat      storage.Chat
	members   []storage.Member
}

func newPollFixture(t *testing.T, s *storage.Store, members int) pollFixture {
	t.Helper()
	ctx := context.Background()
	chat, community, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "console", GroupID: "g", ChatID: "general"}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	f := pollFixture{community: community, chat: chat}
	for i := 0; i < members; i++ {
		m, err := s.ResolveMember(ctx, community.ID, "console", fmt.Sprintf("user%d", i), fmt.Sprintf("User %d", i))
		if err != nil {
			t.Fatal(err)
		}
		f.members = append(f.members, m)
	}
	return f
}

func (f pollFixture) poll(t *testing.T, s *storage.Store, kind string, deadline *time.Time) storage.Poll {
	t.Helper()
	p := storage.Poll{
		CommunityID: f.community.ID, AuthorID: f.members[0].ID, Question: "Q?", Kind: kind, Anonymous: true, Live: true,
		VoterRole: "member", Deadline: deadline,
		Choices: []storage.PollChoice{{Label: "A"}, {Label: "B", PriceCents: 40}, {Label: "C"}},
	}
	if err := s.CreatePoll(context.Background(), &p, pollNow, publishJob, closeJob); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f pollFixture) rule(p storage.Poll, member int) storage.BallotRule {
	return storage.BallotRule{PollID: p.ID, CommunityID: f.community.ID, MemberID: f.members[member].ID, Kind: p.Kind}
}

func TestPollRoundTripAndJobs(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 1)
		deadline := pollNow.Add(48 * time.Hour)
		p := f.poll(t, s, storage.PollSingle, &deadline)
		got, err := s.Poll(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Question != "Q?" || got.Kind != storage.PollSingle || !got.Anonymous || got.Status != storage.PollOpen ||
			got.Deadline == nil || !got.Deadline.Equal(deadline) || len(got.Choices) != 3 || got.Choices[1].PriceCents != 40 ||
			got.AuthorID != f.members[0].ID || got.Audience != "" {
			t.Fatalf("poll = %+v", got)
		}
		jobs, err := s.PendingJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) != 2 || jobs[0].Kind != "poll.publish" || jobs[1].Kind != "poll.close" || !jobs[1].RunAt.Equal(deadline) {
			t.Fatalf("jobs = %+v, want publish now and close at the deadline", jobs)
		}
		// The chats a poll goes to are kept with it, for the publish job.
		aimed := storage.Poll{CommunityID: f.community.ID, Question: "Q?", Kind: storage.PollSingle, VoterRole: "member",
			Audience: "moderation", Choices: []storage.PollChoice{{Label: "A"}, {Label: "B"}}}
		if err := s.CreatePoll(ctx, &aimed, pollNow, publishJob, closeJob); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Poll(ctx, aimed.ID); err != nil || got.Audience != "moderation" {
			t.Fatalf("audience = %q, %v; want moderation", got.Audience, err)
		}
		if _, err := s.Poll(ctx, p.ID+100); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("missing poll: %v, want ErrNotFound", err)
		}
	})
}

func TestBallotIsReplacedAndRefusedWhenRulesFail(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 2)
		deadline := pollNow.Add(time.Hour)
		p := f.poll(t, s, storage.PollSingle, &deadline)
		replaced, err := s.CastBallot(ctx, f.rule(p, 1), []int{0}, pollNow)
		if err != nil || replaced {
			t.Fatalf("first ballot: replaced=%v err=%v", replaced, err)
		}
		replaced, err = s.CastBallot(ctx, f.rule(p, 1), []int{2}, pollNow)
		if err != nil || !replaced {
			t.Fatalf("second ballot: replaced=%v err=%v", replaced, err)
		}
		ballots, err := s.Ballots(ctx, p.ID)
		if err != nil || len(ballots) != 1 || ballots[0].Choices[0] != 2 || ballots[0].Name != "User 1" {
			t.Fatalf("ballots = %+v, %v", ballots, err)
		}

		refused := map[string]storage.BallotRule{}
		r := f.rule(p, 0)
		r.CommunityID++
		refused["other community"] = r
		r = f.rule(p, 0)
		r.Kind = storage.PollRanked
		refused["other kind"] = r
		if _, err := s.DB().ExecContext(ctx, `UPDATE polls SET voter_role = 'ambassador', voter_rank = 1 WHERE id = $1`, p.ID); err != nil {
			t.Fatal(err)
		}
		refused["role too low"] = f.rule(p, 0)
		for name, r := range refused {
			if _, err := s.CastBallot(ctx, r, []int{0}, pollNow); !errors.Is(err, storage.ErrPollNotOpen) {
				t.Errorf("%s: err = %v, want ErrPollNotOpen", name, err)
			}
		}
		r = f.rule(p, 0)
		r.Role = 1
		if _, err := s.CastBallot(ctx, r, []int{0}, pollNow); err != nil {
			t.Fatalf("ambassador ballot: %v", err)
		}
		if _, err := s.CastBallot(ctx, r, []int{1}, deadline); !errors.Is(err, storage.ErrPollNotOpen) {
			t.Errorf("at the deadline: err = %v, want ErrPollNotOpen", err)
		}
		if ok, err := s.ClosePoll(ctx, p.ID, pollNow, announceJob); err != nil || !ok {
			t.Fatalf("close: %v %v", ok, err)
		}
		if ok, err := s.ClosePoll(ctx, p.ID, pollNow, announceJob); err != nil || ok {
			t.Fatalf("second close: %v %v, want false", ok, err)
		}
		if _, err := s.CastBallot(ctx, r, []int{1}, pollNow); !errors.Is(err, storage.ErrPollNotOpen) {
			t.Errorf("closed: err = %v, want ErrPollNotOpen", err)
		}
		ballots, _ = s.Ballots(ctx, p.ID)
		if len(ballots) != 2 {
			t.Fatalf("refused ballots changed something: %+v", ballots)
		}
	})
}

// Many goroutines voting as one member leave exactly one ballot, on both
// databases; the primary key (poll_id, member_id) is the last defence.
func TestConcurrentBallotsOfOneMemberMakeOneBallot(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 1)
		p := f.poll(t, s, storage.PollSingle, nil)
		mp := f.poll(t, s, storage.PollMultiple, nil)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := 0; i < 32; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := s.CastBallot(ctx, f.rule(p, 0), []int{i % 3}, pollNow); err != nil {
					errs <- err
				}
			}()
			go func() {
				defer wg.Done()
				_, _, err := s.UpdateBallot(ctx, f.rule(mp, 0), pollNow, func(old []int) ([]int, error) {
					return append(old[:0:0], i%3), nil
				})
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for _, id := range []int64{p.ID, mp.ID} {
			var n, revisions int
			if err := s.DB().GetContext(ctx, &n, `SELECT COUNT(*) FROM poll_ballots WHERE poll_id = $1`, id); err != nil {
				t.Fatal(err)
			}
			if err := s.DB().GetContext(ctx, &revisions, `SELECT revision FROM poll_ballots WHERE poll_id = $1`, id); err != nil {
				t.Fatal(err)
			}
			if n != 1 || revisions != 32 {
				t.Errorf("poll %d: %d ballots with revision %d, want 1 ballot written 32 times", id, n, revisions)
			}
		}
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO poll_ballots (poll_id, member_id, choices, cast_at) VALUES ($1, $2, '1', $3)`,
			p.ID, f.members[0].ID, pollNow); err == nil {
			t.Error("a second ballot row was accepted by the database")
		}
	})
}

func TestUpdateBallotTogglesAndWithdraws(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 1)
		p := f.poll(t, s, storage.PollMultiple, nil)
		toggle := func(c int) func([]int) ([]int, error) {
			return func(old []int) ([]int, error) {
				var out []int
				found := false
				for _, o := range old {
					if o == c {
						found = true
						continue
					}
					out = append(out, o)
				}
				if !found {
					out = append(out, c)
				}
				return out, nil
			}
		}
		steps := []struct {
			choice  int
			existed bool
			want    []int
		}{{2, false, []int{2}}, {0, true, []int{2, 0}}, {2, true, []int{0}}, {0, true, nil}}
		for i, st := range steps {
			existed, got, err := s.UpdateBallot(ctx, f.rule(p, 0), pollNow, toggle(st.choice))
			if err != nil || existed != st.existed || fmt.Sprint(got) != fmt.Sprint(st.want) {
				t.Fatalf("step %d: existed=%v got=%v err=%v; want %v %v", i, existed, got, err, st.existed, st.want)
			}
		}
		ballots, _ := s.Ballots(ctx, p.ID)
		if len(ballots) != 0 {
			t.Fatalf("withdrawn ballot still there: %+v", ballots)
		}
		// Withdrawing after the deadline changes nothing.
		deadline := pollNow.Add(time.Hour)
		late := f.poll(t, s, storage.PollMultiple, &deadline)
		if _, err := s.CastBallot(ctx, f.rule(late, 0), []int{1}, pollNow); err != nil {
			t.Fatal(err)
		}
		withdraw := func([]int) ([]int, error) { return nil, nil }
		if _, _, err := s.UpdateBallot(ctx, f.rule(late, 0), deadline, withdraw); !errors.Is(err, storage.ErrPollNotOpen) {
			t.Fatalf("withdrawal at the deadline: %v, want ErrPollNotOpen", err)
		}
		if ballots, _ := s.Ballots(ctx, late.ID); len(ballots) != 1 {
			t.Fatalf("late withdrawal removed the ballot: %+v", ballots)
		}
		boom := errors.New("refused")
		if _, _, err := s.UpdateBallot(ctx, f.rule(p, 0), pollNow, func([]int) ([]int, error) { return nil, boom }); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the change's error", err)
		}
	})
}

func TestReopenReschedulesClose(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 1)
		deadline := pollNow.Add(time.Hour)
		p := f.poll(t, s, storage.PollSingle, &deadline)
		if _, err := s.ClosePoll(ctx, p.ID, pollNow, announceJob); err != nil {
			t.Fatal(err)
		}
		ok, err := s.ReopenPoll(ctx, p.ID, closeJob)
		if err != nil || !ok {
			t.Fatalf("reopen: %v %v", ok, err)
		}
		got, _ := s.Poll(ctx, p.ID)
		if got.Status != storage.PollOpen || got.ClosedAt != nil {
			t.Fatalf("reopened poll = %+v", got)
		}
		jobs, _ := s.PendingJobs(ctx)
		var closeAt []time.Time
		for _, j := range jobs {
			if j.Kind == "poll.close" {
				closeAt = append(closeAt, j.RunAt)
			}
		}
		if len(closeAt) != 1 || !closeAt[0].Equal(deadline) {
			t.Fatalf("close jobs at %v, want one at %v", closeAt, deadline)
		}
		if err := s.DeletePoll(ctx, p.ID, publishJob, closeJob, announceJob); err != nil {
			t.Fatal(err)
		}
		jobs, _ = s.PendingJobs(ctx)
		if len(jobs) != 0 {
			t.Fatalf("jobs of a deleted poll: %+v", jobs)
		}
		open, err := s.OpenPolls(ctx, f.community.ID)
		if err != nil || len(open) != 0 {
			t.Fatalf("open polls = %+v, %v", open, err)
		}
	})
}

// A person who voted from two accounts keeps one ballot once the accounts
// are linked: the more recent one.
func TestLinkingIdentitiesKeepsOneBallot(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 2)
		p := f.poll(t, s, storage.PollSingle, nil)
		other := f.poll(t, s, storage.PollSingle, nil)
		for _, m := range []int{0, 1} {
			if _, err := s.CastBallot(ctx, f.rule(p, m), []int{m}, pollNow.Add(time.Duration(m)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CastBallot(ctx, f.rule(other, 1), []int{2}, pollNow); err != nil {
			t.Fatal(err)
		}
		merged, err := s.LinkIdentity(ctx, f.members[0].ID, "console", "user1", func(a, b string) string { return a }, model.JobRef{Kind: "member.merge"})
		if err != nil || merged != f.members[1].ID {
			t.Fatalf("link: merged %d, %v", merged, err)
		}
		for range 2 { // the merge job may run twice after a crash
			if err := s.MergePollBallots(ctx, f.members[0].ID, merged); err != nil {
				t.Fatal(err)
			}
		}
		q := storage.Questionnaire{CommunityID: f.community.ID, Title: "Pain"}
		if err := s.CreateQuestionnaire(ctx, &q, f.members[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.MergePollBallots(ctx, f.members[0].ID, merged); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Questionnaire(ctx, q.ID); err != nil || got.AuthorID != f.members[0].ID {
			t.Fatalf("questionnaire author after linking = %d, %v; want member 0", got.AuthorID, err)
		}
		if err := s.DeleteMergedMember(ctx, merged); err != nil {
			t.Fatal(err)
		}
		ballots, _ := s.Ballots(ctx, p.ID)
		if len(ballots) != 1 || ballots[0].MemberID != f.members[0].ID || ballots[0].Choices[0] != 1 {
			t.Fatalf("ballots after linking = %+v, want one, the later (choice 1), as member 0's", ballots)
		}
		ballots, _ = s.Ballots(ctx, other.ID)
		if len(ballots) != 1 || ballots[0].MemberID != f.members[0].ID {
			t.Fatalf("the merged account's ballot was lost: %+v", ballots)
		}
	})
}

func TestQuestionnaire(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 1)
		q := storage.Questionnaire{CommunityID: f.community.ID, Title: "Pain", BaseCents: 210}
		if err := s.CreateQuestionnaire(ctx, &q, f.members[0].ID); err != nil {
			t.Fatal(err)
		}
		p := storage.Poll{CommunityID: f.community.ID, QuestionnaireID: q.ID, Question: "Farine ?", Kind: storage.PollSingle,
			VoterRole: "member", Choices: []storage.PollChoice{{Label: "Bio", PriceCents: 40}, {Label: "Standard"}}}
		if err := s.CreatePoll(ctx, &p, pollNow, publishJob, closeJob); err != nil {
			t.Fatal(err)
		}
		got, err := s.Questionnaire(ctx, q.ID)
		if err != nil || got.BaseCents != 210 || got.Title != "Pain" || got.AuthorID != f.members[0].ID {
			t.Fatalf("questionnaire = %+v, %v", got, err)
		}
		second := storage.Questionnaire{CommunityID: f.community.ID, Title: "Lait"}
		if err := s.CreateQuestionnaire(ctx, &second, f.members[0].ID); err != nil {
			t.Fatal(err)
		}
		for limit, want := range map[int]string{1: "Lait", 5: "Lait Pain"} {
			list, err := s.Questionnaires(ctx, f.community.ID, limit)
			var titles []string
			for _, q := range list {
				titles = append(titles, q.Title)
			}
			if err != nil || strings.Join(titles, " ") != want {
				t.Errorf("questionnaires (limit %d) = %v, %v; want %s, newest first", limit, titles, err, want)
			}
		}
		polls, err := s.QuestionnairePolls(ctx, q.ID)
		if err != nil || len(polls) != 1 || polls[0].Choices[0].PriceCents != 40 || polls[0].QuestionnaireID != q.ID {
			t.Fatalf("polls = %+v, %v", polls, err)
		}
	})
}

// QuestionnairePollsOf gives, for every questionnaire asked about, what
// QuestionnairePolls gives for it alone, whatever the number of ids.
func TestQuestionnairePollsOf(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 1)
		var qs []storage.Questionnaire
		for _, title := range []string{"Pain", "Lait", "Œufs"} {
			q := storage.Questionnaire{CommunityID: f.community.ID, Title: title, BaseCents: 100}
			if err := s.CreateQuestionnaire(ctx, &q, f.members[0].ID); err != nil {
				t.Fatal(err)
			}
			qs = append(qs, q)
		}
		add := func(q storage.Questionnaire, question string, choices ...storage.PollChoice) storage.Poll {
			t.Helper()
			p := storage.Poll{CommunityID: f.community.ID, QuestionnaireID: q.ID, Question: question, Kind: storage.PollSingle,
				VoterRole: "member", Choices: choices}
			if err := s.CreatePoll(ctx, &p, pollNow, publishJob, closeJob); err != nil {
				t.Fatal(err)
			}
			return p
		}
		// Pain's polls and Œufs' alternate; Lait has none; one poll belongs
		// to no questionnaire.
		add(qs[0], "Farine ?", storage.PollChoice{Label: "Bio", PriceCents: 40}, storage.PollChoice{Label: "Standard"})
		add(qs[2], "Poules ?", storage.PollChoice{Label: "Plein air", PriceCents: 15}, storage.PollChoice{Label: "Sol"})
		closed := add(qs[0], "Taille ?", storage.PollChoice{Label: "Grand", PriceCents: 80}, storage.PollChoice{Label: "Petit", PriceCents: -20},
			storage.PollChoice{Label: "Moyen"})
		deleted := add(qs[0], "Forme ?", storage.PollChoice{Label: "Rond"}, storage.PollChoice{Label: "Long"})
		add(qs[0], "Sel ?", storage.PollChoice{Label: "Oui"}, storage.PollChoice{Label: "Non", PriceCents: -5})
		f.poll(t, s, storage.PollSingle, nil)
		if ok, err := s.ClosePoll(ctx, closed.ID, pollNow, announceJob); err != nil || !ok {
			t.Fatalf("close: %v, %v", ok, err)
		}
		if err := s.DeletePoll(ctx, deleted.ID); err != nil {
			t.Fatal(err)
		}

		// The questionnaires, an unknown one and a repeated one, spread
		// among enough unknown ids to take several statements on SQLite.
		ids := []int64{qs[0].ID, 999999, qs[1].ID, qs[0].ID}
		for i := range 2000 {
			ids = append(ids, int64(1_000_000+i))
		}
		ids = append(ids, qs[2].ID)
		got, err := s.QuestionnairePollsOf(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2000+4 {
			t.Errorf("%d entries for %d distinct ids", len(got), 2000+4)
		}
		for _, id := range ids {
			want, err := s.QuestionnairePolls(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if polls, ok := got[id]; !ok || !reflect.DeepEqual(polls, want) {
				t.Errorf("questionnaire %d: %+v (present %v), want %+v", id, polls, ok, want)
			}
		}
		var questions []string
		for _, p := range got[qs[0].ID] {
			questions = append(questions, fmt.Sprintf("%s %s %d", p.Question, p.Status, len(p.Choices)))
		}
		if strings.Join(questions, ", ") != "Farine ? open 2, Taille ? closed 3, Sel ? open 2" {
			t.Errorf("Pain's polls: %s", strings.Join(questions, ", "))
		}
		if polls := got[qs[1].ID]; polls == nil || len(polls) != 0 {
			t.Errorf("Lait's polls: %#v, want an empty list", polls)
		}

		for _, none := range [][]int64{nil, {}} {
			if got, err := s.QuestionnairePollsOf(ctx, none); err != nil || len(got) != 0 {
				t.Errorf("no ids (%#v): %v, %v", none, got, err)
			}
		}
	})
}

// Concurrent ballots grouped into shared statements each get their own
// answer: stored, replaced, or refused by the rule, and one person still
// has one ballot.
func TestBallotGroupsAnswerEachBallot(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 40)
		p := f.poll(t, s, storage.PollSingle, nil)
		type result struct {
			member   int
			refused  bool
			replaced bool
			err      error
		}
		results := make(chan result, 400)
		var wg sync.WaitGroup
		for round := 0; round < 10; round++ {
			for m := 0; m < 40; m++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := f.rule(p, m)
					refused := m%10 == 9 // these vote in a poll of another community
					if refused {
						r.CommunityID++
					}
					replaced, err := s.CastBallot(ctx, r, []int{m % 3}, pollNow)
					if refused && errors.Is(err, storage.ErrPollNotOpen) {
						err = nil
					} else if refused {
						err = fmt.Errorf("foreign ballot: %v", err)
					}
					results <- result{member: m, refused: refused, replaced: replaced, err: err}
				}()
			}
		}
		wg.Wait()
		close(results)
		firsts := map[int]int{}
		for r := range results {
			if r.err != nil {
				t.Fatal(r.err)
			}
			if !r.refused && !r.replaced {
				firsts[r.member]++
			}
		}
		for m, n := range firsts {
			if n != 1 {
				t.Errorf("member %d was told %d times that the ballot was new", m, n)
			}
		}
		ballots, err := s.Ballots(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ballots) != 36 || len(firsts) != 36 {
			t.Fatalf("%d ballots, %d first ballots; want 36 (4 of 40 voters are foreign)", len(ballots), len(firsts))
		}
		var revisions int
		if err := s.DB().GetContext(ctx, &revisions, `SELECT SUM(revision) FROM poll_ballots WHERE poll_id = $1`, p.ID); err != nil {
			t.Fatal(err)
		}
		if revisions != 360 {
			t.Fatalf("%d writes counted, want 360", revisions)
		}
	})
}

// The edit slot of a poll message is taken once per interval, by one
// claimer among many: what keeps several processes to one edit per
// message per interval between them.

// Closed polls are listed most recently closed first, without open or
// deleted ones.
func TestClosedPolls(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newPollFixture(t, s, 1)
		var ids []int64
		for range 4 {
			ids = append(ids, f.poll(t, s, storage.PollSingle, nil).ID)
		}
		// Closed in the order 3, 1, 2; 4 stays open; 2 is then deleted.
		for i, id := range []int64{ids[2], ids[0], ids[1]} {
			if _, err := s.ClosePoll(ctx, id, pollNow.Add(time.Duration(i)*time.Hour), announceJob); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeletePoll(ctx, ids[1]); err != nil {
			t.Fatal(err)
		}
		for limit, want := range map[int][]int64{1: {ids[0]}, 10: {ids[0], ids[2]}} {
			got, err := s.ClosedPolls(ctx, f.community.ID, limit)
			var gotIDs []int64
			for _, p := range got {
				gotIDs = append(gotIDs, p.ID)
			}
			if err != nil || fmt.Sprint(gotIDs) != fmt.Sprint(want) {
				t.Errorf("closed polls (limit %d) = %v, %v; want %v", limit, gotIDs, err, want)
			}
		}
		if got, err := s.ClosedPolls(ctx, f.community.ID+1, 10); err != nil || len(got) != 0 {
			t.Errorf("closed polls of another community = %+v, %v", got, err)
		}
	})
}
