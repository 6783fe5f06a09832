package userpool

import (
	"sort"
	"strings"
)

// cognito-idp operations that configure the hosted UI, so that AWS SDKs
// and the AWS CLI can set it up as they would in Cognito.

func init() {
	registerTarget(idpTarget, map[string]op{
		"CreateIdentityProvider":   {fn: opCreateIdentityProvider},
		"DescribeIdentityProvider": {fn: opDescribeIdentityProvider, readOnly: true},
		"ListIdentityProviders":    {fn: opListIdentityProviders, readOnly: true},
		"DeleteIdentityProvider":   {fn: opDeleteIdentityProvider},
		"CreateResourceServer":     {fn: opCreateResourceServer},
		"DescribeResourceServer":   {fn: opDescribeResourceServer, readOnly: true},
	})
}

type idpInput struct {
	UserPoolId       string            `json:"UserPoolId"`
	ProviderName     string            `json:"ProviderName"`
	ProviderType     string            `json:"ProviderType"`
	ProviderDetails  map[string]string `json:"ProviderDetails"`
	AttributeMapping map[string]string `json:"AttributeMapping"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers"`
}

func (in *idpInput) poolID() string { return in.UserPoolId }

// idpWire is Cognito's IdentityProviderType; the client secret is not
// echoed back.
func idpWire(poolID string, idp *identityProvider) map[string]any {
	mapping := map[string]string{"username": subjectAttr[idp.Type]}
	for k, v := range idp.AttributeMapping {
		mapping[k] = v
	}
	ids := idp.Identifiers
	if ids == nil {
		ids = []string{}
	}
	m := map[string]any{"UserPoolId": poolID, "ProviderName": idp.Name, "ProviderType": idp.Type,
		"ProviderDetails": idp.wireDetails(), "AttributeMapping": mapping, "IdpIdentifiers": ids}
	idpDates(m, idp)
	return m
}

func opCreateIdentityProvider(s *Server, c *call) (any, error) {
	var in idpInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if err := firstErr(required("providerName", in.ProviderName), required("providerType", in.ProviderType)); err != nil {
		return nil, err
	}
	o := IdentityProviderOptions{Name: in.ProviderName, Type: in.ProviderType, AttributeMapping: in.AttributeMapping,
		IdpIdentifiers: in.IdpIdentifiers, Details: in.ProviderDetails}
	idp, err := s.putIdPLocked(p, o, false)
	if err != nil {
		return nil, err
	}
	// The fake Facebook is not told the secret here (its lock is never
	// taken under s.mu): it checks secrets only of apps declared with
	// AddIdentityProvider or fakefb's PutApp.
	return map[string]any{"IdentityProvider": idpWire(p.ID, idp)}, nil
}

// poolIdP decodes an input naming a pool and one of its identity
// providers, and finds both.
func (s *Server) poolIdP(c *call, in *idpInput) (*pool, *identityProvider, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, nil, err
	}
	idp, ok := p.hosted().IdPs[in.ProviderName]
	if !ok {
		return nil, nil, errorf("ResourceNotFoundException", "Identity provider %s does not exist.", in.ProviderName)
	}
	return p, idp, nil
}

func opDescribeIdentityProvider(s *Server, c *call) (any, error) {
	var in idpInput
	p, idp, err := s.poolIdP(c, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"IdentityProvider": idpWire(p.ID, idp)}, nil
}

func opListIdentityProviders(s *Server, c *call) (any, error) {
	var in idpInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(p.hosted().IdPs))
	for n := range p.hosted().IdPs {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]map[string]any, 0, len(names))
	for _, n := range names {
		out = append(out, map[string]any{"ProviderName": n, "ProviderType": p.hosted().IdPs[n].Type})
	}
	return map[string]any{"Providers": out}, nil
}

func opDeleteIdentityProvider(s *Server, c *call) (any, error) {
	var in idpInput
	p, idp, err := s.poolIdP(c, &in)
	if err != nil {
		return nil, err
	}
	delete(p.hosted().IdPs, idp.Name)
	return map[string]any{}, nil
}

type resourceServerInput struct {
	UserPoolId string `json:"UserPoolId"`
	Identifier string `json:"Identifier"`
	Name       string `json:"Name"`
	Scopes     []struct {
		ScopeName        string `json:"ScopeName"`
		ScopeDescription string `json:"ScopeDescription"`
	} `json:"Scopes"`
}

func (in *resourceServerInput) poolID() string { return in.UserPoolId }

func resourceServerWire(poolID string, rs *resourceServer) map[string]any {
	scopes := make([]map[string]string, 0, len(rs.Scopes))
	for _, sc := range rs.Scopes {
		scopes = append(scopes, map[string]string{"ScopeName": sc, "ScopeDescription": orDefault(rs.Descriptions[sc], sc)})
	}
	return map[string]any{"UserPoolId": poolID, "Identifier": rs.Identifier, "Name": rs.Name, "Scopes": scopes}
}

func opCreateResourceServer(s *Server, c *call) (any, error) {
	var in resourceServerInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if err := firstErr(required("identifier", in.Identifier), required("name", in.Name)); err != nil {
		return nil, err
	}
	if strings.ContainsAny(in.Identifier, " \t\r\n") {
		return nil, errInvalidParam("Invalid resource server identifier.")
	}
	if _, dup := p.hosted().ResourceServers[in.Identifier]; dup {
		return nil, errInvalidParam("%s already exists in user pool %s.", in.Identifier, p.ID)
	}
	rs, err := newResourceServer(&in)
	if err != nil {
		return nil, err
	}
	p.hosted().ResourceServers[rs.Identifier] = rs
	return map[string]any{"ResourceServer": resourceServerWire(p.ID, rs)}, nil
}

func opDescribeResourceServer(s *Server, c *call) (any, error) {
	var in resourceServerInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	rs, ok := p.hosted().ResourceServers[in.Identifier]
	if !ok {
		return nil, errorf("ResourceNotFoundException", "Resource server %s does not exist.", in.Identifier)
	}
	return map[string]any{"ResourceServer": resourceServerWire(p.ID, rs)}, nil
}
