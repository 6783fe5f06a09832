package userpool

import (
	"net/url"
	"slices"
)

// Terms documents (CreateTerms, DescribeTerms, ListTerms, UpdateTerms,
// DeleteTerms): the links to an app client's terms of use and privacy
// policy, per language, that managed login shows on its sign-up page.
// A client has at most one document of each name.

// termsDoc is one TermsType.
type termsDoc struct {
	ID          string            `json:"id"`
	ClientID    string            `json:"clientId"`
	Name        string            `json:"name"`
	Source      string            `json:"source"`
	Enforcement string            `json:"enforcement"`
	Links       map[string]string `json:"links"`
	stamp
}

type termsInput struct {
	UserPoolId  string            `json:"UserPoolId"`
	ClientId    string            `json:"ClientId"`
	TermsId     string            `json:"TermsId"`
	TermsName   string            `json:"TermsName"`
	TermsSource string            `json:"TermsSource"`
	Enforcement string            `json:"Enforcement"`
	Links       map[string]string `json:"Links"`
	MaxResults  int32             `json:"MaxResults"`
	NextToken   string            `json:"NextToken"`
}

func (in *termsInput) poolID() string { return in.UserPoolId }

func termsWire(p *pool, t *termsDoc) map[string]any {
	return map[string]any{"TermsId": t.ID, "UserPoolId": p.ID, "ClientId": t.ClientID, "TermsName": t.Name,
		"TermsSource": t.Source, "Enforcement": t.Enforcement, "Links": t.Links,
		"CreationDate": ep(t.Created), "LastModifiedDate": ep(t.Modified)}
}

// liveTerms drops the terms of deleted app clients and returns the rest.
func (p *pool) liveTerms() []termsDoc {
	if p.Extras == nil {
		return nil
	}
	p.Extras.Terms = dropWhere(p.Extras.Terms, func(t *termsDoc) bool { return p.clientGone(t.ClientID) })
	return p.Extras.Terms
}

// findTerms returns the index of the terms with ID id, or an error.
func (p *pool) findTerms(id string) (int, error) {
	if id == "" {
		return 0, required("termsId", "")
	}
	i := slices.IndexFunc(p.liveTerms(), func(t termsDoc) bool { return t.ID == id })
	if i < 0 {
		return 0, errorf("ResourceNotFoundException", "Terms %s does not exist in user pool %s.", id, p.ID)
	}
	return i, nil
}

// checkLinks refuses an empty Links map and links that are not absolute
// http(s) URLs (the model checks the languages).
func checkLinks(links map[string]string) error {
	if len(links) == 0 {
		return errInvalidParam("Links must have at least one entry, for example cognito:default.")
	}
	for lang, l := range links {
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errInvalidParam("The link for %s is not a valid URL: %s", lang, l)
		}
	}
	return nil
}

// termsClash refuses a second document of the same name for a client.
func (p *pool) termsClash(clientID, name, except string) error {
	for _, t := range p.liveTerms() {
		if t.ClientID == clientID && t.Name == name && t.ID != except {
			return errorf("TermsExistsException", "Terms %s already exist for app client %s.", name, clientID)
		}
	}
	return nil
}

func opCreateTerms(s *Server, c *call) (any, error) {
	var in termsInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if _, err := s.client(p, in.ClientId); err != nil {
		return nil, err
	}
	if err := checkLinks(in.Links); err != nil {
		return nil, err
	}
	if err := p.termsClash(in.ClientId, in.TermsName, ""); err != nil {
		return nil, err
	}
	t := termsDoc{ID: s.uuid(), ClientID: in.ClientId, Name: in.TermsName, Source: in.TermsSource,
		Enforcement: in.Enforcement, Links: in.Links, stamp: newStamp(c.now)}
	p.ext().Terms = append(p.ext().Terms, t)
	return map[string]any{"Terms": termsWire(p, &t)}, nil
}

// poolTerms decodes an input naming a pool and a terms ID and finds both.
func (s *Server) poolTerms(c *call, in *termsInput) (*pool, int, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, 0, err
	}
	i, err := p.findTerms(in.TermsId)
	return p, i, err
}

func opDescribeTerms(s *Server, c *call) (any, error) {
	var in termsInput
	p, i, err := s.poolTerms(c, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Terms": termsWire(p, &p.Extras.Terms[i])}, nil
}

func opUpdateTerms(s *Server, c *call) (any, error) {
	var in termsInput
	p, i, err := s.poolTerms(c, &in)
	if err != nil {
		return nil, err
	}
	t := p.Extras.Terms[i]
	if in.TermsName != "" {
		if err := p.termsClash(t.ClientID, in.TermsName, t.ID); err != nil {
			return nil, err
		}
		t.Name = in.TermsName
	}
	if in.Links != nil {
		if err := checkLinks(in.Links); err != nil {
			return nil, err
		}
		t.Links = in.Links
	}
	if in.TermsSource != "" {
		t.Source = in.TermsSource
	}
	if in.Enforcement != "" {
		t.Enforcement = in.Enforcement
	}
	t.Modified = c.now
	p.Extras.Terms[i] = t
	return map[string]any{"Terms": termsWire(p, &t)}, nil
}

func opDeleteTerms(s *Server, c *call) (any, error) {
	var in termsInput
	p, i, err := s.poolTerms(c, &in)
	if err != nil {
		return nil, err
	}
	p.Extras.Terms = slices.Delete(p.Extras.Terms, i, i+1)
	return nil, nil
}

func opListTerms(s *Server, c *call) (any, error) {
	var in termsInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	items := slices.Clone(p.liveTerms())
	slices.SortStableFunc(items, func(a, b termsDoc) int { return a.Created.Compare(b.Created) })
	return listPage(items, in.MaxResults, in.NextToken, "Terms", "NextToken", func(t termsDoc) any {
		return map[string]any{"TermsId": t.ID, "TermsName": t.Name, "Enforcement": t.Enforcement,
			"CreationDate": ep(t.Created), "LastModifiedDate": ep(t.Modified)}
	})
}

func init() {
	registerTarget(idpTarget, map[string]op{
		"CreateTerms":   {fn: opCreateTerms},
		"DescribeTerms": {fn: opDescribeTerms, readOnly: true},
		"UpdateTerms":   {fn: opUpdateTerms},
		"DeleteTerms":   {fn: opDeleteTerms},
		"ListTerms":     {fn: opListTerms, readOnly: true},
	})
}
