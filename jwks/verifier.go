package jwks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// Defaults for [Options].
const (
	DefaultLeeway             = 30 * time.Second
	DefaultMaxTokenBytes      = 16 << 10
	DefaultFetchTimeout       = 5 * time.Second
	DefaultMaxJWKSBytes       = 256 << 10
	DefaultRefetchCooldown    = 15 * time.Second
	DefaultNegativeCacheTTL   = 30 * time.Second
	DefaultRefreshInterval    = time.Hour
	DefaultMinRefreshInterval = 5 * time.Minute
	DefaultMaxRefreshInterval = 6 * time.Hour
	DefaultMaxKeyAge          = 24 * time.Hour
)

const (
	maxKIDLen                    = 256
	maxHeaderBytes               = 4 << 10
	cognitoIssuerFormat          = "https://cognito-idp.%s.amazonaws.com/%s"
	cognitoAlternateIssuerFormat = "https://issuer-cognito-idp.%s.amazonaws.com/%s"
	wellKnownJWKSPath            = "/.well-known/jwks.json"
	userPoolIDPattern            = `^([a-z]{2}(?:-[a-z]+)+-[0-9]+)_[0-9A-Za-z]+$`
)

var userPoolIDRe = regexp.MustCompile(userPoolIDPattern)

// Options configure a [Verifier]. The zero value of every field means the
// documented default; every check is on unless a field named Insecure…
// turns it off.
type Options struct {
	// TokenUse is the token_use accepted: TokenUseAccess (the default when
	// empty), TokenUseID or TokenUseAny.
	TokenUse TokenUse
	// ClientIDs are the app client IDs accepted (client_id of an access
	// token, aud of an ID token). Required unless
	// InsecureSkipClientIDCheck is set; a Pool's own ClientIDs override it.
	ClientIDs []string
	// InsecureSkipClientIDCheck accepts tokens of any app client of the
	// pool. Only for tools and tests: any app in the pool (including one an
	// attacker controls, where self sign-up is open) mints such tokens.
	InsecureSkipClientIDCheck bool
	// RequiredGroups, if set, requires the token to be in at least one of
	// these cognito:groups.
	RequiredGroups []string
	// RequiredScopes, if set, requires an access token holding every one of
	// these scopes. ID tokens have no scope and are refused.
	RequiredScopes []string
	// Leeway is the clock skew allowed on exp, nbf and iat. 0 means
	// DefaultLeeway; a negative value means none. A token is valid while
	// now < exp+Leeway (RFC 7519 §4.1.4: the time must be before exp), so
	// without leeway it is refused at exactly exp; nbf and iat pass while
	// now+Leeway >= them (RFC 7519 §4.1.5: on or after nbf).
	Leeway time.Duration
	// Algorithms is the alg allow-list: a subset of RS256, RS384 and RS512.
	// Default RS256 (the only one Cognito uses).
	Algorithms []string
	// CustomCheck, if set, runs last on every token that passed every other
	// check (and on every verified-token-cache hit); a non-nil error refuses
	// the token with ErrCustomCheck wrapping it.
	CustomCheck func(ctx context.Context, c *Claims) error
	// MaxTokenBytes refuses longer tokens before decoding. Default 16 KiB.
	MaxTokenBytes int
	// TokenCacheSize enables the verified-token cache with room for this
	// many tokens (0, the default, disables it). A hit returns a copy of the
	// claims until exp (no leeway), as long as the key sets are unchanged;
	// only the custom check runs again.
	TokenCacheSize int

	// HTTPClient fetches JWKS documents. Default: a client with
	// FetchTimeout as its timeout.
	HTTPClient *http.Client
	// FetchTimeout bounds one JWKS fetch. Default DefaultFetchTimeout.
	FetchTimeout time.Duration
	// MaxJWKSBytes caps a JWKS response body. Default DefaultMaxJWKSBytes.
	MaxJWKSBytes int64
	// RefetchCooldown is the least time between two fetches of one JWKS
	// URL. A token with an unknown kid inside the cooldown fails at once
	// with ErrUnknownKey instead of waiting. Default DefaultRefetchCooldown.
	RefetchCooldown time.Duration
	// NegativeCacheTTL is how long a kid missing from a fresh fetch is
	// refused without another fetch. Default DefaultNegativeCacheTTL.
	NegativeCacheTTL time.Duration
	// DefaultRefreshInterval is how often keys are refreshed in the
	// background when the JWKS response has no Cache-Control max-age;
	// max-age is honoured but clamped to [MinRefreshInterval,
	// MaxRefreshInterval].
	DefaultRefreshInterval, MinRefreshInterval, MaxRefreshInterval time.Duration
	// MaxKeyAge is how long keys stay usable after the last successful
	// fetch while refreshes fail; after it, verification fails closed with
	// ErrJWKSUnavailable. Default DefaultMaxKeyAge.
	MaxKeyAge time.Duration

	// Region, if set, replaces the region taken from the pool ID's prefix
	// when deriving issuers and JWKS URLs (normally left empty).
	Region string
	// Endpoint, if set, is the user-pool service endpoint to trust instead
	// of Cognito's, for an emulator such as `cognitoctl serve` or
	// cognitotest (e.g. "http://127.0.0.1:9229"): a pool's keys are then
	// fetched from Endpoint + "/" + poolID + "/.well-known/jwks.json", and
	// its tokens may carry the endpoint's issuer (Endpoint + "/" + poolID)
	// or Cognito's own forms (an emulator told to issue those). Pools with
	// explicit Issuers are unaffected.
	//
	// When Endpoint is empty, the environment variables the AWS SDKs read
	// are honoured the same way: AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER,
	// else AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is
	// "true" or IgnoreEndpointEnv is set. A process whose environment
	// points its Cognito calls at an endpoint thereby verifies tokens with
	// that endpoint's keys, and no longer with Cognito's.
	Endpoint string
	// IgnoreEndpointEnv makes the verifier ignore the AWS_ENDPOINT_URL
	// variables, so that only Endpoint (or Cognito itself) is trusted
	// whatever the environment says.
	IgnoreEndpointEnv bool
	// Getenv reads the environment for the endpoint variables. Default
	// os.Getenv; tests replace it.
	Getenv func(string) string
	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
	// Logger, if set, receives JWKS fetch failures and skipped JWKs. Tokens
	// are never logged.
	Logger *slog.Logger
	// DebugIncludeTokenInErrors appends the raw token to error text. Never
	// in production: tokens are bearer credentials.
	DebugIncludeTokenInErrors bool
}

