package userpool

import (
	"net/url"
	"slices"
	"strings"
)

// Identity-provider configuration: CreateIdentityProvider's types and
// ProviderDetails as Cognito defines them, validated and stored.

// Provider types.
const (
	typeFacebook = "Facebook"
	typeGoogle   = "Google"
	typeApple    = "SignInWithApple"
	typeAmazon   = "LoginWithAmazon"
	typeOIDC     = "OIDC"
	typeSAML     = "SAML"
)

// defaultScopes are the authorize_scopes a type gets when none are given.
var defaultScopes = map[string]string{
	typeFacebook: "public_profile,email",
	typeGoogle:   "openid email profile",
	typeApple:    "email name",
	typeAmazon:   "profile",
	typeOIDC:     "openid",
}

// subjectAttr is the provider attribute a type's usernames are made of
// (<ProviderName>_<subject>): what Cognito maps "username" to.
var subjectAttr = map[string]string{
	typeFacebook: "id", typeGoogle: "sub", typeApple: "sub", typeAmazon: "user_id", typeOIDC: "sub", typeSAML: samlNameID,
}

// samlNameID names a SAML assertion's subject in attribute mappings.
const samlNameID = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"

// samlEmail is the e-mail attribute of Microsoft Entra ID and ADFS.
const samlEmail = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"

// defaultMapping is a type's attribute mapping when none is configured;
// entries naming an attribute the pool lacks are dropped.
func defaultMapping(typ string) map[string]string {
	switch typ {
	case typeFacebook, typeAmazon:
		return map[string]string{"email": "email", "name": "name"}
	case typeGoogle, typeOIDC, typeApple:
		return map[string]string{"email": "email", "email_verified": "email_verified", "name": "name"}
	case typeSAML:
		return map[string]string{"email": samlEmail}
	}
	return nil
}

// facebookFields are the fake Facebook's profile fields.
var facebookFields = []string{"id", "name", "email"}

// putIdPLocked validates and stores an identity provider (s.mu held).
func (s *Server) putIdPLocked(p *pool, o IdentityProviderOptions, replace bool) (*identityProvider, error) {
	if _, ok := subjectAttr[o.Type]; !ok {
		return nil, errInvalidParam("identity provider type %q is not supported (Facebook, Google, SignInWithApple, LoginWithAmazon, OIDC, SAML)", o.Type)
	}
	if o.Name == "" {
		o.Name = o.Type
	}
	if !idpNameRe.MatchString(o.Name) || o.Name == "COGNITO" || strings.EqualFold(o.Name, "Cognito") {
		return nil, errInvalidParam("invalid identity provider name %q", o.Name)
	}
	if _, dup := p.hosted().IdPs[o.Name]; dup && !replace {
		return nil, errorf("DuplicateProviderException", "A provider with the name %s already exists in this user pool.", o.Name)
	}
	d := map[string]string{}
	for k, v := range o.Details {
		d[k] = v
	}
	for k, v := range map[string]string{"client_id": o.AppID, "client_secret": o.AppSecret, "authorize_scopes": o.AuthorizeScopes} {
		if v != "" {
			d[k] = v
		}
	}
	if err := checkDetails(o.Type, o.Name, d); err != nil {
		return nil, err
	}
	for _, id := range o.IdpIdentifiers {
		if id == "" || len(id) > 40 || strings.ContainsAny(id, " \t\r\n") {
			return nil, errInvalidParam("invalid IdpIdentifier %q", id)
		}
		for n, other := range p.hosted().IdPs {
			if n != o.Name && slices.ContainsFunc(other.Identifiers, func(x string) bool { return strings.EqualFold(x, id) }) {
				return nil, errorf("DuplicateProviderException", "The IdpIdentifier %s is already used by provider %s.", id, n)
			}
		}
	}
	mapping := o.AttributeMapping
	explicit := mapping != nil
	if !explicit {
		mapping = defaultMapping(o.Type)
	}
	idp := &identityProvider{Name: o.Name, Type: o.Type, AppID: d["client_id"], AppSecret: d["client_secret"],
		AuthorizeScopes: d["authorize_scopes"], AttributeMapping: map[string]string{},
		Identifiers: slices.Clone(o.IdpIdentifiers)}
	delete(d, "client_id")
	delete(d, "client_secret")
	delete(d, "authorize_scopes")
	if len(d) > 0 {
		idp.Details = d
	}
	for attr, field := range mapping {
		if attr == "username" {
			continue
		}
		if sa := p.schemaAttr(attr); sa == nil || attr == "sub" || attr == "identities" {
			if !explicit {
				continue
			}
			return nil, errInvalidParam("attribute mapping: %q is not an attribute of pool %s", attr, p.ID)
		}
		switch {
		case field == "" || len(field) > 256:
			return nil, errInvalidParam("attribute mapping: invalid provider attribute %q for %s", field, attr)
		case o.Type == typeFacebook && !slices.Contains(facebookFields, field):
			return nil, errInvalidParam("attribute mapping: the fake Facebook has no field %q (id, name, email)", field)
		}
		idp.AttributeMapping[attr] = field
	}
	idp.Created, idp.Modified = s.now(), s.now()
	if prev := p.hosted().IdPs[o.Name]; prev != nil && !prev.Created.IsZero() {
		idp.Created = prev.Created // replaced: created when it first was
	}
	p.hosted().IdPs[o.Name] = idp
	return idp, nil
}

