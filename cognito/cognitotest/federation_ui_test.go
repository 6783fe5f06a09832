package cognitotest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/cognitokit/cognitokit/internal/emulator/fakesaml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	fedGoogleClient = "google-client.apps.googleusercontent.com"
	fedAppleClient  = "com.example.web"
	fedOIDCClient   = "corp-oidc-client"
	fedOIDCIssuer   = "https://login.corp.example"
	fedAmazonClient = "amzn1.application-oa2-client.test"
	fedSAMLUser     = "jane@corp.example"
)

// uiFedFixture is a pool whose web client signs in with every provider type.
type uiFedFixture struct {
	*fixture
	// saml is the fake IdP of the CorpSAML provider, mounted under
	// /_emulator/saml/corp-idp/ as CreateSAMLProvider mounts it.
	saml   *fakesaml.IdP
	events *[]TriggerEvent
	mu     *sync.Mutex
}

func newUIFedFixture(t *testing.T) *uiFedFixture {
	t.Helper()
	var mu sync.Mutex
	var events []TriggerEvent
	record := func(_ context.Context, ev TriggerEvent) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, ev)
		return nil
	}
	f := setup(t, PoolOptions{CustomAttributes: []string{"department"}}, ClientOptions{Name: "web", CallbackURLs: []string{uiCallback}, LogoutURLs: []string{uiLogout},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile"},
		SupportedIdentityProviders: []string{"COGNITO", "Google", "SignInWithApple", "LoginWithAmazon", "Corp", "CorpSAML"}},
		func(o *Options) { o.Triggers = &HostedUITriggers{PostConfirmation: record, PostAuthentication: record} })
	s := f.s
	// The providers are the emulator's own mounts, the ones identity
	// pools use: Google, Apple and Amazon under /_emulator/, the OIDC and
	// SAML providers made as for an identity pool.
	corp := s.MustCreateOIDCProvider(OIDCProviderOptions{Name: "corp", Issuer: fedOIDCIssuer, ClientIDs: []string{fedOIDCClient}})
	require.Equal(t, fedOIDCIssuer, corp.Issuer)
	samlProv := s.MustCreateSAMLProvider("corp-idp")
	s.MustPutSAMLUser(samlProv.ARN, SAMLUser{NameID: fedSAMLUser, Attributes: map[string][]string{
		fakesaml.AttrEmail: {fedSAMLUser}, "department": {"R&D"}}})
	samlIdP, ok := s.fakes.samlByARN(samlProv.ARN)
	require.True(t, ok)
	appleKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(appleKey)
	require.NoError(t, err)

	s.MustCreateIdentityProvider(f.pool, IdentityProviderOptions{Type: "Google",
		Details: map[string]string{"client_id": fedGoogleClient, "client_secret": "g-secret", "authorize_scopes": "openid email profile"}})
	s.MustCreateIdentityProvider(f.pool, IdentityProviderOptions{Type: "SignInWithApple",
		Details: map[string]string{"client_id": fedAppleClient, "team_id": "TEAM123456", "key_id": "KEY1234567",
			"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), "authorize_scopes": "email name"}})
	s.MustCreateIdentityProvider(f.pool, IdentityProviderOptions{Type: "LoginWithAmazon",
		Details: map[string]string{"client_id": fedAmazonClient, "client_secret": "a-secret", "authorize_scopes": "profile"}})
	s.MustCreateIdentityProvider(f.pool, IdentityProviderOptions{Type: "OIDC", Name: "Corp", IdpIdentifiers: []string{"corp.example"},
		Details: map[string]string{"client_id": fedOIDCClient, "client_secret": "o-secret", "oidc_issuer": fedOIDCIssuer,
			"attributes_request_method": "GET", "authorize_scopes": "openid email"},
		AttributeMapping: map[string]string{"email": "email", "given_name": "given_name"}})
	s.MustCreateIdentityProvider(f.pool, IdentityProviderOptions{Type: "SAML", Name: "CorpSAML",
		Details:          map[string]string{"MetadataURL": samlProv.MetadataURL, "IDPSignout": "false"},
		AttributeMapping: map[string]string{"email": fakesaml.AttrEmail, "custom:department": "department"}})
	return &uiFedFixture{fixture: f, saml: samlIdP, events: &events, mu: &mu}
}

// signIn drives the hosted UI through provider and returns the ID
// token's claims.
func (f *uiFedFixture) signIn(t *testing.T, extra url.Values, provider string, u ProviderUser) map[string]any {
	t.Helper()
	cb, err := f.s.HostedProviderSignIn(authorizeURL(f.s, f.client.ID, extra), provider, u)
	require.NoError(t, err)
	code := callbackCode(t, uiPage{status: http.StatusFound, loc: cb})
	status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	require.Equal(t, 200, status, tok)
	return decodeClaims(t, tok["id_token"].(string))
}

func TestHostedUIFederatedProviders(t *testing.T) {
	f := newUIFedFixture(t)
	cases := []struct {
		name, provider, typ string
		extra               url.Values
		user                ProviderUser
		username, email     string
		attr                map[string]any
	}{
		{"Google", "Google", "Google", url.Values{"identity_provider": {"Google"}},
			ProviderUser{Subject: "g-1001", Email: "gail@gmail.example", EmailVerified: true, GivenName: "Gail", FamilyName: "Oogle"},
			"Google_g-1001", "gail@gmail.example", map[string]any{"name": "Gail Oogle", "email_verified": true}},
		{"Google via the button", "Google", "Google", nil,
			ProviderUser{Subject: "g-1002", Email: "gus@gmail.example"}, "Google_g-1002", "gus@gmail.example",
			map[string]any{"email_verified": false}},
		{"Apple form_post", "SignInWithApple", "SignInWithApple", url.Values{"identity_provider": {"SignInWithApple"}},
			ProviderUser{Subject: "001234.apple", Email: "ann@icloud.example", EmailVerified: true, GivenName: "Ann", FamilyName: "Apple"},
			"SignInWithApple_001234.apple", "ann@icloud.example", map[string]any{"name": "Ann Apple"}},
		{"Amazon", "LoginWithAmazon", "LoginWithAmazon", url.Values{"identity_provider": {"LoginWithAmazon"}},
			ProviderUser{Subject: "amzn1.account.A1", Email: "al@amazon.example", Name: "Al Exa"},
			"LoginWithAmazon_amzn1.account.A1", "al@amazon.example", map[string]any{"name": "Al Exa"}},
		{"OIDC by idp_identifier", "Corp", "OIDC", url.Values{"idp_identifier": {"corp.example"}},
			ProviderUser{Subject: "emp-7", Email: "emp7@corp.example", GivenName: "Em"},
			"Corp_emp-7", "emp7@corp.example", map[string]any{"given_name": "Em"}},
		{"SAML", "CorpSAML", "SAML", url.Values{"identity_provider": {"CorpSAML"}},
			ProviderUser{Subject: fedSAMLUser}, "CorpSAML_" + fedSAMLUser, fedSAMLUser, map[string]any{"custom:department": "R&D"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := f.signIn(t, tc.extra, tc.provider, tc.user)
			assert.Equal(t, tc.username, id["cognito:username"])
			assert.Equal(t, tc.email, id["email"])
			for k, v := range tc.attr {
				assert.Equal(t, v, id[k], k)
			}
			assert.Equal(t, []any{ProviderGroup(f.pool, tc.provider)}, id["cognito:groups"])
			idents, _ := id["identities"].([]any)
			require.Len(t, idents, 1)
			ident := idents[0].(map[string]any)
			assert.Equal(t, tc.user.Subject, ident["userId"])
			assert.Equal(t, tc.provider, ident["providerName"])
			assert.Equal(t, tc.typ, ident["providerType"])
			assert.Nil(t, ident["issuer"])
			assert.Equal(t, "true", ident["primary"])
			u, err := f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String(tc.username)})
			require.NoError(t, err)
			assert.Equal(t, types.UserStatusType("EXTERNAL_PROVIDER"), u.UserStatus)

			// A second sign-in is the same user, PostAuthentication
			// after the first one's PostConfirmation.
			again := f.signIn(t, tc.extra, tc.provider, tc.user)
			assert.Equal(t, id["sub"], again["sub"])
			f.mu.Lock()
			defer f.mu.Unlock()
			evs := *f.events
			require.GreaterOrEqual(t, len(evs), 2)
			assert.Equal(t, TriggerPostConfirmation, evs[len(evs)-2].TriggerSource)
			assert.Equal(t, tc.username, evs[len(evs)-2].Username)
			assert.Equal(t, tc.provider, evs[len(evs)-2].Provider)
			assert.Equal(t, TriggerPostAuthentication, evs[len(evs)-1].TriggerSource)
		})
	}
}

