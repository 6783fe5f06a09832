// Package fakesaml is the emulator's SAML 2.0 side, built on
// github.com/crewjam/saml so that no XML signature is written by hand: IdP
// is a fake enterprise identity provider issuing signed assertions, and SP
// is the service provider a user pool (or an identity pool) uses to verify
// them.
//
// The IdP serves, relative to the prefix given in IdPConfig:
//
//	GET  metadata   its metadata XML (entity ID, signing certificate, SSO endpoints)
//	GET  sso        an AuthnRequest by the HTTP-Redirect binding → the login page
//	POST sso        the login page's form (or an AuthnRequest by HTTP-POST) → an
//	                auto-submitting form posting the signed Response to the ACS URL
//
// Service providers are registered with their entity ID and exact
// assertion consumer service URLs; crewjam refuses a request from any
// other, or naming another ACS URL, before the login page is shown. Users
// are registered with their NameID and attributes (e-mail, groups, and for
// identity pools the https://aws.amazon.com/SAML/Attributes/Role
// attribute); the login page asks which user signs in.
//
// The Response and its assertion are signed (RSA-SHA256) and carry the
// audience (the SP's entity ID), the recipient and destination (the ACS
// URL), InResponseTo (the request's ID) and a validity window of
// crewjam's MaxIssueDelay (90 s) with MaxClockSkew (180 s) of skew.
//
// For tests, IdP.Respond plays a user signing in, through the same code
// path as the login page, and SP.AuthnRequestURL starts a login.
package fakesaml

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
)

// Well-known attribute names.
const (
	// AttrRole is the attribute an identity pool takes the role from:
	// "roleARN,providerARN" values.
	AttrRole = "https://aws.amazon.com/SAML/Attributes/Role"
	// AttrRoleSessionName is the session name attribute AWS reads.
	AttrRoleSessionName = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	// AttrEmail is the e-mail attribute name Microsoft Entra ID and ADFS use.
	AttrEmail = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
)

// Errors of the IdP, matched with errors.Is.
var (
	// ErrUnknownUser reports a NameID no user was registered with.
	ErrUnknownUser = errors.New("fakesaml: unknown user")
	// ErrUnknownServiceProvider reports an SP entity ID never registered.
	ErrUnknownServiceProvider = errors.New("fakesaml: unknown service provider")
)

// User is an account at the IdP.
type User struct {
	// NameID is the assertion's subject. Required.
	NameID string
	// NameIDFormat defaults to persistent.
	NameIDFormat string
	// Attributes are sent as they are, one Attribute per name.
	Attributes map[string][]string
}

// IdPConfig configures an IdP.
type IdPConfig struct {
	// BaseURL is the scheme and host the IdP is reached at, for example
	// "http://127.0.0.1:9229". Required: the entity ID and the SSO URL in
	// the metadata are absolute.
	BaseURL string
	// Prefix is the path the handler is mounted at, with a trailing
	// slash, for example "/_emulator/saml/". Required.
	Prefix string
	// Key and Certificate sign; nil generates a 2048-bit RSA key and a
	// self-signed certificate valid for ten years.
	Key         *rsa.PrivateKey
	Certificate *x509.Certificate
	// Now may be nil (wall clock).
	Now func() time.Time
}

// IdP is the fake SAML identity provider. It is safe for concurrent use.
type IdP struct {
	idp    saml.IdentityProvider
	prefix string
	now    func() time.Time

	mu    sync.Mutex
	sps   map[string]*saml.EntityDescriptor
	users map[string]User
}

