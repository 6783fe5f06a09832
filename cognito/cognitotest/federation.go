package cognitotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/apigw"
	"github.com/cognitokit/cognitokit/internal/emulator/fakefb"
	"github.com/cognitokit/cognitokit/internal/emulator/idpool"
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
// (Policy, an IAM policy document in JSON, evaluated by the emulated API
// Gateway for execute-api:Invoke). A role that was never declared has no
// policy, so every call made with it is denied.
type Role = idpool.Role

// API is a REST API of the emulated API Gateway, served at
// APIURL(ID, stage).
type API = apigw.API

// Route is one method and resource path of an API, with its
// authorization: AuthNone, AuthIAM or AuthUserPools.
type Route = apigw.Route

// IAMUser is a static IAM user with long-term keys and a policy, for
// callers of the emulated API Gateway that are not Cognito identities.
type IAMUser = apigw.User

// FacebookUser is an account of the emulator's fake Facebook.
type FacebookUser = fakefb.User

// Authorization types of a Route.
const (
	AuthNone      = apigw.AuthNone
	AuthIAM       = apigw.AuthIAM
	AuthUserPools = apigw.AuthUserPools
)

// FacebookProvider is the Logins key of Facebook access tokens.
const FacebookProvider = idpool.FacebookProvider

// federation holds the mounted services of one Server.
type federation struct {
	ids *idpool.Service
	fb  *fakefb.Fake
	gw  *apigw.Gateway
}

func init() { registerMount(mountFederation) }

// lockedRand reads Options.Rand under s.mu, which is how the user-pool
// half reads it, so a Rand that is not safe for concurrent use stays safe.
type lockedRand struct{ s *Server }

func (l lockedRand) Read(p []byte) (int, error) {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return io.ReadFull(l.s.opts.Rand, p)
}

func mountFederation(s *Server) {
	f := &federation{}
	s.fed = f
	rnd := lockedRand{s}
	f.fb = fakefb.New(s.Now, rnd, s.persistNow)
	// A pool's Facebook app sends users back to the hosted UI only.
	f.fb.SetDefaultRedirectURIs(func() []string { return []string{s.url() + "/oauth2/idpresponse"} })
	f.ids = idpool.New(idpool.Config{
		Region: s.opts.Region, AccountID: AccountID, Now: s.Now, Rand: rnd,
		Facebook: f.fb, OnChange: s.persistNow,
		VerifyUserPoolToken: func(provider, tok string, checkRevoked bool) (idpool.UserPoolClaims, error) {
			poolID := poolIDFromProvider(provider)
			if provider != s.IdentityProviderName(poolID) {
				return idpool.UserPoolClaims{}, errors.New("Invalid login token. Issuer doesn't match providerName")
			}
			claims, err := s.verifyToken(poolID, tok, "id", checkRevoked)
			if err != nil {
				return idpool.UserPoolClaims{}, errors.New(apiMessage(err))
			}
			c := idpool.UserPoolClaims{}
			c.Sub, _ = claims["sub"].(string)
			c.Audience, _ = claims["aud"].(string)
			if roles, ok := claims["cognito:roles"].([]any); ok {
				for _, r := range roles {
					if s, ok := r.(string); ok {
						c.Roles = append(c.Roles, s)
					}
				}
			}
			return c, nil
		},
	})
	f.gw = apigw.New(apigw.Config{
		Region: s.opts.Region, AccountID: AccountID, Now: s.Now, Identities: f.ids, OnChange: s.persistNow,
		VerifyUserPoolToken: func(poolID, tok string) (map[string]any, error) {
			return s.verifyToken(poolID, tok, "", false)
		},
	})

	s.handleTarget(strings.TrimSuffix(idpool.TargetPrefix, "."), f.ids.ServeOperation)
	s.handleQueryAction("AssumeRoleWithWebIdentity", http.HandlerFunc(f.ids.ServeSTS))
	s.handlePrefix(fakefb.PathPrefix, f.fb)
	s.handlePrefix(apigw.PathPrefix, f.gw)

	s.addSection("identityPools",
		func() (any, error) { return f.ids.Snapshot() },
		func(raw json.RawMessage) error {
			var st idpool.State
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
			return f.ids.Restore(&st)
		})
	s.addSection("facebook",
		func() (any, error) { return f.fb.Snapshot(), nil },
		func(raw json.RawMessage) error {
			var st fakefb.State
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
			f.fb.Restore(st)
			return nil
		})
	s.addSection("apiGateway",
		func() (any, error) { return f.gw.Snapshot() },
		func(raw json.RawMessage) error {
			var st apigw.State
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
			f.gw.Restore(&st)
			return nil
		})
}

