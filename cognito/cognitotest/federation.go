package cognitotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/apigw"
	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
	"github.com/cognitokit/cognitokit/internal/emulator/fakefb"
	"github.com/cognitokit/cognitokit/internal/emulator/idpool"
	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
	"github.com/cognitokit/cognitokit/internal/redact"
	"github.com/cognitokit/cognitokit/sigv4client/iampolicy"
)

// This file mounts the federated half of the emulator on every Server:
// identity pools (cognito-identity's JSON protocol and STS's
// AssumeRoleWithWebIdentity), the fake Facebook under /_emulator/facebook/,
// and the emulated API Gateway under /apis/. Their state is persisted with
// the user pools'.

// AccountID is the AWS account the emulator's ARNs name.
const AccountID = "123456789012"

// Role is an IAM role as the emulator knows it: who may assume it with a
// web identity (TrustedIdentityPools, TrustedAMR) and what it may do
// (Policy, evaluated by the emulated API Gateway for execute-api:Invoke).
// A role that was never declared has no policy, so every call made with
// it is denied.
type Role struct {
	// ARN names the role, e.g. "arn:aws:iam::123456789012:role/Auth".
	ARN string `json:"arn"`
	// TrustedIdentityPools, when not empty, restricts the role to these
	// identity pools (the cognito-identity.amazonaws.com:aud condition),
	// in AssumeRoleWithWebIdentity and in GetCredentialsForIdentity, which
	// answers InvalidIdentityPoolConfigurationException for a role that
	// does not trust the pool or the identity's amr.
	TrustedIdentityPools []string `json:"trustedIdentityPools,omitempty"`
	// TrustedAMR, when set, is "authenticated" or "unauthenticated" (the
	// cognito-identity.amazonaws.com:amr condition).
	TrustedAMR string `json:"trustedAmr,omitempty"`
	// Policy is an IAM policy document in JSON.
	Policy string `json:"policy,omitempty"`
}

// API is a REST API of the emulated API Gateway, served at
// APIURL(ID, stage).
type API struct {
	// ID is the API's ID: 1-32 lower-case letters and digits.
	ID string `json:"id"`
	// Name is a display name.
	Name string `json:"name,omitempty"`
	// Stages are the stage names served; default ["prod"].
	Stages []string `json:"stages,omitempty"`
	// Routes are the API's methods and resource paths.
	Routes []Route `json:"routes"`
}

// Route is one method and resource path of an API, with its
// authorization.
type Route struct {
	// Method is an HTTP method or "ANY".
	Method string `json:"method"`
	// Path is the resource path: "/test", "/items/{id}", "/files/{proxy+}".
	Path string `json:"path"`
	// Authorization is AuthNone (default), AuthIAM or AuthUserPools.
	Authorization string `json:"authorization,omitempty"`
	// UserPoolID is the pool whose tokens an AuthUserPools route takes.
	UserPoolID string `json:"userPoolId,omitempty"`
	// Scopes, for an AuthUserPools route, requires an access token with
	// one of these scopes; without them the route takes ID tokens.
	Scopes []string `json:"scopes,omitempty"`
	// Message is put in the answer's "message" field.
	Message string `json:"message,omitempty"`
	// Status is the answer's HTTP status; default 200.
	Status int `json:"status,omitempty"`
}

// IAMUser is a static IAM user with long-term keys and a policy, for
// callers of the emulated API Gateway that are not Cognito identities.
type IAMUser struct {
	// ARN names the user, e.g. "arn:aws:iam::123456789012:user/ci".
	ARN string `json:"arn"`
	// AccessKeyID and SecretAccessKey are the user's long-term keys.
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	// Policy is an IAM policy document in JSON.
	Policy string `json:"policy,omitempty"`
}

// String shows the user's ARN and access key ID and hides the secret.
func (u IAMUser) String() string {
	return "IAMUser{ARN: " + u.ARN + ", AccessKeyID: " + u.AccessKeyID + ", SecretAccessKey: " + redact.Secret(u.SecretAccessKey) + "}"
}

// Format prints String with every verb, so that no verb shows the secret.
func (u IAMUser) Format(f fmt.State, _ rune) { redact.Format(f, u.String()) }

