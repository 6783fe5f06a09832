package cognitotest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeamazon"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoidc"
	"github.com/cognitokit/cognitokit/internal/emulator/fakesaml"
	"github.com/cognitokit/cognitokit/internal/emulator/faketwitter"
	"github.com/cognitokit/cognitokit/internal/emulator/federation"
	"github.com/cognitokit/cognitokit/internal/emulator/idpool"
)

// This file mounts the fake identity providers besides Facebook — Google,
// Sign in with Apple, Login with Amazon, Twitter, and the OpenID Connect
// and SAML providers a test creates — and keeps the registry of IAM OIDC
// and SAML providers the identity pools look up. It is the one place they
// are mounted; the hosted UI reaches them through Server.fakes, which is
// the user pools' userpool.FederationProviders (providers_hostedui.go).
//
// HTTP paths:
//
//	/_emulator/google/   Google (issuer https://accounts.google.com)
//	/_emulator/apple/    Sign in with Apple (issuer https://appleid.apple.com)
//	/_emulator/amazon/   Login with Amazon
//	/_emulator/twitter/  Twitter (verify_credentials)
//	/_emulator/oidc/{name}/  an OIDC provider of CreateOIDCProvider
//	/_emulator/saml/{name}/  a SAML IdP of CreateSAMLProvider
//
// Each fake is created on first use (its RSA key takes a moment to make).
// Their registrations and signing keys are the "providers" state section
// (providers_state.go), so ID tokens and SAML assertions signed before a
// restart still verify after it; Amazon and Twitter access tokens,
// authorization codes and consents live in memory only.

// Path prefixes of the fake providers.
const (
	googlePrefix  = "/_emulator/google/"
	applePrefix   = "/_emulator/apple/"
	amazonPrefix  = "/_emulator/amazon/"
	twitterPrefix = "/_emulator/twitter/"
	oidcPrefix    = "/_emulator/oidc/"
	samlPrefix    = "/_emulator/saml/"
)

// Logins keys of the providers, as identity pools and the identity package
// name them.
const (
	GoogleProvider  = idpool.GoogleProvider
	AppleProvider   = idpool.AppleProvider
	AmazonProvider  = idpool.AmazonProvider
	TwitterProvider = idpool.TwitterProvider
)

// fakes holds the fake identity providers. The hosted UI's wiring uses its
// accessors: google, apple, amazon and twitter return the fakes (made on
// first use); oidcByKey and samlByARN the registered providers.
type fakes struct {
	host *emulator.Host

	googleOnce, appleOnce, amazonOnce, twitterOnce sync.Once
	googleP, appleP                                *fakeoidc.Provider
	amazonF                                        *fakeamazon.Fake
	twitterF                                       *faketwitter.Fake
	googleErr, appleErr, amazonErr, twitterErr     error

	// keyMu guards the signing keys of Google and Apple: the restored
	// ones (used when the fakes are made) and then the fakes' own.
	keyMu               sync.Mutex
	googleKey, appleKey *rsa.PrivateKey
	// unsaved is set when a fake made a key the state file lacks.
	unsaved atomic.Bool

	amazonMu      sync.Mutex
	amazonClients map[string]AmazonClient // by client ID, as last registered

	mu    sync.RWMutex
	oidc  map[string]*oidcProvider // by ARN
	saml  map[string]*samlProvider // by ARN
	named map[string]http.Handler  // by path prefix, e.g. "/_emulator/oidc/corp/"
}

type oidcProvider struct {
	name string
	info OIDCProvider
	p    *fakeoidc.Provider
}

type samlProvider struct {
	name    string
	baseURL string // the server URL its metadata names
	info    SAMLProvider
	idp     *fakesaml.IdP
	sp      *fakesaml.SP // the identity pools' service provider
}

var _ idpool.Providers = (*fakes)(nil)

func newFakes(h *emulator.Host) *fakes {
	return &fakes{host: h, amazonClients: map[string]AmazonClient{}, oidc: map[string]*oidcProvider{}, saml: map[string]*samlProvider{}, named: map[string]http.Handler{}}
}

