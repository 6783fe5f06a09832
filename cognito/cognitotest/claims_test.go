package cognitotest

import (
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostedTokens signs alice in through the hosted UI with scope and
// returns the token endpoint's answer.
func hostedTokens(t *testing.T, f *uiFixture, scope string) map[string]any {
	t.Helper()
	a := newAgent(t, f.s.URL)
	code := callbackCode(t, passwordLogin(t, a, authorizeURL(f.s, f.client.ID, url.Values{"scope": {scope}}), "alice", testPassword))
	status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	require.Equal(t, 200, status, tok)
	return tok
}

// TestIDTokenAddressIsObject: as Cognito, the ID token carries address as
// the OpenID Connect object {"formatted": …}; other attributes stay
// strings.
func TestIDTokenAddressIsObject(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	_, err := f.c.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.pool, Username: aws.String("alice"),
		UserAttributes: []types.AttributeType{{Name: aws.String("address"), Value: aws.String("1 Main St, Springfield")},
			{Name: aws.String("name"), Value: aws.String("Alice")}}})
	require.NoError(t, err)
	claims := decodeClaims(t, *mustTokens(t, f, "alice").IdToken)
	assert.Equal(t, map[string]any{"formatted": "1 Main St, Springfield"}, claims["address"])
	assert.Equal(t, "Alice", claims["name"])
}

// TestAccessTokenVersion: authorization-code access tokens carry
// "version": 2, as Cognito's do, also after a refresh at the token
// endpoint; the API's (InitiateAuth) carry none.
func TestAccessTokenVersion(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	tok := hostedTokens(t, f, "openid email")
	assert.Equal(t, float64(2), decodeClaims(t, tok["access_token"].(string))["version"])
	status, again := tokenCall(t, f.s, url.Values{"grant_type": {"refresh_token"}, "client_id": {f.client.ID},
		"refresh_token": {tok["refresh_token"].(string)}}, "")
	require.Equal(t, 200, status, again)
	assert.Equal(t, float64(2), decodeClaims(t, again["access_token"].(string))["version"])

	api := mustTokens(t, f.fixture, "alice")
	assert.NotContains(t, decodeClaims(t, *api.AccessToken), "version")
}

// TestSelfServiceNeedsAdminScope: a hosted-UI access token without
// aws.cognito.signin.user.admin is refused by every self-service
// operation with Cognito's message, yet still reads userInfo; one with
// the scope passes.
func TestSelfServiceNeedsAdminScope(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	tok := aws.String(hostedTokens(t, f, "openid email")["access_token"].(string))
	ops := []struct {
		name string
		call func(tok *string) error
	}{
		{"GetUser", func(tok *string) error {
			_, err := f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: tok})
			return err
		}},
		{"UpdateUserAttributes", func(tok *string) error {
			_, err := f.c.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: tok,
				UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("A")}}})
			return err
		}},
		{"ChangePassword", func(tok *string) error {
			_, err := f.c.ChangePassword(ctx(), &cip.ChangePasswordInput{AccessToken: tok,
				PreviousPassword: aws.String(testPassword), ProposedPassword: aws.String(testPassword)})
			return err
		}},
		{"AssociateSoftwareToken", func(tok *string) error {
			_, err := f.c.AssociateSoftwareToken(ctx(), &cip.AssociateSoftwareTokenInput{AccessToken: tok})
			return err
		}},
		{"SetUserMFAPreference", func(tok *string) error {
			_, err := f.c.SetUserMFAPreference(ctx(), &cip.SetUserMFAPreferenceInput{AccessToken: tok})
			return err
		}},
		{"ListDevices", func(tok *string) error {
			_, err := f.c.ListDevices(ctx(), &cip.ListDevicesInput{AccessToken: tok})
			return err
		}},
		{"GlobalSignOut", func(tok *string) error {
			_, err := f.c.GlobalSignOut(ctx(), &cip.GlobalSignOutInput{AccessToken: tok})
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			err := op.call(tok)
			requireCode(t, err, "NotAuthorizedException")
			assert.Equal(t, "Access Token does not have required scopes", message(err))
		})
	}
	assert.Equal(t, 200, userInfoCall(t, f.s, *tok).status, "userInfo takes an openid token")

	admin := aws.String(hostedTokens(t, f, "openid aws.cognito.signin.user.admin")["access_token"].(string))
	for _, op := range ops {
		t.Run(op.name+" with the scope", func(t *testing.T) {
			require.NoError(t, op.call(admin))
		})
	}
}
