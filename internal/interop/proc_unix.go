//go:build unix

package interop

import (
	"os/exec"
	"syscall"
)

// ownGroup makes cmd lead a new process group, so that killGroup stops
// whatever it starts as well.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills the process group that cmd leads.
func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
