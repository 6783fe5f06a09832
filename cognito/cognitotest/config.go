package cognitotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// SeedConfig is a declarative description of pools, app clients, groups
// and users, as read by `cognitoctl serve -config FILE`. Example:
//
//	{"userPools": [{
//	  "id": "us-east-1_Example01", "name": "demo", "aliasAttributes": ["email"],
//	  "clients": [{"id": "democlient0000000000000001", "name": "web"}],
//	  "groups":  [{"name": "admins", "precedence": 1}],
//	  "users":   [{"username": "alice", "password": "Passw0rd!",
//	               "attributes": {"email": "alice@example.com"}, "groups": ["admins"]}]
//	}]}
//
// Seeding skips pools, clients, groups and users that already exist (for
// example because they were reloaded from a state file), so the same file
// can be used on every start.
type SeedConfig struct {
	UserPools []SeedPool `json:"userPools"`
	// IdentityPools are identity pools with fixed IDs. A
	// cognitoIdentityProviders entry's providerName may be a bare user pool
	// ID. Example:
	//
	//	"identityPools": [{"id": "us-east-1:00000000-0000-4000-8000-000000000001",
	//	  "name": "demo", "allowUnauthenticatedIdentities": true,
	//	  "cognitoIdentityProviders": [{"ProviderName": "us-east-1_Example01",
	//	    "ClientId": "democlient0000000000000001", "ServerSideTokenCheck": true}],
	//	  "supportedLoginProviders": {"graph.facebook.com": "1234567890"},
	//	  "roles": {"authenticated": "arn:aws:iam::123456789012:role/Auth",
	//	            "unauthenticated": "arn:aws:iam::123456789012:role/Unauth"}}]
	IdentityPools []SeedIdentityPool `json:"identityPools"`
	// Roles are IAM roles with their trust and policy, e.g.
	//
	//	"roles": [{"arn": "arn:aws:iam::123456789012:role/Auth", "policy":
	//	  "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"*\"}]}"}]
	Roles []Role `json:"roles"`
	// APIs are REST APIs of the emulated API Gateway, e.g.
	//
	//	"apis": [{"id": "demoapi", "routes": [
	//	  {"method": "POST", "path": "/test", "authorization": "AWS_IAM", "message": "hello world"},
	//	  {"method": "GET", "path": "/public"}]}]
	APIs []API `json:"apis"`
	// IAMUsers are static IAM users (arn, accessKeyId, secretAccessKey,
	// policy) allowed to sign calls to the emulated APIs.
	IAMUsers []IAMUser `json:"iamUsers"`
	// Functions are the Lambda functions the pools' lambdaConfig names,
	// by ARN: a compiled Lambda program (a path, started with the Lambda
	// Runtime API) or a Lambda Invoke API endpoint (a URL), as
	// `cognitoctl serve -function ARN=PATH|URL` takes them, e.g.
	//
	//	"functions": {"arn:aws:lambda:us-east-1:123456789012:function:triggers": "./bootstrap"}
	//
	// A relative path is taken from the current directory. Seed registers
	// them (see AddFunction: call it once the server knows its URL).
	Functions map[string]string `json:"functions"`
	// FakeProviders are the apps and users of the emulator's fake identity
	// providers (see SeedFakeProviders), e.g.
	//
	//	"fakeProviders": {"saml": [{"name": "corp-idp", "users": [{"nameId": "jane@corp.example"}]}],
	//	  "twitterApps": [{"consumerKey": "tw-key", "consumerSecret": "tw-secret"}]}
	//
	// They are registered before the user pools, whose identity providers
	// may name them. The OIDC and SAML ones need the server's URL: seed a
	// started server.
	FakeProviders *SeedFakeProviders `json:"fakeProviders"`
}

