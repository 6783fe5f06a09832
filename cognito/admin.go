package cognito

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// The admin operations need IAM credentials allowed to call the matching
// cognito-idp:Admin* actions on the pool; they are for trusted back ends
// (user migration, provisioning, support tools), never for code users run.

// AdminCreateUserOptions are the options of AdminCreateUser.
type AdminCreateUserOptions struct {
	// TemporaryPassword is the password the user signs in with once, to
	// meet NEW_PASSWORD_REQUIRED. Default: Cognito generates one and sends
	// it in the invitation.
	TemporaryPassword string
	// Attributes are the user's attributes, e.g. "email".
	Attributes map[string]string
	// SuppressMessage sets MessageAction SUPPRESS: no invitation is sent.
	SuppressMessage bool
	// ResendInvitation sets MessageAction RESEND for an existing user.
	ResendInvitation bool
	// DeliveryMediums are "EMAIL" and/or "SMS" for the invitation.
	DeliveryMediums []string
	// ForceAliasCreation moves an e-mail or phone alias from another user.
	ForceAliasCreation bool
	// ClientMetadata is sent to the pool's Lambda triggers.
	ClientMetadata map[string]string
}

// AdminCreateUser creates a user in FORCE_CHANGE_PASSWORD state; their
// first sign-in meets NEW_PASSWORD_REQUIRED.
func (c *Client) AdminCreateUser(ctx context.Context, username string, optFns ...func(*AdminCreateUserOptions)) (*User, error) {
	o := AdminCreateUserOptions{ClientMetadata: c.metadata}
	for _, fn := range optFns {
		fn(&o)
	}
	in := &cip.AdminCreateUserInput{
		UserPoolId:         aws.String(c.userPoolID),
		Username:           aws.String(username),
		UserAttributes:     attributeList(o.Attributes),
		ForceAliasCreation: o.ForceAliasCreation,
		ClientMetadata:     o.ClientMetadata,
	}
	if o.TemporaryPassword != "" {
		in.TemporaryPassword = aws.String(o.TemporaryPassword)
	}
	switch {
	case o.SuppressMessage:
		in.MessageAction = types.MessageActionTypeSuppress
	case o.ResendInvitation:
		in.MessageAction = types.MessageActionTypeResend
	}
	for _, m := range o.DeliveryMediums {
		in.DesiredDeliveryMediums = append(in.DesiredDeliveryMediums, types.DeliveryMediumType(m))
	}
	out, err := c.api.AdminCreateUser(ctx, in, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("AdminCreateUser", err)
	}
	if out.User == nil {
		return nil, fmt.Errorf("cognito: AdminCreateUser: %w: no user", ErrInvalidResponse)
	}
	return userFrom(out.User), nil
}

func userFrom(u *types.UserType) *User {
	return &User{
		Username:     aws.ToString(u.Username),
		Attributes:   attributeMap(u.Attributes),
		Status:       string(u.UserStatus),
		Enabled:      u.Enabled,
		Created:      aws.ToTime(u.UserCreateDate),
		LastModified: aws.ToTime(u.UserLastModifiedDate),
	}
}

// AdminCreateConfirmedUser provisions a user who can sign in at once: it
// creates the user without sending an invitation (MessageAction SUPPRESS),
// marks a given email / phone_number verified, and sets password as
// permanent (AdminSetUserPassword), so the user is CONFIRMED and skips
// NEW_PASSWORD_REQUIRED. This is the usual step of a migration service.
func (c *Client) AdminCreateConfirmedUser(ctx context.Context, username, password string, attributes map[string]string) (*User, error) {
	attrs := make(map[string]string, len(attributes)+2)
	for k, v := range attributes {
		attrs[k] = v
	}
	if attrs["email"] != "" && attrs["email_verified"] == "" {
		attrs["email_verified"] = "true"
	}
	if attrs["phone_number"] != "" && attrs["phone_number_verified"] == "" {
		attrs["phone_number_verified"] = "true"
	}
	u, err := c.AdminCreateUser(ctx, username, func(o *AdminCreateUserOptions) {
		o.Attributes = attrs
		o.SuppressMessage = true
	})
	if err != nil {
		return nil, err
	}
	if err := c.AdminSetUserPassword(ctx, u.Username, password, true); err != nil {
		return nil, err
	}
	u.Status = string(types.UserStatusTypeConfirmed)
	return u, nil
}

// AdminSetUserPassword sets a user's password: permanent (the user is
// CONFIRMED) or temporary (FORCE_CHANGE_PASSWORD).
func (c *Client) AdminSetUserPassword(ctx context.Context, username, password string, permanent bool) error {
	_, err := c.api.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: aws.String(c.userPoolID),
		Username:   aws.String(username),
		Password:   aws.String(password),
		Permanent:  permanent,
	}, c.apiOptions...)
	return wrapErr("AdminSetUserPassword", err)
}