// mount registers the fakes' HTTP surfaces on the host.
func (f *fakes) mount() {
	serve := func(get func() (http.Handler, error)) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h, err := get()
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			h.ServeHTTP(w, r)
			f.saveNewKeys()
		})
	}
	f.host.HandlePrefix(googlePrefix, serve(func() (http.Handler, error) { return f.google() }))
	f.host.HandlePrefix(applePrefix, serve(func() (http.Handler, error) { return f.apple() }))
	f.host.HandlePrefix(amazonPrefix, serve(func() (http.Handler, error) { return f.amazon() }))
	f.host.HandlePrefix(twitterPrefix, serve(func() (http.Handler, error) { return f.twitter() }))
	f.host.HandlePrefix(oidcPrefix, f.serveNamed(oidcPrefix))
	f.host.HandlePrefix(samlPrefix, f.serveNamed(samlPrefix))
}

func (f *fakes) google() (*fakeoidc.Provider, error) {
	f.googleOnce.Do(func() {
		f.googleP, f.googleErr = f.newSocialOIDC(&f.googleKey, fakeoidc.Config{Issuer: fakeoidc.GoogleIssuer,
			AcceptIssuers: []string{GoogleProvider}, Prefix: googlePrefix, Name: "Google"})
	})
	return f.googleP, f.googleErr
}

func (f *fakes) apple() (*fakeoidc.Provider, error) {
	f.appleOnce.Do(func() {
		f.appleP, f.appleErr = f.newSocialOIDC(&f.appleKey, fakeoidc.Config{Issuer: fakeoidc.AppleIssuer, Prefix: applePrefix,
			Apple: true, Name: "Apple"})
	})
	return f.appleP, f.appleErr
}

// newSocialOIDC makes Google or Apple with the key *key restored, or a new
// one it then records there (to be saved).
func (f *fakes) newSocialOIDC(key **rsa.PrivateKey, cfg fakeoidc.Config) (*fakeoidc.Provider, error) {
	f.keyMu.Lock()
	cfg.Key = *key
	f.keyMu.Unlock()
	cfg.Now, cfg.Rand = f.host.Now, f.host.Rand()
	p, err := fakeoidc.New(cfg)
	if err != nil {
		return nil, err
	}
	f.keyMu.Lock()
	if *key == nil {
		*key = p.SigningKey()
		f.unsaved.Store(true)
	}
	f.keyMu.Unlock()
	return p, nil
}

func (f *fakes) amazon() (*fakeamazon.Fake, error) {
	f.amazonOnce.Do(func() { f.amazonF, f.amazonErr = fakeamazon.New(amazonPrefix, f.host.Now, f.host.Rand()) })
	return f.amazonF, f.amazonErr
}

func (f *fakes) twitter() (*faketwitter.Fake, error) {
	f.twitterOnce.Do(func() { f.twitterF, f.twitterErr = faketwitter.New(twitterPrefix, f.host.Now, f.host.Rand()) })
	return f.twitterF, f.twitterErr
}

// serveNamed routes prefix{name}/… to the provider registered under that
// path (CreateOIDCProvider, CreateSAMLProvider).
func (f *fakes) serveNamed(prefix string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, prefix), "/")
		f.mu.RLock()
		h := f.named[prefix+name+"/"]
		f.mu.RUnlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Social implements idpool.Providers.
func (f *fakes) Social(key string) idpool.LoginVerifier {
	var v federation.LoginVerifier
	switch key {
	case GoogleProvider:
		if p, err := f.google(); err == nil {
			v = federation.OIDC{V: p}
		}
	case AppleProvider:
		if p, err := f.apple(); err == nil {
			v = federation.OIDC{V: p}
		}
	case AmazonProvider:
		if a, err := f.amazon(); err == nil {
			v = federation.Amazon{F: a}
		}
	case TwitterProvider:
		if t, err := f.twitter(); err == nil {
			v = federation.Twitter{F: t}
		}
	}
	if v == nil {
		return nil
	}
	return loginVerifier{v}
}

// OIDCProvider implements idpool.Providers.
func (f *fakes) OIDCProvider(arn string) (idpool.LoginVerifier, []string, bool) {
	f.mu.RLock()
	o, ok := f.oidc[arn]
	f.mu.RUnlock()
	if !ok {
		return nil, nil, false
	}
	return loginVerifier{federation.OIDC{V: o.p}}, append([]string(nil), o.info.ClientIDs...), true
}

// SAMLProvider implements idpool.Providers.
func (f *fakes) SAMLProvider(arn string) (idpool.LoginVerifier, bool) {
	f.mu.RLock()
	s, ok := f.saml[arn]
	f.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return loginVerifier{federation.SAML{SP: s.sp}}, true
}

