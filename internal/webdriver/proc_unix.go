//go:build unix

package webdriver

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup puts the command in a new process group whose ID is its
// PID, so that killGroup also reaches the browser processes it starts.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup kills the process group led by p (the chromedriver this
// package started), then p itself.
func killGroup(p *os.Process) {
	if p == nil {
		return
	}
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	_ = p.Kill()
}
