//go:build !linux

package main

import "syscall"

// childAttr: elsewhere than on Linux, the children are ended by the tests' cleanups only.
func childAttr() *syscall.SysProcAttr { return nil }
