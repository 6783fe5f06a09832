package userpool

import (
	"encoding/json"
	"strings"
	"time"
)

// Account linking, as Cognito's AdminLinkProviderForUser and
// AdminDisableProviderForUser: a provider identity (ProviderName +
// Cognito_Subject) linked to an existing user signs in as that user; the
// user's identities attribute lists the link.

func init() {
	registerTarget(idpTarget, map[string]op{
		"AdminLinkProviderForUser":    {fn: opAdminLinkProviderForUser},
		"AdminDisableProviderForUser": {fn: opAdminDisableProviderForUser},
	})
}

// MaxLinkedProviders is how many provider identities Cognito links to one
// user.
const MaxLinkedProviders = 5

// subjectAttrName is the ProviderAttributeName that names a provider
// identity by its subject.
const subjectAttrName = "Cognito_Subject"

// idpLink is a provider identity linked to an existing user.
type idpLink struct {
	Provider string    `json:"provider"`
	Subject  string    `json:"subject"`
	Username string    `json:"username"`
	Sub      string    `json:"sub"`
	Created  time.Time `json:"created"`
}

// linkKey is the key of a link in hostedState.Links.
func linkKey(provider, subject string) string { return provider + "\x00" + subject }

// providerUser is Cognito's ProviderUserIdentifierType.
type providerUser struct {
	ProviderName           string `json:"ProviderName"`
	ProviderAttributeName  string `json:"ProviderAttributeName"`
	ProviderAttributeValue string `json:"ProviderAttributeValue"`
}

type linkInput struct {
	UserPoolId      string        `json:"UserPoolId"`
	DestinationUser *providerUser `json:"DestinationUser"`
	SourceUser      *providerUser `json:"SourceUser"`
	User            *providerUser `json:"User"`
}

func (in *linkInput) poolID() string { return in.UserPoolId }

// sourceIdP validates a source (or disabled) provider user: a configured
// provider, named by Cognito_Subject.
func sourceIdP(p *pool, pu *providerUser, field string) (*identityProvider, error) {
	if pu == nil || pu.ProviderName == "" || pu.ProviderAttributeValue == "" {
		return nil, errInvalidParam("%s needs ProviderName and ProviderAttributeValue", field)
	}
	idp, ok := p.hosted().IdPs[pu.ProviderName]
	if !ok {
		return nil, errInvalidParam("%s: identity provider %s does not exist in the user pool", field, pu.ProviderName)
	}
	if n := pu.ProviderAttributeName; n != subjectAttrName {
		return nil, errInvalidParam("%s: ProviderAttributeName must be %s", field, subjectAttrName)
	}
	return idp, nil
}

func opAdminLinkProviderForUser(s *Server, c *call) (any, error) {
	var in linkInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	d := in.DestinationUser
	if d == nil || d.ProviderName == "" || d.ProviderAttributeValue == "" {
		return nil, errInvalidParam("DestinationUser needs ProviderName and ProviderAttributeValue")
	}
	if in.SourceUser == nil {
		return nil, errInvalidParam("SourceUser is required")
	}
	idp, err := sourceIdP(p, in.SourceUser, "SourceUser")
	if err != nil {
		return nil, err
	}
	// The destination is a user of the pool: a native user by username
	// (ProviderName Cognito), or a provider's user by its subject.
	destName := d.ProviderAttributeValue
	if !strings.EqualFold(d.ProviderName, "Cognito") {
		if _, ok := p.hosted().IdPs[d.ProviderName]; !ok {
			return nil, errInvalidParam("DestinationUser: identity provider %s does not exist in the user pool", d.ProviderName)
		}
		destName = d.ProviderName + "_" + d.ProviderAttributeValue
	}
	dest := p.findUser(destName)
	if dest == nil {
		return nil, errUserNotFound
	}
	subject := in.SourceUser.ProviderAttributeValue
	if src := p.Users[p.key(idp.Name+"_"+subject)]; src != nil {
		if src == dest {
			return nil, errInvalidParam("SourceUser and DestinationUser are the same user")
		}
		return nil, errInvalidParam("Merging is not currently supported, provide a SourceUser that has not been signed up in order to link")
	}
	h := p.hosted()
	key := linkKey(idp.Name, subject)
	if ln, ok := h.Links[key]; ok {
		if ln.Sub == dest.Sub {
			return map[string]any{}, nil // linked already
		}
		return nil, errorf("AliasExistsException", "%s user %s is already linked to another user.", idp.Name, subject)
	}
	n := 0
	for _, ln := range h.Links {
		if ln.Sub == dest.Sub {
			n++
		}
	}
	if n >= MaxLinkedProviders {
		return nil, errorf("LimitExceededException", "A user can be linked to at most %d provider identities.", MaxLinkedProviders)
	}
	h.Links[key] = &idpLink{Provider: idp.Name, Subject: subject, Username: dest.Username, Sub: dest.Sub, Created: c.now}
	dest.Attrs["identities"] = p.linkedIdentities(dest)
	dest.Modified = c.now
	return map[string]any{}, nil
}

