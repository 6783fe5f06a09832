package userpool

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// This file is the hosted UI's state and Go helpers: identity providers,
// resource servers, triggers. The HTTP endpoints are in hostedui_http.go.

// Hosted-UI lifetimes, as Cognito's.
const (
	// AuthCodeLifetime is how long an authorization code may be exchanged.
	AuthCodeLifetime = 5 * time.Minute
	// HostedSessionLifetime is how long the hosted UI's session cookie
	// signs a user in again without a password.
	HostedSessionLifetime = time.Hour
	// hostedFlowLifetime bounds a sign-in in progress (new password, MFA,
	// a round trip to Facebook).
	hostedFlowLifetime = 5 * time.Minute
)

// IdentityProviderOptions describes a social or enterprise identity
// provider of a user pool, as CreateIdentityProvider does: Facebook
// (through the emulator's fake Facebook), Google, SignInWithApple,
// LoginWithAmazon, OIDC and SAML (through Options.Federation).
type IdentityProviderOptions struct {
	// Name is the provider name used in identity_provider and in
	// usernames (Name_<id>). Default: Type.
	Name string `json:"name"`
	// Type is the provider type: "Facebook", "Google", "SignInWithApple",
	// "LoginWithAmazon", "OIDC" or "SAML".
	Type string `json:"type"`
	// AppID and AppSecret are the provider's client_id and client_secret
	// (the Facebook app ID and secret). The fake Facebook is told the
	// secret and checks it at the code exchange.
	AppID     string `json:"appId"`
	AppSecret string `json:"appSecret"`
	// AuthorizeScopes are the provider scopes asked for; default
	// "public_profile,email".
	AuthorizeScopes string `json:"authorizeScopes"`
	// AttributeMapping maps user-pool attributes to provider attributes
	// ("email": "email", "name": "name"). The username is always the
	// provider's user ID. Nil means the type's defaults (see
	// defaultMapping).
	AttributeMapping map[string]string `json:"attributeMapping"`
	// Details are the ProviderDetails of CreateIdentityProvider for types
	// other than Facebook (client_id, client_secret, authorize_scopes,
	// oidc_issuer, attributes_request_method, team_id, key_id,
	// private_key, MetadataURL, MetadataFile, IDPSignout, IDPInit).
	// AppID, AppSecret and AuthorizeScopes, when set, fill client_id,
	// client_secret and authorize_scopes.
	Details map[string]string `json:"details,omitempty"`
	// IdpIdentifiers are identifiers (often e-mail domains) that
	// /oauth2/authorize's idp_identifier selects the provider with.
	IdpIdentifiers []string `json:"idpIdentifiers,omitempty"`
}

// ResourceServerOptions describes a resource server: its identifier
// (e.g. "https://api.example.com" or "orders") and scope names; a client's
// AllowedOAuthScopes then name them as "identifier/scope".
type ResourceServerOptions struct {
	Identifier string   `json:"identifier"`
	Name       string   `json:"name"`
	Scopes     []string `json:"scopes"`
}

// TriggerEvent is what a hosted-UI trigger is told about a sign-in.
type TriggerEvent struct {
	// TriggerSource is "PostConfirmation_ConfirmSignUp" (a federated
	// user's first sign-in) or "PostAuthentication_Authentication".
	TriggerSource string
	UserPoolID    string
	ClientID      string
	Username      string
	// Attributes are the user's attributes after the sign-in.
	Attributes map[string]string
	// Provider is the identity provider ("COGNITO", "Facebook", ...).
	Provider string
}

// HostedUITriggers are Go functions that play the part of Lambda
// triggers for hosted-UI sign-ins. As in Cognito, a federated user's first
// sign-in fires PostConfirmation (not PostAuthentication); later sign-ins,
// and every password sign-in through the hosted UI, fire
// PostAuthentication. A trigger that returns an error fails the sign-in
// (the user created by a first federated sign-in is kept). Triggers run
// without the emulator's lock held, so they may call the Server.
//
// PostConfirmation runs on the same path as the pool's PostConfirmation
// Lambda trigger (LambdaConfig) for a first federated sign-in: after the
// Lambda function, when the pool has one, as an adapter for tests written
// before Lambda triggers; new tests should register a Lambda handler
// instead, which also sees ConfirmSignUp, AdminConfirmSignUp and
// ConfirmForgotPassword.
type HostedUITriggers struct {
	PostConfirmation   func(ctx context.Context, ev TriggerEvent) error
	PostAuthentication func(ctx context.Context, ev TriggerEvent) error
}

