//go:build !unix

package bot

import "net"

// tryRead is unavailable here: connections are read as usual.
func tryRead(net.Conn) func(p []byte) (int, error, bool) { return nil }