// FacebookUser is an account of the emulator's fake Facebook.
type FacebookUser struct {
	// ID is the Facebook user ID (the provider's subject).
	ID string `json:"id"`
	// Name is the display name; may be empty.
	Name string `json:"name,omitempty"`
	// Email is the e-mail address; may be empty.
	Email string `json:"email,omitempty"`
}

// Authorization types of a Route.
const (
	AuthNone      = apigw.AuthNone
	AuthIAM       = apigw.AuthIAM
	AuthUserPools = apigw.AuthUserPools
)

// FacebookProvider is the Logins key of Facebook access tokens.
const FacebookProvider = idpool.FacebookProvider

func (r Role) internal() idpool.Role {
	return idpool.Role{ARN: r.ARN, TrustedIdentityPools: r.TrustedIdentityPools, TrustedAMR: r.TrustedAMR, Policy: r.Policy}
}

func (a API) internal() apigw.API {
	out := apigw.API{ID: a.ID, Name: a.Name, Stages: a.Stages}
	if a.Routes != nil {
		out.Routes = make([]apigw.Route, len(a.Routes))
		for i, r := range a.Routes {
			out.Routes[i] = apigw.Route(r)
		}
	}
	return out
}

// mountServices creates the services and registers them on the host:
// user pools (with the hosted UI), the fake Facebook, identity pools
// (with STS) and the API Gateway. Each reaches another only through the
// small interface the consumer defines, given here.
func (s *Server) mountServices() {
	h := s.host
	s.fb = fakefb.New(h.Now, h.Rand(), h.PersistOrLog)
	// A pool's Facebook app sends users back to the hosted UI only.
	s.fb.SetDefaultRedirectURIs(func() []string { return []string{s.url() + "/oauth2/idpresponse"} })
	s.fb.Register(h)
	s.fakes = newFakes(h)
	s.fakes.mount()
	s.fakes.register()
	s.up = userpool.New(h, userpool.Options{
		CustomAuth: func() *userpool.CustomAuthHooks { return s.opts.CustomAuth.internal() },
		Triggers:   func() *userpool.HostedUITriggers { return s.opts.Triggers.internal() },
		Social:     facebookProvider{s.fb},
		Federation: s.fakes,

		CognitoIssuer: s.opts.CognitoIssuer,
		NegativeSalts: s.opts.NegativeSRPSalts,
		Functions:     &s.functions,
	})
	s.ids = idpool.New(idpool.Config{
		Region: s.opts.Region, AccountID: AccountID, Now: h.Now, Rand: h.Rand(),
		Facebook: s.fb, Providers: s.fakes, OnChange: h.PersistOrLog, VerifyUserPoolToken: s.verifyLogin,
		UserPoolIssuer: s.url,
	})
	s.ids.Register(h)
	s.mountIAMAndSTS()
	s.gw = apigw.New(apigw.Config{
		Region: s.opts.Region, AccountID: AccountID, Now: h.Now, Identities: s.ids, OnChange: h.PersistOrLog,
		VerifyUserPoolToken: func(poolID, tok string) (map[string]any, error) {
			return s.up.VerifyToken(poolID, tok, "", false)
		},
	})
	s.gw.Register(h)
}

// verifyLogin checks a user-pool ID token of an identity pool's Logins
// map for idpool.
func (s *Server) verifyLogin(provider, tok string, checkRevoked bool) (idpool.UserPoolClaims, error) {
	poolID := userpool.PoolIDFromProvider(provider)
	if provider != s.IdentityProviderName(poolID) {
		return idpool.UserPoolClaims{}, errors.New("Invalid login token. Issuer doesn't match providerName")
	}
	claims, err := s.up.VerifyToken(poolID, tok, "id", checkRevoked)
	if err != nil {
		return idpool.UserPoolClaims{}, errors.New(awsproto.ErrorMessage(err))
	}
	c := idpool.UserPoolClaims{}
	c.Sub, _ = claims["sub"].(string)
	c.Audience, _ = claims["aud"].(string)
	c.PreferredRole, _ = claims["cognito:preferred_role"].(string)
	c.Claims = claims
	if roles, ok := claims["cognito:roles"].([]any); ok {
		for _, r := range roles {
			if s, ok := r.(string); ok {
				c.Roles = append(c.Roles, s)
			}
		}
	}
	return c, nil
}

