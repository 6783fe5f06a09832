package cognitotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognitokit/cognitokit/internal/emulator/requestid"
)

// Options configures a Server. The zero value is ready to use.
type Options struct {
	// Region is the AWS region of the pools the server creates; it prefixes
	// pool IDs and device keys. Default "us-east-1".
	Region string
	// Clock is the server's time source. Default: the wall clock. Whatever
	// it is, Advance adds an offset on top of it.
	Clock func() time.Time
	// Rand is the source of every random value (keys, codes, salts, SRP
	// private values, IDs). Default crypto/rand. It is only read while the
	// server's state lock is held, so it need not be safe for concurrent use.
	Rand io.Reader
	// StatePath, when set, makes the server persist its whole state to this
	// file after every mutating request, before it answers (written to a
	// temporary file, fsynced, renamed over StatePath, and the directory
	// fsynced), and reload it when the server is created.
	StatePath string
	// Logf, when set, receives one line per request, whatever service
	// answers it: method, service and operation (or path, without its
	// query), status and duration; never a secret, password, code or token.
	Logf func(format string, args ...any)
	// CustomAuth holds the Go functions that play the part of Cognito's
	// Define/Create/Verify auth challenge Lambda triggers for CUSTOM_AUTH.
	// Without it, CUSTOM_AUTH answers InvalidParameterException as Cognito
	// does for a pool with no triggers.
	CustomAuth *CustomAuthHooks
	// AllowUnsigned accepts operations that need IAM credentials in
	// Cognito (the Admin* operations, pool and client management, ListUsers,
	// ...) without an Authorization header. By default they need a
	// well-formed SigV4 Authorization header (credential scope
	// AKID/YYYYMMDD/region/cognito-idp/aws4_request, SignedHeaders,
	// Signature, and an X-Amz-Date within 15 minutes of the server's
	// clock), as Cognito does. The emulator holds no secret keys, so it
	// never checks the signature itself: only that one was made.
	AllowUnsigned bool
	// CORSOrigins lists the browser origins (scheme://host[:port]) that may
	// call the emulator cross-origin, besides the loopback ones
	// (http://localhost:*, http://127.0.0.1:*, http://[::1]:*), which always
	// may. Requests from any other Origin get no CORS headers and are
	// refused on POST / and under /_emulator/. "*" is not accepted.
	CORSOrigins []string
	// Triggers holds Go functions that play the part of the user pool's
	// post-confirmation and post-authentication Lambda triggers for
	// hosted-UI sign-ins (see HostedUITriggers).
	Triggers *HostedUITriggers
}

// Server is an in-memory Amazon Cognito user-pool service (cognito-idp's
// JSON 1.1 protocol, JWKS and OpenID discovery, and a test outbox) on a
// loopback HTTP listener, in the style of net/http/httptest.
//
// A Server is safe for concurrent use. Its whole state is guarded by one
// mutex; requests hold it for the duration of an operation.
type Server struct {
	// URL is the base URL of the running server, e.g.
	// "http://127.0.0.1:41234", without a trailing slash. It is empty until
	// Start.
	URL string

	opts Options
	ts   *httptest.Server
	mux  *http.ServeMux

	mu      sync.Mutex // guards everything below
	st      *state
	offset  time.Duration
	baseURL string // URL as seen by the first request when URL is empty
	saveSeq uint64 // state snapshots taken

	persistMu sync.Mutex // serialises state-file writes; never held with s.mu
	savedSeq  uint64     // newest snapshot on disk (guarded by persistMu)

	// Set up before serving, read-only afterwards.
	sections      map[string]section
	targetHandler map[string]func(w http.ResponseWriter, r *http.Request, op string)
	queryHandler  map[string]http.Handler
	fed           *federation // identity pools, fake Facebook, API Gateway (federation.go)
	prefixes      []prefixRoute
	corsOrigins   map[string]bool // canonical Options.CORSOrigins

	// testPanic, set by tests only, runs at named points inside handlers
	// (with s.mu held where the point says so) to inject a panic.
	testPanic func(point string)
	// replies remembers the last answers to mutating operations by SDK
	// invocation ID, so that a retry is answered, not run again.
	replies replyCache
	// fs is the state file's file system; nil means the operating system's
	// (tests observe or break writes through it).
	fs stateFS

	closeOne sync.Once
}

