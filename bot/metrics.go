package bot

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the runtime's Prometheus series. Each runtime has its own
// registry, so tests and several runtimes in one process never collide.
type Metrics struct {
	Registry        *prometheus.Registry
	Requests        *prometheus.CounterVec
	RequestDuration *prometheus.HistogramVec
	Jobs            *prometheus.CounterVec
	Sends           *prometheus.CounterVec
}

func newMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agora_requests_total",
			Help: "Commands and actions handled, by platform, command and outcome (ok, user_error, internal_error).",
		}, []string{"platform", "command", "outcome"}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "agora_request_duration_seconds",
			Help:    "Time from a neutral request to its response, by platform.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"platform"}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agora_jobs_total",
			Help: "Scheduled jobs run, by kind and outcome.",
		}, []string{"kind", "outcome"}),
		Sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "agora_platform_sends_total",
			Help: "Platform calls made outside replies (messages sent, edited or deleted; roles, events, invite links, removals), by platform, operation and outcome (ok, error, unsupported).",
		}, []string{"platform", "op", "outcome"}),
	}
	m.Registry.MustRegister(m.Requests, m.RequestDuration, m.Jobs, m.Sends,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