// facebookProvider is the fake Facebook as the hosted UI's
// userpool.SocialProvider.
type facebookProvider struct{ fb *fakefb.Fake }

func (p facebookProvider) RegisterApp(appID, secret string) error { return p.fb.PutApp(appID, secret) }

func (p facebookProvider) ExchangeCode(appID, secret, redirectURI, code string) (userpool.SocialUser, error) {
	tok, _, err := p.fb.Exchange(appID, secret, redirectURI, code)
	if err != nil {
		return userpool.SocialUser{}, err
	}
	rec, err := p.fb.Lookup(tok)
	if err != nil {
		return userpool.SocialUser{}, fmt.Errorf("%w: %v", userpool.ErrProfileUnreadable, err)
	}
	return userpool.SocialUser(rec.User), nil
}

// IdentityProviderName returns the name under which an identity pool
// trusts a user pool, and the Logins key of its ID tokens:
// "cognito-idp.{region}.amazonaws.com/{userPoolId}".
func (s *Server) IdentityProviderName(userPoolID string) string {
	return "cognito-idp." + s.opts.Region + ".amazonaws.com/" + userPoolID
}

// IdentityPoolOptions describes an identity pool for CreateIdentityPool.
type IdentityPoolOptions struct {
	// Name defaults to "identities".
	Name string
	// AllowUnauthenticated lets guests (no Logins) get credentials.
	AllowUnauthenticated bool
	// AllowClassicFlow enables the basic flow (GetOpenIdToken, then STS).
	// When false, GetOpenIdToken answers InvalidParameterException "Basic
	// (classic) flow is not enabled, please use enhanced flow.", as Cognito
	// does for a pool created with the flag set to false.
	AllowClassicFlow bool
	// UserPools are the user pools (and app clients) whose ID tokens the
	// identity pool accepts.
	UserPools []IdentityPoolUserPool
	// FacebookAppID, when set, trusts the fake Facebook's tokens for this app.
	FacebookAppID string
	// LoginProviders are further SupportedLoginProviders: GoogleProvider
	// and AppleProvider to a client ID, AmazonProvider to an app ID,
	// TwitterProvider to "consumerKey;consumerSecret".
	LoginProviders map[string]string
	// OpenIDConnectProviderARNs and SAMLProviderARNs name the providers of
	// CreateOIDCProvider and CreateSAMLProvider the pool trusts.
	OpenIDConnectProviderARNs, SAMLProviderARNs []string
	// DeveloperProviderName enables developer-authenticated identities.
	DeveloperProviderName string
	// AuthenticatedRole and UnauthenticatedRole are role ARNs.
	AuthenticatedRole, UnauthenticatedRole string
}

// IdentityPoolUserPool is a user pool an identity pool trusts.
type IdentityPoolUserPool struct {
	UserPoolID string
	ClientID   string
	// ServerSideTokenCheck makes the identity pool refuse ID tokens whose
	// session was signed out or revoked.
	ServerSideTokenCheck bool
}

