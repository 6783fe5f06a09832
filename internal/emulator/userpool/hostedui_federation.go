package userpool

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeamazon"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoidc"
	"github.com/cognitokit/cognitokit/internal/emulator/fakesaml"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// The hosted UI's sign-in through Google, Sign in with Apple, Login with
// Amazon, any OpenID Connect provider and SAML 2.0 providers, as Cognito's
// managed login federates them:
//
//	GET  /oauth2/authorize?identity_provider=<name>|idp_identifier=<id>
//	     → the provider, with state, nonce and PKCE (S256) where it takes them,
//	       or a SAML AuthnRequest (HTTP-Redirect) with RelayState
//	GET  /oauth2/idpresponse   the provider's redirect back (code, state)
//	POST /oauth2/idpresponse   the same by form_post (Sign in with Apple)
//	POST /saml2/idpresponse    the SAML Response (HTTP-POST binding)
//
// The code is exchanged and the ID token verified (signature, iss, aud,
// exp, nonce); a SAML Response is verified by crewjam/saml through
// fakesaml.SP (signature, audience urn:amazon:cognito:sp:<poolId>,
// recipient and destination, validity window, InResponseTo, replay).

func init() {
	registerPath("POST /oauth2/idpresponse", serveIdPResponse)
	registerPath("POST /saml2/idpresponse", serveSAMLResponse)
}

// FederationProviders gives the hosted UI the identity providers other
// than Facebook: the emulator's fakes (fakeoidc, fakeamazon, fakesaml),
// mounted by the host. Its methods are called without the user-pool lock
// held. The providers must accept the redirect URI
// <emulator URL>/oauth2/idpresponse for each pool's client ID, and a SAML
// IdP must know the pool's service provider (entity ID
// urn:amazon:cognito:sp:<poolId>, ACS URL <emulator URL>/saml2/idpresponse).
type FederationProviders interface {
	// OIDC returns the OpenID Connect provider of an identity provider
	// of type Google (issuer fakeoidc.GoogleIssuer), SignInWithApple
	// (fakeoidc.AppleIssuer) or OIDC (issuer: its oidc_issuer).
	OIDC(providerType, issuer string) (OIDCProvider, error)
	// Amazon returns Login with Amazon.
	Amazon() (AmazonProvider, error)
	// SAMLMetadata returns the metadata XML of a SAML identity provider
	// configured with ProviderDetails MetadataURL.
	SAMLMetadata(metadataURL string) ([]byte, error)
}

// OIDCProvider is an OpenID Connect provider as the hosted UI uses it.
type OIDCProvider struct {
	// AuthorizeURL is the authorization endpoint the browser is sent to:
	// absolute, or a path on the emulator ("/_emulator/google/authorize").
	AuthorizeURL string
	// Provider redeems codes and verifies ID tokens: a *fakeoidc.Provider.
	Provider OIDCExchanger
}

// OIDCExchanger is what the hosted UI calls of an OpenID Connect
// provider; *fakeoidc.Provider implements it.
type OIDCExchanger interface {
	fakeoidc.Verifier
	// Exchange redeems an authorization code (token endpoint).
	Exchange(clientID, secret, redirectURI, code, verifier string) (fakeoidc.TokenResponse, error)
	// UserInfo reads the userinfo endpoint with an access token.
	UserInfo(accessToken string) (map[string]any, error)
}

var _ OIDCExchanger = (*fakeoidc.Provider)(nil)

// AmazonProvider is Login with Amazon as the hosted UI uses it.
type AmazonProvider struct {
	// AuthorizeURL is the consent endpoint (…/ap/oa), absolute or a path
	// on the emulator.
	AuthorizeURL string
	// Provider redeems codes and reads profiles: a *fakeamazon.Fake.
	Provider AmazonExchanger
}

// AmazonExchanger is what the hosted UI calls of Login with Amazon;
// *fakeamazon.Fake implements it.
type AmazonExchanger interface {
	// Exchange redeems an authorization code for an access token.
	Exchange(clientID, secret, redirectURI, code, verifier string) (string, error)
	// VerifyAccessToken reads the profile an access token is for.
	VerifyAccessToken(token string) (fakeamazon.TokenInfo, error)
}

