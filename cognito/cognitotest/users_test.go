package cognitotest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func attr(name, value string) types.AttributeType {
	return types.AttributeType{Name: aws.String(name), Value: aws.String(value)}
}

func attrMap(l []types.AttributeType) map[string]string {
	m := map[string]string{}
	for _, a := range l {
		m[*a.Name] = aws.ToString(a.Value)
	}
	return m
}

func TestSignUpConfirm(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{GenerateSecret: true})
	c := f.c
	out, err := c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, SecretHash: secretHash(f.client, "bob"),
		Username: aws.String("bob"), Password: aws.String(testPassword), UserAttributes: []types.AttributeType{attr("email", "bob@example.com")}})
	require.NoError(t, err)
	assert.False(t, out.UserConfirmed)
	assert.NotEmpty(t, *out.UserSub)
	require.NotNil(t, out.CodeDeliveryDetails)
	assert.Equal(t, types.DeliveryMediumTypeEmail, out.CodeDeliveryDetails.DeliveryMedium)
	assert.Equal(t, "b***@e***", *out.CodeDeliveryDetails.Destination)

	// Not confirmed yet: sign-in refused after the right password.
	_, err = passwordSignIn(f, "bob", testPassword)
	requireCode(t, err, "UserNotConfirmedException")

	code1, ok := f.s.LastCode(f.pool, "bob")
	require.True(t, ok)
	_, err = c.ResendConfirmationCode(ctx(), &cip.ResendConfirmationCodeInput{ClientId: &f.client.ID, SecretHash: secretHash(f.client, "bob"), Username: aws.String("bob")})
	require.NoError(t, err)
	code2, _ := f.s.LastCode(f.pool, "bob")
	msgs := f.s.Messages(f.pool)
	require.Len(t, msgs, 2)
	assert.Equal(t, KindSignUp, msgs[1].Kind)
	assert.Equal(t, "bob@example.com", msgs[1].Destination)

	tests := []struct {
		name string
		in   *cip.ConfirmSignUpInput
		want string
	}{
		{"no secret hash", &cip.ConfirmSignUpInput{ClientId: &f.client.ID, Username: aws.String("bob"), ConfirmationCode: &code2}, "NotAuthorizedException"},
		{"wrong code", &cip.ConfirmSignUpInput{ClientId: &f.client.ID, SecretHash: secretHash(f.client, "bob"), Username: aws.String("bob"), ConfirmationCode: aws.String("000000x")}, "CodeMismatchException"},
		{"superseded code", &cip.ConfirmSignUpInput{ClientId: &f.client.ID, SecretHash: secretHash(f.client, "bob"), Username: aws.String("bob"), ConfirmationCode: &code1}, "CodeMismatchException"},
		{"unknown user", &cip.ConfirmSignUpInput{ClientId: &f.client.ID, SecretHash: secretHash(f.client, "zed"), Username: aws.String("zed"), ConfirmationCode: &code2}, "UserNotFoundException"},
		{"ok", &cip.ConfirmSignUpInput{ClientId: &f.client.ID, SecretHash: secretHash(f.client, "bob"), Username: aws.String("bob"), ConfirmationCode: &code2}, ""},
		{"again", &cip.ConfirmSignUpInput{ClientId: &f.client.ID, SecretHash: secretHash(f.client, "bob"), Username: aws.String("bob"), ConfirmationCode: &code2}, "NotAuthorizedException"},
	}
	if code1 == code2 {
		tests = append(tests[:2], tests[3:]...)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ConfirmSignUp(ctx(), tc.in)
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			requireCode(t, err, tc.want)
		})
	}
	u, err := c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("bob")})
	require.NoError(t, err)
	assert.Equal(t, types.UserStatusTypeConfirmed, u.UserStatus)
	assert.Equal(t, "true", attrMap(u.UserAttributes)["email_verified"])
	_, err = passwordSignIn(f, "bob", testPassword)
	require.NoError(t, err)
}

