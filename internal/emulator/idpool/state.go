// Package idpool is the emulator's Amazon Cognito identity-pool service
// (cognito-identity's JSON 1.1 protocol, `AWSCognitoIdentityService.*`) and
// the one STS call the basic flow needs (AssumeRoleWithWebIdentity, query
// protocol). It is mounted by cognito/cognitotest; it is not an API of its
// own.
//
// Unlike moto, it checks what it is given: a user-pool ID token in Logins
// must verify (through the host's UserPoolVerifier: signature, issuer,
// expiry, revocation when ServerSideTokenCheck is on) and carry an `aud` the
// pool's provider entry names; a Facebook token must have been minted by
// the emulator's fake Facebook for the app ID the pool trusts; a Google,
// Apple, Login with Amazon or Twitter login, or one of an IAM OpenID
// Connect or SAML provider the pool lists by ARN, must verify with that
// provider (through the host's Providers) for the client or app the pool
// trusts; a developer login must come from
// GetOpenIdTokenForDeveloperIdentity. RoleMappings decide an authenticated
// identity's role (by the token's roles or by rules on its claims). Credentials are
// fresh and unique per call, expire after an hour, and are recorded with
// the identity, pool, role and authentication type they belong to, so the
// emulated API Gateway can check signatures and roles (LookupCredentials).
package idpool

import (
	"crypto/rsa"
	"encoding/json"
	"time"
)

// State is the service's persistent state. Everything in it is plain data
// that round-trips through encoding/json.
type State struct {
	Pools       map[string]*Pool       `json:"pools"`       // by identity pool ID
	Identities  map[string]*Identity   `json:"identities"`  // by identity ID
	Credentials map[string]*Credential `json:"credentials"` // by access key ID
	Roles       map[string]*Role       `json:"roles"`       // declared roles, by ARN
	// SigningKeyPKCS8 is the DER of the key that signs OpenID tokens, so
	// tokens stay valid across restarts.
	SigningKeyPKCS8 []byte `json:"signingKeyPkcs8,omitempty"`
	SigningKeyID    string `json:"signingKeyId,omitempty"`
}

// Pool is an identity pool.
type Pool struct {
	ID                             string `json:"IdentityPoolId"`
	Name                           string `json:"IdentityPoolName"`
	AllowUnauthenticatedIdentities bool   `json:"AllowUnauthenticatedIdentities"`
	// AllowClassicFlow is nil when never set: Cognito refuses the basic
	// flow's GetOpenIdToken only when it was explicitly set to false.
	AllowClassicFlow          *bool              `json:"AllowClassicFlow,omitempty"`
	SupportedLoginProviders   map[string]string  `json:"SupportedLoginProviders,omitempty"`
	DeveloperProviderName     string             `json:"DeveloperProviderName,omitempty"`
	OpenIDConnectProviderARNs []string           `json:"OpenIdConnectProviderARNs,omitempty"`
	CognitoIdentityProviders  []UserPoolProvider `json:"CognitoIdentityProviders,omitempty"`
	SAMLProviderARNs          []string           `json:"SamlProviderARNs,omitempty"`
	Tags                      map[string]string  `json:"IdentityPoolTags,omitempty"`
	// Roles maps "authenticated" and "unauthenticated" to role ARNs.
	Roles map[string]string `json:"Roles,omitempty"`
	// RoleMappings is kept as sent (SetIdentityPoolRoles), by provider key
	// ("{user pool provider}:{client ID}" for a user pool), and decides the
	// authenticated role (rolemap.go).
	RoleMappings map[string]RoleMapping `json:"RoleMappings,omitempty"`
	// PrincipalTags are the attributes for access control, by provider
	// name (SetPrincipalTagAttributeMap); a provider without an entry
	// gives no session tags.
	PrincipalTags map[string]*PrincipalTagMap `json:"principalTags,omitempty"`
	Created       time.Time                   `json:"created"`
}

// UserPoolProvider is one entry of CognitoIdentityProviders.
type UserPoolProvider struct {
	ProviderName         string `json:"ProviderName"`
	ClientID             string `json:"ClientId"`
	ServerSideTokenCheck bool   `json:"ServerSideTokenCheck"`
}

// RoleMapping is one entry of SetIdentityPoolRoles' RoleMappings.
type RoleMapping struct {
	Type                    string              `json:"Type"`
	AmbiguousRoleResolution string              `json:"AmbiguousRoleResolution,omitempty"`
	RulesConfiguration      *RulesConfiguration `json:"RulesConfiguration,omitempty"`
}

// RulesConfiguration is a Rules-type mapping's rules, tried in order.
type RulesConfiguration struct {
	Rules []MappingRule `json:"Rules"`
}

