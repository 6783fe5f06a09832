package cognitotest

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// secretsFixture is a pool with a confidential client and alice.
func secretsFixture(t *testing.T) *fixture {
	return setup(t, PoolOptions{}, ClientOptions{GenerateSecret: true})
}

func addSecret(t *testing.T, f *fixture, value string) (*types.ClientSecretDescriptorType, error) {
	t.Helper()
	in := &cip.AddUserPoolClientSecretInput{UserPoolId: &f.pool, ClientId: &f.client.ID}
	if value != "" {
		in.ClientSecret = &value
	}
	out, err := f.c.AddUserPoolClientSecret(ctx(), in)
	if err != nil {
		return nil, err
	}
	return out.ClientSecretDescriptor, nil
}

func listSecrets(t *testing.T, f *fixture) []types.ClientSecretDescriptorType {
	t.Helper()
	out, err := f.c.ListUserPoolClientSecrets(ctx(), &cip.ListUserPoolClientSecretsInput{UserPoolId: &f.pool, ClientId: &f.client.ID})
	require.NoError(t, err)
	return out.ClientSecrets
}

// TestClientSecretRotation: a second secret is added (generated, its
// value answered once), both secrets are listed without their values,
// either one signs in, and once the first is deleted the second is the
// client's secret and the first is refused.
func TestClientSecretRotation(t *testing.T) {
	f := secretsFixture(t)
	first := f.client.Secret
	before := listSecrets(t, f)
	require.Len(t, before, 1, "a confidential client lists its one secret")
	assert.Nil(t, before[0].ClientSecretValue)

	f.s.Advance(time.Second)
	d, err := addSecret(t, f, "")
	require.NoError(t, err)
	require.NotNil(t, d.ClientSecretValue, "a generated secret is answered once")
	second := *d.ClientSecretValue
	assert.Len(t, second, 51)
	assert.Equal(t, f.client.ID+"--"+strconv.FormatInt(d.ClientSecretCreateDate.UnixMilli(), 10), *d.ClientSecretId)

	after := listSecrets(t, f)
	require.Len(t, after, 2)
	assert.Equal(t, *before[0].ClientSecretId, *after[0].ClientSecretId)
	assert.Equal(t, *d.ClientSecretId, *after[1].ClientSecretId)
	for _, sc := range after {
		assert.Nil(t, sc.ClientSecretValue, "a list never shows a secret's value")
	}
	desc, err := f.c.DescribeUserPoolClient(ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: &f.pool, ClientId: &f.client.ID})
	require.NoError(t, err)
	assert.Equal(t, first, *desc.UserPoolClient.ClientSecret, "the oldest secret stays the primary one")

	for name, secret := range map[string]string{"first": first, "second": second} {
		f.client.Secret = secret
		_, err := passwordSignIn(f, "alice", testPassword)
		assert.NoError(t, err, name)
	}
	f.client.Secret = "not-a-secret-of-this-client-at-all"
	_, err = passwordSignIn(f, "alice", testPassword)
	requireCode(t, err, "NotAuthorizedException")

	_, err = f.c.DeleteUserPoolClientSecret(ctx(), &cip.DeleteUserPoolClientSecretInput{UserPoolId: &f.pool,
		ClientId: &f.client.ID, ClientSecretId: before[0].ClientSecretId})
	require.NoError(t, err)
	f.client.Secret = first
	_, err = passwordSignIn(f, "alice", testPassword)
	requireCode(t, err, "NotAuthorizedException")
	f.client.Secret = second
	_, err = passwordSignIn(f, "alice", testPassword)
	require.NoError(t, err)
	desc, err = f.c.DescribeUserPoolClient(ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: &f.pool, ClientId: &f.client.ID})
	require.NoError(t, err)
	assert.Equal(t, second, *desc.UserPoolClient.ClientSecret)
	require.Len(t, listSecrets(t, f), 1)
}

