//go:build !unix

package procs

import "time"

// processCPU is unknown here: the runtime's default stays.
var processCPU func() (time.Duration, error)
