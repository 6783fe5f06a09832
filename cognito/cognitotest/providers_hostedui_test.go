package cognitotest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/cognitokit/cognitokit/internal/emulator/fakesaml"
	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostedUIFederatesThroughMountedFakes: the hosted UI sends each
// provider's sign-in to the fake mounted under /_emulator/, the one
// identity pools use, not to a copy of it.
func TestHostedUIFederatesThroughMountedFakes(t *testing.T) {
	f := newUIFedFixture(t)
	for _, tc := range []struct{ provider, path string }{
		{"Google", "/_emulator/google/authorize"},
		{"SignInWithApple", "/_emulator/apple/authorize"},
		{"LoginWithAmazon", "/_emulator/amazon/ap/oa"},
		{"Corp", "/_emulator/oidc/corp/authorize"},
		{"CorpSAML", "/_emulator/saml/corp-idp/sso"},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			p := newAgent(t, f.s.URL).get(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {tc.provider}}))
			require.Equal(t, http.StatusFound, p.status, p.body)
			loc, err := url.Parse(p.loc)
			require.NoError(t, err)
			assert.Equal(t, tc.path, loc.Path)
		})
	}
	// The Google of the hosted UI is the Google of identity pools: a
	// token GoogleToken mints verifies at the hosted UI's provider.
	op, err := f.s.fakes.OIDC("Google", "")
	require.NoError(t, err)
	tok := f.s.MustGoogleToken(fedGoogleClient, OIDCUser{Sub: "g-shared"})
	_, err = op.Provider.VerifyIDToken(tok, fedGoogleClient)
	assert.NoError(t, err)
}

// TestHostedUIFederationAPIProviders: providers created with the
// CreateIdentityProvider operation (not the Go helper) are declared to
// the mounted fakes on their first sign-in, whichever was created first.
func TestHostedUIFederationAPIProviders(t *testing.T) {
	fx := setup(t, PoolOptions{}, ClientOptions{Name: "web", CallbackURLs: []string{uiCallback},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email"},
		SupportedIdentityProviders: []string{"Google", "LoginWithAmazon", "ApiOIDC", "ApiSAML", "Elsewhere", "ElsewhereSAML"}})
	f := &uiFedFixture{fixture: fx}
	s := fx.s
	create := func(name, typ string, details map[string]string) {
		t.Helper()
		_, err := fx.c.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: &fx.pool, ProviderName: aws.String(name),
			ProviderType: types.IdentityProviderTypeType(typ), ProviderDetails: details,
			AttributeMapping: map[string]string{"email": "email"}})
		require.NoError(t, err, name)
	}
	create("Google", "Google", map[string]string{"client_id": "api-google", "client_secret": "s1", "authorize_scopes": "openid email"})
	create("LoginWithAmazon", "LoginWithAmazon", map[string]string{"client_id": "api-amazon", "client_secret": "s2", "authorize_scopes": "profile"})
	// The user-pool provider first, the IAM provider (the mount) after.
	create("ApiOIDC", "OIDC", map[string]string{"client_id": "api-oidc", "client_secret": "s3",
		"oidc_issuer": s.URL + "/_emulator/oidc/api", "authorize_scopes": "openid email", "attributes_request_method": "GET"})
	s.MustCreateOIDCProvider(OIDCProviderOptions{Name: "api", ClientIDs: []string{"api-oidc"}})
	sp := s.MustCreateSAMLProvider("api-idp")
	s.MustPutSAMLUser(sp.ARN, SAMLUser{NameID: "sam@corp.example", Attributes: map[string][]string{fakesaml.AttrEmail: {"sam@corp.example"}}})
	_, err := fx.c.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: &fx.pool, ProviderName: aws.String("ApiSAML"),
		ProviderType: types.IdentityProviderTypeTypeSaml, ProviderDetails: map[string]string{"MetadataURL": sp.MetadataURL},
		AttributeMapping: map[string]string{"email": fakesaml.AttrEmail}})
	require.NoError(t, err)
	// Providers naming no mounted fake.
	create("Elsewhere", "OIDC", map[string]string{"client_id": "x", "client_secret": "y", "oidc_issuer": "https://idp.elsewhere.example",
		"authorize_scopes": "openid"})
	_, err = fx.c.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: &fx.pool, ProviderName: aws.String("ElsewhereSAML"),
		ProviderType: types.IdentityProviderTypeTypeSaml, ProviderDetails: map[string]string{"MetadataURL": "https://idp.elsewhere.example/md"}})
	require.NoError(t, err)

	for _, tc := range []struct {
		provider, subject, username string
	}{
		{"Google", "g-api", "Google_g-api"},
		{"LoginWithAmazon", "amzn1.account.API", "LoginWithAmazon_amzn1.account.API"},
		{"ApiOIDC", "o-api", "ApiOIDC_o-api"},
		{"ApiSAML", "sam@corp.example", "ApiSAML_sam@corp.example"},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			id := f.signIn(t, url.Values{"identity_provider": {tc.provider}}, tc.provider,
				ProviderUser{Subject: tc.subject, Email: "u@example.com"})
			assert.Equal(t, tc.username, id["cognito:username"])
		})
	}
	for _, name := range []string{"Elsewhere", "ElsewhereSAML"} {
		t.Run(name+" is not mounted", func(t *testing.T) {
			cb, err := s.HostedProviderSignIn(authorizeURL(s, fx.client.ID, url.Values{"identity_provider": {name}}), name, ProviderUser{Subject: "x"})
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(cb, uiCallback+"?"), cb)
			u, _ := url.Parse(cb)
			assert.Equal(t, "invalid_request", u.Query().Get("error"))
			assert.Contains(t, u.Query().Get("error_description"), "could not reach identity provider "+name)
		})
	}
}