// NewIdP returns an IdP.
func NewIdP(cfg IdPConfig) (*IdP, error) {
	base, err := url.Parse(strings.TrimSuffix(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, errors.New("fakesaml: IdPConfig.BaseURL must be an absolute http(s) URL")
	}
	if !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return nil, errors.New("fakesaml: IdPConfig.Prefix must start and end with /")
	}
	clock := newClock(cfg.Now)
	if cfg.Key == nil {
		if cfg.Key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("fakesaml: generating the key: %w", err)
		}
	}
	if cfg.Certificate == nil {
		if cfg.Certificate, err = selfSigned(cfg.Key, clock.Now()); err != nil {
			return nil, err
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &IdP{prefix: cfg.Prefix, now: cfg.Now, sps: map[string]*saml.EntityDescriptor{}, users: map[string]User{}}
	meta, sso := *base, *base
	meta.Path, sso.Path = cfg.Prefix+"metadata", cfg.Prefix+"sso"
	p.idp = saml.IdentityProvider{
		Key: cfg.Key, Certificate: cfg.Certificate, MetadataURL: meta, SSOURL: sso,
		SignatureMethod: dsig.RSASHA256SignatureMethod, Clock: clock,
		ServiceProviderProvider: spProvider{p}, SessionProvider: sessionProvider{p},
		ResponseWriter: captureWriter{}, NameIDFormats: []saml.NameIDFormat{saml.PersistentNameIDFormat, saml.EmailAddressNameIDFormat},
		OnError: func(w http.ResponseWriter, r *http.Request, status int, err error) {
			if dst, ok := r.Context().Value(errKey).(*error); ok {
				*dst = err
			}
			// The error goes to the page only: it names what was wrong with the request.
			showPage(w, status, "SAML request refused", err.Error())
		},
	}
	return p, nil
}

func newClock(now func() time.Time) *dsig.Clock {
	if now == nil {
		return nil
	}
	return dsig.NewFakeClock(funcClock{Clock: clockwork.NewRealClock(), now: now})
}

// funcClock is a clockwork.Clock whose time is now().
type funcClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c funcClock) Now() time.Time                  { return c.now() }
func (c funcClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c funcClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }

func selfSigned(key *rsa.PrivateKey, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return nil, fmt.Errorf("fakesaml: %w", err)
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "cognitokit emulator fake SAML IdP"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("fakesaml: creating the certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// EntityID returns the IdP's entity ID (its metadata URL).
func (p *IdP) EntityID() string { return p.idp.MetadataURL.String() }

// Metadata returns the IdP's metadata XML, as served at metadata.
func (p *IdP) Metadata() ([]byte, error) {
	b, err := xml.MarshalIndent(p.idp.Metadata(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("fakesaml: encoding the metadata: %w", err)
	}
	return b, nil
}

// RegisterServiceProvider registers or replaces an SP: its entity ID (the
// audience of its assertions; a user pool's is
// "urn:amazon:cognito:sp:<pool ID>") and the exact ACS URLs responses may
// be posted to (the first is the default).
func (p *IdP) RegisterServiceProvider(entityID string, acsURLs ...string) error {
	return p.RegisterSigningServiceProvider(entityID, nil, acsURLs...)
}

// RegisterSigningServiceProvider is RegisterServiceProvider for an SP
// that signs its AuthnRequests with the key of signingCert (DER): its
// metadata then lists the certificate for signing, and the IdP verifies
// the signature of each signed AuthnRequest with it, refusing one that
// does not verify. Unsigned requests are still accepted (the metadata does
// not say AuthnRequestsSigned): the login page posts the request it shows
// back to the IdP without the redirect's signature. A nil signingCert
// registers an SP that does not sign.
func (p *IdP) RegisterSigningServiceProvider(entityID string, signingCert []byte, acsURLs ...string) error {
	if entityID == "" || len(acsURLs) == 0 {
		return errors.New("fakesaml: a service provider needs an entity ID and an ACS URL")
	}
	acs := make([]saml.IndexedEndpoint, len(acsURLs))
	for i, a := range acsURLs {
		u, err := url.Parse(a)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("fakesaml: ACS URL %q is not an absolute http(s) URL", a)
		}
		def := i == 0
		acs[i] = saml.IndexedEndpoint{Binding: saml.HTTPPostBinding, Location: a, Index: i, IsDefault: &def}
	}
	ed := &saml.EntityDescriptor{EntityID: entityID, SPSSODescriptors: []saml.SPSSODescriptor{{
		SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
			ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol"}},
		AssertionConsumerServices: acs,
	}}}
	if signingCert != nil {
		if _, err := x509.ParseCertificate(signingCert); err != nil {
			return fmt.Errorf("fakesaml: the SP's signing certificate: %w", err)
		}
		d := &ed.SPSSODescriptors[0]
		d.KeyDescriptors = []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
			X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(signingCert)}}}}}}
	}
	p.mu.Lock()
	p.sps[entityID] = ed
	p.mu.Unlock()
	return nil
}

// PutUser registers or replaces a user.
func (p *IdP) PutUser(u User) error {
	if u.NameID == "" {
		return errors.New("fakesaml: a user needs a NameID")
	}
	c := User{NameID: u.NameID, NameIDFormat: u.NameIDFormat, Attributes: map[string][]string{}}
	for k, v := range u.Attributes {
		c.Attributes[k] = slices.Clone(v)
	}
	p.mu.Lock()
	p.users[u.NameID] = c
	p.mu.Unlock()
	return nil
}

