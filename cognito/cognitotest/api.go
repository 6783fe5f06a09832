package cognitotest

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

// Message is one code or notice a pool "sent": a sign-up confirmation
// code, a forgot-password code, an invitation with a temporary password,
// an SMS or e-mail MFA code, an attribute verification code.
type Message struct {
	PoolID      string `json:"poolId"`      // the pool that sent it
	Username    string `json:"username"`    // the user's real username
	Destination string `json:"destination"` // the e-mail address or phone number
	Medium      string `json:"medium"`      // "EMAIL" or "SMS"
	Kind        string `json:"kind"`        // KindSignUp, KindForgotPassword, ...
	Code        string `json:"code"`        // the code, or the temporary password for KindInvitation
	// Subject is an e-mail's subject when a custom message trigger set
	// one ("" otherwise).
	Subject string    `json:"subject,omitempty"`
	Body    string    `json:"body"` // the text a user would have received (a custom message trigger's, placeholders filled in)
	Time    time.Time `json:"time"` // when, on the server clock
}

// PasswordPolicy is a pool's password policy. The zero value of
// PoolOptions.PasswordPolicy (nil) means Cognito's default: at least 8
// characters with upper case, lower case, a number and a symbol.
type PasswordPolicy struct {
	MinimumLength                 int  `json:"minimumLength"`                 // 6-99; 0 means 8
	RequireUppercase              bool `json:"requireUppercase"`              // at least one upper-case letter
	RequireLowercase              bool `json:"requireLowercase"`              // at least one lower-case letter
	RequireNumbers                bool `json:"requireNumbers"`                // at least one digit
	RequireSymbols                bool `json:"requireSymbols"`                // at least one of Cognito's symbols
	TemporaryPasswordValidityDays int  `json:"temporaryPasswordValidityDays"` // 0 means 7
}

// PoolOptions describes a user pool for CreateUserPool.
type PoolOptions struct {
	Name string // default "cognitotest"
	// ID fixes the pool ID (region + "_" + letters and digits), for seeded
	// configurations; empty generates one.
	ID                 string
	UsernameAttributes []string // "email" / "phone_number": users sign in with them, usernames are generated UUIDs
	AliasAttributes    []string // "email", "phone_number", "preferred_username"
	// AutoVerifiedAttributes receive the sign-up confirmation code. nil
	// means []string{"email"}; pass an empty non-nil slice for none.
	AutoVerifiedAttributes []string
	RequiredAttributes     []string        // standard attributes required at sign-up, e.g. "name"
	CustomAttributes       []string        // custom string attributes, without the "custom:" prefix
	MFA                    string          // "OFF" (default), "ON", "OPTIONAL"
	PasswordPolicy         *PasswordPolicy // nil: Cognito's default policy
	AdminCreateUserOnly    bool            // refuse SignUp
	// CaseSensitive makes usernames case-sensitive. The default here is
	// case-insensitive, Cognito's recommendation (CreateUserPool over the
	// API defaults to case-sensitive, as Cognito's API does).
	CaseSensitive bool
	// DeviceTracking turns on device tracking: sign-ins return
	// NewDeviceMetadata, and confirmed devices are remembered unless
	// DeviceOnlyRememberedOnUserPrompt.
	DeviceTracking bool
	// DeviceOnlyRememberedOnUserPrompt leaves confirmed devices
	// not_remembered until UpdateDeviceStatus (implies DeviceTracking).
	DeviceOnlyRememberedOnUserPrompt bool
	// Tier is the feature plan: "LITE", "ESSENTIALS" (the default) or
	// "PLUS". Passwordless sign-in and passkeys need ESSENTIALS or PLUS.
	Tier string
	// ThreatProtection is UserPoolAddOns.AdvancedSecurityMode: "OFF" (the
	// default, also ""), "AUDIT" or "ENFORCED", which need Tier "PLUS".
	// While it is on, the pool records auth events.
	ThreatProtection string
	// SignInFactors are the first factors USER_AUTH offers (the sign-in
	// policy's AllowedFirstAuthFactors): "PASSWORD", which must be among
	// them, "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN". nil means PASSWORD only.
	SignInFactors []string
	// WebAuthnRelyingPartyID is the passkeys' relying-party ID (a domain,
	// e.g. "auth.example.com"); empty leaves passkeys unconfigured.
	WebAuthnRelyingPartyID string
	// WebAuthnUserVerification is "preferred" (the default) or "required".
	WebAuthnUserVerification string
	// LambdaConfig names the pool's Lambda triggers by function ARN, as
	// CreateUserPool's LambdaConfig does; register the functions with
	// RegisterFunction or AddFunction. nil: no triggers.
	LambdaConfig *LambdaConfig
}

