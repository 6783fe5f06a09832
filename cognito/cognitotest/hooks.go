package cognitotest

import (
	"context"

	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

// CustomAuthHooks are Go functions that stand in for a pool's Define,
// Create and Verify auth challenge Lambda triggers, driving CUSTOM_AUTH
// exactly as Cognito drives the Lambdas: Define decides what happens next
// from the challenges answered so far; Create makes a CUSTOM_CHALLENGE;
// Verify judges an answer.
//
// The hooks are used in pools whose LambdaConfig names no
// DefineAuthChallenge function (a pool that does runs its functions, see
// RegisterFunction). They run as those functions do, with Cognito's events
// behind the scenes and without the server's state lock held, so they may
// call the Server. Unlike Cognito's functions, they are given the
// ClientMetadata of InitiateAuth as well as RespondToAuthChallenge's. An
// error from a hook answers UserLambdaValidationException, as a failing
// Lambda does; a Define that neither issues tokens, fails nor names a
// challenge, InvalidLambdaResponseException.
type CustomAuthHooks struct {
	// Define plays DefineAuthChallenge: called at the start and after
	// every answered challenge.
	Define func(in DefineAuthChallengeInput) (DefineAuthChallengeOutput, error)
	// Create plays CreateAuthChallenge: called when Define asks for a
	// CUSTOM_CHALLENGE.
	Create func(in CreateAuthChallengeInput) (CreateAuthChallengeOutput, error)
	// Verify plays VerifyAuthChallengeResponse: judges the client's ANSWER.
	Verify func(in VerifyAuthChallengeInput) (answerCorrect bool, err error)
}

// ChallengeResult is one step of a custom sign-in so far.
type ChallengeResult struct {
	ChallengeName     string // "SRP_A", "PASSWORD_VERIFIER" or "CUSTOM_CHALLENGE"
	ChallengeResult   bool   // whether the answer was correct
	ChallengeMetadata string // from CreateAuthChallengeOutput
}

// DefineAuthChallengeInput is what Define sees: the pool, client and
// user (real username and attributes), the challenges answered so far,
// and the request's ClientMetadata.
type DefineAuthChallengeInput struct {
	UserPoolID, ClientID, Username string
	UserAttributes                 map[string]string
	Session                        []ChallengeResult
	ClientMetadata                 map[string]string
}

// DefineAuthChallengeOutput is Define's decision: issue tokens, fail, or
// ask ChallengeName: "CUSTOM_CHALLENGE", or "PASSWORD_VERIFIER" when the
// client started with AuthParameters CHALLENGE_NAME=SRP_A and SRP_A
// (password first). As with Cognito's Lambda, such a sign-in reaches
// Define first with Session [{SRP_A, true}]; Define answers
// PASSWORD_VERIFIER to have the password checked (a wrong one is refused
// with NotAuthorizedException), and sees [SRP_A, PASSWORD_VERIFIER] next.
// A Define that never asks for PASSWORD_VERIFIER skips the password, as it
// would with Cognito.
type DefineAuthChallengeOutput struct {
	ChallengeName      string
	IssueTokens        bool
	FailAuthentication bool
}

// CreateAuthChallengeInput is what Create sees: as for Define, plus the
// challenge to create.
type CreateAuthChallengeInput struct {
	UserPoolID, ClientID, Username string
	UserAttributes                 map[string]string
	ChallengeName                  string
	Session                        []ChallengeResult
	ClientMetadata                 map[string]string
}

// CreateAuthChallengeOutput is the challenge: public parameters go to the
// client, private ones to Verify.
type CreateAuthChallengeOutput struct {
	PublicChallengeParameters  map[string]string
	PrivateChallengeParameters map[string]string
	ChallengeMetadata          string
}

// VerifyAuthChallengeInput is what Verify sees: as for Define, plus the
// private parameters Create returned and the client's ANSWER.
type VerifyAuthChallengeInput struct {
	UserPoolID, ClientID, Username string
	UserAttributes                 map[string]string
	PrivateChallengeParameters     map[string]string
	ChallengeAnswer                string
	ClientMetadata                 map[string]string
}

// IdentityProviderOptions describes a social or enterprise identity
// provider of a user pool, as CreateIdentityProvider does: Facebook
// (through the emulator's fake Facebook), Google, SignInWithApple,
// LoginWithAmazon, OIDC and SAML (through the fake providers the emulator
// mounts).
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
	// "public_profile,email" (Facebook), "openid email profile" (Google),
	// "email name" (Apple), "profile" (Amazon), "openid" (OIDC).
	AuthorizeScopes string `json:"authorizeScopes"`
	// AttributeMapping maps user-pool attributes to provider attributes
	// ("email": "email", "name": "name"). The username is always the
	// provider's user ID (sub, user_id, the SAML NameID). Nil means the
	// type's defaults (e-mail and name).
	AttributeMapping map[string]string `json:"attributeMapping"`
	// Details are CreateIdentityProvider's ProviderDetails for the other
	// types: client_id, client_secret, authorize_scopes, oidc_issuer,
	// attributes_request_method, team_id, key_id, private_key,
	// MetadataURL or MetadataFile, IDPSignout.
	Details map[string]string `json:"details,omitempty"`
	// IdpIdentifiers select the provider with /oauth2/authorize's
	// idp_identifier.
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
// Lambda trigger (LambdaConfig, see RegisterFunction) for a first
// federated sign-in: after the Lambda function, when the pool has one, as
// an adapter for tests written before Lambda triggers; new tests should
// register a Lambda handler instead, which also sees ConfirmSignUp,
// AdminConfirmSignUp and ConfirmForgotPassword.
type HostedUITriggers struct {
	PostConfirmation   func(ctx context.Context, ev TriggerEvent) error
	PostAuthentication func(ctx context.Context, ev TriggerEvent) error
}

// Trigger sources.
const (
	TriggerPostConfirmation   = "PostConfirmation_ConfirmSignUp"
	TriggerPostAuthentication = "PostAuthentication_Authentication"
)

func (h *CustomAuthHooks) internal() *userpool.CustomAuthHooks {
	if h == nil {
		return nil
	}
	out := &userpool.CustomAuthHooks{}
	if h.Define != nil {
		out.Define = func(in userpool.DefineAuthChallengeInput) (userpool.DefineAuthChallengeOutput, error) {
			o, err := h.Define(DefineAuthChallengeInput{UserPoolID: in.UserPoolID, ClientID: in.ClientID, Username: in.Username,
				UserAttributes: in.UserAttributes, Session: results(in.Session), ClientMetadata: in.ClientMetadata})
			return userpool.DefineAuthChallengeOutput(o), err
		}
	}
	if h.Create != nil {
		out.Create = func(in userpool.CreateAuthChallengeInput) (userpool.CreateAuthChallengeOutput, error) {
			o, err := h.Create(CreateAuthChallengeInput{UserPoolID: in.UserPoolID, ClientID: in.ClientID, Username: in.Username,
				UserAttributes: in.UserAttributes, ChallengeName: in.ChallengeName, Session: results(in.Session),
				ClientMetadata: in.ClientMetadata})
			return userpool.CreateAuthChallengeOutput(o), err
		}
	}
	if h.Verify != nil {
		out.Verify = func(in userpool.VerifyAuthChallengeInput) (bool, error) {
			return h.Verify(VerifyAuthChallengeInput(in))
		}
	}
	return out
}

func results(l []userpool.ChallengeResult) []ChallengeResult {
	if l == nil {
		return nil
	}
	out := make([]ChallengeResult, len(l))
	for i, r := range l {
		out[i] = ChallengeResult(r)
	}
	return out
}

func (t *HostedUITriggers) internal() *userpool.HostedUITriggers {
	if t == nil {
		return nil
	}
	out := &userpool.HostedUITriggers{}
	wrap := func(fn func(context.Context, TriggerEvent) error) func(context.Context, userpool.TriggerEvent) error {
		if fn == nil {
			return nil
		}
		return func(ctx context.Context, ev userpool.TriggerEvent) error { return fn(ctx, TriggerEvent(ev)) }
	}
	out.PostConfirmation, out.PostAuthentication = wrap(t.PostConfirmation), wrap(t.PostAuthentication)
	return out
}

func (o IdentityProviderOptions) internal() userpool.IdentityProviderOptions {
	return userpool.IdentityProviderOptions(o)
}

func (o ResourceServerOptions) internal() userpool.ResourceServerOptions {
	return userpool.ResourceServerOptions(o)
}

// CreateIdentityProvider adds (or replaces) an identity provider of a
// user pool. A Facebook provider's AppSecret is declared to the fake
// Facebook; the client of a Google, SignInWithApple, LoginWithAmazon or
// OIDC provider, and a SAML provider's service provider, to the fake
// mounted under /_emulator/ that plays it (see CreateOIDCProvider and
// CreateSAMLProvider for OIDC and SAML).
func (s *Server) CreateIdentityProvider(poolID string, o IdentityProviderOptions) error {
	return wrap(s.up.AddIdentityProvider(poolID, o.internal()))
}

// MustCreateIdentityProvider is CreateIdentityProvider for tests and
// examples: it panics on error.
func (s *Server) MustCreateIdentityProvider(poolID string, o IdentityProviderOptions) {
	mustDo(s.CreateIdentityProvider(poolID, o))
}

// CreateResourceServer adds (or replaces) a resource server and its
// custom scopes, for client_credentials and custom scopes in the code
// flow.
func (s *Server) CreateResourceServer(poolID string, o ResourceServerOptions) error {
	return wrap(s.up.AddResourceServer(poolID, o.internal()))
}

// MustCreateResourceServer is CreateResourceServer for tests and examples:
// it panics on error.
func (s *Server) MustCreateResourceServer(poolID string, o ResourceServerOptions) {
	mustDo(s.CreateResourceServer(poolID, o))
}

// HostedUIURL returns the base URL of the hosted UI (the emulator's URL),
// the counterpart of https://{domain}.auth.{region}.amazoncognito.com.
func (s *Server) HostedUIURL() string { return s.url() }

// FacebookGroup returns the group Cognito puts users of a pool's Facebook
// provider in: "<poolId>_Facebook".
func FacebookGroup(poolID string) string { return userpool.FacebookGroup(poolID) }