// CreateIdentityPool creates an identity pool and sets its roles.
func (s *Server) CreateIdentityPool(o IdentityPoolOptions) (identityPoolID string, err error) {
	if o.Name == "" {
		o.Name = "identities"
	}
	in := map[string]any{
		"IdentityPoolName":               o.Name,
		"AllowUnauthenticatedIdentities": o.AllowUnauthenticated,
		"AllowClassicFlow":               o.AllowClassicFlow,
	}
	var providers []map[string]any
	for _, up := range o.UserPools {
		providers = append(providers, map[string]any{
			"ProviderName": s.IdentityProviderName(up.UserPoolID), "ClientId": up.ClientID, "ServerSideTokenCheck": up.ServerSideTokenCheck,
		})
	}
	if providers != nil {
		in["CognitoIdentityProviders"] = providers
	}
	if social := identityPoolLogins(o); len(social) > 0 {
		in["SupportedLoginProviders"] = social
	}
	if len(o.OpenIDConnectProviderARNs) > 0 {
		in["OpenIdConnectProviderARNs"] = o.OpenIDConnectProviderARNs
	}
	if len(o.SAMLProviderARNs) > 0 {
		in["SamlProviderARNs"] = o.SAMLProviderARNs
	}
	if o.DeveloperProviderName != "" {
		in["DeveloperProviderName"] = o.DeveloperProviderName
	}
	body, _ := json.Marshal(in)
	out, err := s.ids.Call("CreateIdentityPool", body)
	if err != nil {
		return "", fmt.Errorf("cognitotest: create identity pool: %w", err)
	}
	var created struct{ IdentityPoolId string }
	if err := json.Unmarshal(out, &created); err != nil {
		return "", err
	}
	roles := map[string]string{}
	if o.AuthenticatedRole != "" {
		roles["authenticated"] = o.AuthenticatedRole
	}
	if o.UnauthenticatedRole != "" {
		roles["unauthenticated"] = o.UnauthenticatedRole
	}
	if len(roles) > 0 {
		body, _ = json.Marshal(map[string]any{"IdentityPoolId": created.IdentityPoolId, "Roles": roles})
		if _, err := s.ids.Call("SetIdentityPoolRoles", body); err != nil {
			return "", fmt.Errorf("cognitotest: set identity pool roles: %w", err)
		}
	}
	return created.IdentityPoolId, nil
}

// MustCreateIdentityPool is CreateIdentityPool for tests and examples: it
// panics on error.
func (s *Server) MustCreateIdentityPool(o IdentityPoolOptions) (identityPoolID string) {
	return must(s.CreateIdentityPool(o))
}

// PutRole declares (or replaces) an IAM role: its trust and its policy.
// A policy the emulated API Gateway could not evaluate (not JSON, an
// element in the wrong case or given twice, an unknown condition
// operator...) is refused
// with iampolicy's message, wrapping iampolicy.ErrInvalidPolicy, and the
// role is left as it was; an empty policy allows nothing.
func (s *Server) PutRole(r Role) error {
	if err := checkRole(r); err != nil {
		return fmt.Errorf("cognitotest: %w", err)
	}
	s.ids.PutRole(r.internal())
	return nil
}

// checkRole refuses a role without an ARN or with a policy that does not
// parse. The error has no package prefix: its callers add theirs.
func checkRole(r Role) error {
	if r.ARN == "" {
		return errors.New("every role needs an arn")
	}
	if r.Policy != "" {
		if _, err := iampolicy.Parse([]byte(r.Policy)); err != nil {
			return fmt.Errorf("role %s: policy: %w", r.ARN, err)
		}
	}
	return nil
}

// MustPutRole is PutRole for tests and examples: it panics on error.
func (s *Server) MustPutRole(r Role) { mustDo(s.PutRole(r)) }

// PutAPI declares (or replaces) a REST API of the emulated API Gateway.
func (s *Server) PutAPI(a API) error { return s.gw.PutAPI(a.internal()) }

// MustPutAPI is PutAPI for tests and examples: it panics on error.
func (s *Server) MustPutAPI(a API) { mustDo(s.PutAPI(a)) }

// APIURL returns the base URL of an API's stage: URL + "/apis/{apiID}/{stage}".
// Append the resource path ("/test").
func (s *Server) APIURL(apiID, stage string) string {
	if stage == "" {
		stage = apigw.DefaultStage
	}
	return s.url() + apigw.PathPrefix + apiID + "/" + stage
}

// PutIAMUser declares (or replaces) a static IAM user of the emulated API
// Gateway.
func (s *Server) PutIAMUser(u IAMUser) error { return s.gw.PutUser(apigw.User(u)) }

// MustPutIAMUser is PutIAMUser for tests and examples: it panics on error.
func (s *Server) MustPutIAMUser(u IAMUser) { mustDo(s.PutIAMUser(u)) }

// FacebookToken mints an access token of the fake Facebook for user in
// app appID, valid for two hours (the HTTP form is POST
// /_emulator/facebook/tokens).
func (s *Server) FacebookToken(appID string, user FacebookUser) (string, error) {
	return s.fb.Mint(appID, fakefb.User(user), 0)
}

