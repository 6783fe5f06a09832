package idpool

import (
	"fmt"
	"strings"
)

// PrincipalTagMap is one identity provider's attributes for access
// control (SetPrincipalTagAttributeMap): which claim of its tokens becomes
// which session tag of the credentials the identity pool issues.
type PrincipalTagMap struct {
	// UseDefaults is true when the map is Cognito's default one
	// (DefaultPrincipalTags).
	UseDefaults bool `json:"UseDefaults"`
	// Tags maps a principal tag key to the token claim it takes its value
	// from.
	Tags map[string]string `json:"PrincipalTags,omitempty"`
}

// DefaultPrincipalTags is the map Cognito applies with UseDefaults: the
// token's audience as "client" and its subject as "username".
func DefaultPrincipalTags() map[string]string {
	return map[string]string{"client": "aud", "username": "sub"}
}

// principalTagsOutput is the output of Get/SetPrincipalTagAttributeMap.
type principalTagsOutput struct {
	IdentityPoolId       string
	IdentityProviderName string
	UseDefaults          bool
	PrincipalTags        map[string]string `json:",omitempty"`
}

// providerConfigured reports whether name is one of p's identity
// providers: a user pool, a SupportedLoginProviders key, an OpenID Connect
// or SAML provider ARN.
func providerConfigured(p *Pool, name string) bool {
	for _, up := range p.CognitoIdentityProviders {
		if up.ProviderName == trimProviderName(name) {
			return true
		}
	}
	_, social := p.SupportedLoginProviders[name]
	return social || contains(p.OpenIDConnectProviderARNs, name) || contains(p.SAMLProviderARNs, name)
}

func (s *Service) getPrincipalTagAttributeMap(body []byte) (any, error) {
	var in struct{ IdentityPoolId, IdentityProviderName string }
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.providerPoolLocked(in.IdentityPoolId, in.IdentityProviderName)
	if err != nil {
		return nil, err
	}
	out := principalTagsOutput{IdentityPoolId: p.ID, IdentityProviderName: in.IdentityProviderName}
	if m, ok := p.PrincipalTags[trimProviderName(in.IdentityProviderName)]; ok {
		out.UseDefaults, out.PrincipalTags = m.UseDefaults, m.Tags
	}
	return out, nil
}

// providerPoolLocked returns pool poolID after checking that provider is
// one of its identity providers. The caller holds s.mu.
func (s *Service) providerPoolLocked(poolID, provider string) (*Pool, error) {
	p, err := s.pool(poolID)
	if err != nil {
		return nil, err
	}
	if !providerConfigured(p, provider) {
		return nil, invalidParam("%s is not an identity provider of identity pool %s.", provider, p.ID)
	}
	return p, nil
}

func (s *Service) setPrincipalTagAttributeMap(body []byte) (any, error) {
	var in struct {
		IdentityPoolId       string
		IdentityProviderName string
		UseDefaults          *bool
		PrincipalTags        map[string]string
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	for k, v := range in.PrincipalTags {
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, invalidParam("Principal tag key %s: keys must not start with aws:.", k)
		}
		if v == "" {
			return nil, invalidParam("Principal tag %s must name a claim.", k)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.providerPoolLocked(in.IdentityPoolId, in.IdentityProviderName)
	if err != nil {
		return nil, err
	}
	m := PrincipalTagMap{UseDefaults: in.UseDefaults != nil && *in.UseDefaults, Tags: in.PrincipalTags}
	if m.UseDefaults {
		m.Tags = DefaultPrincipalTags()
	}
	name := trimProviderName(in.IdentityProviderName)
	if !m.UseDefaults && len(m.Tags) == 0 {
		delete(p.PrincipalTags, name) // attributes for access control turned off
	} else {
		if p.PrincipalTags == nil {
			p.PrincipalTags = map[string]*PrincipalTagMap{}
		}
		p.PrincipalTags[name] = &m
	}
	return principalTagsOutput{IdentityPoolId: p.ID, IdentityProviderName: in.IdentityProviderName,
		UseDefaults: m.UseDefaults, PrincipalTags: m.Tags}, nil
}

// principalTagsFor returns the session tags the verified logins give under
// p's principal-tag maps, with the tags a developer provider set in its
// OpenID token. A claim that is missing, or is not a string, number or
// boolean, gives no tag; where logins disagree on a tag, the first login
// in key order wins.
func principalTagsFor(p *Pool, logins []login) map[string]string {
	out := map[string]string{}
	for _, l := range logins {
		for k, v := range l.tags {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
		m := p.PrincipalTags[l.key]
		if m == nil {
			if arn, ok := oidcARN(p.OpenIDConnectProviderARNs, l.key); ok {
				m = p.PrincipalTags[arn]
			}
		}
		if m == nil {
			continue
		}
		for _, tag := range sortedKeys(m.Tags) {
			if _, ok := out[tag]; ok {
				continue
			}
			if v, ok := claimString(l, m.Tags[tag]); ok {
				out[tag] = v
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// claimString is a login's claim as a tag value: its audience and subject
// for aud and sub when the token's claims lack them.
func claimString(l login, claim string) (string, bool) {
	v, ok := l.claims[claim]
	if !ok {
		switch claim {
		case "aud":
			return l.audience, l.audience != ""
		case "sub":
			return l.subject, l.subject != ""
		}
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, x != ""
	case float64, int, int64, bool:
		return fmt.Sprint(x), true
	case []any:
		if len(x) == 1 { // aud may be a one-element list
			if s, ok := x[0].(string); ok {
				return s, true
			}
		}
	}
	return "", false
}

// tagsClaim is the OpenID token claim "https://aws.amazon.com/tags" that
// carries principal tags, as Cognito writes it.
type tagsClaim struct {
	PrincipalTags map[string][]string `json:"principal_tags"`
}

func toTagsClaim(tags map[string]string) *tagsClaim {
	if len(tags) == 0 {
		return nil
	}
	c := &tagsClaim{PrincipalTags: map[string][]string{}}
	for k, v := range tags {
		c.PrincipalTags[k] = []string{v}
	}
	return c
}

func (c *tagsClaim) tags() map[string]string {
	if c == nil || len(c.PrincipalTags) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range c.PrincipalTags {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}
