// Package apigw is the emulator's API Gateway: REST APIs declared with
// routes, served at /apis/{apiId}/{stage}/{path…}, whose AWS_IAM routes
// check SigV4 signatures (sigv4client's verifier) and the caller's IAM
// policies (sigv4client/iampolicy), and whose COGNITO_USER_POOLS routes
// check a user pool's tokens. Each route answers JSON echoing the request
// and the caller as API Gateway's requestContext would describe them.
//
// Callers with credentials from the emulator's identity pools act as the
// pool's authenticated or unauthenticated role (the role the credentials
// were issued for); the role's policy is the one declared for it in the
// emulator's configuration, and an undeclared role has no policy, so it is
// denied everything. Static IAM users declared in the configuration sign
// with long-term keys and their own policy. Authorization is deny by
// default; an explicit Deny wins over any Allow. Conditions and policy
// variables in the policies are evaluated against the call's context
// (aws:PrincipalTag/… from the credentials' principal tags,
// cognito-identity.amazonaws.com:sub/aud/amr, aws:SourceIp,
// aws:SecureTransport, aws:CurrentTime…; see conditionKeys).
//
// Paths are taken as API Gateway takes them (see CanonicalPath): decoded
// once, one trailing slash ignored, and a path with an empty, "." or ".."
// segment matches no route. That one canonical path picks the route and
// names the resource in the execute-api ARN the policies are evaluated on.
//
// It is mounted by cognito/cognitotest; it is not an API of its own.
package apigw

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/idpool"
	"github.com/cognitokit/cognitokit/sigv4client"
	"github.com/cognitokit/cognitokit/sigv4client/iampolicy"
)

// PathPrefix is where the emulator mounts the gateway.
const PathPrefix = "/apis/"

// Authorization types of a route.
const (
	AuthNone      = "NONE"
	AuthIAM       = "AWS_IAM"
	AuthUserPools = "COGNITO_USER_POOLS"
)

// DefaultStage is the stage an API gets when it names none.
const DefaultStage = "prod"

// Route is one method and resource path of an API.
type Route struct {
	// Method is an HTTP method or "ANY".
	Method string `json:"method"`
	// Path is the resource path: "/test", "/items/{id}", "/files/{proxy+}".
	Path string `json:"path"`
	// Authorization is NONE (default), AWS_IAM or COGNITO_USER_POOLS.
	Authorization string `json:"authorization,omitempty"`
	// UserPoolID is the pool whose tokens a COGNITO_USER_POOLS route takes.
	UserPoolID string `json:"userPoolId,omitempty"`
	// Scopes, for a COGNITO_USER_POOLS route, requires an access token with
	// one of these scopes; without them the route takes ID tokens.
	Scopes []string `json:"scopes,omitempty"`
	// Message is put in the answer's "message" field.
	Message string `json:"message,omitempty"`
	// Status is the answer's HTTP status; default 200.
	Status int `json:"status,omitempty"`
}

// API is a REST API.
type API struct {
	ID     string   `json:"id"`
	Name   string   `json:"name,omitempty"`
	Stages []string `json:"stages,omitempty"`
	Routes []Route  `json:"routes"`
}

