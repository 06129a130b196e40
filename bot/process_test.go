package bot

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestRegisterCollector(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := prometheus.CounterOpts{Name: "agora_test_total", Help: "A test counter."}
	first, err := RegisterCollector(reg, prometheus.NewCounterVec(opts, []string{"kind"}))
	if err != nil {
		t.Fatal(err)
	}
	// A second adapter on the same registry shares the first one's series.
	second, err := RegisterCollector(reg, prometheus.NewCounterVec(opts, []string{"kind"}))
	if err != nil || second != first {
		t.Fatalf("second registration = %p, %v; want the first collector %p", second, err, first)
	}
	// The same name with other labels is a mistake, reported.
	if _, err := RegisterCollector(reg, prometheus.NewCounterVec(opts, []string{"other"})); err == nil {
		t.Error("a conflicting collector was registered")
	}
}

func TestHolderID(t *testing.T) {
	a, b := HolderID(), HolderID()
	host, _ := os.Hostname()
	if a == b || !strings.HasPrefix(a, fmt.Sprintf("%s-%d-", host, os.Getpid())) {
		t.Errorf("holders %q and %q: want host-pid-random, different each time", a, b)
	}
}
