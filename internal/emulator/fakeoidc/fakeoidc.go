// Package fakeoidc is the emulator's stand-in for an OpenID Connect
// identity provider: Google, Sign in with Apple, or any other issuer. One
// implementation serves them all; Config chooses the issuer and, with
// Apple, Apple's differences.
//
// HTTP surface, relative to the path prefix given in Config.Prefix (for
// example /_emulator/google/):
//
//	GET  .well-known/openid-configuration   discovery (OpenID Connect Discovery 1.0 §4)
//	GET  jwks                                the signing keys (RS256)
//	GET  authorize?client_id&redirect_uri&response_type=code&scope=openid…&state&nonce
//	     [&code_challenge&code_challenge_method=S256][&response_mode=query|form_post]
//	                                         the consent page: the tester types who signs in
//	POST authorize                           (the consent form) → the code, or
//	                                         error=access_denied, back at redirect_uri
//	POST token                               grant_type=authorization_code → access_token, id_token
//	GET  userinfo                            Authorization: Bearer → the user's claims
//	POST tokens                              (test-only) {"client_id","sub","email",
//	                                         "email_verified","name","nonce"} → {"id_token"}
//
// What is checked, as the real providers do: the client is registered and
// the redirect_uri is exactly one of its redirect URIs, before anything is
// shown (an unregistered one is answered with an error page, never a
// redirect); scope holds openid; PKCE is S256 only, and required of public
// clients; codes are single-use, expire after CodeLifetime and are bound to
// the client, the redirect URI and the challenge; the client secret is
// compared in constant time; with Apple, the client secret is the
// developer's ES256 JWT (see AppleKey), verified with the registered
// public key.
//
// Apple's differences (Config.Apple): response_mode=form_post is required
// when name or email is asked for; the ID token carries no name; the name
// is posted to the redirect URI only at the user's first consent to that
// client, in the "user" form field, as Apple does; the user may hide their
// e-mail, and then gets a stable private relay address
// (…@privaterelay.appleid.com) with is_private_email=true.
//
// For tests, MintIDToken signs a user's ID token directly and
// VerifyIDToken checks one as an identity pool does (see Verifier).
package fakeoidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// Issuers of the providers this package usually plays.
const (
	GoogleIssuer = "https://accounts.google.com"
	AppleIssuer  = "https://appleid.apple.com"
)

// Default lifetimes.
const (
	CodeLifetime    = 5 * time.Minute
	TokenLifetime   = time.Hour
	AppleRelayEmail = "privaterelay.appleid.com"
)

// Errors of ID-token verification, matched with errors.Is; the OAuth
// errors are fakeoauth's (ErrInvalidClient, ErrInvalidGrant, …).
var (
	// ErrInvalidIDToken reports an ID token that is malformed, not signed
	// by this provider's key, or from another issuer.
	ErrInvalidIDToken = errors.New("fakeoidc: invalid ID token")
	// ErrExpiredIDToken reports an ID token past its exp.
	ErrExpiredIDToken = errors.New("fakeoidc: ID token has expired")
	// ErrWrongAudience reports an ID token issued to another client.
	ErrWrongAudience = errors.New("fakeoidc: ID token was issued to another client")
)

// Config configures a Provider.
type Config struct {
	// Issuer is the iss of every ID token and of discovery, for example
	// GoogleIssuer. Required. Mounted in the emulator, it is the fake's
	// own URL unless told otherwise.
	Issuer string
	// AcceptIssuers are further iss values VerifyIDToken accepts, such as
	// "accounts.google.com", the scheme-less form Google also issues.
	AcceptIssuers []string
	// Prefix is the path the handler is mounted at, with a trailing
	// slash, for example "/_emulator/google/". Required.
	Prefix string
	// BaseURL, when set, is the scheme and host discovery names the
	// endpoints with ("http://127.0.0.1:9229"); otherwise they are derived
	// from each request's Host.
	BaseURL string
	// Apple turns on Sign in with Apple's differences (see the package doc).
	Apple bool
	// Name is shown on the consent page ("Google", "Apple", …).
	Name string
	// Key signs ID tokens; nil generates a 2048-bit RSA key.
	Key *rsa.PrivateKey
	// Now and Rand may be nil (wall clock, crypto/rand).
	Now  func() time.Time
	Rand io.Reader
}

