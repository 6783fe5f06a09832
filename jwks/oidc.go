package jwks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Issuers of ID tokens that services commonly accept directly, for
// [NewOIDCVerifier].
const (
	// GoogleIssuer is Google's issuer. Google also writes it without the
	// scheme ("accounts.google.com") in some ID tokens; a verifier for
	// GoogleIssuer accepts both, as Google's documentation and go-oidc do,
	// and no other issuer gets such a variant.
	GoogleIssuer = "https://accounts.google.com"
	// AppleIssuer is Sign in with Apple's issuer (RS256; email_verified is
	// the string "true").
	AppleIssuer = "https://appleid.apple.com"
	// CognitoIdentityIssuer is the issuer of the OpenID tokens of Cognito
	// identity pools (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity),
	// signed with RS512: see [NewCognitoIdentityVerifier].
	CognitoIdentityIssuer = "https://cognito-identity.amazonaws.com"

	googleIssuerNoScheme = "accounts.google.com"
	discoveryPath        = "/.well-known/openid-configuration"
)

// OIDCOptions configure an [OIDCVerifier]. The zero value of every field
// means the documented default; every check is on unless a field named
// Insecure… turns it off. The JWKS cache fields mean what they mean in
// [Options].
type OIDCOptions struct {
	// ClientIDs are the audiences accepted: the token's aud must hold one
	// of them. Required unless InsecureSkipClientIDCheck is set. A token
	// with several audiences must also name one of them in azp (OpenID
	// Connect Core §3.1.3.7); with one audience, azp is not checked (Google
	// sets it to the Android or iOS client that asked for a token for a
	// server's client ID) and is returned as AuthorizedParty.
	ClientIDs []string
	// InsecureSkipClientIDCheck accepts tokens for any audience. Never for
	// a service that accepts ID tokens as credentials: any client of the
	// issuer, including one an attacker registers, can obtain tokens it
	// would then accept.
	InsecureSkipClientIDCheck bool
	// Algorithms is the alg allow-list, from RS256, RS384, RS512, PS256,
	// PS384, PS512, ES256, ES384 and ES512. Default RS256 (what Google and
	// Apple sign with; Cognito identity pools use RS512). none and HS* can
	// never be allowed.
	Algorithms []string
	// Leeway is the clock skew allowed on exp, nbf and iat, with the rules
	// of [Options.Leeway]. 0 means DefaultLeeway; negative means none.
	Leeway time.Duration
	// JWKSURL, if set, is where the keys are fetched, and discovery is
	// skipped.
	JWKSURL string
	// JWKS, if set, is a static JWKS document used instead of fetching (no
	// network at all).
	JWKS []byte
	// CustomCheck, if set, runs last on every token that passed every other
	// check (and on every verified-token-cache hit); a non-nil error refuses
	// the token with ErrCustomCheck wrapping it.
	CustomCheck func(ctx context.Context, c *OIDCClaims) error
	// MaxTokenBytes refuses longer tokens before decoding. Default 16 KiB.
	MaxTokenBytes int
	// TokenCacheSize enables the verified-token cache with room for this
	// many tokens, as [Options.TokenCacheSize].
	TokenCacheSize int

	// HTTPClient fetches the discovery document and the JWKS.
	HTTPClient *http.Client
	// FetchTimeout bounds one fetch (discovery and JWKS together).
	FetchTimeout time.Duration
	// MaxJWKSBytes caps a JWKS or discovery response body.
	MaxJWKSBytes int64
	// RefetchCooldown, NegativeCacheTTL, the refresh intervals and
	// MaxKeyAge: see [Options].
	RefetchCooldown, NegativeCacheTTL                              time.Duration
	DefaultRefreshInterval, MinRefreshInterval, MaxRefreshInterval time.Duration
	MaxKeyAge                                                      time.Duration
	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
	// Logger, if set, receives fetch failures and skipped JWKs. Tokens are
	// never logged.
	Logger *slog.Logger
	// DebugIncludeTokenInErrors appends the raw token to error text. Never
	// in production: tokens are bearer credentials.
	DebugIncludeTokenInErrors bool
}

