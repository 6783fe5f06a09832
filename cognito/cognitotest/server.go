package cognitotest

import (
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/apigw"
	"github.com/cognitokit/cognitokit/internal/emulator/fakefb"
	"github.com/cognitokit/cognitokit/internal/emulator/idpool"
	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
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
	// private values, IDs). Default crypto/rand. The server serialises its
	// reads, so it need not be safe for concurrent use.
	Rand io.Reader
	// StatePath, when set, is the server's state database (bbolt): every
	// mutating request commits the entities it changed, fsynced, before it
	// answers, and the server reloads the file when it is created (a JSON
	// state file of an older version is imported, and kept beside it with
	// the suffix ".json-backup"). The server holds the file's lock until
	// Close; another server or process opening it meanwhile fails after a
	// second.
	StatePath string
	// Logf, when set, receives one line per request, whatever service
	// answers it: method, service and operation (or path, without its
	// query), status and duration; never a secret, password, code or token.
	Logf func(format string, args ...any)
	// CustomAuth holds the Go functions that play the part of Cognito's
	// Define/Create/Verify auth challenge Lambda triggers for CUSTOM_AUTH
	// in pools whose LambdaConfig names none. Without either, CUSTOM_AUTH
	// answers InvalidParameterException as Cognito does for a pool with no
	// triggers.
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
	// CognitoIssuer makes the tokens carry Cognito's own issuer,
	// "https://cognito-idp.{region}.amazonaws.com/{poolId}", instead of URL +
	// "/" + poolID, for verifiers that accept no other (aws-jwt-verify's
	// CognitoJwtVerifier). The keys and OpenID discovery stay at the server
	// (JWKSURL); give them to the verifier (jwks.Options.Endpoint accepts
	// this issuer with the endpoint's keys). Identity pools and the API
	// Gateway accept these tokens as they accept the others.
	CognitoIssuer bool
	// NegativeSRPSalts makes every SRP SALT the server sends negative (a
	// leading "-" in its hex form, as Cognito's salts, read as signed
	// integers, sometimes are), to test that a client handles them. By
	// default salts are positive, as nearly all of real Cognito's are.
	NegativeSRPSalts bool
	// FunctionTimeout bounds every Lambda trigger invocation (see
	// RegisterFunction); a function that takes longer fails the operation
	// with UnexpectedLambdaException, as in Cognito. Default 5 seconds,
	// Cognito's limit.
	FunctionTimeout time.Duration
	// FunctionOutput receives the standard output and error of the Lambda
	// programs AddFunction starts (their logs); nil discards them.
	FunctionOutput io.Writer
}

// Server is an emulated Amazon Cognito (user pools with their hosted UI,
// identity pools with STS, and the API Gateway and fake Facebook beside
// them) on a loopback HTTP listener, in the style of net/http/httptest.
//
// A Server is safe for concurrent use. Each service keeps its state under
// its own lock; a request holds one service's lock for the duration of an
// operation, except while the user pools' sign-in cryptography runs (SRP's
// modular exponentiations, password checks, RS256 signatures), so that
// concurrent sign-ins use every core.
type Server struct {
	// URL is the base URL of the running server, e.g.
	// "http://127.0.0.1:41234", without a trailing slash. It is empty until
	// Start (or SetURL).
	URL string

	opts Options
	ts   *httptest.Server
	host *emulator.Host

	// The services, each registered on host.
	up  *userpool.Server
	ids *idpool.Service
	fb  *fakefb.Fake
	gw  *apigw.Gateway
	// fakes are the other fake identity providers (providers.go).
	fakes *fakes
	// functions are the Lambda triggers' functions (functions.go).
	functions functionSet

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
	host, err := emulator.New(emulator.Config{Region: o.Region, Clock: o.Clock, Rand: o.Rand, StatePath: o.StatePath,
		Logf: o.Logf, AllowUnsigned: o.AllowUnsigned, CORSOrigins: o.CORSOrigins})
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, host: host}
	s.mountServices()
	if err := host.Load(); err != nil {
		return nil, err
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
	s.SetURL(s.ts.URL)
}

// Close shuts the server down and waits for outstanding requests. It is
// safe to call more than once.
func (s *Server) Close() {
	s.closeOne.Do(func() {
		if s.ts != nil {
			s.ts.Close()
		}
		if err := s.functions.close(); err != nil {
			s.host.Logf("%v", err)
		}
		if err := s.host.Close(); err != nil {
			s.host.Logf("cognitotest: close the state file: %v", err)
		}
	})
}

// SetURL sets the externally visible base URL (used for token issuers)
// of a server whose Handler is served by the caller, e.g. cognitoctl serve.
// Call it before the server is used.
func (s *Server) SetURL(u string) {
	s.URL = strings.TrimRight(u, "/")
	s.host.SetURL(s.URL)
}

// Handler returns the whole emulator as an http.Handler: cognito-idp's
// and cognito-identity's JSON protocols and STS's query protocol on
// POST /, JWKS and OpenID discovery under /{poolId}/, the hosted UI, the
// emulated APIs under /apis/, the fake Facebook under /_emulator/facebook/,
// the other fake identity providers under /_emulator/{google,apple,amazon,
// twitter}/, /_emulator/oidc/{name}/ and /_emulator/saml/{name}/, the
// identity pools' OpenID key at /.well-known/jwks_uri, and the outbox under
// /_emulator/messages.
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
func (s *Server) Handler() http.Handler { return s.host.Handler() }

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

func (s *Server) url() string { return s.host.URL() }

// Now returns the server's current time: Options.Clock (or the wall clock)
// plus everything passed to Advance.
func (s *Server) Now() time.Time { return s.host.Now() }

// Advance moves the server's clock forward by d (backward when negative):
// tokens, codes, sessions and lockouts expire on this clock.
func (s *Server) Advance(d time.Duration) { s.host.Advance(d) }

// Issuer returns the `iss` of the tokens the pool signs: URL + "/" + poolID,
// or Cognito's issuer with Options.CognitoIssuer.
func (s *Server) Issuer(poolID string) string { return s.up.Issuer(poolID) }

// JWKSURL returns the pool's JWKS address: URL + "/" + poolID +
// "/.well-known/jwks.json" (whatever the issuer).
func (s *Server) JWKSURL(poolID string) string { return s.up.JWKSURL(poolID) }
