package cognitotest

import (
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"sort"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/fakesaml"
)

// providersSection is the state section of the fake identity providers.
const providersSection = "providers"

// providersState is what the state file keeps of the fake identity
// providers: their registrations and signing keys (PKCS #1 DER), so that
// tokens and assertions signed before a restart verify after it.
type providersState struct {
	GoogleKey     []byte            `json:"googleKey,omitempty"`
	AppleKey      []byte            `json:"appleKey,omitempty"`
	OIDC          []oidcState       `json:"oidc,omitempty"`
	SAML          []samlState       `json:"saml,omitempty"`
	AmazonClients []AmazonClient    `json:"amazonClients,omitempty"`
	TwitterApps   map[string]string `json:"twitterApps,omitempty"` // consumer key → secret
}

type oidcState struct {
	Name       string       `json:"name"`
	Info       OIDCProvider `json:"info"`
	SigningKey []byte       `json:"signingKey"`
}

type samlState struct {
	Name        string          `json:"name"`
	BaseURL     string          `json:"baseURL"`
	SigningKey  []byte          `json:"signingKey"`
	Certificate []byte          `json:"certificate"`
	Users       []fakesaml.User `json:"users,omitempty"`
}

// register declares the fakes' state section on the host.
func (f *fakes) register() {
	f.host.AddSection(providersSection, emulator.JSONSection(
		func() (any, error) { return f.snapshot() },
		f.restore))
}

// saveNewKeys persists the state when a fake has made a signing key the
// state file lacks. Call it holding no lock.
func (f *fakes) saveNewKeys() {
	if f.unsaved.Swap(false) {
		f.host.PersistOrLog()
	}
}

func keyDER(k *rsa.PrivateKey) []byte {
	if k == nil {
		return nil
	}
	return x509.MarshalPKCS1PrivateKey(k)
}

func (f *fakes) snapshot() (*providersState, error) {
	var st providersState
	f.keyMu.Lock()
	st.GoogleKey, st.AppleKey = keyDER(f.googleKey), keyDER(f.appleKey)
	f.keyMu.Unlock()

	f.mu.RLock()
	for _, o := range f.oidc {
		st.OIDC = append(st.OIDC, oidcState{Name: o.name, Info: o.info, SigningKey: keyDER(o.p.SigningKey())})
	}
	for _, s := range f.saml {
		key, cert := s.idp.SigningKeyPair()
		st.SAML = append(st.SAML, samlState{Name: s.name, BaseURL: s.baseURL, SigningKey: keyDER(key), Certificate: cert.Raw,
			Users: s.idp.Users()})
	}
	f.mu.RUnlock()
	sort.Slice(st.OIDC, func(i, j int) bool { return st.OIDC[i].Name < st.OIDC[j].Name })
	sort.Slice(st.SAML, func(i, j int) bool { return st.SAML[i].Name < st.SAML[j].Name })

	f.amazonMu.Lock()
	for _, c := range f.amazonClients {
		st.AmazonClients = append(st.AmazonClients, c)
	}
	f.amazonMu.Unlock()
	sort.Slice(st.AmazonClients, func(i, j int) bool { return st.AmazonClients[i].ClientID < st.AmazonClients[j].ClientID })

	t, err := f.twitter()
	if err != nil {
		return nil, err
	}
	if apps := t.Consumers(); len(apps) > 0 {
		st.TwitterApps = apps
	}
	return &st, nil
}

func parseKey(what string, der []byte) (*rsa.PrivateKey, error) {
	if der == nil {
		return nil, nil
	}
	k, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("cognitotest: %w: %s signing key: %w", ErrStateEntry, what, err)
	}
	return k, nil
}

func (f *fakes) restore(st *providersState) error {
	g, err := parseKey("Google", st.GoogleKey)
	if err != nil {
		return err
	}
	a, err := parseKey("Apple", st.AppleKey)
	if err != nil {
		return err
	}
	f.keyMu.Lock()
	f.googleKey, f.appleKey = g, a
	f.keyMu.Unlock()
	for _, o := range st.OIDC {
		k, err := parseKey("OIDC provider "+o.Name, o.SigningKey)
		if err != nil {
			return err
		}
		if k == nil || o.Info.ARN == "" || o.Info.Issuer == "" {
			return fmt.Errorf("cognitotest: %w: OIDC provider %q lacks its ARN, issuer or key", ErrStateEntry, o.Name)
		}
		if err := f.addOIDC(o.Name, o.Info, k); err != nil {
			return err
		}
	}
	for _, s := range st.SAML {
		k, err := parseKey("SAML provider "+s.Name, s.SigningKey)
		if err != nil {
			return err
		}
		cert, err := x509.ParseCertificate(s.Certificate)
		if err != nil || k == nil {
			return fmt.Errorf("cognitotest: %w: SAML provider %q lacks its key or certificate", ErrStateEntry, s.Name)
		}
		if _, err := f.addSAML(s.Name, s.BaseURL, k, cert); err != nil {
			return err
		}
		idp, _ := f.samlByARN("arn:aws:iam::" + AccountID + ":saml-provider/" + s.Name)
		for _, u := range s.Users {
			if err := idp.PutUser(u); err != nil {
				return fmt.Errorf("cognitotest: %w: SAML provider %q: %w", ErrStateEntry, s.Name, err)
			}
		}
	}
	for _, c := range st.AmazonClients {
		if err := f.registerAmazon(c); err != nil {
			return fmt.Errorf("cognitotest: %w: Amazon client %q: %w", ErrStateEntry, c.ClientID, err)
		}
	}
	if len(st.TwitterApps) > 0 {
		t, err := f.twitter()
		if err != nil {
			return err
		}
		for k, v := range st.TwitterApps {
			if err := t.PutConsumer(k, v); err != nil {
				return fmt.Errorf("cognitotest: %w: Twitter app %q: %w", ErrStateEntry, k, err)
			}
		}
	}
	return nil
}
