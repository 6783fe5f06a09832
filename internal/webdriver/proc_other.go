//go:build !unix

package webdriver

import (
	"os"
	"os/exec"
)

// setProcessGroup does nothing where process groups do not exist.
func setProcessGroup(cmd *exec.Cmd) {}

// killGroup kills p (the chromedriver this package started).
func killGroup(p *os.Process) {
	if p != nil {
		_ = p.Kill()
	}
}
