package userpool

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// Options configures the user-pool service.
type Options struct {
	// CustomAuth returns the Go functions that play the part of Cognito's
	// Define/Create/Verify auth challenge Lambda triggers for CUSTOM_AUTH
	// (nil: none). It is called at each use, so the owner may change them.
	CustomAuth func() *CustomAuthHooks
	// Triggers returns the hosted UI's post-confirmation and
	// post-authentication triggers (nil: none), at each use.
	Triggers func() *HostedUITriggers
	// Social is the identity provider behind the hosted UI's
	// "Continue with Facebook" (the emulator's fake Facebook). Without
	// it, identity providers cannot be signed in with.
	Social SocialProvider
	// Federation gives the hosted UI the other identity providers
	// (Google, Sign in with Apple, Login with Amazon, OIDC, SAML); nil
	// until SetFederation. See FederationProviders.
	Federation FederationProviders
	// CognitoIssuer makes the pools' tokens carry Cognito's own issuer,
	// "https://cognito-idp.{region}.amazonaws.com/{poolId}", instead of the
	// server's URL, for verifiers that accept no other (aws-jwt-verify's
	// CognitoJwtVerifier). The keys and OpenID discovery are still served
	// by the server (see Server.JWKSURL); what trusts Cognito's issuer must
	// be told to fetch them there.
	CognitoIssuer bool
	// NegativeSalts makes every SRP salt the pools draw negative (read as
	// a signed integer, as Cognito's are), for tests of clients that must
	// handle that sign. By default salts are positive: real Cognito rarely
	// sends a negative one.
	NegativeSalts bool
	// Functions invokes the Lambda triggers the pools' LambdaConfig names,
	// by function ARN (a *lambdafn.Registry). Nil: no function exists, and
	// a configured trigger fails as Cognito's does for a missing function
	// (UnexpectedLambdaException).
	Functions Functions

	// Region and Rand are the host's (set by New).
	Region string
	Rand   io.Reader
}

// SocialProvider is what the hosted UI needs from a social identity
// provider: to declare an app, and to redeem an authorization code for
// the profile of the user who consented.
type SocialProvider interface {
	// RegisterApp declares (or replaces) an app's client ID and secret.
	RegisterApp(appID, secret string) error
	// ExchangeCode redeems code, issued to appID for redirectURI, and
	// returns the user's profile. A failure to read the profile after a
	// successful exchange wraps ErrProfileUnreadable.
	ExchangeCode(appID, secret, redirectURI, code string) (SocialUser, error)
}

// SocialUser is the profile of a social identity provider's user.
type SocialUser struct {
	ID    string // the provider's user ID
	Name  string // display name; may be empty
	Email string // may be empty
}

// ErrProfileUnreadable reports a code exchange whose profile read failed.
var ErrProfileUnreadable = errors.New("userpool: could not read the provider's profile")

// Server is the user-pool service: cognito-idp's JSON 1.1 operations,
// JWKS and OpenID discovery, the outbox, and the hosted UI (whose state
// is kept per pool). Its whole state is guarded by one mutex; operations
// hold it for their duration.
type Server struct {
	opts   Options
	host   *emulator.Host
	social SocialProvider
	fed    federationState

	mu sync.Mutex // guards st
	st *state
	// cur is the operation holding s.mu (runLocked), nil while s.mu is
	// free or held by anything else; unlocked windows put it back after.
	// Trigger events read the request (User-Agent, context) from it.
	cur *call

	// testPanic, set by tests only, runs at named points inside handlers
	// (with s.mu held where the point says so) to inject a panic.
	testPanic func(point string)

	// whileUnlocked, when set (by tests), runs in every unlocked window,
	// after its work and before s.mu is taken again.
	whileUnlocked func()

	// windows counts the operations inside an unlocked window; written is
	// what the last save wrote of each pool (persist.go).
	windows int
	written map[string]*written
}

