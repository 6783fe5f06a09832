package cognitotest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/internal/emulator/fakesaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startOn starts s on addr (a restarted server keeps its URL, which the
// SAML metadata and OIDC issuers name).
func startOn(t *testing.T, s *Server, addr string) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	s.ts = httptest.NewUnstartedServer(s.Handler())
	s.ts.Listener.Close()
	s.ts.Listener = l
	s.ts.Start()
	s.SetURL(s.ts.URL)
}

// hostedSignIn signs in through the hosted UI with provider and returns
// the ID token's claims, or the error of the sign-in.
func hostedSignIn(t *testing.T, s *Server, clientID, provider string, u ProviderUser) (map[string]any, error) {
	t.Helper()
	cb, err := s.HostedProviderSignIn(authorizeURL(s, clientID, url.Values{"identity_provider": {provider}}), provider, u)
	if err != nil {
		return nil, err
	}
	code := callbackCode(t, uiPage{status: http.StatusFound, loc: cb})
	status, tok := tokenCall(t, s, exchangeForm(clientID, code, uiVerifier), "")
	require.Equal(t, 200, status, tok)
	return decodeClaims(t, tok["id_token"].(string)), nil
}

// TestFakeProvidersSurviveRestart: what is registered on the fake
// identity providers (SAML and OIDC providers, SAML users, Amazon clients,
// Twitter apps) and their signing keys are in the state file, so after a
// restart the hosted UI signs a registered SAML user in and tokens minted
// before it still verify.
func TestFakeProvidersSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s1 := NewServer(func(o *Options) { o.StatePath = path })
	defer s1.Close()
	addr := s1.ts.Listener.Addr().String()
	pool := s1.MustCreateUserPool(PoolOptions{})
	cl := s1.MustCreateUserPoolClient(pool, ClientOptions{Name: "web", CallbackURLs: []string{uiCallback},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email"},
		SupportedIdentityProviders: []string{"CorpSAML"}})
	sp := s1.MustCreateSAMLProvider("corp-idp")
	s1.MustPutSAMLUser(sp.ARN, SAMLUser{NameID: fedSAMLUser, Attributes: map[string][]string{fakesaml.AttrEmail: {fedSAMLUser}}})
	s1.MustCreateIdentityProvider(pool, IdentityProviderOptions{Type: "SAML", Name: "CorpSAML",
		Details: map[string]string{"MetadataURL": sp.MetadataURL}, AttributeMapping: map[string]string{"email": fakesaml.AttrEmail}})
	corp := s1.MustCreateOIDCProvider(OIDCProviderOptions{Name: "corp", ClientIDs: []string{fedOIDCClient}})
	oidcTok := s1.MustOIDCToken(corp.ARN, fedOIDCClient, OIDCUser{Sub: "emp-1"})
	googleTok := s1.MustGoogleToken(fedGoogleClient, OIDCUser{Sub: "g-1"})
	appleTok := s1.MustAppleToken(fedAppleClient, OIDCUser{Sub: "a-1"})
	s1.MustPutAmazonClient(AmazonClient{ClientID: "amzn-client", AppID: "amzn1.application.1"})
	s1.MustPutTwitterApp("tw-key", "tw-secret")
	s1.Close()

	s2 := NewUnstartedServer(func(o *Options) { o.StatePath = path })
	defer s2.Close()
	startOn(t, s2, addr)

	// The SAML user registered before the restart signs in; one never
	// registered does not.
	id, err := hostedSignIn(t, s2, cl.ID, "CorpSAML", ProviderUser{Subject: fedSAMLUser})
	require.NoError(t, err)
	assert.Equal(t, fedSAMLUser, id["email"])
	_, err = hostedSignIn(t, s2, cl.ID, "CorpSAML", ProviderUser{Subject: "nobody@corp.example"})
	assert.Error(t, err)

	// Tokens minted before the restart verify with the keys restored;
	// one from another server's fake does not.
	for _, tc := range []struct {
		name, key, tok, aud string
		ok                  bool
	}{
		{"Google", GoogleProvider, googleTok, fedGoogleClient, true},
		{"Apple", AppleProvider, appleTok, fedAppleClient, true},
		{"Google of another server", GoogleProvider, newServer(t).MustGoogleToken(fedGoogleClient, OIDCUser{Sub: "g-1"}), fedGoogleClient, false},
		{"Google for another client", GoogleProvider, googleTok, "other-client", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s2.fakes.Social(tc.key).VerifyLogin(tc.tok, []string{tc.aud})
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
	v, clients, ok := s2.fakes.OIDCProvider(corp.ARN)
	require.True(t, ok, "the OIDC provider is restored")
	assert.Equal(t, []string{fedOIDCClient}, clients)
	_, err = v.VerifyLogin(oidcTok, clients)
	assert.NoError(t, err)
	_, err = s2.OIDCToken("arn:aws:iam::"+AccountID+":oidc-provider/nowhere.example", fedOIDCClient, OIDCUser{Sub: "x"})
	assert.Error(t, err)

	// The Amazon client and the Twitter app are registered.
	_, err = s2.AmazonToken("amzn-client", AmazonUser{UserID: "amzn1.account.A1"})
	assert.NoError(t, err)
	_, err = s2.AmazonToken("unknown-client", AmazonUser{UserID: "amzn1.account.A1"})
	assert.Error(t, err)
	_, _, err = s2.TwitterLogin("tw-key", TwitterUser{ID: "1"})
	assert.NoError(t, err)
	_, _, err = s2.TwitterLogin("other-key", TwitterUser{ID: "1"})
	assert.Error(t, err)
}

// TestFakeProvidersDamagedState: a providers section whose keys or
// entries are unusable is refused at start with ErrStateEntry; a sound
// one loads.
func TestFakeProvidersDamagedState(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, section string }{
		{"bad Google key", `{"googleKey": "AAEC"}`},
		{"OIDC provider without key", `{"oidc": [{"name": "corp", "info": {"ARN": "arn:x", "Issuer": "https://corp.example"}}]}`},
		{"SAML provider without certificate", `{"saml": [{"name": "idp", "baseURL": "http://127.0.0.1:1"}]}`},
		{"Amazon client without app", `{"amazonClients": [{"ClientID": "c"}]}`},
		{"Twitter app without secret", `{"twitterApps": {"k": ""}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			doc := `{"version": 1, "pools": {}, "sections": {"providers": ` + tc.section + `}}`
			require.NoError(t, os.WriteFile(p, []byte(doc), 0o600))
			_, err := NewHandlerServer(func(o *Options) { o.StatePath = p })
			require.ErrorIs(t, err, ErrStateEntry)
		})
	}
	p := filepath.Join(dir, "sound.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"version": 1, "pools": {}, "sections": {"providers": {"twitterApps": {"k": "s"}}}}`), 0o600))
	s, err := NewHandlerServer(func(o *Options) { o.StatePath = p })
	require.NoError(t, err)
	defer s.Close()
	_, _, err = s.TwitterLogin("k", TwitterUser{ID: "1"})
	assert.NoError(t, err)
}
