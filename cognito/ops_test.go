package cognito

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// field reads an SDK input field by name, dereferencing pointers.
func field(in any, name string) any {
	v := reflect.ValueOf(in).Elem().FieldByName(name)
	if !v.IsValid() {
		return "<no field " + name + ">"
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	return v.Interface()
}

func hashOf(u string) string { return srp.SecretHash(u, testClientID, testSecret) }

// TestOperations runs every self-service and admin wrapper against a fake
// that succeeds and one that fails, checking the request it sends and the
// error it maps.
func TestOperations(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   string
		call func(ctx context.Context, c *Client) error
		want map[string]any
	}{
		{"SignUp", "SignUp", func(ctx context.Context, c *Client) error {
			r, err := c.SignUp(ctx, "u1", "Pw-123456", map[string]string{"email": "u1@example.com"}, func(o *SignUpOptions) { o.ValidationData = map[string]string{"k": "v"} })
			if err == nil && r == nil {
				return errors.New("nil result")
			}
			return err
		}, map[string]any{"ClientId": testClientID, "Username": "u1", "Password": "Pw-123456", "SecretHash": hashOf("u1"),
			"UserAttributes": []types.AttributeType{{Name: aws.String("email"), Value: aws.String("u1@example.com")}},
			"ValidationData": []types.AttributeType{{Name: aws.String("k"), Value: aws.String("v")}}}},
		{"ConfirmSignUp", "ConfirmSignUp", func(ctx context.Context, c *Client) error { return c.ConfirmSignUp(ctx, "u1", "123") },
			map[string]any{"ClientId": testClientID, "Username": "u1", "ConfirmationCode": "123", "SecretHash": hashOf("u1")}},
		{"ResendConfirmationCode", "ResendConfirmationCode", func(ctx context.Context, c *Client) error {
			_, err := c.ResendConfirmationCode(ctx, "u1")
			return err
		}, map[string]any{"Username": "u1", "SecretHash": hashOf("u1")}},
		{"ForgotPassword", "ForgotPassword", func(ctx context.Context, c *Client) error {
			_, err := c.ForgotPassword(ctx, "u1")
			return err
		}, map[string]any{"Username": "u1", "SecretHash": hashOf("u1")}},
		{"ConfirmForgotPassword", "ConfirmForgotPassword", func(ctx context.Context, c *Client) error {
			return c.ConfirmForgotPassword(ctx, "u1", "999", "New-Pw-1")
		}, map[string]any{"Username": "u1", "ConfirmationCode": "999", "Password": "New-Pw-1", "SecretHash": hashOf("u1")}},
		{"ChangePassword", "ChangePassword", func(ctx context.Context, c *Client) error { return c.ChangePassword(ctx, "at", "old", "new") },
			map[string]any{"AccessToken": "at", "PreviousPassword": "old", "ProposedPassword": "new"}},
		{"GetUser", "GetUser", func(ctx context.Context, c *Client) error {
			_, err := c.GetUser(ctx, "at")
			return err
		}, map[string]any{"AccessToken": "at"}},
		{"UpdateUserAttributes", "UpdateUserAttributes", func(ctx context.Context, c *Client) error {
			_, err := c.UpdateUserAttributes(ctx, "at", map[string]string{"b": "2", "a": "1"})
			return err
		}, map[string]any{"AccessToken": "at", "UserAttributes": []types.AttributeType{{Name: aws.String("a"), Value: aws.String("1")}, {Name: aws.String("b"), Value: aws.String("2")}}}},
		{"GetUserAttributeVerificationCode", "GetUserAttributeVerificationCode", func(ctx context.Context, c *Client) error {
			_, err := c.GetUserAttributeVerificationCode(ctx, "at", "email")
			return err
		}, map[string]any{"AccessToken": "at", "AttributeName": "email"}},
		{"VerifyUserAttribute", "VerifyUserAttribute", func(ctx context.Context, c *Client) error { return c.VerifyUserAttribute(ctx, "at", "email", "42") },
			map[string]any{"AccessToken": "at", "AttributeName": "email", "Code": "42"}},
		{"DeleteUser", "DeleteUser", func(ctx context.Context, c *Client) error { return c.DeleteUser(ctx, "at") }, map[string]any{"AccessToken": "at"}},
		{"GlobalSignOut", "GlobalSignOut", func(ctx context.Context, c *Client) error { return c.GlobalSignOut(ctx, "at") }, map[string]any{"AccessToken": "at"}},
		{"RevokeToken", "RevokeToken", func(ctx context.Context, c *Client) error { return c.RevokeToken(ctx, "rt") },
			map[string]any{"ClientId": testClientID, "Token": "rt", "ClientSecret": testSecret}},
		{"AssociateSoftwareToken", "AssociateSoftwareToken", func(ctx context.Context, c *Client) error {
			_, err := c.AssociateSoftwareToken(ctx, "at", "Iss", "acct")
			return err
		}, map[string]any{"AccessToken": "at"}},
		{"SetMFAPreference", "SetUserMFAPreference", func(ctx context.Context, c *Client) error { return c.SetMFAPreference(ctx, "at", true) },
			map[string]any{"AccessToken": "at", "SoftwareTokenMfaSettings": types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}},

		{"AdminCreateUser", "AdminCreateUser", func(ctx context.Context, c *Client) error {
			_, err := c.AdminCreateUser(ctx, "u2", func(o *AdminCreateUserOptions) {
				o.TemporaryPassword = "Temp-Pw-1"
				o.SuppressMessage = true
				o.Attributes = map[string]string{"email": "u2@example.com"}
				o.DeliveryMediums = []string{"EMAIL"}
			})
			return err
		}, map[string]any{"UserPoolId": testPool, "Username": "u2", "TemporaryPassword": "Temp-Pw-1", "MessageAction": types.MessageActionTypeSuppress,
			"DesiredDeliveryMediums": []types.DeliveryMediumType{"EMAIL"},
			"UserAttributes":         []types.AttributeType{{Name: aws.String("email"), Value: aws.String("u2@example.com")}}}},
		{"AdminCreateUser resend", "AdminCreateUser", func(ctx context.Context, c *Client) error {
			_, err := c.AdminCreateUser(ctx, "u2", func(o *AdminCreateUserOptions) { o.ResendInvitation = true })
			return err
		}, map[string]any{"Username": "u2", "MessageAction": types.MessageActionTypeResend, "TemporaryPassword": nil}},
		{"AdminSetUserPassword", "AdminSetUserPassword", func(ctx context.Context, c *Client) error { return c.AdminSetUserPassword(ctx, "u2", "Pw", true) },
			map[string]any{"UserPoolId": testPool, "Username": "u2", "Password": "Pw", "Permanent": true}},
		{"AdminGetUser", "AdminGetUser", func(ctx context.Context, c *Client) error {
			_, err := c.AdminGetUser(ctx, "u2")
			return err
		}, map[string]any{"UserPoolId": testPool, "Username": "u2"}},
		{"AdminUpdateUserAttributes", "AdminUpdateUserAttributes", func(ctx context.Context, c *Client) error {
			return c.AdminUpdateUserAttributes(ctx, "u2", map[string]string{"name": "N"})
		}, map[string]any{"UserPoolId": testPool, "Username": "u2", "UserAttributes": []types.AttributeType{{Name: aws.String("name"), Value: aws.String("N")}}}},
		{"AdminDeleteUser", "AdminDeleteUser", func(ctx context.Context, c *Client) error { return c.AdminDeleteUser(ctx, "u2") }, map[string]any{"UserPoolId": testPool, "Username": "u2"}},
		{"AdminDisableUser", "AdminDisableUser", func(ctx context.Context, c *Client) error { return c.AdminDisableUser(ctx, "u2") }, map[string]any{"UserPoolId": testPool, "Username": "u2"}},
		{"AdminEnableUser", "AdminEnableUser", func(ctx context.Context, c *Client) error { return c.AdminEnableUser(ctx, "u2") }, map[string]any{"UserPoolId": testPool, "Username": "u2"}},
		{"AdminConfirmSignUp", "AdminConfirmSignUp", func(ctx context.Context, c *Client) error { return c.AdminConfirmSignUp(ctx, "u2") }, map[string]any{"UserPoolId": testPool, "Username": "u2"}},
		{"AdminResetUserPassword", "AdminResetUserPassword", func(ctx context.Context, c *Client) error { return c.AdminResetUserPassword(ctx, "u2") }, map[string]any{"UserPoolId": testPool, "Username": "u2"}},
		{"AdminUserGlobalSignOut", "AdminUserGlobalSignOut", func(ctx context.Context, c *Client) error { return c.AdminUserGlobalSignOut(ctx, "u2") }, map[string]any{"UserPoolId": testPool, "Username": "u2"}},
		{"AdminAddUserToGroup", "AdminAddUserToGroup", func(ctx context.Context, c *Client) error { return c.AdminAddUserToGroup(ctx, "u2", "admins") },
			map[string]any{"UserPoolId": testPool, "Username": "u2", "GroupName": "admins"}},
		{"AdminRemoveUserFromGroup", "AdminRemoveUserFromGroup", func(ctx context.Context, c *Client) error { return c.AdminRemoveUserFromGroup(ctx, "u2", "admins") },
			map[string]any{"UserPoolId": testPool, "Username": "u2", "GroupName": "admins"}},
		{"AdminListGroupsForUser", "AdminListGroupsForUser", func(ctx context.Context, c *Client) error {
			_, err := c.AdminListGroupsForUser(ctx, "u2")
			return err
		}, map[string]any{"UserPoolId": testPool, "Username": "u2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFake()
			f.zero = true
			on(f, "AdminCreateUser", func(_ context.Context, in *cip.AdminCreateUserInput) (*cip.AdminCreateUserOutput, error) {
				return &cip.AdminCreateUserOutput{User: &types.UserType{Username: in.Username, Attributes: in.UserAttributes, UserStatus: types.UserStatusTypeForceChangePassword, Enabled: true}}, nil
			})
			on(f, "AssociateSoftwareToken", func(_ context.Context, in *cip.AssociateSoftwareTokenInput) (*cip.AssociateSoftwareTokenOutput, error) {
				return &cip.AssociateSoftwareTokenOutput{SecretCode: aws.String("ABC")}, nil
			})
			c := newTestClient(f, withSecret)
			require.NoError(t, tc.call(ctx, c))
			calls := f.ops()
			require.Equal(t, []string{tc.op}, calls)
			f.mu.Lock()
			in := f.calls[0].in
			f.mu.Unlock()
			for k, v := range tc.want {
				assert.Equal(t, v, field(in, k), k)
			}

			// Negative: Cognito's exception maps to its sentinel, and the
			// error names the operation.
			f2 := newFake()
			f2.failAll = apiErr("NotAuthorizedException", "Access Token has been revoked")
			err := tc.call(ctx, newTestClient(f2, withSecret))
			require.ErrorIs(t, err, ErrNotAuthorized)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "Access Token has been revoked", ce.Message)
			assert.NotContains(t, err.Error(), testSecret)
			assert.NotContains(t, err.Error(), "Pw-123456")
		})
	}
}