func TestSignUpValidation(t *testing.T) {
	f := setup(t, PoolOptions{RequiredAttributes: []string{"name"}}, ClientOptions{})
	tests := []struct {
		name, user, pw string
		attrs          []types.AttributeType
		want           string
	}{
		{"short password", "bob", "Pa1!", []types.AttributeType{attr("name", "Bob")}, "InvalidPasswordException"},
		{"no symbol", "bob", "Passw0rdd", []types.AttributeType{attr("name", "Bob")}, "InvalidPasswordException"},
		{"no upper", "bob", "passw0rd!", []types.AttributeType{attr("name", "Bob")}, "InvalidPasswordException"},
		{"missing required", "bob", testPassword, nil, "InvalidParameterException"},
		{"unknown attribute", "bob", testPassword, []types.AttributeType{attr("name", "Bob"), attr("shoe", "9")}, "InvalidParameterException"},
		{"bad email", "bob", testPassword, []types.AttributeType{attr("name", "Bob"), attr("email", "nope")}, "InvalidParameterException"},
		{"existing", "alice", testPassword, []types.AttributeType{attr("name", "A")}, "UsernameExistsException"},
		{"existing other case", "ALICE", testPassword, []types.AttributeType{attr("name", "A")}, "UsernameExistsException"},
		{"ok", "bob", testPassword, []types.AttributeType{attr("name", "Bob")}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, Username: &tc.user, Password: &tc.pw, UserAttributes: tc.attrs})
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			requireCode(t, err, tc.want)
		})
	}
	_, err := f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: aws.String("nosuchclient"), Username: aws.String("x"), Password: aws.String(testPassword)})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestForgotPassword(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	c := f.c
	out, err := c.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice")})
	require.NoError(t, err)
	assert.Equal(t, "email", *out.CodeDeliveryDetails.AttributeName)
	code, ok := f.s.LastCode(f.pool, "alice")
	require.True(t, ok)

	_, err = c.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("nobody")})
	requireCode(t, err, "UserNotFoundException")

	_, err = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice"),
		ConfirmationCode: aws.String("999999x"), Password: aws.String("NewPassw0rd!")})
	requireCode(t, err, "CodeMismatchException")
	_, err = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice"),
		ConfirmationCode: &code, Password: aws.String("weak")})
	requireCode(t, err, "InvalidPasswordException")
	_, err = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice"),
		ConfirmationCode: &code, Password: aws.String("NewPassw0rd!")})
	require.NoError(t, err)
	_, err = passwordSignIn(f, "alice", testPassword)
	requireCode(t, err, "NotAuthorizedException")
	_, err = passwordSignIn(f, "alice", "NewPassw0rd!")
	require.NoError(t, err)

	// Codes expire after an hour.
	_, err = c.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice")})
	require.NoError(t, err)
	code, _ = f.s.LastCode(f.pool, "alice")
	f.s.Advance(2 * time.Hour)
	_, err = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice"),
		ConfirmationCode: &code, Password: aws.String("NewPassw0rd!2")})
	requireCode(t, err, "ExpiredCodeException")

	// Too many wrong codes burn the code.
	_, err = c.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice")})
	require.NoError(t, err)
	code, _ = f.s.LastCode(f.pool, "alice")
	var last error
	for i := 0; i < maxCodeFailures; i++ {
		_, last = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice"),
			ConfirmationCode: aws.String("bad"), Password: aws.String("NewPassw0rd!2")})
	}
	requireCode(t, last, "TooManyFailedAttemptsException")
	_, err = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice"),
		ConfirmationCode: &code, Password: aws.String("NewPassw0rd!2")})
	requireCode(t, err, "ExpiredCodeException")
}

