package main

import "syscall"

// childAttr makes a child process die with the test process (Linux: the parent-death signal),
// so that a test that fails or is killed leaves no server or worker behind.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