// MustFacebookToken is FacebookToken for tests and examples: it panics on
// error.
func (s *Server) MustFacebookToken(appID string, user FacebookUser) string {
	return must(s.FacebookToken(appID, user))
}

// seedFederation creates the identity pools, roles, APIs and IAM users a
// SeedConfig declares, skipping identity pools that exist.
func (s *Server) seedFederation(cfg *SeedConfig) error {
	for _, r := range cfg.Roles {
		if err := checkRole(r); err != nil {
			return fmt.Errorf("cognitotest: config: %w", err)
		}
		s.ids.PutRole(r.internal())
	}
	for _, ip := range cfg.IdentityPools {
		for i, up := range ip.CognitoIdentityProviders {
			if !strings.Contains(up.ProviderName, "/") {
				// A bare user pool ID is accepted for convenience.
				ip.CognitoIdentityProviders[i].ProviderName = s.IdentityProviderName(up.ProviderName)
			}
		}
		if _, err := s.ids.Seed(ip.internal()); err != nil {
			return fmt.Errorf("cognitotest: config: identity pool %s: %w", ip.ID, err)
		}
	}
	for _, a := range cfg.APIs {
		if err := s.PutAPI(a); err != nil {
			return fmt.Errorf("cognitotest: config: %w", err)
		}
	}
	for _, u := range cfg.IAMUsers {
		if err := s.PutIAMUser(u); err != nil {
			return fmt.Errorf("cognitotest: config: %w", err)
		}
	}
	return nil
}

// SeedIdentityPool is an identity pool of a SeedConfig, with a fixed ID.
type SeedIdentityPool struct {
	// ID is the identity pool ID, "{region}:{uuid}".
	ID string `json:"id"`
	// Name is the pool's name.
	Name string `json:"name"`
	// AllowUnauthenticatedIdentities lets guests (no Logins) get
	// credentials.
	AllowUnauthenticatedIdentities bool `json:"allowUnauthenticatedIdentities"`
	// AllowClassicFlow enables the basic flow (GetOpenIdToken, then STS);
	// nil means false.
	AllowClassicFlow *bool `json:"allowClassicFlow,omitempty"`
	// CognitoIdentityProviders are the user pools whose ID tokens the
	// pool accepts; ProviderName may be a bare user pool ID.
	CognitoIdentityProviders []IdentityPoolProvider `json:"cognitoIdentityProviders"`
	// SupportedLoginProviders maps a provider ("graph.facebook.com") to
	// the app ID whose tokens the pool accepts.
	SupportedLoginProviders map[string]string `json:"supportedLoginProviders"`
	// DeveloperProviderName enables developer-authenticated identities.
	DeveloperProviderName string `json:"developerProviderName"`
	// Roles maps "authenticated" and "unauthenticated" to role ARNs.
	Roles map[string]string `json:"roles"`
}

// IdentityPoolProvider is one user pool a SeedIdentityPool trusts.
type IdentityPoolProvider struct {
	// ProviderName is "cognito-idp.{region}.amazonaws.com/{userPoolId}"
	// (or, in a SeedConfig, the bare user pool ID).
	ProviderName string `json:"ProviderName"`
	// ClientID is the app client whose ID tokens are accepted.
	ClientID string `json:"ClientId"`
	// ServerSideTokenCheck makes the identity pool refuse ID tokens whose
	// session was signed out or revoked.
	ServerSideTokenCheck bool `json:"ServerSideTokenCheck"`
}

func (ip SeedIdentityPool) internal() idpool.SeedPool {
	out := idpool.SeedPool{ID: ip.ID, Name: ip.Name, AllowUnauthenticatedIdentities: ip.AllowUnauthenticatedIdentities,
		AllowClassicFlow: ip.AllowClassicFlow, SupportedLoginProviders: ip.SupportedLoginProviders,
		DeveloperProviderName: ip.DeveloperProviderName, Roles: ip.Roles}
	for _, p := range ip.CognitoIdentityProviders {
		out.CognitoIdentityProviders = append(out.CognitoIdentityProviders, idpool.UserPoolProvider(p))
	}
	return out
}