var _ AmazonExchanger = (*fakeamazon.Fake)(nil)

// FederationRegistrar is implemented by FederationProviders that want to
// be told of each identity provider, so that they declare the pool's
// client and redirect URI, or its SAML service provider, to their fake:
// when AddIdentityProvider (the Go helper) adds it, and again before each
// sign-in through it, which is when a provider of the
// CreateIdentityProvider operation is first told. Registration must
// therefore be idempotent. It is called without the user-pool lock held.
type FederationRegistrar interface {
	RegisterIdentityProvider(p RegisteredProvider) error
}

// RegisteredProvider is an identity provider as a FederationRegistrar is
// told of it.
type RegisteredProvider struct {
	PoolID string
	// Name and Type are the provider's name and type.
	Name, Type string
	// ClientID and ClientSecret are the provider's client_id and
	// client_secret (empty for SAML and Sign in with Apple).
	ClientID, ClientSecret string
	// Details are the other ProviderDetails, secrets included (Apple's
	// team_id, key_id and private_key; oidc_issuer; MetadataURL …).
	Details map[string]string
	// RedirectURI is the hosted UI's <emulator URL>/oauth2/idpresponse.
	RedirectURI string
	// SAMLEntityID and SAMLACSURL are the pool's SAML service provider:
	// urn:amazon:cognito:sp:<poolId> and <emulator URL>/saml2/idpresponse.
	SAMLEntityID, SAMLACSURL string
	// SAMLSigningCertificate is the pool's signing certificate (DER, as
	// GetSigningCertificate gives it) when the SAML provider's
	// RequestSigningAlgorithm is rsa-sha256: the pool signs its
	// AuthnRequests with its key. Nil when the requests are not signed.
	SAMLSigningCertificate []byte
}

// String hides the client secret and the private key.
func (r RegisteredProvider) String() string {
	return "RegisteredProvider{Pool: " + r.PoolID + ", Name: " + r.Name + ", Type: " + r.Type + ", ClientID: " + r.ClientID + "}"
}

// Format prints String with every verb, so that no verb shows a secret.
func (r RegisteredProvider) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, r.String()) }

func registeredProvider(poolID, base string, idp *identityProvider) RegisteredProvider {
	d := map[string]string{}
	for k, v := range idp.Details {
		d[k] = v
	}
	return RegisteredProvider{PoolID: poolID, Name: idp.Name, Type: idp.Type, ClientID: idp.AppID, ClientSecret: idp.AppSecret,
		Details: d, RedirectURI: base + "/oauth2/idpresponse", SAMLEntityID: SAMLEntityID(poolID), SAMLACSURL: base + "/saml2/idpresponse"}
}

// ErrNoFederation reports a sign-in through a provider type that no
// FederationProviders serves.
var ErrNoFederation = errors.New("userpool: no identity provider of this type is mounted")

// federationState is the Server's FederationProviders and its SAML
// service providers (each keeps its replay cache), outside s.mu.
type federationState struct {
	p   atomic.Pointer[fedHolder]
	mu  sync.Mutex
	sps map[string]*fakesaml.SP
}

type fedHolder struct{ f FederationProviders }

// SetFederation installs (or, with nil, removes) the providers the hosted
// UI federates through. It is safe to call while the server serves.
func (s *Server) SetFederation(f FederationProviders) { s.fed.p.Store(&fedHolder{f}) }

func (s *Server) federation() (FederationProviders, error) {
	if h := s.fed.p.Load(); h != nil && h.f != nil {
		return h.f, nil
	}
	return nil, ErrNoFederation
}

// oidcIssuer is the issuer an OIDC-family provider is looked up by.
func (idp *identityProvider) oidcIssuer() string {
	switch idp.Type {
	case typeGoogle:
		return fakeoidc.GoogleIssuer
	case typeApple:
		return fakeoidc.AppleIssuer
	}
	return idp.Details["oidc_issuer"]
}

func isOIDCType(t string) bool { return t == typeGoogle || t == typeApple || t == typeOIDC }

