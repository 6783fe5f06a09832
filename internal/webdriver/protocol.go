package webdriver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Errors returned by this package wrap them so callers can
// branch with errors.Is; a WebDriver error answer is also an *Error
// (errors.As) carrying the protocol's error code.
var (
	// ErrNoSuchElement: no element matches the selector (W3C code
	// "no such element"), also after waiting for one to appear.
	ErrNoSuchElement = errors.New("webdriver: no such element")
	// ErrStaleElement: the element is no longer in the page, usually
	// because the page navigated (W3C code "stale element reference").
	ErrStaleElement = errors.New("webdriver: stale element reference")
	// ErrTimeout: a wait (Find, WaitFor, WaitURL) gave up, or the browser
	// reported a timeout (W3C codes "timeout" and "script timeout").
	ErrTimeout = errors.New("webdriver: timeout")
	// ErrJavaScript: a script passed to ExecuteScript threw (W3C code
	// "javascript error").
	ErrJavaScript = errors.New("webdriver: javascript error")
	// ErrNoSuchCookie: the page has no cookie of that name (W3C code
	// "no such cookie").
	ErrNoSuchCookie = errors.New("webdriver: no such cookie")
	// ErrSessionClosed: the browser session has already been deleted.
	ErrSessionClosed = errors.New("webdriver: session closed")
)

// Error is an error answer from chromedriver, as the W3C WebDriver
// specification (section 6.6, "Errors") defines it.
type Error struct {
	// Command is the HTTP method and path relative to the session, for
	// example "POST /element".
	Command string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Code is the W3C error code, for example "no such element".
	Code string
	// Message is the first line of chromedriver's message, without the
	// code it repeats.
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Message == "" || e.Message == e.Code {
		return fmt.Sprintf("webdriver: %s: %s", e.Command, e.Code)
	}
	return fmt.Sprintf("webdriver: %s: %s: %s", e.Command, e.Code, e.Message)
}

// Is makes errors.Is(err, ErrNoSuchElement) and the other sentinels work
// for the matching W3C error codes.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNoSuchElement:
		return e.Code == "no such element"
	case ErrStaleElement:
		return e.Code == "stale element reference"
	case ErrTimeout:
		return e.Code == "timeout" || e.Code == "script timeout"
	case ErrJavaScript:
		return e.Code == "javascript error"
	case ErrNoSuchCookie:
		return e.Code == "no such cookie"
	case ErrSessionClosed:
		return e.Code == "invalid session id"
	}
	return false
}

// elementKey is the W3C web element identifier (section 12.1).
const elementKey = "element-6066-11e4-a52e-4f735466cecf"

// client speaks the WebDriver wire protocol to one chromedriver.
type client struct {
	base string       // http://127.0.0.1:PORT
	http *http.Client // commands, bounded by the page-load timeout and a margin
	diag *http.Client // diagnostics on the failure path, bounded tighter
}

func newClient(base string, timeout time.Duration) *client {
	tr := &http.Transport{
		Proxy:               nil, // chromedriver is on loopback; never go through a proxy
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	return &client{
		base: base,
		http: &http.Client{Transport: tr, Timeout: timeout},
		diag: &http.Client{Transport: tr, Timeout: 15 * time.Second},
	}
}

func (c *client) close() {
	c.http.CloseIdleConnections()
}

// do sends one command. body is JSON-encoded when not nil (POST commands
// always carry a body, "{}" at least); the answer's "value" is decoded into
// out when out is not nil. cmd names the command in errors.
func (c *client) do(method, path, cmd string, body, out any) error {
	return c.doWith(c.http, method, path, cmd, body, out)
}

// doWith is do with a given HTTP client.
func (c *client) doWith(hc *http.Client, method, path, cmd string, body, out any) error {
	var rd io.Reader
	if method == http.MethodPost {
		if body == nil {
			body = struct{}{}
		}
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("webdriver: %s: encoding request: %w", cmd, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("webdriver: %s: %w", cmd, err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver: %s: %w", cmd, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("webdriver: %s: reading answer: %w", cmd, err)
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("webdriver: %s: HTTP %d, answer is not JSON: %.200q", cmd, resp.StatusCode, raw)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(env.Value, &e)
		if e.Error == "" {
			e.Error = "unknown error"
		}
		msg, _, _ := strings.Cut(e.Message, "\n")
		msg = strings.TrimPrefix(strings.TrimSpace(msg), e.Error+": ")
		return &Error{Command: cmd, StatusCode: resp.StatusCode, Code: e.Error, Message: msg}
	}
	if out != nil {
		if err := json.Unmarshal(env.Value, out); err != nil {
			return fmt.Errorf("webdriver: %s: decoding answer: %w", cmd, err)
		}
	}
	return nil
}

// waitError is what a wait returns when it gives up: a message of its own,
// wrapping ErrTimeout and what the last attempt returned.
type waitError struct {
	msg  string
	errs []error
}

func (e *waitError) Error() string   { return e.msg }
func (e *waitError) Unwrap() []error { return e.errs }

func newWaitError(last error, format string, args ...any) error {
	errs := []error{ErrTimeout}
	msg := fmt.Sprintf(format, args...)
	if last != nil {
		errs = append(errs, last)
		msg += ": " + last.Error()
	}
	return &waitError{msg: msg, errs: errs}
}
