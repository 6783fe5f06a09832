package cognitotest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// recorder is the http.ResponseWriter every handler writes to: it notes
// the status and the operation for the request log, and whether anything
// was written, for the panic handler.
type recorder struct {
	http.ResponseWriter
	status  int
	wrote   bool
	service string // "cognito-idp", "cognito-identity", "query", ... for POST /
	op      string
}

func (rw *recorder) WriteHeader(code int) {
	if !rw.wrote {
		rw.status, rw.wrote = code, true
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if !rw.wrote {
		rw.status, rw.wrote = http.StatusOK, true
	}
	return rw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// noteOp records the service and operation of a POST / for the request
// log.
func noteOp(w http.ResponseWriter, service, op string) {
	if rw, ok := w.(*recorder); ok {
		rw.service, rw.op = service, op
	}
}

// serviceName is the short name of an X-Amz-Target prefix.
func serviceName(prefix string) string {
	switch prefix {
	case "AWSCognitoIdentityProviderService":
		return "cognito-idp"
	case "AWSCognitoIdentityService":
		return "cognito-identity"
	}
	return prefix
}

// logLimit bounds the caller-chosen parts of a log line.
const logLimit = 100

func clip(v string) string {
	if len(v) > logLimit {
		return v[:logLimit] + "..."
	}
	return v
}

// logName is a caller-chosen service or operation name for a log line:
// clipped, anything but letters, digits and "-_:" shown as "?".
func logName(v string) string {
	if v == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_:", r)) {
			return r
		}
		return '?'
	}, clip(v))
}

// logPath is the request's path for a log line: escaped, without the
// query (which may hold a code or a token), and clipped.
func logPath(r *http.Request) string { return clip(r.URL.EscapedPath()) }

// logRequest writes the one log line of a request: method, service and
// operation (POST /) or path, status, error type, duration.
func (s *Server) logRequest(rw *recorder, r *http.Request, d time.Duration) {
	what := logPath(r)
	if rw.service != "" || rw.op != "" {
		what = logName(rw.service) + "." + logName(rw.op)
		if r.URL.Path != "/" {
			what = logPath(r) + " " + what
		}
	}
	status := rw.status
	if !rw.wrote {
		status = http.StatusOK
	}
	line := fmt.Sprintf("cognitotest: %s %s %d", clip(r.Method), what, status)
	if et := rw.Header().Get("X-Amzn-ErrorType"); et != "" && status >= 400 {
		line += " " + clip(et)
	}
	s.logf("%s %s", line, d.Round(time.Microsecond))
}

// hostedUIPath reports whether path is a browser page of the hosted UI
// (answered with an HTML error page), and oauthJSONPath one of its JSON
// endpoints (answered with an OAuth error).
func hostedUIPath(path string) bool {
	switch path {
	case "/login", "/logout", "/error", "/oauth2/authorize", "/oauth2/idpresponse":
		return true
	}
	return false
}

func oauthJSONPath(path string) bool {
	return path == "/oauth2/token" || path == "/oauth2/userInfo" || path == "/oauth2/revoke"
}

// writeInternalError answers a request whose handler panicked, in the
// form its client expects.
func writeInternalError(w http.ResponseWriter, r *http.Request) {
	switch {
	case oauthJSONPath(r.URL.Path):
		writeOAuthError(w, http.StatusInternalServerError, oerr("server_error", "internal error"))
	case hostedUIPath(r.URL.Path):
		renderPage(w, http.StatusInternalServerError, pageData{Title: "An error was encountered with the requested page.", Fatal: "server_error: internal error"})
	default:
		writeError(w, errorf("InternalErrorException", "cognitotest: internal error serving %s %s", r.Method, logPath(r)), http.StatusInternalServerError)
	}
}

// heldLock is s.mu taken by an HTTP handler. The handler defers release
// right after lock, so that a panic that skips its own unlock or save
// cannot leave the server locked.
type heldLock struct {
	s    *Server
	held bool
}

// lock takes s.mu for a handler; defer release on the result.
func (s *Server) lock() *heldLock {
	s.mu.Lock()
	return &heldLock{s: s, held: true}
}

// relock takes s.mu again after unlock or save.
func (l *heldLock) relock() {
	l.s.mu.Lock()
	l.held = true
}

func (l *heldLock) unlock() {
	l.held = false
	l.s.mu.Unlock()
}

// save releases s.mu and persists the state (Server.unlockSave).
func (l *heldLock) save() error {
	l.held = false
	return l.s.unlockSave()
}

// release unlocks s.mu if the handler still holds it.
func (l *heldLock) release() {
	if l.held {
		l.unlock()
	}
}

// hookPanic runs the test-only panic hook at a named point.
func (s *Server) hookPanic(point string) {
	if s.testPanic != nil {
		s.testPanic(point)
	}
}