// Pool is one user pool (or any issuer set sharing one JWKS) accepted by a
// multi-pool [Verifier].
type Pool struct {
	// UserPoolID is e.g. "us-east-1_AbCdEf123". With no Issuers, both issuer
	// forms Cognito uses are derived from it:
	// https://cognito-idp.{region}.amazonaws.com/{pool} and
	// https://issuer-cognito-idp.{region}.amazonaws.com/{pool}.
	UserPoolID string
	// Issuers, if set, are the exact iss values accepted instead (for
	// emulators and custom setups).
	Issuers []string
	// JWKSURL is where the keys are fetched. Default
	// https://cognito-idp.{region}.amazonaws.com/{pool}/.well-known/jwks.json,
	// or Issuers[0] + "/.well-known/jwks.json" when Issuers is set.
	JWKSURL string
	// JWKS, if set, is a static JWKS document used instead of fetching.
	JWKS []byte
	// ClientIDs, if non-nil, replaces Options.ClientIDs for this pool.
	ClientIDs []string
}

// Verifier verifies Cognito ID and access tokens. It is safe for
// concurrent use; create one per service and share it.
type Verifier struct {
	o        Options
	issuers  map[string]*issuer
	caches   []*keyCache
	gen      atomic.Uint64
	tokens   *tokenCache[*Claims]
	leeway   time.Duration
	algs     uint16 // bit set of allowed algs
	groups   []string
	scopes   []string
	tokenUse TokenUse
}

type issuer struct {
	iss       string
	keys      *keyCache
	clientIDs []string
	skipCheck bool
}

// NewVerifier returns a verifier for one user pool, with the issuers and
// JWKS URL derived from its ID.
func NewVerifier(userPoolID string, optFns ...func(*Options)) (*Verifier, error) {
	return NewMultiPoolVerifier([]Pool{{UserPoolID: userPoolID}}, optFns...)
}

