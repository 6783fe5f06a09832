package cognitotest

import (
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

// Message is one code or notice a pool "sent": a sign-up confirmation
// code, a forgot-password code, an invitation with a temporary password,
// an SMS or e-mail MFA code, an attribute verification code.
type Message struct {
	PoolID      string    `json:"poolId"`      // the pool that sent it
	Username    string    `json:"username"`    // the user's real username
	Destination string    `json:"destination"` // the e-mail address or phone number
	Medium      string    `json:"medium"`      // "EMAIL" or "SMS"
	Kind        string    `json:"kind"`        // KindSignUp, KindForgotPassword, ...
	Code        string    `json:"code"`        // the code, or the temporary password for KindInvitation
	Body        string    `json:"body"`        // the text a user would have received
	Time        time.Time `json:"time"`        // when, on the server clock
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
}

// ClientOptions describes an app client for CreateClient.
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
		DeviceOnlyRememberedOnUserPrompt: o.DeviceOnlyRememberedOnUserPrompt}
	if o.PasswordPolicy != nil {
		pp := userpool.PasswordPolicy(*o.PasswordPolicy)
		out.PasswordPolicy = &pp
	}
	return out
}

// CreatePool is CreateUserPool that returns errors instead of panicking.
func (s *Server) CreatePool(o PoolOptions) (string, error) {
	id, err := s.up.CreatePool(o.internal())
	return id, wrap(err)
}

// CreateUserPool creates a user pool and returns its ID. For tests and
// examples: it panics on invalid options.
func (s *Server) CreateUserPool(o PoolOptions) (poolID string) {
	id, err := s.CreatePool(o)
	if err != nil {
		panic(err)
	}
	return id
}

// NewClient is CreateClient that returns errors instead of panicking.
func (s *Server) NewClient(poolID string, o ClientOptions) (AppClient, error) {
	c, err := s.up.NewClient(poolID, userpool.ClientOptions(o))
	return AppClient(c), wrap(err)
}

// CreateClient creates an app client in the pool. For tests and examples:
// it panics when the pool does not exist or the options are invalid.
func (s *Server) CreateClient(poolID string, o ClientOptions) AppClient {
	c, err := s.NewClient(poolID, o)
	if err != nil {
		panic(err)
	}
	return c
}

// AddUser is CreateUser that returns errors instead of panicking.
func (s *Server) AddUser(poolID, username, password string, attrs map[string]string) (string, error) {
	sub, err := s.up.AddUser(poolID, username, password, attrs)
	return sub, wrap(err)
}

// CreateUser creates a CONFIRMED user with a permanent password and the
// given attributes (email and phone_number are marked verified unless
// attrs says otherwise) and returns its sub. In pools with
// UsernameAttributes, username is the e-mail address or phone number and
// the real username is the generated sub. For tests and examples: it
// panics on invalid input (unknown pool, password outside the policy,
// existing user).
func (s *Server) CreateUser(poolID, username, password string, attrs map[string]string) (sub string) {
	sub, err := s.AddUser(poolID, username, password, attrs)
	if err != nil {
		panic(err)
	}
	return sub
}

// CreateGroup creates a group (precedence nil when negative). It panics
// when the pool does not exist or the group does.
func (s *Server) CreateGroup(poolID, name, roleArn string, precedence int) {
	if err := wrap(s.up.CreateGroup(poolID, name, "", roleArn, precedence)); err != nil {
		panic(err)
	}
}

// AddUserToGroup adds a user to a group. It panics when either is missing.
func (s *Server) AddUserToGroup(poolID, username, groupName string) {
	if err := wrap(s.up.AddUserToGroup(poolID, username, groupName)); err != nil {
		panic(err)
	}
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
// clock. It panics on a secret that is not base32, since tests only pass
// the emulator's own secrets.
func (s *Server) TOTP(secret string) string {
	code, err := s.up.TOTP(secret)
	if err != nil {
		panic(err)
	}
	return code
}