// NewServer starts and returns a new Server on 127.0.0.1 and a free port.
// The caller should call Close when finished. It panics when StatePath is
// set and holds a state file it cannot read.
func NewServer(optFns ...func(*Options)) *Server {
	s := NewUnstartedServer(optFns...)
	s.Start()
	return s
}

// NewUnstartedServer returns a new Server that is not yet listening, so
// that its options can be completed before Start, or its Handler mounted
// on a listener of the caller's (as cognitoctl serve does). It panics when
// StatePath names a file that exists but cannot be loaded; use
// NewHandlerServer to get that failure as an error.
func NewUnstartedServer(optFns ...func(*Options)) *Server {
	s, err := NewHandlerServer(optFns...)
	if err != nil {
		panic(err)
	}
	return s
}

// NewHandlerServer is NewUnstartedServer that returns an error instead of
// panicking when the state file exists but cannot be loaded.
func NewHandlerServer(optFns ...func(*Options)) (*Server, error) {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	origins, err := validateCORSOrigins(o.CORSOrigins)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, st: newState(), sections: map[string]section{}, corsOrigins: origins,
		targetHandler: map[string]func(http.ResponseWriter, *http.Request, string){}}
	s.mux = http.NewServeMux()
	s.routes()
	for _, m := range mounts {
		m(s)
	}
	if o.StatePath != "" {
		if err := s.load(o.StatePath); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Start starts a server from NewUnstartedServer on 127.0.0.1 and a free
// port and sets URL. It panics when called twice or when it cannot listen.
func (s *Server) Start() {
	if s.ts != nil {
		panic("cognitotest: Server started twice")
	}
	s.ts = httptest.NewUnstartedServer(s.Handler())
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("cognitotest: listen: " + err.Error())
	}
	s.ts.Listener.Close()
	s.ts.Listener = l
	s.ts.Start()
	s.mu.Lock()
	s.URL = s.ts.URL
	s.mu.Unlock()
}

// Close shuts the server down and waits for outstanding requests. It is
// safe to call more than once.
func (s *Server) Close() {
	s.closeOne.Do(func() {
		if s.ts != nil {
			s.ts.Close()
		}
	})
}

// SetURL sets the externally visible base URL (used for token issuers)
// of a server whose Handler is served by the caller, e.g. cognitoctl serve.
func (s *Server) SetURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.URL = strings.TrimRight(u, "/")
}

// Handler returns the whole emulator as an http.Handler: cognito-idp's
// JSON protocol on POST /, JWKS and OpenID discovery under /{poolId}/, the
// outbox under /_emulator/messages, and whatever other services the
// package registers.
//
// Browser pages on loopback origins and on Options.CORSOrigins may call it
// cross-origin (CORS headers and preflights), so that browser code such as
// amazon-cognito-identity-js or Amplify in a dev server can talk to the
// emulator as it does to Cognito; pages of any other origin may not call
// its operations or read /_emulator/ (see Options.CORSOrigins).
//
// A panic in any handler is answered with a 500 (InternalErrorException,
// or the hosted UI's error page or OAuth error), the state lock is
// released, and the server keeps serving. Every response, error or not,
// carries a random UUID in x-amzn-RequestId, as AWS's do.
func (s *Server) Handler() http.Handler { return requestid.Handler(http.HandlerFunc(s.serveHTTP)) }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	start := time.Now()
	defer func() {
		p := recover()
		if p == http.ErrAbortHandler {
			panic(p)
		}
		if p != nil {
			s.logf("cognitotest: recovered from a panic serving %s %s", r.Method, logPath(r))
			if !rec.wrote {
				writeInternalError(rec, r)
			}
		}
		if s.opts.Logf != nil {
			s.logRequest(rec, r, time.Since(start))
		}
	}()
	if s.applyCORS(rec, r) {
		return
	}
	for _, p := range s.prefixes {
		if strings.HasPrefix(r.URL.Path, p.prefix) {
			s.noteBaseURL(r)
			p.h.ServeHTTP(rec, r)
			return
		}
	}
	s.mux.ServeHTTP(rec, r)
}

