// Package interop holds the plumbing that cognitokit's interop tests share:
// finding outside programs (moto_server, node, npm, python3, aws), skipping
// with a clear message when one is missing, and failing instead when
// COGNITOKIT_INTEROP=1 (as .ci/run sets it), starting moto_server on a free
// loopback port, and installing npm packages into a cached folder.
//
// Tests only; nothing here is imported by library code.
package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// EnvVar is the environment variable that turns a missing outside program
// from a skip into a failure.
const EnvVar = "COGNITOKIT_INTEROP"

// Required reports whether interop tests must run (COGNITOKIT_INTEROP=1).
func Required() bool { return os.Getenv(EnvVar) == "1" }

// Unavailable skips the test with reason, or fails it when COGNITOKIT_INTEROP=1.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("interop: %s (required because %s=1)", msg, EnvVar)
	}
	t.Skipf("interop: %s; set %s=1 to make this a failure", msg, EnvVar)
}

// LookPath returns the path of program, or skips/fails the test when it is
// not on PATH.
func LookPath(t testing.TB, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		Unavailable(t, "%s not found on PATH", program)
	}
	return p
}

// Python returns a python3 that can import every module in mods, or
// skips/fails the test.
func Python(t testing.TB, mods ...string) string {
	t.Helper()
	py := LookPath(t, "python3")
	if len(mods) > 0 {
		out, err := exec.Command(py, "-c", "import "+strings.Join(mods, ",")).CombinedOutput()
		if err != nil {
			Unavailable(t, "python3 cannot import %s: %s", strings.Join(mods, ", "), strings.TrimSpace(string(out)))
		}
	}
	return py
}

// FreePort returns a free TCP port on 127.0.0.1.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("interop: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Moto starts moto_server on 127.0.0.1 and a free port, waits until it
// answers, stops it when the test ends, and returns its base URL.
//
// The answer must come from the process it started: a free port can be
// taken by another program (another package's moto_server, run in
// parallel by go test) between the choice and moto's bind, and moto then
// exits with "address in use" while the other server answers on that
// port. So readiness also needs the process to be alive and, on Linux, the
// listening socket to be held by it (/proc); otherwise Moto stops it and
// tries another port, three times in all.
func Moto(t testing.TB) string {
	t.Helper()
	bin := LookPath(t, "moto_server")
	return startMoto(t, bin, func() int { return FreePort(t) })
}

// motoReadyTimeout bounds the start of one moto_server.
const motoReadyTimeout = 30 * time.Second

// errNoStart reports a moto_server that cannot be run at all.
var errNoStart = errors.New("does not start")

// startMoto is Moto with the moto_server executable and the choice of
// ports given.
func startMoto(t testing.TB, bin string, nextPort func() int) string {
	t.Helper()
	var tries []string
	for range 3 {
		port := nextPort()
		url, stop, err := tryMoto(bin, port)
		if errors.Is(err, errNoStart) {
			Unavailable(t, "moto_server %v", err)
		}
		if err == nil {
			t.Cleanup(stop)
			return url
		}
		tries = append(tries, fmt.Sprintf("port %d: %v", port, err))
	}
	t.Fatalf("interop: moto_server did not start:\n%s", strings.Join(tries, "\n"))
	return ""
}

// tryMoto starts moto_server on port and waits until it answers as itself.
func tryMoto(bin string, port int) (url string, stop func(), err error) {
	url = fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	ownGroup(cmd)
	logs := &SyncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("%w: %v", errNoStart, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop = func() {
		killGroup(cmd)
		<-exited
	}
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(motoReadyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return "", nil, fmt.Errorf("exited (%v) before it was ready; its output:\n%s", cmd.ProcessState, logs)
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := client.Get(url + "/moto-api/")
		if err != nil {
			continue
		}
		resp.Body.Close()
		owned, err := listenerOwnedBy(cmd.Process.Pid, port)
		if err != nil && !errors.Is(err, errors.ErrUnsupported) {
			stop()
			return "", nil, fmt.Errorf("checking who listens: %w", err)
		}
		if owned || err != nil {
			// Unsupported platforms: the answer counts once the process
			// has outlived it.
			select {
			case <-exited:
				continue
			default:
				return url, stop, nil
			}
		}
		stop()
		return "", nil, fmt.Errorf("another process answers on the port; moto_server's output:\n%s", logs)
	}
	stop()
	return "", nil, fmt.Errorf("no answer within %v; its output:\n%s", motoReadyTimeout, logs)
}

// SyncBuffer is a bytes.Buffer that a process's or a server's output and
// the test may use at once.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *SyncBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *SyncBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var npmMu sync.Mutex

// NPMInstall installs packages (e.g. "amazon-cognito-identity-js@6") into a
// folder cached under the user's cache directory (keyed by the package
// list), and returns that folder; node scripts run with it as their working
// directory resolve the packages. Skips/fails when node or npm is missing or
// the install fails.
func NPMInstall(t testing.TB, packages ...string) string {
	t.Helper()
	LookPath(t, "node")
	npm := LookPath(t, "npm")
	npmMu.Lock()
	defer npmMu.Unlock()
	sum := sha256.Sum256([]byte(strings.Join(packages, "\n")))
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "cognitokit-interop", "npm-"+hex.EncodeToString(sum[:8]))
	marker := filepath.Join(dir, ".installed")
	if _, err := os.Stat(marker); err == nil {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("interop: %v", err)
	}
	// go test runs packages in parallel processes: one installs, the others
	// wait on the lock and then find the marker.
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		t.Fatalf("interop: %v", err)
	}
	defer unlock()
	if _, err := os.Stat(marker); err == nil {
		return dir
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir}, packages...)
	out, err := exec.CommandContext(ctx, npm, args...).CombinedOutput()
	if err != nil {
		Unavailable(t, "npm install %s failed: %v\n%s", strings.Join(packages, " "), err, out)
	}
	if err := os.WriteFile(marker, []byte(strings.Join(packages, "\n")), 0o644); err != nil {
		t.Fatalf("interop: %v", err)
	}
	return dir
}

// Node runs a JavaScript module (source text) with node inside dir (from
// NPMInstall), with extra environment variables, and returns its stdout.
// The test fails with stderr when the script exits non-zero.
func Node(t testing.TB, dir, script string, env ...string) (stdout string, err error) {
	t.Helper()
	node := LookPath(t, "node")
	f := filepath.Join(dir, fmt.Sprintf("script-%d.mjs", time.Now().UnixNano()))
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatalf("interop: %v", err)
	}
	defer os.Remove(f)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, f)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	if err := cmd.Run(); err != nil {
		return so.String(), fmt.Errorf("node: %w: %s", err, strings.TrimSpace(se.String()))
	}
	return so.String(), nil
}

// BuildLambda compiles the Go Lambda in directory dir (relative to the
// test's package) as Lambda's provided runtimes run it: a static
// `bootstrap` built with -tags lambda.norpc, in a temporary directory. It
// uses the Go toolchain that runs the test (else `go` on PATH), and skips
// the test when there is none; a build failure fails it.
func BuildLambda(t testing.TB, dir string) string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Skip("no go tool to build the Lambda in " + dir + " with")
		}
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command(goTool, "build", "-tags", "lambda.norpc", "-o", bin, dir)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}