func TestOperationResults(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	on(f, "SignUp", func(_ context.Context, in *cip.SignUpInput) (*cip.SignUpOutput, error) {
		return &cip.SignUpOutput{UserSub: aws.String("sub-1"), CodeDeliveryDetails: &types.CodeDeliveryDetailsType{AttributeName: aws.String("email"), DeliveryMedium: types.DeliveryMediumTypeEmail, Destination: aws.String("u***@e***")}}, nil
	})
	on(f, "GetUser", func(_ context.Context, in *cip.GetUserInput) (*cip.GetUserOutput, error) {
		return &cip.GetUserOutput{Username: aws.String("u1"), UserAttributes: []types.AttributeType{{Name: aws.String("sub"), Value: aws.String("sub-1")}}, UserMFASettingList: []string{"SOFTWARE_TOKEN_MFA"}}, nil
	})
	on(f, "AdminGetUser", func(_ context.Context, in *cip.AdminGetUserInput) (*cip.AdminGetUserOutput, error) {
		return &cip.AdminGetUserOutput{Username: aws.String("u1"), UserStatus: types.UserStatusTypeConfirmed, Enabled: false}, nil
	})
	on(f, "UpdateUserAttributes", func(_ context.Context, in *cip.UpdateUserAttributesInput) (*cip.UpdateUserAttributesOutput, error) {
		return &cip.UpdateUserAttributesOutput{CodeDeliveryDetailsList: []types.CodeDeliveryDetailsType{{AttributeName: aws.String("email"), DeliveryMedium: types.DeliveryMediumTypeEmail}}}, nil
	})
	page := 0
	on(f, "AdminListGroupsForUser", func(_ context.Context, in *cip.AdminListGroupsForUserInput) (*cip.AdminListGroupsForUserOutput, error) {
		page++
		if page == 1 {
			return &cip.AdminListGroupsForUserOutput{Groups: []types.GroupType{{GroupName: aws.String("a"), Precedence: aws.Int32(1)}}, NextToken: aws.String("n")}, nil
		}
		require.Equal(t, "n", aws.ToString(in.NextToken))
		return &cip.AdminListGroupsForUserOutput{Groups: []types.GroupType{{GroupName: aws.String("b"), RoleArn: aws.String("arn:aws:iam::1:role/b")}}}, nil
	})
	on(f, "VerifySoftwareToken", func(_ context.Context, in *cip.VerifySoftwareTokenInput) (*cip.VerifySoftwareTokenOutput, error) {
		if aws.ToString(in.UserCode) != "123456" {
			return nil, apiErr("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
		}
		return &cip.VerifySoftwareTokenOutput{Status: types.VerifySoftwareTokenResponseTypeSuccess}, nil
	})
	c := newTestClient(f)

	su, err := c.SignUp(ctx, "u1", "pw", nil)
	require.NoError(t, err)
	assert.Equal(t, &SignUpResult{UserSub: "sub-1", CodeDelivery: &CodeDelivery{AttributeName: "email", DeliveryMedium: "EMAIL", Destination: "u***@e***"}}, su)
	assert.Nil(t, callsTo[cip.SignUpInput](f, "SignUp")[0].SecretHash, "no SECRET_HASH without a secret")

	u, err := c.GetUser(ctx, "at")
	require.NoError(t, err)
	assert.Equal(t, "sub-1", u.Sub())
	assert.Equal(t, []string{"SOFTWARE_TOKEN_MFA"}, u.MFA)

	au, err := c.AdminGetUser(ctx, "u1")
	require.NoError(t, err)
	assert.Equal(t, "CONFIRMED", au.Status)
	assert.False(t, au.Enabled)

	ds, err := c.UpdateUserAttributes(ctx, "at", map[string]string{"email": "new@example.com"})
	require.NoError(t, err)
	assert.Equal(t, []CodeDelivery{{AttributeName: "email", DeliveryMedium: "EMAIL"}}, ds)

	gs, err := c.AdminListGroupsForUser(ctx, "u1")
	require.NoError(t, err)
	require.Len(t, gs, 2)
	assert.Equal(t, "a", gs[0].Name)
	assert.Equal(t, int32(1), *gs[0].Precedence)
	assert.Equal(t, "arn:aws:iam::1:role/b", gs[1].RoleARN)

	require.NoError(t, c.VerifySoftwareToken(ctx, "at", "123456", "phone"))
	require.ErrorIs(t, c.VerifySoftwareToken(ctx, "at", "000000", ""), ErrEnableSoftwareTokenMFA)

	require.ErrorIs(t, c.RevokeToken(ctx, ""), ErrNoRefreshToken)
	_, err = c.AdminCreateUser(ctx, "x")
	require.Error(t, err, "AdminCreateUser not faked")
}

func TestAdminCreateConfirmedUser(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	f.zero = true
	on(f, "AdminCreateUser", func(_ context.Context, in *cip.AdminCreateUserInput) (*cip.AdminCreateUserOutput, error) {
		if aws.ToString(in.Username) == "taken" {
			return nil, apiErr("UsernameExistsException", "User account already exists")
		}
		return &cip.AdminCreateUserOutput{User: &types.UserType{Username: aws.String("uuid-" + aws.ToString(in.Username)), Attributes: in.UserAttributes, UserStatus: types.UserStatusTypeForceChangePassword}}, nil
	})
	c := newTestClient(f)
	u, err := c.AdminCreateConfirmedUser(ctx, "pat", "Perm-Pw-1", map[string]string{"email": "pat@example.com"})
	require.NoError(t, err)
	assert.Equal(t, "CONFIRMED", u.Status)
	in := callsTo[cip.AdminCreateUserInput](f, "AdminCreateUser")[0]
	assert.Equal(t, types.MessageActionTypeSuppress, in.MessageAction)
	assert.Equal(t, map[string]string{"email": "pat@example.com", "email_verified": "true"}, attributeMap(in.UserAttributes))
	set := callsTo[cip.AdminSetUserPasswordInput](f, "AdminSetUserPassword")[0]
	assert.Equal(t, "uuid-pat", aws.ToString(set.Username))
	assert.True(t, set.Permanent)

	_, err = c.AdminCreateConfirmedUser(ctx, "taken", "Perm-Pw-1", nil)
	require.ErrorIs(t, err, ErrUsernameExists)
}

func TestErrorMapping(t *testing.T) {
	for code, want := range codeSentinels {
		t.Run(code, func(t *testing.T) {
			err := wrapErr("Op", apiErr(code, "msg"))
			require.ErrorIs(t, err, want)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, code, ce.Code)
			assert.Equal(t, want, ce.Sentinel())
			assert.Equal(t, "cognito: Op: "+code+": msg", err.Error())
			for _, other := range codeSentinels {
				if other != want {
					assert.NotErrorIs(t, err, other)
				}
			}
		})
	}
	t.Run("unknown code", func(t *testing.T) {
		err := wrapErr("Op", apiErr("BrandNewException", ""))
		var ce *Error
		require.ErrorAs(t, err, &ce)
		assert.Nil(t, ce.Sentinel())
		assert.NotErrorIs(t, err, ErrNotAuthorized)
		assert.Equal(t, "cognito: Op: BrandNewException", err.Error())
	})
	t.Run("nil", func(t *testing.T) { assert.NoError(t, wrapErr("Op", nil)) })
}
