package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/awsmodel"
	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
	"github.com/cognitokit/cognitokit/internal/emulator/requestid"
)

// Config is what the host's owner (cognitotest) gives it.
type Config struct {
	// Region names the emulated region; default "us-east-1".
	Region string
	// Clock is the time source; default the wall clock. Advance adds an
	// offset on top of it.
	Clock func() time.Time
	// Rand is the source of every random value. It need not be safe for
	// concurrent use: the host serialises reads (Host.Rand).
	Rand io.Reader
	// StatePath, when set, is the file the state of every section is
	// persisted to after each mutation and reloaded from by Load.
	StatePath string
	// Logf, when set, receives one line per operation (never a secret).
	Logf func(format string, args ...any)
	// AllowUnsigned accepts non-public operations without a SigV4
	// Authorization header, and does not check the shape of one that is
	// sent.
	AllowUnsigned bool
	// CORSOrigins are the browser origins (scheme://host[:port]) that may
	// call the emulator cross-origin besides the loopback ones (see
	// guard.go).
	CORSOrigins []string
}

// Host is the emulator's core: one HTTP handler in front of the services
// registered on it, and what they share (clock, randomness, base URL,
// persistence). It knows the services only through their registrations.
// A Host is safe for concurrent use once it serves; registration happens
// before.
type Host struct {
	cfg  Config
	rand lockedReader

	mux      *http.ServeMux
	targets  map[string]*Target
	queries  map[string]http.Handler
	prefixes []prefixRoute

	clockMu sync.Mutex
	offset  time.Duration

	urlMu   sync.Mutex
	url     string // set by SetURL
	baseURL string // as seen by the first request when url is empty

	store persister

	corsOrigins  map[string]bool // canonical Config.CORSOrigins
	panicAnswers []func(w http.ResponseWriter, r *http.Request) bool
	// replies remembers the last answers to mutating operations by SDK
	// invocation ID, so that a retry is answered, not run again.
	replies replyCache
}

// New returns a Host with no service registered. It fails when
// Config.CORSOrigins holds an origin that is not scheme://host[:port].
func New(cfg Config) (*Host, error) {
	origins, err := validateCORSOrigins(cfg.CORSOrigins)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Rand == nil {
		cfg.Rand = cryptoRand
	}
	h := &Host{cfg: cfg, rand: lockedReader{r: cfg.Rand, mu: new(sync.Mutex)}, corsOrigins: origins,
		mux: http.NewServeMux(), targets: map[string]*Target{}, queries: map[string]http.Handler{}}
	h.store.path = cfg.StatePath
	h.store.logf = h.Logf
	h.mux.HandleFunc("POST /{$}", h.serveRoot)
	h.mux.HandleFunc("/", h.serveNotFound)
	return h, nil
}

// MustNew is New for configurations known to be valid (tests): it panics
// on error.
func MustNew(cfg Config) *Host {
	h, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return h
}

// Region returns the emulated region.
func (h *Host) Region() string { return h.cfg.Region }

// AllowUnsigned reports Config.AllowUnsigned.
func (h *Host) AllowUnsigned() bool { return h.cfg.AllowUnsigned }

// Logf logs through Config.Logf, when set.
func (h *Host) Logf(format string, args ...any) {
	if h.cfg.Logf != nil {
		h.cfg.Logf(format, args...)
	}
}

// Rand returns the host's random source, safe for concurrent use.
func (h *Host) Rand() io.Reader { return h.rand }

type lockedReader struct {
	r  io.Reader
	mu *sync.Mutex
}

func (l lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return io.ReadFull(l.r, p)
}

// Now returns the host's time: Config.Clock (or the wall clock) plus
// everything passed to Advance, in UTC.
func (h *Host) Now() time.Time {
	h.clockMu.Lock()
	off := h.offset
	h.clockMu.Unlock()
	var t time.Time
	if h.cfg.Clock != nil {
		t = h.cfg.Clock()
	} else {
		t = time.Now()
	}
	return t.Add(off).UTC()
}

