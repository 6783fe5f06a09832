package cognitotest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGroupOperations(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	f.s.MustCreateGroup(f.pool, "staff", "", -1)
	f.s.MustAddUserToGroup(f.pool, "alice", "staff")
	g, err := f.c.GetGroup(ctx(), &cip.GetGroupInput{UserPoolId: &f.pool, GroupName: aws.String("staff")})
	require.NoError(t, err)
	assert.Nil(t, g.Group.Precedence)
	_, err = f.c.GetGroup(ctx(), &cip.GetGroupInput{UserPoolId: &f.pool, GroupName: aws.String("nope")})
	requireCode(t, err, "ResourceNotFoundException")
	l, err := f.c.ListUsersInGroup(ctx(), &cip.ListUsersInGroupInput{UserPoolId: &f.pool, GroupName: aws.String("staff")})
	require.NoError(t, err)
	require.Len(t, l.Users, 1)
	assert.Equal(t, "alice", *l.Users[0].Username)
	_, err = f.c.DeleteGroup(ctx(), &cip.DeleteGroupInput{UserPoolId: &f.pool, GroupName: aws.String("staff")})
	require.NoError(t, err)
	gs, err := f.c.AdminListGroupsForUser(ctx(), &cip.AdminListGroupsForUserInput{UserPoolId: &f.pool, Username: aws.String("alice")})
	require.NoError(t, err)
	assert.Empty(t, gs.Groups)
	assert.NotContains(t, decodeClaims(t, *mustTokens(t, f, "alice").IdToken), "cognito:groups")
	_, err = f.c.DeleteGroup(ctx(), &cip.DeleteGroupInput{UserPoolId: &f.pool, GroupName: aws.String("staff")})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestClientAttributeRules(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{ReadAttributes: []string{"email"}, WriteAttributes: []string{"name"}})
	id := decodeClaims(t, *mustTokens(t, f, "alice").IdToken)
	assert.Equal(t, "alice@example.com", id["email"])
	assert.NotContains(t, id, "email_verified", "not a read attribute of this client")
	at := mustTokens(t, f, "alice").AccessToken
	_, err := f.c.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: at, UserAttributes: []types.AttributeType{attr("name", "A")}})
	require.NoError(t, err)
	_, err = f.c.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: at, UserAttributes: []types.AttributeType{attr("email", "x@example.com")}})
	requireCode(t, err, "NotAuthorizedException")
	_, err = f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, Username: aws.String("bob"), Password: aws.String(testPassword),
		UserAttributes: []types.AttributeType{attr("email", "bob@example.com")}})
	requireCode(t, err, "NotAuthorizedException")

	_, err = f.c.AdminDeleteUserAttributes(ctx(), &cip.AdminDeleteUserAttributesInput{UserPoolId: &f.pool, Username: aws.String("alice"), UserAttributeNames: []string{"name"}})
	require.NoError(t, err)
	_, err = f.c.AdminDeleteUserAttributes(ctx(), &cip.AdminDeleteUserAttributesInput{UserPoolId: &f.pool, Username: aws.String("alice"), UserAttributeNames: []string{"sub"}})
	requireCode(t, err, "InvalidParameterException")
	u, err := f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("alice")})
	require.NoError(t, err)
	assert.NotContains(t, attrMap(u.UserAttributes), "name")
}

func TestPoolRules(t *testing.T) {
	f := setup(t, PoolOptions{AdminCreateUserOnly: true}, ClientOptions{})
	_, err := f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, Username: aws.String("bob"), Password: aws.String(testPassword)})
	requireCode(t, err, "NotAuthorizedException")

	p, err := f.c.CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("protected"), DeletionProtection: types.DeletionProtectionTypeActive})
	require.NoError(t, err)
	_, err = f.c.DeleteUserPool(ctx(), &cip.DeleteUserPoolInput{UserPoolId: p.UserPool.Id})
	requireCode(t, err, "InvalidParameterException")

	// RevokeToken needs token revocation on the client.
	cl, err := f.c.CreateUserPoolClient(ctx(), &cip.CreateUserPoolClientInput{UserPoolId: &f.pool, ClientName: aws.String("norevoke"),
		EnableTokenRevocation: aws.Bool(false), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth}})
	require.NoError(t, err)
	g := &fixture{s: f.s, c: f.c, pool: f.pool, client: AppClient{ID: *cl.UserPoolClient.ClientId}}
	tok := mustTokens(t, g, "alice")
	_, err = f.c.RevokeToken(ctx(), &cip.RevokeTokenInput{ClientId: cl.UserPoolClient.ClientId, Token: tok.RefreshToken})
	requireCode(t, err, "UnsupportedOperationException")
	_, err = f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: cl.UserPoolClient.ClientId,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
	requireCode(t, err, "InvalidParameterException") // refresh flow not enabled for this client
}

func TestAdminDeviceOperations(t *testing.T) {
	f := setup(t, PoolOptions{DeviceTracking: true, DeviceOnlyRememberedOnUserPrompt: true}, ClientOptions{})
	tok := mustTokens(t, f, "alice")
	key := tok.NewDeviceMetadata.DeviceKey
	_, err := f.c.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: tok.AccessToken, DeviceKey: key,
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: aws.String("AQID"), Salt: aws.String("BAUG")}})
	require.NoError(t, err)
	d, err := f.c.AdminGetDevice(ctx(), &cip.AdminGetDeviceInput{UserPoolId: &f.pool, Username: aws.String("alice"), DeviceKey: key})
	require.NoError(t, err)
	assert.NotContains(t, attrMap(d.Device.DeviceAttributes), "dev:device_remembered_status", "remembered only on user prompt")
	_, err = f.c.AdminUpdateDeviceStatus(ctx(), &cip.AdminUpdateDeviceStatusInput{UserPoolId: &f.pool, Username: aws.String("alice"), DeviceKey: key,
		DeviceRememberedStatus: types.DeviceRememberedStatusTypeRemembered})
	require.NoError(t, err)
	d, err = f.c.AdminGetDevice(ctx(), &cip.AdminGetDeviceInput{UserPoolId: &f.pool, Username: aws.String("alice"), DeviceKey: key})
	require.NoError(t, err)
	assert.Equal(t, "remembered", attrMap(d.Device.DeviceAttributes)["dev:device_remembered_status"])
	_, err = f.c.AdminForgetDevice(ctx(), &cip.AdminForgetDeviceInput{UserPoolId: &f.pool, Username: aws.String("alice"), DeviceKey: key})
	require.NoError(t, err)
	_, err = f.c.AdminGetDevice(ctx(), &cip.AdminGetDeviceInput{UserPoolId: &f.pool, Username: aws.String("alice"), DeviceKey: key})
	requireCode(t, err, "ResourceNotFoundException")
}