// OIDCVerifier verifies the ID tokens of one OpenID Connect issuer
// (Google, Sign in with Apple, a Cognito identity pool, any other), with
// the JWKS cache, checks and speed of [Verifier]. It is safe for
// concurrent use; create one per issuer and share it.
type OIDCVerifier struct {
	o         Options // the cache settings, defaults applied
	issuer    string
	altIssuer string // accounts.google.com for Google, else ""
	clientIDs []string
	skipAud   bool
	algs      uint16
	leeway    time.Duration
	keys      *keyCache
	gen       atomic.Uint64
	tokens    *tokenCache[*OIDCClaims]
	custom    func(ctx context.Context, c *OIDCClaims) error
}

// NewOIDCVerifier returns a verifier for the ID tokens of issuer, which
// must be exactly the iss the tokens carry (an http(s) URL without query
// or fragment).
//
// It does no I/O. Unless OIDCOptions.JWKSURL or JWKS is set, the keys are
// found by OpenID Connect discovery: issuer + "/.well-known/openid-configuration"
// is fetched with the first JWKS fetch (at the first Verify that passes
// the cheap checks, or at [OIDCVerifier.Hydrate]); its issuer must equal
// issuer exactly (OpenID Connect Discovery §4.3) and its jwks_uri is then
// used for good. A failed discovery is retried like a failed JWKS fetch,
// and Verify meanwhile refuses with ErrJWKSUnavailable.
func NewOIDCVerifier(issuer string, optFns ...func(*OIDCOptions)) (*OIDCVerifier, error) {
	var oo OIDCOptions
	for _, fn := range optFns {
		fn(&oo)
	}
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("jwks: issuer %q is not an http(s) URL without query or fragment", issuer)
	}
	v := &OIDCVerifier{
		issuer:    issuer,
		clientIDs: append([]string(nil), oo.ClientIDs...),
		skipAud:   oo.InsecureSkipClientIDCheck,
		custom:    oo.CustomCheck,
		o: Options{
			MaxTokenBytes: oo.MaxTokenBytes, HTTPClient: oo.HTTPClient, FetchTimeout: oo.FetchTimeout,
			MaxJWKSBytes: oo.MaxJWKSBytes, RefetchCooldown: oo.RefetchCooldown, NegativeCacheTTL: oo.NegativeCacheTTL,
			DefaultRefreshInterval: oo.DefaultRefreshInterval, MinRefreshInterval: oo.MinRefreshInterval,
			MaxRefreshInterval: oo.MaxRefreshInterval, MaxKeyAge: oo.MaxKeyAge, Clock: oo.Clock, Logger: oo.Logger,
			DebugIncludeTokenInErrors: oo.DebugIncludeTokenInErrors,
		},
	}
	if issuer == GoogleIssuer {
		v.altIssuer = googleIssuerNoScheme
	}
	if len(v.clientIDs) == 0 && !v.skipAud {
		return nil, errors.New("jwks: OIDCOptions.ClientIDs is empty (the audiences to accept are required; InsecureSkipClientIDCheck opts out)")
	}
	for _, id := range v.clientIDs {
		if id == "" {
			return nil, errors.New("jwks: OIDCOptions.ClientIDs holds an empty client ID")
		}
	}
	if len(oo.Algorithms) == 0 {
		v.algs = algRS256
	}
	for _, a := range oo.Algorithms {
		b := algBit(a)
		if b == 0 {
			return nil, fmt.Errorf("jwks: algorithm %q cannot be allowed (only RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512)", a)
		}
		v.algs |= b
	}
	switch {
	case oo.Leeway == 0:
		v.leeway = DefaultLeeway
	case oo.Leeway > 0:
		v.leeway = oo.Leeway
	}
	if err := v.o.applyCacheDefaults(); err != nil {
		return nil, err
	}
	if oo.TokenCacheSize > 0 {
		v.tokens = newTokenCache[*OIDCClaims](oo.TokenCacheSize)
	}
	switch {
	case oo.JWKS != nil:
		set, err := parseSet(oo.JWKS, true)
		if err != nil {
			return nil, err
		}
		v.keys = newStaticCache(set, &v.o, &v.gen)
	case oo.JWKSURL != "":
		if err := checkFetchURL(oo.JWKSURL, u.Scheme); err != nil {
			return nil, fmt.Errorf("jwks: JWKSURL: %w", err)
		}
		v.keys = newRemoteCache(oo.JWKSURL, &v.o, &v.gen)
	default:
		v.keys = newRemoteCache("", &v.o, &v.gen)
		v.keys.discover = v.discover
	}
	v.keys.allowEC = true
	return v, nil
}

