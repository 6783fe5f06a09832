package userpool

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func jwkFields(pub *rsa.PublicKey) (n, e string) {
	return b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
}

// thumbprint is the RFC 7638 JWK thumbprint, used as the kid.
func thumbprint(pub *rsa.PublicKey) string {
	n, e := jwkFields(pub)
	h := sha256.Sum256([]byte(`{"e":"` + e + `","kty":"RSA","n":"` + n + `"}`))
	return b64(h[:])
}

// signJWT signs claims with the pool's key for their token_use.
func (s *Server) signJWT(p *pool, claims map[string]any) (string, error) {
	idKey, accessKey, err := s.poolKeys(p)
	if err != nil {
		return "", err
	}
	if claims["token_use"] == "access" {
		return signRS256(accessKey, p.AccessKid, claims)
	}
	return signRS256(idKey, p.Kid, claims)
}

// signRS256 signs claims as a compact JWS with key k. It reads no state, so
// it may run without s.mu.
func signRS256(k *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	hdr, _ := json.Marshal(map[string]string{"kid": kid, "alg": "RS256"})
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signing := b64(hdr) + "." + b64(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
	if err != nil {
		return "", errorf("InternalErrorException", "cognitotest: sign: %v", err)
	}
	return signing + "." + b64(sig), nil
}

// tokenClaims are the claims the emulator reads back from its own tokens.
type tokenClaims struct {
	Sub       string `json:"sub"`
	Iss       string `json:"iss"`
	TokenUse  string `json:"token_use"`
	Username  string `json:"username"`
	CogUser   string `json:"cognito:username"`
	ClientID  string `json:"client_id"`
	Aud       string `json:"aud"`
	OriginJTI string `json:"origin_jti"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	AuthTime  int64  `json:"auth_time"`
	DeviceKey string `json:"device_key"`
	Scope     string `json:"scope"`
}

// verifyJWT checks one of the emulator's tokens: structure, RS256
// signature by the pool named in iss, and token_use. It does not check
// expiry or revocation.
func (s *Server) verifyJWT(raw, use string) (*pool, *tokenClaims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, nil, errInvalidAccessToken
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	pb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, nil, errInvalidAccessToken
	}
	var hdr struct{ Alg, Kid string }
	var cl tokenClaims
	if json.Unmarshal(hb, &hdr) != nil || json.Unmarshal(pb, &cl) != nil || hdr.Alg != "RS256" {
		return nil, nil, errInvalidAccessToken
	}
	i := strings.LastIndex(cl.Iss, "/")
	if i < 0 {
		return nil, nil, errInvalidAccessToken
	}
	p, ok := s.st.Pools[cl.Iss[i+1:]]
	if !ok {
		return nil, nil, errInvalidAccessToken
	}
	k := p.verificationKey(hdr.Kid)
	if k == nil {
		return nil, nil, errInvalidAccessToken
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], sig) != nil {
		return nil, nil, errInvalidAccessToken
	}
	if cl.TokenUse != use {
		return nil, nil, errInvalidAccessToken
	}
	return p, &cl, nil
}

// selfServiceScope is the scope an access token needs for the operations
// a user calls with it (GetUser, ChangePassword, GlobalSignOut, ...).
const selfServiceScope = "aws.cognito.signin.user.admin"

// errMissingScopes is Cognito's answer to a self-service operation called
// with an access token without selfServiceScope (a hosted-UI token granted
// only openid, email, ...).
var errMissingScopes = &APIError{Code: "NotAuthorizedException", Message: "Access Token does not have required scopes"}

// authAccess authenticates a self-service operation by its AccessToken:
// authBearer's checks, and the token's scopes include
// aws.cognito.signin.user.admin, as Cognito requires.
func (s *Server) authAccess(raw string, now time.Time) (*pool, *user, *tokenClaims, error) {
	p, u, cl, err := s.authBearer(raw, now)
	if err != nil {
		return nil, nil, nil, err
	}
	if !hasScope(cl.Scope, selfServiceScope) {
		return nil, nil, nil, errMissingScopes
	}
	return p, u, cl, nil
}

// authBearer authenticates a request by an access token, whatever its
// scopes: a valid signature, not expired, not revoked, and a user that
// still exists and is enabled.
func (s *Server) authBearer(raw string, now time.Time) (*pool, *user, *tokenClaims, error) {
	if raw == "" {
		return nil, nil, nil, required("accessToken", "")
	}
	p, cl, err := s.verifyJWT(raw, "access")
	if err != nil {
		return nil, nil, nil, err
	}
	if now.Unix() >= cl.Exp {
		return nil, nil, nil, errExpiredAccessToken
	}
	if _, revoked := p.Revoked[cl.OriginJTI]; revoked || cl.OriginJTI == "" {
		return nil, nil, nil, errRevokedAccessToken
	}
	u := p.sameUser(cl.Username, cl.Sub)
	if u == nil {
		return nil, nil, nil, errUserNotFound
	}
	if !u.Enabled {
		return nil, nil, nil, errUserDisabled
	}
	if _, live := u.Origins[cl.OriginJTI]; !live {
		return nil, nil, nil, errRevokedAccessToken
	}
	return p, u, cl, nil
}

// authResult is the wire AuthenticationResult.
type authResult struct {
	AccessToken       string          `json:"AccessToken"`
	IdToken           string          `json:"IdToken"`
	RefreshToken      string          `json:"RefreshToken,omitempty"`
	ExpiresIn         int64           `json:"ExpiresIn"`
	TokenType         string          `json:"TokenType"`
	NewDeviceMetadata *deviceMetadata `json:"NewDeviceMetadata,omitempty"`
}

type deviceMetadata struct {
	DeviceKey      string `json:"DeviceKey"`
	DeviceGroupKey string `json:"DeviceGroupKey"`
}

// issue mints ID and access tokens (and, for a new sign-in, a refresh
// token) for u through cl. A new sign-in gets a fresh origin_jti; a
// refresh reuses the refresh token's.
//
// It signs the tokens with s.mu released (see unlocked), after its state
// changes: callers return its result without touching the state again.
//
// tt fires the pool's pre token generation trigger (nil: none), with
// s.mu released, before anything is stored (see preToken).
func (s *Server) issue(p *pool, cl *client, u *user, now time.Time, rt *refreshToken, deviceKey string, tt *tokenTrigger) (*authResult, error) {
	return s.issueTokens(p, cl, u, now, rt, deviceKey, nil, false, tt)
}

// oauthIssue holds what a hosted-UI (OAuth 2.0) sign-in adds to the
// tokens: the granted scopes (kept by the refresh token) and the OpenID
// nonce.
type oauthIssue struct {
	Scope string
	Nonce string
}

// issueOAuth is issue for the hosted UI's token endpoint (oa may be nil):
// the access token carries oa.Scope (or the refresh token's scope), the ID
// token the nonce, at_hash and, for federated users, identities.
func (s *Server) issueOAuth(p *pool, cl *client, u *user, now time.Time, rt *refreshToken, deviceKey string, oa *oauthIssue, tt *tokenTrigger) (*authResult, error) {
	return s.issueTokens(p, cl, u, now, rt, deviceKey, oa, true, tt)
}

// issueTokens is issue and issueOAuth (hosted): the hosted UI's access
// tokens carry "version": 2, as Cognito's do, and are signed with s.mu
// held; the API's are signed with s.mu released. The pre token generation
// trigger (tt) runs first, with s.mu released, so that a failing trigger
// leaves nothing stored; its overrides are applied to the claims before
// they are signed.
func (s *Server) issueTokens(p *pool, cl *client, u *user, now time.Time, rt *refreshToken, deviceKey string, oa *oauthIssue, hosted bool, tt *tokenTrigger) (*authResult, error) {
	scope := selfServiceScope
	if oa != nil && oa.Scope != "" {
		scope = oa.Scope
	} else if rt != nil && rt.Scope != "" {
		scope = rt.Scope
	}
	overrides, err := s.preToken(tt, p, cl, u, rt, scope)
	if err != nil {
		return nil, err
	}
	authTime := now.Unix()
	origin := ""
	if rt != nil {
		authTime, origin, deviceKey = rt.AuthTime, rt.OriginJTI, rt.DeviceKey
	} else {
		origin = s.uuid()
	}
	eventID := s.uuid()
	iss := s.Issuer(p.ID)
	accessTTL, idTTL := cl.validity("access"), cl.validity("id")
	groups, roles, preferred := claimGroups(p, u)
	access := map[string]any{
		"sub": u.Sub, "iss": iss, "client_id": cl.ID, "origin_jti": origin, "event_id": eventID,
		"token_use": "access", "scope": scope, "auth_time": authTime,
		"exp": now.Add(accessTTL).Unix(), "iat": now.Unix(), "jti": s.uuid(), "username": u.Username,
	}
	id := map[string]any{
		"sub": u.Sub, "iss": iss, "aud": cl.ID, "origin_jti": origin, "event_id": eventID,
		"token_use": "id", "auth_time": authTime, "exp": now.Add(idTTL).Unix(), "iat": now.Unix(),
		"jti": s.uuid(), "cognito:username": u.Username,
	}
	if len(groups) > 0 {
		access["cognito:groups"] = groups
		id["cognito:groups"] = groups
		if preferred != "" {
			id["cognito:preferred_role"] = preferred
		}
		if len(roles) > 0 {
			id["cognito:roles"] = roles
		}
	}
	if deviceKey != "" {
		access["device_key"] = deviceKey
	}
	if hosted {
		access["version"] = 2
	}
	for n, v := range u.Attrs {
		if n == "sub" || (len(cl.ReadAttributes) > 0 && !contains(cl.ReadAttributes, n)) {
			continue
		}
		if sa := p.schemaAttr(n); sa != nil && sa.DeveloperOnly {
			continue
		}
		switch n {
		case "email_verified", "phone_number_verified":
			id[n] = v == "true"
		case "identities":
			var l []any
			if json.Unmarshal([]byte(v), &l) == nil {
				id[n] = l
			} else {
				id[n] = v
			}
		case "address":
			// Cognito stores a string; the ID token carries the OpenID
			// Connect address object (Core section 5.1.1).
			id[n] = map[string]any{"formatted": v}
		case "updated_at":
			if x, err := strconv.ParseInt(v, 10, 64); err == nil {
				id[n] = x
			} else {
				id[n] = v
			}
		default:
			id[n] = v
		}
	}
	if overrides != nil {
		overrides.ApplyID(id)
		overrides.ApplyAccess(access)
	}
	res := &authResult{ExpiresIn: int64(accessTTL / time.Second), TokenType: "Bearer"}
	if rt == nil {
		tok := s.newRefreshToken()
		exp := now.Add(cl.validity("refresh"))
		p.touchRefresh(hashToken(tok))
		p.Refresh[hashToken(tok)] = &refreshToken{Username: u.Username, Sub: u.Sub, ClientID: cl.ID,
			OriginJTI: origin, AuthTime: authTime, Expires: exp, DeviceKey: deviceKey}
		if oa != nil {
			p.Refresh[hashToken(tok)].Scope = scope
		}
		if u.Origins == nil {
			u.Origins = map[string]time.Time{}
		}
		u.Origins[origin] = exp
		res.RefreshToken = tok
		s.prune(p, u, now)
	}
	idKey, accessKey, err := s.poolKeys(p)
	if err != nil {
		return nil, err
	}
	idKid, accessKid := p.Kid, p.AccessKid
	sign := func() {
		if res.AccessToken, err = signRS256(accessKey, accessKid, access); err != nil {
			return
		}
		if oa != nil {
			sum := sha256.Sum256([]byte(res.AccessToken))
			id["at_hash"] = b64(sum[:16])
			if oa.Nonce != "" {
				id["nonce"] = oa.Nonce
			}
		}
		res.IdToken, err = signRS256(idKey, idKid, id)
	}
	if !hosted {
		s.unlocked(sign)
	} else {
		sign()
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// prune forgets expired refresh tokens, revocations and origins.
func (s *Server) prune(p *pool, u *user, now time.Time) {
	for o, exp := range u.Origins {
		if now.After(exp) {
			delete(u.Origins, o)
		}
	}
	if len(p.Refresh)%128 != 0 {
		return
	}
	for h, rt := range p.Refresh {
		if now.After(rt.Expires) {
			p.touchRefresh(h)
			delete(p.Refresh, h)
		}
	}
	for o, until := range p.Revoked {
		if now.After(until) {
			delete(p.Revoked, o)
		}
	}
}

// revokeOrigin makes every token of one sign-in fail from now on.
func (p *pool) revokeOrigin(origin string, now time.Time) {
	p.Revoked[origin] = now.Add(25 * time.Hour) // longer than any access token lives
	for h, rt := range p.Refresh {
		if rt.OriginJTI == origin {
			p.touchRefresh(h)
			rt.Revoked = true
		}
	}
}

// revokeRefresh revokes the sign-in that refresh token tok of cl comes
// from (RevokeToken, /oauth2/revoke). An unknown token is not an error
// (RFC 7009 section 2.2); a token of another client is refused, false.
func (p *pool) revokeRefresh(cl *client, tok string, now time.Time) bool {
	rt, ok := p.Refresh[hashToken(tok)]
	if !ok {
		return true
	}
	if rt.ClientID != cl.ID {
		return false
	}
	p.revokeSignIn(rt.Username, rt.OriginJTI, now)
	return true
}

// revokeSignIn revokes the sign-in origin of the user username: its
// refresh tokens, and its access and ID tokens for GetUser and friends.
func (p *pool) revokeSignIn(username, origin string, now time.Time) {
	p.revokeOrigin(origin, now)
	if u := p.user(username); u != nil {
		delete(u.Origins, origin)
	}
}

// signOutAll revokes every sign-in of u (GlobalSignOut and friends).
func (s *Server) signOutAll(p *pool, u *user, now time.Time) {
	for o := range u.Origins {
		p.revokeOrigin(o, now)
	}
	u.Origins = nil
}

// lookupRefresh finds a live refresh token for cl.
func (s *Server) lookupRefresh(p *pool, cl *client, tok string, now time.Time) (*refreshToken, *user, error) {
	if tok == "" {
		return nil, nil, errInvalidParam("Missing required parameter REFRESH_TOKEN")
	}
	rt, ok := p.Refresh[hashToken(tok)]
	if !ok || rt.ClientID != cl.ID {
		return nil, nil, errInvalidRefresh
	}
	p.touchRefresh(hashToken(tok))
	if rt.Revoked {
		return nil, nil, errRevokedRefresh
	}
	if now.After(rt.Expires) {
		return nil, nil, errNotAuthorized("Refresh Token has expired")
	}
	u := p.sameUser(rt.Username, rt.Sub)
	if u == nil {
		return nil, nil, errInvalidRefresh
	}
	if _, live := u.Origins[rt.OriginJTI]; !live {
		return nil, nil, errRevokedRefresh
	}
	return rt, u, nil
}

// ---------------------------------------------------------------------------
// Sign-out and revocation operations.

func opGlobalSignOut(s *Server, c *call) (any, error) {
	var in userInput
	p, u, _, err := s.accessUser(c, &in)
	if err != nil {
		return nil, err
	}
	s.signOutAll(p, u, c.now)
	return map[string]any{}, nil
}

func opAdminUserGlobalSignOut(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	s.signOutAll(p, u, c.now)
	return map[string]any{}, nil
}

func opRevokeToken(s *Server, c *call) (any, error) {
	var in struct {
		Token        string `json:"Token"`
		ClientId     string `json:"ClientId"`
		ClientSecret string `json:"ClientSecret"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if err := required("token", in.Token); err != nil {
		return nil, err
	}
	p, cl, err := s.clientByID(in.ClientId)
	if err != nil {
		return nil, err
	}
	if cl.Secret != "" && !matchSecret(cl, in.ClientSecret) {
		return nil, errNotAuthorized("Client is configured with secret but the secret was not received or is wrong")
	}
	if !cl.EnableTokenRevocation {
		return nil, errorf("UnsupportedOperationException", "Token revocation is not enabled for this client.")
	}
	if strings.Count(in.Token, ".") == 2 {
		return nil, errorf("UnsupportedTokenTypeException", "Only refresh tokens can be revoked.")
	}
	if !p.revokeRefresh(cl, in.Token, c.now) {
		return nil, errNotAuthorized("The token was not issued to this client.")
	}
	return map[string]any{}, nil
}

// ---------------------------------------------------------------------------
// JWKS and OpenID discovery.

func init() {
	registerPath("GET /{pool}/.well-known/jwks.json", serveJWKS)
	registerPath("GET /{pool}/.well-known/openid-configuration", serveOpenID)
}

func serveJWKS(s *Server, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.st.Pools[r.PathValue("pool")]
	if !ok {
		s.mu.Unlock()
		writeError(w, errorf("ResourceNotFoundException", "User pool %s does not exist.", r.PathValue("pool")), http.StatusNotFound)
		return
	}
	fresh := len(p.KeyDER) == 0 || len(p.AccessKeyDER) == 0
	idKey, accessKey, err := s.poolKeys(p)
	kids := [2]string{p.Kid, p.AccessKid}
	if err == nil && fresh {
		err = s.unlockSave()
	} else {
		s.mu.Unlock()
	}
	if err != nil {
		writeError(w, errorf("InternalErrorException", "cognitotest: %v", err), 500)
		return
	}
	keys := make([]any, 0, 2)
	for i, k := range []*rsa.PrivateKey{idKey, accessKey} {
		n, e := jwkFields(&k.PublicKey)
		keys = append(keys, map[string]string{"alg": "RS256", "e": e, "kid": kids[i], "kty": "RSA", "n": n, "use": "sig"})
	}
	w.Header().Set("Cache-Control", "max-age=300")
	writeJSONPlain(w, map[string]any{"keys": keys})
}

func serveOpenID(s *Server, w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.st.Pools[r.PathValue("pool")]
	base := s.urlLocked()
	s.mu.Unlock()
	if !ok {
		writeError(w, errorf("ResourceNotFoundException", "User pool %s does not exist.", r.PathValue("pool")), http.StatusNotFound)
		return
	}
	writeJSONPlain(w, map[string]any{
		"issuer":                                s.Issuer(p.ID),
		"jwks_uri":                              s.JWKSURL(p.ID),
		"authorization_endpoint":                base + "/oauth2/authorize",
		"token_endpoint":                        base + "/oauth2/token",
		"userinfo_endpoint":                     base + "/oauth2/userInfo",
		"end_session_endpoint":                  base + "/logout",
		"revocation_endpoint":                   base + "/oauth2/revoke",
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials"},
		"code_challenge_methods_supported":      []string{"S256"},
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func writeJSONPlain(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// VerifyToken checks a token this server issued, for the services mounted
// beside the user pools (identity pools' Logins maps, API Gateway's
// COGNITO_USER_POOLS authorizers): the RS256 signature by poolID's key
// (when poolID is not empty, the token must be that pool's), iss equal to
// Issuer(pool), token_use ("id" or "access"; empty accepts both) and expiry on the server clock; when checkRevoked, also
// that the sign-in it came from has not been signed out or revoked and that
// the user still exists and is enabled. It returns the token's claims.
// Errors are *APIError NotAuthorizedException with Cognito-like messages.
//
// It takes s.mu; the caller may hold its own service's lock.
func (s *Server) VerifyToken(poolID, token, use string, checkRevoked bool) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	p, cl, err := s.verifyJWT(token, "id")
	if err != nil && use != "id" {
		p, cl, err = s.verifyJWT(token, "access")
	}
	if err != nil || (use != "" && cl.TokenUse != use) {
		return nil, errNotAuthorized("Invalid login token. Not a valid " + orDefault(use, "user pool") + " token.")
	}
	if poolID != "" && p.ID != poolID {
		return nil, errNotAuthorized("Invalid login token. Issuer mismatch.")
	}
	if cl.Iss != s.Issuer(p.ID) {
		return nil, errNotAuthorized("Invalid login token. Issuer mismatch.")
	}
	if now.Unix() >= cl.Exp {
		return nil, errNotAuthorized("Invalid login token. Token expired: " + time.Unix(cl.Exp, 0).UTC().Format(time.RFC3339) + " >= " + now.Format(time.RFC3339))
	}
	if checkRevoked {
		name := cl.Username
		if cl.TokenUse == "id" {
			name = cl.CogUser
		}
		u := p.sameUser(name, cl.Sub)
		_, revoked := p.Revoked[cl.OriginJTI]
		switch {
		case u == nil:
			return nil, errNotAuthorized("Invalid login token. User does not exist.")
		case !u.Enabled:
			return nil, errNotAuthorized("Invalid login token. User is disabled.")
		case revoked || u.Origins[cl.OriginJTI].IsZero():
			return nil, errNotAuthorized("Invalid login token. Token has been revoked.")
		}
	}
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, errNotAuthorized("Invalid login token.")
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		return nil, errNotAuthorized("Invalid login token.")
	}
	return claims, nil
}

// PoolIDFromProvider extracts the pool ID from a Logins key
// "cognito-idp.{region}.amazonaws.com/{poolId}" (or an issuer URL).
func PoolIDFromProvider(provider string) string {
	if i := strings.LastIndex(provider, "/"); i >= 0 {
		return provider[i+1:]
	}
	return ""
}