// TestClientSecretRules: the limits and refusals of the secret operations.
func TestClientSecretRules(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, f *fixture) error
		want string
	}{
		{"a given secret is kept and not answered", func(t *testing.T, f *fixture) error {
			d, err := addSecret(t, f, "my_own_secret_value_0123456789")
			require.NoError(t, err)
			assert.Nil(t, d.ClientSecretValue)
			f.client.Secret = "my_own_secret_value_0123456789"
			_, err = passwordSignIn(f, "alice", testPassword)
			return err
		}, ""},
		{"a third secret", func(t *testing.T, f *fixture) error {
			_, err := addSecret(t, f, "")
			require.NoError(t, err)
			_, err = addSecret(t, f, "")
			return err
		}, "LimitExceededException"},
		{"the same secret twice", func(t *testing.T, f *fixture) error {
			_, err := addSecret(t, f, f.client.Secret)
			return err
		}, "InvalidParameterException"},
		{"a secret breaking the model's pattern", func(t *testing.T, f *fixture) error {
			_, err := addSecret(t, f, "has spaces in it, which is refused")
			return err
		}, "InvalidParameterException"},
		{"the last secret", func(t *testing.T, f *fixture) error {
			l := listSecrets(t, f)
			_, err := f.c.DeleteUserPoolClientSecret(ctx(), &cip.DeleteUserPoolClientSecretInput{UserPoolId: &f.pool,
				ClientId: &f.client.ID, ClientSecretId: l[0].ClientSecretId})
			return err
		}, "InvalidParameterException"},
		{"an unknown secret ID", func(t *testing.T, f *fixture) error {
			_, err := f.c.DeleteUserPoolClientSecret(ctx(), &cip.DeleteUserPoolClientSecretInput{UserPoolId: &f.pool,
				ClientId: &f.client.ID, ClientSecretId: aws.String(f.client.ID + "--1")})
			return err
		}, "ResourceNotFoundException"},
		{"an unknown client", func(t *testing.T, f *fixture) error {
			_, err := f.c.ListUserPoolClientSecrets(ctx(), &cip.ListUserPoolClientSecretsInput{UserPoolId: &f.pool, ClientId: aws.String("nosuchclient")})
			return err
		}, "ResourceNotFoundException"},
		{"a pagination token never issued", func(t *testing.T, f *fixture) error {
			_, err := f.c.ListUserPoolClientSecrets(ctx(), &cip.ListUserPoolClientSecretsInput{UserPoolId: &f.pool,
				ClientId: &f.client.ID, NextToken: aws.String("2")})
			return err
		}, "InvalidParameterException"},
		{"a public client", func(t *testing.T, f *fixture) error {
			pub := f.s.MustCreateUserPoolClient(f.pool, ClientOptions{})
			_, err := f.c.AddUserPoolClientSecret(ctx(), &cip.AddUserPoolClientSecretInput{UserPoolId: &f.pool, ClientId: &pub.ID})
			return err
		}, "InvalidParameterException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(t, secretsFixture(t))
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			requireCode(t, err, tc.want)
		})
	}
}

// TestClientSecretEveryCheck: each place that checks a client secret
// (SECRET_HASH of sign-up, forgot password and the admin sign-in; the
// ClientSecret of RevokeToken and GetTokensFromRefreshToken; the hosted
// UI's token endpoint, by HTTP
// Basic and in the form) takes either of two secrets and refuses a
// deleted one.
func TestClientSecretEveryCheck(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{GenerateSecret: true, RotateRefreshTokens: true})
	first := f.client.Secret
	d, err := addSecret(t, f, "")
	require.NoError(t, err)
	second := *d.ClientSecretValue
	n := 0
	checks := []struct {
		name  string
		check func(secret string) string // the error code, "" when accepted
	}{
		{"SignUp", func(secret string) string {
			n++
			name := "user" + strconv.Itoa(n)
			_, err := f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, Username: &name, Password: aws.String(testPassword),
				SecretHash:     aws.String(srp.SecretHash(name, f.client.ID, secret)),
				UserAttributes: []types.AttributeType{attr("email", name+"@example.com")}})
			return code(err)
		}},
		{"ForgotPassword", func(secret string) string {
			_, err := f.c.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice"),
				SecretHash: aws.String(srp.SecretHash("alice", f.client.ID, secret))})
			return code(err)
		}},
		{"AdminInitiateAuth", func(secret string) string {
			f.client.Secret = secret
			_, err := adminSignIn(f, "alice", testPassword)
			return code(err)
		}},
		{"RevokeToken", func(secret string) string {
			f.client.Secret = second // valid throughout, for the sign-in
			tok := mustTokens(t, f, "alice").RefreshToken
			_, err := f.c.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: &f.client.ID, ClientSecret: &secret, Token: tok})
			return code(err)
		}},
		{"GetTokensFromRefreshToken", func(secret string) string {
			f.client.Secret = second
			tok := mustTokens(t, f, "alice").RefreshToken
			_, err := f.c.GetTokensFromRefreshToken(ctx(), &cip.GetTokensFromRefreshTokenInput{ClientId: &f.client.ID,
				ClientSecret: &secret, RefreshToken: tok})
			return code(err)
		}},
		{"oauth2/token Basic", func(secret string) string {
			status, m := tokenCall(t, f.s, url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {uiCallback}},
				basicAuth(f.client.ID, secret))
			return oauthVerdict(status, m)
		}},
		{"oauth2/token client_secret_post", func(secret string) string {
			status, m := tokenCall(t, f.s, url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {uiCallback},
				"client_id": {f.client.ID}, "client_secret": {secret}}, "")
			return oauthVerdict(status, m)
		}},
	}
	try := func(secret string) map[string]string {
		got := map[string]string{}
		for _, c := range checks {
			got[c.name] = c.check(secret)
		}
		return got
	}
	for name, secret := range map[string]string{"first": first, "second": second} {
		for check, verdict := range try(secret) {
			assert.Empty(t, verdict, "%s secret, %s", name, check)
		}
	}
	_, err = f.c.DeleteUserPoolClientSecret(ctx(), &cip.DeleteUserPoolClientSecretInput{UserPoolId: &f.pool,
		ClientId: &f.client.ID, ClientSecretId: listSecrets(t, f)[0].ClientSecretId})
	require.NoError(t, err)
	for check, verdict := range try(first) {
		assert.NotEmpty(t, verdict, "the deleted secret, %s", check)
	}
	for check, verdict := range try(second) {
		assert.Empty(t, verdict, "the remaining secret, %s", check)
	}
}

// oauthVerdict is "" when the token endpoint authenticated the client (the
// made-up code is then refused as invalid_grant), else the OAuth error.
func oauthVerdict(status int, m map[string]any) string {
	if e, _ := m["error"].(string); e != "invalid_grant" {
		return e + " " + strconv.Itoa(status)
	}
	return ""
}