// User is a static IAM user: long-term keys and an identity policy.
type User struct {
	ARN             string `json:"arn"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	// Policy is an IAM policy document (JSON).
	Policy string `json:"policy,omitempty"`
}

// State is the gateway's persistent state.
type State struct {
	APIs  map[string]*API  `json:"apis"`
	Users map[string]*User `json:"users"` // by access key ID
}

// TokenVerifier checks a user-pool token for a COGNITO_USER_POOLS route:
// signature, issuer (the pool's), expiry. It returns the token's claims.
// API Gateway does not check revocation, and neither should this.
type TokenVerifier func(userPoolID, token string) (map[string]any, error)

// Identities is what the gateway needs from the identity pools (an
// *idpool.Service): the temporary credentials they issued, by access key
// ID, and the roles those credentials act as.
type Identities interface {
	LookupCredentials(accessKeyID string) (idpool.Credential, bool)
	Role(arn string) (idpool.Role, bool)
}

// Config is what the host gives the gateway.
type Config struct {
	Region    string
	AccountID string
	Now       func() time.Time
	// Identities looks up credentials issued by the identity pools.
	Identities Identities
	// VerifyUserPoolToken checks tokens on COGNITO_USER_POOLS routes.
	VerifyUserPoolToken TokenVerifier
	// OnChange is called after every mutation so the host can persist.
	OnChange func()
}

// Gateway is the emulated API Gateway. It is safe for concurrent use.
type Gateway struct {
	cfg      Config
	verifier *sigv4client.Verifier

	mu sync.RWMutex
	st *State
}

// New returns a Gateway with no APIs.
func New(cfg Config) *Gateway {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	g := &Gateway{cfg: cfg, st: &State{APIs: map[string]*API{}, Users: map[string]*User{}}}
	g.verifier = sigv4client.NewVerifier(cfg.Region, g.lookup, func(o *sigv4client.VerifierOptions) {
		o.Clock = cfg.Now
	})
	return g
}

// principal is who signed a request, as the gateway knows it.
type principal struct {
	cognito *idpool.Credential
	user    *User
}

func (g *Gateway) lookup(_ context.Context, akid string) (sigv4client.Credential, error) {
	g.mu.RLock()
	u, ok := g.st.Users[akid]
	g.mu.RUnlock()
	if ok {
		cp := *u
		return sigv4client.Credential{SecretAccessKey: u.SecretAccessKey, Principal: principal{user: &cp}}, nil
	}
	if g.cfg.Identities != nil {
		if c, ok := g.cfg.Identities.LookupCredentials(akid); ok {
			if !g.cfg.Now().Before(c.Expires) {
				return sigv4client.Credential{}, fmt.Errorf("apigw: %w", sigv4client.ErrExpiredToken)
			}
			return sigv4client.Credential{SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expires, Principal: principal{cognito: &c}}, nil
		}
	}
	return sigv4client.Credential{}, fmt.Errorf("apigw: %w", sigv4client.ErrInvalidToken)
}

var (
	apiIDPattern   = regexp.MustCompile(`^[a-z0-9]{1,32}$`)
	stagePattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	segmentPattern = regexp.MustCompile(`^(\{[A-Za-z0-9_]+\+?\}|[A-Za-z0-9._~:@!$&'()*,;=-]+)$`)
	methods        = map[string]bool{"GET": true, "POST": true, "PUT": true, "DELETE": true, "PATCH": true, "HEAD": true, "OPTIONS": true, "ANY": true}
)

// ErrInvalidConfig reports an API or user that cannot be declared.
var ErrInvalidConfig = errors.New("apigw: invalid configuration")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// PutAPI declares (or replaces) an API after checking it.
func (g *Gateway) PutAPI(api API) error {
	if !apiIDPattern.MatchString(api.ID) {
		return invalid("API ID %q must be 1-32 lowercase letters and digits", api.ID)
	}
	if len(api.Stages) == 0 {
		api.Stages = []string{DefaultStage}
	}
	for _, s := range api.Stages {
		if !stagePattern.MatchString(s) {
			return invalid("API %s: bad stage name %q", api.ID, s)
		}
	}
	routes := make([]Route, len(api.Routes))
	for i, r := range api.Routes {
		r.Method = strings.ToUpper(r.Method)
		if !methods[r.Method] {
			return invalid("API %s route %d: method %q is not an HTTP method or ANY", api.ID, i, r.Method)
		}
		if !strings.HasPrefix(r.Path, "/") {
			return invalid("API %s route %d: path %q must start with /", api.ID, i, r.Path)
		}
		segs := splitPath(r.Path)
		for j, s := range segs {
			if !segmentPattern.MatchString(s) || s == "." || s == ".." || strings.HasSuffix(s, "+}") && j != len(segs)-1 {
				return invalid("API %s route %d: bad path segment %q", api.ID, i, s)
			}
		}
		switch r.Authorization {
		case "":
			r.Authorization = AuthNone
		case AuthNone, AuthIAM:
		case AuthUserPools:
			if r.UserPoolID == "" {
				return invalid("API %s route %s %s: COGNITO_USER_POOLS needs userPoolId", api.ID, r.Method, r.Path)
			}
		default:
			return invalid("API %s route %s %s: authorization %q is not NONE, AWS_IAM or COGNITO_USER_POOLS", api.ID, r.Method, r.Path, r.Authorization)
		}
		if r.Status == 0 {
			r.Status = http.StatusOK
		}
		routes[i] = r
	}
	api.Routes = routes
	g.mu.Lock()
	g.st.APIs[api.ID] = &api
	g.mu.Unlock()
	g.changed()
	return nil
}

// PutUser declares (or replaces) a static IAM user.
func (g *Gateway) PutUser(u User) error {
	if u.AccessKeyID == "" || u.SecretAccessKey == "" || !strings.HasPrefix(u.ARN, "arn:") {
		return invalid("IAM user needs an ARN, an access key ID and a secret access key")
	}
	if u.Policy != "" {
		if _, err := iampolicy.Parse([]byte(u.Policy)); err != nil {
			return invalid("IAM user %s: policy: %v", u.ARN, err)
		}
	}
	g.mu.Lock()
	g.st.Users[u.AccessKeyID] = &u
	g.mu.Unlock()
	g.changed()
	return nil
}

// User returns the IAM user whose access key ID is accessKeyID.
func (g *Gateway) User(accessKeyID string) (User, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	u, ok := g.st.Users[accessKeyID]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// APIs returns the declared APIs, sorted by ID.
func (g *Gateway) APIs() []API {
	g.mu.RLock()
	defer g.mu.RUnlock()
	out := make([]API, 0, len(g.st.APIs))
	for _, a := range g.st.APIs {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Snapshot returns a deep copy of the state.
func (g *Gateway) Snapshot() (*State, error) {
	g.mu.RLock()
	b, err := json.Marshal(g.st)
	g.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	var st State
	return &st, json.Unmarshal(b, &st)
}

// Restore replaces the state.
func (g *Gateway) Restore(st *State) {
	if st == nil {
		return
	}
	if st.APIs == nil {
		st.APIs = map[string]*API{}
	}
	if st.Users == nil {
		st.Users = map[string]*User{}
	}
	g.mu.Lock()
	g.st = st
	g.mu.Unlock()
}

func (g *Gateway) changed() {
	if g.cfg.OnChange != nil {
		g.cfg.OnChange()
	}
}

// CanonicalPath is the resource path API Gateway routes a request on, and
// authorizes it on, given the path after the stage as it came on the wire
// (percent-encoded, with its leading slash). API Gateway decodes the path
// once before it routes ("/items/a%2Fb" is "/items/a/b", which the route
// /items/{id} does not take), and a REST API answers "/pets/" as "/pets".
// So the canonical path is the decoded path without one trailing slash.
//
// A path that decodes to an empty, "." or ".." segment ("//secret",
// "/%2Fsecret", "/a/../secret", "/secret//") has no canonical form: ok is
// false and the gateway answers it as a path no resource matches. The
// same canonical path is used to pick the route and to build the
// execute-api ARN the caller's policies are evaluated on, so no spelling
// of a path reaches a route under a different ARN.
func CanonicalPath(raw string) (path string, ok bool) {
	decoded, err := url.PathUnescape(raw)
	if err != nil || !strings.HasPrefix(decoded, "/") {
		return "", false
	}
	if len(decoded) > 1 {
		decoded = strings.TrimSuffix(decoded, "/")
	}
	if decoded == "/" {
		return decoded, true
	}
	for seg := range strings.SplitSeq(decoded[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", false
		}
	}
	return decoded, true
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match finds the route for method and path, with the path parameters.
func match(api *API, method, path string) (*Route, map[string]string) {
	segs := splitPath(path)
	var best *Route
	var bestParams map[string]string
	bestScore := -1
	for i := range api.Routes {
		r := &api.Routes[i]
		if r.Method != method && r.Method != "ANY" {
			continue
		}
		params, score, ok := matchPath(splitPath(r.Path), segs)
		if !ok {
			continue
		}
		if r.Method == method {
			score++ // an exact method beats ANY
		}
		if score > bestScore {
			best, bestParams, bestScore = r, params, score
		}
	}
	return best, bestParams
}

// matchPath matches template segments against request segments; literal
// segments score more than parameters, so /items/new beats /items/{id}.
func matchPath(tmpl, segs []string) (map[string]string, int, bool) {
	params := map[string]string{}
	score := 0
	for i, t := range tmpl {
		if strings.HasSuffix(t, "+}") {
			if i >= len(segs) {
				return nil, 0, false
			}
			params[t[1:len(t)-2]] = strings.Join(segs[i:], "/")
			return params, score, true
		}
		if i >= len(segs) {
			return nil, 0, false
		}
		if strings.HasPrefix(t, "{") {
			params[t[1:len(t)-1]] = segs[i]
			continue
		}
		if t != segs[i] {
			return nil, 0, false
		}
		score += 2
	}
	if len(tmpl) != len(segs) {
		return nil, 0, false
	}
	return params, score, true
}

func writeMessage(w http.ResponseWriter, status int, errType, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if errType != "" {
		w.Header().Set("X-Amzn-ErrorType", errType)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// ServeHTTP serves /apis/{apiId}/{stage}/{path…}. Every answer carries a
// Date header from the emulator's clock, so that a signing client can
// correct its skew against an emulator whose clock was moved.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Date", g.cfg.Now().UTC().Format(http.TimeFormat))
	rest := strings.TrimPrefix(r.URL.EscapedPath(), PathPrefix)
	parts := strings.SplitN(rest, "/", 3)
	g.mu.RLock()
	api, ok := g.st.APIs[parts[0]]
	var apiCopy API
	if ok {
		apiCopy = *api
	}
	g.mu.RUnlock()
	if !ok || len(parts) < 2 || !contains(apiCopy.Stages, parts[1]) {
		writeMessage(w, http.StatusForbidden, "ForbiddenException", "Forbidden")
		return
	}
	stage, raw := parts[1], "/"
	if len(parts) == 3 {
		raw += parts[2]
	}
	// One canonical path for routing, the IAM resource ARN and the answer.
	path, ok := CanonicalPath(raw)
	var route *Route
	var params map[string]string
	if ok {
		route, params = match(&apiCopy, r.Method, path)
	}
	if route == nil {
		// API Gateway's answer to an unknown resource or method.
		writeMessage(w, http.StatusForbidden, "MissingAuthenticationTokenException", sigv4client.MsgMissingAuthenticationToken)
		return
	}
	rc := requestContext{APIID: apiCopy.ID, Stage: stage, ResourcePath: route.Path, HTTPMethod: r.Method, AccountID: g.cfg.AccountID, Path: r.URL.Path}
	rc.Identity.SourceIP = sourceIP(r)
	switch route.Authorization {
	case AuthIAM:
		caller, err := g.verifier.Verify(r)
		if err != nil {
			sigv4client.WriteError(w, err)
			return
		}
		p := caller.Principal.(principal)
		arn := iampolicy.InvokeARN(g.cfg.Region, g.cfg.AccountID, apiCopy.ID, stage, r.Method, path)
		if err := g.authorize(p, iampolicy.Request{Action: iampolicy.ActionInvoke, Resource: arn, Context: g.conditionKeys(p, r)}, &rc); err != nil {
			iampolicy.WriteDenied(w, err)
			return
		}
		rc.Identity.AccessKey = caller.AccessKeyID
	case AuthUserPools:
		claims, ok := g.checkToken(r, route)
		if !ok {
			writeMessage(w, http.StatusUnauthorized, "UnauthorizedException", "Unauthorized")
			return
		}
		rc.Authorizer = map[string]any{"claims": claims}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "BadRequestException", "could not read the request body")
		return
	}
	query := map[string]string{}
	for k, v := range r.URL.Query() {
		query[k] = v[len(v)-1]
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(route.Status)
	_ = json.NewEncoder(w).Encode(echo{
		Message: route.Message, Method: r.Method, Path: path, Resource: route.Path, Stage: stage,
		PathParameters: params, QueryStringParameters: query, Body: string(body), RequestContext: rc,
	})
}

// authorize evaluates the caller's policies for req (execute-api:Invoke
// on a route's ARN, with the conditionKeys of the call) and fills in the
// identity part of the request context.
func (g *Gateway) authorize(p principal, req iampolicy.Request, rc *requestContext) error {
	var role iampolicy.Role
	var who string
	var session *iampolicy.Policy
	switch {
	case p.user != nil:
		role.ARN, who = p.user.ARN, p.user.ARN
		if pol, err := iampolicy.Parse([]byte(p.user.Policy)); err == nil && p.user.Policy != "" {
			role.Policies = []iampolicy.Policy{pol}
		}
		rc.Identity.UserARN, rc.Identity.User, rc.Identity.Caller = p.user.ARN, p.user.AccessKeyID, p.user.AccessKeyID
	case p.cognito != nil:
		c := p.cognito
		name := c.SessionName
		if name == "" {
			name = "CognitoIdentityCredentials"
		}
		role.ARN, who = c.RoleARN, iampolicy.AssumedRoleARN(c.RoleARN, name)
		if r, ok := g.cfg.Identities.Role(c.RoleARN); ok && r.Policy != "" {
			if pol, err := iampolicy.Parse([]byte(r.Policy)); err == nil {
				role.Policies = []iampolicy.Policy{pol}
			}
		}
		if c.SessionPolicy != "" {
			if pol, err := iampolicy.Parse([]byte(c.SessionPolicy)); err == nil {
				session = &pol
			}
		}
		rc.Identity.CognitoIdentityID = c.IdentityID
		rc.Identity.CognitoIdentityPoolID = c.IdentityPoolID
		rc.Identity.CognitoAuthenticationType = c.AuthType
		rc.Identity.CognitoAuthenticationProvider = strings.Join(c.AuthProvider, ",")
		rc.Identity.UserARN, rc.Identity.Caller = who, c.RoleARN
		rc.Identity.Role = c.RoleARN
	}
	if err := role.AuthorizeRequest(who, req); err != nil {
		return err
	}
	if session != nil {
		// A session policy can only narrow what the role allows.
		s := iampolicy.Role{ARN: role.ARN, Policies: []iampolicy.Policy{*session}}
		return s.AuthorizeRequest(who, req)
	}
	return nil
}

// checkToken verifies the token of a COGNITO_USER_POOLS route, from the
// Authorization header (raw, or after "Bearer ").
func (g *Gateway) checkToken(r *http.Request, route *Route) (map[string]any, bool) {
	tok := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" || g.cfg.VerifyUserPoolToken == nil {
		return nil, false
	}
	claims, err := g.cfg.VerifyUserPoolToken(route.UserPoolID, tok)
	if err != nil {
		return nil, false
	}
	use, _ := claims["token_use"].(string)
	if len(route.Scopes) == 0 {
		return claims, use == "id"
	}
	if use != "access" {
		return nil, false
	}
	scopes, _ := claims["scope"].(string)
	for _, have := range strings.Fields(scopes) {
		for _, want := range route.Scopes {
			if subtle.ConstantTimeCompare([]byte(have), []byte(want)) == 1 {
				return claims, true
			}
		}
	}
	return nil, false
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func sourceIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// echo is a route's answer.
type echo struct {
	Message               string            `json:"message,omitempty"`
	Method                string            `json:"method"`
	Path                  string            `json:"path"`
	Resource              string            `json:"resource"`
	Stage                 string            `json:"stage"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	Body                  string            `json:"body"`
	RequestContext        requestContext    `json:"requestContext"`
}

// requestContext mirrors the parts of API Gateway's requestContext a
// caller can check.
type requestContext struct {
	APIID        string `json:"apiId"`
	Stage        string `json:"stage"`
	ResourcePath string `json:"resourcePath"`
	HTTPMethod   string `json:"httpMethod"`
	AccountID    string `json:"accountId"`
	Path         string `json:"path"`
	Identity     struct {
		CognitoIdentityPoolID         string `json:"cognitoIdentityPoolId,omitempty"`
		CognitoIdentityID             string `json:"cognitoIdentityId,omitempty"`
		CognitoAuthenticationType     string `json:"cognitoAuthenticationType,omitempty"`
		CognitoAuthenticationProvider string `json:"cognitoAuthenticationProvider,omitempty"`
		AccessKey                     string `json:"accessKey,omitempty"`
		Caller                        string `json:"caller,omitempty"`
		User                          string `json:"user,omitempty"`
		UserARN                       string `json:"userArn,omitempty"`
		Role                          string `json:"role,omitempty"`
		SourceIP                      string `json:"sourceIp"`
	} `json:"identity"`
	Authorizer map[string]any `json:"authorizer,omitempty"`
}