func (p *IdP) user(nameID string) (User, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.users[nameID]
	return u, ok
}

type spProvider struct{ p *IdP }

func (s spProvider) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if ed, ok := s.p.sps[id]; ok {
		return ed, nil
	}
	return nil, os.ErrNotExist
}

type ctxKey int

const (
	autoUserKey ctxKey = iota // the NameID Respond signs in
	captureKey                // *saml.IdpAuthnRequestForm Respond reads
	errKey                    // *error Respond reads
)

type sessionProvider struct{ p *IdP }

// GetSession shows the login page, or turns its submission (or Respond's
// user) into a session.
func (s sessionProvider) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	nameID, auto := r.Context().Value(autoUserKey).(string)
	if !auto && r.Method == http.MethodPost && r.PostForm.Get("fakesaml_action") != "" {
		if r.PostForm.Get("fakesaml_action") != "allow" {
			_ = s.p.idp.SendErrorResponse(w, req, &saml.StatusError{TopLevel: saml.StatusResponder,
				SecondLevel: saml.StatusAuthnFailed, Message: "The user cancelled the sign-in."})
			return nil
		}
		nameID, auto = strings.TrimSpace(r.PostForm.Get("username")), true
	}
	if !auto {
		s.p.showLogin(w, req, "")
		return nil
	}
	u, ok := s.p.user(nameID)
	if !ok {
		s.p.showLogin(w, req, "Unknown user "+nameID+".")
		return nil
	}
	return s.p.session(u)
}

func (p *IdP) session(u User) *saml.Session {
	now := p.now()
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	format := u.NameIDFormat
	if format == "" {
		format = string(saml.PersistentNameIDFormat)
	}
	sess := &saml.Session{ID: base64.RawURLEncoding.EncodeToString(id), CreateTime: now, ExpireTime: now.Add(time.Hour),
		Index: fmt.Sprintf("_%x", id), NameID: u.NameID, NameIDFormat: format}
	names := make([]string, 0, len(u.Attributes))
	for k := range u.Attributes {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		a := saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}
		if strings.Contains(name, ":") {
			a.NameFormat = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
		}
		for _, v := range u.Attributes[name] {
			a.Values = append(a.Values, saml.AttributeValue{Type: "xs:string", Value: v})
		}
		sess.CustomAttributes = append(sess.CustomAttributes, a)
	}
	return sess
}

// captureWriter writes the Response form, or hands it to Respond.
type captureWriter struct{}

func (captureWriter) WriteResponse(w http.ResponseWriter, req *saml.IdpAuthnRequest) error {
	if dst, ok := req.HTTPRequest.Context().Value(captureKey).(*saml.IdpAuthnRequestForm); ok {
		form, err := req.PostBinding()
		if err != nil {
			return err
		}
		*dst = form
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return req.WriteResponse(w)
}

var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Enterprise sign-in (emulated SAML IdP)</title></head>
<body><h1>Enterprise sign-in</h1><p><b id="saml-sp">{{.SP}}</b> asks you to sign in.</p>
<p><small>This is the cognitokit emulator's fake SAML identity provider: choose the user who signs in.</small></p>
{{if .Error}}<p id="saml-error" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="SAMLRequest" value="{{.Request}}"><input type="hidden" name="RelayState" value="{{.RelayState}}">
<label for="saml-username">User</label><input id="saml-username" name="username" value="{{.Default}}" list="saml-users" required>
<datalist id="saml-users">{{range .Users}}<option value="{{.}}">{{end}}</datalist>
<button id="saml-signin" type="submit" name="fakesaml_action" value="allow">Sign in</button>
<button id="saml-cancel" type="submit" name="fakesaml_action" value="deny">Cancel</button>
</form></body></html>`))

func (p *IdP) showLogin(w http.ResponseWriter, req *saml.IdpAuthnRequest, msg string) {
	p.mu.Lock()
	users := make([]string, 0, len(p.users))
	for k := range p.users {
		users = append(users, k)
	}
	p.mu.Unlock()
	slices.Sort(users)
	def := ""
	if len(users) > 0 {
		def = users[0]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	status := http.StatusOK
	if msg != "" {
		status = http.StatusUnauthorized
	}
	w.WriteHeader(status)
	_ = loginPage.Execute(w, map[string]any{"SP": req.ServiceProviderMetadata.EntityID, "Error": msg,
		"Action": p.idp.SSOURL.Path, "Request": base64.StdEncoding.EncodeToString(req.RequestBuffer),
		"RelayState": req.RelayState, "Users": users, "Default": def})
}

var messagePage = template.Must(template.New("m").Parse(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{{.Title}}</title></head><body><h1>{{.Title}}</h1><p id="saml-error">{{.Message}}</p></body></html>`))