// Advance moves the clock by d.
func (h *Host) Advance(d time.Duration) {
	h.clockMu.Lock()
	h.offset += d
	h.clockMu.Unlock()
}

// URL returns the externally visible base URL without a trailing slash:
// the one given to SetURL, else the address the first request came in
// on, else "".
func (h *Host) URL() string {
	h.urlMu.Lock()
	defer h.urlMu.Unlock()
	if h.url != "" {
		return h.url
	}
	return h.baseURL
}

// SetURL sets the externally visible base URL.
func (h *Host) SetURL(u string) {
	h.urlMu.Lock()
	h.url = strings.TrimRight(u, "/")
	h.urlMu.Unlock()
}

// noteBaseURL remembers the address a request came in on, for hosts whose
// URL is not set (a Handler mounted by the caller).
func (h *Host) noteBaseURL(r *http.Request) {
	h.urlMu.Lock()
	if h.url == "" && h.baseURL == "" && r.Host != "" {
		h.baseURL = "http://" + r.Host
	}
	h.urlMu.Unlock()
}

// Handler returns the whole emulator as an http.Handler: a request ID on
// every response (requestid.Handler), the origin policy (guard.go), one
// log line per request, and a panic in any handler answered with a 500
// (see OnPanic) while the server keeps serving.
func (h *Host) Handler() http.Handler { return requestid.Handler(http.HandlerFunc(h.serveHTTP)) }

func (h *Host) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	start := time.Now()
	defer func() {
		p := recover()
		if p == http.ErrAbortHandler {
			panic(p)
		}
		if p != nil {
			h.Logf("cognitotest: recovered from a panic serving %s %s", r.Method, logPath(r))
			if !rec.wrote {
				h.writeInternalError(rec, r)
			}
		}
		if h.cfg.Logf != nil {
			h.logRequest(rec, r, time.Since(start))
		}
	}()
	if h.applyCORS(rec, r) {
		return
	}
	h.noteBaseURL(r)
	for _, p := range h.prefixes {
		if strings.HasPrefix(r.URL.Path, p.prefix) {
			p.h.ServeHTTP(rec, r)
			return
		}
	}
	h.mux.ServeHTTP(rec, r)
}

// ---------------------------------------------------------------------------
// Registration. A service registers, before the host serves, in one or
// more of these ways.

// Operation is one JSON 1.1 operation of a service.
type Operation struct {
	// Run decodes c.Body, does the operation and returns the value to
	// encode as the response, or an error (an *awsproto.APIError for
	// AWS's answers; any other error answers InternalErrorException).
	Run func(c *Call) (any, error)
	// Public operations need no SigV4 signature (Cognito's self-service
	// operations); the others need one unless Config.AllowUnsigned.
	Public bool
	// ReadOnly operations are not followed by a state save; the others
	// are, whether they succeed or fail (a failed sign-in counts towards
	// a lockout).
	ReadOnly bool
}

// Call is one request to an Operation.
type Call struct {
	Request *http.Request
	Name    string // the operation, e.g. "InitiateAuth"
	Body    []byte
}

// Decode unmarshals the body into v (awsproto.Decode).
func (c *Call) Decode(v any) error { return awsproto.Decode(c.Body, c.Name, v) }

// Target is a service's table of JSON 1.1 operations under an
// X-Amz-Target prefix (without the dot), e.g.
// "AWSCognitoIdentityProviderService".
type Target struct {
	Prefix     string
	Operations map[string]Operation
	// Service is the SigV4 service name a signature's credential scope
	// must name ("cognito-idp"); empty accepts any.
	Service string
	// CheckEverySignature checks the shape of a SigV4 header sent to any
	// operation, public ones included; otherwise only non-public
	// operations' are checked.
	CheckEverySignature bool
	// Unsigned is the error for a non-public operation called without an
	// Authorization header; nil means Cognito's user-pool answer (400
	// MissingAuthenticationTokenException).
	Unsigned func(op string) error
	// Unknown is the error for an operation not in the table; nil means
	// 400 UnknownOperationException naming it.
	Unknown func(op string) error
}