// NewCognitoIdentityVerifier returns a verifier for the OpenID tokens of
// the Cognito identity pools identityPoolIDs (their aud), as
// GetOpenIdToken and GetOpenIdTokenForDeveloperIdentity issue them:
// issuer [CognitoIdentityIssuer], RS512, sub the identity ID, amr the
// authentication methods ([OIDCClaims.AuthMethods]). optFns run after
// these settings, so that an emulator's JWKSURL or another issuer set can
// be given.
func NewCognitoIdentityVerifier(identityPoolIDs []string, optFns ...func(*OIDCOptions)) (*OIDCVerifier, error) {
	if len(identityPoolIDs) == 0 {
		return nil, errors.New("jwks: no identity pool ID given")
	}
	fns := append([]func(*OIDCOptions){func(o *OIDCOptions) {
		o.ClientIDs = append([]string(nil), identityPoolIDs...)
		o.Algorithms = []string{"RS512"}
	}}, optFns...)
	return NewOIDCVerifier(CognitoIdentityIssuer, fns...)
}

// checkFetchURL requires an absolute http(s) URL, and https when the
// issuer is https (keys of an https issuer never come over plain HTTP).
func checkFetchURL(raw, issuerScheme string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	if issuerScheme == "https" && u.Scheme != "https" {
		return fmt.Errorf("%q is not https, as the issuer is", raw)
	}
	return nil
}

// discover fetches the issuer's discovery document and returns its
// jwks_uri. It runs inside the key cache's shared fetch.
func (v *OIDCVerifier) discover(ctx context.Context) (string, error) {
	where := strings.TrimSuffix(v.issuer, "/") + discoveryPath
	fail := func(err error) (string, error) { return "", fmt.Errorf("jwks: discovery %s: %w", where, err) }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.o.HTTPClient.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return fail(fmt.Errorf("HTTP status %d", resp.StatusCode))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, v.o.MaxJWKSBytes+1))
	if err != nil {
		return fail(err)
	}
	if int64(len(body)) > v.o.MaxJWKSBytes {
		return fail(fmt.Errorf("response larger than %d bytes", v.o.MaxJWKSBytes))
	}
	var doc struct {
		Issuer  *string `json:"issuer"`
		JWKSURI *string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return fail(fmt.Errorf("not a JSON object: %v", err))
	}
	switch {
	case doc.Issuer == nil:
		return fail(errors.New("no issuer"))
	case *doc.Issuer != v.issuer:
		return fail(fmt.Errorf("issuer %s is not the configured %q", quote(*doc.Issuer), v.issuer))
	case doc.JWKSURI == nil || *doc.JWKSURI == "":
		return fail(errors.New("no jwks_uri"))
	}
	scheme, _, _ := strings.Cut(v.issuer, ":")
	if err := checkFetchURL(*doc.JWKSURI, scheme); err != nil {
		return fail(fmt.Errorf("jwks_uri %w", err))
	}
	return *doc.JWKSURI, nil
}

