package userpool

import (
	"slices"
	"strings"
)

// Resource servers beyond create and describe (hostedui_ops.go):
// UpdateResourceServer, DeleteResourceServer and ListResourceServers, as
// Cognito has them. A scope that an update or a delete takes away is taken
// out of the AllowedOAuthScopes of the pool's app clients too, as Cognito
// does, so that a client_credentials request without a scope (every scope
// the client allows) keeps working with what is left.

func init() {
	registerTarget(idpTarget, map[string]op{
		"UpdateResourceServer": {fn: opUpdateResourceServer},
		"DeleteResourceServer": {fn: opDeleteResourceServer},
		"ListResourceServers":  {fn: opListResourceServers, readOnly: true},
	})
}

// maxResourceServerPage is ListResourceServers' largest MaxResults.
const maxResourceServerPage = 50

// newResourceServer validates a create or update input's scopes and
// returns the resource server it describes.
func newResourceServer(in *resourceServerInput) (*resourceServer, error) {
	rs := &resourceServer{Identifier: in.Identifier, Name: in.Name}
	for _, sc := range in.Scopes {
		if !scopeNameRe.MatchString(sc.ScopeName) || strings.Contains(sc.ScopeName, "/") {
			return nil, errInvalidParam("Invalid scope name %q.", sc.ScopeName)
		}
		if slices.Contains(rs.Scopes, sc.ScopeName) {
			return nil, errInvalidParam("Duplicate scope name %s.", sc.ScopeName)
		}
		rs.Scopes = append(rs.Scopes, sc.ScopeName)
		if sc.ScopeDescription != "" && sc.ScopeDescription != sc.ScopeName {
			if rs.Descriptions == nil {
				rs.Descriptions = map[string]string{}
			}
			rs.Descriptions[sc.ScopeName] = sc.ScopeDescription
		}
	}
	return rs, nil
}

// poolResourceServer decodes an input naming a pool and one of its
// resource servers, and finds both.
func (s *Server) poolResourceServer(c *call, in *resourceServerInput) (*pool, *resourceServer, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, nil, err
	}
	if err := required("identifier", in.Identifier); err != nil {
		return nil, nil, err
	}
	rs, ok := p.hosted().ResourceServers[in.Identifier]
	if !ok {
		return nil, nil, errorf("ResourceNotFoundException", "Resource server %s does not exist.", in.Identifier)
	}
	return p, rs, nil
}

// UpdateResourceServer replaces the name and the scopes: scopes left out
// are removed ("if you don't provide a value for an attribute, it is set
// to the default value").
func opUpdateResourceServer(s *Server, c *call) (any, error) {
	var in resourceServerInput
	p, old, err := s.poolResourceServer(c, &in)
	if err != nil {
		return nil, err
	}
	if err := required("name", in.Name); err != nil {
		return nil, err
	}
	rs, err := newResourceServer(&in)
	if err != nil {
		return nil, err
	}
	var gone []string
	for _, sc := range old.Scopes {
		if !slices.Contains(rs.Scopes, sc) {
			gone = append(gone, sc)
		}
	}
	p.dropClientScopes(rs.Identifier, gone)
	p.hosted().ResourceServers[rs.Identifier] = rs
	return map[string]any{"ResourceServer": resourceServerWire(p.ID, rs)}, nil
}

func opDeleteResourceServer(s *Server, c *call) (any, error) {
	var in resourceServerInput
	p, rs, err := s.poolResourceServer(c, &in)
	if err != nil {
		return nil, err
	}
	p.dropClientScopes(rs.Identifier, rs.Scopes)
	delete(p.hosted().ResourceServers, rs.Identifier)
	return map[string]any{}, nil
}

type listResourceServersInput struct {
	UserPoolId string `json:"UserPoolId"`
	MaxResults int32  `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

func (in *listResourceServersInput) poolID() string { return in.UserPoolId }

// ListResourceServers pages the pool's resource servers by identifier,
// at most 50 a page (MaxResults; 50 when left out).
func opListResourceServers(s *Server, c *call) (any, error) {
	var in listResourceServersInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	ids := sortedKeys(p.hosted().ResourceServers)
	start, end, next, err := page(len(ids), in.MaxResults, in.NextToken, maxResourceServerPage)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, end-start)
	for _, id := range ids[start:end] {
		out = append(out, resourceServerWire(p.ID, p.hosted().ResourceServers[id]))
	}
	res := map[string]any{"ResourceServers": out}
	if next != "" {
		res["NextToken"] = next
	}
	return res, nil
}

// dropClientScopes takes the scopes "identifier/name" of each name out of
// the AllowedOAuthScopes of p's app clients.
func (p *pool) dropClientScopes(identifier string, names []string) {
	if len(names) == 0 {
		return
	}
	full := make([]string, len(names))
	for i, n := range names {
		full[i] = identifier + "/" + n
	}
	for _, cl := range p.Clients {
		cl.AllowedOAuthScopes = slices.DeleteFunc(cl.AllowedOAuthScopes, func(sc string) bool { return slices.Contains(full, sc) })
	}
}