// prefixRoute is a whole path prefix served by a mounted service, ahead of
// the mux (whose method-and-wildcard patterns would conflict with it).
type prefixRoute struct {
	prefix string
	h      http.Handler
}

// handlePrefix serves every request whose path starts with prefix with h,
// outside s.mu. Call from a mount function only.
func (s *Server) handlePrefix(prefix string, h http.Handler) {
	s.prefixes = append(s.prefixes, prefixRoute{prefix, h})
}

// Config returns an aws.Config that points every aws-sdk-go-v2 client at
// the server: region Options.Region, static fake credentials, BaseEndpoint
// = URL, and a retryer that retries only connection errors (a keep-alive
// connection the server closed, aws-sdk-go-v2 issue 2737), up to 3
// attempts without delay: an emulator's 4xx or 5xx is never retried.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       s.opts.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDCOGNITOTEST", "cognitotest-secret", ""),
		BaseEndpoint: aws.String(s.url()),
		Retryer:      newConnRetryer,
	}
}

// newConnRetryer is the retryer of Config: connection errors only, 3
// attempts, no backoff, no retry quota.
func newConnRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		o.RateLimiter = ratelimit.None
	})
}

func (s *Server) url() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.urlLocked()
}

func (s *Server) urlLocked() string {
	if s.URL != "" {
		return s.URL
	}
	return s.baseURL
}

// Now returns the server's current time: Options.Clock (or the wall clock)
// plus everything passed to Advance.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time {
	var t time.Time
	if s.opts.Clock != nil {
		t = s.opts.Clock()
	} else {
		t = time.Now()
	}
	return t.Add(s.offset).UTC()
}

// Advance moves the server's clock forward by d (backward when negative):
// tokens, codes, sessions and lockouts expire on this clock.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Issuer returns the `iss` of the tokens the pool signs: URL + "/" + poolID.
func (s *Server) Issuer(poolID string) string { return s.url() + "/" + poolID }

// JWKSURL returns the pool's JWKS address: Issuer(poolID) +
// "/.well-known/jwks.json".
func (s *Server) JWKSURL(poolID string) string { return s.Issuer(poolID) + "/.well-known/jwks.json" }

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// ---------------------------------------------------------------------------
// Extension point.
//
// The emulator is one http.ServeMux per Server. Other services join it from
// their own files of this package, in one of two styles.
//
// Services written inside this package, on the user-pool state, register
// from init functions and run under s.mu:
//
//   - registerTarget(prefix, ops): every POST / whose X-Amz-Target is
//     prefix + "." + Op runs ops[Op] with the body read and s.mu held, and
//     returns the JSON response value or an *APIError; the state is saved
//     after every op not marked readOnly. cognito-idp is registered as
//     "AWSCognitoIdentityProviderService" (idp.go).
//   - registerQueryAction(action, fn): a POST / without X-Amz-Target whose
//     form has Action=action (STS's AssumeRoleWithWebIdentity) runs fn,
//     without s.mu.
//   - registerPath(pattern, fn): any net/http pattern (JWKS, /oauth2/*,
//     /login, /logout, /_emulator/...), without s.mu.
//
// Services that keep their own state under their own lock (the packages
// under internal/emulator: identity pools, API Gateway, fake Facebook) are
// mounted per Server by a function given to registerMount, which runs in
// NewHandlerServer before the state file is loaded. It may call:
//
//   - s.handleTarget(prefix, fn): X-Amz-Target prefix (without the dot)
//     served by fn(w, r, op), without s.mu; r.Body holds the body.
//   - s.handleQueryAction(action, h) and s.mux.Handle(pattern, h).
//   - s.addSection(name, snapshot, restore): persisted state; the service's
//     OnChange should call s.persistNow.
//   - s.verifyToken(poolID, token, use, checkRevoked): check a user-pool
//     token (for Logins maps and COGNITO_USER_POOLS authorizers).
//
// Lock order: s.mu is never held while a mounted service's lock is taken
// (state snapshots run after s.mu is released), so mounted services may
// call verifyToken while holding their own locks.
// ---------------------------------------------------------------------------

var mounts []func(s *Server)

// registerMount adds a function that wires a service into every new
// Server. Called from init only.
func registerMount(fn func(s *Server)) { mounts = append(mounts, fn) }

