package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/agora-community/agora/bot/retry"
	"github.com/agora-community/agora/commands"
	"github.com/agora-community/agora/storage"
)

// Several processes, one shard. Discord delivers every event of a shard to
// every connection identified for it, so two processes started with the
// same DISCORD_SHARD_ID would each handle every interaction. A process
// therefore connects its shard only while it holds the shard's lease in the
// database; the others wait, and take over when the holder stops (at once)
// or dies. The lease is held with the process's liveness (see
// storage.Liveness), which the database drops the moment the process is
// killed: the next process to try, within ShardLeaseRenew, takes the lease
// without waiting for it to expire. Only a holder whose liveness is
// unknown (an older version, or a process whose liveness session is lost)
// is waited for until its lease expires. HTTP interactions need no lease:
// each request reaches one process, and every process serves them, holder
// or not.

// shardLease names this process's shard in the leases table.
func (a *Adapter) shardLease() string {
	return fmt.Sprintf("discord.shard.%d/%d", a.cfg.ShardID, a.cfg.ShardCount)
}

// Run serves until ctx ends: it waits for its shard's lease, publishes the
// commands (shard 0 only, so shards do not race), opens the gateway, and
// keeps it open while it holds the lease; a lost lease closes the
// connection and Run waits for the shard again. Interactions being handled
// are finished before it returns. A gateway that never becomes ready (a
// revoked token, a privileged intent not enabled in the developer portal)
// is an error rather than a silent retry loop.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.cancelWork()
	// The liveness first: a lease taken without it would be waited for
	// until it expires. Released last, once the lease is released (by
	// serveShard), so the lease never names a liveness gone while its
	// holder still has the shard.
	live, err := a.cfg.Store.HoldLiveness(ctx, a.holder)
	if err != nil {
		a.stop()
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return fmt.Errorf("discord: %w", err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := live.Release(rctx); err != nil {
			a.log.Warn("release the liveness; it ends with the process", "error", err)
		}
	}()
	forgetCtx, stopForgetting := context.WithCancel(ctx)
	forgotten := make(chan struct{})
	go func() { // owned by Run, which waits for it below
		defer close(forgotten)
		a.forgetOldInteractions(forgetCtx)
	}()
	defer func() {
		stopForgetting()
		<-forgotten
	}()

	lease := a.shardLease()
	published := false
	for {
		if !a.awaitShard(ctx, lease, live) {
			a.stop()
			return nil
		}
		if a.cfg.ShardID == 0 && !published {
			published = true
			if err := a.PublishCommands(ctx); err != nil {
				// Old commands keep working; a bad token shows up at Open below.
				a.logFailure("publish commands", err)
			}
		}
		if err := a.serveShard(ctx, lease, live); err != nil {
			a.stop()
			return err
		}
		if ctx.Err() != nil {
			a.stop()
			return nil
		}
	}
}

// awaitShard takes the shard's lease, waiting while another process holds
// it. It reports false when ctx ended first.
func (a *Adapter) awaitShard(ctx context.Context, lease string, live *storage.Liveness) bool {
	waiting := false
	for ctx.Err() == nil {
		held, err := a.acquire(ctx, lease, live)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("acquire the shard lease", "shard", a.cfg.ShardID, "error", err)
		case held:
			if waiting {
				a.log.Info(fmt.Sprintf("shard %d taken over from another process", a.cfg.ShardID), "shard", a.cfg.ShardID, "shards", a.cfg.ShardCount)
			}
			return true
		case err == nil && !waiting:
			waiting = true
			a.log.Info(fmt.Sprintf("shard %d held by another process; waiting", a.cfg.ShardID), "shard", a.cfg.ShardID, "shards", a.cfg.ShardCount)
		}
		if retry.Sleep(ctx, a.cfg.ShardLeaseRenew) != nil {
			return false
		}
	}
	return false
}

// acquire takes or renews the lease, within one renewal period so a slow
// database cannot let the lease run out unnoticed. It first checks the
// liveness, taking it again when its session was lost (a database
// restart): a lease held with a liveness gone is taken by the next process
// to try, so without this a live holder would lose its shard at every
// renewal. While the liveness cannot be taken again, the lease is held
// without it, going by expiry alone, rather than handed to the others as
// if this process were dead. live is checked by one goroutine at a time:
// awaitShard's, then renewShard's, which serveShard waits for.
func (a *Adapter) acquire(ctx context.Context, lease string, live *storage.Liveness) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.ShardLeaseRenew)
	defer cancel()
	retaken, err := live.Check(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		return false, fmt.Errorf("check the liveness: %w", err)
	case err != nil:
		a.log.Error("this process does not hold its liveness: its shard lease is held until it expires", "shard", a.cfg.ShardID, "error", err)
		return a.cfg.Store.AcquireLease(ctx, lease, a.holder, time.Now(), a.cfg.ShardLeaseTTL)
	case retaken:
		a.log.Warn("the database session telling other processes this one is alive was lost; taken again", "shard", a.cfg.ShardID)
	}
	return a.cfg.Store.AcquireLiveLease(ctx, lease, live, time.Now(), a.cfg.ShardLeaseTTL)
}