// oidcByKey returns the registered OIDC provider whose Logins key (issuer
// without scheme) is key.
func (f *fakes) oidcByKey(key string) (*fakeoidc.Provider, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, o := range f.oidc {
		if o.info.Key == key {
			return o.p, true
		}
	}
	return nil, false
}

// samlByARN returns the IdP of a registered SAML provider.
func (f *fakes) samlByARN(arn string) (*fakesaml.IdP, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	s, ok := f.saml[arn]
	if !ok {
		return nil, false
	}
	return s.idp, true
}

// loginVerifier is a federation verifier as idpool consumes it.
type loginVerifier struct{ v federation.LoginVerifier }

func (l loginVerifier) VerifyLogin(login string, trusted []string) (idpool.FederatedLogin, error) {
	got, err := l.v.VerifyLogin(login, trusted)
	switch {
	case errors.Is(err, federation.ErrExpiredLogin):
		return idpool.FederatedLogin{}, fmt.Errorf("%w: %w", idpool.ErrExpiredLogin, err)
	case errors.Is(err, federation.ErrWrongAudience):
		return idpool.FederatedLogin{}, fmt.Errorf("%w: %w", idpool.ErrWrongAudience, err)
	case err != nil:
		return idpool.FederatedLogin{}, fmt.Errorf("%w: %w", idpool.ErrInvalidLogin, err)
	}
	return idpool.FederatedLogin{Subject: got.Subject, Audience: got.Audience, Roles: got.Roles, Claims: got.Claims}, nil
}

// ---------------------------------------------------------------------------
// The helpers.

// OIDCUser is an account of a fake OpenID Connect provider: Google, Sign in
// with Apple, or one made by CreateOIDCProvider.
type OIDCUser struct {
	// Sub is the stable subject identifier (what an identity pool links).
	// Required.
	Sub string
	// Email and EmailVerified become the email and email_verified claims.
	Email         string
	EmailVerified bool
	// Name, GivenName and FamilyName are the profile claims (Apple puts
	// none in its ID tokens).
	Name, GivenName, FamilyName string
	// HideEmail (Apple) replaces Email with a private relay address.
	HideEmail bool
}

func (u OIDCUser) internal() fakeoidc.User {
	return fakeoidc.User{Sub: u.Sub, Email: u.Email, EmailVerified: u.EmailVerified, Name: u.Name,
		GivenName: u.GivenName, FamilyName: u.FamilyName, HideEmail: u.HideEmail}
}

// GoogleToken returns an ID token of the fake Google (issuer
// https://accounts.google.com, served under /_emulator/google/) for user,
// issued to the OAuth client clientID and valid for an hour: the value of
// an identity pool's accounts.google.com login when the pool trusts
// clientID (SupportedLoginProviders).
func (s *Server) GoogleToken(clientID string, user OIDCUser) (string, error) {
	p, err := s.fakes.google()
	if err != nil {
		return "", err
	}
	defer s.fakes.saveNewKeys()
	return p.MintIDToken(clientID, user.internal(), "")
}

// MustGoogleToken is GoogleToken for tests and examples: it panics on error.
func (s *Server) MustGoogleToken(clientID string, user OIDCUser) string {
	return must(s.GoogleToken(clientID, user))
}

// AppleToken returns an ID token of the fake Sign in with Apple (issuer
// https://appleid.apple.com, under /_emulator/apple/) for user, issued to
// the services or bundle ID clientID: the value of an appleid.apple.com
// login.
func (s *Server) AppleToken(clientID string, user OIDCUser) (string, error) {
	p, err := s.fakes.apple()
	if err != nil {
		return "", err
	}
	defer s.fakes.saveNewKeys()
	return p.MintIDToken(clientID, user.internal(), "")
}

// MustAppleToken is AppleToken for tests and examples: it panics on error.
func (s *Server) MustAppleToken(clientID string, user OIDCUser) string {
	return must(s.AppleToken(clientID, user))
}

// AmazonClient is a Login with Amazon security profile of the fake Amazon.
type AmazonClient struct {
	// ClientID is the OAuth client ID. Required.
	ClientID string
	// Secret is the client secret; empty makes a public client (PKCE).
	Secret string
	// AppID is the application ID ("amzn1.application.…") an identity pool
	// trusts for www.amazon.com. Required.
	AppID string
	// RedirectURIs are the allowed return URLs; default
	// URL + "/oauth2/idpresponse" (the hosted UI's).
	RedirectURIs []string
}

