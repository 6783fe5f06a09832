package webdriver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// driverProc is a chromedriver process this package started.
type driverProc struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{} // closed once cmd.Wait returned
	logs *lockedBuffer
}

func (d *driverProc) output() string { return d.logs.String() }

func (d *driverProc) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// stop kills chromedriver and everything left in its process group (the
// browser processes it started), by the PID it was started with, and
// waits for it.
func (d *driverProc) stop() {
	killGroup(d.cmd.Process)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
	}
}

// startDriver starts chromedriver on 127.0.0.1 and a free port and waits
// until /status reports it ready. A port taken between choosing and
// binding it makes chromedriver exit; it then tries another port.
func startDriver(t testing.TB, bin string) (*driverProc, error) {
	t.Helper()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, fmt.Errorf("webdriver: free port: %w", err)
		}
		d := &driverProc{
			url:  "http://127.0.0.1:" + strconv.Itoa(port),
			done: make(chan struct{}),
			logs: &lockedBuffer{},
		}
		// Without --allowed-ips chromedriver accepts local connections only.
		d.cmd = exec.Command(bin, "--port="+strconv.Itoa(port))
		d.cmd.Stdout, d.cmd.Stderr = d.logs, d.logs
		d.cmd.WaitDelay = 2 * time.Second // browser processes may hold the output pipe
		setProcessGroup(d.cmd)
		if err := d.cmd.Start(); err != nil {
			return nil, fmt.Errorf("webdriver: starting %s: %w", bin, err)
		}
		go func() {
			_ = d.cmd.Wait()
			close(d.done)
		}()
		err = waitReady(d, 20*time.Second)
		if err == nil {
			return d, nil
		}
		d.stop()
		lastErr = err
		if !d.exited() {
			break
		}
	}
	return nil, lastErr
}

// waitReady polls GET /status until chromedriver says ready, it exits, or
// the time is up.
func waitReady(d *driverProc, limit time.Duration) error {
	hc := &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 2 * time.Second}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(limit)
	for {
		if d.exited() {
			return fmt.Errorf("webdriver: chromedriver exited before it was ready on %s; its output:\n%s", d.url, d.output())
		}
		ready, err := status(hc, d.url)
		if ready {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("webdriver: chromedriver not ready on %s within %s (last: %v); its output:\n%s", d.url, limit, err, d.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func status(hc *http.Client, base string) (bool, error) {
	resp, err := hc.Get(base + "/status")
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return false, err
	}
	var st struct {
		Value struct {
			Ready   bool   `json:"ready"`
			Message string `json:"message"`
		} `json:"value"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return false, fmt.Errorf("status: %w", err)
	}
	if !st.Value.Ready {
		return false, errors.New("status: not ready: " + st.Value.Message)
	}
	return true, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
