package interop

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// helperEnv makes the test binary act as a fake moto_server (see
// TestHelperProcess).
const helperEnv = "COGNITOKIT_INTEROP_TEST_HELPER"

// TestHelperProcess is not a test: run by helperScript, it serves
// "fake moto" on the port of its -p flag, or exits 1 saying the address is
// in use, as moto_server does; in "idle" mode it only waits.
func TestHelperProcess(t *testing.T) {
	switch os.Getenv(helperEnv) {
	case "listen":
	case "idle":
		time.Sleep(time.Minute)
		os.Exit(0)
	default:
		t.Skip("helper process for the other tests")
	}
	var port string
	for i, a := range os.Args {
		if a == "-p" && i+1 < len(os.Args) {
			port = os.Args[i+1]
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Address already in use: %v\n", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "Running on http://127.0.0.1:%s\n", port)
	_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "fake moto") }))
	os.Exit(0)
}

// script writes an executable shell script and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fake-moto")
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755))
	return p
}

// helperScript returns a fake moto_server that really listens.
func helperScript(t *testing.T) string { return helperMode(t, "listen") }

// helperMode returns a fake moto_server: the test binary's helper in mode.
func helperMode(t *testing.T, mode string) string {
	return script(t, fmt.Sprintf("%s=%s exec '%s' -test.run='^TestHelperProcess$' -- \"$@\"", helperEnv, mode, os.Args[0]))
}

// impostor serves "impostor" on 127.0.0.1 and counts its requests.
func impostor(t *testing.T) (port int, hits *atomic.Int64) {
	t.Helper()
	hits = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, "impostor")
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).Port, hits
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

func needsUnixLinux(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("needs /bin/sh and /proc (Linux)")
	}
}

// TestTryMoto covers the readiness rules of one start: the answer must
// come from the process started, which must stay alive.
func TestTryMoto(t *testing.T) {
	needsUnixLinux(t)
	taken, hits := impostor(t)
	cases := []struct {
		name    string
		bin     string
		port    int
		want    string // body at /moto-api/ when it starts
		err     string
		errIs   error
		impHits bool // the impostor was asked
	}{
		{"own server answers", helperScript(t), FreePort(t), "fake moto", "", nil, false},
		{"alive, another server answers on the port", helperMode(t, "idle"), taken, "", "another process answers on the port", nil, true},
		{"exits at once", script(t, "echo boom >&2; exit 3"), FreePort(t), "", "exited (exit status 3) before it was ready; its output:\nboom", nil, false},
		{"cannot run", filepath.Join(t.TempDir(), "missing"), FreePort(t), "", "does not start", errNoStart, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := hits.Load()
			start := time.Now()
			url, stop, err := tryMoto(tc.bin, tc.port)
			assert.Less(t, time.Since(start), 10*time.Second, "decided without waiting for the timeout")
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				if tc.errIs != nil {
					assert.ErrorIs(t, err, tc.errIs)
				}
				assert.Nil(t, stop)
				assert.Equal(t, tc.impHits, hits.Load() > before, "impostor asked")
				return
			}
			require.NoError(t, err)
			defer stop()
			assert.Equal(t, fmt.Sprintf("http://127.0.0.1:%d", tc.port), url)
			assert.Equal(t, tc.want, get(t, url+"/moto-api/"))
		})
	}
}

// TestMotoSkipsAPortAnotherServerHolds: the flake of TestRefreshCommand
// (connection refused from moto) came from Moto accepting whatever
// answered /moto-api/ on its port, such as another package's moto_server,
// while its own moto had failed to bind and exited. Moto now checks that
// the answer comes from its own process and moves to another port. Run
// with a fake moto_server here and with the real one when it is installed.
func TestMotoSkipsAPortAnotherServerHolds(t *testing.T) {
	needsUnixLinux(t)
	cases := []struct {
		name string
		bin  func(t *testing.T) string
		want func(body string) bool
	}{
		{"fake moto_server", helperScript, func(body string) bool { return body == "fake moto" }},
		{"moto_server", func(t *testing.T) string { return LookPath(t, "moto_server") }, func(body string) bool {
			return strings.Contains(strings.ToLower(body), "moto")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bin := tc.bin(t)
			taken, _ := impostor(t)
			ports := []int{taken, FreePort(t)}
			url := startMoto(t, bin, func() int { p := ports[0]; ports = ports[1:]; return p })
			assert.NotEqual(t, fmt.Sprintf("http://127.0.0.1:%d", taken), url, "not the impostor's port")
			body := get(t, url+"/moto-api/")
			assert.NotEqual(t, "impostor", body)
			assert.True(t, tc.want(body), "answer from the server started: %.200q", body)
		})
	}
}

func TestListenerOwnedBy(t *testing.T) {
	needsUnixLinux(t)
	own, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer own.Close()
	ownPort := own.Addr().(*net.TCPAddr).Port

	// A child that listens, and a group whose leader (sh) does not listen
	// but whose member (the helper) does.
	start := func(t *testing.T, args ...string) (*exec.Cmd, int) {
		port := FreePort(t)
		cmd := exec.Command(args[0], append(args[1:], "-p", fmt.Sprint(port))...)
		ownGroup(cmd)
		require.NoError(t, cmd.Start())
		t.Cleanup(func() { killGroup(cmd); _ = cmd.Wait() })
		require.Eventually(t, func() bool {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err == nil {
				c.Close()
			}
			return err == nil
		}, 20*time.Second, 20*time.Millisecond)
		return cmd, port
	}
	helper := helperScript(t)
	child, childPort := start(t, helper)
	group, groupPort := start(t, "/bin/sh", "-c", `"$0" "$@" & wait`, helper)
	closed := FreePort(t)

	cases := []struct {
		name string
		pid  int
		port int
		want bool
	}{
		{"this process, its listener", os.Getpid(), ownPort, true},
		{"this process, a child's listener", os.Getpid(), childPort, false},
		{"the child, its listener", child.Process.Pid, childPort, true},
		{"the child, our listener", child.Process.Pid, ownPort, false},
		{"a group leader, its member's listener", group.Process.Pid, groupPort, true},
		{"a group leader, another listener", group.Process.Pid, childPort, false},
		{"nobody listens", os.Getpid(), closed, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := listenerOwnedBy(tc.pid, tc.port)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestUnavailable(t *testing.T) {
	for _, required := range []bool{false, true} {
		t.Run(fmt.Sprint("required=", required), func(t *testing.T) {
			t.Setenv(EnvVar, map[bool]string{false: "", true: "1"}[required])
			rec := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Unavailable(rec, "%s not found", "thing")
			}()
			<-done
			assert.Equal(t, required, rec.failed)
			assert.Equal(t, !required, rec.skipped)
			if required {
				assert.Equal(t, "interop: thing not found (required because COGNITOKIT_INTEROP=1)", rec.msg)
			} else {
				assert.Equal(t, "interop: thing not found; set COGNITOKIT_INTEROP=1 to make this a failure", rec.msg)
			}
		})
	}
}

// recorder records a Fatalf or Skipf and stops the goroutine as they do.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
