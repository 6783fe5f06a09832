package cognitotest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedProvidersConfig declares fake-provider apps and users and a pool
// whose hosted UI signs in with the SAML IdP; base is the server's URL.
func seedProvidersConfig(base string) string {
	return `{
  "fakeProviders": {
    "oidc": [{"name": "corp", "clientIds": ["corp-oidc-client"]}],
    "saml": [{"name": "corp-idp", "users": [{"nameId": "jane@corp.example",
      "attributes": {"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress": ["jane@corp.example"]}}]}],
    "amazonClients": [{"clientId": "amzn-client", "secret": "amzn-secret", "appId": "amzn1.application.0123456789"}],
    "twitterApps": [{"consumerKey": "tw-key", "consumerSecret": "tw-secret"}]},
  "userPools": [{"id": "us-east-1_Fed01", "name": "federated",
    "identityProviders": [{"type": "SAML", "name": "CorpSAML",
      "details": {"MetadataURL": "` + base + `/_emulator/saml/corp-idp/metadata"},
      "attributeMapping": {"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}}],
    "clients": [{"id": "fedclient0000000000000001", "name": "web", "callbackURLs": ["https://app.example/callback"],
      "allowedOAuthFlows": ["code"], "allowedOAuthScopes": ["openid", "email"], "supportedIdentityProviders": ["CorpSAML"]}]}]}`
}

// TestSeedFakeProviders: the seed config's fakeProviders are registered
// (a seeded SAML user signs in through the hosted UI, before and after a
// restart re-seeded from the same file), and entries missing a required
// field are refused naming their JSON path.
func TestSeedFakeProviders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s1 := NewServer(func(o *Options) { o.StatePath = path })
	defer s1.Close()
	cfg, err := ParseSeedConfig(strings.NewReader(seedProvidersConfig(s1.URL)))
	require.NoError(t, err)
	require.NoError(t, s1.Seed(cfg))
	require.NoError(t, s1.Seed(cfg), "seeding twice is a no-op")

	check := func(t *testing.T, s *Server) {
		id, err := hostedSignIn(t, s, "fedclient0000000000000001", "CorpSAML", ProviderUser{Subject: "jane@corp.example"})
		require.NoError(t, err)
		assert.Equal(t, "jane@corp.example", id["email"])
		_, err = hostedSignIn(t, s, "fedclient0000000000000001", "CorpSAML", ProviderUser{Subject: "john@corp.example"})
		assert.Error(t, err, "a user the IdP does not know")
		_, err = s.OIDCToken("arn:aws:iam::"+AccountID+":oidc-provider/"+strings.TrimPrefix(s.URL, "http://")+"/_emulator/oidc/corp",
			"corp-oidc-client", OIDCUser{Sub: "emp-1"})
		assert.NoError(t, err)
		_, err = s.AmazonToken("amzn-client", AmazonUser{UserID: "amzn1.account.A1"})
		assert.NoError(t, err)
		_, _, err = s.TwitterLogin("tw-key", TwitterUser{ID: "1"})
		assert.NoError(t, err)
		_, _, err = s.TwitterLogin("tw-other", TwitterUser{ID: "1"})
		assert.Error(t, err)
	}
	check(t, s1)
	addr := s1.ts.Listener.Addr().String()
	s1.Close()
	s2 := NewUnstartedServer(func(o *Options) { o.StatePath = path })
	defer s2.Close()
	startOn(t, s2, addr)
	require.NoError(t, s2.Seed(cfg), "re-seeding a restored state keeps it")
	check(t, s2)

	for _, tc := range []struct{ name, fake, path string }{
		{"OIDC name", `"oidc": [{"name": "has space", "clientIds": ["c"]}]`, "fakeProviders.oidc[0].name"},
		{"OIDC clients", `"oidc": [{"name": "corp"}]`, "fakeProviders.oidc[0].clientIds"},
		{"SAML name", `"saml": [{"name": ""}]`, "fakeProviders.saml[0].name"},
		{"SAML user", `"saml": [{"name": "idp", "users": [{"nameId": "a"}, {"roles": []}]}]`, "fakeProviders.saml[0].users[1].nameId"},
		{"Amazon client ID", `"amazonClients": [{"appId": "amzn1.application.1"}]`, "fakeProviders.amazonClients[0].clientId"},
		{"Amazon app ID", `"amazonClients": [{"clientId": "c"}]`, "fakeProviders.amazonClients[0].appId"},
		{"Twitter key", `"twitterApps": [{"consumerSecret": "s"}]`, "fakeProviders.twitterApps[0].consumerKey"},
		{"Twitter secret", `"twitterApps": [{"consumerKey": "k"}]`, "fakeProviders.twitterApps[0].consumerSecret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSeedConfig(strings.NewReader(`{"fakeProviders": {` + tc.fake + `}}`))
			var se *SeedConfigError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.path, se.Path)
		})
	}
	_, err = ParseSeedConfig(strings.NewReader(`{"fakeProviders": {"google": []}}`))
	assert.Error(t, err, "unknown keys are refused")
}
