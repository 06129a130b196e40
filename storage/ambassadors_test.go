package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/agora-community/agora/model"
	"github.com/agora-community/agora/storage"
	"github.com/agora-community/agora/storage/storagetest"
)

var ambNow = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// ambassadorFixture is a community with an applicant and a moderator.
type ambassadorFixture struct {
	community      storage.Community
	applicant, mod storage.Member
}

func newAmbassadorFixture(t *testing.T, s *storage.Store) ambassadorFixture {
	t.Helper()
	ctx := context.Background()
	_, c, err := s.ResolveChat(ctx, storage.ChatRef{Platform: "discord", GroupID: "g1", ChatID: "c1"}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	lea, err := s.ResolveMember(ctx, c.ID, "discord", "100", "Léa")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := s.ResolveMember(ctx, c.ID, "discord", "200", "Sam")
	if err != nil {
		t.Fatal(err)
	}
	return ambassadorFixture{community: c, applicant: lea, mod: mod}
}

func (f ambassadorFixture) apply(t *testing.T, s *storage.Store, member storage.Member) (model.Application, error) {
	t.Helper()
	a := model.Application{
		CommunityID: f.community.ID, MemberID: member.ID, City: "Saint-Étienne", CityKey: "saint etienne",
		Motivation: "J'aime ma ville", Availability: "Le samedi", Platform: "discord", PlatformUserID: "100", Locale: "fr",
	}
	err := s.CreateApplication(context.Background(), &a, ambNow)
	return a, err
}

func roleOf(t *testing.T, s *storage.Store, communityID int64, userID string) string {
	t.Helper()
	m, err := s.ResolveMember(context.Background(), communityID, "discord", userID, "")
	if err != nil {
		t.Fatal(err)
	}
	return m.Role
}

func TestWelcomeGreetsOnceAndKeepsBothTexts(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newAmbassadorFixture(t, s)
		for i, want := range []bool{true, false} {
			first, err := s.MarkWelcomed(ctx, f.community.ID, f.applicant.ID, ambNow)
			if err != nil || first != want {
				t.Fatalf("greeting %d: first %v, %v; want %v", i, first, err, want)
			}
		}
		texts, err := s.WelcomeTexts(ctx, f.community.ID)
		if err != nil || texts != (model.WelcomeTexts{}) {
			t.Fatalf("texts before any edit: %+v, %v", texts, err)
		}
		if err := s.SetCharter(ctx, f.community.ID, "Respect et entraide", f.mod.ID, ambNow); err != nil {
			t.Fatal(err)
		}
		if err := s.SetWelcomeText(ctx, f.community.ID, "Bienvenue chez nous", f.mod.ID, ambNow); err != nil {
			t.Fatal(err)
		}
		texts, err = s.WelcomeTexts(ctx, f.community.ID)
		if err != nil || texts.Charter != "Respect et entraide" || texts.Welcome != "Bienvenue chez nous" {
			t.Fatalf("texts: %+v, %v", texts, err)
		}
	})
}