// providerRedirect is where /oauth2/authorize sends the browser for a
// provider other than Facebook. flowID is the state (RelayState for
// SAML); s.mu is not held. For SAML, requestID is the AuthnRequest's ID,
// signed by signer when not nil.
func (s *Server) providerRedirect(idp *identityProvider, poolID, base, flowID string, flow uiFlow, signer *samlSigner) (loc, requestID string, err error) {
	fed, err := s.federation()
	if err != nil {
		return "", "", err
	}
	// Declared again on each sign-in: a provider of the
	// CreateIdentityProvider operation (run under s.mu) is told here first.
	if r, ok := fed.(FederationRegistrar); ok {
		reg := registeredProvider(poolID, base, idp)
		if signer != nil {
			reg.SAMLSigningCertificate = signer.cert
		}
		if err := r.RegisterIdentityProvider(reg); err != nil {
			return "", "", err
		}
	}
	redirect := base + "/oauth2/idpresponse"
	switch {
	case isOIDCType(idp.Type):
		op, err := fed.OIDC(idp.Type, idp.oidcIssuer())
		if err != nil {
			return "", "", err
		}
		v := url.Values{"client_id": {idp.AppID}, "redirect_uri": {redirect}, "response_type": {"code"},
			"scope": {strings.Join(strings.Fields(strings.ReplaceAll(idp.AuthorizeScopes, ",", " ")), " ")},
			"state": {flowID}, "nonce": {flow.IdPNonce},
			"code_challenge": {s256(flow.IdPVerifier)}, "code_challenge_method": {"S256"}}
		if idp.Type == typeApple && (hasScope(v.Get("scope"), "name") || hasScope(v.Get("scope"), "email")) {
			v.Set("response_mode", "form_post")
		}
		if !hasScope(v.Get("scope"), "openid") {
			// Cognito asks every OpenID Connect provider for an ID token.
			v.Set("scope", strings.TrimSpace("openid "+v.Get("scope")))
		}
		return withQuery(op.AuthorizeURL, v), "", nil
	case idp.Type == typeAmazon:
		ap, err := fed.Amazon()
		if err != nil {
			return "", "", err
		}
		v := url.Values{"client_id": {idp.AppID}, "redirect_uri": {redirect}, "response_type": {"code"},
			"scope": {idp.AuthorizeScopes}, "state": {flowID},
			"code_challenge": {s256(flow.IdPVerifier)}, "code_challenge_method": {"S256"}}
		return withQuery(ap.AuthorizeURL, v), "", nil
	case idp.Type == typeSAML:
		sp, err := s.samlSP(fed, idp, poolID, base)
		if err != nil {
			return "", "", err
		}
		loc, requestID, err := sp.AuthnRequestURL(flowID)
		if err == nil && signer != nil {
			loc, err = signRedirect(loc, signer.key)
		}
		return loc, requestID, err
	}
	return "", "", fmt.Errorf("userpool: provider type %s has no redirect", idp.Type)
}

func withQuery(u string, v url.Values) string {
	if strings.Contains(u, "?") {
		return u + "&" + v.Encode()
	}
	return u + "?" + v.Encode()
}

// samlSP returns the service provider a pool verifies idp's responses
// with, kept while the metadata is the same so that its replay cache
// lasts.
func (s *Server) samlSP(fed FederationProviders, idp *identityProvider, poolID, base string) (*fakesaml.SP, error) {
	md := []byte(idp.Details["MetadataFile"])
	if u := idp.Details["MetadataURL"]; u != "" {
		var err error
		if md, err = fed.SAMLMetadata(u); err != nil {
			return nil, fmt.Errorf("reading the SAML metadata of %s: %w", idp.Name, err)
		}
	}
	sum := sha256.Sum256(md)
	acs := base + "/saml2/idpresponse"
	key := poolID + "\x00" + idp.Name + "\x00" + acs + "\x00" + hex.EncodeToString(sum[:])
	s.fed.mu.Lock()
	defer s.fed.mu.Unlock()
	if sp, ok := s.fed.sps[key]; ok {
		return sp, nil
	}
	sp, err := fakesaml.NewSP(fakesaml.SPConfig{EntityID: SAMLEntityID(poolID), ACSURL: acs, IdPMetadata: md,
		AllowIDPInitiated: false, Now: s.host.Now})
	if err != nil {
		return nil, err
	}
	if s.fed.sps == nil {
		s.fed.sps = map[string]*fakesaml.SP{}
	}
	for k := range s.fed.sps {
		if strings.HasPrefix(k, poolID+"\x00"+idp.Name+"\x00") {
			delete(s.fed.sps, k)
		}
	}
	s.fed.sps[key] = sp
	return sp, nil
}