// ClientOptions describes an app client for CreateUserPoolClient.
type ClientOptions struct {
	Name string // default "cognitotest-client"
	// ID and Secret fix the client ID and secret (seeded configurations);
	// empty generates them (a secret only with GenerateSecret).
	ID, Secret     string
	GenerateSecret bool // give the client a secret (SECRET_HASH becomes mandatory)
	// ExplicitAuthFlows; nil means ALLOW_USER_SRP_AUTH,
	// ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH,
	// ALLOW_ADMIN_USER_PASSWORD_AUTH and ALLOW_CUSTOM_AUTH.
	ExplicitAuthFlows []string
	// Token lifetimes; zero means Cognito's defaults (1 h, 1 h, 30 days).
	// Cognito's bounds apply: access and ID tokens 5 minutes to 1 day,
	// refresh tokens 1 hour to 10 years.
	AccessTokenValidity, IDTokenValidity, RefreshTokenValidity time.Duration
	// ReadAttributes limits the attributes put in ID tokens,
	// WriteAttributes those SignUp and UpdateUserAttributes may set; empty
	// means all.
	ReadAttributes, WriteAttributes []string
	// CallbackURLs and LogoutURLs are the hosted UI's allowed redirects.
	CallbackURLs, LogoutURLs   []string
	AllowedOAuthFlows          []string // "code", "implicit", "client_credentials"
	AllowedOAuthScopes         []string // e.g. "openid", "email", "profile"
	SupportedIdentityProviders []string // default ["COGNITO"]
	// PreventUserExistenceErrors answers an unknown user as a wrong
	// password ("Incorrect username or password.") instead of
	// UserNotFoundException.
	PreventUserExistenceErrors bool
	// RotateRefreshTokens turns on refresh-token rotation: refreshes go
	// through GetTokensFromRefreshToken, each answering a new refresh token
	// while the old one works for RetryGracePeriod (0 to 60 s) more. nil
	// ExplicitAuthFlows then leave ALLOW_REFRESH_TOKEN_AUTH out.
	RotateRefreshTokens bool
	RetryGracePeriod    time.Duration
}

// AppClient is a created app client: its ID and, when it has one, its
// secret (for SECRET_HASH).
type AppClient struct{ ID, Secret string }

// String shows the client ID and hides the secret.
func (c AppClient) String() string {
	if c.Secret == "" {
		return "AppClient{ID: " + c.ID + "}"
	}
	return "AppClient{ID: " + c.ID + ", Secret: <redacted>}"
}

// Format prints String with every verb (%#v and %d included), so that no
// verb shows the secret.
func (c AppClient) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// Message kinds in the outbox (Message.Kind).
const (
	KindSignUp          = userpool.KindSignUp          // ConfirmSignUp code (SignUp, ResendConfirmationCode)
	KindForgotPassword  = userpool.KindForgotPassword  // ConfirmForgotPassword code
	KindInvitation      = userpool.KindInvitation      // AdminCreateUser temporary password (in Code)
	KindVerifyAttribute = userpool.KindVerifyAttribute // VerifyUserAttribute code
	KindMFA             = userpool.KindMFA             // SMS_MFA / EMAIL_OTP sign-in code
	KindAuthentication  = userpool.KindAuthentication  // reserved for custom-auth hooks that send codes
)

// Hosted-UI lifetimes, as Cognito's.
const (
	// AuthCodeLifetime is how long an authorization code may be exchanged.
	AuthCodeLifetime = userpool.AuthCodeLifetime
	// HostedSessionLifetime is how long the hosted UI's session cookie
	// signs a user in again without a password.
	HostedSessionLifetime = userpool.HostedSessionLifetime
)

