package cognitotest

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeamazon"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoidc"
	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

// This file lets the hosted UI federate through the same fakes identity
// pools use (providers.go): fakes implements userpool.FederationProviders
// and userpool.FederationRegistrar, so a user pool's identity provider of
// type Google, SignInWithApple, LoginWithAmazon, OIDC (whose oidc_issuer is
// the Issuer of a CreateOIDCProvider provider) or SAML (whose MetadataURL
// is the MetadataURL of a CreateSAMLProvider provider) signs in at the fake
// mounted under /_emulator/.

var (
	_ userpool.FederationProviders = (*fakes)(nil)
	_ userpool.FederationRegistrar = (*fakes)(nil)
)

// errBadAppleKey reports a Sign in with Apple provider whose private_key
// is not a PEM PKCS #8 P-256 key.
var errBadAppleKey = errors.New("cognitotest: the SignInWithApple private_key must be a PEM PKCS #8 ECDSA key")

// OIDC implements userpool.FederationProviders: Google and Sign in with
// Apple are the mounted fakes; an OIDC provider is the one registered with
// CreateOIDCProvider whose Issuer is issuer.
func (f *fakes) OIDC(providerType, issuer string) (userpool.OIDCProvider, error) {
	switch providerType {
	case "Google":
		p, err := f.google()
		if err != nil {
			return userpool.OIDCProvider{}, err
		}
		return userpool.OIDCProvider{AuthorizeURL: googlePrefix + "authorize", Provider: p}, nil
	case "SignInWithApple":
		p, err := f.apple()
		if err != nil {
			return userpool.OIDCProvider{}, err
		}
		return userpool.OIDCProvider{AuthorizeURL: applePrefix + "authorize", Provider: p}, nil
	case "OIDC":
		if o, ok := f.oidcByIssuer(issuer); ok {
			return userpool.OIDCProvider{AuthorizeURL: oidcPrefix + o.name + "/authorize", Provider: o.p}, nil
		}
		return userpool.OIDCProvider{}, fmt.Errorf("%w: no OIDC provider with issuer %q (CreateOIDCProvider)", userpool.ErrNoFederation, issuer)
	}
	return userpool.OIDCProvider{}, fmt.Errorf("%w: %s", userpool.ErrNoFederation, providerType)
}

// Amazon implements userpool.FederationProviders: the mounted Login with
// Amazon.
func (f *fakes) Amazon() (userpool.AmazonProvider, error) {
	a, err := f.amazon()
	if err != nil {
		return userpool.AmazonProvider{}, err
	}
	return userpool.AmazonProvider{AuthorizeURL: amazonPrefix + "ap/oa", Provider: a}, nil
}

// SAMLMetadata implements userpool.FederationProviders: the metadata of
// the CreateSAMLProvider IdP served at metadataURL.
func (f *fakes) SAMLMetadata(metadataURL string) ([]byte, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, s := range f.saml {
		if s.info.MetadataURL == metadataURL {
			return s.idp.Metadata()
		}
	}
	return nil, fmt.Errorf("%w: no SAML provider serves metadata at %q (CreateSAMLProvider)", userpool.ErrNoFederation, metadataURL)
}

// RegisterIdentityProvider implements userpool.FederationRegistrar: it
// declares a user pool's identity provider to the fake that plays it — the
// client ID, secret and the hosted UI's redirect URI (Google, OIDC, Login
// with Amazon), the client and its developer key (Sign in with Apple,
// from ProviderDetails team_id, key_id and private_key), or the pool's
// service provider (SAML). A provider naming no mounted fake (an OIDC
// issuer or SAML metadata URL not created here, or SAML MetadataFile) is
// left alone: its sign-ins fail with userpool.ErrNoFederation.
func (f *fakes) RegisterIdentityProvider(r userpool.RegisteredProvider) error {
	c := fakeoauth.Client{ID: r.ClientID, Secret: r.ClientSecret, RedirectURIs: []string{r.RedirectURI}}
	switch r.Type {
	case "Google":
		p, err := f.google()
		if err != nil {
			return err
		}
		return p.RegisterClient(fakeoidc.Client{Client: c})
	case "SignInWithApple":
		key, err := appleKey(r.Details)
		if err != nil {
			return err
		}
		p, err := f.apple()
		if err != nil {
			return err
		}
		c.Secret = ""
		return p.RegisterClient(fakeoidc.Client{Client: c, AppleKey: key})
	case "OIDC":
		o, ok := f.oidcByIssuer(r.Details["oidc_issuer"])
		if !ok {
			return nil
		}
		return o.p.RegisterClient(fakeoidc.Client{Client: c})
	case "LoginWithAmazon":
		return f.registerAmazon(AmazonClient{ClientID: r.ClientID, Secret: r.ClientSecret, RedirectURIs: c.RedirectURIs})
	case "SAML":
		f.mu.RLock()
		defer f.mu.RUnlock()
		for _, s := range f.saml {
			if s.info.MetadataURL == r.Details["MetadataURL"] {
				return s.idp.RegisterSigningServiceProvider(r.SAMLEntityID, r.SAMLSigningCertificate, r.SAMLACSURL)
			}
		}
	}
	return nil
}

// oidcByIssuer returns the CreateOIDCProvider provider whose Issuer is
// issuer (a trailing slash ignored).
func (f *fakes) oidcByIssuer(issuer string) (*oidcProvider, bool) {
	issuer = strings.TrimSuffix(issuer, "/")
	if issuer == "" {
		return nil, false
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, o := range f.oidc {
		if strings.TrimSuffix(o.info.Issuer, "/") == issuer {
			return o, true
		}
	}
	return nil, false
}

// registerAmazon registers a Login with Amazon security profile, merging
// it with an earlier registration of the same client ID: the redirect
// URIs are joined and an empty AppID keeps the earlier one (PutAmazonClient
// for identity pools and a user pool's provider may share a client).
func (f *fakes) registerAmazon(c AmazonClient) error {
	a, err := f.amazon()
	if err != nil {
		return err
	}
	f.amazonMu.Lock()
	defer f.amazonMu.Unlock()
	if old, ok := f.amazonClients[c.ClientID]; ok {
		for _, u := range old.RedirectURIs {
			if !slices.Contains(c.RedirectURIs, u) {
				c.RedirectURIs = append(c.RedirectURIs, u)
			}
		}
		if c.AppID == "" {
			c.AppID = old.AppID
		}
	}
	if c.AppID == "" {
		// A user pool's provider names no application ID; identity
		// pools trusting this client need PutAmazonClient's.
		c.AppID = "amzn1.application." + c.ClientID
	}
	if err := a.RegisterClient(fakeamazon.Client{AppID: c.AppID,
		Client: fakeoauth.Client{ID: c.ClientID, Secret: c.Secret, RedirectURIs: c.RedirectURIs}}); err != nil {
		return err
	}
	f.amazonClients[c.ClientID] = c
	return nil
}

// appleKey reads a Sign in with Apple provider's developer key from its
// ProviderDetails.
func appleKey(d map[string]string) (*fakeoidc.AppleKey, error) {
	blk, _ := pem.Decode([]byte(d["private_key"]))
	if blk == nil {
		return nil, errBadAppleKey
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBadAppleKey, err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errBadAppleKey
	}
	return &fakeoidc.AppleKey{TeamID: d["team_id"], KeyID: d["key_id"], Public: &ec.PublicKey}, nil
}
