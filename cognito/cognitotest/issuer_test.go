package cognitotest

import (
	"net/http"
	"strings"
	"testing"

	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// amplifyLoginsKey is the Logins key AWS Amplify derives from an ID
// token: its iss without the scheme.
func amplifyLoginsKey(t *testing.T, idToken string) string {
	t.Helper()
	iss := decodeClaims(t, idToken)["iss"].(string)
	_, rest, ok := strings.Cut(iss, "://")
	require.True(t, ok, iss)
	return rest
}

// TestIdentityPoolAcceptsAmplifyIssuerKey: Amplify builds the Logins key
// from the ID token's iss ("127.0.0.1:PORT/<pool>" for the emulator); the
// identity pool takes it as the pool's provider, and the identity is the
// one the Cognito-form key gets.
func TestIdentityPoolAcceptsAmplifyIssuerKey(t *testing.T) {
	f := newFedFixture(t)
	tok := mustTokens(t, f.fixture, "alice")
	key := amplifyLoginsKey(t, *tok.IdToken)
	require.Equal(t, strings.TrimPrefix(f.s.URL, "http://")+"/"+f.pool, key)

	_, identityID, err := f.credentialsFor(t, map[string]string{key: *tok.IdToken})
	require.NoError(t, err)
	_, same, err := f.credentialsFor(t, map[string]string{f.s.IdentityProviderName(f.pool): *tok.IdToken})
	require.NoError(t, err)
	assert.Equal(t, identityID, same, "both keys name the same provider")

	d, err := f.ids.DescribeIdentity(ctx(), &ci.DescribeIdentityInput{IdentityId: &identityID})
	require.NoError(t, err)
	assert.Equal(t, []string{f.s.IdentityProviderName(f.pool)}, d.Logins)

	tests := []struct{ name, key, code string }{
		{"another host", "127.0.0.2:1/" + f.pool, "NotAuthorizedException"},
		{"another pool", strings.TrimPrefix(f.s.URL, "http://") + "/us-east-1_nothere", "NotAuthorizedException"},
		{"with scheme", f.s.URL + "/" + f.pool, "NotAuthorizedException"},
		{"extra path", strings.TrimPrefix(f.s.URL, "http://") + "/x/" + f.pool, "NotAuthorizedException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.credentialsFor(t, map[string]string{tc.key: *tok.IdToken})
			requireCode(t, err, tc.code)
			assert.Contains(t, message(err), "not from a supported provider")
		})
	}

	// The key names the provider; the token must still be valid for it.
	_, _, err = f.credentialsFor(t, map[string]string{key: *tok.AccessToken})
	requireCode(t, err, "NotAuthorizedException")

	// UnlinkIdentity takes the key too; a key of another host is not linked.
	logins := map[string]string{key: *tok.IdToken}
	_, err = f.ids.UnlinkIdentity(ctx(), &ci.UnlinkIdentityInput{IdentityId: &identityID, Logins: logins,
		LoginsToRemove: []string{"127.0.0.2:1/" + f.pool}})
	requireCode(t, err, "InvalidParameterException")
	_, err = f.ids.UnlinkIdentity(ctx(), &ci.UnlinkIdentityInput{IdentityId: &identityID, Logins: logins, LoginsToRemove: []string{key}})
	require.NoError(t, err)
	d, err = f.ids.DescribeIdentity(ctx(), &ci.DescribeIdentityInput{IdentityId: &identityID})
	require.NoError(t, err)
	assert.Empty(t, d.Logins)
}

// TestCognitoIssuerOption: with Options.CognitoIssuer the tokens carry
// Cognito's issuer; the server's own operations, the identity pool (under
// the Cognito-form key, which is also what Amplify derives from that iss)
// and COGNITO_USER_POOLS routes accept them; a token of a server without
// the option is still refused by it.
func TestCognitoIssuerOption(t *testing.T) {
	f := newFedFixture(t, func(o *Options) { o.CognitoIssuer = true })
	tok := mustTokens(t, f.fixture, "alice")
	want := "https://cognito-idp.us-east-1.amazonaws.com/" + f.pool
	assert.Equal(t, want, f.s.Issuer(f.pool))
	assert.Equal(t, f.s.URL+"/"+f.pool+"/.well-known/jwks.json", f.s.JWKSURL(f.pool))
	for _, raw := range []string{*tok.IdToken, *tok.AccessToken} {
		assert.Equal(t, want, decodeClaims(t, raw)["iss"])
		require.NoError(t, verifyRS256(fetchJWKS(t, f.s.JWKSURL(f.pool)), raw))
	}

	_, err := f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: tok.AccessToken})
	require.NoError(t, err)

	key := amplifyLoginsKey(t, *tok.IdToken)
	require.Equal(t, f.s.IdentityProviderName(f.pool), key)
	_, _, err = f.credentialsFor(t, map[string]string{key: *tok.IdToken})
	require.NoError(t, err)

	status, body := callAPI(t, http.DefaultClient, "GET", f.s.APIURL("demoapi", "")+"/claims", *tok.IdToken)
	require.Equal(t, 200, status, body)

	// A server without the option refuses the other's tokens, and vice versa.
	plain := newFedFixture(t)
	ptok := mustTokens(t, plain.fixture, "alice")
	assert.Equal(t, plain.s.URL+"/"+plain.pool, decodeClaims(t, *ptok.IdToken)["iss"])
	_, err = plain.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: tok.AccessToken})
	requireCode(t, err, "NotAuthorizedException")
	status, _ = callAPI(t, http.DefaultClient, "GET", f.s.APIURL("demoapi", "")+"/claims", *ptok.IdToken)
	assert.Equal(t, 401, status)
}
