package cognito

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// CodeDelivery says where Cognito sent a code.
type CodeDelivery struct {
	// AttributeName is the attribute the code went to, e.g. "email".
	AttributeName string
	// DeliveryMedium is "EMAIL" or "SMS".
	DeliveryMedium string
	// Destination is the masked address, e.g. "a***@e***".
	Destination string
}

func codeDelivery(d *types.CodeDeliveryDetailsType) *CodeDelivery {
	if d == nil {
		return nil
	}
	return &CodeDelivery{
		AttributeName:  aws.ToString(d.AttributeName),
		DeliveryMedium: string(d.DeliveryMedium),
		Destination:    aws.ToString(d.Destination),
	}
}

// User is a user as GetUser or AdminGetUser reports it.
type User struct {
	// Username is the Cognito username.
	Username string
	// Attributes are the user's attributes (sub, email, email_verified, …).
	Attributes map[string]string
	// Status is the UserStatus (admin calls only), e.g. "CONFIRMED" or
	// "FORCE_CHANGE_PASSWORD".
	Status string
	// Enabled is false for a disabled user (admin calls only).
	Enabled bool
	// Created and LastModified are set by admin calls.
	Created, LastModified time.Time
	// MFA lists the MFA methods the user has enabled, e.g.
	// "SOFTWARE_TOKEN_MFA".
	MFA []string
	// PreferredMFA is the preferred MFA method, if any.
	PreferredMFA string
}

// Sub returns the sub attribute, the user's immutable ID.
func (u *User) Sub() string { return u.Attributes["sub"] }

// SignUpOptions are the per-call options of SignUp.
type SignUpOptions struct {
	// ValidationData is passed to the pre sign-up Lambda trigger.
	ValidationData map[string]string
	// ClientMetadata is sent to the pool's Lambda triggers.
	ClientMetadata map[string]string
}

// SignUpResult is the outcome of SignUp.
type SignUpResult struct {
	// UserSub is the new user's sub.
	UserSub string
	// UserConfirmed is true when no confirmation is needed (for example a
	// pre sign-up trigger auto-confirmed the user).
	UserConfirmed bool
	// CodeDelivery says where the confirmation code went, when one was
	// sent.
	CodeDelivery *CodeDelivery
}

// SignUp registers a new user with a password and attributes (e.g.
// "email"). Unless UserConfirmed, confirm with ConfirmSignUp and the code
// the user received.
func (c *Client) SignUp(ctx context.Context, username, password string, attributes map[string]string, optFns ...func(*SignUpOptions)) (*SignUpResult, error) {
	o := SignUpOptions{ClientMetadata: c.metadata}
	for _, fn := range optFns {
		fn(&o)
	}
	out, err := c.api.SignUp(ctx, &cip.SignUpInput{
		ClientId:       aws.String(c.clientID),
		Username:       aws.String(username),
		Password:       aws.String(password),
		SecretHash:     c.secretHashPtr(username),
		UserAttributes: attributeList(attributes),
		ValidationData: attributeList(o.ValidationData),
		ClientMetadata: o.ClientMetadata,
	}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("SignUp", err)
	}
	return &SignUpResult{
		UserSub:       aws.ToString(out.UserSub),
		UserConfirmed: out.UserConfirmed,
		CodeDelivery:  codeDelivery(out.CodeDeliveryDetails),
	}, nil
}

// ConfirmSignUp confirms a signed-up user with the code they received.
func (c *Client) ConfirmSignUp(ctx context.Context, username, code string) error {
	_, err := c.api.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId:         aws.String(c.clientID),
		Username:         aws.String(username),
		ConfirmationCode: aws.String(code),
		SecretHash:       c.secretHashPtr(username),
		ClientMetadata:   c.metadata,
	}, c.apiOptions...)
	return wrapErr("ConfirmSignUp", err)
}

// ResendConfirmationCode sends a new sign-up confirmation code.
func (c *Client) ResendConfirmationCode(ctx context.Context, username string) (*CodeDelivery, error) {
	out, err := c.api.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{
		ClientId:       aws.String(c.clientID),
		Username:       aws.String(username),
		SecretHash:     c.secretHashPtr(username),
		ClientMetadata: c.metadata,
	}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("ResendConfirmationCode", err)
	}
	return codeDelivery(out.CodeDeliveryDetails), nil
}

// ForgotPassword sends the user a code to reset a forgotten password;
// follow with ConfirmForgotPassword.
func (c *Client) ForgotPassword(ctx context.Context, username string) (*CodeDelivery, error) {
	out, err := c.api.ForgotPassword(ctx, &cip.ForgotPasswordInput{
		ClientId:       aws.String(c.clientID),
		Username:       aws.String(username),
		SecretHash:     c.secretHashPtr(username),
		ClientMetadata: c.metadata,
	}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("ForgotPassword", err)
	}
	return codeDelivery(out.CodeDeliveryDetails), nil
}

// ConfirmForgotPassword sets a new password with the code from
// ForgotPassword.
func (c *Client) ConfirmForgotPassword(ctx context.Context, username, code, newPassword string) error {
	_, err := c.api.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{
		ClientId:         aws.String(c.clientID),
		Username:         aws.String(username),
		ConfirmationCode: aws.String(code),
		Password:         aws.String(newPassword),
		SecretHash:       c.secretHashPtr(username),
		ClientMetadata:   c.metadata,
	}, c.apiOptions...)
	return wrapErr("ConfirmForgotPassword", err)
}