// NewMultiPoolVerifier returns a verifier accepting tokens of any of pools
// (multi-tenant services). A token's iss picks its pool; keys and client
// IDs of one pool never serve another.
func NewMultiPoolVerifier(pools []Pool, optFns ...func(*Options)) (*Verifier, error) {
	v := &Verifier{issuers: map[string]*issuer{}}
	for _, fn := range optFns {
		fn(&v.o)
	}
	if err := v.applyDefaults(); err != nil {
		return nil, err
	}
	if len(pools) == 0 {
		return nil, errors.New("jwks: no user pool configured")
	}
	endpoint, err := v.endpoint()
	if err != nil {
		return nil, err
	}
	for i, p := range pools {
		issuers := p.Issuers
		jwksURL := p.JWKSURL
		if len(issuers) == 0 {
			m := userPoolIDRe.FindStringSubmatch(p.UserPoolID)
			if m == nil {
				return nil, fmt.Errorf("jwks: pool %d: user pool ID %q is not of the form region_ID (e.g. us-east-1_AbCdEf123)", i, p.UserPoolID)
			}
			region := m[1]
			if v.o.Region != "" {
				region = v.o.Region
			}
			issuers = []string{
				fmt.Sprintf(cognitoIssuerFormat, region, p.UserPoolID),
				fmt.Sprintf(cognitoAlternateIssuerFormat, region, p.UserPoolID),
			}
			if endpoint != "" {
				// The endpoint's own issuer first: the keys come from it.
				issuers = append([]string{endpoint + "/" + p.UserPoolID}, issuers...)
			}
			if jwksURL == "" {
				jwksURL = strings.TrimSuffix(issuers[0], "/") + wellKnownJWKSPath
			}
		} else if jwksURL == "" {
			jwksURL = strings.TrimSuffix(issuers[0], "/") + wellKnownJWKSPath
		}
		var kc *keyCache
		if p.JWKS != nil {
			set, err := ParseSet(p.JWKS)
			if err != nil {
				return nil, fmt.Errorf("jwks: pool %d: %w", i, err)
			}
			kc = newStaticCache(set, &v.o, &v.gen)
		} else {
			if !strings.HasPrefix(jwksURL, "https://") && !strings.HasPrefix(jwksURL, "http://") {
				return nil, fmt.Errorf("jwks: pool %d: JWKS URL %q is not http(s)", i, jwksURL)
			}
			kc = newRemoteCache(jwksURL, &v.o, &v.gen)
		}
		v.caches = append(v.caches, kc)
		clientIDs := v.o.ClientIDs
		if p.ClientIDs != nil {
			clientIDs = append([]string{}, p.ClientIDs...)
		}
		if len(clientIDs) == 0 && !v.o.InsecureSkipClientIDCheck {
			return nil, fmt.Errorf("jwks: pool %d: no client IDs configured (set Options.ClientIDs, or InsecureSkipClientIDCheck to accept every app client)", i)
		}
		for _, iss := range issuers {
			if iss == "" {
				return nil, fmt.Errorf("jwks: pool %d: empty issuer", i)
			}
			if _, dup := v.issuers[iss]; dup {
				return nil, fmt.Errorf("jwks: issuer %q configured twice", iss)
			}
			v.issuers[iss] = &issuer{iss: iss, keys: kc, clientIDs: clientIDs, skipCheck: len(clientIDs) == 0}
		}
	}
	return v, nil
}

// endpoint returns the user-pool endpoint to trust instead of Cognito's:
// Options.Endpoint, else the SDKs' endpoint variables, without a trailing
// slash; "" for Cognito itself.
func (v *Verifier) endpoint() (string, error) {
	ep, from := v.o.Endpoint, "Options.Endpoint"
	if ep == "" && !v.o.IgnoreEndpointEnv {
		getenv := v.o.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		if !strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
			for _, name := range []string{"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL"} {
				if ep = getenv(name); ep != "" {
					from = name
					break
				}
			}
		}
	}
	if ep == "" {
		return "", nil
	}
	u, err := url.Parse(ep)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("jwks: %s %q is not an http(s) URL", from, ep)
	}
	return strings.TrimSuffix(ep, "/"), nil
}

