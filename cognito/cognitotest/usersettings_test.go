package cognitotest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeleteUserAttributes: the signed-in user and an admin delete
// attributes, all or none; what Cognito refuses is refused, and the user
// is unchanged then.
func TestDeleteUserAttributes(t *testing.T) {
	tests := []struct {
		name  string
		co    ClientOptions
		admin bool
		del   []string
		want  string   // error code, "" for success
		gone  []string // attributes gone afterwards
	}{
		{name: "an optional attribute", del: []string{"name"}, gone: []string{"name"}},
		{name: "email takes its verification along", del: []string{"email"}, gone: []string{"email", "email_verified"}},
		{name: "several at once", del: []string{"name", "phone_number"}, gone: []string{"name", "phone_number", "phone_number_verified"}},
		{name: "admin, same", admin: true, del: []string{"name", "email"}, gone: []string{"name", "email", "email_verified"}},
		{name: "admin deletes a verification flag", admin: true, del: []string{"email_verified"}, gone: []string{"email_verified"}},
		{name: "a required attribute", del: []string{"name", "given_name"}, want: "InvalidParameterException"},
		{name: "admin, a required attribute", admin: true, del: []string{"given_name"}, want: "InvalidParameterException"},
		{name: "sub", del: []string{"sub"}, want: "InvalidParameterException"},
		{name: "admin, sub", admin: true, del: []string{"sub"}, want: "InvalidParameterException"},
		{name: "not in the schema", del: []string{"name", "custom:nope"}, want: "InvalidParameterException"},
		{name: "an immutable attribute", del: []string{"custom:badge"}, want: "InvalidParameterException"},
		{name: "self-service, a verification flag", del: []string{"email_verified"}, want: "InvalidParameterException"},
		{name: "an attribute the client may not write", co: ClientOptions{WriteAttributes: []string{"name"}},
			del: []string{"name", "email"}, want: "NotAuthorizedException"},
		{name: "one the client may write", co: ClientOptions{WriteAttributes: []string{"name"}},
			del: []string{"name"}, gone: []string{"name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t)
			c := idp(s)
			out, err := c.CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("p"), Schema: []types.SchemaAttributeType{
				{Name: aws.String("given_name"), Required: aws.Bool(true), Mutable: aws.Bool(true), AttributeDataType: types.AttributeDataTypeString},
				{Name: aws.String("badge"), Mutable: aws.Bool(false), AttributeDataType: types.AttributeDataTypeString}}})
			require.NoError(t, err)
			pool := *out.UserPool.Id
			f := &fixture{s: s, c: c, pool: pool, client: s.MustCreateUserPoolClient(pool, tc.co)}
			attrs := map[string]string{"email": "alice@example.com", "name": "Alice", "given_name": "Al",
				"phone_number": "+15550100", "custom:badge": "7"}
			s.MustCreateUser(pool, "alice", testPassword, attrs)
			if tc.admin {
				_, err = c.AdminDeleteUserAttributes(ctx(), &cip.AdminDeleteUserAttributesInput{UserPoolId: &pool,
					Username: aws.String("alice"), UserAttributeNames: tc.del})
			} else {
				_, err = c.DeleteUserAttributes(ctx(), &cip.DeleteUserAttributesInput{AccessToken: mustTokens(t, f, "alice").AccessToken,
					UserAttributeNames: tc.del})
			}
			u, gerr := c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("alice")})
			require.NoError(t, gerr)
			got := attrMap(u.UserAttributes)
			if tc.want != "" {
				requireCode(t, err, tc.want)
				for k, v := range attrs {
					assert.Equal(t, v, got[k], "nothing deleted: %s", k)
				}
				return
			}
			require.NoError(t, err)
			for _, n := range tc.gone {
				assert.NotContains(t, got, n)
			}
			assert.Equal(t, "Al", got["given_name"], "the rest stays")
		})
	}
}

// TestDeleteUserAttributesNeedsAdminScope: an access token without
// aws.cognito.signin.user.admin deletes nothing.
func TestDeleteUserAttributesNeedsAdminScope(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	for scope, want := range map[string]string{"openid email": "NotAuthorizedException", "openid aws.cognito.signin.user.admin": ""} {
		tok := hostedTokens(t, f, scope)["access_token"].(string)
		_, err := f.c.DeleteUserAttributes(ctx(), &cip.DeleteUserAttributesInput{AccessToken: &tok, UserAttributeNames: []string{"name"}})
		assert.Equal(t, want, code(err), scope)
	}
}

