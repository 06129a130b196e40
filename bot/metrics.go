package bot

import (
	"github.com/agora-community/agora/storage"
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

// groupCollector exposes the store's grouped writes: requests per group
// is how much a burst gains from grouping (see storage's grouper).
type groupCollector struct {
	store    *storage.Store
	groups   *prometheus.Desc
	requests *prometheus.Desc
}

func newGroupCollector(store *storage.Store) *groupCollector {
	return &groupCollector{
		store: store,
		groups: prometheus.NewDesc("agora_storage_groups_total",
			"Grouped writes to the database (one statement each), by kind.", []string{"kind"}, nil),
		requests: prometheus.NewDesc("agora_storage_grouped_requests_total",
			"Requests written by grouped writes, by kind.", []string{"kind"}, nil),
	}
}

func (c *groupCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.groups
	ch <- c.requests
}

func (c *groupCollector) Collect(ch chan<- prometheus.Metric) {
	for kind, n := range c.store.GroupCounts() {
		ch <- prometheus.MustNewConstMetric(c.groups, prometheus.CounterValue, float64(n.Groups), kind)
		ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(n.Requests), kind)
	}
}
