package idpool

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	roleARNPattern = regexp.MustCompile(`^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	poolIDPattern  = regexp.MustCompile(`^[\w-]+:[0-9a-f-]+$`)
)

// poolDescription is the wire shape of DescribeIdentityPool's output (and
// of the inputs of CreateIdentityPool and UpdateIdentityPool).
type poolDescription struct {
	IdentityPoolID                 string             `json:"IdentityPoolId,omitempty"`
	IdentityPoolName               string             `json:"IdentityPoolName"`
	AllowUnauthenticatedIdentities *bool              `json:"AllowUnauthenticatedIdentities"`
	AllowClassicFlow               *bool              `json:"AllowClassicFlow,omitempty"`
	SupportedLoginProviders        map[string]string  `json:"SupportedLoginProviders,omitempty"`
	DeveloperProviderName          string             `json:"DeveloperProviderName,omitempty"`
	OpenIDConnectProviderARNs      []string           `json:"OpenIdConnectProviderARNs,omitempty"`
	CognitoIdentityProviders       []UserPoolProvider `json:"CognitoIdentityProviders,omitempty"`
	SAMLProviderARNs               []string           `json:"SamlProviderARNs,omitempty"`
	IdentityPoolTags               map[string]string  `json:"IdentityPoolTags,omitempty"`
}

func describe(p *Pool) poolDescription {
	unauth := p.AllowUnauthenticatedIdentities
	return poolDescription{
		IdentityPoolID:                 p.ID,
		IdentityPoolName:               p.Name,
		AllowUnauthenticatedIdentities: &unauth,
		AllowClassicFlow:               p.AllowClassicFlow,
		SupportedLoginProviders:        p.SupportedLoginProviders,
		DeveloperProviderName:          p.DeveloperProviderName,
		OpenIDConnectProviderARNs:      p.OpenIDConnectProviderARNs,
		CognitoIdentityProviders:       p.CognitoIdentityProviders,
		SAMLProviderARNs:               p.SAMLProviderARNs,
		IdentityPoolTags:               p.Tags,
	}
}

// apply validates d and copies it onto p. The name's form is the model's
// (checked by Call before the operation runs).
func (d *poolDescription) apply(p *Pool) error {
	if d.AllowUnauthenticatedIdentities == nil {
		return invalidParam("1 validation error detected: Value null at 'allowUnauthenticatedIdentities' failed to satisfy constraint: Member must not be null")
	}
	for i, cp := range d.CognitoIdentityProviders {
		name := trimProviderName(cp.ProviderName)
		if !strings.HasPrefix(name, "cognito-idp.") || !strings.Contains(name, ".amazonaws.com/") {
			return invalidParam("Invalid provider name %q: it must be of the form cognito-idp.{region}.amazonaws.com/{userPoolId}.", cp.ProviderName)
		}
		if cp.ClientID == "" {
			return invalidParam("CognitoIdentityProviders[%d].ClientId is required.", i)
		}
		d.CognitoIdentityProviders[i].ProviderName = name
	}
	for k, v := range d.SupportedLoginProviders {
		if k == "" || v == "" {
			return invalidParam("SupportedLoginProviders keys and values must not be empty.")
		}
	}
	p.Name = d.IdentityPoolName
	p.AllowUnauthenticatedIdentities = *d.AllowUnauthenticatedIdentities
	p.AllowClassicFlow = d.AllowClassicFlow
	p.SupportedLoginProviders = d.SupportedLoginProviders
	p.DeveloperProviderName = d.DeveloperProviderName
	p.OpenIDConnectProviderARNs = d.OpenIDConnectProviderARNs
	p.CognitoIdentityProviders = d.CognitoIdentityProviders
	p.SAMLProviderARNs = d.SAMLProviderARNs
	if d.IdentityPoolTags != nil { // UpdateIdentityPool without tags keeps them (TagResource's)
		p.Tags = d.IdentityPoolTags
	}
	return nil
}

func (s *Service) createIdentityPool(body []byte) (any, error) {
	var in poolDescription
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	p := &Pool{}
	if err := in.apply(p); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.DeveloperProviderName != "" {
		for _, other := range s.st.Pools {
			if other.DeveloperProviderName == in.DeveloperProviderName {
				return nil, apiErr("ResourceConflictException", "Developer provider name %s is already used by identity pool %s.", in.DeveloperProviderName, other.ID)
			}
		}
	}
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	p.ID = id
	p.Created = s.cfg.Now().UTC()
	s.st.Pools[p.ID] = p
	return describe(p), nil
}

// pool returns the pool by ID; the caller holds s.mu.
func (s *Service) pool(id string) (*Pool, error) {
	if id == "" {
		return nil, invalidParam("1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: Member must not be null")
	}
	if !poolIDPattern.MatchString(id) {
		return nil, invalidParam("1 validation error detected: Value '%s' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+", id)
	}
	p, ok := s.st.Pools[id]
	if !ok {
		return nil, apiErr("ResourceNotFoundException", "IdentityPool '%s' not found.", id)
	}
	return p, nil
}

// withPool decodes {"IdentityPoolId"} from body and runs fn on that pool
// with s.mu held.
func (s *Service) withPool(body []byte, fn func(p *Pool) (any, error)) (any, error) {
	var in struct{ IdentityPoolId string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pool(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	return fn(p)
}

// checkMaxResults validates a List operation's MaxResults (1 to 60).
func checkMaxResults(n int) error {
	if n < 1 || n > 60 {
		return invalidParam("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60", n)
	}
	return nil
}

func (s *Service) describeIdentityPool(body []byte) (any, error) {
	return s.withPool(body, func(p *Pool) (any, error) { return describe(p), nil })
}

func (s *Service) listIdentityPools(body []byte) (any, error) {
	var in struct {
		MaxResults int
		NextToken  string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkMaxResults(in.MaxResults); err != nil {
		return nil, err
	}
	s.mu.Lock()
	ids := make([]string, 0, len(s.st.Pools))
	for id := range s.st.Pools {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	type short struct{ IdentityPoolId, IdentityPoolName string }
	page, next, err := paginate(ids, in.NextToken, in.MaxResults)
	out := struct {
		IdentityPools []short
		NextToken     string `json:",omitempty"`
	}{IdentityPools: []short{}, NextToken: next}
	for _, id := range page {
		out.IdentityPools = append(out.IdentityPools, short{id, s.st.Pools[id].Name})
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// paginate returns the page of sorted keys after the opaque token and the
// token of the next page.
func paginate(keys []string, token string, max int) (page []string, next string, err error) {
	start := 0
	if token != "" {
		n, perr := strconv.Atoi(token)
		if perr != nil || n < 0 || n > len(keys) {
			return nil, "", invalidParam("Invalid NextToken.")
		}
		start = n
	}
	end := start + max
	if end < len(keys) {
		next = strconv.Itoa(end)
	} else {
		end = len(keys)
	}
	return keys[start:end], next, nil
}

func (s *Service) updateIdentityPool(body []byte) (any, error) {
	var in poolDescription
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pool(in.IdentityPoolID)
	if err != nil {
		return nil, err
	}
	cp := *p
	if err := in.apply(&cp); err != nil {
		return nil, err
	}
	*p = cp
	return describe(p), nil
}

func (s *Service) deleteIdentityPool(body []byte) (any, error) {
	return s.withPool(body, func(p *Pool) (any, error) {
		delete(s.st.Pools, p.ID)
		for id, ident := range s.st.Identities {
			if ident.PoolID == p.ID {
				s.deleteIdentityLocked(id)
			}
		}
		return struct{}{}, nil
	})
}

func (s *Service) setIdentityPoolRoles(body []byte) (any, error) {
	var in struct {
		IdentityPoolId string
		Roles          map[string]string
		RoleMappings   map[string]RoleMapping
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	for k, arn := range in.Roles {
		if k != "authenticated" && k != "unauthenticated" {
			return nil, invalidParam("Invalid role type %q: use authenticated or unauthenticated.", k)
		}
		if !roleARNPattern.MatchString(arn) {
			return nil, invalidParam("Invalid role ARN %q.", arn)
		}
	}
	for k, m := range in.RoleMappings {
		if err := checkRoleMapping(k, m); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.pool(in.IdentityPoolId)
	if err != nil {
		return nil, err
	}
	p.Roles, p.RoleMappings = in.Roles, in.RoleMappings
	return struct{}{}, nil
}

func (s *Service) getIdentityPoolRoles(body []byte) (any, error) {
	return s.withPool(body, func(p *Pool) (any, error) {
		return struct {
			IdentityPoolId string
			Roles          map[string]string      `json:",omitempty"`
			RoleMappings   map[string]RoleMapping `json:",omitempty"`
		}{p.ID, p.Roles, p.RoleMappings}, nil
	})
}

// SeedPool is a pool declared in the emulator's configuration, with a fixed
// ID so that scripts can rely on it.
type SeedPool struct {
	ID                             string             `json:"id"`
	Name                           string             `json:"name"`
	AllowUnauthenticatedIdentities bool               `json:"allowUnauthenticatedIdentities"`
	AllowClassicFlow               *bool              `json:"allowClassicFlow,omitempty"`
	CognitoIdentityProviders       []UserPoolProvider `json:"cognitoIdentityProviders"`
	SupportedLoginProviders        map[string]string  `json:"supportedLoginProviders"`
	DeveloperProviderName          string             `json:"developerProviderName"`
	// Roles maps "authenticated" and "unauthenticated" to role ARNs.
	Roles map[string]string `json:"roles"`
}

// Seed creates the pool sp describes unless a pool with its ID exists. It
// reports whether it created one.
func (s *Service) Seed(sp SeedPool) (bool, error) {
	if !poolIDPattern.MatchString(sp.ID) {
		return false, invalidParam("identity pool id %q must look like %s:00000000-0000-4000-8000-000000000000", sp.ID, s.cfg.Region)
	}
	unauth := sp.AllowUnauthenticatedIdentities
	d := poolDescription{
		IdentityPoolName: sp.Name, AllowUnauthenticatedIdentities: &unauth, AllowClassicFlow: sp.AllowClassicFlow,
		CognitoIdentityProviders: append([]UserPoolProvider(nil), sp.CognitoIdentityProviders...),
		SupportedLoginProviders:  sp.SupportedLoginProviders, DeveloperProviderName: sp.DeveloperProviderName,
	}
	p := &Pool{ID: sp.ID}
	if err := d.apply(p); err != nil {
		return false, err
	}
	for k, arn := range sp.Roles {
		if (k != "authenticated" && k != "unauthenticated") || !roleARNPattern.MatchString(arn) {
			return false, invalidParam("identity pool %s: role %s = %q is not a role ARN for authenticated or unauthenticated", sp.ID, k, arn)
		}
	}
	p.Roles = sp.Roles
	s.mu.Lock()
	if _, exists := s.st.Pools[sp.ID]; exists {
		s.mu.Unlock()
		return false, nil
	}
	p.Created = s.cfg.Now().UTC()
	s.st.Pools[sp.ID] = p
	s.mu.Unlock()
	s.changed()
	return true, nil
}