func TestSelfServiceWithAccessToken(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	c := f.c
	tok := mustTokens(t, f, "alice")
	at := tok.AccessToken

	g, err := c.GetUser(ctx(), &cip.GetUserInput{AccessToken: at})
	require.NoError(t, err)
	assert.Equal(t, "alice", *g.Username)
	assert.Equal(t, "alice@example.com", attrMap(g.UserAttributes)["email"])

	_, err = c.GetUser(ctx(), &cip.GetUserInput{AccessToken: aws.String("garbage")})
	requireCode(t, err, "NotAuthorizedException")
	_, err = c.GetUser(ctx(), &cip.GetUserInput{AccessToken: tok.IdToken})
	requireCode(t, err, "NotAuthorizedException")

	up, err := c.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: at,
		UserAttributes: []types.AttributeType{attr("email", "alice2@example.com"), attr("name", "Alice")}})
	require.NoError(t, err)
	require.Len(t, up.CodeDeliveryDetailsList, 1)
	g, _ = c.GetUser(ctx(), &cip.GetUserInput{AccessToken: at})
	m := attrMap(g.UserAttributes)
	assert.Equal(t, "false", m["email_verified"])
	assert.Equal(t, "Alice", m["name"])

	_, err = c.UpdateUserAttributes(ctx(), &cip.UpdateUserAttributesInput{AccessToken: at, UserAttributes: []types.AttributeType{attr("email_verified", "true")}})
	requireCode(t, err, "InvalidParameterException")

	code, _ := f.s.LastCode(f.pool, "alice")
	_, err = c.VerifyUserAttribute(ctx(), &cip.VerifyUserAttributeInput{AccessToken: at, AttributeName: aws.String("email"), Code: aws.String("nope")})
	requireCode(t, err, "CodeMismatchException")
	_, err = c.VerifyUserAttribute(ctx(), &cip.VerifyUserAttributeInput{AccessToken: at, AttributeName: aws.String("email"), Code: &code})
	require.NoError(t, err)
	g, _ = c.GetUser(ctx(), &cip.GetUserInput{AccessToken: at})
	assert.Equal(t, "true", attrMap(g.UserAttributes)["email_verified"])

	_, err = c.GetUserAttributeVerificationCode(ctx(), &cip.GetUserAttributeVerificationCodeInput{AccessToken: at, AttributeName: aws.String("email")})
	require.NoError(t, err)

	_, err = c.ChangePassword(ctx(), &cip.ChangePasswordInput{AccessToken: at, PreviousPassword: aws.String("Wrong0!xx"), ProposedPassword: aws.String("Another0!")})
	requireCode(t, err, "NotAuthorizedException")
	_, err = c.ChangePassword(ctx(), &cip.ChangePasswordInput{AccessToken: at, PreviousPassword: aws.String(testPassword), ProposedPassword: aws.String("short")})
	requireCode(t, err, "InvalidPasswordException")
	_, err = c.ChangePassword(ctx(), &cip.ChangePasswordInput{AccessToken: at, PreviousPassword: aws.String(testPassword), ProposedPassword: aws.String("Another0!")})
	require.NoError(t, err)
	_, err = passwordSignIn(f, "alice", "Another0!")
	require.NoError(t, err)

	_, err = c.DeleteUser(ctx(), &cip.DeleteUserInput{AccessToken: at})
	require.NoError(t, err)
	_, err = c.GetUser(ctx(), &cip.GetUserInput{AccessToken: at})
	requireCode(t, err, "NotAuthorizedException")
	_, err = passwordSignIn(f, "alice", "Another0!")
	requireCode(t, err, "UserNotFoundException")
}