// Trigger sources.
const (
	TriggerPostConfirmation   = "PostConfirmation_ConfirmSignUp"
	TriggerPostAuthentication = "PostAuthentication_Authentication"
)

type hostedState struct {
	IdPs            map[string]*identityProvider `json:"idps,omitempty"`
	ResourceServers map[string]*resourceServer   `json:"resourceServers,omitempty"`
	Codes           map[string]*authCode         `json:"codes,omitempty"`    // by hash of the code
	Sessions        map[string]*uiSession        `json:"sessions,omitempty"` // by hash of the cookie
	Flows           map[string]*uiFlow           `json:"flows,omitempty"`    // by hash of the flow ID
	// Links are the provider identities linked to existing users
	// (AdminLinkProviderForUser), by linkKey.
	Links map[string]*idpLink `json:"links,omitempty"`
}

// checkEntries refuses null entries of a state file's hosted-UI state;
// in names the pool.
func (h *hostedState) checkEntries(in string) error {
	if h == nil {
		return nil
	}
	for _, c := range []struct {
		what string
		keys []string
	}{{"identity provider", nilKeys(h.IdPs)}, {"resource server", nilKeys(h.ResourceServers)},
		{"authorization code", nilKeys(h.Codes)}, {"hosted UI session", nilKeys(h.Sessions)}, {"hosted UI flow", nilKeys(h.Flows)},
		{"provider link", nilKeys(h.Links)}} {
		if err := firstNil(in, c.what, c.keys); err != nil {
			return err
		}
	}
	return nil
}

type identityProvider struct {
	Name             string            `json:"name"`
	Type             string            `json:"type"`
	AppID            string            `json:"appId"`
	AppSecret        string            `json:"appSecret,omitempty"`
	AuthorizeScopes  string            `json:"authorizeScopes"`
	AttributeMapping map[string]string `json:"attributeMapping"`
	// Details are the provider details other than the client ID, secret
	// and scopes (kept above for Facebook's sake), secrets included.
	Details     map[string]string `json:"details,omitempty"`
	Identifiers []string          `json:"idpIdentifiers,omitempty"`
	// Created and Modified are its CreationDate and LastModifiedDate
	// (zero for a provider of an older state file).
	Created  time.Time `json:"created,omitzero"`
	Modified time.Time `json:"modified,omitzero"`
}

type resourceServer struct {
	Identifier string   `json:"identifier"`
	Name       string   `json:"name"`
	Scopes     []string `json:"scopes"`
	// Descriptions are the scopes' ScopeDescription, by scope name (a
	// scope without one is described by its name).
	Descriptions map[string]string `json:"descriptions,omitempty"`
}

// authRequest is a validated /oauth2/authorize request.
type authRequest struct {
	ClientID        string `json:"clientId"`
	RedirectURI     string `json:"redirectUri"`
	Scope           string `json:"scope"`
	State           string `json:"state,omitempty"`
	CodeChallenge   string `json:"codeChallenge,omitempty"`
	ChallengeMethod string `json:"challengeMethod,omitempty"`
	Nonce           string `json:"nonce,omitempty"`
	IdP             string `json:"idp,omitempty"`
}

type authCode struct {
	Req      authRequest `json:"req"`
	Username string      `json:"username"`
	Sub      string      `json:"sub"`
	Expires  time.Time   `json:"expires"`
	// Used marks a code already exchanged; Origin is the origin_jti of
	// the tokens that exchange issued, revoked if the code is replayed.
	Used   bool   `json:"used,omitempty"`
	Origin string `json:"origin,omitempty"`
}

type uiSession struct {
	Username string    `json:"username"`
	Sub      string    `json:"sub"`
	Provider string    `json:"provider"`
	Expires  time.Time `json:"expires"`
}