func TestHostedUIFederatedRefusals(t *testing.T) {
	f := newUIFedFixture(t)
	errorOf := func(t *testing.T, cb string) string {
		t.Helper()
		u, err := url.Parse(cb)
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(cb, uiCallback+"?"), cb)
		return u.Query().Get("error") + ": " + u.Query().Get("error_description")
	}
	t.Run("denied at the provider", func(t *testing.T) {
		for _, p := range []string{"Google", "LoginWithAmazon", "Corp"} {
			cb, err := f.s.HostedProviderSignIn(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {p}}), p,
				ProviderUser{Subject: "x", Deny: true})
			require.NoError(t, err, p)
			assert.Contains(t, errorOf(t, cb), "access_denied", p)
		}
	})
	t.Run("unknown idp_identifier", func(t *testing.T) {
		_, err := f.s.HostedProviderSignIn(authorizeURL(f.s, f.client.ID, url.Values{"idp_identifier": {"nope.example"}}), "Corp", ProviderUser{Subject: "x"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "idp_identifier")
	})
	t.Run("a forged code", func(t *testing.T) {
		a := newAgent(t, f.s.URL)
		p := a.get(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"Google"}}))
		require.Equal(t, http.StatusFound, p.status)
		loc, _ := url.Parse(p.loc)
		assert.NotEmpty(t, loc.Query().Get("nonce"))
		assert.Equal(t, "S256", loc.Query().Get("code_challenge_method"))
		back := a.get(f.s.URL + "/oauth2/idpresponse?" + url.Values{"state": {loc.Query().Get("state")}, "code": {"c.forged"}}.Encode())
		assert.Contains(t, errorOf(t, back.loc), "invalid grant")
		// The state is single-use.
		again := a.get(f.s.URL + "/oauth2/idpresponse?" + url.Values{"state": {loc.Query().Get("state")}, "code": {"c.forged"}}.Encode())
		assert.Equal(t, http.StatusBadRequest, again.status)
	})
	t.Run("tampered nonce or PKCE challenge", func(t *testing.T) {
		for _, tc := range []struct{ param, value, want string }{
			{"nonce", "attacker-nonce", "nonce does not match"},
			{"code_challenge", uiChallenge, "invalid grant"},
		} {
			p := newAgent(t, f.s.URL).get(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"Google"}}))
			require.Equal(t, http.StatusFound, p.status)
			loc, _ := url.Parse(p.loc)
			q := loc.Query()
			q.Set(tc.param, tc.value)
			loc.RawQuery = q.Encode()
			cb, err := f.s.HostedProviderSignIn(loc.String(), "Google", ProviderUser{Subject: "g-tamper"})
			require.NoError(t, err)
			assert.Contains(t, errorOf(t, cb), tc.want, tc.param)
		}
	})
	t.Run("SAML replay and tampering", func(t *testing.T) {
		a := newAgent(t, f.s.URL)
		p := a.get(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"CorpSAML"}}))
		require.Equal(t, http.StatusFound, p.status)
		resp, err := f.saml.Respond(p.loc, fedSAMLUser)
		require.NoError(t, err)
		assert.Equal(t, f.s.SAMLACSURL(), resp.ACSURL)
		ok := a.post(resp.ACSURL, url.Values{"SAMLResponse": {resp.SAMLResponse}, "RelayState": {resp.RelayState}})
		require.Equal(t, http.StatusFound, ok.status, ok.body)
		callbackCode(t, ok)

		// The same Response again, for a new sign-in: refused (its
		// InResponseTo names a spent request).
		p2 := a.get(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"CorpSAML"}, "prompt": {"login"}}))
		relay2, _ := url.Parse(p2.loc)
		replay := a.post(resp.ACSURL, url.Values{"SAMLResponse": {resp.SAMLResponse}, "RelayState": {relay2.Query().Get("RelayState")}})
		assert.Contains(t, errorOf(t, replay.loc), "InResponseTo")

		// A tampered Response: refused.
		p3 := a.get(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"CorpSAML"}}))
		resp3, err := f.saml.Respond(p3.loc, fedSAMLUser)
		require.NoError(t, err)
		raw, _ := base64.StdEncoding.DecodeString(resp3.SAMLResponse)
		forged := strings.Replace(string(raw), fedSAMLUser, "ceo@corp.example", 1)
		bad := a.post(resp3.ACSURL, url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString([]byte(forged))}, "RelayState": {resp3.RelayState}})
		assert.Contains(t, errorOf(t, bad.loc), "signature")

		// An unsolicited Response (IdP-initiated, here for another
		// service provider): refused.
		other := "urn:amazon:cognito:sp:us-east-1_Other"
		require.NoError(t, f.saml.RegisterServiceProvider(other, f.s.SAMLACSURL()))
		p4 := a.get(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"CorpSAML"}}))
		relay4, _ := url.Parse(p4.loc)
		unsolicited, err := f.saml.RespondUnsolicited(other, fedSAMLUser, relay4.Query().Get("RelayState"))
		require.NoError(t, err)
		wrong := a.post(unsolicited.ACSURL, url.Values{"SAMLResponse": {unsolicited.SAMLResponse}, "RelayState": {unsolicited.RelayState}})
		assert.Contains(t, errorOf(t, wrong.loc), "InResponseTo")
	})
	t.Run("no federation mounted", func(t *testing.T) {
		f.s.up.SetFederation(nil)
		defer f.s.up.SetFederation(f.s.fakes)
		cb, err := f.s.HostedProviderSignIn(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"Google"}}), "Google", ProviderUser{Subject: "x"})
		require.NoError(t, err)
		assert.Contains(t, errorOf(t, cb), "could not reach identity provider Google")
	})
}

