//go:build !windows

package app

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this ID exists, so that the
// state a killed node left behind does not keep a new one from starting.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