// uiFlow is a hosted-UI sign-in in progress.
type uiFlow struct {
	Req      authRequest `json:"req"`
	Step     string      `json:"step"` // flowNewPassword, flowMFA, flowIdP
	Username string      `json:"username,omitempty"`
	Sub      string      `json:"sub,omitempty"`
	MFAKind  string      `json:"mfaKind,omitempty"`
	Code     string      `json:"code,omitempty"`
	Failures int         `json:"failures,omitempty"`
	Expires  time.Time   `json:"expires"`
	// IdPNonce and IdPVerifier are the nonce and PKCE verifier sent to an
	// OpenID Connect or OAuth provider; SAMLRequestID is the ID of the
	// AuthnRequest sent to a SAML provider (its InResponseTo).
	IdPNonce      string `json:"idpNonce,omitempty"`
	IdPVerifier   string `json:"idpVerifier,omitempty"`
	SAMLRequestID string `json:"samlRequestId,omitempty"`
}

const (
	flowNewPassword = "new_password"
	flowMFA         = "mfa"
	flowIdP         = "idp"
)

func (p *pool) hosted() *hostedState {
	if p.Hosted == nil {
		p.Hosted = &hostedState{}
	}
	h := p.Hosted
	if h.IdPs == nil {
		h.IdPs = map[string]*identityProvider{}
	}
	if h.ResourceServers == nil {
		h.ResourceServers = map[string]*resourceServer{}
	}
	if h.Codes == nil {
		h.Codes = map[string]*authCode{}
	}
	if h.Sessions == nil {
		h.Sessions = map[string]*uiSession{}
	}
	if h.Flows == nil {
		h.Flows = map[string]*uiFlow{}
	}
	if h.Links == nil {
		h.Links = map[string]*idpLink{}
	}
	return h
}

// prune forgets expired codes, sessions and flows.
func (h *hostedState) prune(now time.Time) {
	maps.DeleteFunc(h.Codes, func(_ string, c *authCode) bool { return now.After(c.Expires) })
	maps.DeleteFunc(h.Sessions, func(_ string, c *uiSession) bool { return now.After(c.Expires) })
	maps.DeleteFunc(h.Flows, func(_ string, c *uiFlow) bool { return now.After(c.Expires) })
}

var idpNameRe = regexp.MustCompile(`^[^_\s][\p{L}\p{M}\p{S}\p{N}\p{P}]{0,31}$`)

// AddIdentityProvider adds (or replaces) an identity provider of a user
// pool. A Facebook provider's AppSecret is declared to the fake Facebook;
// the other types sign in through Options.Federation, which is told of
// the provider when it implements FederationRegistrar.
func (s *Server) AddIdentityProvider(poolID string, o IdentityProviderOptions) error {
	var reg RegisteredProvider
	err := s.mutate(func() error {
		p, err := s.pool(poolID)
		if err != nil {
			return err
		}
		idp, err := s.putIdPLocked(p, o, true)
		if err == nil {
			reg = registeredProvider(p.ID, s.urlLocked(), idp)
		}
		return err
	})
	if err != nil {
		return err
	}
	if o.Type == "Facebook" && o.AppSecret != "" {
		return s.social.RegisterApp(o.AppID, o.AppSecret)
	}
	if fed, err := s.federation(); err == nil {
		if r, ok := fed.(FederationRegistrar); ok {
			return r.RegisterIdentityProvider(reg)
		}
	}
	return nil
}