// MappingRule maps a claim matching Value (by MatchType: Equals, Contains,
// StartsWith, NotEqual) to RoleARN.
type MappingRule struct {
	Claim     string `json:"Claim"`
	MatchType string `json:"MatchType"`
	Value     string `json:"Value"`
	RoleARN   string `json:"RoleARN"`
}

// Identity is one Cognito identity: a guest until a login is linked.
type Identity struct {
	ID     string `json:"id"`
	PoolID string `json:"poolId"`
	// Logins maps a provider key (e.g. "graph.facebook.com") to the
	// subject it names (the Facebook user ID, the user pool's sub, the
	// developer user identifier).
	Logins map[string]string `json:"logins,omitempty"`
	// MoreLogins are further subjects of a provider key linked to the
	// identity: the developer user identifiers MergeDeveloperIdentities
	// moved here beside the one in Logins.
	MoreLogins map[string][]string `json:"moreLogins,omitempty"`
	Created    time.Time           `json:"created"`
	Modified   time.Time           `json:"modified"`
}

// Credential is one set of temporary credentials the service issued.
type Credential struct {
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	SessionToken    string    `json:"sessionToken"`
	Expires         time.Time `json:"expires"`
	IdentityID      string    `json:"identityId"`
	IdentityPoolID  string    `json:"identityPoolId"`
	RoleARN         string    `json:"roleArn"`
	// AuthType is "authenticated" or "unauthenticated", as API Gateway's
	// requestContext.identity.cognitoAuthenticationType has it.
	AuthType string `json:"authType"`
	// AuthProvider lists the login keys behind an authenticated identity
	// (requestContext.identity.cognitoAuthenticationProvider).
	AuthProvider []string `json:"authProvider,omitempty"`
	// SessionPolicy is the inline session policy given to
	// AssumeRoleWithWebIdentity, if any.
	SessionPolicy string `json:"sessionPolicy,omitempty"`
	// PrincipalTags are the session tags of the credentials: the claims
	// the pool's principal-tag maps select, and a developer provider's
	// PrincipalTags (aws:PrincipalTag/… in IAM).
	PrincipalTags map[string]string `json:"principalTags,omitempty"`
	SessionName   string            `json:"sessionName,omitempty"`
	Issued        time.Time         `json:"issued"`
}

// Role is a role declared in the emulator's configuration: its trust (who
// may assume it with a web identity) and its policy (what it may do, read
// by the emulated API Gateway).
type Role struct {
	ARN string `json:"arn"`
	// TrustedIdentityPools, when not empty, restricts the role to
	// identities of these pools (the cognito-identity.amazonaws.com:aud
	// condition), in both flows: AssumeRoleWithWebIdentity and
	// GetCredentialsForIdentity (Role.trusts).
	TrustedIdentityPools []string `json:"trustedIdentityPools,omitempty"`
	// TrustedAMR, when set, is "authenticated" or "unauthenticated" (the
	// cognito-identity.amazonaws.com:amr condition).
	TrustedAMR string `json:"trustedAmr,omitempty"`
	// Policy is an IAM policy document (JSON).
	Policy string `json:"policy,omitempty"`
	// IAM is the role as the IAM API describes it (package iam's record,
	// JSON), kept here so that a role has one owner; the identity pools
	// do not read it.
	IAM json.RawMessage `json:"iam,omitempty"`
}

func newState() *State {
	return &State{
		Pools:       map[string]*Pool{},
		Identities:  map[string]*Identity{},
		Credentials: map[string]*Credential{},
		Roles:       map[string]*Role{},
	}
}

// signer is the OpenID-token signing key, parsed from State.
type signer struct {
	key *rsa.PrivateKey
	kid string
}

// trusts reports whether the role's trust policy lets identities of pool
// poolID with the given authentication type ("authenticated" or
// "unauthenticated") assume it: the cognito-identity.amazonaws.com:aud
// and :amr conditions, which both flows check.
func (r *Role) trusts(poolID, authType string) bool {
	return (len(r.TrustedIdentityPools) == 0 || contains(r.TrustedIdentityPools, poolID)) &&
		(r.TrustedAMR == "" || r.TrustedAMR == authType)
}

// has reports whether subject is linked to the identity under key.
func (ident *Identity) has(key, subject string) bool {
	return ident.Logins[key] == subject || contains(ident.MoreLogins[key], subject)
}

// subjects returns every subject linked under key, the one in Logins
// first.
func (ident *Identity) subjects(key string) []string {
	v, ok := ident.Logins[key]
	if !ok {
		return nil
	}
	return append([]string{v}, ident.MoreLogins[key]...)
}
