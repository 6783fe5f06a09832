package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
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
func (s *Host) logRequest(rw *recorder, r *http.Request, d time.Duration) {
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
	s.Logf("%s %s", line, d.Round(time.Microsecond))
}

// writeInternalError answers a request whose handler panicked: with the
// answer of the first service's PanicAnswer that claims the request (the
// hosted UI's pages and OAuth endpoints answer in their own form), else
// InternalErrorException.
func (s *Host) writeInternalError(w http.ResponseWriter, r *http.Request) {
	for _, answer := range s.panicAnswers {
		if answer(w, r) {
			return
		}
	}
	awsproto.WriteError(w, awsproto.Errorf("InternalErrorException", "cognitotest: internal error serving %s %s", r.Method, logPath(r)), http.StatusInternalServerError)
}

// OnPanic adds an answer for requests whose handler panicked: answer
// writes its form of a 500 and returns true for the requests it claims.
// Call it before the host serves.
func (s *Host) OnPanic(answer func(w http.ResponseWriter, r *http.Request) bool) {
	s.panicAnswers = append(s.panicAnswers, answer)
}