func TestFakesFederationRefusals(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"unknown type", func() error { _, err := s.fakes.OIDC("Facebook", ""); return err }},
		{"unmounted OIDC issuer", func() error { _, err := s.fakes.OIDC("OIDC", "https://nowhere.example"); return err }},
		{"empty OIDC issuer", func() error { _, err := s.fakes.OIDC("OIDC", ""); return err }},
		{"unmounted SAML metadata", func() error { _, err := s.fakes.SAMLMetadata("https://nowhere.example/md"); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.call(), userpool.ErrNoFederation)
		})
	}
	// Apple's developer key must be a PEM PKCS #8 ECDSA key.
	for _, key := range []string{"", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"} {
		err := s.fakes.RegisterIdentityProvider(userpool.RegisteredProvider{Type: "SignInWithApple", ClientID: "c",
			RedirectURI: s.URL + "/oauth2/idpresponse", Details: map[string]string{"team_id": "T", "key_id": "K", "private_key": key}})
		assert.ErrorIs(t, err, errBadAppleKey)
		assert.NotContains(t, err.Error(), "AAAA", "the key is not echoed")
	}
	// A provider naming no mounted fake is left alone.
	assert.NoError(t, s.fakes.RegisterIdentityProvider(userpool.RegisteredProvider{Type: "OIDC", ClientID: "c",
		RedirectURI: s.URL + "/oauth2/idpresponse", Details: map[string]string{"oidc_issuer": "https://nowhere.example"}}))
	// PutAmazonClient still needs an application ID.
	assert.Error(t, s.PutAmazonClient(AmazonClient{ClientID: "c"}))
}

// TestPutAmazonClientKeepsHostedUIRedirect: a user pool's Login with
// Amazon provider and an identity pool's PutAmazonClient share one client
// of the mounted fake; each keeps what the other registered.
func TestPutAmazonClientKeepsHostedUIRedirect(t *testing.T) {
	s := newServer(t)
	hosted := s.URL + "/oauth2/idpresponse"
	require.NoError(t, s.fakes.RegisterIdentityProvider(userpool.RegisteredProvider{Type: "LoginWithAmazon", ClientID: "shared",
		ClientSecret: "sec", RedirectURI: hosted}))
	require.NoError(t, s.PutAmazonClient(AmazonClient{ClientID: "shared", Secret: "sec", AppID: "amzn1.application.app",
		RedirectURIs: []string{"http://127.0.0.1:1/cb"}}))
	got := s.fakes.amazonClients["shared"]
	assert.ElementsMatch(t, []string{hosted, "http://127.0.0.1:1/cb"}, got.RedirectURIs)
	assert.Equal(t, "amzn1.application.app", got.AppID)
	// The hosted UI's registration again keeps the AppID.
	require.NoError(t, s.fakes.RegisterIdentityProvider(userpool.RegisteredProvider{Type: "LoginWithAmazon", ClientID: "shared",
		ClientSecret: "sec", RedirectURI: hosted}))
	assert.Equal(t, "amzn1.application.app", s.fakes.amazonClients["shared"].AppID)
	tok := s.MustAmazonToken("shared", AmazonUser{UserID: "amzn1.account.X"})
	a, err := s.fakes.amazon()
	require.NoError(t, err)
	info, err := a.VerifyAccessToken(tok)
	require.NoError(t, err)
	assert.Equal(t, "amzn1.application.app", info.AppID)
}