// HandleTarget registers a service's operation table. It panics when the
// prefix is registered twice.
func (h *Host) HandleTarget(t Target) {
	if _, dup := h.targets[t.Prefix]; dup {
		panic("emulator: target prefix served twice: " + t.Prefix)
	}
	h.targets[t.Prefix] = &t
}

// HandleQueryAction serves a Query-protocol action (POST / without
// X-Amz-Target, form Action=action) with hd; r.Body holds the body.
func (h *Host) HandleQueryAction(action string, hd http.Handler) {
	if _, dup := h.queries[action]; dup {
		panic("emulator: query action served twice: " + action)
	}
	h.queries[action] = hd
}

// CheckSigV4 reports whether r carries a well-formed SigV4 Authorization
// header scoped to service, within 15 minutes of the host's clock (see
// checkSigV4), and returns the error AWS answers when not; nil when
// Config.AllowUnsigned. For Query-protocol services, which the host does
// not check itself.
func (h *Host) CheckSigV4(r *http.Request, service string) error {
	if h.cfg.AllowUnsigned {
		return nil
	}
	return checkSigV4(r, service, h.Now())
}

// Handle serves a net/http ServeMux pattern (e.g. "GET /oauth2/token").
func (h *Host) Handle(pattern string, hd http.Handler) { h.mux.Handle(pattern, hd) }

// HandlePrefix serves every request whose path starts with prefix, ahead
// of the mux (whose method-and-wildcard patterns would conflict with it).
func (h *Host) HandlePrefix(prefix string, hd http.Handler) {
	h.prefixes = append(h.prefixes, prefixRoute{prefix, hd})
	sort.SliceStable(h.prefixes, func(i, j int) bool { return len(h.prefixes[i].prefix) > len(h.prefixes[j].prefix) })
}

type prefixRoute struct {
	prefix string
	h      http.Handler
}

// ---------------------------------------------------------------------------
// Dispatch.

func (h *Host) serveNotFound(w http.ResponseWriter, r *http.Request) {
	awsproto.WriteError(w, awsproto.Errorf("ResourceNotFoundException", "emulator: no emulated resource at %s %s", r.Method, r.URL.Path), http.StatusNotFound)
}

