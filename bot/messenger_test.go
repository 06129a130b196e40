package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/agora-community/agora/bot"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage/storagetest"
)

// plain is a platform with messages only.
type plain struct {
	name    string
	editRef string
	editErr error
}

func (p *plain) Name() string                  { return p.name }
func (p *plain) Run(ctx context.Context) error { <-ctx.Done(); return nil }
func (p *plain) Send(context.Context, string, *commands.Response) (string, error) {
	return "1,2", nil
}
func (p *plain) Edit(context.Context, string, string, *commands.Response) (string, error) {
	return p.editRef, p.editErr
}
func (p *plain) Delete(context.Context, string, string) error { return nil }
func (p *plain) DirectMessage(context.Context, string, *commands.Response) (string, error) {
	return "9", nil
}

// roles is a platform that also grants roles.
type roles struct {
	plain
	granted []string
}

func (r *roles) GrantRole(_ context.Context, groupID, userID, roleID string) error {
	r.granted = append(r.granted, groupID+"/"+userID+"/"+roleID)
	return nil
}

func (r *roles) RevokeRole(context.Context, string, string, string) error {
	return errors.New("refused")
}

func TestPlatformsDispatchToAdapterFeatures(t *testing.T) {
	f := newFixture(t, storagetest.Open(t))
	ctx := context.Background()
	r := &roles{plain: plain{name: "discord"}}
	f.rt.AddPlatform(r)
	f.rt.AddPlatform(&plain{name: "telegram"})
	p := f.rt.Platforms()

	if err := p.GrantRole(ctx, "discord", "g", "u", "amb"); err != nil || len(r.granted) != 1 || r.granted[0] != "g/u/amb" {
		t.Fatalf("grant = %v, granted %v", err, r.granted)
	}
	if err := p.RevokeRole(ctx, "discord", "g", "u", "amb"); err == nil || errors.Is(err, commands.ErrUnsupported) {
		t.Errorf("a failed revoke = %v; want the adapter's error", err)
	}
	tg := commands.ChatAddress{Platform: "telegram", ChatID: "-1"}
	event := commands.ScheduledEvent{Name: "Apéro", Start: time.Now()}
	_, createErr := p.CreateEvent(ctx, "telegram", "-1", event)
	_, linkErr := p.CreateInviteLink(ctx, tg, "x", time.Now().Add(time.Hour))
	for name, err := range map[string]error{
		"grant":  p.GrantRole(ctx, "telegram", "-1", "u", "amb"),
		"revoke": p.RevokeRole(ctx, "telegram", "-1", "u", "amb"),
		"create": createErr,
		"edit":   p.EditEvent(ctx, "telegram", "-1", "1", event),
		"cancel": p.CancelEvent(ctx, "telegram", "-1", "1"),
		"link":   linkErr,
		"remove": p.RemoveMember(ctx, tg, "u"),
	} {
		if !errors.Is(err, commands.ErrUnsupported) {
			t.Errorf("%s on a platform without it: %v, want ErrUnsupported", name, err)
		}
	}
	if err := p.GrantRole(ctx, "matrix", "g", "u", "amb"); !errors.Is(err, commands.ErrUnknownPlatform) {
		t.Errorf("unknown platform: %v", err)
	}
	counts := map[string]float64{}
	families, err := f.rt.Metrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, fam := range families {
		if fam.GetName() != "agora_platform_sends_total" {
			continue
		}
		for _, m := range fam.GetMetric() {
			key := ""
			for _, l := range m.GetLabel() {
				key += l.GetValue() + " "
			}
			counts[key] = m.GetCounter().GetValue()
		}
	}
	for key, want := range map[string]float64{
		"grant_role ok discord ":              1,
		"revoke_role error discord ":          1,
		"grant_role unsupported telegram ":    1,
		"remove_member unsupported telegram ": 1,
	} {
		if counts[key] != want {
			t.Errorf("%q counted %v, want %v (all: %v)", key, counts[key], want, counts)
		}
	}
}

func TestEditPassesTheNewReferenceOn(t *testing.T) {
	f := newFixture(t, storagetest.Open(t))
	ctx := context.Background()
	tg := &plain{name: "telegram", editRef: "1,2,3"}
	f.rt.AddPlatform(tg)
	to := commands.ChatAddress{Platform: "telegram", ChatID: "-1"}
	if ref, err := f.rt.Messenger().Edit(ctx, to, "1,2", commands.Reply("plus long")); err != nil || ref != "1,2,3" {
		t.Errorf("edit = %q, %v; want the adapter's new reference", ref, err)
	}
	// A failed edit may have changed the parts: what is posted now comes back.
	tg.editRef, tg.editErr = "1,2,4", errors.New("part 4 of 4 failed")
	if ref, err := f.rt.Messenger().Edit(ctx, to, "1,2,3", commands.Reply("x")); err == nil || ref != "1,2,4" {
		t.Errorf("failed edit = %q, %v", ref, err)
	}
}

func TestMessageRefs(t *testing.T) {
	if got := bot.MessageRef([]string{"10", "11"}); got != "10,11" {
		t.Errorf("MessageRef = %q", got)
	}
	for ref, want := range map[string]int{"": 0, "10": 1, "10,11,12": 3, " 10 , 11 ,": 2} {
		if got := bot.MessageIDs(ref); len(got) != want {
			t.Errorf("MessageIDs(%q) = %v", ref, got)
		}
	}
}