func TestHostedUIAccountLinking(t *testing.T) {
	f := newUIFedFixture(t)
	google := url.Values{"identity_provider": {"Google"}}

	// A Google user who signed in already cannot be linked (Cognito does
	// not merge users).
	f.signIn(t, google, "Google", ProviderUser{Subject: "g-existing", Email: "e@gmail.example"})
	_, err := f.c.AdminLinkProviderForUser(ctx(), &cip.AdminLinkProviderForUserInput{UserPoolId: &f.pool,
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("alice")},
		SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Google"),
			ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("g-existing")}})
	assert.Equal(t, "InvalidParameterException", code(err))
	assert.Contains(t, message(err), "Merging is not currently supported")

	// Link a new Google identity to alice, through the API.
	_, err = f.c.AdminLinkProviderForUser(ctx(), &cip.AdminLinkProviderForUserInput{UserPoolId: &f.pool,
		DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String("alice")},
		SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Google"),
			ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("g-alice")}})
	require.NoError(t, err)
	id := f.signIn(t, google, "Google", ProviderUser{Subject: "g-alice", Email: "alice@example.com", EmailVerified: true})
	assert.Equal(t, "alice", id["cognito:username"])
	idents := id["identities"].([]any)
	require.Len(t, idents, 1)
	assert.Equal(t, "g-alice", idents[0].(map[string]any)["userId"])
	assert.Equal(t, "Google", idents[0].(map[string]any)["providerName"])
	_, err = f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("Google_g-alice")})
	assert.Equal(t, "UserNotFoundException", code(err), "a linked sign-in creates no user")

	// Bad links.
	for _, tc := range []struct {
		name, dest, provider, attr, value, code string
	}{
		{"unknown destination", "nobody", "Google", "Cognito_Subject", "g-x", "UserNotFoundException"},
		{"unknown provider", "alice", "Nope", "Cognito_Subject", "g-x", "InvalidParameterException"},
		{"wrong attribute name", "alice", "Google", "email", "g-x", "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.AdminLinkProviderForUser(ctx(), &cip.AdminLinkProviderForUserInput{UserPoolId: &f.pool,
				DestinationUser: &types.ProviderUserIdentifierType{ProviderName: aws.String("Cognito"), ProviderAttributeValue: aws.String(tc.dest)},
				SourceUser: &types.ProviderUserIdentifierType{ProviderName: aws.String(tc.provider),
					ProviderAttributeName: aws.String(tc.attr), ProviderAttributeValue: aws.String(tc.value)}})
			assert.Equal(t, tc.code, code(err))
		})
	}
	// The same identity linked to another user: refused.
	f.s.MustCreateUser(f.pool, "bob", testPassword, nil)
	assert.Error(t, f.s.LinkProviderForUser(f.pool, "bob", "Google", "g-alice"))
	// Linking it again to alice is accepted.
	require.NoError(t, f.s.LinkProviderForUser(f.pool, "alice", "Google", "g-alice"))

	// Disabling removes the link: the next Google sign-in is a new user.
	_, err = f.c.AdminDisableProviderForUser(ctx(), &cip.AdminDisableProviderForUserInput{UserPoolId: &f.pool,
		User: &types.ProviderUserIdentifierType{ProviderName: aws.String("Google"),
			ProviderAttributeName: aws.String("Cognito_Subject"), ProviderAttributeValue: aws.String("g-alice")}})
	require.NoError(t, err)
	u, err := f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("alice")})
	require.NoError(t, err)
	for _, a := range u.UserAttributes {
		assert.NotEqual(t, "identities", aws.ToString(a.Name), "the link is gone from alice")
	}
	id = f.signIn(t, google, "Google", ProviderUser{Subject: "g-alice"})
	assert.Equal(t, "Google_g-alice", id["cognito:username"])

	// Disabling a provider user deletes it; disabling nothing fails.
	require.NoError(t, f.s.DisableProviderForUser(f.pool, "Google", "g-existing"))
	_, err = f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("Google_g-existing")})
	assert.Equal(t, "UserNotFoundException", code(err))
	assert.Error(t, f.s.DisableProviderForUser(f.pool, "Google", "g-never"))
}