// AmazonUser is a customer of the fake Amazon.
type AmazonUser struct {
	// UserID is "amzn1.account.…". Required.
	UserID     string
	Name       string
	Email      string
	PostalCode string
}

// PutAmazonClient registers (or updates) a security profile of the fake
// Login with Amazon (under /_emulator/amazon/). A client a user pool's
// LoginWithAmazon provider already declared keeps its redirect URIs.
func (s *Server) PutAmazonClient(c AmazonClient) error {
	if c.AppID == "" {
		return fmt.Errorf("%w: an Amazon client needs its application ID", fakeoauth.ErrInvalidRequest)
	}
	if len(c.RedirectURIs) == 0 {
		c.RedirectURIs = []string{s.url() + "/oauth2/idpresponse"}
	}
	c.RedirectURIs = append([]string(nil), c.RedirectURIs...)
	if err := s.fakes.registerAmazon(c); err != nil {
		return err
	}
	s.host.PersistOrLog()
	return nil
}

// MustPutAmazonClient is PutAmazonClient for tests and examples: it panics
// on error.
func (s *Server) MustPutAmazonClient(c AmazonClient) { mustDo(s.PutAmazonClient(c)) }

// AmazonToken returns an access token of the fake Amazon for user, issued
// to the client clientID (registered with PutAmazonClient) and valid for an
// hour: the value of a www.amazon.com login when the pool trusts the
// client's AppID.
func (s *Server) AmazonToken(clientID string, user AmazonUser) (string, error) {
	a, err := s.fakes.amazon()
	if err != nil {
		return "", err
	}
	return a.MintAccessToken(clientID, fakeamazon.Profile(user))
}

// MustAmazonToken is AmazonToken for tests and examples: it panics on error.
func (s *Server) MustAmazonToken(clientID string, user AmazonUser) string {
	return must(s.AmazonToken(clientID, user))
}

// TwitterUser is an account of the fake Twitter.
type TwitterUser struct {
	// ID is the numeric user ID. Required.
	ID         string
	ScreenName string
	Name       string
}

// PutTwitterApp registers a Twitter app of the fake Twitter by its consumer
// key and secret; an identity pool trusts it with the api.twitter.com
// SupportedLoginProviders value "consumerKey;consumerSecret".
func (s *Server) PutTwitterApp(consumerKey, consumerSecret string) error {
	t, err := s.fakes.twitter()
	if err != nil {
		return err
	}
	if err := t.PutConsumer(consumerKey, consumerSecret); err != nil {
		return err
	}
	s.host.PersistOrLog()
	return nil
}

// MustPutTwitterApp is PutTwitterApp for tests and examples: it panics on
// error.
func (s *Server) MustPutTwitterApp(consumerKey, consumerSecret string) {
	mustDo(s.PutTwitterApp(consumerKey, consumerSecret))
}

// TwitterLogin plays user signing in to the app consumerKey (registered
// with PutTwitterApp) and returns the user's access token and token
// secret; the api.twitter.com login is token + ";" + secret
// (identity.TwitterLogin builds it).
func (s *Server) TwitterLogin(consumerKey string, user TwitterUser) (token, secret string, err error) {
	t, err := s.fakes.twitter()
	if err != nil {
		return "", "", err
	}
	return t.MintToken(consumerKey, faketwitter.User(user))
}

// MustTwitterLogin is TwitterLogin for tests and examples: it panics on
// error.
func (s *Server) MustTwitterLogin(consumerKey string, user TwitterUser) (token, secret string) {
	token, secret, err := s.TwitterLogin(consumerKey, user)
	mustDo(err)
	return token, secret
}

// OIDCProviderOptions describes an IAM OpenID Connect provider backed by a
// fake provider of the emulator.
type OIDCProviderOptions struct {
	// Name names the provider: 1-64 letters, digits, '-' and '_'. Its HTTP
	// surface (discovery, JWKS, authorize, token, userinfo) is served under
	// URL + "/_emulator/oidc/{Name}/".
	Name string
	// Issuer is the iss of its tokens; default URL +
	// "/_emulator/oidc/{Name}", which serves discovery and JWKS (so go-oidc
	// and jwks verifiers can fetch them).
	Issuer string
	// ClientIDs are the audiences the IAM provider accepts (its
	// ClientIDList): 1 to 100.
	ClientIDs []string
	// Thumbprints are the provider's server-certificate SHA-1 thumbprints
	// (40 hex digits each, up to 5), recorded as IAM records them; the
	// emulator serves no TLS, so they are not checked.
	Thumbprints []string
}

