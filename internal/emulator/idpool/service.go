package idpool

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/awsmodel"
	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
)

// TargetPrefix is the X-Amz-Target prefix of cognito-identity operations.
const TargetPrefix = "AWSCognitoIdentityService."

// Provider keys Cognito uses in Logins maps.
const (
	FacebookProvider  = "graph.facebook.com"
	DeveloperProvider = "cognito-identity.amazonaws.com"
)

// OpenIDIssuer is the `iss` of the OpenID tokens the service signs, as
// Cognito's are.
const OpenIDIssuer = "https://cognito-identity.amazonaws.com"

// UserPoolClaims is what the host's verifier reports of a valid user-pool
// ID token.
type UserPoolClaims struct {
	Sub      string
	Audience string   // the app client ID (aud)
	Roles    []string // cognito:roles
	// PreferredRole is cognito:preferred_role (the role of the user's
	// group with the lowest precedence that has one).
	PreferredRole string
	// Claims are all the token's claims, which role-mapping rules match.
	Claims map[string]any
}

// UserPoolVerifier verifies a user-pool ID token given under the Logins key
// providerName ("cognito-idp.{region}.amazonaws.com/{userPoolId}"): the
// pool exists, the signature is the pool's, iss is the pool's issuer,
// token_use is id and it has not expired; and, when checkRevoked, that
// the user's session has not been signed out or revoked. The error's text
// becomes the NotAuthorizedException message, so it should read like
// Cognito's ("Invalid login token. Token expired: …").
type UserPoolVerifier func(providerName, token string, checkRevoked bool) (UserPoolClaims, error)

// Facebook is what the service needs of Facebook (the emulator's fake,
// *fakefb.Fake): who an access token belongs to.
type Facebook interface {
	// TokenOwner returns the app a valid token was issued to and its
	// user's ID; expired reports a token that was valid but has expired.
	TokenOwner(token string) (appID, userID string, expired bool, err error)
}

// Config is what the host gives the service.
type Config struct {
	Region    string
	AccountID string
	Now       func() time.Time
	Rand      io.Reader
	// VerifyUserPoolToken checks user-pool logins. Without it, user-pool
	// logins are refused.
	VerifyUserPoolToken UserPoolVerifier
	// UserPoolIssuer, when set, returns the base URL of the emulator's user
	// pools: their ID tokens' iss is it followed by "/{userPoolId}". A
	// Logins key that is such an issuer without its scheme
	// ("127.0.0.1:PORT/{userPoolId}", the key AWS Amplify derives from an
	// ID token's iss) names the pool's provider
	// "cognito-idp.{region}.amazonaws.com/{userPoolId}", as the Cognito
	// issuer's key does.
	UserPoolIssuer func() string
	// Facebook checks graph.facebook.com logins. Without it, they are
	// refused.
	Facebook Facebook
	// Providers checks the logins of Google, Apple, Login with Amazon,
	// Twitter, and IAM OpenID Connect and SAML providers. Without it, they
	// are refused.
	Providers Providers
	// OnChange is called after every mutation, outside the service's lock,
	// so the host can persist Snapshot.
	OnChange func()
}

// Service is the identity-pool service. It is safe for concurrent use.
type Service struct {
	cfg Config

	mu  sync.Mutex
	st  *State
	sig *signer
}

// New returns a Service with an empty state.
func New(cfg Config) *Service {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Service{cfg: cfg, st: newState()}
}

// Snapshot returns a deep copy of the state, for persisting.
func (s *Service) Snapshot() (*State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.st)
	if err != nil {
		return nil, err
	}
	var cp State
	if err := json.Unmarshal(b, &cp); err != nil {
		return nil, err
	}
	return &cp, nil
}

// Restore replaces the state with st (from Snapshot).
func (s *Service) Restore(st *State) error {
	if st == nil {
		return nil
	}
	fresh := newState()
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, fresh); err != nil {
		return err
	}
	fillNil(fresh)
	var sg *signer
	if len(fresh.SigningKeyPKCS8) > 0 {
		k, err := x509.ParsePKCS8PrivateKey(fresh.SigningKeyPKCS8)
		if err != nil {
			return fmt.Errorf("idpool: signing key in state: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return errors.New("idpool: signing key in state is not RSA")
		}
		sg = &signer{key: rk, kid: fresh.SigningKeyID}
	}
	s.mu.Lock()
	s.st, s.sig = fresh, sg
	s.mu.Unlock()
	return nil
}

// fillNil gives a state decoded from JSON with null maps empty ones.
func fillNil(st *State) {
	if st.Pools == nil {
		st.Pools = map[string]*Pool{}
	}
	if st.Identities == nil {
		st.Identities = map[string]*Identity{}
	}
	if st.Credentials == nil {
		st.Credentials = map[string]*Credential{}
	}
	if st.Roles == nil {
		st.Roles = map[string]*Role{}
	}
}