// SeedPool is one pool of a SeedConfig. ID is required so that scripts can
// rely on it; the other fields mean what PoolOptions' do.
type SeedPool struct {
	ID                     string   `json:"id"`
	Name                   string   `json:"name"`
	UsernameAttributes     []string `json:"usernameAttributes"`
	AliasAttributes        []string `json:"aliasAttributes"`
	AutoVerifiedAttributes []string `json:"autoVerifiedAttributes"`
	RequiredAttributes     []string `json:"requiredAttributes"`
	CustomAttributes       []string `json:"customAttributes"`
	// MFA is the pool's MfaConfiguration: "OFF" (the default), "ON" or
	// "OPTIONAL"; TOTP, SMS and e-mail codes are then all available.
	MFA                              string          `json:"mfa"`
	PasswordPolicy                   *PasswordPolicy `json:"passwordPolicy"`
	AdminCreateUserOnly              bool            `json:"adminCreateUserOnly"`
	DeviceTracking                   bool            `json:"deviceTracking"`
	DeviceOnlyRememberedOnUserPrompt bool            `json:"deviceOnlyRememberedOnUserPrompt"`
	Clients                          []SeedClient    `json:"clients"`
	Groups                           []SeedGroup     `json:"groups"`
	Users                            []SeedUser      `json:"users"`
	// IdentityProviders are the pool's identity providers for the hosted
	// UI, e.g. [{"type": "Facebook", "appId": "1234567890", "appSecret":
	// "...", "attributeMapping": {"email": "email", "name": "name"}}].
	IdentityProviders []IdentityProviderOptions `json:"identityProviders"`
	// ResourceServers declare custom scopes, e.g. [{"identifier":
	// "orders", "scopes": ["read", "write"]}].
	ResourceServers []ResourceServerOptions `json:"resourceServers"`
	// LambdaConfig names the pool's triggers, with CreateUserPool's field
	// names, e.g. {"PreSignUp": "arn:aws:lambda:…:function:triggers",
	// "PreTokenGenerationConfig": {"LambdaArn": "arn:…", "LambdaVersion":
	// "V2_0"}}; the functions come from SeedConfig.Functions (or
	// `cognitoctl serve -function`). It is set when the pool is created.
	LambdaConfig *LambdaConfig `json:"lambdaConfig"`
	// Tier is the feature plan (UserPoolTier): "LITE", "ESSENTIALS" (the
	// default) or "PLUS". Passwordless factors, passkeys and refresh-token
	// rotation need ESSENTIALS or PLUS.
	Tier string `json:"tier"`
	// SignInPolicy lists USER_AUTH's first factors, e.g.
	// {"allowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]};
	// nil means PASSWORD only. Clients need ALLOW_USER_AUTH to use them.
	SignInPolicy *SeedSignInPolicy `json:"signInPolicy"`
	// WebAuthn is the passkey relying party, e.g. {"relyingPartyId":
	// "localhost", "userVerification": "required"}; nil leaves passkeys
	// unconfigured.
	WebAuthn *SeedWebAuthn `json:"webAuthn"`
}

// SeedClient is one app client; ID is required, Secret optional (fixed);
// the other fields mean what ClientOptions' do, with lifetimes in seconds.
type SeedClient struct {
	ID                         string   `json:"id"`
	Secret                     string   `json:"secret"`
	Name                       string   `json:"name"`
	ExplicitAuthFlows          []string `json:"explicitAuthFlows"`
	AccessTokenValiditySeconds int64    `json:"accessTokenValiditySeconds"`
	IDTokenValiditySeconds     int64    `json:"idTokenValiditySeconds"`
	RefreshTokenValiditySecs   int64    `json:"refreshTokenValiditySeconds"`
	ReadAttributes             []string `json:"readAttributes"`
	WriteAttributes            []string `json:"writeAttributes"`
	CallbackURLs               []string `json:"callbackURLs"`
	LogoutURLs                 []string `json:"logoutURLs"`
	AllowedOAuthFlows          []string `json:"allowedOAuthFlows"`
	AllowedOAuthScopes         []string `json:"allowedOAuthScopes"`
	SupportedIdentityProviders []string `json:"supportedIdentityProviders"`
	PreventUserExistenceErrors bool     `json:"preventUserExistenceErrors"`
	// RefreshTokenRotation turns on refresh-token rotation, e.g.
	// {"feature": "ENABLED", "retryGracePeriodSeconds": 10}.
	RefreshTokenRotation *SeedRefreshTokenRotation `json:"refreshTokenRotation"`
}

// SeedGroup is one group (name, description, IAM role ARN put in
// cognito:roles / cognito:preferred_role); Precedence nil means none.
type SeedGroup struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	RoleArn     string `json:"roleArn"`
	Precedence  *int   `json:"precedence"`
}

// SeedUser is one CONFIRMED user with a permanent password, attributes
// (email and phone_number marked verified, as CreateUser does) and group
// memberships.
type SeedUser struct {
	Username   string            `json:"username"`
	Password   string            `json:"password"`
	Attributes map[string]string `json:"attributes"`
	Groups     []string          `json:"groups"`
}

