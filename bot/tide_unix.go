//go:build unix

package bot

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// tryRead returns a read of c that never waits: wait is true when nothing
// is there to read. It is nil when c gives no access to its socket.
func tryRead(c net.Conn) func(p []byte) (n int, err error, wait bool) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func(p []byte) (int, error, bool) {
		if len(p) == 0 {
			return 0, nil, false
		}
		var n int
		var rerr error
		err := raw.Read(func(fd uintptr) bool {
			for {
				n, rerr = syscall.Read(int(fd), p)
				if !errors.Is(rerr, syscall.EINTR) {
					return true // done, whatever came: the caller decides how to wait
				}
			}
		})
		switch {
		case err != nil: // closed, or the deadline passed: the usual read says which, in its words
			n, err := c.Read(p)
			return n, err, false
		case errors.Is(rerr, syscall.EAGAIN) || errors.Is(rerr, syscall.EWOULDBLOCK):
			return 0, nil, true
		case rerr != nil:
			return 0, &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Source: c.LocalAddr(),
				Addr: c.RemoteAddr(), Err: os.NewSyscallError("read", rerr)}, false
		case n == 0:
			return 0, io.EOF, false
		}
		return n, nil, false
	}
}