func TestCreateIdentityProviderTypes(t *testing.T) {
	f := newUIFedFixture(t)
	out, err := f.c.DescribeIdentityProvider(ctx(), &cip.DescribeIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("SignInWithApple")})
	require.NoError(t, err)
	assert.NotContains(t, out.IdentityProvider.ProviderDetails, "private_key", "the key is not echoed")
	assert.Equal(t, "sub", out.IdentityProvider.AttributeMapping["username"])
	out, err = f.c.DescribeIdentityProvider(ctx(), &cip.DescribeIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Google")})
	require.NoError(t, err)
	assert.NotContains(t, out.IdentityProvider.ProviderDetails, "client_secret")
	assert.Equal(t, fedGoogleClient, out.IdentityProvider.ProviderDetails["client_id"])
	out, err = f.c.DescribeIdentityProvider(ctx(), &cip.DescribeIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Corp")})
	require.NoError(t, err)
	assert.Equal(t, []string{"corp.example"}, out.IdentityProvider.IdpIdentifiers)

	for _, tc := range []struct {
		name    string
		typ     string
		details map[string]string
		ok      bool
	}{
		{"google", "Google", map[string]string{"client_id": "a", "client_secret": "b", "authorize_scopes": "openid"}, true},
		{"google without secret", "Google", map[string]string{"client_id": "a"}, false},
		{"amazon", "LoginWithAmazon", map[string]string{"client_id": "a", "client_secret": "b"}, true},
		{"oidc", "OIDC", map[string]string{"client_id": "a", "client_secret": "b", "oidc_issuer": "https://x.example", "authorize_scopes": "openid"}, true},
		{"oidc without openid", "OIDC", map[string]string{"client_id": "a", "oidc_issuer": "https://x.example", "authorize_scopes": "email"}, false},
		{"oidc bad issuer", "OIDC", map[string]string{"client_id": "a", "oidc_issuer": "x.example"}, false},
		{"oidc bad method", "OIDC", map[string]string{"client_id": "a", "oidc_issuer": "https://x.example", "attributes_request_method": "PUT"}, false},
		{"apple bad key", "SignInWithApple", map[string]string{"client_id": "a", "team_id": "t", "key_id": "k", "private_key": "nope"}, false},
		{"saml url", "SAML", map[string]string{"MetadataURL": "https://idp.example/md"}, true},
		{"saml without metadata", "SAML", map[string]string{}, false},
		{"saml both", "SAML", map[string]string{"MetadataURL": "https://idp.example/md", "MetadataFile": "<x/>"}, false},
		{"saml bad IDPSignout", "SAML", map[string]string{"MetadataURL": "https://idp.example/md", "IDPSignout": "yes"}, false},
		{"unknown type", "Twitter", map[string]string{"client_id": "a"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: &f.pool,
				ProviderName: aws.String("p" + strings.ReplaceAll(tc.name, " ", "")), ProviderType: types.IdentityProviderTypeType(tc.typ),
				ProviderDetails: tc.details})
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, "InvalidParameterException", code(err))
			}
		})
	}
	// An IdpIdentifier is one provider's only.
	_, err = f.c.CreateIdentityProvider(ctx(), &cip.CreateIdentityProviderInput{UserPoolId: &f.pool, ProviderName: aws.String("Corp2"),
		ProviderType: types.IdentityProviderTypeTypeOidc, IdpIdentifiers: []string{"CORP.example"},
		ProviderDetails: map[string]string{"client_id": "a", "oidc_issuer": "https://x.example"}})
	assert.Equal(t, "DuplicateProviderException", code(err))
}

func TestFederationStatePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s1 := NewServer(func(o *Options) { o.StatePath = path })
	pool := s1.MustCreateUserPool(PoolOptions{})
	s1.MustCreateUser(pool, "alice", testPassword, nil)
	s1.MustCreateIdentityProvider(pool, IdentityProviderOptions{Type: "OIDC", Name: "Corp", IdpIdentifiers: []string{"corp.example"},
		Details: map[string]string{"client_id": "c", "client_secret": "s", "oidc_issuer": fedOIDCIssuer}})
	s1.MustLinkProviderForUser(pool, "alice", "Corp", "emp-1")
	s1.Close()

	s2 := NewServer(func(o *Options) { o.StatePath = path })
	defer s2.Close()
	c := idp(s2)
	out, err := c.DescribeIdentityProvider(ctx(), &cip.DescribeIdentityProviderInput{UserPoolId: &pool, ProviderName: aws.String("Corp")})
	require.NoError(t, err)
	assert.Equal(t, []string{"corp.example"}, out.IdentityProvider.IdpIdentifiers)
	assert.Equal(t, fedOIDCIssuer, out.IdentityProvider.ProviderDetails["oidc_issuer"])
	u, err := c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("alice")})
	require.NoError(t, err)
	var idents string
	for _, a := range u.UserAttributes {
		if aws.ToString(a.Name) == "identities" {
			idents = aws.ToString(a.Value)
		}
	}
	assert.Contains(t, idents, `"userId":"emp-1"`)
	// The link itself survived: linking emp-1 to another user is refused.
	s2.MustCreateUser(pool, "bob", testPassword, nil)
	assert.Error(t, s2.LinkProviderForUser(pool, "bob", "Corp", "emp-1"))
}

func TestHostedUIFacebookLinked(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	f.s.MustLinkProviderForUser(f.pool, "alice", "Facebook", "555")
	cb, err := f.s.HostedFacebookSignIn(authorizeURL(f.s, f.client.ID, url.Values{"identity_provider": {"Facebook"}}),
		FacebookUser{ID: "555", Name: "Alice Fb", Email: "alice@example.com"})
	require.NoError(t, err)
	code := callbackCode(t, uiPage{status: http.StatusFound, loc: cb})
	status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	require.Equal(t, 200, status, tok)
	id := decodeClaims(t, tok["id_token"].(string))
	assert.Equal(t, "alice", id["cognito:username"])
	assert.Nil(t, id["cognito:groups"], "a linked sign-in joins no provider group")
	idents := id["identities"].([]any)
	require.Len(t, idents, 1)
	assert.Equal(t, "Facebook", idents[0].(map[string]any)["providerType"])
	assert.Equal(t, "false", idents[0].(map[string]any)["primary"])
}
