package app

import "os"

// processAlive reports whether a process with this ID exists, so that the
// state a killed node left behind does not keep a new one from starting.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid) // fails on Windows when there is no such process
	if err != nil {
		return false
	}
	p.Release()
	return true
}