// serveShard holds the gateway connection while this process holds the
// lease. It returns nil when ctx ends or the lease is lost, after closing
// the connection and then releasing the lease; it returns an error when
// the gateway refuses Agora.
func (a *Adapter) serveShard(ctx context.Context, lease string, live *storage.Liveness) error {
	lctx, lose := context.WithCancel(ctx)
	defer lose()
	renewed := make(chan struct{})
	go func() { // owned by serveShard, which waits for it below
		defer close(renewed)
		defer lose()
		a.renewShard(lctx, lease, live)
	}()
	a.shardHeld.Set(1)
	defer func() {
		lose()
		<-renewed
		a.shardHeld.Set(0)
		// The connection is closed by now: the next holder may open its own.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := a.cfg.Store.ReleaseLease(rctx, lease, a.holder); err != nil {
			a.log.Warn("release the shard lease", "shard", a.cfg.ShardID, "error", err)
		}
	}()

	ready := make(chan struct{})
	var once sync.Once
	g := &gateway{
		identify: a.s.Identify, locate: a.locateGateway, dialer: a.dialer, log: a.log,
		dispatch: func(event string, d json.RawMessage) {
			// A reopened session may resume (RESUMED) rather than identify (READY).
			if event == "READY" || event == "RESUMED" {
				once.Do(func() { close(ready) })
			}
			a.onGatewayEvent(event, d)
		},
		reconnecting: func(reason string) { a.reconnects.WithLabelValues(reason).Inc() },
	}
	ended := make(chan error, 1)
	go func() { ended <- g.run(lctx) }() // owned by serveShard, which waits for it below
	timer := time.NewTimer(a.cfg.ReadyTimeout)
	defer timer.Stop()
	select {
	case <-ready:
		a.log.Info("connected to Discord", "shard", a.cfg.ShardID, "shards", a.cfg.ShardCount, "intents", a.Intents())
	case err := <-ended:
		if err == nil { // ctx ended first
			return nil
		}
		return a.notAccepted(fmt.Errorf("refused Agora: %w", err))
	case <-timer.C:
		lose()
		<-ended
		return a.notAccepted(fmt.Errorf("did not accept Agora within %v", a.cfg.ReadyTimeout))
	}
	if err := <-ended; err != nil {
		return a.notAccepted(fmt.Errorf("refused Agora: %w", err))
	}
	if ctx.Err() == nil {
		a.log.Warn(fmt.Sprintf("shard %d lost to another process; closing its connection", a.cfg.ShardID), "shard", a.cfg.ShardID)
	}
	return nil
}

// notAccepted names what to check when the gateway did not take Agora: a
// wrong token or an intent not enabled in the developer portal; a close
// code in cause says which.
func (a *Adapter) notAccepted(cause error) error {
	return fmt.Errorf("the Discord gateway %w: check DISCORD_TOKEN, and that the privileged intents Agora asks for (intents %d) are enabled on the Bot page of the developer portal", cause, a.Intents())
}

// locateGateway asks Discord where to connect a new session (GET /gateway,
// which DISCORD_GATEWAY_URL overrides).
func (a *Adapter) locateGateway(ctx context.Context) (string, error) {
	u, err := a.s.Gateway(discordgo.WithContext(ctx))
	if err != nil {
		return "", errors.New(redact(err.Error(), a.cfg.Token))
	}
	return u, nil
}

// renewShard renews the lease until ctx ends, the lease is taken by
// another process, or renewals failed long enough that it may have
// expired: the connection must close before another process opens its own.
func (a *Adapter) renewShard(ctx context.Context, lease string, live *storage.Liveness) {
	last := time.Now()
	t := time.NewTicker(a.cfg.ShardLeaseRenew)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		held, err := a.acquire(ctx, lease, live)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("renew the shard lease", "shard", a.cfg.ShardID, "error", err)
			if time.Since(last) > a.cfg.ShardLeaseTTL-a.cfg.ShardLeaseRenew {
				return
			}
		case err == nil && !held:
			return
		case err == nil:
			last = time.Now()
		}
	}
}

// forgetOldInteractions drops, now and then, the interaction IDs Discord
// can no longer deliver again. Every process does it; it is one DELETE.
func (a *Adapter) forgetOldInteractions(ctx context.Context) {
	every := min(a.cfg.InteractionMemory/4, 10*time.Minute)
	for retry.Sleep(ctx, every) == nil {
		fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := a.cfg.Store.ForgetInteractions(fctx, commands.PlatformDiscord, time.Now().Add(-a.cfg.InteractionMemory))
		cancel()
		if err != nil && ctx.Err() == nil {
			a.log.Warn("forget old interactions", "error", err)
		}
	}
}
