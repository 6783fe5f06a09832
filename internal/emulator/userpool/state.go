package userpool

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// state is everything the user-pool service knows. It is guarded by
// Server.mu and persisted as the host's "pools" section.
type state struct {
	Pools map[string]*pool
}

func newState() *state {
	return &state{Pools: map[string]*pool{}}
}

type pool struct {
	ID                     string            `json:"id"`
	Name                   string            `json:"name"`
	Created                time.Time         `json:"created"`
	Modified               time.Time         `json:"modified"`
	UsernameAttributes     []string          `json:"usernameAttributes,omitempty"`
	AliasAttributes        []string          `json:"aliasAttributes,omitempty"`
	AutoVerifiedAttributes []string          `json:"autoVerifiedAttributes,omitempty"`
	CaseSensitive          bool              `json:"caseSensitive"`
	Schema                 []schemaAttribute `json:"schema"`
	Policy                 passwordPolicy    `json:"policy"`
	MFA                    string            `json:"mfa"`
	AdminCreateOnly        bool              `json:"adminCreateOnly,omitempty"`
	DeletionProtection     string            `json:"deletionProtection,omitempty"`
	DeviceChallengeNew     bool              `json:"deviceChallengeNew,omitempty"`
	DeviceOnPrompt         bool              `json:"deviceOnPrompt,omitempty"`
	DeviceTracking         bool              `json:"deviceTracking,omitempty"`
	Tags                   map[string]string `json:"tags,omitempty"`
	// Settings are the messages and configuration blocks DescribeUserPool
	// returns as given (poolsettings.go); Invite is AdminCreateUserConfig's
	// InviteMessageTemplate.
	Settings poolSettings     `json:"settings"`
	Invite   *messageTemplate `json:"invite,omitempty"`

	Clients map[string]*client `json:"clients"`
	Users   map[string]*user   `json:"users"` // by username (lower-cased unless CaseSensitive)
	Groups  map[string]*group  `json:"groups"`

	// KeyDER is the RSA key (PKCS#1 DER) that signs the pool's ID tokens,
	// AccessKeyDER the one that signs its access tokens (Cognito's JWKS has
	// one of each); both are created lazily (keys.go).
	KeyDER       []byte          `json:"key,omitempty"`
	Kid          string          `json:"kid,omitempty"`
	rsaKey       *rsa.PrivateKey `json:"-"`
	AccessKeyDER []byte          `json:"accessKey,omitempty"`
	AccessKid    string          `json:"accessKid,omitempty"`
	accessKey    *rsa.PrivateKey `json:"-"`
	// SAMLKeyDER and SAMLCertDER are the pool's SAML signing key (PKCS#1
	// DER) and its certificate (DER), made on first use (signingcert.go).
	SAMLKeyDER  []byte `json:"samlKey,omitempty"`
	SAMLCertDER []byte `json:"samlCert,omitempty"`

	Refresh  map[string]*refreshToken `json:"refresh"`  // by SHA-256 of the token
	Revoked  map[string]time.Time     `json:"revoked"`  // origin_jti -> when it may be forgotten
	Sessions map[string]*authSession  `json:"sessions"` // by session ID
	Messages []Message                `json:"messages"`

	// Hosted holds the hosted UI's state: identity providers, resource
	// servers, authorization codes and sign-in sessions (hostedui.go).
	Hosted *hostedState `json:"hosted,omitempty"`
	// Domain and CustomDomain are the pool's prefix and custom domains
	// (domains.go).
	Domain       *poolDomain `json:"domain,omitempty"`
	CustomDomain *poolDomain `json:"customDomain,omitempty"`

	// Extras holds configuration stored and returned as Cognito does: UI
	// customization, managed-login branding, terms, log delivery and user
	// import jobs (extras.go).
	Extras *extras `json:"extras,omitempty"`

	// Choice-based sign-in (userauth.go): the first factors USER_AUTH
	// offers (nil: PASSWORD only), the feature plan ("" is ESSENTIALS),
	// and the passkey relying party and user-verification requirement.
	SignInFactors []string `json:"signInFactors,omitempty"`
	Tier          string   `json:"tier,omitempty"`
	WebAuthnRPID  string   `json:"webAuthnRpId,omitempty"`
	WebAuthnUV    string   `json:"webAuthnUv,omitempty"`

	// Lambda is the pool's LambdaConfig as sent (lambdaconfig.go); nil:
	// no triggers.
	Lambda *lambdaConfig `json:"lambda,omitempty"`

	// Risk is the pool's risk configuration (riskconfig.go).
	Risk *riskConfig `json:"risk,omitempty"`

	track *tracker // persistence marks and the sorted usernames (persist.go)
}

