package identity_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/identity"
)

func TestKeys(t *testing.T) {
	tests := []struct{ got, want string }{
		{identity.UserPoolKey("us-east-1", "us-east-1_AbCdEf123"), "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"},
		{identity.UserPoolKey("", "eu-west-2_AbCdEf123"), "cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123"},
		{identity.UserPoolKey("ap-south-1", "eu-west-2_AbCdEf123"), "cognito-idp.ap-south-1.amazonaws.com/eu-west-2_AbCdEf123"},
		{identity.OIDCKey("https://login.example.com/"), "login.example.com"},
		{identity.OIDCKey("https://dev-1.okta.com/oauth2/default"), "dev-1.okta.com/oauth2/default"},
		{identity.OIDCKey("login.example.com"), "login.example.com"},
		{identity.TwitterToken("tok", "sec"), "tok;sec"},
		{identity.KeyFacebook, "graph.facebook.com"},
		{identity.KeyGoogle, "accounts.google.com"},
		{identity.KeyAmazon, "www.amazon.com"},
		{identity.KeyApple, "appleid.apple.com"},
		{identity.KeyTwitter, "api.twitter.com"},
		{identity.KeyDeveloper, "cognito-identity.amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) { assert.Equal(t, tt.want, tt.got) })
	}
	t.Run("a pool ID without region gives a key Cognito will refuse, not a panic", func(t *testing.T) {
		assert.Equal(t, "cognito-idp.nounderscore.amazonaws.com/nounderscore", identity.UserPoolKey("", "nounderscore"))
	})
}

func TestNamedLogins(t *testing.T) {
	src := identity.IDTokenFunc(func(context.Context) (string, error) { return "idt", nil })
	logins := identity.Logins(
		identity.UserPoolLogin("", "us-east-1_AbCdEf123", src),
		identity.FacebookLogin("fb"),
		identity.GoogleLogin("g"),
		identity.AmazonLogin("a"),
		identity.AppleLogin("ap"),
		identity.TwitterLogin("t", "s"),
		identity.OIDCLogin("https://login.example.com", "o"),
		identity.SAMLLogin("arn:aws:iam::123456789012:saml-provider/Corp", "PHNhbWw+"),
		identity.DeveloperLogin("d"),
	)
	m, err := logins(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123": "idt",
		"graph.facebook.com":                           "fb",
		"accounts.google.com":                          "g",
		"www.amazon.com":                               "a",
		"appleid.apple.com":                            "ap",
		"api.twitter.com":                              "t;s",
		"login.example.com":                            "o",
		"arn:aws:iam::123456789012:saml-provider/Corp": "PHNhbWw+",
		"cognito-identity.amazonaws.com":               "d",
	}, m)

	guest, err := identity.Logins()(ctx)
	require.NoError(t, err)
	assert.Empty(t, guest)
}

func TestStaticLoginsCopies(t *testing.T) {
	in := map[string]string{identity.KeyGoogle: "a"}
	fn := identity.StaticLogins(in)
	in[identity.KeyGoogle] = "changed"
	m, err := fn(ctx)
	require.NoError(t, err)
	assert.Equal(t, "a", m[identity.KeyGoogle])
	m[identity.KeyGoogle] = "mutated"
	m2, _ := fn(ctx)
	assert.Equal(t, "a", m2[identity.KeyGoogle])
}

func TestMemoryStore(t *testing.T) {
	var s identity.MemoryStore // the zero value works
	k := identity.StoreKey{IdentityPoolID: testPool, Providers: identity.KeyGoogle}
	id, err := s.IdentityID(ctx, k)
	require.NoError(t, err)
	assert.Empty(t, id)
	require.NoError(t, s.SetIdentityID(ctx, k, "us-east-1:a"))
	id, _ = s.IdentityID(ctx, k)
	assert.Equal(t, "us-east-1:a", id)
	other, _ := s.IdentityID(ctx, identity.StoreKey{IdentityPoolID: testPool})
	assert.Empty(t, other)
	require.NoError(t, s.DeleteIdentityID(ctx, k))
	id, _ = s.IdentityID(ctx, k)
	assert.Empty(t, id)
	assert.False(t, k.Guest())
	assert.True(t, identity.StoreKey{IdentityPoolID: testPool}.Guest())
}