func (s *Service) changed() {
	if s.cfg.OnChange != nil {
		s.cfg.OnChange()
	}
}

// APIError is an error answered in AWS's JSON shape.
type APIError = awsproto.APIError

func apiErr(code, format string, args ...any) *APIError {
	return awsproto.Errorf(code, format, args...)
}

func notAuthorized(format string, args ...any) *APIError {
	return apiErr("NotAuthorizedException", format, args...)
}

func invalidParam(format string, args ...any) *APIError {
	return apiErr("InvalidParameterException", format, args...)
}

// operations maps each implemented operation to its handler. A handler
// decodes its input from body and returns the output to encode.
var operations = map[string]func(s *Service, body []byte) (any, error){
	"CreateIdentityPool":                 (*Service).createIdentityPool,
	"DescribeIdentityPool":               (*Service).describeIdentityPool,
	"ListIdentityPools":                  (*Service).listIdentityPools,
	"UpdateIdentityPool":                 (*Service).updateIdentityPool,
	"DeleteIdentityPool":                 (*Service).deleteIdentityPool,
	"SetIdentityPoolRoles":               (*Service).setIdentityPoolRoles,
	"GetIdentityPoolRoles":               (*Service).getIdentityPoolRoles,
	"GetId":                              (*Service).getID,
	"GetCredentialsForIdentity":          (*Service).getCredentialsForIdentity,
	"GetOpenIdToken":                     (*Service).getOpenIDToken,
	"GetOpenIdTokenForDeveloperIdentity": (*Service).getOpenIDTokenForDeveloperIdentity,
	"LookupDeveloperIdentity":            (*Service).lookupDeveloperIdentity,
	"ListIdentities":                     (*Service).listIdentities,
	"DescribeIdentity":                   (*Service).describeIdentity,
	"UnlinkIdentity":                     (*Service).unlinkIdentity,
	"DeleteIdentities":                   (*Service).deleteIdentities,
	"GetPrincipalTagAttributeMap":        (*Service).getPrincipalTagAttributeMap,
	"SetPrincipalTagAttributeMap":        (*Service).setPrincipalTagAttributeMap,
	"MergeDeveloperIdentities":           (*Service).mergeDeveloperIdentities,
	"UnlinkDeveloperIdentity":            (*Service).unlinkDeveloperIdentity,
	"TagResource":                        (*Service).tagResource,
	"UntagResource":                      (*Service).untagResource,
	"ListTagsForResource":                (*Service).listTagsForResource,
}

// mutating lists the operations after which OnChange is called.
var mutating = map[string]bool{
	"CreateIdentityPool": true, "UpdateIdentityPool": true, "DeleteIdentityPool": true,
	"SetIdentityPoolRoles": true, "GetId": true, "GetCredentialsForIdentity": true,
	"GetOpenIdToken": true, "GetOpenIdTokenForDeveloperIdentity": true, "UnlinkIdentity": true,
	"DeleteIdentities": true, "SetPrincipalTagAttributeMap": true, "MergeDeveloperIdentities": true,
	"UnlinkDeveloperIdentity": true, "TagResource": true, "UntagResource": true,
}

// Operations returns the names of the implemented operations.
func Operations() []string {
	out := make([]string, 0, len(operations))
	for k := range operations {
		out = append(out, k)
	}
	return out
}

// Call runs one operation on a JSON body and returns its JSON output, or
// an *APIError. The body is first checked against the cognito-identity
// model (ValidationException, AWS's wording); then unknown operations
// return UnknownOperationException.
func (s *Service) Call(op string, body []byte) ([]byte, error) {
	// The model is parsed on first use, not at start-up. (Requests served
	// by the host are checked by the host.)
	if err := awsmodel.ForTarget(strings.TrimSuffix(TargetPrefix, ".")).Validate(op, body); err != nil {
		var ve *awsmodel.ValidationError
		if errors.As(err, &ve) {
			return nil, &APIError{Code: ve.Code, Message: ve.Message()}
		}
	}
	out, err := s.run(op, body)
	if err != nil {
		return nil, err
	}
	if mutating[op] {
		s.changed()
	}
	return json.Marshal(out)
}