// handleTarget serves an X-Amz-Target prefix with fn, outside s.mu. Call
// from a mount function only.
func (s *Server) handleTarget(prefix string, fn func(w http.ResponseWriter, r *http.Request, op string)) {
	if _, dup := targets[prefix]; dup {
		panic("cognitotest: target prefix served twice: " + prefix)
	}
	if _, dup := s.targetHandler[prefix]; dup {
		panic("cognitotest: target prefix served twice: " + prefix)
	}
	s.targetHandler[prefix] = fn
}

// handleQueryAction serves a query-protocol action with h, outside s.mu.
// Call from a mount function only.
func (s *Server) handleQueryAction(action string, h http.Handler) {
	if s.queryHandler == nil {
		s.queryHandler = map[string]http.Handler{}
	}
	if _, dup := s.queryHandler[action]; dup {
		panic("cognitotest: query action served twice: " + action)
	}
	s.queryHandler[action] = h
}

// mountedService is the SigV4 service name of a mounted X-Amz-Target
// prefix; a prefix not listed accepts any service name.
var mountedService = map[string]string{"AWSCognitoIdentityService": "cognito-identity"}

// op is one JSON 1.1 operation. It runs with s.mu held.
type op struct {
	fn func(s *Server, c *call) (any, error)
	// readOnly operations do not trigger a state save.
	readOnly bool
	// public operations need no AWS signature (Cognito's self-service
	// operations); the others must carry a SigV4 Authorization header
	// unless Options.AllowUnsigned.
	public bool
}

// call is one request to a JSON 1.1 operation.
type call struct {
	r    *http.Request
	name string
	body []byte
	now  time.Time
}

// decode unmarshals the request body into v, answering
// SerializationException on malformed JSON.
func (c *call) decode(v any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		return errorf("SerializationException", "could not parse the %s request body: %v", c.name, jsonErrText(err))
	}
	return nil
}

func jsonErrText(err error) string {
	// encoding/json errors never contain the input itself beyond a type
	// name and offset, so they are safe to echo.
	return err.Error()
}

var (
	targets      = map[string]map[string]op{}
	queryActions = map[string]func(s *Server, w http.ResponseWriter, r *http.Request, form map[string][]string){}
	paths        []pathRoute
)

type pathRoute struct {
	pattern string
	fn      func(s *Server, w http.ResponseWriter, r *http.Request)
}

// registerTarget adds JSON 1.1 operations under an X-Amz-Target prefix.
// Called from init functions only.
func registerTarget(prefix string, ops map[string]op) {
	m := targets[prefix]
	if m == nil {
		m = map[string]op{}
		targets[prefix] = m
	}
	for name, o := range ops {
		if _, dup := m[name]; dup {
			panic("cognitotest: operation registered twice: " + prefix + "." + name)
		}
		m[name] = o
	}
}

// registerQueryAction adds a form-encoded query-protocol action (such as
// STS's AssumeRoleWithWebIdentity) served on POST /. Called from init only.
func registerQueryAction(action string, fn func(s *Server, w http.ResponseWriter, r *http.Request, form map[string][]string)) {
	if _, dup := queryActions[action]; dup {
		panic("cognitotest: query action registered twice: " + action)
	}
	queryActions[action] = fn
}

// registerPath adds a net/http ServeMux pattern (e.g. "GET /oauth2/token").
// Called from init only. The handler is responsible for its own locking.
func registerPath(pattern string, fn func(s *Server, w http.ResponseWriter, r *http.Request)) {
	paths = append(paths, pathRoute{pattern, fn})
}

func (s *Server) routes() {
	s.mux.HandleFunc("POST /{$}", s.serveRoot)
	s.mux.HandleFunc("/", s.serveNotFound)
	sorted := append([]pathRoute(nil), paths...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].pattern < sorted[j].pattern })
	for _, p := range sorted {
		fn := p.fn
		s.mux.HandleFunc(p.pattern, func(w http.ResponseWriter, r *http.Request) {
			s.noteBaseURL(r)
			fn(s, w, r)
		})
	}
}

// noteBaseURL remembers the address a request came in on, for servers
// whose URL is not set (a Handler mounted by the caller).
func (s *Server) noteBaseURL(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.URL == "" && s.baseURL == "" && r.Host != "" {
		s.baseURL = "http://" + r.Host
	}
}

