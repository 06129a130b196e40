package telegram

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the adapter's own series, on the registerer it is given.
type metrics struct {
	calls   *prometheus.CounterVec // by method and outcome: ok, retried, failed
	polling prometheus.Gauge       // 1 while this process holds the poller lease
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
	var err error
	if m.calls, err = register(reg, m.calls); err != nil {
		return nil, err
	}
	if m.polling, err = register(reg, m.polling); err != nil {
		return nil, err
	}
	return m, nil
}

// register adds a collector, or reuses the one a previous adapter on the
// same registry registered.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}