// SAMLEntityID is a user pool's SAML service-provider entity ID, the
// audience its assertions must name: "urn:amazon:cognito:sp:<poolId>".
func SAMLEntityID(poolID string) string { return "urn:amazon:cognito:sp:" + poolID }

// startProviderFlow is /oauth2/authorize for a provider other than
// Facebook (s.mu held through l on entry, released on return).
func (s *Server) startProviderFlow(l *heldLock, w http.ResponseWriter, r *http.Request, p *pool, idp *identityProvider, req authRequest, now time.Time) {
	flowID := b64(s.randBytes(32))
	flow := &uiFlow{Req: req, Step: flowIdP, Expires: now.Add(hostedFlowLifetime),
		IdPNonce: b64(s.randBytes(32)), IdPVerifier: b64(s.randBytes(32))}
	h := p.hosted()
	h.Flows[hashToken(flowID)] = flow
	base, poolID, idpCopy := s.urlLocked(), p.ID, *idp
	snapshot := *flow
	signer, kerr := s.samlRequestSigner(p, idp, now) // signingcert.go
	if err := l.save(); err != nil {
		renderError(w, oerr("server_error", "could not persist state"))
		return
	}
	if kerr != nil {
		renderError(w, oerr("server_error", "could not sign the SAML request"))
		return
	}
	loc, requestID, err := s.providerRedirect(&idpCopy, poolID, base, flowID, snapshot, signer)
	if err != nil {
		redirectError(w, r, req, oerr("invalid_request", "could not reach identity provider "+idp.Name+": "+err.Error()))
		return
	}
	if requestID != "" {
		l.relock()
		if f, ok := s.flowOf(poolID, flowID); ok {
			f.SAMLRequestID = requestID
		}
		if err := l.save(); err != nil {
			renderError(w, oerr("server_error", "could not persist state"))
			return
		}
	}
	http.Redirect(w, r, loc, http.StatusFound)
}

// flowOf returns a pool's flow by ID (s.mu held).
func (s *Server) flowOf(poolID, flowID string) (*uiFlow, bool) {
	p := s.st.Pools[poolID]
	if p == nil || p.Hosted == nil {
		return nil, false
	}
	f, ok := p.Hosted.Flows[hashToken(flowID)]
	return f, ok
}

// takeIdPFlow removes and returns the provider flow a state (or
// RelayState) names, with its pool, provider and client (s.mu held).
func (s *Server) takeIdPFlow(st string, now time.Time) (p *pool, flow *uiFlow, idp *identityProvider, cl *client, e *oauthErr) {
	for _, cand := range s.st.Pools {
		if cand.Hosted == nil {
			continue
		}
		if f, ok := cand.Hosted.Flows[hashToken(st)]; ok && f.Step == flowIdP {
			p, flow = cand, f
			delete(cand.Hosted.Flows, hashToken(st))
			break
		}
	}
	if flow == nil || now.After(flow.Expires) {
		return nil, nil, nil, nil, oerr("invalid_request", "unknown or expired state: start the sign-in again")
	}
	idp, cl = p.hosted().IdPs[flow.Req.IdP], p.Clients[flow.Req.ClientID]
	if idp == nil || cl == nil {
		return nil, flow, nil, nil, oerr("invalid_request", "the identity provider or the client no longer exists")
	}
	return p, flow, idp, cl, nil
}

