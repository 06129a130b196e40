package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/agora-community/agora/storage"
)

// notifier is the runtime's commands.Notifier: PostgreSQL NOTIFY between
// processes, direct calls within this one. Its listening goroutine is run
// by RunNotifications, whose caller owns it.
type notifier struct {
	store *storage.Store
	log   *slog.Logger

	mu   sync.RWMutex
	subs map[string][]func(payload string)
}

func newNotifier(store *storage.Store, log *slog.Logger) *notifier {
	return &notifier{store: store, log: log, subs: map[string][]func(string){}}
}

// topicSeparator cannot appear in a topic name; storage's cache
// notifications use the same.
const topicSeparator = storage.TopicSeparator

func (n *notifier) Notify(ctx context.Context, topic, payload string) error {
	if topic == "" || strings.Contains(topic, topicSeparator) {
		return fmt.Errorf("notify: bad topic %q", topic)
	}
	n.dispatch(topic, payload)
	if err := n.store.Notify(ctx, topic+topicSeparator+payload); err != nil {
		return fmt.Errorf("notify %s: %w", topic, err)
	}
	return nil
}

func (n *notifier) Subscribe(topic string, fn func(payload string)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.subs[topic] = append(n.subs[topic], fn)
}

func (n *notifier) dispatch(topic, payload string) {
	n.mu.RLock()
	subs := n.subs[topic]
	n.mu.RUnlock()
	for _, fn := range subs {
		fn(payload)
	}
}

// everyone tells every subscriber to reload: notifications may have been
// lost while the connection was down.
func (n *notifier) everyone() {
	n.mu.RLock()
	topics := make([]string, 0, len(n.subs))
	for t := range n.subs {
		topics = append(topics, t)
	}
	n.mu.RUnlock()
	for _, t := range topics {
		n.dispatch(t, "")
	}
}

// RunNotifications hears other processes' changes until ctx ends. On
// SQLite there are none, and it returns at once.
func (rt *Runtime) RunNotifications(ctx context.Context) error {
	first := true
	err := rt.notifier.store.Listen(ctx, func() {
		if !first {
			rt.log.Info("notifications reconnected; caches reload")
			rt.notifier.everyone()
		}
		first = false
	}, func(raw string) {
		topic, payload, ok := strings.Cut(raw, topicSeparator)
		if !ok {
			rt.log.Warn("notification without a topic", "payload_length", len(raw))
			return
		}
		rt.notifier.dispatch(topic, payload)
	})
	if errors.Is(err, storage.ErrNoListen) {
		return nil
	}
	return err
}