// checkDetails validates a type's ProviderDetails (client ID and secret
// included) and fills their defaults.
func checkDetails(typ, name string, d map[string]string) error {
	need := func(keys ...string) error {
		for _, k := range keys {
			if strings.TrimSpace(d[k]) == "" {
				return errInvalidParam("identity provider %s of type %s needs ProviderDetails %s", name, typ, k)
			}
		}
		return nil
	}
	if typ != typeSAML && d["authorize_scopes"] == "" {
		d["authorize_scopes"] = defaultScopes[typ]
	}
	switch typ {
	case typeFacebook:
		return need("client_id")
	case typeGoogle, typeAmazon:
		return need("client_id", "client_secret")
	case typeApple:
		if err := need("client_id", "team_id", "key_id", "private_key"); err != nil {
			return err
		}
		if _, err := parseAppleKey(d["private_key"]); err != nil {
			return errInvalidParam("identity provider %s: %v", name, err)
		}
	case typeOIDC:
		if err := need("client_id", "oidc_issuer"); err != nil {
			return err
		}
		if u, err := url.Parse(d["oidc_issuer"]); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errInvalidParam("identity provider %s: oidc_issuer must be an absolute https URL", name)
		}
		if !hasScope(d["authorize_scopes"], "openid") {
			return errInvalidParam("identity provider %s: authorize_scopes must include openid", name)
		}
		switch m := orDefault(d["attributes_request_method"], "GET"); m {
		case "GET", "POST":
			d["attributes_request_method"] = m
		default:
			return errInvalidParam("identity provider %s: attributes_request_method must be GET or POST", name)
		}
	case typeSAML:
		switch {
		case d["MetadataURL"] == "" && d["MetadataFile"] == "":
			return errInvalidParam("identity provider %s of type SAML needs ProviderDetails MetadataURL or MetadataFile", name)
		case d["MetadataURL"] != "" && d["MetadataFile"] != "":
			return errInvalidParam("identity provider %s: give MetadataURL or MetadataFile, not both", name)
		}
		for _, k := range []string{"IDPSignout", "IDPInit", "EncryptedResponses"} {
			if v := d[k]; v != "" && v != "true" && v != "false" {
				return errInvalidParam("identity provider %s: %s must be true or false", name, k)
			}
		}
		if v := d["RequestSigningAlgorithm"]; v != "" && v != "rsa-sha256" {
			return errInvalidParam("identity provider %s: RequestSigningAlgorithm must be rsa-sha256", name)
		}
		if d["EncryptedResponses"] == "true" {
			return errInvalidParam("identity provider %s: encrypted SAML responses are not emulated", name)
		}
	}
	return nil
}

// idpByIdentifier finds the provider an idp_identifier names.
func (h *hostedState) idpByIdentifier(id string) *identityProvider {
	for _, idp := range h.IdPs {
		if slices.ContainsFunc(idp.Identifiers, func(x string) bool { return strings.EqualFold(x, id) }) {
			return idp
		}
	}
	return nil
}

// providerEndpoints are the endpoints Cognito fills in a type's
// ProviderDetails (the real providers'; the emulator's fakes stand in).
var providerEndpoints = map[string]map[string]string{
	typeFacebook: {"authorize_url": "https://www.facebook.com/v17.0/dialog/oauth",
		"token_url": "https://graph.facebook.com/v17.0/oauth/access_token"},
	typeGoogle: {"authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
		"token_url": "https://www.googleapis.com/oauth2/v4/token", "oidc_issuer": "https://accounts.google.com"},
	typeApple: {"authorize_url": "https://appleid.apple.com/auth/authorize",
		"token_url": "https://appleid.apple.com/auth/token", "oidc_issuer": "https://appleid.apple.com"},
	typeAmazon: {"authorize_url": "https://www.amazon.com/ap/oa",
		"token_url": "https://api.amazon.com/auth/o2/token", "attributes_url": "https://api.amazon.com/user/profile"},
}

// wireDetails is a provider's ProviderDetails as Cognito echoes them:
// the secrets left out, the endpoints Cognito fills in.
func (idp *identityProvider) wireDetails() map[string]string {
	out := map[string]string{}
	for k, v := range idp.Details {
		if k == "private_key" {
			continue
		}
		out[k] = v
	}
	if idp.Type != typeSAML {
		out["client_id"] = idp.AppID
		out["authorize_scopes"] = idp.AuthorizeScopes
	}
	for k, v := range providerEndpoints[idp.Type] {
		out[k] = v
	}
	return out
}