type schemaAttribute struct {
	Name          string `json:"name"`
	Type          string `json:"type"` // String, Number, DateTime, Boolean
	Mutable       bool   `json:"mutable"`
	Required      bool   `json:"required"`
	DeveloperOnly bool   `json:"developerOnly,omitempty"`
	MinLength     string `json:"minLength,omitempty"`
	MaxLength     string `json:"maxLength,omitempty"`
	MinValue      string `json:"minValue,omitempty"` // Number attributes (ops_schema.go)
	MaxValue      string `json:"maxValue,omitempty"`
}

type passwordPolicy struct {
	MinimumLength                 int  `json:"minimumLength"`
	RequireUppercase              bool `json:"requireUppercase"`
	RequireLowercase              bool `json:"requireLowercase"`
	RequireNumbers                bool `json:"requireNumbers"`
	RequireSymbols                bool `json:"requireSymbols"`
	TemporaryPasswordValidityDays int  `json:"temporaryPasswordValidityDays"`
	// HistorySize is PasswordHistorySize (nil: not set).
	HistorySize *int32 `json:"historySize,omitempty"`
}

type client struct {
	ID                    string            `json:"id"`
	Name                  string            `json:"name"`
	Secret                string            `json:"secret,omitempty"`
	Created               time.Time         `json:"created"`
	Modified              time.Time         `json:"modified"`
	ExplicitAuthFlows     []string          `json:"explicitAuthFlows"`
	AccessValidity        int64             `json:"accessValidity"`
	IDValidity            int64             `json:"idValidity"`
	RefreshValidity       int64             `json:"refreshValidity"`
	Units                 tokenValidityUnit `json:"units"`
	ReadAttributes        []string          `json:"readAttributes,omitempty"`
	WriteAttributes       []string          `json:"writeAttributes,omitempty"`
	CallbackURLs          []string          `json:"callbackURLs,omitempty"`
	LogoutURLs            []string          `json:"logoutURLs,omitempty"`
	DefaultRedirectURI    string            `json:"defaultRedirectURI,omitempty"`
	AllowedOAuthFlows     []string          `json:"allowedOAuthFlows,omitempty"`
	AllowedOAuthScopes    []string          `json:"allowedOAuthScopes,omitempty"`
	OAuthEnabled          bool              `json:"oauthEnabled,omitempty"`
	SupportedIdPs         []string          `json:"supportedIdPs,omitempty"`
	PreventUserExistence  string            `json:"preventUserExistence"`
	EnableTokenRevocation bool              `json:"enableTokenRevocation"`
	AuthSessionValidity   int64             `json:"authSessionValidity"` // minutes
	// RotateRefresh: GetTokensFromRefreshToken issues a new refresh token
	// each time; the old one works for RotateGrace seconds more.
	RotateRefresh bool  `json:"rotateRefresh,omitempty"`
	RotateGrace   int64 `json:"rotateGrace,omitempty"`
	// Secrets are the client's secrets when it has had more than one
	// (clientsecrets.go); Secret is then the first.
	Secrets []clientSecret `json:"secrets,omitempty"`
	// Risk is the client's own risk configuration (riskconfig.go).
	Risk *riskConfig `json:"risk,omitempty"`
	// PropagateUserContext is EnablePropagateAdditionalUserContextData;
	// Analytics the client's AnalyticsConfiguration (clientsettings.go).
	PropagateUserContext bool                    `json:"propagateUserContext,omitempty"`
	Analytics            *analyticsConfiguration `json:"analytics,omitempty"`
}

type tokenValidityUnit struct {
	AccessToken  string `json:"AccessToken,omitempty"`
	IdToken      string `json:"IdToken,omitempty"`
	RefreshToken string `json:"RefreshToken,omitempty"`
}