func TestAdminUserLifecycle(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	c := f.c
	out, err := c.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &f.pool, Username: aws.String("carol"),
		UserAttributes:         []types.AttributeType{attr("email", "carol@example.com"), attr("email_verified", "true")},
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
	require.NoError(t, err)
	assert.Equal(t, types.UserStatusTypeForceChangePassword, out.User.UserStatus)
	temp, ok := f.s.LastCode(f.pool, "carol")
	require.True(t, ok)
	msgs := f.s.Messages(f.pool)
	assert.Equal(t, KindInvitation, msgs[len(msgs)-1].Kind)

	_, err = c.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &f.pool, Username: aws.String("carol")})
	requireCode(t, err, "UsernameExistsException")

	// First sign-in asks for a new password.
	ia, err := adminSignIn(f, "carol", temp)
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeNewPasswordRequired, ia.ChallengeName)
	var ua map[string]string
	require.NoError(t, json.Unmarshal([]byte(ia.ChallengeParameters["userAttributes"]), &ua))
	assert.Equal(t, "carol@example.com", ua["email"])
	_, err = c.AdminRespondToAuthChallenge(ctx(), &cip.AdminRespondToAuthChallengeInput{UserPoolId: &f.pool, ClientId: &f.client.ID,
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: ia.Session,
		ChallengeResponses: map[string]string{"USERNAME": "carol", "NEW_PASSWORD": "weak"}})
	requireCode(t, err, "InvalidPasswordException")
	r, err := c.AdminRespondToAuthChallenge(ctx(), &cip.AdminRespondToAuthChallengeInput{UserPoolId: &f.pool, ClientId: &f.client.ID,
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: ia.Session,
		ChallengeResponses: map[string]string{"USERNAME": "carol", "NEW_PASSWORD": "CarolPassw0rd!", "userAttributes.name": "Carol"}})
	require.NoError(t, err)
	require.NotNil(t, r.AuthenticationResult)
	g, err := c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("carol")})
	require.NoError(t, err)
	assert.Equal(t, types.UserStatusTypeConfirmed, g.UserStatus)
	assert.Equal(t, "Carol", attrMap(g.UserAttributes)["name"])
	// The session was single-use.
	_, err = c.AdminRespondToAuthChallenge(ctx(), &cip.AdminRespondToAuthChallengeInput{UserPoolId: &f.pool, ClientId: &f.client.ID,
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: ia.Session,
		ChallengeResponses: map[string]string{"USERNAME": "carol", "NEW_PASSWORD": "CarolPassw0rd!2"}})
	requireCode(t, err, "NotAuthorizedException")

	// Temporary passwords expire.
	_, err = c.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &f.pool, Username: aws.String("dave"), TemporaryPassword: aws.String("TempPassw0rd!"), MessageAction: types.MessageActionTypeSuppress})
	require.NoError(t, err)
	f.s.Advance(8 * 24 * time.Hour)
	_, err = adminSignIn(f, "dave", "TempPassw0rd!")
	requireCode(t, err, "NotAuthorizedException")
	assert.Contains(t, message(err), "Temporary password has expired")

	// Set a permanent password, disable, enable, reset, delete.
	_, err = c.AdminSetUserPassword(ctx(), &cip.AdminSetUserPasswordInput{UserPoolId: &f.pool, Username: aws.String("dave"), Password: aws.String("DavePassw0rd!"), Permanent: true})
	require.NoError(t, err)
	_, err = adminSignIn(f, "dave", "DavePassw0rd!")
	require.NoError(t, err)

	_, err = c.AdminDisableUser(ctx(), &cip.AdminDisableUserInput{UserPoolId: &f.pool, Username: aws.String("dave")})
	require.NoError(t, err)
	_, err = adminSignIn(f, "dave", "DavePassw0rd!")
	requireCode(t, err, "NotAuthorizedException")
	assert.Equal(t, "User is disabled.", message(err))
	_, err = c.AdminEnableUser(ctx(), &cip.AdminEnableUserInput{UserPoolId: &f.pool, Username: aws.String("dave")})
	require.NoError(t, err)
	_, err = adminSignIn(f, "dave", "DavePassw0rd!")
	require.NoError(t, err)

	_, err = c.AdminResetUserPassword(ctx(), &cip.AdminResetUserPasswordInput{UserPoolId: &f.pool, Username: aws.String("alice")})
	require.NoError(t, err)
	_, err = adminSignIn(f, "alice", testPassword)
	requireCode(t, err, "PasswordResetRequiredException")
	code, _ := f.s.LastCode(f.pool, "alice")
	_, err = c.ConfirmForgotPassword(ctx(), &cip.ConfirmForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice"), ConfirmationCode: &code, Password: aws.String("Fresh0Passw!")})
	require.NoError(t, err)
	_, err = adminSignIn(f, "alice", "Fresh0Passw!")
	require.NoError(t, err)

	_, err = c.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.pool, Username: aws.String("dave"),
		UserAttributes: []types.AttributeType{attr("phone_number", "+15555550100"), attr("phone_number_verified", "true")}})
	require.NoError(t, err)
	_, err = c.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.pool, Username: aws.String("dave"),
		UserAttributes: []types.AttributeType{attr("phone_number", "555")}})
	requireCode(t, err, "InvalidParameterException")

	// AdminConfirmSignUp.
	_, err = c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, Username: aws.String("erin"), Password: aws.String(testPassword)})
	require.NoError(t, err)
	_, err = c.AdminConfirmSignUp(ctx(), &cip.AdminConfirmSignUpInput{UserPoolId: &f.pool, Username: aws.String("erin")})
	require.NoError(t, err)
	_, err = c.AdminConfirmSignUp(ctx(), &cip.AdminConfirmSignUpInput{UserPoolId: &f.pool, Username: aws.String("erin")})
	requireCode(t, err, "NotAuthorizedException")

	_, err = c.AdminDeleteUser(ctx(), &cip.AdminDeleteUserInput{UserPoolId: &f.pool, Username: aws.String("dave")})
	require.NoError(t, err)
	_, err = c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("dave")})
	requireCode(t, err, "UserNotFoundException")
}