// ParseSeedConfig reads a SeedConfig, rejecting unknown fields, role
// policies the emulated API Gateway could not evaluate (see PutRole), and
// sign-in options (tier, MFA, first factors, passkeys, rotation) that
// Cognito would refuse, with a *SeedConfigError naming their JSON path.
func ParseSeedConfig(r io.Reader) (*SeedConfig, error) {
	b, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("cognitotest: read config: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c SeedConfig
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("cognitotest: parse config: %w", err)
	}
	if err := checkSeedSignIn(&c); err != nil {
		return nil, err
	}
	if err := checkSeedFakes(c.FakeProviders); err != nil {
		return nil, err
	}
	for _, r := range c.Roles {
		// Before anything is created: a role policy that cannot be
		// evaluated would only show later as a 403 saying nothing.
		if err := checkRole(r); err != nil {
			return nil, fmt.Errorf("cognitotest: config: %w", err)
		}
	}
	return &c, nil
}

// Seed creates what cfg describes and does not exist yet, and registers
// its functions (replacing functions registered under the same ARNs).
func (s *Server) Seed(cfg *SeedConfig) error {
	if err := s.seedFunctions(cfg.Functions); err != nil {
		return err
	}
	if err := s.seedFakes(cfg.FakeProviders); err != nil {
		return err
	}
	for _, sp := range cfg.UserPools {
		if sp.ID == "" {
			return fmt.Errorf("cognitotest: config: every user pool needs an id")
		}
		if !s.up.HasPool(sp.ID) {
			if _, err := s.CreateUserPool(seedPoolOptions(sp)); err != nil {
				return fmt.Errorf("cognitotest: config: pool %s: %w", sp.ID, err)
			}
		}
		if err := s.seedHosted(sp.ID, sp.IdentityProviders, sp.ResourceServers); err != nil {
			return fmt.Errorf("cognitotest: config: pool %s: %w", sp.ID, err)
		}
		for _, sc := range sp.Clients {
			if sc.ID == "" {
				return fmt.Errorf("cognitotest: config: pool %s: every client needs an id", sp.ID)
			}
			if s.up.HasClient(sp.ID, sc.ID) {
				continue
			}
			if _, err := s.CreateUserPoolClient(sp.ID, seedClientOptions(sc)); err != nil {
				return fmt.Errorf("cognitotest: config: client %s: %w", sc.ID, err)
			}
		}
		for _, sg := range sp.Groups {
			if s.up.HasGroup(sp.ID, sg.Name) {
				continue
			}
			prec := -1
			if sg.Precedence != nil {
				prec = *sg.Precedence
			}
			if err := wrap(s.up.CreateGroup(sp.ID, sg.Name, sg.Description, sg.RoleArn, prec)); err != nil {
				return fmt.Errorf("cognitotest: config: group %s: %w", sg.Name, err)
			}
		}
		for _, su := range sp.Users {
			if !s.up.HasUser(sp.ID, su.Username) {
				if _, err := s.CreateUser(sp.ID, su.Username, su.Password, su.Attributes); err != nil {
					return fmt.Errorf("cognitotest: config: user %s: %w", su.Username, err)
				}
			}
			for _, g := range su.Groups {
				if err := wrap(s.up.AddUserToGroup(sp.ID, su.Username, g)); err != nil {
					return fmt.Errorf("cognitotest: config: user %s: group %s: %w", su.Username, g, err)
				}
			}
		}
	}
	return s.seedFederation(cfg)
}

// seedHosted adds a SeedPool's identity providers and resource servers.
func (s *Server) seedHosted(poolID string, idps []IdentityProviderOptions, rss []ResourceServerOptions) error {
	for _, rs := range rss {
		if err := s.CreateResourceServer(poolID, rs); err != nil {
			return err
		}
	}
	for _, idp := range idps {
		if err := s.CreateIdentityProvider(poolID, idp); err != nil {
			return err
		}
	}
	return nil
}

// seedFunctions registers a SeedConfig's functions, in ARN order.
func (s *Server) seedFunctions(fns map[string]string) error {
	arns := make([]string, 0, len(fns))
	for arn := range fns {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	for _, arn := range arns {
		if err := s.AddFunction(arn + "=" + fns[arn]); err != nil {
			return fmt.Errorf("cognitotest: config: function %s: %w", arn, err)
		}
	}
	return nil
}