type group struct {
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	RoleArn     string    `json:"roleArn,omitempty"`
	Precedence  *int64    `json:"precedence,omitempty"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
}

type user struct {
	Username string            `json:"username"`
	Sub      string            `json:"sub"`
	Attrs    map[string]string `json:"attrs"`
	Status   string            `json:"status"`
	Enabled  bool              `json:"enabled"`
	Created  time.Time         `json:"created"`
	Modified time.Time         `json:"modified"`
	Groups   []string          `json:"groups,omitempty"`

	// Credentials: an SRP salt and verifier (hex) for the password,
	// realm = pool name, user ID = username. Passwords are never stored.
	Salt      string    `json:"salt,omitempty"`
	Verifier  string    `json:"verifier,omitempty"`
	TempUntil time.Time `json:"tempUntil,omitempty"` // temporary password expiry
	// PasswordHistory are the salts and verifiers of the passwords before
	// this one, oldest first, as the pool's password history needs them.
	PasswordHistory []passwordEntry `json:"passwordHistory,omitempty"`

	// Lockout after repeated wrong passwords.
	FailedLogins int       `json:"failedLogins,omitempty"`
	LockedUntil  time.Time `json:"lockedUntil,omitempty"`

	// One-time codes by purpose ("signup", "forgot", "verify:email", ...).
	Codes map[string]*otpCode `json:"codes,omitempty"`

	// MFA.
	TOTPSecret      string `json:"totpSecret,omitempty"`
	TOTPPending     string `json:"totpPending,omitempty"`
	TOTPEnabled     bool   `json:"totpEnabled,omitempty"`
	SMSEnabled      bool   `json:"smsEnabled,omitempty"`
	EmailMFAEnabled bool   `json:"emailMfaEnabled,omitempty"`
	PreferredMFA    string `json:"preferredMfa,omitempty"`
	LastTOTPStep    int64  `json:"lastTotpStep,omitempty"`

	Devices map[string]*device `json:"devices,omitempty"`
	// Origins lists the origin_jti of every live sign-in, so that a global
	// sign-out can revoke them all.
	Origins map[string]time.Time `json:"origins,omitempty"`

	// Passkeys are the user's WebAuthn credentials; PasskeyReg the
	// registration StartWebAuthnRegistration began (webauthn.go).
	Passkeys   []*passkey  `json:"passkeys,omitempty"`
	PasskeyReg *passkeyReg `json:"passkeyReg,omitempty"`

	// Events is the user's auth-event history, oldest first (authevents.go).
	Events []authEvent `json:"events,omitempty"`
}

type otpCode struct {
	Code     string    `json:"code"`
	Expires  time.Time `json:"expires"`
	Failures int       `json:"failures"`
}

type device struct {
	Key        string            `json:"key"`
	GroupKey   string            `json:"groupKey"`
	Name       string            `json:"name,omitempty"`
	Salt       string            `json:"salt,omitempty"`     // hex
	Verifier   string            `json:"verifier,omitempty"` // hex
	Confirmed  bool              `json:"confirmed"`
	Remembered string            `json:"remembered,omitempty"`
	Attrs      map[string]string `json:"attrs,omitempty"`
	Created    time.Time         `json:"created"`
	Modified   time.Time         `json:"modified"`
	LastAuth   time.Time         `json:"lastAuth"`
}

type refreshToken struct {
	Username  string    `json:"username"`
	Sub       string    `json:"sub"`
	ClientID  string    `json:"clientId"`
	OriginJTI string    `json:"originJti"`
	AuthTime  int64     `json:"authTime"`
	Expires   time.Time `json:"expires"`
	DeviceKey string    `json:"deviceKey,omitempty"`
	Revoked   bool      `json:"revoked,omitempty"`
	Scope     string    `json:"scope,omitempty"` // OAuth scopes of a hosted-UI sign-in
	// RotatedAt is when GetTokensFromRefreshToken replaced this token on
	// a rotating client; it is refused once the grace period has passed.
	RotatedAt time.Time `json:"rotatedAt,omitempty"`
}

// authSession is one sign-in in progress between InitiateAuth and the
// last RespondToAuthChallenge. Sessions are single-use: each step
// consumes its session and, when a further challenge follows, issues a new
// one.
type authSession struct {
	ID          string            `json:"id"`
	Username    string            `json:"username"`
	Sub         string            `json:"sub"`
	ClientID    string            `json:"clientId"`
	Challenge   string            `json:"challenge"`
	Expires     time.Time         `json:"expires"`
	Admin       bool              `json:"admin,omitempty"`
	SRPB        string            `json:"srpB,omitempty"` // "b:B" in hex: the server's SRP private value and B (a bare "b" from older state files is also read)
	SRPA        string            `json:"srpA,omitempty"`
	SecretBlock string            `json:"secretBlock,omitempty"`
	DeviceKey   string            `json:"deviceKey,omitempty"`
	Code        string            `json:"code,omitempty"` // SMS/e-mail OTP sent for this step
	Fake        bool              `json:"fake,omitempty"` // SRP against an unknown user
	Custom      []customResult    `json:"custom,omitempty"`
	Private     map[string]string `json:"private,omitempty"`
	Meta        string            `json:"meta,omitempty"`
	TOTPOK      bool              `json:"totpOk,omitempty"`
	AuthTime    int64             `json:"authTime,omitempty"`
	Salt        string            `json:"salt,omitempty"` // hex, for the verifier steps
	Failures    int               `json:"failures,omitempty"`
	DeviceDone  bool              `json:"deviceDone,omitempty"`
	CustomFlow  bool              `json:"customFlow,omitempty"` // CUSTOM_AUTH, possibly password first
	// RememberedDevice: the device proven by device SRP is remembered, so
	// MFA is skipped.
	RememberedDevice bool `json:"rememberedDevice,omitempty"`
	// USER_AUTH (userauth.go): FirstFactor is the passwordless factor of
	// this step (EMAIL_OTP, SMS_OTP, WEB_AUTHN); CodeExpires when its code
	// expires; WebAuthn the passkey ceremony's state (JSON); Available the
	// SELECT_CHALLENGE choices; Passwordless that the first factor was not
	// a password (no MFA follows).
	FirstFactor  string    `json:"firstFactor,omitempty"`
	CodeExpires  time.Time `json:"codeExpires,omitempty"`
	WebAuthn     string    `json:"webAuthn,omitempty"`
	Available    []string  `json:"available,omitempty"`
	Passwordless bool      `json:"passwordless,omitempty"`
	// NewPassword: NEW_PASSWORD_REQUIRED was answered in this sign-in
	// (pre token generation's TokenGeneration_NewPasswordChallenge).
	NewPassword bool `json:"newPassword,omitempty"`

	// req and meta are the request of the step in progress and the
	// ClientMetadata it passes to the triggers (RespondToAuthChallenge's;
	// InitiateAuth passes none to the triggers after pre authentication).
	// They are set for each request and never stored with a session.
	req  *call
	meta map[string]string
}

type customResult struct {
	ChallengeName   string `json:"name"`
	ChallengeResult bool   `json:"result"`
	Metadata        string `json:"meta,omitempty"`
}

// ---------------------------------------------------------------------------
// Persistence: the user pools are one section of the emulator's state.

// unlockSave releases s.mu, then persists the emulator's state; it
// returns once a state at least as new as the caller's change is on disk.
func (s *Server) unlockSave() error {
	s.mu.Unlock()
	return s.host.Persist()
}

func (p *pool) fillMaps() {
	if p.Clients == nil {
		p.Clients = map[string]*client{}
	}
	if p.Users == nil {
		p.Users = map[string]*user{}
	}
	if p.Groups == nil {
		p.Groups = map[string]*group{}
	}
	if p.Refresh == nil {
		p.Refresh = map[string]*refreshToken{}
	}
	if p.Revoked == nil {
		p.Revoked = map[string]time.Time{}
	}
	if p.Sessions == nil {
		p.Sessions = map[string]*authSession{}
	}
	for _, u := range p.Users {
		if u.Attrs == nil {
			u.Attrs = map[string]string{}
		}
	}
}

// ErrStateEntry is wrapped by the error of a state file holding an entry
// that is null or otherwise unusable (a hand-edited or damaged file).
var ErrStateEntry = errors.New("cognitotest: bad entry in state file")

// checkEntries refuses null entries in the maps of pointers a state file
// holds, naming the first one found.
func (st *state) checkEntries() error {
	if err := firstNil("", "user pool", nilKeys(st.Pools)); err != nil {
		return err
	}
	for _, id := range sortedKeys(st.Pools) {
		p := st.Pools[id]
		in := "user pool " + id + ": "
		for _, c := range []struct {
			what string
			keys []string
		}{{"app client", nilKeys(p.Clients)}, {"user", nilKeys(p.Users)}, {"group", nilKeys(p.Groups)},
			{"refresh token", nilKeys(p.Refresh)}, {"session", nilKeys(p.Sessions)}} {
			if err := firstNil(in, c.what, c.keys); err != nil {
				return err
			}
		}
		for _, k := range sortedKeys(p.Users) {
			u := p.Users[k]
			if err := firstNil(in+"user "+k+": ", "code", nilKeys(u.Codes)); err != nil {
				return err
			}
			if err := firstNil(in+"user "+k+": ", "device", nilKeys(u.Devices)); err != nil {
				return err
			}
			if slices.Contains(u.Passkeys, nil) {
				return fmt.Errorf("%w: %suser %s: a passkey is null", ErrStateEntry, in, k)
			}
		}
		if err := p.Hosted.checkEntries(in); err != nil {
			return err
		}
	}
	return nil
}

// firstNil returns the ErrStateEntry error naming keys[0], or nil.
func firstNil(in, what string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s%s %q is null", ErrStateEntry, in, what, keys[0])
}

// nilKeys returns the sorted keys of m whose value is nil.
func nilKeys[V any](m map[string]*V) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		if m[k] == nil {
			out = append(out, k)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