// ChangePassword changes the signed-in user's password.
func (c *Client) ChangePassword(ctx context.Context, accessToken, previousPassword, proposedPassword string) error {
	_, err := c.api.ChangePassword(ctx, &cip.ChangePasswordInput{
		AccessToken:      aws.String(accessToken),
		PreviousPassword: aws.String(previousPassword),
		ProposedPassword: aws.String(proposedPassword),
	}, c.apiOptions...)
	return wrapErr("ChangePassword", err)
}

// GetUser returns the signed-in user's username and attributes.
func (c *Client) GetUser(ctx context.Context, accessToken string) (*User, error) {
	out, err := c.api.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String(accessToken)}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("GetUser", err)
	}
	return &User{
		Username:     aws.ToString(out.Username),
		Attributes:   attributeMap(out.UserAttributes),
		Enabled:      true,
		MFA:          out.UserMFASettingList,
		PreferredMFA: aws.ToString(out.PreferredMfaSetting),
	}, nil
}

// UpdateUserAttributes changes the signed-in user's attributes. Changing
// e-mail or phone sends a verification code (see VerifyUserAttribute);
// where it went is returned.
func (c *Client) UpdateUserAttributes(ctx context.Context, accessToken string, attributes map[string]string) ([]CodeDelivery, error) {
	out, err := c.api.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{
		AccessToken:    aws.String(accessToken),
		UserAttributes: attributeList(attributes),
		ClientMetadata: c.metadata,
	}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("UpdateUserAttributes", err)
	}
	var ds []CodeDelivery
	for i := range out.CodeDeliveryDetailsList {
		ds = append(ds, *codeDelivery(&out.CodeDeliveryDetailsList[i]))
	}
	return ds, nil
}

// GetUserAttributeVerificationCode sends a code to verify attribute
// ("email" or "phone_number").
func (c *Client) GetUserAttributeVerificationCode(ctx context.Context, accessToken, attribute string) (*CodeDelivery, error) {
	out, err := c.api.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{
		AccessToken:    aws.String(accessToken),
		AttributeName:  aws.String(attribute),
		ClientMetadata: c.metadata,
	}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("GetUserAttributeVerificationCode", err)
	}
	return codeDelivery(out.CodeDeliveryDetails), nil
}

// VerifyUserAttribute verifies attribute with the code the user received.
func (c *Client) VerifyUserAttribute(ctx context.Context, accessToken, attribute, code string) error {
	_, err := c.api.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{
		AccessToken:   aws.String(accessToken),
		AttributeName: aws.String(attribute),
		Code:          aws.String(code),
	}, c.apiOptions...)
	return wrapErr("VerifyUserAttribute", err)
}

// DeleteUser deletes the signed-in user.
func (c *Client) DeleteUser(ctx context.Context, accessToken string) error {
	_, err := c.api.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: aws.String(accessToken)}, c.apiOptions...)
	return wrapErr("DeleteUser", err)
}

// GlobalSignOut revokes every refresh token of the signed-in user and
// invalidates their access tokens, on every device.
func (c *Client) GlobalSignOut(ctx context.Context, accessToken string) error {
	_, err := c.api.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(accessToken)}, c.apiOptions...)
	return wrapErr("GlobalSignOut", err)
}

// RevokeToken revokes one refresh token and the access tokens issued from
// it: signing out on this device only. The client secret, if any, is sent.
func (c *Client) RevokeToken(ctx context.Context, refreshToken string) error {
	if refreshToken == "" {
		return fmt.Errorf("cognito: RevokeToken: %w", ErrNoRefreshToken)
	}
	in := &cip.RevokeTokenInput{ClientId: aws.String(c.clientID), Token: aws.String(refreshToken)}
	if c.clientSecret != "" {
		in.ClientSecret = aws.String(c.clientSecret)
	}
	_, err := c.api.RevokeToken(ctx, in, c.apiOptions...)
	return wrapErr("RevokeToken", err)
}

// AssociateSoftwareToken starts adding an authenticator app for the
// signed-in user; follow with VerifySoftwareToken and then
// SetMFAPreference. The URI is labelled issuer:account.
func (c *Client) AssociateSoftwareToken(ctx context.Context, accessToken, issuer, account string) (*TOTPSetup, error) {
	out, err := c.api.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(accessToken)}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("AssociateSoftwareToken", err)
	}
	secret := aws.ToString(out.SecretCode)
	if secret == "" {
		return nil, fmt.Errorf("cognito: AssociateSoftwareToken: %w: no secret code", ErrInvalidResponse)
	}
	return &TOTPSetup{Secret: secret, URI: TOTPURI(secret, issuer, account)}, nil
}

// VerifySoftwareToken checks a code from the authenticator added with
// AssociateSoftwareToken.
func (c *Client) VerifySoftwareToken(ctx context.Context, accessToken, code, friendlyName string) error {
	in := &cip.VerifySoftwareTokenInput{AccessToken: aws.String(accessToken), UserCode: aws.String(code)}
	if friendlyName != "" {
		in.FriendlyDeviceName = aws.String(friendlyName)
	}
	out, err := c.api.VerifySoftwareToken(ctx, in, c.apiOptions...)
	if err != nil {
		return wrapErr("VerifySoftwareToken", err)
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return &Error{Op: "VerifySoftwareToken", Code: "EnableSoftwareTokenMFAException", Message: "verification status " + string(out.Status), sentinel: ErrEnableSoftwareTokenMFA}
	}
	return nil
}

// SetMFAPreference enables or disables TOTP MFA for the signed-in user and
// makes it preferred when enabled.
func (c *Client) SetMFAPreference(ctx context.Context, accessToken string, totp bool) error {
	_, err := c.api.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{
		AccessToken:              aws.String(accessToken),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: totp, PreferredMfa: totp},
	}, c.apiOptions...)
	return wrapErr("SetUserMFAPreference", err)
}