func (h *Host) serveRoot(w http.ResponseWriter, r *http.Request) {
	body, err := awsproto.ReadBody(r)
	if err != nil {
		awsproto.WriteError(w, err, http.StatusBadRequest)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	if target == "" {
		h.serveQuery(w, r, body)
		return
	}
	prefix, name, ok := strings.Cut(target, ".")
	noteOp(w, serviceName(prefix), name)
	t, known := h.targets[prefix]
	if !ok || !known {
		awsproto.WriteError(w, awsproto.Errorf("UnknownOperationException", "emulator: unknown service or operation %q in X-Amz-Target", target), http.StatusBadRequest)
		return
	}
	o, ok := t.Operations[name]
	if !h.cfg.AllowUnsigned {
		if err := h.checkSignature(r, t, o, ok, name); err != nil {
			awsproto.WriteError(w, err, http.StatusBadRequest)
			return
		}
	}
	if !ok {
		// An operation the emulator lacks still has its input judged by
		// the model first, as the service would.
		if err := validateInput(prefix, name, body); err != nil {
			awsproto.WriteError(w, err, http.StatusBadRequest)
			return
		}
		if t.Unknown != nil {
			awsproto.WriteError(w, t.Unknown(name), http.StatusBadRequest)
		} else {
			awsproto.WriteError(w, awsproto.Errorf("UnknownOperationException", "emulator: operation %s is not implemented by the emulator", target), http.StatusBadRequest)
		}
		return
	}
	if id := r.Header.Get("Amz-Sdk-Invocation-Id"); id != "" && !o.ReadOnly {
		key := id + "\x00" + target
		if h.replies.replay(w, key) {
			return
		}
		tee := &teeWriter{ResponseWriter: w}
		defer func() { h.replies.store(key, tee) }()
		w = tee
	}
	if err := validateInput(prefix, name, body); err != nil {
		h.Logf("cognitotest: %s -> %s", name, awsproto.ErrorCode(err))
		awsproto.WriteError(w, err, http.StatusBadRequest)
		return
	}
	out, err := h.Run(o, &Call{Request: r, Name: name, Body: body})
	if err != nil {
		status := http.StatusBadRequest
		if awsproto.ErrorCode(err) == "InternalErrorException" {
			status = http.StatusInternalServerError
		}
		awsproto.WriteError(w, err, status)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	awsproto.WriteJSON(w, http.StatusOK, out)
}

// checkSignature applies the target's signature rules to a call of
// operation o (known says whether the target has it): a non-public
// operation needs a well-formed SigV4 Authorization header; one sent to a
// public operation is checked when the target says so.
func (h *Host) checkSignature(r *http.Request, t *Target, o Operation, known bool, name string) error {
	sent := r.Header.Get("Authorization") != ""
	switch {
	case sent && (t.CheckEverySignature || (known && !o.Public)):
		return checkSigV4(r, t.Service, h.Now())
	case !sent && known && !o.Public:
		if t.Unsigned != nil {
			return t.Unsigned(name)
		}
		return checkSigV4(r, t.Service, h.Now())
	}
	return nil
}

// Run runs one operation, recovering a panic as InternalErrorException,
// and persists the state afterwards unless the operation is read-only.
func (h *Host) Run(o Operation, c *Call) (out any, err error) {
	func() {
		defer func() {
			if p := recover(); p != nil {
				// The panic value is not shown: it may hold request data.
				h.Logf("cognitotest: recovered from a panic in %s", c.Name)
				out, err = nil, awsproto.Errorf("InternalErrorException", "cognitotest: internal error in %s", c.Name)
			}
		}()
		out, err = o.Run(c)
	}()
	if o.ReadOnly {
		return out, err
	}
	if serr := h.Persist(); serr != nil {
		return nil, awsproto.Errorf("InternalErrorException", "emulator: could not persist state: %v", serr)
	}
	return out, err
}

func (h *Host) serveQuery(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	// A Query client (a form body) reads XML: its errors are answered in
	// that shape; anything else gets the JSON protocols' answer.
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		awsproto.WriteError(w, awsproto.Errorf("UnknownOperationException", "emulator: request has no X-Amz-Target and is not a Query-protocol form"), http.StatusBadRequest)
		return
	}
	if err := r.ParseForm(); err != nil {
		awsproto.WriteQueryError(w, awsproto.QueryNamespace(r, nil), http.StatusBadRequest, "MalformedQueryString", "emulator: malformed form body")
		return
	}
	action := r.Form.Get("Action")
	noteOp(w, "query", action)
	hd, ok := h.queries[action]
	if !ok {
		awsproto.WriteQueryError(w, awsproto.QueryNamespace(r, r.Form), http.StatusBadRequest, "InvalidAction",
			fmt.Sprintf("emulator: the action %q is not valid for this web service (no X-Amz-Target, and no Query action of that name is emulated)", action))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	hd.ServeHTTP(w, r)
}

// validateInput checks a JSON 1.1 request body against the published model
// of the service named by the X-Amz-Target prefix, before the operation
// runs (implemented or not), and returns the service's validation error
// (cognito-idp: InvalidParameterException, "1 validation error detected:
// …") when it breaks a constraint. Services without an embedded model and
// operations the model lacks are not judged here.
func validateInput(prefix, op string, body []byte) error {
	svc := awsmodel.ForTarget(prefix)
	if svc == nil {
		return nil
	}
	var ve *awsmodel.ValidationError
	if err := svc.Validate(op, body); errors.As(err, &ve) {
		return &awsproto.APIError{Code: ve.Code, Message: ve.Message()}
	}
	return nil
}
