package telegram

import (
	"github.com/agora-community/agora/bot"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the adapter's own series, on the registerer it is given.
type metrics struct {
	calls        *prometheus.CounterVec // by method and outcome: ok, retried, failed
	polling      prometheus.Gauge       // 1 while this process holds the poller lease
	queued       prometheus.Gauge       // updates waiting for a worker
	backpressure *prometheus.CounterVec // by mode: poll (waited before fetching), webhook (answered 503)
	duplicates   prometheus.Counter     // updates received again after being claimed
	retaken      prometheus.Counter     // updates taken over from a process that left them
	sweeps       prometheus.Counter     // rounds looking for updates left by processes gone
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agora_telegram_api_calls_total",
			Help: "Bot API calls by method and outcome (ok, retried: failed and tried again, failed: given up).",
		}, []string{"method", "outcome"}),
		polling: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "agora_telegram_polling",
			Help: "1 while this process is the elected Telegram long poller.",
		}),
	}
	m.queued = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "agora_telegram_updates_queued",
		Help: "Telegram updates taken and waiting for a worker.",
	})
	m.backpressure = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "agora_telegram_backpressure_total",
		Help: "Times the update queue was full: poll, polling waited for room before fetching; webhook, an update was refused with 503 for Telegram to deliver again.",
	}, []string{"mode"})
	m.duplicates = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "agora_telegram_updates_duplicate_total",
		Help: "Telegram updates received again after they were claimed, and not handled again.",
	})
	m.retaken = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "agora_telegram_updates_retaken_total",
		Help: "Telegram updates claimed by a process that did not finish them, handled by this one.",
	})
	m.sweeps = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "agora_telegram_sweeps_total",
		Help: "Rounds in which this process, holding its liveness, looked for Telegram updates left by processes gone.",
	})
	var err error
	if m.calls, err = bot.RegisterCollector(reg, m.calls); err != nil {
		return nil, err
	}
	if m.polling, err = bot.RegisterCollector(reg, m.polling); err != nil {
		return nil, err
	}
	if m.queued, err = bot.RegisterCollector(reg, m.queued); err != nil {
		return nil, err
	}
	if m.backpressure, err = bot.RegisterCollector(reg, m.backpressure); err != nil {
		return nil, err
	}
	if m.duplicates, err = bot.RegisterCollector(reg, m.duplicates); err != nil {
		return nil, err
	}
	if m.retaken, err = bot.RegisterCollector(reg, m.retaken); err != nil {
		return nil, err
	}
	if m.sweeps, err = bot.RegisterCollector(reg, m.sweeps); err != nil {
		return nil, err
	}
	return m, nil
}