// JWS algorithms (RFC 7518 §3.1) as bits of an allow-list. A [Verifier]
// allows the RS* ones only (Cognito signs with RS256); an [OIDCVerifier]
// any of them.
const (
	algRS256 uint16 = 1 << iota
	algRS384
	algRS512
	algPS256
	algPS384
	algPS512
	algES256
	algES384
	algES512

	algsRSAPKCS1 = algRS256 | algRS384 | algRS512
	algsRSA      = algsRSAPKCS1 | algPS256 | algPS384 | algPS512
)

func algBit(alg string) uint16 {
	switch alg {
	case "RS256":
		return algRS256
	case "RS384":
		return algRS384
	case "RS512":
		return algRS512
	case "PS256":
		return algPS256
	case "PS384":
		return algPS384
	case "PS512":
		return algPS512
	case "ES256":
		return algES256
	case "ES384":
		return algES384
	case "ES512":
		return algES512
	}
	return 0
}

func (v *Verifier) applyDefaults() error {
	o := &v.o
	switch o.TokenUse {
	case "":
		v.tokenUse = TokenUseAccess
	case TokenUseAccess, TokenUseID, TokenUseAny:
		v.tokenUse = o.TokenUse
	default:
		return fmt.Errorf("jwks: TokenUse %q is not id, access or any", o.TokenUse)
	}
	switch {
	case o.Leeway == 0:
		v.leeway = DefaultLeeway
	case o.Leeway > 0:
		v.leeway = o.Leeway
	}
	if len(o.Algorithms) == 0 {
		v.algs = algRS256
	}
	for _, a := range o.Algorithms {
		b := algBit(a)
		if b&algsRSAPKCS1 == 0 {
			return fmt.Errorf("jwks: algorithm %q cannot be allowed (only RS256, RS384, RS512)", a)
		}
		v.algs |= b
	}
	v.groups = append([]string(nil), o.RequiredGroups...)
	v.scopes = append([]string(nil), o.RequiredScopes...)
	o.ClientIDs = append([]string(nil), o.ClientIDs...)
	if err := o.applyCacheDefaults(); err != nil {
		return err
	}
	if o.TokenCacheSize > 0 {
		v.tokens = newTokenCache[*Claims](o.TokenCacheSize)
	}
	return nil
}