// User is an account at the provider.
type User struct {
	// Sub is the stable subject identifier. Required.
	Sub           string `json:"sub"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	Name          string `json:"name,omitempty"`
	GivenName     string `json:"given_name,omitempty"`
	FamilyName    string `json:"family_name,omitempty"`
	// HideEmail (Apple) replaces Email with the private relay address.
	HideEmail bool `json:"-"`
}

// Client is a registered relying party.
type Client struct {
	fakeoauth.Client
	// AppleKey, with Config.Apple, makes the client authenticate with a
	// client-secret JWT signed by this key instead of a static secret.
	AppleKey *AppleKey
}

// AppleKey is a Sign in with Apple developer key: the client secret is an
// ES256 JWT with header kid=KeyID and claims iss=TeamID, sub=client ID,
// aud=the issuer, iat and exp (at most six months later).
type AppleKey struct {
	TeamID string
	KeyID  string
	Public *ecdsa.PublicKey
}

// Provider is a fake OpenID Connect provider. It is safe for concurrent use.
type Provider struct {
	cfg    Config
	key    jwk.Key
	public jwk.Set

	clients fakeoauth.Clients
	codes   fakeoauth.Codes[grant]
	tokens  fakeoauth.Tokens[claims]

	mu        sync.Mutex
	apple     map[string]AppleKey // by client ID
	consented map[string]bool     // client ID + "\x00" + sub
	relay     map[string]string   // client ID + "\x00" + sub → relay address
}

type grant struct {
	Claims claims
	Nonce  string
	Scope  string
}

type claims struct {
	User     User
	Email    string
	Private  bool
	AuthTime time.Time
}

// New returns a Provider.
func New(cfg Config) (*Provider, error) {
	if cfg.Issuer == "" || !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return nil, errors.New("fakeoidc: Config needs an Issuer and a Prefix that starts and ends with /")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Name == "" {
		cfg.Name = cfg.Issuer
	}
	if cfg.Key == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("fakeoidc: generating the signing key: %w", err)
		}
		cfg.Key = k
	}
	key, err := jwk.FromRaw(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("fakeoidc: signing key: %w", err)
	}
	pub, err := jwk.PublicKeyOf(key)
	if err != nil {
		return nil, fmt.Errorf("fakeoidc: signing key: %w", err)
	}
	tp, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("fakeoidc: signing key: %w", err)
	}
	kid := hex.EncodeToString(tp[:10])
	for _, k := range []jwk.Key{key, pub} {
		_ = k.Set(jwk.KeyIDKey, kid)
		_ = k.Set(jwk.AlgorithmKey, jwa.RS256)
		_ = k.Set(jwk.KeyUsageKey, "sig")
	}
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	p := &Provider{cfg: cfg, key: key, public: set, apple: map[string]AppleKey{},
		consented: map[string]bool{}, relay: map[string]string{}}
	p.codes = fakeoauth.Codes[grant]{Now: cfg.Now, Rand: cfg.Rand, Prefix: "c."}
	p.tokens = fakeoauth.Tokens[claims]{Now: cfg.Now, Rand: cfg.Rand, Prefix: "ya29."}
	return p, nil
}

// Issuer returns the provider's issuer.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// KeySet returns the public signing keys, as served at jwks.
func (p *Provider) KeySet() jwk.Set { return p.public }

// RegisterClient registers or replaces a relying party.
func (p *Provider) RegisterClient(c Client) error {
	if c.AppleKey != nil {
		if !p.cfg.Apple || c.AppleKey.Public == nil || c.AppleKey.TeamID == "" || c.AppleKey.KeyID == "" {
			return fmt.Errorf("%w: an AppleKey needs Config.Apple, a team ID, a key ID and a public key", fakeoauth.ErrInvalidRequest)
		}
		if c.Secret != "" {
			return fmt.Errorf("%w: a client with an AppleKey has no static secret", fakeoauth.ErrInvalidRequest)
		}
	}
	if err := p.clients.Register(c.Client); err != nil {
		return err
	}
	p.mu.Lock()
	delete(p.apple, c.ID)
	if c.AppleKey != nil {
		p.apple[c.ID] = *c.AppleKey
	}
	p.mu.Unlock()
	return nil
}

// authenticate checks a token request's client credentials.
func (p *Provider) authenticate(clientID, secret string) error {
	p.mu.Lock()
	ak, isApple := p.apple[clientID]
	p.mu.Unlock()
	if !isApple {
		return p.clients.CheckSecret(clientID, secret)
	}
	tok, err := jwt.Parse([]byte(secret), jwt.WithKey(jwa.ES256, ak.Public), jwt.WithValidate(true),
		jwt.WithClock(jwt.ClockFunc(p.cfg.Now)), jwt.WithIssuer(ak.TeamID), jwt.WithSubject(clientID),
		jwt.WithAudience(p.cfg.Issuer), jwt.WithRequiredClaim(jwt.ExpirationKey), jwt.WithRequiredClaim(jwt.IssuedAtKey))
	if err != nil {
		return fmt.Errorf("%w: client secret JWT: %v", fakeoauth.ErrInvalidClient, err)
	}
	if tok.Expiration().Sub(tok.IssuedAt()) > 180*24*time.Hour {
		return fmt.Errorf("%w: client secret JWT valid for more than six months", fakeoauth.ErrInvalidClient)
	}
	return nil
}

// userClaims resolves what the provider says about u to clientID: with
// Apple, the relay address when the user hides their e-mail.
func (p *Provider) userClaims(clientID string, u User) (claims, error) {
	c := claims{User: u, Email: u.Email, AuthTime: p.cfg.Now().UTC()}
	if !p.cfg.Apple || !u.HideEmail {
		return c, nil
	}
	k := clientID + "\x00" + u.Sub
	p.mu.Lock()
	defer p.mu.Unlock()
	addr, ok := p.relay[k]
	if !ok {
		b := make([]byte, 8)
		if _, err := io.ReadFull(p.cfg.Rand, b); err != nil {
			return claims{}, fmt.Errorf("fakeoidc: reading randomness: %w", err)
		}
		addr = hex.EncodeToString(b) + "@" + AppleRelayEmail
		p.relay[k] = addr
	}
	c.Email, c.Private = addr, true
	c.User.EmailVerified = true
	return c, nil
}

// firstConsent records that sub consented to clientID and reports
// whether it was the first time.
func (p *Provider) firstConsent(clientID, sub string) bool {
	k := clientID + "\x00" + sub
	p.mu.Lock()
	defer p.mu.Unlock()
	first := !p.consented[k]
	p.consented[k] = true
	return first
}

// MintIDToken signs an ID token for user, issued to clientID with nonce
// (may be empty), as the token endpoint would without an access token.
// It is the Go helper tests use to get a user's token.
func (p *Provider) MintIDToken(clientID string, user User, nonce string) (string, error) {
	if clientID == "" || user.Sub == "" {
		return "", fmt.Errorf("%w: client ID and user sub are required", fakeoauth.ErrInvalidRequest)
	}
	c, err := p.userClaims(clientID, user)
	if err != nil {
		return "", err
	}
	return p.idToken(clientID, c, nonce, "")
}

func (p *Provider) idToken(clientID string, c claims, nonce, accessToken string) (string, error) {
	now := p.cfg.Now().UTC()
	t := jwt.New()
	set := func(k string, v any) { _ = t.Set(k, v) }
	set(jwt.IssuerKey, p.cfg.Issuer)
	set(jwt.SubjectKey, c.User.Sub)
	set(jwt.AudienceKey, []string{clientID})
	set(jwt.IssuedAtKey, now)
	set(jwt.ExpirationKey, now.Add(TokenLifetime))
	set("auth_time", c.AuthTime.Unix())
	if nonce != "" {
		set("nonce", nonce)
	}
	if c.Email != "" {
		set("email", c.Email)
		set("email_verified", c.User.EmailVerified)
	}
	if p.cfg.Apple {
		if c.Private {
			set("is_private_email", true)
		}
		set("nonce_supported", true)
	} else {
		set("azp", clientID)
		for k, v := range map[string]string{"name": c.User.Name, "given_name": c.User.GivenName, "family_name": c.User.FamilyName} {
			if v != "" {
				set(k, v)
			}
		}
	}
	if accessToken != "" {
		h := sha256.Sum256([]byte(accessToken))
		set("at_hash", base64.RawURLEncoding.EncodeToString(h[:16]))
	}
	b, err := jwt.Sign(t, jwt.WithKey(jwa.RS256, p.key))
	if err != nil {
		return "", fmt.Errorf("fakeoidc: signing the ID token: %w", err)
	}
	return string(b), nil
}

// IDToken is a verified ID token's claims.
type IDToken struct {
	Issuer        string
	Subject       string
	Audience      []string
	IssuedAt      time.Time
	Expires       time.Time
	Nonce         string
	Email         string
	EmailVerified bool
	Name          string
	// Claims are all the token's claims.
	Claims map[string]any
}

// VerifyIDToken checks raw as a relying party (or an identity pool)
// does: the signature by this provider's key, iss (Config.Issuer or one of
// AcceptIssuers), exp and iat (one minute of skew), and that audience is
// one of its aud. Errors wrap ErrInvalidIDToken, ErrExpiredIDToken or
// ErrWrongAudience.
func (p *Provider) VerifyIDToken(raw, audience string) (IDToken, error) {
	tok, err := jwt.Parse([]byte(raw), jwt.WithKeySet(p.public, jws.WithRequireKid(true)), jwt.WithValidate(false))
	if err != nil {
		return IDToken{}, fmt.Errorf("%w: %v", ErrInvalidIDToken, err)
	}
	issOK := tok.Issuer() == p.cfg.Issuer
	for _, i := range p.cfg.AcceptIssuers {
		issOK = issOK || tok.Issuer() == i
	}
	if !issOK {
		return IDToken{}, fmt.Errorf("%w: issuer %q", ErrInvalidIDToken, tok.Issuer())
	}
	now := p.cfg.Now()
	const skew = time.Minute
	switch {
	case tok.Expiration().IsZero() || !now.Before(tok.Expiration().Add(skew)):
		return IDToken{}, ErrExpiredIDToken
	case tok.IssuedAt().IsZero() || tok.IssuedAt().After(now.Add(skew)):
		return IDToken{}, fmt.Errorf("%w: iat missing or in the future", ErrInvalidIDToken)
	case tok.Subject() == "":
		return IDToken{}, fmt.Errorf("%w: no sub", ErrInvalidIDToken)
	}
	audOK := false
	for _, a := range tok.Audience() {
		audOK = audOK || (a == audience && audience != "")
	}
	if !audOK {
		return IDToken{}, ErrWrongAudience
	}
	m, err := tok.AsMap(context.Background())
	if err != nil {
		return IDToken{}, fmt.Errorf("%w: %v", ErrInvalidIDToken, err)
	}
	out := IDToken{Issuer: tok.Issuer(), Subject: tok.Subject(), Audience: tok.Audience(),
		IssuedAt: tok.IssuedAt(), Expires: tok.Expiration(), Claims: m}
	out.Nonce, _ = m["nonce"].(string)
	out.Email, _ = m["email"].(string)
	out.EmailVerified, _ = m["email_verified"].(bool)
	out.Name, _ = m["name"].(string)
	return out, nil
}

// Verifier is what an identity pool or the hosted UI needs of an OIDC
// provider: *Provider implements it.
type Verifier interface {
	// Issuer is the provider's issuer (the identity pool's Logins key is
	// it without the scheme).
	Issuer() string
	// VerifyIDToken verifies an ID token issued to audience.
	VerifyIDToken(raw, audience string) (IDToken, error)
}

var _ Verifier = (*Provider)(nil)

// SigningKey returns the RSA key that signs the provider's ID tokens (to
// persist it: New with Config.Key set to it verifies the same tokens).
func (p *Provider) SigningKey() *rsa.PrivateKey { return p.cfg.Key }
