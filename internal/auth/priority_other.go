//go:build !linux

package auth

import "errors"

func lowerThreadPriority() error { return errors.New("thread priority is only set on Linux") }

func threadNice() (int, error) { return 0, errors.New("thread priority is only read on Linux") }