func (o PoolOptions) internal() userpool.PoolOptions {
	out := userpool.PoolOptions{Name: o.Name, ID: o.ID, UsernameAttributes: o.UsernameAttributes,
		AliasAttributes: o.AliasAttributes, AutoVerifiedAttributes: o.AutoVerifiedAttributes,
		RequiredAttributes: o.RequiredAttributes, CustomAttributes: o.CustomAttributes, MFA: o.MFA,
		AdminCreateUserOnly: o.AdminCreateUserOnly, CaseSensitive: o.CaseSensitive, DeviceTracking: o.DeviceTracking,
		DeviceOnlyRememberedOnUserPrompt: o.DeviceOnlyRememberedOnUserPrompt, Tier: o.Tier, SignInFactors: o.SignInFactors,
		ThreatProtection:       o.ThreatProtection,
		WebAuthnRelyingPartyID: o.WebAuthnRelyingPartyID, WebAuthnUserVerification: o.WebAuthnUserVerification}
	if o.PasswordPolicy != nil {
		pp := userpool.PasswordPolicy(*o.PasswordPolicy)
		out.PasswordPolicy = &pp
	}
	if o.LambdaConfig != nil {
		out.LambdaConfig, _ = json.Marshal(o.LambdaConfig) // plain strings: cannot fail
	}
	return out
}

// CreateUserPool creates a user pool and returns its ID.
func (s *Server) CreateUserPool(o PoolOptions) (poolID string, err error) {
	id, err := s.up.CreatePool(o.internal())
	return id, wrap(err)
}

// MustCreateUserPool is CreateUserPool for tests and examples: it panics
// on error.
func (s *Server) MustCreateUserPool(o PoolOptions) (poolID string) { return must(s.CreateUserPool(o)) }

// CreateUserPoolClient creates an app client in the pool.
func (s *Server) CreateUserPoolClient(poolID string, o ClientOptions) (AppClient, error) {
	c, err := s.up.NewClient(poolID, userpool.ClientOptions(o))
	return AppClient(c), wrap(err)
}

// MustCreateUserPoolClient is CreateUserPoolClient for tests and examples:
// it panics on error.
func (s *Server) MustCreateUserPoolClient(poolID string, o ClientOptions) AppClient {
	return must(s.CreateUserPoolClient(poolID, o))
}

// CreateUser creates a CONFIRMED user with a permanent password and the
// given attributes (email and phone_number are marked verified unless
// attrs says otherwise) and returns its sub. In pools with
// UsernameAttributes, username is the e-mail address or phone number and
// the real username is the generated sub. It fails on an unknown pool, a
// password outside the policy, or an existing user.
func (s *Server) CreateUser(poolID, username, password string, attrs map[string]string) (sub string, err error) {
	sub, err = s.up.AddUser(poolID, username, password, attrs)
	return sub, wrap(err)
}

// MustCreateUser is CreateUser for tests and examples: it panics on error.
func (s *Server) MustCreateUser(poolID, username, password string, attrs map[string]string) (sub string) {
	return must(s.CreateUser(poolID, username, password, attrs))
}

// CreateGroup creates a group (precedence nil when negative). It fails
// when the pool does not exist or the group does.
func (s *Server) CreateGroup(poolID, name, roleArn string, precedence int) error {
	return wrap(s.up.CreateGroup(poolID, name, "", roleArn, precedence))
}

// MustCreateGroup is CreateGroup for tests and examples: it panics on
// error.
func (s *Server) MustCreateGroup(poolID, name, roleArn string, precedence int) {
	mustDo(s.CreateGroup(poolID, name, roleArn, precedence))
}

// AddUserToGroup adds a user to a group. It fails when either is missing.
func (s *Server) AddUserToGroup(poolID, username, groupName string) error {
	return wrap(s.up.AddUserToGroup(poolID, username, groupName))
}

// MustAddUserToGroup is AddUserToGroup for tests and examples: it panics
// on error.
func (s *Server) MustAddUserToGroup(poolID, username, groupName string) {
	mustDo(s.AddUserToGroup(poolID, username, groupName))
}

// Messages returns a copy of everything the pool "sent", oldest first
// (the last 1000 messages per pool are kept).
func (s *Server) Messages(poolID string) []Message {
	in := s.up.Messages(poolID)
	if in == nil {
		return nil
	}
	out := make([]Message, len(in))
	for i, m := range in {
		out[i] = Message(m)
	}
	return out
}

// LastCode returns the code of the last message sent to a user (username,
// alias or sub), and whether there was one.
func (s *Server) LastCode(poolID, username string) (code string, ok bool) {
	return s.up.LastCode(poolID, username)
}

// TOTP returns the current RFC 6238 code (SHA-1, 30 s, 6 digits) of a
// base32 secret (as AssociateSoftwareToken returns it) at the server's
// clock. It fails on a secret that is not base32.
func (s *Server) TOTP(secret string) (string, error) { return s.up.TOTP(secret) }

// MustTOTP is TOTP for tests: it panics on error.
func (s *Server) MustTOTP(secret string) string { return must(s.TOTP(secret)) }