// OIDCProvider is a registered IAM OpenID Connect provider.
type OIDCProvider struct {
	// ARN is arn:aws:iam::{AccountID}:oidc-provider/{Key}: what an identity
	// pool lists in OpenIdConnectProviderARNs.
	ARN string
	// Issuer is the iss of its tokens.
	Issuer string
	// Key is the Logins key of its tokens: Issuer without its scheme.
	Key string
	// ClientIDs and Thumbprints are as registered.
	ClientIDs   []string
	Thumbprints []string
}

var (
	providerNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	thumbprintPattern   = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)
)

// CreateOIDCProvider registers an IAM OpenID Connect provider played by a
// new fake provider, so that identity pools can list its ARN in
// OpenIdConnectProviderARNs and accept its ID tokens (OIDCToken) for its
// client IDs. Call it on a started server when Issuer is defaulted.
func (s *Server) CreateOIDCProvider(o OIDCProviderOptions) (OIDCProvider, error) {
	if !providerNamePattern.MatchString(o.Name) {
		return OIDCProvider{}, fmt.Errorf("cognitotest: OIDC provider name %q must be 1-64 letters, digits, '-' or '_'", o.Name)
	}
	if len(o.ClientIDs) == 0 || len(o.ClientIDs) > 100 {
		return OIDCProvider{}, errors.New("cognitotest: an OIDC provider needs 1 to 100 client IDs")
	}
	for _, c := range o.ClientIDs {
		if c == "" || len(c) > 255 {
			return OIDCProvider{}, errors.New("cognitotest: OIDC client IDs must be 1-255 characters")
		}
	}
	if len(o.Thumbprints) > 5 {
		return OIDCProvider{}, errors.New("cognitotest: an OIDC provider has at most 5 thumbprints")
	}
	for _, tp := range o.Thumbprints {
		if !thumbprintPattern.MatchString(tp) {
			return OIDCProvider{}, fmt.Errorf("cognitotest: thumbprint %q is not 40 hex digits", tp)
		}
	}
	if o.Issuer == "" {
		if s.url() == "" {
			return OIDCProvider{}, errors.New("cognitotest: CreateOIDCProvider needs a started server (or an Issuer)")
		}
		o.Issuer = s.url() + oidcPrefix + o.Name
	}
	key := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(o.Issuer, "https://"), "http://"), "/")
	if key == "" || strings.ContainsAny(key, " ?#") {
		return OIDCProvider{}, fmt.Errorf("cognitotest: OIDC issuer %q is not a URL", o.Issuer)
	}
	info := OIDCProvider{ARN: "arn:aws:iam::" + AccountID + ":oidc-provider/" + key, Issuer: o.Issuer, Key: key,
		ClientIDs: append([]string(nil), o.ClientIDs...), Thumbprints: normThumbprints(o.Thumbprints)}
	if err := s.fakes.addOIDC(o.Name, info, nil); err != nil {
		return OIDCProvider{}, err
	}
	s.host.PersistOrLog()
	return info, nil
}

// addOIDC mounts an OIDC provider signing with key (nil: a new key).
func (f *fakes) addOIDC(name string, info OIDCProvider, key *rsa.PrivateKey) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for arn, other := range f.oidc {
		if arn == info.ARN || other.name == name {
			return fmt.Errorf("cognitotest: OIDC provider %s already exists", name)
		}
	}
	p, err := fakeoidc.New(fakeoidc.Config{Issuer: info.Issuer, Prefix: oidcPrefix + name + "/", Name: name,
		Key: key, Now: f.host.Now, Rand: f.host.Rand()})
	if err != nil {
		return err
	}
	f.oidc[info.ARN] = &oidcProvider{name: name, info: info, p: p}
	f.named[oidcPrefix+name+"/"] = p
	return nil
}

func normThumbprints(in []string) []string {
	out := make([]string, len(in))
	for i, tp := range in {
		b, _ := hex.DecodeString(tp)
		out[i] = hex.EncodeToString(b)
	}
	return out
}