// exchangeOIDC redeems an OpenID Connect provider's code and verifies its
// ID token (s.mu not held).
func (s *Server) exchangeOIDC(idp *identityProvider, flow uiFlow, redirect, code, appleUser string) (externalUser, error) {
	fed, err := s.federation()
	if err != nil {
		return externalUser{}, err
	}
	op, err := fed.OIDC(idp.Type, idp.oidcIssuer())
	if err != nil {
		return externalUser{}, err
	}
	secret := idp.AppSecret
	if idp.Type == typeApple {
		if secret, err = appleClientSecret(idp, op.Provider.Issuer(), s.host.Now()); err != nil {
			return externalUser{}, err
		}
	}
	tok, err := op.Provider.Exchange(idp.AppID, secret, redirect, code, flow.IdPVerifier)
	if err != nil {
		return externalUser{}, fmt.Errorf("exchanging the code: %w", err)
	}
	idt, err := op.Provider.VerifyIDToken(tok.IDToken, idp.AppID)
	if err != nil {
		return externalUser{}, fmt.Errorf("the ID token: %w", err)
	}
	if idp.Type == typeOIDC && strings.TrimSuffix(idt.Issuer, "/") != strings.TrimSuffix(idp.Details["oidc_issuer"], "/") {
		return externalUser{}, fmt.Errorf("the ID token's issuer %q is not the provider's oidc_issuer", idt.Issuer)
	}
	if idt.Nonce == "" || !ctEqual(idt.Nonce, flow.IdPNonce) {
		return externalUser{}, errors.New("the ID token's nonce does not match the request")
	}
	claims := map[string]any{}
	if idp.Type != typeApple && tok.AccessToken != "" {
		// Cognito reads the userinfo endpoint too (attributes_request_method);
		// the ID token's claims win where both say.
		if info, err := op.Provider.UserInfo(tok.AccessToken); err == nil {
			for k, v := range info {
				claims[k] = v
			}
		}
	}
	for k, v := range idt.Claims {
		claims[k] = v
	}
	if appleUser != "" {
		// Apple posts the name at the first consent only, beside the code.
		var au struct {
			Name struct {
				FirstName string `json:"firstName"`
				LastName  string `json:"lastName"`
			} `json:"name"`
		}
		if json.Unmarshal([]byte(appleUser), &au) == nil {
			claims["firstName"], claims["lastName"] = au.Name.FirstName, au.Name.LastName
			claims["name"] = strings.TrimSpace(au.Name.FirstName + " " + au.Name.LastName)
		}
	}
	return externalUser{Subject: idt.Subject, Claims: claims}, nil
}

// exchangeAmazon redeems a Login with Amazon code and reads the profile.
func (s *Server) exchangeAmazon(idp *identityProvider, flow uiFlow, redirect, code string) (externalUser, error) {
	fed, err := s.federation()
	if err != nil {
		return externalUser{}, err
	}
	ap, err := fed.Amazon()
	if err != nil {
		return externalUser{}, err
	}
	tok, err := ap.Provider.Exchange(idp.AppID, idp.AppSecret, redirect, code, flow.IdPVerifier)
	if err != nil {
		return externalUser{}, fmt.Errorf("exchanging the code: %w", err)
	}
	info, err := ap.Provider.VerifyAccessToken(tok)
	if err != nil || info.ClientID != idp.AppID {
		return externalUser{}, fmt.Errorf("%w: %v", ErrProfileUnreadable, err)
	}
	pr := info.Profile
	return externalUser{Subject: pr.UserID, Claims: map[string]any{"user_id": pr.UserID, "name": pr.Name,
		"email": pr.Email, "postal_code": pr.PostalCode}}, nil
}

// appleClientSecret is the ES256 client-secret JWT Cognito signs with a
// Sign in with Apple provider's private key.
func appleClientSecret(idp *identityProvider, aud string, now time.Time) (string, error) {
	key, err := parseAppleKey(idp.Details["private_key"])
	if err != nil {
		return "", err
	}
	t, err := jwt.NewBuilder().Issuer(idp.Details["team_id"]).Subject(idp.AppID).Audience([]string{aud}).
		IssuedAt(now).Expiration(now.Add(5 * time.Minute)).Build()
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	_ = hdr.Set(jws.KeyIDKey, idp.Details["key_id"])
	b, err := jwt.Sign(t, jwt.WithKey(jwa.ES256, key, jws.WithProtectedHeaders(hdr)))
	return string(b), err
}