// Issuer returns the issuer the verifier accepts.
func (v *OIDCVerifier) Issuer() string { return v.issuer }

// Hydrate runs discovery (if needed) and fetches the JWKS now, so that the
// first requests do not wait for it. The verifier stays usable when it
// fails: the fetch is retried on demand.
func (v *OIDCVerifier) Hydrate(ctx context.Context) error { return v.keys.fetchNow(ctx) }

// KeySet returns the keys currently cached (nil before the first
// successful fetch).
func (v *OIDCVerifier) KeySet() *Set {
	if s := v.keys.snap.Load(); s != nil {
		return s.set
	}
	return nil
}

// Run refreshes the JWKS when due until ctx is done; optional, as
// [Verifier.Run].
func (v *OIDCVerifier) Run(ctx context.Context) {
	runRefresh(ctx, v.o.Clock, []*keyCache{v.keys})
}

// Verify checks an ID token and returns its claims. Cheap checks run
// first, all of them before any discovery or key fetch: the compact JWS
// shape, alg, kid, iss, exp/nbf/iat, sub, aud (and azp); then the key, the
// signature and the custom check. It does not check a nonce: use
// [OIDCVerifier.VerifyNonce] when the token answers your own
// authentication request.
//
// Every error is a [*ValidationError] wrapping one sentinel (ErrIssuer,
// ErrClientID for aud and azp, ErrExpired, ErrSignature, ...).
func (v *OIDCVerifier) Verify(ctx context.Context, token string) (*OIDCClaims, error) {
	return v.result(v.verify(ctx, token, nil))
}

// VerifyNonce is [OIDCVerifier.Verify] that also requires the token's
// nonce claim to equal nonce, the value sent in the authentication
// request (OpenID Connect Core §3.1.3.7, point 11), compared in constant
// time; a missing or different nonce is ErrNonce. An empty nonce is
// refused: it would match a token without one.
func (v *OIDCVerifier) VerifyNonce(ctx context.Context, token, nonce string) (*OIDCClaims, error) {
	if nonce == "" {
		return v.result(nil, verr(ErrNonce, "the expected nonce is empty"))
	}
	return v.result(v.verify(ctx, token, &nonce))
}

func (v *OIDCVerifier) result(c *OIDCClaims, e *ValidationError) (*OIDCClaims, error) {
	if e != nil {
		return nil, e
	}
	return c, nil
}

func (v *OIDCVerifier) verify(ctx context.Context, token string, nonce *string) (*OIDCClaims, *ValidationError) {
	c, e := v.verifyToken(ctx, token, nonce)
	if e != nil && v.o.DebugIncludeTokenInErrors {
		e.token = token
	}
	return c, e
}