// linkedIdentities is the identities attribute of a user: its own
// provider identity, if any, then its links, oldest first.
func (p *pool) linkedIdentities(u *user) string {
	var list []map[string]any
	if u.Status == "EXTERNAL_PROVIDER" {
		var own []map[string]any
		if json.Unmarshal([]byte(u.Attrs["identities"]), &own) == nil && len(own) > 0 {
			list = append(list, own[0])
		}
	}
	var links []*idpLink
	for _, ln := range p.hosted().Links {
		if ln.Sub == u.Sub {
			links = append(links, ln)
		}
	}
	sortLinks(links)
	for _, ln := range links {
		if idp := p.hosted().IdPs[ln.Provider]; idp != nil {
			list = append(list, identityJSON(idp, ln.Subject, "false", ln.Created))
		}
	}
	if len(list) == 0 {
		return ""
	}
	b, _ := json.Marshal(list)
	return string(b)
}

func sortLinks(l []*idpLink) {
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && (l[j].Created.Before(l[j-1].Created) ||
			(l[j].Created.Equal(l[j-1].Created) && linkKey(l[j].Provider, l[j].Subject) < linkKey(l[j-1].Provider, l[j-1].Subject))); j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
}

func opAdminDisableProviderForUser(s *Server, c *call) (any, error) {
	var in linkInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if in.User != nil && strings.EqualFold(in.User.ProviderName, "Cognito") {
		return nil, errInvalidParam("disabling a native user's password sign-in is not emulated; use AdminDisableUser")
	}
	idp, err := sourceIdP(p, in.User, "User")
	if err != nil {
		return nil, err
	}
	subject := in.User.ProviderAttributeValue
	h := p.hosted()
	found := false
	if ln, ok := h.Links[linkKey(idp.Name, subject)]; ok {
		found = true
		delete(h.Links, linkKey(idp.Name, subject))
		if dest := p.sameUser(ln.Username, ln.Sub); dest != nil {
			if v := p.linkedIdentities(dest); v != "" {
				dest.Attrs["identities"] = v
			} else {
				delete(dest.Attrs, "identities")
			}
			dest.Modified = c.now
		}
	}
	if u := p.Users[p.key(idp.Name+"_"+subject)]; u != nil && u.Status == "EXTERNAL_PROVIDER" {
		found = true
		s.deleteUser(p, u, c.now)
	}
	if !found {
		return nil, errUserNotFound
	}
	return map[string]any{}, nil
}

// LinkProviderForUser links the identity subject of providerName (its
// sub, user_id or SAML NameID) to the existing user username, as
// AdminLinkProviderForUser does with a Cognito destination user.
func (s *Server) LinkProviderForUser(poolID, username, providerName, subject string) error {
	return s.runOp(opAdminLinkProviderForUser, map[string]any{"UserPoolId": poolID,
		"DestinationUser": providerUser{ProviderName: "Cognito", ProviderAttributeValue: username},
		"SourceUser":      providerUser{ProviderName: providerName, ProviderAttributeName: subjectAttrName, ProviderAttributeValue: subject}})
}

// DisableProviderForUser removes the link of providerName's identity
// subject and deletes the provider's user of that identity, as
// AdminDisableProviderForUser does.
func (s *Server) DisableProviderForUser(poolID, providerName, subject string) error {
	return s.runOp(opAdminDisableProviderForUser, map[string]any{"UserPoolId": poolID,
		"User": providerUser{ProviderName: providerName, ProviderAttributeName: subjectAttrName, ProviderAttributeValue: subject}})
}

// runOp runs an operation from Go with in as its JSON input, saving the
// state when it succeeds.
func (s *Server) runOp(fn func(*Server, *call) (any, error), in any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return s.mutate(func() error {
		_, err := fn(s, &call{body: body, now: s.now()})
		return err
	})
}
