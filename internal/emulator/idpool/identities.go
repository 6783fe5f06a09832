package idpool

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// CredentialLifetime is how long GetCredentialsForIdentity's credentials
// last, as Cognito's do.
const CredentialLifetime = time.Hour

// openIDLifetime is GetOpenIdToken's token lifetime (Cognito: 10 minutes).
const openIDLifetime = 10 * time.Minute

var (
	errLoginsDontMatch = notAuthorized("Logins don't match. Please include at least one valid login for this identity or identity pool.")
	errUnauthDisabled  = notAuthorized("Unauthenticated access is not supported for this identity pool.")
	errNoRole          = apiErr("InvalidIdentityPoolConfigurationException", "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
	errUnsupported     = notAuthorized("Token is not from a supported provider of this identity pool.")
)

// login is one verified entry of a Logins map.
type login struct {
	key     string // provider key, e.g. "graph.facebook.com"
	subject string // who the provider says this is
	roles   []string
	// audience is the client or app the token was issued to; claims are
	// its claims (role-mapping rules match them); preferredRole is a
	// user-pool token's cognito:preferred_role.
	audience      string
	claims        map[string]any
	preferredRole string
	// identityID is set for developer-provider (OpenID) tokens, which name
	// their identity directly; tags are the principal tags such a token
	// carries.
	identityID string
	tags       map[string]string
}

// indexKey is the lookup key of a linked login within a pool.
func indexKey(poolID, key, subject string) string { return poolID + "\x00" + key + "\x00" + subject }

// ownerLocked returns the identity a login is linked to, if any.
func (s *Service) ownerLocked(poolID, key, subject string) *Identity {
	for _, ident := range s.st.Identities {
		if ident.PoolID == poolID && subject != "" && ident.has(key, subject) {
			return ident
		}
	}
	return nil
}

// verifyLoginsLocked checks every entry of a Logins map against the pool.
// The caller holds s.mu. The host's user-pool verifier is called with the
// lock held; it must not call back into the service.
func (s *Service) verifyLoginsLocked(p *Pool, logins map[string]string) ([]login, error) {
	if len(logins) > 10 {
		return nil, invalidParam("1 validation error detected: Value at 'logins' failed to satisfy constraint: Member must have length less than or equal to 10")
	}
	keys := sortedKeys(logins)
	out := make([]login, 0, len(logins))
	for _, key := range keys {
		tok := logins[key]
		if tok == "" {
			return nil, invalidParam("Logins values must not be empty.")
		}
		l, err := s.verifyLoginLocked(p, key, tok)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func (s *Service) verifyLoginLocked(p *Pool, key, tok string) (login, error) {
	switch {
	case key == DeveloperProvider:
		c, err := s.verifyOpenIDLocked(tok)
		if err != nil {
			return login{}, notAuthorized("Invalid login token. %s", openIDReason(err))
		}
		if c.Aud != p.ID {
			return login{}, notAuthorized("Invalid login token. Incorrect token audience.")
		}
		return login{key: key, subject: c.Sub, identityID: c.Sub, tags: c.Tags.tags()}, nil

	case strings.HasPrefix(key, "cognito-idp.") || s.isLocalIssuerKey(key):
		name := s.userPoolProviderName(p, key)
		var entries []*UserPoolProvider
		for i := range p.CognitoIdentityProviders {
			if p.CognitoIdentityProviders[i].ProviderName == name {
				entries = append(entries, &p.CognitoIdentityProviders[i])
			}
		}
		if len(entries) == 0 {
			return login{}, errUnsupported
		}
		if s.cfg.VerifyUserPoolToken == nil {
			return login{}, notAuthorized("Invalid login token. The emulator has no user pools to check it against.")
		}
		// A pool may list several app clients of one user pool: the
		// token's audience picks the entry, whose ServerSideTokenCheck
		// applies, as in Cognito. When the entries disagree on it, the
		// token is read first and checked with the server once its entry
		// is known.
		check, mixed := entries[0].ServerSideTokenCheck, false
		for _, e := range entries[1:] {
			mixed = mixed || e.ServerSideTokenCheck != check
		}
		c, err := s.cfg.VerifyUserPoolToken(name, tok, check && !mixed)
		if err != nil {
			return login{}, notAuthorized("%s", err.Error())
		}
		var prov *UserPoolProvider
		for _, e := range entries {
			if subtle.ConstantTimeCompare([]byte(c.Audience), []byte(e.ClientID)) == 1 {
				prov = e
				break
			}
		}
		if prov == nil {
			return login{}, notAuthorized("Invalid login token. Incorrect token audience.")
		}
		if mixed && prov.ServerSideTokenCheck {
			if c, err = s.cfg.VerifyUserPoolToken(name, tok, true); err != nil {
				return login{}, notAuthorized("%s", err.Error())
			}
		}
		return login{key: name, subject: c.Sub, roles: c.Roles, audience: c.Audience, claims: c.Claims, preferredRole: c.PreferredRole}, nil

	case key == FacebookProvider:
		appID, ok := p.SupportedLoginProviders[key]
		if !ok {
			return login{}, errUnsupported
		}
		if s.cfg.Facebook == nil {
			return login{}, notAuthorized("Invalid login token. The emulator's fake Facebook is not running.")
		}
		tokenApp, userID, expired, err := s.cfg.Facebook.TokenOwner(tok)
		switch {
		case expired:
			return login{}, notAuthorized("Invalid login token. Token expired.")
		case err != nil:
			return login{}, notAuthorized("Invalid login token. Not a valid Facebook access token.")
		case tokenApp != appID:
			return login{}, notAuthorized("Invalid login token. The Facebook token was issued for app %s, not the app this identity pool trusts.", tokenApp)
		}
		return login{key: key, subject: userID, audience: tokenApp, claims: map[string]any{"sub": userID}}, nil

	default:
		return s.verifyFederatedLocked(p, key, tok)
	}
}

// isLocalIssuerKey reports whether key is the emulator's user-pool issuer
// without its scheme followed by a pool ID ("127.0.0.1:PORT/{poolId}").
func (s *Service) isLocalIssuerKey(key string) bool {
	if s.cfg.UserPoolIssuer == nil {
		return false
	}
	base := schemeless(s.cfg.UserPoolIssuer())
	rest, ok := strings.CutPrefix(key, base+"/")
	return ok && base != "" && rest != "" && !strings.Contains(rest, "/")
}

// userPoolProviderName is the provider name a user-pool Logins key stands
// for: "cognito-idp.{region}.amazonaws.com/{poolId}" as given, or, for a
// local issuer key, the name of p's provider of that pool (the key itself
// when p has none, which then is not supported).
func (s *Service) userPoolProviderName(p *Pool, key string) string {
	if strings.HasPrefix(key, "cognito-idp.") {
		return trimProviderName(key)
	}
	poolID := key[strings.LastIndex(key, "/")+1:]
	for _, prov := range p.CognitoIdentityProviders {
		if strings.HasSuffix(prov.ProviderName, ".amazonaws.com/"+poolID) {
			return prov.ProviderName
		}
	}
	return key
}

// schemeless is an URL without its scheme, as Amplify strips it.
func schemeless(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	return strings.TrimSuffix(u, "/")
}

func openIDReason(err error) string {
	if strings.HasPrefix(err.Error(), "Token expired") {
		return err.Error()
	}
	return "Couldn't verify signed token."
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// newID returns "{region}:{uuid}".
func (s *Service) newID() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return "", fmt.Errorf("idpool: reading randomness: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%s:%x-%x-%x-%x-%x", s.cfg.Region, b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// newIdentityLocked creates an identity in p with the given logins linked.
func (s *Service) newIdentityLocked(p *Pool, logins []login) (*Identity, error) {
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	ident := &Identity{ID: id, PoolID: p.ID, Logins: map[string]string{}, Created: now, Modified: now}
	for _, l := range logins {
		if l.identityID == "" {
			ident.Logins[l.key] = l.subject
		}
	}
	s.st.Identities[id] = ident
	return ident, nil
}

// resolveLocked finds the identity a set of verified logins belongs to,
// linking the ones not yet linked. It returns nil when none is linked.
func (s *Service) resolveLocked(p *Pool, logins []login) (*Identity, error) {
	var found *Identity
	for _, l := range logins {
		var owner *Identity
		if l.identityID != "" {
			owner = s.st.Identities[l.identityID]
			if owner == nil || owner.PoolID != p.ID {
				return nil, apiErr("ResourceNotFoundException", "Identity '%s' not found.", l.identityID)
			}
		} else {
			owner = s.ownerLocked(p.ID, l.key, l.subject)
		}
		if owner == nil {
			continue
		}
		if found != nil && found != owner {
			return nil, apiErr("ResourceConflictException", "The logins given belong to different identities.")
		}
		found = owner
	}
	if found != nil {
		for _, l := range logins {
			if _, ok := found.Logins[l.key]; ok && l.identityID == "" && !found.has(l.key, l.subject) {
				return nil, errLoginsDontMatch
			}
		}
	}
	if found != nil {
		s.linkLocked(found, logins)
	}
	return found, nil
}

// linkLocked links logins to ident (those that name an identity are
// skipped: they are the identity).
func (s *Service) linkLocked(ident *Identity, logins []login) {
	changed := false
	for _, l := range logins {
		if l.identityID != "" || ident.has(l.key, l.subject) {
			continue
		}
		ident.link(l.key, l.subject)
		changed = true
	}
	if changed {
		ident.Modified = s.cfg.Now().UTC()
	}
}

func (s *Service) getID(body []byte) (any, error) {
	var in struct {
		AccountId      string
		IdentityPoolId string
		Logins         map[string]string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pool(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if in.AccountId != "" && in.AccountId != s.cfg.AccountID {
		return nil, notAuthorized("Access to Identity Pool '%s' is forbidden for account %s.", p.ID, in.AccountId)
	}
	if len(in.Logins) == 0 {
		if !p.AllowUnauthenticatedIdentities {
			return nil, errUnauthDisabled
		}
		ident, err := s.newIdentityLocked(p, nil)
		if err != nil {
			return nil, err
		}
		return map[string]string{"IdentityId": ident.ID}, nil
	}
	logins, err := s.verifyLoginsLocked(p, in.Logins)
	if err != nil {
		return nil, err
	}
	ident, err := s.resolveLocked(p, logins)
	if err != nil {
		return nil, err
	}
	if ident == nil {
		if ident, err = s.newIdentityLocked(p, logins); err != nil {
			return nil, err
		}
	}
	return map[string]string{"IdentityId": ident.ID}, nil
}

// authorizeLocked checks that the caller may act as identity id with the
// given Logins, linking new logins to a guest. It returns the identity,
// its pool, and the verified logins (none for a guest).
func (s *Service) authorizeLocked(id string, rawLogins map[string]string) (*Identity, *Pool, []login, error) {
	if id == "" {
		return nil, nil, nil, invalidParam("1 validation error detected: Value null at 'identityId' failed to satisfy constraint: Member must not be null")
	}
	ident, ok := s.st.Identities[id]
	if !ok {
		return nil, nil, nil, apiErr("ResourceNotFoundException", "Identity '%s' not found.", id)
	}
	p, ok := s.st.Pools[ident.PoolID]
	if !ok {
		return nil, nil, nil, apiErr("ResourceNotFoundException", "IdentityPool '%s' not found.", ident.PoolID)
	}
	if len(rawLogins) == 0 {
		if len(ident.Logins) > 0 {
			return nil, nil, nil, notAuthorized("Access to Identity '%s' is forbidden.", id)
		}
		if !p.AllowUnauthenticatedIdentities {
			return nil, nil, nil, errUnauthDisabled
		}
		return ident, p, nil, nil
	}
	logins, err := s.verifyLoginsLocked(p, rawLogins)
	if err != nil {
		return nil, nil, nil, err
	}
	matched := len(ident.Logins) == 0 // a guest accepts any valid login: it gets linked
	for _, l := range logins {
		if l.identityID != "" {
			if l.identityID != ident.ID {
				return nil, nil, nil, errLoginsDontMatch
			}
			matched = true
			continue
		}
		if owner := s.ownerLocked(p.ID, l.key, l.subject); owner != nil && owner != ident {
			return nil, nil, nil, errLoginsDontMatch
		}
		if _, ok := ident.Logins[l.key]; ok && !ident.has(l.key, l.subject) {
			// Another account of the same provider: never replace the
			// linked one.
			return nil, nil, nil, errLoginsDontMatch
		}
		if ident.has(l.key, l.subject) {
			matched = true
		}
	}
	if !matched {
		return nil, nil, nil, errLoginsDontMatch
	}
	s.linkLocked(ident, logins)
	return ident, p, logins, nil
}

func (s *Service) getCredentialsForIdentity(body []byte) (any, error) {
	var in struct {
		IdentityId    string
		Logins        map[string]string
		CustomRoleArn string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ident, p, logins, err := s.authorizeLocked(in.IdentityId, in.Logins)
	if err != nil {
		return nil, err
	}
	authType, role := "unauthenticated", p.Roles["unauthenticated"]
	var providers []string
	if len(logins) > 0 || len(ident.Logins) > 0 {
		authType = "authenticated"
		if role, err = authenticatedRole(p, logins, in.CustomRoleArn); err != nil {
			return nil, err
		}
		providers = authProviders(logins)
	} else if in.CustomRoleArn != "" {
		return nil, errCustomRole(in.CustomRoleArn)
	}
	if role == "" {
		return nil, errNoRole
	}
	if r, ok := s.st.Roles[role]; ok && !r.trusts(p.ID, authType) {
		// Cognito assumes the role for the identity; a trust policy
		// that does not let this pool's identities in refuses it.
		return nil, errNoRole
	}
	c, err := s.issueLocked(ident, role, authType, providers, principalTagsFor(p, logins))
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"IdentityId": ident.ID,
		"Credentials": map[string]any{
			"AccessKeyId":  c.AccessKeyID,
			"SecretKey":    c.SecretAccessKey,
			"SessionToken": c.SessionToken,
			"Expiration":   c.Expires.Unix(),
		},
	}, nil
}

// authProviders is what API Gateway shows as
// requestContext.identity.cognitoAuthenticationProvider (joined with
// commas): the provider key, and for a user pool also
// "{provider}:CognitoSignIn:{sub}", which apps parse to find the user.
func authProviders(logins []login) []string {
	var out []string
	for _, l := range logins {
		out = append(out, l.key)
		if strings.HasPrefix(l.key, "cognito-idp.") {
			out = append(out, l.key+":CognitoSignIn:"+l.subject)
		}
	}
	return out
}

func tokenGrantsRole(logins []login, arn string) bool {
	for _, l := range logins {
		if contains(l.roles, arn) {
			return true
		}
	}
	return false
}

// issueLocked mints and records the fresh credentials of the enhanced
// flow (GetCredentialsForIdentity).
func (s *Service) issueLocked(ident *Identity, role, authType string, providers []string, tags map[string]string) (*Credential, error) {
	return s.issueForLocked(Credential{IdentityID: ident.ID, IdentityPoolID: ident.PoolID, RoleARN: role,
		AuthType: authType, AuthProvider: providers, PrincipalTags: tags}, CredentialLifetime)
}

// issueForLocked mints credentials lasting d, records them with what c
// says of them (identity, pool, role, authentication, session) and returns
// the record.
func (s *Service) issueForLocked(c Credential, d time.Duration) (*Credential, error) {
	buf := make([]byte, 16+30+96)
	if _, err := io.ReadFull(s.cfg.Rand, buf); err != nil {
		return nil, fmt.Errorf("idpool: reading randomness: %w", err)
	}
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	ak := make([]byte, 16)
	for i := range ak {
		ak[i] = alnum[buf[i]&31]
	}
	now := s.cfg.Now().UTC()
	c.AccessKeyID = "ASIA" + string(ak)
	c.SecretAccessKey = base64.StdEncoding.EncodeToString(buf[16:46])
	c.SessionToken = "IQoJb3JpZ2luX2Vj" + base64.StdEncoding.EncodeToString(buf[46:])
	c.Expires, c.Issued = now.Add(d), now
	s.st.Credentials[c.AccessKeyID] = &c
	s.pruneCredentialsLocked(now)
	return &c, nil
}

// pruneCredentialsLocked drops records expired for more than a day, so a
// long-running server's state does not grow without bound.
func (s *Service) pruneCredentialsLocked(now time.Time) {
	if len(s.st.Credentials) < 1024 {
		return
	}
	for k, c := range s.st.Credentials {
		if now.Sub(c.Expires) > 24*time.Hour {
			delete(s.st.Credentials, k)
		}
	}
}

func amrFor(ident *Identity, logins []login) []string {
	if len(ident.Logins) == 0 && len(logins) == 0 {
		return []string{"unauthenticated"}
	}
	amr := []string{"authenticated"}
	seen := map[string]bool{}
	for k := range ident.Logins {
		seen[k] = true
	}
	for _, l := range logins {
		seen[l.key] = true
	}
	return append(amr, sortedKeys(seen)...)
}

func (s *Service) getOpenIDToken(body []byte) (any, error) {
	var in struct {
		IdentityId string
		Logins     map[string]string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ident, p, logins, err := s.authorizeLocked(in.IdentityId, in.Logins)
	if err != nil {
		return nil, err
	}
	if p.AllowClassicFlow != nil && !*p.AllowClassicFlow {
		return nil, invalidParam("Basic (classic) flow is not enabled, please use enhanced flow.")
	}
	return s.openIDAnswerLocked(ident, amrFor(ident, logins), openIDLifetime, principalTagsFor(p, logins))
}

// openIDAnswerLocked signs an OpenID token for ident and returns the
// {IdentityId, Token} answer of the GetOpenIdToken operations. The token
// carries the principal tags, as Cognito's do.
func (s *Service) openIDAnswerLocked(ident *Identity, amr []string, d time.Duration, tags map[string]string) (any, error) {
	tok, err := s.newOpenIDLocked(ident, amr, d, tags)
	if err != nil {
		return nil, err
	}
	return map[string]string{"IdentityId": ident.ID, "Token": tok}, nil
}

func (s *Service) getOpenIDTokenForDeveloperIdentity(body []byte) (any, error) {
	var in struct {
		IdentityPoolId string
		IdentityId     string
		Logins         map[string]string
		PrincipalTags  map[string]string
		TokenDuration  *int64
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	d := 15 * time.Minute
	if in.TokenDuration != nil {
		if *in.TokenDuration < 1 || *in.TokenDuration > 86400 {
			return nil, invalidParam("1 validation error detected: Value '%d' at 'tokenDuration' failed to satisfy constraint: Member must have value between 1 and 86400", *in.TokenDuration)
		}
		d = time.Duration(*in.TokenDuration) * time.Second
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pool(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if p.DeveloperProviderName == "" {
		return nil, notAuthorized("Identity pool %s has no developer provider.", p.ID)
	}
	userID, ok := in.Logins[p.DeveloperProviderName]
	if !ok || userID == "" {
		return nil, notAuthorized("The Logins map must contain the identity pool's developer provider name.")
	}
	others := map[string]string{}
	for k, v := range in.Logins {
		if k != p.DeveloperProviderName {
			others[k] = v
		}
	}
	logins, err := s.verifyLoginsLocked(p, others)
	if err != nil {
		return nil, err
	}
	logins = append(logins, login{key: p.DeveloperProviderName, subject: userID})

	var ident *Identity
	if in.IdentityId != "" {
		ident = s.st.Identities[in.IdentityId]
		if ident == nil || ident.PoolID != p.ID {
			return nil, apiErr("ResourceNotFoundException", "Identity '%s' not found.", in.IdentityId)
		}
		for _, l := range logins {
			if owner := s.ownerLocked(p.ID, l.key, l.subject); owner != nil && owner != ident {
				return nil, apiErr("ResourceConflictException", "The developer user identifier is already linked to another identity.")
			}
		}
		s.linkLocked(ident, logins)
	} else {
		if ident, err = s.resolveLocked(p, logins); err != nil {
			return nil, err
		}
		if ident == nil {
			if ident, err = s.newIdentityLocked(p, logins); err != nil {
				return nil, err
			}
		}
	}
	tags := principalTagsFor(p, logins)
	for k, v := range in.PrincipalTags { // the developer's own tags win
		if tags == nil {
			tags = map[string]string{}
		}
		tags[k] = v
	}
	return s.openIDAnswerLocked(ident, amrFor(ident, nil), d, tags)
}

func (s *Service) lookupDeveloperIdentity(body []byte) (any, error) {
	var in struct {
		IdentityPoolId          string
		IdentityId              string
		DeveloperUserIdentifier string
		MaxResults              int
		NextToken               string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pool(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	if p.DeveloperProviderName == "" {
		return nil, apiErr("ResourceNotFoundException", "Identity pool %s has no developer provider.", p.ID)
	}
	var ident *Identity
	switch {
	case in.IdentityId != "":
		ident = s.st.Identities[in.IdentityId]
	case in.DeveloperUserIdentifier != "":
		ident = s.ownerLocked(p.ID, p.DeveloperProviderName, in.DeveloperUserIdentifier)
	default:
		return nil, invalidParam("Either IdentityId or DeveloperUserIdentifier is required.")
	}
	if ident == nil || ident.PoolID != p.ID || ident.Logins[p.DeveloperProviderName] == "" {
		return nil, apiErr("ResourceNotFoundException", "No developer identity found.")
	}
	return map[string]any{
		"IdentityId":                  ident.ID,
		"DeveloperUserIdentifierList": ident.subjects(p.DeveloperProviderName),
	}, nil
}

type identityDescription struct {
	IdentityId       string
	Logins           []string
	CreationDate     int64
	LastModifiedDate int64
}

func describeIdentity(ident *Identity) identityDescription {
	return identityDescription{ident.ID, sortedKeys(ident.Logins), ident.Created.Unix(), ident.Modified.Unix()}
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (s *Service) listIdentities(body []byte) (any, error) {
	var in struct {
		IdentityPoolId string
		MaxResults     int
		NextToken      string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkMaxResults(in.MaxResults); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pool(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	var ids []string
	for id, ident := range s.st.Identities {
		if ident.PoolID == p.ID {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	page, next, err := paginate(ids, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := struct {
		IdentityPoolId string
		Identities     []identityDescription
		NextToken      string `json:",omitempty"`
	}{IdentityPoolId: p.ID, Identities: []identityDescription{}, NextToken: next}
	for _, id := range page {
		out.Identities = append(out.Identities, describeIdentity(s.st.Identities[id]))
	}
	return out, nil
}

func (s *Service) describeIdentity(body []byte) (any, error) {
	var in struct{ IdentityId string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ident, ok := s.st.Identities[in.IdentityId]
	if !ok {
		return nil, apiErr("ResourceNotFoundException", "Identity '%s' not found.", in.IdentityId)
	}
	return describeIdentity(ident), nil
}

func (s *Service) unlinkIdentity(body []byte) (any, error) {
	var in struct {
		IdentityId     string
		Logins         map[string]string
		LoginsToRemove []string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.Logins) == 0 {
		return nil, invalidParam("Logins is required.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ident, p, _, err := s.authorizeLocked(in.IdentityId, in.Logins)
	if err != nil {
		return nil, err
	}
	for _, k := range in.LoginsToRemove {
		if s.isLocalIssuerKey(k) {
			k = s.userPoolProviderName(p, k)
		}
		k = trimProviderName(k)
		if _, ok := ident.Logins[k]; !ok {
			return nil, invalidParam("Login %s is not linked to identity %s.", k, ident.ID)
		}
		delete(ident.Logins, k)
	}
	ident.Modified = s.cfg.Now().UTC()
	return struct{}{}, nil
}

func (s *Service) deleteIdentities(body []byte) (any, error) {
	var in struct{ IdentityIdsToDelete []string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.IdentityIdsToDelete) == 0 || len(in.IdentityIdsToDelete) > 60 {
		return nil, invalidParam("IdentityIdsToDelete must hold 1 to 60 identity IDs.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type unprocessed struct{ IdentityId, ErrorCode string }
	out := struct{ UnprocessedIdentityIds []unprocessed }{[]unprocessed{}}
	for _, id := range in.IdentityIdsToDelete {
		if _, ok := s.st.Identities[id]; !ok {
			out.UnprocessedIdentityIds = append(out.UnprocessedIdentityIds, unprocessed{id, "InternalServerError"})
			continue
		}
		s.deleteIdentityLocked(id)
	}
	return out, nil
}

// deleteIdentityLocked removes an identity; credentials already issued to
// it stay recorded until they expire, as real ones keep working.
func (s *Service) deleteIdentityLocked(id string) {
	delete(s.st.Identities, id)
}
