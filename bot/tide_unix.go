//go:build unix

package bot

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// tryRead returns a read of c that never waits (wait is true when nothing
// is there to read), and c's socket. It is nil when c gives no access to
// its socket.
func tryRead(c net.Conn) (try func(p []byte) (n int, err error, wait bool), fd int) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil, 0
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil, 0
	}
	if err := raw.Control(func(s uintptr) { fd = int(s) }); err != nil {
		return nil, 0
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
	}, fd
}

// readable reports which of the sockets fds have something to read (or
// an end, or an error, which their read reports), in one poll(2) that
// does not wait. If poll fails, every socket is reported: its reader
// tries, and waits again if there was nothing.
func readable(fds []int) []bool {
	polled := make([]unix.PollFd, len(fds))
	for i, fd := range fds {
		polled[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	}
	ready := make([]bool, len(fds))
	for {
		_, err := unix.Poll(polled, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		for i := range ready {
			ready[i] = err != nil || polled[i].Revents != 0
		}
		return ready
	}
}