// applyCacheDefaults fills in the defaults shared by every verifier: the
// JWKS cache's timings and limits, the token size limit, the HTTP client
// and the clock.
func (o *Options) applyCacheDefaults() error {
	def := func(d *time.Duration, val time.Duration) {
		if *d <= 0 {
			*d = val
		}
	}
	def(&o.FetchTimeout, DefaultFetchTimeout)
	def(&o.RefetchCooldown, DefaultRefetchCooldown)
	def(&o.NegativeCacheTTL, DefaultNegativeCacheTTL)
	def(&o.DefaultRefreshInterval, DefaultRefreshInterval)
	def(&o.MinRefreshInterval, DefaultMinRefreshInterval)
	def(&o.MaxRefreshInterval, DefaultMaxRefreshInterval)
	def(&o.MaxKeyAge, DefaultMaxKeyAge)
	if o.MinRefreshInterval > o.MaxRefreshInterval {
		return errors.New("jwks: MinRefreshInterval is greater than MaxRefreshInterval")
	}
	if o.MaxTokenBytes <= 0 {
		o.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if o.MaxJWKSBytes <= 0 {
		o.MaxJWKSBytes = DefaultMaxJWKSBytes
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.FetchTimeout}
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return nil
}

// Issuers returns the accepted iss values.
func (v *Verifier) Issuers() []string {
	out := make([]string, 0, len(v.issuers))
	for iss := range v.issuers {
		out = append(out, iss)
	}
	return out
}

// Hydrate fetches every pool's JWKS now, so that the first requests do not
// wait for it. It ignores the refetch cooldown and joins fetches already in
// flight. It returns the fetch errors joined (the verifier stays usable:
// keys are fetched again on demand).
func (v *Verifier) Hydrate(ctx context.Context) error {
	var errs []error
	for _, kc := range v.caches {
		if err := kc.fetchNow(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// KeySet returns the keys currently cached for the pool of issuer (nil
// before the first successful fetch), for inspection: Set.Skipped tells
// which JWKs were left out and why.
func (v *Verifier) KeySet(issuer string) *Set {
	is, ok := v.issuers[issuer]
	if !ok {
		return nil
	}
	if s := is.keys.snap.Load(); s != nil {
		return s.set
	}
	return nil
}

// Run refreshes every remote JWKS when due (Cache-Control max-age within
// the configured bounds, or DefaultRefreshInterval) until ctx is done. It
// is optional: without it, a due refresh starts in the background on the
// first verification after it is due, and callers keep using the cached
// keys meanwhile.
func (v *Verifier) Run(ctx context.Context) { runRefresh(ctx, v.o.Clock, v.caches) }

// runRefresh is the loop of [Verifier.Run] and [OIDCVerifier.Run].
func runRefresh(ctx context.Context, clock func() time.Time, caches []*keyCache) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		now := clock()
		for _, kc := range caches {
			if kc.static {
				continue
			}
			s := kc.snap.Load()
			if s == nil || !now.Before(s.refreshAt) {
				kc.refreshInBackground(ctx, now)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Verify checks token and returns its claims. Cheap checks run first and
// all of them before any key fetch: the compact JWS shape, alg, kid, iss,
// exp/nbf/iat, token_use, the client; then the key, the signature, the
// groups, the scopes and the custom check.
//
// Every error is a [*ValidationError] wrapping one sentinel (ErrExpired,
// ErrSignature, ...). A token revoked with GlobalSignOut or RevokeToken
// still verifies here until it expires: verification is local.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	c, e := v.verify(ctx, token)
	if e != nil {
		if v.o.DebugIncludeTokenInErrors {
			e.token = token
		}
		return nil, e
	}
	return c, nil
}

func (v *Verifier) verify(ctx context.Context, token string) (*Claims, *ValidationError) {
	if len(token) > v.o.MaxTokenBytes {
		return nil, verr(ErrMalformed, fmt.Sprintf("token is longer than %d bytes", v.o.MaxTokenBytes))
	}
	now := v.o.Clock()
	if v.tokens != nil {
		if e, ok := v.tokens.get(token, now, v.gen.Load()); ok {
			c := e.claims.clone()
			if err := v.custom(ctx, c); err != nil {
				return nil, err
			}
			return c, nil
		}
	}

	// 1-3. Strict compact JWS, alg on the allow-list, kid present.
	var sigBuf [maxSigBytes]byte
	jws, sig, e := parseJWS(token, &sigBuf, v.algs)
	if e != nil {
		return nil, e
	}
	kid := jws.kid
	rc := new(rawClaims)
	if e := decodeClaims(jws.payload, rc); e != nil {
		return nil, e
	}
	c := &rc.Claims
	c.KeyID = kid

	// 4. iss: exactly one configured issuer.
	if rc.present&hasIss == 0 {
		return nil, verr(ErrIssuer, "token has no iss")
	}
	is, ok := v.issuers[c.Issuer]
	if !ok {
		return nil, verr(ErrIssuer, "iss "+quote(c.Issuer)+" is not accepted"+issuerHint(c.Issuer))
	}

	// 5. exp required; nbf and iat not in the future; sub present.
	if e := rc.checkTimes(now, v.leeway); e != nil {
		return nil, e
	}

	// 6. token_use.
	if rc.present&hasTokenUse == 0 {
		return nil, verr(ErrMissingClaim, "token has no token_use")
	}
	switch c.TokenUse {
	case TokenUseAccess, TokenUseID:
	default:
		return nil, verr(ErrTokenUse, "token_use "+quote(string(c.TokenUse))+" is not id or access")
	}
	if v.tokenUse != TokenUseAny && c.TokenUse != v.tokenUse {
		return nil, verr(ErrTokenUse, "token_use is "+string(c.TokenUse)+", want "+string(v.tokenUse))
	}

	// 7. Client: aud of an ID token, client_id of an access token.
	if c.TokenUse == TokenUseID {
		if rc.present&hasAud == 0 || len(c.Audience) == 0 {
			return nil, verr(ErrMissingClaim, "ID token has no aud")
		}
		c.ClientID = c.Audience[0]
		if !is.skipCheck {
			found := false
			for _, a := range c.Audience {
				if contains(is.clientIDs, a) {
					c.ClientID, found = a, true
					break
				}
			}
			if !found {
				return nil, verr(ErrClientID, "aud "+quote(c.Audience[0])+" is not an allowed client")
			}
		}
	} else {
		if rc.present&hasClientID == 0 || c.ClientID == "" {
			return nil, verr(ErrMissingClaim, "access token has no client_id")
		}
		if !is.skipCheck && !contains(is.clientIDs, c.ClientID) {
			return nil, verr(ErrClientID, "client_id "+quote(c.ClientID)+" is not an allowed client")
		}
	}

	// 8-9. The key, fetched only now that every cheap check passed, and
	// the signature.
	if e := jws.verifySignature(ctx, is.keys, now, sig); e != nil {
		return nil, e
	}

	// 10. Groups (any of), scopes (all of), custom check.
	if len(v.groups) > 0 {
		ok := false
		for _, g := range v.groups {
			if c.HasGroup(g) {
				ok = true
				break
			}
		}
		if !ok {
			return nil, verr(ErrGroups, "token is in none of the required groups")
		}
	}
	for _, s := range v.scopes {
		if c.TokenUse != TokenUseAccess || !c.HasScope(s) {
			return nil, verr(ErrScopes, "token lacks scope "+quote(s))
		}
	}
	if v.tokens != nil {
		// Cache before the custom check, which runs on every hit anyway.
		v.tokens.put(token, &tokenEntry[*Claims]{claims: c.clone(), exp: c.ExpiresAt, gen: v.gen.Load(), keys: is.keys}, now)
	}
	if err := v.custom(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (v *Verifier) custom(ctx context.Context, c *Claims) *ValidationError {
	if v.o.CustomCheck == nil {
		return nil
	}
	if err := v.o.CustomCheck(ctx, c); err != nil {
		e := verr(ErrCustomCheck, "")
		e.Cause = err
		return e
	}
	return nil
}

// issuerHint explains a refused issuer that is not Cognito's: most often
// a token from an emulator given to a verifier that trusts Cognito.
func issuerHint(iss string) string {
	if strings.HasPrefix(iss, "https://cognito-idp.") || strings.HasPrefix(iss, "https://issuer-cognito-idp.") {
		return ""
	}
	return " (a token from an emulator or another endpoint? set Options.Endpoint or AWS_ENDPOINT_URL to trust it)"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decodeSegment base64url-decodes a segment into a new buffer and returns
// it as a string without copying: the buffer is never written again, so
// the string is immutable as Go requires. Substrings of it become claims.
func decodeSegment(seg string) (string, error) {
	buf := make([]byte, b64.DecodedLen(len(seg)))
	n, err := b64.Decode(buf, unsafe.Slice(unsafe.StringData(seg), len(seg)))
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", nil
	}
	return unsafe.String(&buf[0], n), nil
}

// parseHeader reads alg and kid from the JOSE header. crit (extensions we
// do not implement), duplicate members and non-string alg/kid/typ are
// malformed. jku, x5u, jwk and x5c are ignored: keys only ever come from
// the configured JWKS.
func parseHeader(h string) (alg, kid string, e *ValidationError) {
	r := jsonReader{s: h}
	if !r.consume('{') {
		return "", "", verr(ErrMalformed, "header is not a JSON object")
	}
	var seen uint8
	for first := true; ; first = false {
		key, done, err := r.nextKey(first)
		if err != nil {
			return "", "", verr(ErrMalformed, "header is not valid JSON")
		}
		if done {
			break
		}
		var bit uint8
		var dst *string
		var typ string
		switch key {
		case "alg":
			bit, dst = 1, &alg
		case "kid":
			bit, dst = 2, &kid
		case "typ":
			bit, dst = 4, &typ
		case "crit":
			return "", "", verr(ErrMalformed, "header has crit extensions")
		default:
			if err := r.skip(0); err != nil {
				return "", "", verr(ErrMalformed, "header is not valid JSON")
			}
			continue
		}
		if seen&bit != 0 {
			return "", "", verr(ErrMalformed, "duplicate header member "+key)
		}
		seen |= bit
		if r.peek() != '"' {
			return "", "", verr(ErrMalformed, "header member "+key+" is not a string")
		}
		s, err := r.str()
		if err != nil {
			return "", "", verr(ErrMalformed, "header is not valid JSON")
		}
		*dst = s
	}
	if !r.atEnd() {
		return "", "", verr(ErrMalformed, "trailing data after header")
	}
	if len(kid) > maxKIDLen {
		return "", "", verr(ErrMalformed, "kid too long")
	}
	return alg, kid, nil
}
