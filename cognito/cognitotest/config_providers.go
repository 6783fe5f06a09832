package cognitotest

import (
	"fmt"
)

// SeedFakeProviders declares what is registered on the emulator's fake
// identity providers (served under /_emulator/), e.g.
//
//	"fakeProviders": {
//	  "oidc": [{"name": "corp", "clientIds": ["corp-oidc-client"]}],
//	  "saml": [{"name": "corp-idp", "users": [{"nameId": "jane@corp.example",
//	    "attributes": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["jane@corp.example"]}}]}],
//	  "amazonClients": [{"clientId": "amzn-client", "secret": "amzn-secret",
//	    "appId": "amzn1.application.0123456789"}],
//	  "twitterApps": [{"consumerKey": "tw-key", "consumerSecret": "tw-secret"}]}
//
// Google and Sign in with Apple need no entry: a user pool's Google or
// SignInWithApple provider declares its client to them, and their users
// are whoever signs in on their consent page. A SAML provider's metadata
// is at URL + "/_emulator/saml/{name}/metadata" (a user pool's SAML
// provider names it as MetadataURL). Providers and users that exist (for
// example reloaded from a state file) are kept; SAML users, Amazon clients
// and Twitter apps are registered again.
type SeedFakeProviders struct {
	// OIDC are IAM OpenID Connect providers, as CreateOIDCProvider makes.
	OIDC []SeedOIDCProvider `json:"oidc"`
	// SAML are IAM SAML providers and their IdPs' users, as
	// CreateSAMLProvider and PutSAMLUser make.
	SAML []SeedSAMLProvider `json:"saml"`
	// AmazonClients are Login with Amazon security profiles
	// (PutAmazonClient).
	AmazonClients []SeedAmazonClient `json:"amazonClients"`
	// TwitterApps are Twitter apps (PutTwitterApp).
	TwitterApps []SeedTwitterApp `json:"twitterApps"`
}

// SeedOIDCProvider is an OIDCProviderOptions: name, issuer (default URL +
// "/_emulator/oidc/{name}"), clientIds (1 to 100) and thumbprints.
type SeedOIDCProvider struct {
	Name        string   `json:"name"`
	Issuer      string   `json:"issuer"`
	ClientIDs   []string `json:"clientIds"`
	Thumbprints []string `json:"thumbprints"`
}

// SeedSAMLProvider is a SAML provider (CreateSAMLProvider's name) and the
// users of its IdP.
type SeedSAMLProvider struct {
	Name  string         `json:"name"`
	Users []SeedSAMLUser `json:"users"`
}

// SeedSAMLUser is a SAMLUser: nameId (required), roles (IAM role ARNs)
// and attributes (name → values).
type SeedSAMLUser struct {
	NameID     string              `json:"nameId"`
	Roles      []string            `json:"roles"`
	Attributes map[string][]string `json:"attributes"`
}

// SeedAmazonClient is an AmazonClient: clientId and appId required, secret
// (empty: a public client) and redirectUris (default the hosted UI's).
type SeedAmazonClient struct {
	ClientID     string   `json:"clientId"`
	Secret       string   `json:"secret"`
	AppID        string   `json:"appId"`
	RedirectURIs []string `json:"redirectUris"`
}

// SeedTwitterApp is a Twitter app: its consumer key and secret, both
// required.
type SeedTwitterApp struct {
	ConsumerKey    string `json:"consumerKey"`
	ConsumerSecret string `json:"consumerSecret"`
}

// checkSeedFakes checks the required fields of a SeedConfig's fake
// providers, naming the JSON path of the first one missing.
func checkSeedFakes(fp *SeedFakeProviders) error {
	if fp == nil {
		return nil
	}
	missing := func(path string) error { return &SeedConfigError{Path: path, Reason: "required"} }
	for i, o := range fp.OIDC {
		at := fmt.Sprintf("fakeProviders.oidc[%d]", i)
		if !providerNamePattern.MatchString(o.Name) {
			return &SeedConfigError{Path: at + ".name", Reason: fmt.Sprintf("%q must be 1-64 letters, digits, '-' or '_'", o.Name)}
		}
		if len(o.ClientIDs) == 0 {
			return missing(at + ".clientIds")
		}
	}
	for i, s := range fp.SAML {
		at := fmt.Sprintf("fakeProviders.saml[%d]", i)
		if !samlNamePattern.MatchString(s.Name) {
			return &SeedConfigError{Path: at + ".name", Reason: fmt.Sprintf("%q must be 1-128 letters, digits, '.', '_' or '-'", s.Name)}
		}
		for j, u := range s.Users {
			if u.NameID == "" {
				return missing(fmt.Sprintf("%s.users[%d].nameId", at, j))
			}
		}
	}
	for i, c := range fp.AmazonClients {
		at := fmt.Sprintf("fakeProviders.amazonClients[%d]", i)
		if c.ClientID == "" {
			return missing(at + ".clientId")
		}
		if c.AppID == "" {
			return missing(at + ".appId")
		}
	}
	for i, a := range fp.TwitterApps {
		at := fmt.Sprintf("fakeProviders.twitterApps[%d]", i)
		if a.ConsumerKey == "" {
			return missing(at + ".consumerKey")
		}
		if a.ConsumerSecret == "" {
			return missing(at + ".consumerSecret")
		}
	}
	return nil
}

// seedFakes registers a SeedConfig's fake-provider entries that do not
// exist yet.
func (s *Server) seedFakes(fp *SeedFakeProviders) error {
	if fp == nil {
		return nil
	}
	for _, o := range fp.OIDC {
		s.fakes.mu.RLock()
		_, exists := s.fakes.named[oidcPrefix+o.Name+"/"]
		s.fakes.mu.RUnlock()
		if exists {
			continue
		}
		if _, err := s.CreateOIDCProvider(OIDCProviderOptions{Name: o.Name, Issuer: o.Issuer, ClientIDs: o.ClientIDs,
			Thumbprints: o.Thumbprints}); err != nil {
			return fmt.Errorf("cognitotest: config: OIDC provider %s: %w", o.Name, err)
		}
	}
	for _, sp := range fp.SAML {
		arn := "arn:aws:iam::" + AccountID + ":saml-provider/" + sp.Name
		if _, exists := s.fakes.samlByARN(arn); !exists {
			if _, err := s.CreateSAMLProvider(sp.Name); err != nil {
				return fmt.Errorf("cognitotest: config: SAML provider %s: %w", sp.Name, err)
			}
		}
		for _, u := range sp.Users {
			if err := s.PutSAMLUser(arn, SAMLUser(u)); err != nil {
				return fmt.Errorf("cognitotest: config: SAML provider %s: user %s: %w", sp.Name, u.NameID, err)
			}
		}
	}
	for _, c := range fp.AmazonClients {
		if err := s.PutAmazonClient(AmazonClient(c)); err != nil {
			return fmt.Errorf("cognitotest: config: Amazon client %s: %w", c.ClientID, err)
		}
	}
	for _, a := range fp.TwitterApps {
		if err := s.PutTwitterApp(a.ConsumerKey, a.ConsumerSecret); err != nil {
			return fmt.Errorf("cognitotest: config: Twitter app %s: %w", a.ConsumerKey, err)
		}
	}
	return nil
}