// MustCreateOIDCProvider is CreateOIDCProvider for tests and examples: it
// panics on error.
func (s *Server) MustCreateOIDCProvider(o OIDCProviderOptions) OIDCProvider {
	return must(s.CreateOIDCProvider(o))
}

// OIDCToken returns an ID token of the OIDC provider providerARN (from
// CreateOIDCProvider) for user, issued to clientID: the value of the login
// keyed by the provider's Key.
func (s *Server) OIDCToken(providerARN, clientID string, user OIDCUser) (string, error) {
	s.fakes.mu.RLock()
	o, ok := s.fakes.oidc[providerARN]
	s.fakes.mu.RUnlock()
	if !ok {
		return "", fmt.Errorf("cognitotest: no OIDC provider %s", providerARN)
	}
	return o.p.MintIDToken(clientID, user.internal(), "")
}

// MustOIDCToken is OIDCToken for tests and examples: it panics on error.
func (s *Server) MustOIDCToken(providerARN, clientID string, user OIDCUser) string {
	return must(s.OIDCToken(providerARN, clientID, user))
}

// SAMLProvider is a registered IAM SAML provider, played by a fake SAML
// identity provider of the emulator.
type SAMLProvider struct {
	// ARN is arn:aws:iam::{AccountID}:saml-provider/{name}: what an identity
	// pool lists in SamlProviderARNs, and the Logins key of its assertions.
	ARN string
	// MetadataURL is where the IdP serves its metadata (its entity ID).
	MetadataURL string
}

// CreateSAMLProvider registers an IAM SAML provider named name (1-128
// letters, digits, '.', '_', '-') played by a new fake SAML IdP served
// under URL + "/_emulator/saml/{name}/", with AWS's sign-in endpoint
// (urn:amazon:webservices) as a service provider, so that identity pools
// listing its ARN accept its assertions (SAMLAssertion). The server must be
// started: the IdP's metadata names absolute URLs.
func (s *Server) CreateSAMLProvider(name string) (SAMLProvider, error) {
	if !samlNamePattern.MatchString(name) {
		return SAMLProvider{}, fmt.Errorf("cognitotest: SAML provider name %q must be 1-128 letters, digits, '.', '_' or '-'", name)
	}
	if s.url() == "" {
		return SAMLProvider{}, errors.New("cognitotest: CreateSAMLProvider needs a started server")
	}
	info, err := s.fakes.addSAML(name, s.url(), nil, nil)
	if err != nil {
		return SAMLProvider{}, err
	}
	s.host.PersistOrLog()
	return info, nil
}

// addSAML mounts a SAML IdP whose metadata names baseURL, signing with
// key and cert (nil: new ones).
func (f *fakes) addSAML(name, baseURL string, key *rsa.PrivateKey, cert *x509.Certificate) (SAMLProvider, error) {
	arn := "arn:aws:iam::" + AccountID + ":saml-provider/" + name
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, dup := f.saml[arn]; dup {
		return SAMLProvider{}, fmt.Errorf("cognitotest: SAML provider %s already exists", name)
	}
	idp, err := fakesaml.NewIdP(fakesaml.IdPConfig{BaseURL: baseURL, Prefix: samlPrefix + name + "/", Key: key, Certificate: cert,
		Now: f.host.Now})
	if err != nil {
		return SAMLProvider{}, err
	}
	if err := idp.RegisterServiceProvider(fakesaml.AWSEntityID, fakesaml.AWSACSURL); err != nil {
		return SAMLProvider{}, err
	}
	meta, err := idp.Metadata()
	if err != nil {
		return SAMLProvider{}, err
	}
	sp, err := fakesaml.NewSP(fakesaml.SPConfig{EntityID: fakesaml.AWSEntityID, ACSURL: fakesaml.AWSACSURL, IdPMetadata: meta,
		AllowIDPInitiated: true, SkipReplayCheck: true, Now: f.host.Now})
	if err != nil {
		return SAMLProvider{}, err
	}
	info := SAMLProvider{ARN: arn, MetadataURL: idp.EntityID()}
	f.saml[arn] = &samlProvider{name: name, baseURL: baseURL, info: info, idp: idp, sp: sp}
	f.named[samlPrefix+name+"/"] = idp
	return info, nil
}

var samlNamePattern = regexp.MustCompile(`^[\w._-]{1,128}$`)

// MustCreateSAMLProvider is CreateSAMLProvider for tests and examples: it
// panics on error.
func (s *Server) MustCreateSAMLProvider(name string) SAMLProvider {
	return must(s.CreateSAMLProvider(name))
}