// TestUserSettingsLegacySMS: SetUserSettings and AdminSetUserSettings
// turn SMS MFA on and off through the legacy MFAOptions, GetUser and
// AdminGetUser show them, and SetUserMFAPreference's SMS setting is the
// same switch.
func TestUserSettingsLegacySMS(t *testing.T) {
	f := setup(t, PoolOptions{MFA: "OPTIONAL"}, ClientOptions{})
	f.s.MustCreateUser(f.pool, "bob", testPassword, map[string]string{"phone_number": "+15550101"})
	sms := []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("phone_number")}}
	get := func() *cip.AdminGetUserOutput {
		u, err := f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("bob")})
		require.NoError(t, err)
		return u
	}
	assert.Empty(t, get().MFAOptions)

	at := mustTokens(t, f, "bob").AccessToken
	_, err := f.c.SetUserSettings(ctx(), &cip.SetUserSettingsInput{AccessToken: at, MFAOptions: sms})
	require.NoError(t, err)
	u := get()
	assert.Equal(t, sms, u.MFAOptions)
	assert.Equal(t, []string{"SMS_MFA"}, u.UserMFASettingList)
	me, err := f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: at})
	require.NoError(t, err)
	assert.Equal(t, sms, me.MFAOptions)

	out, err := passwordSignIn(f, "bob", testPassword)
	require.NoError(t, err)
	assert.Equal(t, types.ChallengeNameTypeSmsMfa, out.ChallengeName, "SMS MFA is on")

	_, err = f.c.AdminSetUserSettings(ctx(), &cip.AdminSetUserSettingsInput{UserPoolId: &f.pool, Username: aws.String("bob"), MFAOptions: []types.MFAOptionType{}})
	require.NoError(t, err)
	assert.Empty(t, get().MFAOptions)
	assert.Empty(t, get().UserMFASettingList)

	_, err = f.c.AdminSetUserMFAPreference(ctx(), &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &f.pool, Username: aws.String("bob"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}})
	require.NoError(t, err)
	assert.Equal(t, sms, get().MFAOptions, "the preference's SMS MFA shows as the legacy option")

	refused := []struct {
		name string
		run  func() error
		want string
	}{
		{"e-mail as the medium", func() error {
			_, err := f.c.AdminSetUserSettings(ctx(), &cip.AdminSetUserSettingsInput{UserPoolId: &f.pool, Username: aws.String("bob"),
				MFAOptions: []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeEmail, AttributeName: aws.String("email")}}})
			return err
		}, "InvalidParameterException"},
		{"another attribute", func() error {
			_, err := f.c.AdminSetUserSettings(ctx(), &cip.AdminSetUserSettingsInput{UserPoolId: &f.pool, Username: aws.String("bob"),
				MFAOptions: []types.MFAOptionType{{DeliveryMedium: types.DeliveryMediumTypeSms, AttributeName: aws.String("name")}}})
			return err
		}, "InvalidParameterException"},
		{"a user without a phone number", func() error {
			_, err := f.c.AdminSetUserSettings(ctx(), &cip.AdminSetUserSettingsInput{UserPoolId: &f.pool, Username: aws.String("alice"), MFAOptions: sms})
			return err
		}, "InvalidParameterException"},
		{"an unknown user", func() error {
			_, err := f.c.AdminSetUserSettings(ctx(), &cip.AdminSetUserSettingsInput{UserPoolId: &f.pool, Username: aws.String("nobody"), MFAOptions: sms})
			return err
		}, "UserNotFoundException"},
		{"a bad access token", func() error {
			_, err := f.c.SetUserSettings(ctx(), &cip.SetUserSettingsInput{AccessToken: aws.String("x.y.z"), MFAOptions: sms})
			return err
		}, "NotAuthorizedException"},
	}
	for _, tc := range refused {
		requireCode(t, tc.run(), tc.want)
	}
	assert.Equal(t, sms, get().MFAOptions, "a refused call changes nothing")
}
