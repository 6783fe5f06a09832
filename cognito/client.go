package cognito

import (
	"context"
	"crypto/rand"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// API is the subset of the cognito-idp operations the Client calls.
// *cognitoidentityprovider.Client satisfies it; tests can fake it.
type API interface {
	InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, optFns ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, optFns ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error)
	AdminInitiateAuth(ctx context.Context, in *cip.AdminInitiateAuthInput, optFns ...func(*cip.Options)) (*cip.AdminInitiateAuthOutput, error)
	AdminRespondToAuthChallenge(ctx context.Context, in *cip.AdminRespondToAuthChallengeInput, optFns ...func(*cip.Options)) (*cip.AdminRespondToAuthChallengeOutput, error)
	AssociateSoftwareToken(ctx context.Context, in *cip.AssociateSoftwareTokenInput, optFns ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error)
	VerifySoftwareToken(ctx context.Context, in *cip.VerifySoftwareTokenInput, optFns ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error)
	SetUserMFAPreference(ctx context.Context, in *cip.SetUserMFAPreferenceInput, optFns ...func(*cip.Options)) (*cip.SetUserMFAPreferenceOutput, error)
	GetTokensFromRefreshToken(ctx context.Context, in *cip.GetTokensFromRefreshTokenInput, optFns ...func(*cip.Options)) (*cip.GetTokensFromRefreshTokenOutput, error)

	StartWebAuthnRegistration(ctx context.Context, in *cip.StartWebAuthnRegistrationInput, optFns ...func(*cip.Options)) (*cip.StartWebAuthnRegistrationOutput, error)
	CompleteWebAuthnRegistration(ctx context.Context, in *cip.CompleteWebAuthnRegistrationInput, optFns ...func(*cip.Options)) (*cip.CompleteWebAuthnRegistrationOutput, error)
	ListWebAuthnCredentials(ctx context.Context, in *cip.ListWebAuthnCredentialsInput, optFns ...func(*cip.Options)) (*cip.ListWebAuthnCredentialsOutput, error)
	DeleteWebAuthnCredential(ctx context.Context, in *cip.DeleteWebAuthnCredentialInput, optFns ...func(*cip.Options)) (*cip.DeleteWebAuthnCredentialOutput, error)
	GetUserAuthFactors(ctx context.Context, in *cip.GetUserAuthFactorsInput, optFns ...func(*cip.Options)) (*cip.GetUserAuthFactorsOutput, error)

	ConfirmDevice(ctx context.Context, in *cip.ConfirmDeviceInput, optFns ...func(*cip.Options)) (*cip.ConfirmDeviceOutput, error)
	UpdateDeviceStatus(ctx context.Context, in *cip.UpdateDeviceStatusInput, optFns ...func(*cip.Options)) (*cip.UpdateDeviceStatusOutput, error)
	ListDevices(ctx context.Context, in *cip.ListDevicesInput, optFns ...func(*cip.Options)) (*cip.ListDevicesOutput, error)
	ForgetDevice(ctx context.Context, in *cip.ForgetDeviceInput, optFns ...func(*cip.Options)) (*cip.ForgetDeviceOutput, error)

	SignUp(ctx context.Context, in *cip.SignUpInput, optFns ...func(*cip.Options)) (*cip.SignUpOutput, error)
	ConfirmSignUp(ctx context.Context, in *cip.ConfirmSignUpInput, optFns ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error)
	ResendConfirmationCode(ctx context.Context, in *cip.ResendConfirmationCodeInput, optFns ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error)
	ForgotPassword(ctx context.Context, in *cip.ForgotPasswordInput, optFns ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error)
	ConfirmForgotPassword(ctx context.Context, in *cip.ConfirmForgotPasswordInput, optFns ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error)
	ChangePassword(ctx context.Context, in *cip.ChangePasswordInput, optFns ...func(*cip.Options)) (*cip.ChangePasswordOutput, error)
	GetUser(ctx context.Context, in *cip.GetUserInput, optFns ...func(*cip.Options)) (*cip.GetUserOutput, error)
	UpdateUserAttributes(ctx context.Context, in *cip.UpdateUserAttributesInput, optFns ...func(*cip.Options)) (*cip.UpdateUserAttributesOutput, error)
	GetUserAttributeVerificationCode(ctx context.Context, in *cip.GetUserAttributeVerificationCodeInput, optFns ...func(*cip.Options)) (*cip.GetUserAttributeVerificationCodeOutput, error)
	VerifyUserAttribute(ctx context.Context, in *cip.VerifyUserAttributeInput, optFns ...func(*cip.Options)) (*cip.VerifyUserAttributeOutput, error)
	DeleteUser(ctx context.Context, in *cip.DeleteUserInput, optFns ...func(*cip.Options)) (*cip.DeleteUserOutput, error)
	GlobalSignOut(ctx context.Context, in *cip.GlobalSignOutInput, optFns ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error)
	RevokeToken(ctx context.Context, in *cip.RevokeTokenInput, optFns ...func(*cip.Options)) (*cip.RevokeTokenOutput, error)

	AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput, optFns ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	AdminSetUserPassword(ctx context.Context, in *cip.AdminSetUserPasswordInput, optFns ...func(*cip.Options)) (*cip.AdminSetUserPasswordOutput, error)
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, optFns ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	AdminUpdateUserAttributes(ctx context.Context, in *cip.AdminUpdateUserAttributesInput, optFns ...func(*cip.Options)) (*cip.AdminUpdateUserAttributesOutput, error)
	AdminDeleteUser(ctx context.Context, in *cip.AdminDeleteUserInput, optFns ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
	AdminDisableUser(ctx context.Context, in *cip.AdminDisableUserInput, optFns ...func(*cip.Options)) (*cip.AdminDisableUserOutput, error)
	AdminEnableUser(ctx context.Context, in *cip.AdminEnableUserInput, optFns ...func(*cip.Options)) (*cip.AdminEnableUserOutput, error)
	AdminConfirmSignUp(ctx context.Context, in *cip.AdminConfirmSignUpInput, optFns ...func(*cip.Options)) (*cip.AdminConfirmSignUpOutput, error)
	AdminResetUserPassword(ctx context.Context, in *cip.AdminResetUserPasswordInput, optFns ...func(*cip.Options)) (*cip.AdminResetUserPasswordOutput, error)
	AdminUserGlobalSignOut(ctx context.Context, in *cip.AdminUserGlobalSignOutInput, optFns ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error)
	AdminAddUserToGroup(ctx context.Context, in *cip.AdminAddUserToGroupInput, optFns ...func(*cip.Options)) (*cip.AdminAddUserToGroupOutput, error)
	AdminRemoveUserFromGroup(ctx context.Context, in *cip.AdminRemoveUserFromGroupInput, optFns ...func(*cip.Options)) (*cip.AdminRemoveUserFromGroupOutput, error)
	AdminListGroupsForUser(ctx context.Context, in *cip.AdminListGroupsForUserInput, optFns ...func(*cip.Options)) (*cip.AdminListGroupsForUserOutput, error)
	AdminLinkProviderForUser(ctx context.Context, in *cip.AdminLinkProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminLinkProviderForUserOutput, error)
	AdminDisableProviderForUser(ctx context.Context, in *cip.AdminDisableProviderForUserInput, optFns ...func(*cip.Options)) (*cip.AdminDisableProviderForUserOutput, error)
}

var _ API = (*cip.Client)(nil)

// Options configures a Client. The zero value of every field means the
// documented default.
type Options struct {
	// ClientSecret is the app client's secret, for app clients created with
	// one. When set, every call that Cognito requires it for carries
	// SECRET_HASH (and RevokeToken the secret itself).
	ClientSecret string
	// Clock returns the current time; it stamps the SRP TIMESTAMP and token
	// expiry. Default time.Now.
	Clock func() time.Time
	// Rand is the source of SRP private values and device passwords.
	// Default crypto/rand.Reader.
	Rand io.Reader
	// DeviceStore keeps remembered devices' keys and secrets. Default: an
	// in-memory store private to the Client (NewMemoryDeviceStore).
	DeviceStore DeviceStore
	// ClientMetadata is sent with every sign-in and challenge answer for the
	// pool's Lambda triggers.
	ClientMetadata map[string]string
	// APIOptions are passed to every API call (for example to add
	// middleware or change retries per call).
	APIOptions []func(*cip.Options)
	// RotateRefreshTokens makes every refresh go through
	// GetTokensFromRefreshToken, as an app client with refresh-token
	// rotation requires; the new refresh token it returns replaces the old
	// one. Left false, refreshes use InitiateAuth REFRESH_TOKEN_AUTH and
	// switch to GetTokensFromRefreshToken for good the first time Cognito
	// answers that the flow is not enabled for the app client (see
	// Client.Refresh).
	RotateRefreshTokens bool
}

// Client is a Cognito user-pool client for one app client. It is safe for
// concurrent use; a sign-in's Challenge is not.
type Client struct {
	api          API
	userPoolID   string
	clientID     string
	poolName     string
	clientSecret string
	clock        func() time.Time
	rand         io.Reader
	devices      DeviceStore
	metadata     map[string]string
	apiOptions   []func(*cip.Options)
	// rotate is set when refreshes go through GetTokensFromRefreshToken
	// (Options.RotateRefreshTokens, or detected); a pointer, as Client
	// values are copied by Format.
	rotate *atomic.Bool
}

// New returns a Client for the app client clientID of the user pool
// userPoolID (e.g. "us-east-1_AbCdEf123"), calling Cognito through a
// cognitoidentityprovider.Client built from cfg. Point cfg at an emulator
// with cfg.BaseEndpoint or AWS_ENDPOINT_URL. A malformed userPoolID makes
// every call fail with ErrInvalidUserPoolID before anything is sent.
func New(cfg aws.Config, userPoolID, clientID string, optFns ...func(*Options)) *Client {
	return NewFromAPI(cip.NewFromConfig(cfg), userPoolID, clientID, optFns...)
}

// NewFromAPI is New with an existing API implementation, such as a
// *cognitoidentityprovider.Client configured by the caller or a test fake.
func NewFromAPI(api API, userPoolID, clientID string, optFns ...func(*Options)) *Client {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	c := &Client{
		api:          api,
		userPoolID:   userPoolID,
		clientID:     clientID,
		poolName:     srp.PoolName(userPoolID),
		clientSecret: o.ClientSecret,
		clock:        o.Clock,
		rand:         o.Rand,
		devices:      o.DeviceStore,
		metadata:     o.ClientMetadata,
		apiOptions:   o.APIOptions,
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.rand == nil {
		c.rand = rand.Reader
	}
	if c.devices == nil {
		c.devices = NewMemoryDeviceStore()
	}
	c.rotate = new(atomic.Bool)
	c.rotate.Store(o.RotateRefreshTokens)
	if err := checkUserPoolID(userPoolID); err != nil {
		// Refused at the first call, where the caller handles errors.
		c.apiOptions = append([]func(*cip.Options){refuseEveryCall(err)}, c.apiOptions...)
	}
	return c
}

// UserPoolID returns the user pool ID the Client was made for.
func (c *Client) UserPoolID() string { return c.userPoolID }

// ClientID returns the app client ID the Client was made for.
func (c *Client) ClientID() string { return c.clientID }

// API returns the API implementation the Client calls, for operations this
// package does not wrap.
func (c *Client) API() API { return c.api }

// secretHash returns SECRET_HASH for username, or "" without a secret.
func (c *Client) secretHash(username string) string {
	if c.clientSecret == "" {
		return ""
	}
	return srp.SecretHash(username, c.clientID, c.clientSecret)
}

// secretHashPtr is secretHash as an optional SDK field.
func (c *Client) secretHashPtr(username string) *string {
	if c.clientSecret == "" {
		return nil
	}
	return aws.String(c.secretHash(username))
}

// setSecretHash adds SECRET_HASH to m when the client has a secret.
func (c *Client) setSecretHash(m map[string]string, username string) {
	if c.clientSecret != "" {
		m["SECRET_HASH"] = c.secretHash(username)
	}
}

// attributeList converts a map to Cognito attributes in a stable order.
func attributeList(attrs map[string]string) []types.AttributeType {
	if len(attrs) == 0 {
		return nil
	}
	keys := sortedKeys(attrs)
	out := make([]types.AttributeType, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.AttributeType{Name: aws.String(k), Value: aws.String(attrs[k])})
	}
	return out
}

// attributeMap converts Cognito attributes to a map.
func attributeMap(attrs []types.AttributeType) map[string]string {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
