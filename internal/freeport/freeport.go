// Package freeport finds loopback addresses for tests that start Agora
// as a process listening on an address they choose.
package freeport

import (
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Addr returns a loopback address nobody listens on, its port below the
// range the kernel hands out to outgoing connections. A port from that
// range, free when checked, was now and then taken by one of the test's
// own connections before Agora could listen on it ("address already in
// use").
func Addr(t testing.TB) string {
	t.Helper()
	low := ephemeralLow()
	for range 100 {
		port := low - 1 - rand.IntN(low/2)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}
	t.Fatal("no free loopback port below the ephemeral range")
	return ""
}

// ephemeralLow is the first port the kernel may hand out to an outgoing
// connection, Linux's default when it cannot be read.
func ephemeralLow() int {
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if low, err := strconv.Atoi(f[0]); err == nil && low >= 2048 {
				return low
			}
		}
	}
	return 32768
}