var scopeNameRe = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]{1,256}$`)

// AddResourceServer adds (or replaces) a resource server and its custom
// scopes, for client_credentials and custom scopes in the code flow.
func (s *Server) AddResourceServer(poolID string, o ResourceServerOptions) error {
	if o.Identifier == "" || strings.ContainsAny(o.Identifier, " \t\r\n") {
		return fmt.Errorf("cognitotest: invalid resource server identifier %q", o.Identifier)
	}
	for _, sc := range o.Scopes {
		if !scopeNameRe.MatchString(sc) || strings.Contains(sc, "/") {
			return fmt.Errorf("cognitotest: invalid scope name %q", sc)
		}
	}
	return s.mutate(func() error {
		p, err := s.pool(poolID)
		if err != nil {
			return err
		}
		p.hosted().ResourceServers[o.Identifier] = &resourceServer{Identifier: o.Identifier, Name: orDefault(o.Name, o.Identifier),
			Scopes: append([]string(nil), o.Scopes...)}
		return nil
	})
}

// FacebookGroup returns the group Cognito puts users of a pool's Facebook
// provider in: "<poolId>_Facebook".
func FacebookGroup(poolID string) string { return ProviderGroup(poolID, "Facebook") }

// ProviderGroup returns the group Cognito puts users of a pool's identity
// provider in: "<poolId>_<ProviderName>".
func ProviderGroup(poolID, providerName string) string { return poolID + "_" + providerName }

// ---------------------------------------------------------------------------
// Helpers shared by the endpoints.

// isCustomScope reports whether scope is "identifier/name" of a resource
// server of p.
func (p *pool) isCustomScope(scope string) bool {
	i := strings.LastIndex(scope, "/")
	if i <= 0 {
		return false
	}
	rs, ok := p.hosted().ResourceServers[scope[:i]]
	return ok && contains(rs.Scopes, scope[i+1:])
}

// checkScopes validates requested scopes against the client; an empty
// request means every scope the client allows.
func checkScopes(p *pool, cl *client, requested string) (string, error) {
	list := strings.Fields(requested)
	if len(list) == 0 {
		list = append([]string(nil), cl.AllowedOAuthScopes...)
	}
	if len(list) == 0 {
		return "", errors.New("the client has no allowed OAuth scopes")
	}
	seen := map[string]bool{}
	var out []string
	for _, sc := range list {
		if seen[sc] {
			continue
		}
		seen[sc] = true
		if !contains(cl.AllowedOAuthScopes, sc) {
			return "", fmt.Errorf("scope %s is not allowed for the client", sc)
		}
		switch sc {
		case "openid", "email", "phone", "profile", "aws.cognito.signin.user.admin":
		default:
			if !p.isCustomScope(sc) {
				return "", fmt.Errorf("scope %s is not a standard scope or a scope of a resource server of the pool", sc)
			}
		}
		out = append(out, sc)
	}
	if (seen["email"] || seen["phone"] || seen["profile"]) && !seen["openid"] {
		return "", errors.New("the email, phone and profile scopes require openid")
	}
	return strings.Join(out, " "), nil
}

func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}

// externalUser is who an identity provider says signed in: the subject
// usernames are made of (Facebook's id, the sub, Amazon's user_id, the
// SAML NameID) and the attributes the mapping reads.
type externalUser struct {
	Subject string
	Claims  map[string]any
}

// mappedAttrs applies idp's attribute mapping to ext's claims.
func mappedAttrs(idp *identityProvider, ext externalUser) map[string]string {
	attrs := map[string]string{}
	for attr, field := range idp.AttributeMapping {
		var v string
		switch x := ext.Claims[field].(type) {
		case string:
			v = x
		case bool:
			v = strconv.FormatBool(x)
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		case []string:
			v = strings.Join(x, ",")
		}
		if attr == "email" && v != "" && !emailRe.MatchString(v) {
			v = ""
		}
		if attr == "email_verified" && v != "true" && v != "false" {
			v = ""
		}
		if v != "" && len(v) <= 2048 {
			attrs[attr] = v
		}
	}
	return attrs
}

// identityJSON is one entry of the identities attribute.
func identityJSON(idp *identityProvider, subject, primary string, created time.Time) map[string]any {
	return map[string]any{"userId": subject, "providerName": idp.Name, "providerType": idp.Type,
		"issuer": nil, "primary": primary, "dateCreated": fmt.Sprint(created.UnixMilli())}
}

// federatedUser finds or creates the user of a provider sign-in and
// refreshes its mapped attributes. created reports a first sign-in. A
// provider identity linked to an existing user (AdminLinkProviderForUser)
// signs in as that user.
//
// A first sign-in runs the pool's pre sign-up trigger
// (PreSignUp_ExternalProvider) before the user is stored; its failure
// stores nothing and is returned.
func (s *Server) federatedUser(tc *trigCall, p *pool, idp *identityProvider, ext externalUser, now time.Time) (u *user, created bool, err error) {
	attrs := mappedAttrs(idp, ext)
	if err := checkMapped(p, attrs); err != nil {
		return nil, false, err
	}
	if ln, ok := p.hosted().Links[linkKey(idp.Name, ext.Subject)]; ok {
		if u = p.sameUser(ln.Username, ln.Sub); u != nil {
			u.refreshAttrs(attrs, now)
			if !u.Enabled {
				return u, false, errUserDisabled
			}
			return u, false, nil
		}
	}
	username := idp.Name + "_" + ext.Subject
	u = p.user(username)
	if u == nil {
		sub := s.uuid()
		ident, _ := json.Marshal([]map[string]any{identityJSON(idp, ext.Subject, "true", now)})
		attrs["sub"] = sub
		attrs["identities"] = string(ident)
		u = &user{Username: username, Sub: sub, Attrs: attrs, Status: "EXTERNAL_PROVIDER", Enabled: true, Created: now, Modified: now}
		if u, created, err = s.addFederatedUser(tc, p, u); err != nil {
			return nil, false, err
		}
	} else {
		u.refreshAttrs(attrs, now)
	}
	if !u.Enabled {
		return u, created, errUserDisabled
	}
	g := ProviderGroup(p.ID, idp.Name)
	if _, ok := p.Groups[g]; !ok {
		desc := "Autogenerated group for users who sign in using " + idp.Name
		if _, err := addGroup(p, &groupInput{GroupName: g, Description: &desc}, now); err != nil {
			return u, created, err
		}
	}
	if !contains(u.Groups, g) {
		u.Groups = append(u.Groups, g)
	}
	return u, created, nil
}

// refreshAttrs sets the attributes a provider sign-in mapped.
func (u *user) refreshAttrs(attrs map[string]string, now time.Time) {
	for k, v := range attrs {
		if u.Attrs[k] != v {
			u.Attrs[k] = v
			u.Modified = now
		}
	}
}

// clientAccessToken signs a client_credentials access token, after the
// pool's pre token generation trigger when it is version V3_0
// (TokenGeneration_ClientCredentials; the request c is its context).
func (s *Server) clientAccessToken(c *call, p *pool, cl *client, scope string, now time.Time) (string, time.Duration, error) {
	o, err := s.preToken(&tokenTrigger{c: c, source: triggers.SourceTokenClientCredentials}, p, cl, nil, nil, scope)
	if err != nil {
		return "", 0, err
	}
	ttl := cl.validity("access")
	claims := map[string]any{
		"sub": cl.ID, "token_use": "access", "scope": scope, "auth_time": now.Unix(),
		"iss": s.Issuer(p.ID), "exp": now.Add(ttl).Unix(), "iat": now.Unix(),
		"version": 2, "jti": s.uuid(), "client_id": cl.ID,
	}
	if o != nil {
		o.ApplyAccess(claims)
	}
	tok, err := s.signJWT(p, claims)
	return tok, ttl, err
}

// userInfo returns the claims of the userInfo endpoint for the scopes of
// an access token, as Cognito writes them (every value a string).
func userInfo(p *pool, cl *client, u *user, scope string) map[string]any {
	all := hasScope(scope, "aws.cognito.signin.user.admin")
	out := map[string]any{"sub": u.Sub, "username": u.Username}
	names := make([]string, 0, len(u.Attrs))
	for n := range u.Attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == "sub" || (len(cl.ReadAttributes) > 0 && !contains(cl.ReadAttributes, n)) {
			continue
		}
		if sa := p.schemaAttr(n); sa != nil && sa.DeveloperOnly {
			continue
		}
		var ok bool
		switch n {
		case "email", "email_verified":
			ok = all || hasScope(scope, "email")
		case "phone_number", "phone_number_verified":
			ok = all || hasScope(scope, "phone")
		default:
			ok = all || hasScope(scope, "profile")
		}
		if ok {
			out[n] = u.Attrs[n]
		}
	}
	return out
}

// s256 is the PKCE S256 transform (RFC 7636 section 4.2).
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return b64(sum[:])
}

var (
	verifierRe  = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)
	challengeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
)

// redirectWith appends params to a redirect URI's query.
func redirectWith(raw string, params url.Values) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for k, v := range params {
		for _, x := range v {
			if x != "" {
				q.Add(k, x)
			}
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
