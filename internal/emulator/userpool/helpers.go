package userpool

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"time"
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

// PoolOptions describes a user pool for CreatePool (cognitotest.PoolOptions).
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
	// LambdaConfig is the pool's LambdaConfig document, as CreateUserPool
	// takes it ({"PreSignUp": "arn:aws:lambda:…", …}); nil: no triggers.
	LambdaConfig json.RawMessage
}

// ClientOptions describes an app client for NewClient (cognitotest.ClientOptions).
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

var poolIDRe = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+_[0-9A-Za-z]+$`)

// CreatePool creates a user pool and returns its ID.
func (s *Server) CreatePool(o PoolOptions) (string, error) {
	s.mu.Lock()
	id, err := s.createPoolLocked(o)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	return id, s.unlockSave()
}

func (s *Server) createPoolLocked(o PoolOptions) (string, error) {
	in := createUserPoolInput{PoolName: o.Name, UsernameAttributes: o.UsernameAttributes,
		AliasAttributes: o.AliasAttributes, AutoVerifiedAttributes: o.AutoVerifiedAttributes, MfaConfiguration: o.MFA}
	if in.PoolName == "" {
		in.PoolName = "cognitotest"
	}
	if o.AutoVerifiedAttributes == nil {
		in.AutoVerifiedAttributes = []string{"email"}
	}
	if pp := o.PasswordPolicy; pp != nil {
		ml, tv := int32(pp.MinimumLength), int32(pp.TemporaryPasswordValidityDays)
		if ml == 0 {
			ml = 8
		}
		if tv == 0 {
			tv = 7
		}
		in.Policies = &poolPolicies{PasswordPolicy: &passwordPolicyWire{MinimumLength: &ml, TemporaryPasswordValidityDays: &tv,
			RequireUppercase: &pp.RequireUppercase, RequireLowercase: &pp.RequireLowercase,
			RequireNumbers: &pp.RequireNumbers, RequireSymbols: &pp.RequireSymbols}}
	}
	t := true
	for _, a := range o.RequiredAttributes {
		in.Schema = append(in.Schema, schemaWire{Name: a, Required: &t})
	}
	for _, a := range o.CustomAttributes {
		in.Schema = append(in.Schema, schemaWire{Name: a, AttributeDataType: "String"})
	}
	signInOptions(&in, o)
	if len(o.LambdaConfig) > 0 {
		if err := json.Unmarshal(o.LambdaConfig, &in.LambdaConfig); err != nil {
			return "", fmt.Errorf("cognitotest: LambdaConfig: %w", err)
		}
	}
	p, err := s.newPool(&in, s.now())
	if err != nil {
		return "", err
	}
	if err := setWebAuthnConfig(p, &o.WebAuthnRelyingPartyID, o.WebAuthnUserVerification); err != nil {
		return "", err
	}
	for _, a := range o.RequiredAttributes {
		if sa := p.schemaAttr(a); sa == nil || sa.Name == "custom:"+a {
			return "", fmt.Errorf("cognitotest: required attribute %q is not a standard attribute", a)
		}
	}
	p.AdminCreateOnly, p.CaseSensitive = o.AdminCreateUserOnly, o.CaseSensitive
	p.DeviceTracking, p.DeviceOnPrompt = o.DeviceTracking || o.DeviceOnlyRememberedOnUserPrompt, o.DeviceOnlyRememberedOnUserPrompt
	if o.ID != "" {
		if !poolIDRe.MatchString(o.ID) {
			return "", fmt.Errorf("cognitotest: pool ID %q is not region_ID", o.ID)
		}
		if _, dup := s.st.Pools[o.ID]; dup {
			return "", fmt.Errorf("cognitotest: pool %s already exists", o.ID)
		}
		p.ID = o.ID
	}
	s.st.Pools[p.ID] = p
	return p.ID, nil
}

// NewClient creates an app client in the pool.
func (s *Server) NewClient(poolID string, o ClientOptions) (AppClient, error) {
	s.mu.Lock()
	c, err := s.newClientLocked(poolID, o)
	if err != nil {
		s.mu.Unlock()
		return AppClient{}, err
	}
	return c, s.unlockSave()
}

func (s *Server) newClientLocked(poolID string, o ClientOptions) (AppClient, error) {
	p, err := s.pool(poolID)
	if err != nil {
		return AppClient{}, err
	}
	in := clientInput{ClientName: o.Name, GenerateSecret: o.GenerateSecret || o.Secret != "",
		ExplicitAuthFlows: o.ExplicitAuthFlows, ReadAttributes: o.ReadAttributes, WriteAttributes: o.WriteAttributes,
		CallbackURLs: o.CallbackURLs, LogoutURLs: o.LogoutURLs, AllowedOAuthFlows: o.AllowedOAuthFlows,
		AllowedOAuthScopes: o.AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient: len(o.AllowedOAuthFlows) > 0,
		SupportedIdentityProviders: o.SupportedIdentityProviders}
	if in.ClientName == "" {
		in.ClientName = "cognitotest-client"
	}
	if in.ExplicitAuthFlows == nil {
		in.ExplicitAuthFlows = []string{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
			"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH"}
	}
	if in.SupportedIdentityProviders == nil {
		in.SupportedIdentityProviders = []string{"COGNITO"}
	}
	if o.PreventUserExistenceErrors {
		in.PreventUserExistenceErrors = "ENABLED"
	}
	rotationOption(&in, o)
	secs := func(d time.Duration) *int64 { v := int64(d / time.Second); return &v }
	if o.AccessTokenValidity > 0 {
		in.AccessTokenValidity, in.TokenValidityUnits.AccessToken = secs(o.AccessTokenValidity), "seconds"
	}
	if o.IDTokenValidity > 0 {
		in.IdTokenValidity, in.TokenValidityUnits.IdToken = secs(o.IDTokenValidity), "seconds"
	}
	if o.RefreshTokenValidity > 0 {
		in.RefreshTokenValidity, in.TokenValidityUnits.RefreshToken = secs(o.RefreshTokenValidity), "seconds"
	}
	cl, err := s.addClient(p, &in, o.ID, o.Secret, s.now())
	if err != nil {
		return AppClient{}, err
	}
	return AppClient{ID: cl.ID, Secret: cl.Secret}, nil
}

// AddUser creates a CONFIRMED user with a permanent password and the
// given attributes (email and phone_number are marked verified unless
// attrs says otherwise) and returns its sub.
func (s *Server) AddUser(poolID, username, password string, attrs map[string]string) (string, error) {
	s.mu.Lock()
	sub, err := s.addUserLocked(poolID, username, password, attrs)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	return sub, s.unlockSave()
}

func (s *Server) addUserLocked(poolID, username, password string, attrs map[string]string) (string, error) {
	p, err := s.pool(poolID)
	if err != nil {
		return "", err
	}
	if err := validatePassword(p.Policy, password); err != nil {
		return "", err
	}
	var list []attributeType
	for k, v := range attrs {
		v := v
		list = append(list, attributeType{Name: k, Value: &v})
	}
	am, err := checkAttrs(p, list, true)
	if err != nil {
		return "", err
	}
	for _, a := range []string{"email", "phone_number"} {
		if am[a] != "" {
			if _, set := am[a+"_verified"]; !set {
				am[a+"_verified"] = "true"
			}
		}
	}
	now := s.now()
	u, err := s.newUser(p, username, am, now)
	if err != nil {
		return "", err
	}
	if err := s.setNewUserPassword(p, u, password); err != nil {
		return "", err
	}
	u.Status = statusConfirmed
	p.addUser(u)
	return u.Sub, nil
}

// CreateGroup creates a group (precedence nil when negative); it fails
// when the pool does not exist or the group does.
func (s *Server) CreateGroup(poolID, name, desc, roleArn string, precedence int) error {
	return s.mutate(func() error { return s.createGroupLocked(poolID, name, desc, roleArn, precedence) })
}

// mutate runs fn under s.mu and saves the state when it succeeds.
func (s *Server) mutate(fn func() error) error {
	s.mu.Lock()
	if err := fn(); err != nil {
		s.mu.Unlock()
		return err
	}
	return s.unlockSave()
}

func (s *Server) createGroupLocked(poolID, name, desc, roleArn string, precedence int) error {
	p, err := s.pool(poolID)
	if err != nil {
		return err
	}
	in := groupInput{GroupName: name, Description: &desc, RoleArn: &roleArn}
	if precedence >= 0 {
		v := int64(precedence)
		in.Precedence = &v
	}
	_, err = addGroup(p, &in, s.now())
	return err
}

// AddUserToGroup adds a user to a group; it fails when either is missing.
func (s *Server) AddUserToGroup(poolID, username, groupName string) error {
	return s.mutate(func() error { return s.addToGroupLocked(poolID, username, groupName) })
}

func (s *Server) addToGroupLocked(poolID, username, groupName string) error {
	p, err := s.pool(poolID)
	if err != nil {
		return err
	}
	u, err := s.mustUser(p, username)
	if err != nil {
		return err
	}
	if _, err := p.group(groupName); err != nil {
		return err
	}
	if !contains(u.Groups, groupName) {
		u.Groups = append(u.Groups, groupName)
	}
	return nil
}

// Messages returns a copy of everything the pool "sent", oldest first
// (the last 1000 messages per pool are kept).
func (s *Server) Messages(poolID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.Pools[poolID]
	if !ok {
		return nil
	}
	return append([]Message(nil), p.Messages...)
}

// LastCode returns the code of the last message sent to a user (username,
// alias or sub), and whether there was one.
func (s *Server) LastCode(poolID, username string) (code string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, found := s.st.Pools[poolID]
	if !found {
		return "", false
	}
	real := username
	if u := p.findUser(username); u != nil {
		real = u.Username
	}
	for i := len(p.Messages) - 1; i >= 0; i-- {
		if m := p.Messages[i]; m.Username == real {
			return m.Code, true
		}
	}
	return "", false
}

func init() {
	registerPath("GET /_emulator/messages", serveMessages)
}

// serveMessages answers GET /_emulator/messages[?poolId=..&username=..]
// with {"messages": [...]}.
func serveMessages(s *Server, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	poolID, name := q.Get("poolId"), q.Get("username")
	s.mu.Lock()
	out := []Message{}
	for id, p := range s.st.Pools {
		if poolID != "" && id != poolID {
			continue
		}
		real := name
		if u := p.lookupUser(name); u != nil { // a read: marks nothing
			real = u.Username
		}
		for _, m := range p.Messages {
			if name == "" || m.Username == real {
				out = append(out, m)
			}
		}
	}
	s.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	b, _ := json.Marshal(map[string]any{"messages": out})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// HasPool reports whether the pool exists.
func (s *Server) HasPool(poolID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.st.Pools[poolID]
	return ok
}

// HasClient reports whether the pool has the app client.
func (s *Server) HasClient(poolID, clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.Pools[poolID]
	return ok && p.Clients[clientID] != nil
}

// HasGroup reports whether the pool has the group.
func (s *Server) HasGroup(poolID, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.Pools[poolID]
	return ok && p.Groups[name] != nil
}

// HasUser reports whether the pool has a user of that username, alias or
// sub.
func (s *Server) HasUser(poolID, username string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.Pools[poolID]
	return ok && p.findUser(username) != nil
}

// PoolCount returns the number of user pools.
func (s *Server) PoolCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.st.Pools)
}