// apiMessage returns the message of an *APIError, or the error's text.
func apiMessage(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Message
	}
	return err.Error()
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

// NewIdentityPool creates an identity pool and sets its roles.
func (s *Server) NewIdentityPool(o IdentityPoolOptions) (string, error) {
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
	if o.FacebookAppID != "" {
		in["SupportedLoginProviders"] = map[string]string{FacebookProvider: o.FacebookAppID}
	}
	if o.DeveloperProviderName != "" {
		in["DeveloperProviderName"] = o.DeveloperProviderName
	}
	body, _ := json.Marshal(in)
	out, err := s.fed.ids.Call("CreateIdentityPool", body)
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
		if _, err := s.fed.ids.Call("SetIdentityPoolRoles", body); err != nil {
			return "", fmt.Errorf("cognitotest: set identity pool roles: %w", err)
		}
	}
	return created.IdentityPoolId, nil
}

// CreateIdentityPool is NewIdentityPool for tests and examples: it panics
// on error.
func (s *Server) CreateIdentityPool(o IdentityPoolOptions) (identityPoolID string) {
	id, err := s.NewIdentityPool(o)
	if err != nil {
		panic(err)
	}
	return id
}

// PutRole declares (or replaces) an IAM role: its trust and its policy.
// A policy the emulated API Gateway could not evaluate (not JSON, an
// element in the wrong case or given twice, a Condition...) is refused
// with iampolicy's message, wrapping iampolicy.ErrInvalidPolicy, and the
// role is left as it was; an empty policy allows nothing.
func (s *Server) PutRole(r Role) error {
	if err := checkRole(r); err != nil {
		return fmt.Errorf("cognitotest: %w", err)
	}
	s.fed.ids.PutRole(r)
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

// PutAPI declares (or replaces) a REST API of the emulated API Gateway.
func (s *Server) PutAPI(a API) error { return s.fed.gw.PutAPI(a) }

// CreateAPI is PutAPI for tests and examples: it panics on error.
func (s *Server) CreateAPI(a API) {
	if err := s.PutAPI(a); err != nil {
		panic(err)
	}
}

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
func (s *Server) PutIAMUser(u IAMUser) error { return s.fed.gw.PutUser(u) }

// NewFacebookToken mints an access token of the fake Facebook for user in
// app appID, valid for two hours (the HTTP form is POST
// /_emulator/facebook/tokens).
func (s *Server) NewFacebookToken(appID string, user FacebookUser) (string, error) {
	return s.fed.fb.Mint(appID, user, 0)
}

// FacebookToken is NewFacebookToken for tests and examples: it panics on
// error.
func (s *Server) FacebookToken(appID string, user FacebookUser) string {
	tok, err := s.NewFacebookToken(appID, user)
	if err != nil {
		panic(err)
	}
	return tok
}

// seedFederation creates the identity pools, roles, APIs and IAM users a
// SeedConfig declares, skipping identity pools that exist.
func (s *Server) seedFederation(cfg *SeedConfig) error {
	for _, r := range cfg.Roles {
		if err := checkRole(r); err != nil {
			return fmt.Errorf("cognitotest: config: %w", err)
		}
		s.fed.ids.PutRole(r)
	}
	for _, ip := range cfg.IdentityPools {
		for i, up := range ip.CognitoIdentityProviders {
			if !strings.Contains(up.ProviderName, "/") {
				// A bare user pool ID is accepted for convenience.
				ip.CognitoIdentityProviders[i].ProviderName = s.IdentityProviderName(up.ProviderName)
			}
		}
		if _, err := s.fed.ids.Seed(ip); err != nil {
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

// SeedIdentityPool is an identity pool of a SeedConfig.
type SeedIdentityPool = idpool.SeedPool

// IdentityPoolProvider is one user pool a SeedIdentityPool trusts
// (ProviderName, ClientId, ServerSideTokenCheck).
type IdentityPoolProvider = idpool.UserPoolProvider