const maxBody = 1 << 20

func (s *Server) serveNotFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, errorf("ResourceNotFoundException", "cognitotest: no emulated resource at %s %s", r.Method, r.URL.Path), http.StatusNotFound)
}

func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request) {
	s.noteBaseURL(r)
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, errorf("SerializationException", "could not read the request body"), 400)
		return
	}
	if len(body) > maxBody {
		writeError(w, errorf("InvalidParameterException", "request body larger than %d bytes", maxBody), 413)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	if target == "" {
		s.serveQuery(w, r, body)
		return
	}
	prefix, name, ok := strings.Cut(target, ".")
	noteOp(w, serviceName(prefix), name)
	if fn, mounted := s.targetHandler[prefix]; mounted && ok {
		// The mounted service decides which operations need a signature;
		// one that is sent must be well formed.
		if r.Header.Get("Authorization") != "" && !s.opts.AllowUnsigned {
			if err := checkSigV4(r, mountedService[prefix], s.Now()); err != nil {
				writeError(w, err, http.StatusBadRequest)
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		fn(w, r, name)
		return
	}
	ops, known := targets[prefix]
	if !ok || !known {
		writeError(w, errorf("UnknownOperationException", "cognitotest: unknown service or operation %q in X-Amz-Target", target), 400)
		return
	}
	o, ok := ops[name]
	if !ok {
		if err := validateInput(prefix, name, body); err != nil {
			writeError(w, err, 400)
			return
		}
		writeError(w, errorf("UnknownOperationException", "cognitotest: operation %s is not implemented by the emulator", target), 400)
		return
	}
	if !o.public && !s.opts.AllowUnsigned {
		if err := checkSigV4(r, "cognito-idp", s.Now()); err != nil {
			writeError(w, err, http.StatusBadRequest)
			return
		}
	}
	key := ""
	if id := r.Header.Get("Amz-Sdk-Invocation-Id"); id != "" && !o.readOnly {
		key = id + "\x00" + target
		if s.replies.replay(w, key) {
			return
		}
		rec := &teeWriter{ResponseWriter: w}
		defer func() { s.replies.store(key, rec) }()
		w = rec
	}
	if err := validateInput(prefix, name, body); err != nil {
		s.logf("cognitotest: %s -> %s", name, errCode(err))
		writeError(w, err, 400)
		return
	}
	out, err := s.run(r.Context(), o, &call{r: r, name: name, body: body})
	if err != nil {
		status := http.StatusBadRequest
		if errCode(err) == "InternalErrorException" {
			status = http.StatusInternalServerError
		}
		writeError(w, err, status)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	writeJSON(w, 200, out)
}

// run executes one operation under the lock and persists the state
// afterwards when the operation may have changed it (failed operations
// too: a wrong password counts towards the lockout).
func (s *Server) run(_ context.Context, o op, c *call) (out any, err error) {
	s.mu.Lock()
	func() {
		defer func() {
			if p := recover(); p != nil {
				// The panic value is not shown: it may hold request data.
				s.logf("cognitotest: recovered from a panic in %s", c.name)
				out, err = nil, errorf("InternalErrorException", "cognitotest: internal error in %s", c.name)
			}
		}()
		c.now = s.now()
		s.hookPanic("op:" + c.name)
		out, err = o.fn(s, c)
	}()
	if o.readOnly {
		s.mu.Unlock()
		return out, err
	}
	if serr := s.unlockSave(); serr != nil {
		return nil, errorf("InternalErrorException", "cognitotest: could not persist state: %v", serr)
	}
	return out, err
}

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil {
		writeError(w, errorf("SerializationException", "cognitotest: malformed form body"), 400)
		return
	}
	action := r.PostForm.Get("Action")
	noteOp(w, "query", action)
	if h, mounted := s.queryHandler[action]; mounted {
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
		return
	}
	fn, ok := queryActions[action]
	if !ok {
		writeError(w, errorf("UnknownOperationException", "cognitotest: request has no X-Amz-Target and no known Action (got %q)", action), 400)
		return
	}
	fn(s, w, r, r.PostForm)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, errorf("InternalErrorException", "cognitotest: encode response: %v", err), 500)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