func TestListUsersFilter(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	f.s.MustCreateUser(f.pool, "bob", testPassword, map[string]string{"email": "bob@example.org", "name": "Bob"})
	f.s.MustCreateUser(f.pool, "bobby", testPassword, map[string]string{"email": "bobby@example.org"})
	_, err := f.c.AdminDisableUser(ctx(), &cip.AdminDisableUserInput{UserPoolId: &f.pool, Username: aws.String("bobby")})
	require.NoError(t, err)
	tests := []struct {
		filter string
		want   []string
		code   string
	}{
		{``, []string{"alice", "bob", "bobby"}, ""},
		{`username = "bob"`, []string{"bob"}, ""},
		{`username ^= "bob"`, []string{"bob", "bobby"}, ""},
		{`email^="bob"`, []string{"bob", "bobby"}, ""},
		{`email = "alice@example.com"`, []string{"alice"}, ""},
		{`name = "Bob"`, []string{"bob"}, ""},
		{`status = "Disabled"`, []string{"bobby"}, ""},
		{`cognito:user_status = "CONFIRMED"`, []string{"alice", "bob", "bobby"}, ""},
		{`username = "nobody"`, nil, ""},
		{`username = bob`, nil, "InvalidParameterException"},
		{`shoe_size = "9"`, nil, "InvalidParameterException"},
		{`username != "bob"`, nil, "InvalidParameterException"},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			in := &cip.ListUsersInput{UserPoolId: &f.pool}
			if tc.filter != "" {
				in.Filter = aws.String(tc.filter)
			}
			out, err := f.c.ListUsers(ctx(), in)
			if tc.code != "" {
				requireCode(t, err, tc.code)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, u := range out.Users {
				got = append(got, *u.Username)
			}
			assert.Equal(t, tc.want, got)
		})
	}
	out, err := f.c.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: &f.pool, Limit: aws.Int32(2), AttributesToGet: []string{"email"}})
	require.NoError(t, err)
	require.Len(t, out.Users, 2)
	require.NotNil(t, out.PaginationToken)
	assert.Equal(t, []string{"email"}, keys(attrMap(out.Users[0].Attributes)))
	out, err = f.c.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: &f.pool, Limit: aws.Int32(2), PaginationToken: out.PaginationToken})
	require.NoError(t, err)
	assert.Len(t, out.Users, 1)
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestAliasAndUsernameAttributes(t *testing.T) {
	t.Run("alias", func(t *testing.T) {
		f := setup(t, PoolOptions{AliasAttributes: []string{"email", "preferred_username"}}, ClientOptions{})
		_, err := f.c.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.pool, Username: aws.String("alice"),
			UserAttributes: []types.AttributeType{attr("preferred_username", "ally")}})
		require.NoError(t, err)
		for _, name := range []string{"alice", "alice@example.com", "ally", "ALICE@EXAMPLE.COM"} {
			t.Run(name, func(t *testing.T) {
				_, ch, err := srpStart(t, f, name, nil)
				require.NoError(t, err)
				assert.Equal(t, "alice", ch.ChallengeParameters["USER_ID_FOR_SRP"])
				out, err := srpSignIn(t, f, name, testPassword)
				require.NoError(t, err)
				assert.Equal(t, "alice", decodeClaims(t, *out.AuthenticationResult.AccessToken)["username"])
			})
		}
		// An unverified e-mail is no alias.
		f.s.MustCreateUser(f.pool, "bob", testPassword, map[string]string{"email": "bob@example.com", "email_verified": "false"})
		_, err = passwordSignIn(f, "bob@example.com", testPassword)
		requireCode(t, err, "UserNotFoundException")
		// A second verified user cannot take alice's e-mail.
		_, err = f.c.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &f.pool, Username: aws.String("carol"),
			UserAttributes: []types.AttributeType{attr("email", "alice@example.com"), attr("email_verified", "true")}})
		requireCode(t, err, "AliasExistsException")
		// Usernames cannot look like e-mails in an e-mail alias pool.
		_, err = f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, Username: aws.String("x@example.com"), Password: aws.String(testPassword)})
		requireCode(t, err, "InvalidParameterException")
	})
	t.Run("username attributes", func(t *testing.T) {
		s := newServer(t)
		pool := s.MustCreateUserPool(PoolOptions{UsernameAttributes: []string{"email"}})
		cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
		f := &fixture{s: s, c: idp(s), pool: pool, client: cl}
		out, err := f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &cl.ID, Username: aws.String("zoe@example.com"), Password: aws.String(testPassword)})
		require.NoError(t, err)
		code, ok := s.LastCode(pool, "zoe@example.com")
		require.True(t, ok)
		_, err = f.c.ConfirmSignUp(ctx(), &cip.ConfirmSignUpInput{ClientId: &cl.ID, Username: aws.String("zoe@example.com"), ConfirmationCode: &code})
		require.NoError(t, err)
		_, ch, err := srpStart(t, f, "zoe@example.com", nil)
		require.NoError(t, err)
		assert.Equal(t, *out.UserSub, ch.ChallengeParameters["USER_ID_FOR_SRP"])
		r, err := srpSignIn(t, f, "zoe@example.com", testPassword)
		require.NoError(t, err)
		id := decodeClaims(t, *r.AuthenticationResult.IdToken)
		assert.Equal(t, *out.UserSub, id["cognito:username"])
		assert.Equal(t, "zoe@example.com", id["email"])
		_, err = f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &cl.ID, Username: aws.String("zoe@example.com"), Password: aws.String(testPassword)})
		requireCode(t, err, "UsernameExistsException")
		_, err = f.c.SignUp(ctx(), &cip.SignUpInput{ClientId: &cl.ID, Username: aws.String("notanemail"), Password: aws.String(testPassword)})
		requireCode(t, err, "InvalidParameterException")
	})
}

func TestMessagesEndpoint(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	_, err := f.c.ForgotPassword(ctx(), &cip.ForgotPasswordInput{ClientId: &f.client.ID, Username: aws.String("alice")})
	require.NoError(t, err)
	code, _ := f.s.LastCode(f.pool, "alice")
	for _, q := range []string{"", "?poolId=" + f.pool, "?poolId=" + f.pool + "&username=alice"} {
		resp, err := http.Get(f.s.URL + "/_emulator/messages" + q)
		require.NoError(t, err)
		var body struct{ Messages []Message }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		resp.Body.Close()
		require.Len(t, body.Messages, 1, q)
		assert.Equal(t, code, body.Messages[0].Code)
		assert.Equal(t, KindForgotPassword, body.Messages[0].Kind)
	}
	resp, err := http.Get(f.s.URL + "/_emulator/messages?username=nobody")
	require.NoError(t, err)
	var body struct{ Messages []Message }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	resp.Body.Close()
	assert.Empty(t, body.Messages)
	_, ok := f.s.LastCode(f.pool, "nobody")
	assert.False(t, ok)
}