func TestApplicationDecidedOnceWithItsHistory(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newAmbassadorFixture(t, s)
		a, err := f.apply(t, s, f.applicant)
		if err != nil || a.ID == 0 || a.Status != model.ApplicationPending {
			t.Fatalf("apply: %+v, %v", a, err)
		}
		if _, err := f.apply(t, s, f.applicant); !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("second open application: %v, want ErrConflict", err)
		}
		open, err := s.OpenApplication(ctx, f.community.ID, f.applicant.ID)
		if err != nil || open.ID != a.ID || open.MemberName != "Léa" || open.City != "Saint-Étienne" {
			t.Fatalf("open application: %+v, %v", open, err)
		}

		// The applicant cannot decide their own application.
		if got, err := s.DecideApplication(ctx, a.ID, model.ApplicationApproved, f.applicant.ID, "", ambNow, model.JobRef{}, time.Time{}); !errors.Is(err, storage.ErrConflict) || got.Status != model.ApplicationPending {
			t.Fatalf("self approval: %+v, %v", got, err)
		}
		grant := model.JobRef{Kind: "ambassador.grant", Payload: "1"}
		got, err := s.DecideApplication(ctx, a.ID, model.ApplicationApproved, f.mod.ID, "", ambNow, grant, ambNow.Add(time.Minute))
		if err != nil || got.Status != model.ApplicationApproved || got.DeciderName != "Sam" || got.DecidedAt == nil {
			t.Fatalf("approve: %+v, %v", got, err)
		}
		if role := roleOf(t, s, f.community.ID, "100"); role != "ambassador" {
			t.Fatalf("role after approval = %q", role)
		}
		jobs, err := s.PendingJobs(ctx)
		if err != nil || len(jobs) != 1 || jobs[0].Kind != grant.Kind || !jobs[0].RunAt.Equal(ambNow.Add(time.Minute)) {
			t.Fatalf("jobs after approval: %+v, %v", jobs, err)
		}
		// A second decision loses and learns who decided.
		late, err := s.DecideApplication(ctx, a.ID, model.ApplicationRejected, f.mod.ID, "trop tard", ambNow, model.JobRef{}, time.Time{})
		if !errors.Is(err, storage.ErrConflict) || late.Status != model.ApplicationApproved || late.DeciderName != "Sam" {
			t.Fatalf("late rejection: %+v, %v", late, err)
		}
		if _, err := f.apply(t, s, f.applicant); !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("an ambassador applied again: %v", err)
		}

		revoked, err := s.RevokeAmbassador(ctx, a.ID, f.mod.ID, "inactif", ambNow.Add(time.Hour), model.JobRef{}, time.Time{})
		if err != nil || revoked.Status != model.ApplicationRevoked || revoked.Reason != "inactif" {
			t.Fatalf("revoke: %+v, %v", revoked, err)
		}
		if role := roleOf(t, s, f.community.ID, "100"); role != "member" {
			t.Fatalf("role after revocation = %q", role)
		}
		if _, err := s.RevokeAmbassador(ctx, a.ID, f.mod.ID, "", ambNow.Add(time.Hour), model.JobRef{}, time.Time{}); !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("second revocation: %v", err)
		}

		// Revoked, the member may apply again; a rejection has its reason.
		again, err := f.apply(t, s, f.applicant)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DecideApplication(ctx, again.ID, model.ApplicationRejected, f.mod.ID, "pas maintenant", ambNow.Add(2*time.Hour), model.JobRef{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		pending, err := s.Applications(ctx, f.community.ID, model.ApplicationPending)
		if err != nil || len(pending) != 0 {
			t.Fatalf("pending: %+v, %v", pending, err)
		}
		history, err := s.AmbassadorDecisions(ctx, f.community.ID, 10)
		if err != nil || len(history) != 3 {
			t.Fatalf("history: %+v, %v", history, err)
		}
		want := []string{model.ApplicationRejected, model.ApplicationRevoked, model.ApplicationApproved}
		for i, h := range history {
			if h.Decision != want[i] || h.DeciderName != "Sam" || h.MemberName != "Léa" {
				t.Errorf("history[%d] = %+v, want %s by Sam", i, h, want[i])
			}
		}
		if history[0].Reason != "pas maintenant" || history[1].Reason != "inactif" {
			t.Errorf("reasons: %q, %q", history[0].Reason, history[1].Reason)
		}
	})
}

// Moderators pressing approve and reject at the same moment make one
// decision, recorded once; every other one is told it was decided.
func TestConcurrentDecisionsMakeOne(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newAmbassadorFixture(t, s)
		a, err := f.apply(t, s, f.applicant)
		if err != nil {
			t.Fatal(err)
		}
		const deciders = 8
		var mods []storage.Member
		for i := range deciders {
			m, err := s.ResolveMember(ctx, f.community.ID, "discord", "mod"+string(rune('a'+i)), "Mod")
			if err != nil {
				t.Fatal(err)
			}
			mods = append(mods, m)
		}
		var wg sync.WaitGroup
		results := make([]error, deciders)
		start := make(chan struct{})
		for i := range deciders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				status := model.ApplicationApproved
				if i%2 == 1 {
					status = model.ApplicationRejected
				}
				_, results[i] = s.DecideApplication(ctx, a.ID, status, mods[i].ID, "raison", ambNow, model.JobRef{}, time.Time{})
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for i, err := range results {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, storage.ErrConflict):
				t.Errorf("decider %d: %v", i, err)
			}
		}
		history, err := s.AmbassadorDecisions(ctx, f.community.ID, 100)
		if won != 1 || err != nil || len(history) != 1 {
			t.Fatalf("%d decisions won, %d recorded (%v); want one", won, len(history), err)
		}
	})
}

func TestAmbassadorActionsAreClaimedOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newAmbassadorFixture(t, s)
		if _, err := s.LinkIdentity(ctx, f.applicant.ID, "telegram", "900", func(a, b string) string { return a }, model.JobRef{Kind: "member.merge"}); err != nil {
			t.Fatal(err)
		}
		a, err := f.apply(t, s, f.applicant)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // recording twice keeps one row per account
			if err := s.EnsureAmbassadorActions(ctx, a.ID, model.ActionGrant, ambNow); err != nil {
				t.Fatal(err)
			}
		}
		claimed, err := s.ClaimAmbassadorActions(ctx, a.ID, model.ActionGrant, ambNow, time.Minute)
		if err != nil || len(claimed) != 2 || claimed[0].Status != model.ActionRunning || claimed[0].Attempts != 1 {
			t.Fatalf("claimed: %+v, %v", claimed, err)
		}
		if again, err := s.ClaimAmbassadorActions(ctx, a.ID, model.ActionGrant, ambNow.Add(time.Second), time.Minute); err != nil || len(again) != 0 {
			t.Fatalf("claimed twice: %+v, %v", again, err)
		}
		var discord, telegram model.AmbassadorAction
		for _, c := range claimed {
			if c.Platform == "discord" {
				discord = c
			} else {
				telegram = c
			}
		}
		if err := s.FinishAmbassadorAction(ctx, discord.ID, model.ActionFailed, "platform", "403 Missing Permissions", ambNow); err != nil {
			t.Fatal(err)
		}
		// The Telegram claimer died: after its lease, another takes it.
		retaken, err := s.ClaimAmbassadorActions(ctx, a.ID, model.ActionGrant, ambNow.Add(2*time.Minute), time.Minute)
		if err != nil || len(retaken) != 1 || retaken[0].ID != telegram.ID || retaken[0].Attempts != 2 {
			t.Fatalf("retaken: %+v, %v", retaken, err)
		}
		if err := s.FinishAmbassadorAction(ctx, telegram.ID, model.ActionDone, "", "", ambNow); err != nil {
			t.Fatal(err)
		}
		failed, err := s.AmbassadorAction(ctx, discord.ID)
		if err != nil || failed.Status != model.ActionFailed || failed.Detail != "403 Missing Permissions" {
			t.Fatalf("failed action: %+v, %v", failed, err)
		}
		if n, err := s.RetryAmbassadorActions(ctx, a.ID, model.ActionGrant, ambNow); err != nil || n != 1 {
			t.Fatalf("retry: %d, %v", n, err)
		}
		retried, err := s.ClaimAmbassadorActions(ctx, a.ID, model.ActionGrant, ambNow.Add(3*time.Minute), time.Minute)
		if err != nil || len(retried) != 1 || retried[0].ID != discord.ID {
			t.Fatalf("retried: %+v, %v", retried, err)
		}
		all, err := s.AmbassadorActions(ctx, a.ID, model.ActionGrant)
		if err != nil || len(all) != 2 {
			t.Fatalf("actions: %+v, %v", all, err)
		}
		if revokes, err := s.AmbassadorActions(ctx, a.ID, model.ActionRevoke); err != nil || len(revokes) != 0 {
			t.Fatalf("revoke actions: %+v, %v", revokes, err)
		}
	})
}

func TestStepsAndRemindersAreRecordedOnce(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newAmbassadorFixture(t, s)
		a, err := f.apply(t, s, f.applicant)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DecideApplication(ctx, a.ID, model.ApplicationApproved, f.mod.ID, "", ambNow, model.JobRef{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			if fresh, err := s.MarkAmbassadorStep(ctx, a.ID, model.StepCharter, 0, ambNow.Add(time.Duration(i)*time.Hour)); err != nil || fresh != want {
				t.Fatalf("mark %d: %v, %v", i, fresh, err)
			}
		}
		if _, err := s.MarkAmbassadorStep(ctx, a.ID, model.StepMeetupAttended, f.mod.ID, ambNow.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		steps, err := s.ApplicationSteps(ctx, a.ID)
		if err != nil || len(steps) != 2 || steps[0].Step != model.StepCharter || !steps[0].DoneAt.Equal(ambNow) ||
			steps[0].MarkedBy != 0 || steps[1].MarkedBy != f.mod.ID {
			t.Fatalf("steps: %+v, %v", steps, err)
		}
		if all, err := s.CommunityAmbassadorSteps(ctx, f.community.ID); err != nil || len(all) != 2 {
			t.Fatalf("community steps: %+v, %v", all, err)
		}
		for i, want := range []bool{true, false} {
			if first, err := s.RecordAmbassadorNudge(ctx, a.ID, model.StepIntroduce, ambNow); err != nil || first != want {
				t.Fatalf("nudge %d: %v, %v", i, first, err)
			}
		}
	})
}

// Linking two accounts that each applied keeps one open application and
// moves the rest; running the merge again changes nothing.
func TestMergeAmbassadorsKeepsOneOpenApplication(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newAmbassadorFixture(t, s)
		other, err := s.ResolveMember(ctx, f.community.ID, "telegram", "900", "Léa T")
		if err != nil {
			t.Fatal(err)
		}
		older, err := f.apply(t, s, f.applicant)
		if err != nil {
			t.Fatal(err)
		}
		newer, err := f.apply(t, s, other)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DecideApplication(ctx, newer.ID, model.ApplicationApproved, f.mod.ID, "", ambNow, model.JobRef{}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.MarkWelcomed(ctx, f.community.ID, other.ID, ambNow); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := s.MergeAmbassadors(ctx, f.applicant.ID, other.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.MergeWelcome(ctx, f.applicant.ID, other.ID); err != nil {
				t.Fatal(err)
			}
		}
		open, err := s.OpenApplication(ctx, f.community.ID, f.applicant.ID)
		if err != nil || open.ID != newer.ID || open.Status != model.ApplicationApproved {
			t.Fatalf("open after merge: %+v, %v (want the approved one)", open, err)
		}
		if a, err := s.Application(ctx, older.ID); err != nil || a.Status != model.ApplicationWithdrawn || a.MemberID != f.applicant.ID {
			t.Fatalf("older after merge: %+v, %v", a, err)
		}
		if first, err := s.MarkWelcomed(ctx, f.community.ID, f.applicant.ID, ambNow); err != nil || first {
			t.Fatalf("the merged member is greeted again: %v, %v", first, err)
		}
	})
}
