package polls_test

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-community/agora/bot/console/consoletest"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
)

const benchMembers = 1000

// benchVoters are the concurrent voters each benchmark runs with.
var benchVoters = []int{8, 64}

func parallelism(voters int) int { return max(1, voters/runtime.GOMAXPROCS(0)) }

// BenchmarkVotePath drives the whole vote path: a neutral button press →
// runtime Handle (resolve chat and member, authorize) → poll handler →
// one ballot upsert → localized reply. Compare with BenchmarkVoteSQL, which
// runs the same upsert directly. Run on PostgreSQL with TEST_DATABASE_URL.
func BenchmarkVotePath(b *testing.B) {
	for _, voters := range benchVoters {
		b.Run(fmt.Sprintf("voters=%d", voters), func(b *testing.B) {
			env := consoletest.New(b)
			env.Run(b, `/sondage creer question:"Q" choix:"A | B | C"`)
			ctx := context.Background()
			// Every member has spoken once, as in a live community.
			for i := 0; i < benchMembers; i++ {
				vote(ctx, env, i, "p/v/1/0")
			}
			var n atomic.Int64
			b.SetParallelism(parallelism(voters))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(n.Add(1))
					if r := vote(ctx, env, i%benchMembers, "p/v/1/"+strconv.Itoa(i%3)); !r.Ephemeral || len(r.Text) == 0 {
						b.Errorf("vote refused: %q", r.Text)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
		})
	}
}

func vote(ctx context.Context, env *consoletest.Env, member int, route string) *commands.Response {
	return env.Runtime.Handle(ctx, &commands.Request{
		Platform: commands.PlatformConsole,
		Chat:     commands.Chat{ID: "general", GroupID: "console", Title: "general"},
		User:     commands.User{ID: "u" + strconv.Itoa(member), Name: "u" + strconv.Itoa(member)},
		Action:   &commands.Action{Route: route},
	})
}

// benchRules prepares a poll voted on once by every member and returns
// the ballot rules of those members.
func benchRules(b *testing.B) (*consoletest.Env, []storage.BallotRule) {
	env := consoletest.New(b)
	env.Run(b, `/sondage creer question:"Q" choix:"A | B | C"`)
	ctx := context.Background()
	_, community, err := env.Store.ResolveChat(ctx, storage.ChatRef{Platform: commands.PlatformConsole, GroupID: "console", ChatID: "general"}, storage.CommunityDefaults{})
	if err != nil {
		b.Fatal(err)
	}
	rules := make([]storage.BallotRule, benchMembers)
	for i := range rules {
		vote(ctx, env, i, "p/v/1/0")
		m, err := env.Store.ResolveMember(ctx, community.ID, commands.PlatformConsole, "u"+strconv.Itoa(i), "")
		if err != nil {
			b.Fatal(err)
		}
		rules[i] = storage.BallotRule{PollID: 1, CommunityID: community.ID, MemberID: m.ID, Kind: storage.PollSingle}
	}
	return env, rules
}

// BenchmarkVoteSQL runs the ballot statement of the vote path alone, one
// statement (and one commit) per ballot: what the path would cost without
// grouping, with none of the runtime around it.
func BenchmarkVoteSQL(b *testing.B) {
	for _, voters := range benchVoters {
		b.Run(fmt.Sprintf("voters=%d", voters), func(b *testing.B) {
			env, rules := benchRules(b)
			ctx := context.Background()
			db := env.Store.DB()
			query := storage.CastBallotSQL()
			var n atomic.Int64
			b.SetParallelism(parallelism(voters))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(n.Add(1))
					r := rules[i%benchMembers]
					var revision int
					if err := db.QueryRowContext(ctx, query, r.PollID, r.MemberID, strconv.Itoa(i%3), time.Now().UTC(),
						r.CommunityID, r.Kind, r.Role).Scan(&revision); err != nil {
						b.Error(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
		})
	}
}

// BenchmarkVoteGroupedSQL runs the storage call the vote path makes (the
// ballot batcher, grouping concurrent ballots into one statement) without
// the runtime and handler: the fair ceiling for BenchmarkVotePath.
func BenchmarkVoteGroupedSQL(b *testing.B) {
	for _, voters := range benchVoters {
		b.Run(fmt.Sprintf("voters=%d", voters), func(b *testing.B) {
			env, rules := benchRules(b)
			ctx := context.Background()
			var n atomic.Int64
			b.SetParallelism(parallelism(voters))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(n.Add(1))
					if _, err := env.Store.CastBallot(ctx, rules[i%benchMembers], []int{i % 3}, time.Now()); err != nil {
						b.Error(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
		})
	}
}