func showPage(w http.ResponseWriter, status int, title, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = messagePage.Execute(w, map[string]string{"Title": title, "Message": msg})
}

// ServeHTTP serves the IdP's HTTP surface under its prefix.
func (p *IdP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, p.prefix) {
	case "metadata":
		b, err := p.Metadata()
		if err != nil {
			showPage(w, http.StatusInternalServerError, "Metadata", err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		_, _ = w.Write(b)
	case "sso":
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		p.idp.ServeSSO(w, r)
	default:
		http.NotFound(w, r)
	}
}

// Response is what the IdP posts to a service provider's ACS URL.
type Response struct {
	// ACSURL is where the form posts.
	ACSURL string
	// SAMLResponse is the base64 Response, as posted.
	SAMLResponse string
	// RelayState is echoed from the request.
	RelayState string
}

// Respond plays nameID signing in for the AuthnRequest in authnRequestURL
// (an HTTP-Redirect binding URL, as SP.AuthnRequestURL returns), through
// the same code path as the login page, and returns what the browser
// would post. It is the Go helper tests use to get a user's assertion.
func (p *IdP) Respond(authnRequestURL, nameID string) (Response, error) {
	if _, ok := p.user(nameID); !ok {
		return Response{}, ErrUnknownUser
	}
	u, err := url.Parse(authnRequestURL)
	if err != nil {
		return Response{}, fmt.Errorf("fakesaml: request URL: %w", err)
	}
	return p.capture(nameID, p.idp.SSOURL.String()+"?"+u.RawQuery, func(w http.ResponseWriter, r *http.Request) {
		p.idp.ServeSSO(w, r)
	})
}

// RespondUnsolicited issues an IdP-initiated Response for nameID to the
// service provider spEntityID, at its default ACS URL.
func (p *IdP) RespondUnsolicited(spEntityID, nameID, relayState string) (Response, error) {
	if _, ok := p.user(nameID); !ok {
		return Response{}, ErrUnknownUser
	}
	if _, err := (spProvider{p}).GetServiceProvider(nil, spEntityID); err != nil {
		return Response{}, ErrUnknownServiceProvider
	}
	return p.capture(nameID, p.idp.SSOURL.String(), func(w http.ResponseWriter, r *http.Request) {
		p.idp.ServeIDPInitiated(w, r, spEntityID, relayState)
	})
}

// capture runs serve on a GET of target with nameID signed in, and returns
// the Response it would have posted.
func (p *IdP) capture(nameID, target string, serve http.HandlerFunc) (Response, error) {
	var form saml.IdpAuthnRequestForm
	var refused error
	ctx := context.WithValue(context.Background(), autoUserKey, nameID)
	ctx = context.WithValue(context.WithValue(ctx, captureKey, &form), errKey, &refused)
	rec := httptest.NewRecorder()
	serve(rec, httptest.NewRequestWithContext(ctx, http.MethodGet, target, nil))
	switch {
	case refused != nil:
		return Response{}, fmt.Errorf("fakesaml: the IdP refused the request: %w", refused)
	case form.SAMLResponse == "":
		return Response{}, fmt.Errorf("fakesaml: the IdP gave no Response (HTTP %d)", rec.Code)
	}
	return Response{ACSURL: form.URL, SAMLResponse: form.SAMLResponse, RelayState: form.RelayState}, nil
}

// SigningKeyPair returns the IdP's signing key and certificate (to persist
// them: NewIdP with IdPConfig.Key and Certificate set to them issues
// assertions that service providers of the old metadata accept).
func (p *IdP) SigningKeyPair() (*rsa.PrivateKey, *x509.Certificate) {
	return p.idp.Key.(*rsa.PrivateKey), p.idp.Certificate
}

// Users returns copies of the registered users, in NameID order.
func (p *IdP) Users() []User {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]User, 0, len(p.users))
	for _, u := range p.users {
		c := u
		c.Attributes = make(map[string][]string, len(u.Attributes))
		for k, v := range u.Attributes {
			c.Attributes[k] = slices.Clone(v)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b User) int { return strings.Compare(a.NameID, b.NameID) })
	return out
}