// SAMLUser is a user of a fake SAML IdP.
type SAMLUser struct {
	// NameID is the assertion's subject (what an identity pool links).
	// Required.
	NameID string
	// Roles are IAM role ARNs the assertion offers: each is sent in the
	// https://aws.amazon.com/SAML/Attributes/Role attribute as
	// "roleARN,providerARN".
	Roles []string
	// Attributes are further attributes, by name (role-mapping rules match
	// them).
	Attributes map[string][]string
}

// PutSAMLUser registers (or replaces) user at the fake IdP of the SAML
// provider providerARN (from CreateSAMLProvider), so that the user can
// sign in there: through a user pool's hosted UI (HostedProviderSignIn,
// or a browser on its login page) or with SAMLAssertion.
func (s *Server) PutSAMLUser(providerARN string, user SAMLUser) error {
	idp, ok := s.fakes.samlByARN(providerARN)
	if !ok {
		return fmt.Errorf("cognitotest: no SAML provider %s", providerARN)
	}
	attrs := map[string][]string{}
	for k, v := range user.Attributes {
		attrs[k] = append([]string(nil), v...)
	}
	for _, r := range user.Roles {
		attrs[fakesaml.AttrRole] = append(attrs[fakesaml.AttrRole], r+","+providerARN)
	}
	if err := idp.PutUser(fakesaml.User{NameID: user.NameID, Attributes: attrs}); err != nil {
		return err
	}
	s.host.PersistOrLog()
	return nil
}

// MustPutSAMLUser is PutSAMLUser for tests and examples: it panics on
// error.
func (s *Server) MustPutSAMLUser(providerARN string, user SAMLUser) {
	mustDo(s.PutSAMLUser(providerARN, user))
}

// SAMLAssertion plays user signing in at the SAML provider providerARN
// (from CreateSAMLProvider) and returns the base64 SAMLResponse its IdP
// posts to AWS (IdP-initiated, signed, valid for crewjam/saml's 90
// seconds): the value of the login keyed by providerARN. The user is
// registered at the IdP as PutSAMLUser does.
func (s *Server) SAMLAssertion(providerARN string, user SAMLUser) (string, error) {
	if err := s.PutSAMLUser(providerARN, user); err != nil {
		return "", err
	}
	idp, _ := s.fakes.samlByARN(providerARN)
	resp, err := idp.RespondUnsolicited(fakesaml.AWSEntityID, user.NameID, "")
	if err != nil {
		return "", err
	}
	return resp.SAMLResponse, nil
}

// MustSAMLAssertion is SAMLAssertion for tests and examples: it panics on
// error.
func (s *Server) MustSAMLAssertion(providerARN string, user SAMLUser) string {
	return must(s.SAMLAssertion(providerARN, user))
}

// IdentityPoolJWKSURL returns where the emulator serves the key that signs
// its identity pools' OpenID tokens (GetOpenIdToken,
// GetOpenIdTokenForDeveloperIdentity): URL + "/.well-known/jwks_uri", the
// path Cognito serves at https://cognito-identity.amazonaws.com. The tokens'
// iss stays https://cognito-identity.amazonaws.com, as Cognito's, so a
// verifier that refuses plain-HTTP keys for an https issuer (jwks) takes
// the document itself from IdentityPoolJWKS.
func (s *Server) IdentityPoolJWKSURL() string { return s.url() + idpool.JWKSPath }

// IdentityPoolJWKS returns the JWKS document served at IdentityPoolJWKSURL,
// e.g. for jwks.NewCognitoIdentityVerifier's OIDCOptions.JWKS.
func (s *Server) IdentityPoolJWKS() ([]byte, error) { return s.ids.JWKS() }

// MustIdentityPoolJWKS is IdentityPoolJWKS for tests and examples: it
// panics on error.
func (s *Server) MustIdentityPoolJWKS() []byte { return must(s.IdentityPoolJWKS()) }

// identityPoolLogins is the SupportedLoginProviders of IdentityPoolOptions.
func identityPoolLogins(o IdentityPoolOptions) map[string]string {
	out := map[string]string{}
	for k, v := range o.LoginProviders {
		out[k] = v
	}
	if o.FacebookAppID != "" {
		out[FacebookProvider] = o.FacebookAppID
	}
	return out
}