// run runs one operation without announcing the change.
func (s *Service) run(op string, body []byte) (any, error) {
	h, ok := operations[op]
	if !ok {
		return nil, errUnknownOperation(op)
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	return h(s, body)
}

func errUnknownOperation(op string) error {
	return apiErr("UnknownOperationException", "The emulator does not implement cognito-identity operation %s.", op)
}

// errMissingAuthentication answers an unsigned call to an operation that
// needs IAM credentials, as Cognito does (HTTP 403).
func errMissingAuthentication(string) error {
	return &APIError{Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token", Status: http.StatusForbidden}
}

// Register serves the service on host: its operation table under
// X-Amz-Target "AWSCognitoIdentityService" and its state as the
// "identityPools" section, and the OpenID tokens' JWKS and discovery at
// JWKSPath and DiscoveryPath. (STS, which asks it for credentials, is package
// sts.) The host persists the state after each mutating operation;
// Config.OnChange still runs after the Go-side calls (Call, PutRole, Seed).
func (s *Service) Register(host *emulator.Host) {
	ops := map[string]emulator.Operation{}
	for name := range operations {
		name := name
		ops[name] = emulator.Operation{Public: publicOperations[name], ReadOnly: !mutating[name],
			Run: func(c *emulator.Call) (any, error) { return s.run(name, c.Body) }}
	}
	host.HandleTarget(emulator.Target{Prefix: strings.TrimSuffix(TargetPrefix, "."), Operations: ops,
		Service: "cognito-identity", CheckEverySignature: true,
		Unsigned: errMissingAuthentication, Unknown: errUnknownOperation})
	host.Handle("GET "+JWKSPath, http.HandlerFunc(s.serveJWKS))
	host.Handle("GET "+DiscoveryPath, s.serveDiscovery(host.URL))
	host.AddSection("identityPools", emulator.JSONSection(
		func() (any, error) { return s.Snapshot() }, s.Restore))
}

// publicOperations need no AWS signature, as in Cognito; every other
// operation needs IAM credentials.
var publicOperations = map[string]bool{
	"GetId": true, "GetCredentialsForIdentity": true, "GetOpenIdToken": true, "UnlinkIdentity": true,
}

// ServeOperation answers one cognito-identity request whose X-Amz-Target is
// TargetPrefix+op. Operations that need IAM credentials in AWS (all but
// GetId, GetCredentialsForIdentity, GetOpenIdToken and UnlinkIdentity)
// must carry a SigV4 Authorization header; the emulator does not check
// the signature of these administrative calls, only that one was made.
func (s *Service) ServeOperation(w http.ResponseWriter, r *http.Request, op string) {
	if _, known := operations[op]; known && !publicOperations[op] &&
		!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		awsproto.WriteError(w, errMissingAuthentication(op), http.StatusForbidden)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeJSONError(w, invalidParam("could not read the request body"))
		return
	}
	out, err := s.Call(op, body)
	if err != nil {
		writeJSONError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_, _ = w.Write(out)
}

func writeJSONError(w http.ResponseWriter, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		err = &APIError{Code: "InternalErrorException", Message: "internal error", Status: http.StatusInternalServerError}
	}
	awsproto.WriteError(w, err, http.StatusBadRequest)
}

// decode unmarshals body into v, refusing malformed JSON as AWS does.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return apiErr("SerializationException", "could not parse the request body as JSON")
	}
	return nil
}

// LookupCredentials returns the record of credentials this service issued,
// by access key ID. Expired records are returned too; the caller checks
// Expires.
func (s *Service) LookupCredentials(accessKeyID string) (Credential, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.st.Credentials[accessKeyID]
	if !ok {
		return Credential{}, false
	}
	return *c, true
}

// Role returns a declared role by ARN.
func (s *Service) Role(arn string) (Role, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.st.Roles[arn]
	if !ok {
		return Role{}, false
	}
	return *r, true
}

// PutRole declares (or replaces) a role.
func (s *Service) PutRole(r Role) {
	s.mu.Lock()
	cp := r
	s.st.Roles[r.ARN] = &cp
	s.mu.Unlock()
	s.changed()
}

// Roles returns every declared role, sorted by ARN.
func (s *Service) Roles() []Role {
	s.mu.Lock()
	out := make([]Role, 0, len(s.st.Roles))
	for _, r := range s.st.Roles {
		out = append(out, *r)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// DeleteRole removes a declared role and reports whether it existed.
// Credentials already issued for it stay valid, as in AWS, but grant
// nothing once the role's policy is gone.
func (s *Service) DeleteRole(arn string) bool {
	s.mu.Lock()
	_, ok := s.st.Roles[arn]
	delete(s.st.Roles, arn)
	s.mu.Unlock()
	if ok {
		s.changed()
	}
	return ok
}

// trimProviderName normalises a user-pool provider name or issuer URL to
// "cognito-idp.{region}.amazonaws.com/{poolId}".
func trimProviderName(p string) string {
	p = strings.TrimPrefix(p, "https://")
	return strings.TrimSuffix(p, "/")
}
