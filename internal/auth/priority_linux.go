package auth

import "golang.org/x/sys/unix"

// lowerThreadPriority sets the calling thread's nice value to 19. On Linux
// setpriority with a thread id applies to that thread alone.
func lowerThreadPriority() error {
	return unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 19)
}

// threadNice reports the calling thread's nice value.
func threadNice() (int, error) {
	// The raw syscall returns 20 − nice (glibc undoes this); x/sys/unix
	// returns the raw value.
	p, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	return 20 - p, err
}