// New returns the user-pool service with an empty state and registers
// it on host: its operation table under "AWSCognitoIdentityProviderService",
// its paths, and its state section ("pools").
func New(host *emulator.Host, o Options) *Server {
	o.Region, o.Rand = host.Region(), host.Rand()
	s := &Server{opts: o, host: host, social: o.Social, st: newState()}
	s.SetFederation(o.Federation)
	ops := map[string]emulator.Operation{}
	for name, op := range targets[idpTarget] {
		fn := op.fn
		ops[name] = emulator.Operation{Public: op.public, ReadOnly: op.readOnly,
			Run: func(c *emulator.Call) (any, error) { return s.runLocked(fn, c) }}
	}
	host.HandleTarget(emulator.Target{Prefix: idpTarget, Operations: ops, Service: "cognito-idp"})
	host.OnPanic(answerPanic)
	sorted := append([]pathRoute(nil), paths...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].pattern < sorted[j].pattern })
	for _, p := range sorted {
		fn := domainGate(p.fn)
		host.Handle(p.pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn(s, w, r) }))
	}
	host.AddSection(emulator.PoolsSection, s.persistence())
	return s
}

// runLocked runs one operation with s.mu held.
func (s *Server) runLocked(fn func(s *Server, c *call) (any, error), ec *emulator.Call) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hookPanic("op:" + ec.Name)
	c := &call{r: ec.Request, name: ec.Name, body: ec.Body, now: s.now()}
	s.cur = c
	defer func() { s.cur = nil }()
	return fn(s, c)
}

// op is one JSON 1.1 operation. It runs with s.mu held.
type op struct {
	fn func(s *Server, c *call) (any, error)
	// readOnly operations do not trigger a state save.
	readOnly bool
	// public operations need no AWS signature (Cognito's self-service
	// operations).
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
	return (&emulator.Call{Name: c.name, Body: c.body}).Decode(v)
}

// The service's tables, filled by init functions: its JSON 1.1 operations
// by X-Amz-Target prefix, and its HTTP paths.
var (
	targets = map[string]map[string]op{}
	paths   []pathRoute
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
			panic("userpool: operation registered twice: " + prefix + "." + name)
		}
		m[name] = o
	}
}

// registerPath adds a net/http ServeMux pattern (e.g. "GET /oauth2/token").
// Called from init only. The handler is responsible for its own locking.
func registerPath(pattern string, fn func(s *Server, w http.ResponseWriter, r *http.Request)) {
	paths = append(paths, pathRoute{pattern, fn})
}

// now returns the host's time.
func (s *Server) now() time.Time { return s.host.Now() }

// url returns the host's base URL.
func (s *Server) url() string { return s.host.URL() }

// urlLocked is url for callers holding s.mu (the host's URL has its own
// lock).
func (s *Server) urlLocked() string { return s.host.URL() }

func (s *Server) customAuth() *CustomAuthHooks {
	if s.opts.CustomAuth == nil {
		return nil
	}
	return s.opts.CustomAuth()
}

func (s *Server) triggers() *HostedUITriggers {
	if s.opts.Triggers == nil {
		return nil
	}
	return s.opts.Triggers()
}

func (s *Server) logf(format string, args ...any) { s.host.Logf(format, args...) }

// unlocked runs fn with s.mu released and takes it again, also when fn
// panics; the caller holds s.mu. It is for the cryptography of an
// operation (modular exponentiations, RSA signatures), so that operations
// of other requests run meanwhile: everything the caller read of the state
// before may have changed, and it must check what it relies on afterwards
// (current, stillSignedIn) and have made its state changes atomic before.
func (s *Server) unlocked(fn func()) {
	s.windows++
	cur := s.cur
	s.cur = nil
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.cur = cur
		s.windows--
	}()
	fn()
	if s.whileUnlocked != nil {
		s.whileUnlocked()
	}
}

// current reports whether p is still the pool of its ID (not deleted, or
// replaced by a restore) — for callers that released s.mu.
func (s *Server) current(p *pool) bool { return s.st.Pools[p.ID] == p }

func errPoolGone(id string) error {
	return errorf("ResourceNotFoundException", "User pool %s does not exist.", id)
}