// parseAppleKey reads a Sign in with Apple private key (PEM, PKCS #8,
// P-256), as Apple issues it.
func parseAppleKey(p string) (*ecdsa.PrivateKey, error) {
	blk, _ := pem.Decode([]byte(p))
	if blk == nil {
		return nil, errors.New("private_key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("private_key: %w", err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve.Params().Name != "P-256" {
		return nil, errors.New("private_key must be a P-256 EC key")
	}
	return ek, nil
}

// serveSAMLResponse is the SAML assertion consumer service.
func serveSAMLResponse(s *Server, w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		renderError(w, oerr("invalid_request", "malformed form"))
		return
	}
	resp, relay := r.PostForm.Get("SAMLResponse"), r.PostForm.Get("RelayState")
	if resp == "" || relay == "" {
		renderError(w, oerr("invalid_request", "SAMLResponse and RelayState are required (IdP-initiated sign-in is not emulated)"))
		return
	}
	l := s.lock()
	defer l.release()
	now := s.now()
	p, flow, idp, cl, e := s.takeIdPFlow(relay, now)
	base := s.urlLocked()
	if serr := l.save(); serr != nil {
		renderError(w, oerr("server_error", "could not persist state"))
		return
	}
	switch {
	case e != nil && flow != nil:
		redirectError(w, r, flow.Req, e)
		return
	case e != nil:
		renderError(w, e)
		return
	case idp.Type != typeSAML:
		redirectError(w, r, flow.Req, oerr("invalid_request", "the sign-in was not with a SAML provider"))
		return
	}
	idpCopy := *idp
	fed, err := s.federation()
	var sp *fakesaml.SP
	if err == nil {
		sp, err = s.samlSP(fed, &idpCopy, p.ID, base)
	}
	var a *fakesaml.Assertion
	if err == nil {
		a, err = sp.VerifyResponse(resp, []string{flow.SAMLRequestID})
	}
	if err == nil && a.NameID == "" {
		err = errors.New("the assertion has no NameID")
	}
	if err != nil {
		redirectError(w, r, flow.Req, oerr("invalid_request", "Invalid SAML response from "+idp.Name+": "+strings.TrimPrefix(err.Error(), "fakesaml: ")))
		return
	}
	claims := map[string]any{samlNameID: a.NameID}
	for k, v := range a.Attributes {
		claims[k] = v
	}
	l.relock()
	s.finishFederated(l, w, r, p.ID, cl.ID, &idpCopy, *flow, externalUser{Subject: a.NameID, Claims: claims})
}

// finishFederated signs ext in (s.mu held through l): the user is found,
// linked or created, and the hosted UI issues a code.
func (s *Server) finishFederated(l *heldLock, w http.ResponseWriter, r *http.Request, poolID, clientID string, idp *identityProvider, flow uiFlow, ext externalUser) {
	now := s.now()
	p := s.st.Pools[poolID]
	if p == nil || p.Clients[clientID] == nil {
		l.unlock()
		renderError(w, oerr("invalid_request", "the user pool or its client no longer exists"))
		return
	}
	if cur := p.hosted().IdPs[idp.Name]; cur != nil {
		idp = cur
	}
	u, created, err := s.federatedUser(&trigCall{c: &call{r: r, now: now}, clientID: clientID}, p, idp, ext, now)
	var out loginOutcome
	if err == nil {
		out = s.hostedDone(p, p.Clients[clientID], u, flow.Req, idp.Name)
		if created {
			out.trigger.TriggerSource = TriggerPostConfirmation
		}
	}
	if serr := l.save(); serr != nil {
		renderError(w, oerr("server_error", "could not persist state"))
		return
	}
	if err != nil {
		redirectError(w, r, flow.Req, oerr(federatedErrorCode(err), apiMessage(err)))
		return
	}
	s.act(w, r, out)
}