// AdminGetUser returns a user's attributes and status.
func (c *Client) AdminGetUser(ctx context.Context, username string) (*User, error) {
	out, err := c.api.AdminGetUser(ctx, &cip.AdminGetUserInput{
		UserPoolId: aws.String(c.userPoolID),
		Username:   aws.String(username),
	}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("AdminGetUser", err)
	}
	return &User{
		Username:     aws.ToString(out.Username),
		Attributes:   attributeMap(out.UserAttributes),
		Status:       string(out.UserStatus),
		Enabled:      out.Enabled,
		Created:      aws.ToTime(out.UserCreateDate),
		LastModified: aws.ToTime(out.UserLastModifiedDate),
		MFA:          out.UserMFASettingList,
		PreferredMFA: aws.ToString(out.PreferredMfaSetting),
	}, nil
}

// AdminUpdateUserAttributes sets a user's attributes.
func (c *Client) AdminUpdateUserAttributes(ctx context.Context, username string, attributes map[string]string) error {
	_, err := c.api.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId:     aws.String(c.userPoolID),
		Username:       aws.String(username),
		UserAttributes: attributeList(attributes),
		ClientMetadata: c.metadata,
	}, c.apiOptions...)
	return wrapErr("AdminUpdateUserAttributes", err)
}

// AdminDeleteUser deletes a user.
func (c *Client) AdminDeleteUser(ctx context.Context, username string) error {
	_, err := c.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(c.userPoolID), Username: aws.String(username)}, c.apiOptions...)
	return wrapErr("AdminDeleteUser", err)
}

// AdminDisableUser disables a user: sign-in and refresh fail with
// ErrNotAuthorized until AdminEnableUser.
func (c *Client) AdminDisableUser(ctx context.Context, username string) error {
	_, err := c.api.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(c.userPoolID), Username: aws.String(username)}, c.apiOptions...)
	return wrapErr("AdminDisableUser", err)
}

// AdminEnableUser enables a disabled user.
func (c *Client) AdminEnableUser(ctx context.Context, username string) error {
	_, err := c.api.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(c.userPoolID), Username: aws.String(username)}, c.apiOptions...)
	return wrapErr("AdminEnableUser", err)
}

// AdminConfirmSignUp confirms a signed-up user without a code.
func (c *Client) AdminConfirmSignUp(ctx context.Context, username string) error {
	_, err := c.api.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{
		UserPoolId:     aws.String(c.userPoolID),
		Username:       aws.String(username),
		ClientMetadata: c.metadata,
	}, c.apiOptions...)
	return wrapErr("AdminConfirmSignUp", err)
}

// AdminResetUserPassword invalidates a user's password: their next
// sign-in fails with ErrPasswordResetRequired until they complete
// ForgotPassword / ConfirmForgotPassword.
func (c *Client) AdminResetUserPassword(ctx context.Context, username string) error {
	_, err := c.api.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{
		UserPoolId:     aws.String(c.userPoolID),
		Username:       aws.String(username),
		ClientMetadata: c.metadata,
	}, c.apiOptions...)
	return wrapErr("AdminResetUserPassword", err)
}

// AdminUserGlobalSignOut revokes all of a user's refresh tokens.
func (c *Client) AdminUserGlobalSignOut(ctx context.Context, username string) error {
	_, err := c.api.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(c.userPoolID), Username: aws.String(username)}, c.apiOptions...)
	return wrapErr("AdminUserGlobalSignOut", err)
}

// AdminAddUserToGroup adds a user to a group (the group must exist).
func (c *Client) AdminAddUserToGroup(ctx context.Context, username, group string) error {
	_, err := c.api.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(c.userPoolID), Username: aws.String(username), GroupName: aws.String(group),
	}, c.apiOptions...)
	return wrapErr("AdminAddUserToGroup", err)
}

// AdminRemoveUserFromGroup removes a user from a group.
func (c *Client) AdminRemoveUserFromGroup(ctx context.Context, username, group string) error {
	_, err := c.api.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{
		UserPoolId: aws.String(c.userPoolID), Username: aws.String(username), GroupName: aws.String(group),
	}, c.apiOptions...)
	return wrapErr("AdminRemoveUserFromGroup", err)
}

// Group is a user-pool group as AdminListGroupsForUser reports it.
type Group struct {
	// Name is the group name.
	Name string
	// Description is the group's description.
	Description string
	// Precedence orders groups for the cognito:preferred_role claim; nil
	// when unset.
	Precedence *int32
	// RoleARN is the IAM role identity pools give the group's members.
	RoleARN string
}

// AdminListGroupsForUser returns every group the user belongs to,
// following pagination.
func (c *Client) AdminListGroupsForUser(ctx context.Context, username string) ([]Group, error) {
	var out []Group
	var next *string
	for page := 0; page < 1000; page++ {
		resp, err := c.api.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{
			UserPoolId: aws.String(c.userPoolID),
			Username:   aws.String(username),
			Limit:      aws.Int32(60),
			NextToken:  next,
		}, c.apiOptions...)
		if err != nil {
			return nil, wrapErr("AdminListGroupsForUser", err)
		}
		for _, g := range resp.Groups {
			out = append(out, Group{
				Name:        aws.ToString(g.GroupName),
				Description: aws.ToString(g.Description),
				Precedence:  g.Precedence,
				RoleARN:     aws.ToString(g.RoleArn),
			})
		}
		if aws.ToString(resp.NextToken) == "" {
			return out, nil
		}
		next = resp.NextToken
	}
	return nil, fmt.Errorf("cognito: AdminListGroupsForUser: %w: pagination does not end", ErrInvalidResponse)
}