func (v *OIDCVerifier) verifyToken(ctx context.Context, token string, nonce *string) (*OIDCClaims, *ValidationError) {
	if len(token) > v.o.MaxTokenBytes {
		return nil, verr(ErrMalformed, fmt.Sprintf("token is longer than %d bytes", v.o.MaxTokenBytes))
	}
	now := v.o.Clock()
	if v.tokens != nil {
		if hit, ok := v.tokens.get(token, now, v.gen.Load()); ok {
			c := hit.claims.clone()
			if e := v.finish(ctx, c, nonce); e != nil {
				return nil, e
			}
			return c, nil
		}
	}

	var sigBuf [maxSigBytes]byte
	jws, sig, e := parseJWS(token, &sigBuf, v.algs)
	if e != nil {
		return nil, e
	}
	var rc rawClaims
	if e := decodeClaims(jws.payload, &rc); e != nil {
		return nil, e
	}
	if rc.present&hasIss == 0 {
		return nil, verr(ErrIssuer, "token has no iss")
	}
	if rc.Issuer != v.issuer && (v.altIssuer == "" || rc.Issuer != v.altIssuer) {
		return nil, verr(ErrIssuer, "iss "+quote(rc.Issuer)+" is not "+quote(v.issuer))
	}
	if e := rc.checkTimes(now, v.leeway); e != nil {
		return nil, e
	}
	if rc.present&hasAud == 0 || len(rc.Audience) == 0 {
		return nil, verr(ErrMissingClaim, "token has no aud")
	}
	if !v.skipAud {
		found := false
		for _, a := range rc.Audience {
			if contains(v.clientIDs, a) {
				found = true
				break
			}
		}
		if !found {
			return nil, verr(ErrClientID, "aud "+quote(rc.Audience[0])+" is not an allowed client")
		}
		// OpenID Connect Core §3.1.3.7, points 4-5: with several
		// audiences, azp names the client the token was issued to.
		if len(rc.Audience) > 1 {
			if rc.present&hasAZP == 0 {
				return nil, verr(ErrClientID, "token has several audiences and no azp")
			}
			if !contains(v.clientIDs, rc.azp) {
				return nil, verr(ErrClientID, "azp "+quote(rc.azp)+" is not an allowed client")
			}
		}
	}
	if nonce != nil && !constantTimeEqual(rc.nonce, *nonce) {
		return nil, verr(ErrNonce, "nonce does not match")
	}
	if e := jws.verifySignature(ctx, v.keys, now, sig); e != nil {
		return nil, e
	}
	c := &OIDCClaims{
		Issuer: rc.Issuer, Subject: rc.Subject, Audience: rc.Audience, AuthorizedParty: rc.azp,
		Expiry: rc.ExpiresAt, IssuedAt: rc.IssuedAt, NotBefore: rc.NotBefore, AuthTime: rc.AuthTime,
		Nonce: rc.nonce, Email: rc.Email, EmailVerified: rc.EmailVerified, Name: rc.name,
		JWTID: rc.JWTID, KeyID: jws.kid, Algorithm: jws.alg, payload: rc.payload,
	}
	if v.tokens != nil {
		// Cache before the nonce and custom checks, which run on every hit.
		v.tokens.put(token, &tokenEntry[*OIDCClaims]{claims: c.clone(), exp: c.Expiry, gen: v.gen.Load(), keys: v.keys}, now)
	}
	if e := v.finish(ctx, c, nil); e != nil {
		return nil, e
	}
	return c, nil
}

// finish runs the checks that run again on every verified-token-cache
// hit: the nonce (already checked on a miss) and the custom check.
func (v *OIDCVerifier) finish(ctx context.Context, c *OIDCClaims, nonce *string) *ValidationError {
	if nonce != nil && !constantTimeEqual(c.Nonce, *nonce) {
		return verr(ErrNonce, "nonce does not match")
	}
	if v.custom == nil {
		return nil
	}
	if err := v.custom(ctx, c); err != nil {
		e := verr(ErrCustomCheck, "")
		e.Cause = err
		return e
	}
	return nil
}

type oidcClaimsKey struct{}

// WithOIDCClaims returns a copy of ctx carrying c (what
// [OIDCVerifier.Middleware] does).
func WithOIDCClaims(ctx context.Context, c *OIDCClaims) context.Context {
	return context.WithValue(ctx, oidcClaimsKey{}, c)
}

// OIDCClaimsFromContext returns the claims [OIDCVerifier.Middleware]
// verified.
func OIDCClaimsFromContext(ctx context.Context) (*OIDCClaims, bool) {
	c, ok := ctx.Value(oidcClaimsKey{}).(*OIDCClaims)
	return c, ok && c != nil
}

// Middleware returns net/http middleware that verifies the request's ID
// token (Authorization: Bearer …, or the named cookie) and puts its claims
// in the request context (read them with [OIDCClaimsFromContext]). The
// responses are those of [Verifier.Middleware].
func (v *OIDCVerifier) Middleware(optFns ...func(*MiddlewareOptions)) func(http.Handler) http.Handler {
	return middleware(v.Verify, WithOIDCClaims, optFns)
}
