//go:build !unix

package bot

import "net"

// tryRead is unavailable here: connections are read as usual.
func tryRead(net.Conn) (func(p []byte) (int, error, bool), int) { return nil, 0 }

// readable is never asked: no connection waits for the tide here.
func readable(fds []int) []bool { return make([]bool, len(fds)) }
