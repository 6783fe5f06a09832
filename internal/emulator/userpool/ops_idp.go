package userpool

import (
	"maps"
	"slices"
)

// UpdateIdentityProvider and GetIdentityProviderByIdentifier, as Cognito
// has them. An update takes effect at the next hosted-UI sign-in through
// the provider: the hosted UI reads the provider at each /oauth2/authorize,
// tells a FederationRegistrar of it again before each sign-in, and builds
// a new SAML service provider when the metadata changed.

func init() {
	registerTarget(idpTarget, map[string]op{
		"UpdateIdentityProvider":          {fn: opUpdateIdentityProvider},
		"GetIdentityProviderByIdentifier": {fn: opGetIdentityProviderByIdentifier, readOnly: true},
	})
}

// describeOnlyDetails are ProviderDetails that Cognito fills in its
// answers and ignores in an update (Terraform sends back what it read).
var describeOnlyDetails = []string{"attributes_url_add_attributes", "ActiveEncryptionCertificate",
	"SLORedirectBindingURI", "SSORedirectBindingURI"}

// idpDates adds a provider's CreationDate and LastModifiedDate to its
// IdentityProviderType m, when it has them.
func idpDates(m map[string]any, idp *identityProvider) {
	if !idp.Created.IsZero() {
		m["CreationDate"] = ep(idp.Created)
	}
	if !idp.Modified.IsZero() {
		m["LastModifiedDate"] = ep(idp.Modified)
	}
}

// UpdateIdentityProvider merges the ProviderDetails it is given into the
// provider's (a key given replaces the stored value, an empty value
// removes it, a key left out stays; a SAML provider's MetadataURL replaces
// its MetadataFile and the other way round), replaces the attribute
// mapping and the IdP identifiers when given, and validates the result as
// CreateIdentityProvider does. A refused update changes nothing.
func opUpdateIdentityProvider(s *Server, c *call) (any, error) {
	var in idpInput
	p, old, err := s.poolIdP(c, &in)
	if err != nil {
		return nil, err
	}
	d := maps.Clone(old.Details)
	if d == nil {
		d = map[string]string{}
	}
	if old.Type != typeSAML {
		d["client_id"], d["authorize_scopes"] = old.AppID, old.AuthorizeScopes
		if old.AppSecret != "" {
			d["client_secret"] = old.AppSecret
		}
	}
	for _, k := range sortedKeys(in.ProviderDetails) {
		v := in.ProviderDetails[k]
		if _, filled := providerEndpoints[old.Type][k]; filled || slices.Contains(describeOnlyDetails, k) {
			continue
		}
		if v == "" {
			delete(d, k)
			continue
		}
		d[k] = v
		switch k {
		case "MetadataURL":
			delete(d, "MetadataFile")
		case "MetadataFile":
			delete(d, "MetadataURL")
		}
	}
	mapping := in.AttributeMapping
	if mapping == nil {
		mapping = maps.Clone(old.AttributeMapping)
		if mapping == nil {
			mapping = map[string]string{}
		}
	}
	ids := in.IdpIdentifiers
	if ids == nil {
		ids = old.Identifiers
	}
	o := IdentityProviderOptions{Name: old.Name, Type: old.Type, AttributeMapping: mapping, IdpIdentifiers: ids, Details: d}
	idp, err := s.putIdPLocked(p, o, true)
	if errCode(err) == "DuplicateProviderException" {
		// Not an error UpdateIdentityProvider declares: an IdP identifier
		// of another provider is a bad parameter here.
		return nil, errInvalidParam("%s", apiMessage(err))
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"IdentityProvider": idpWire(p.ID, idp)}, nil
}

type idpIdentifierInput struct {
	UserPoolId    string `json:"UserPoolId"`
	IdpIdentifier string `json:"IdpIdentifier"`
}

func (in *idpIdentifierInput) poolID() string { return in.UserPoolId }

// GetIdentityProviderByIdentifier finds the provider that has an IdP
// identifier (compared without regard to case, as /oauth2/authorize's
// idp_identifier is).
func opGetIdentityProviderByIdentifier(s *Server, c *call) (any, error) {
	var in idpIdentifierInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if err := required("idpIdentifier", in.IdpIdentifier); err != nil {
		return nil, err
	}
	idp := p.hosted().idpByIdentifier(in.IdpIdentifier)
	if idp == nil {
		return nil, errorf("ResourceNotFoundException", "Identity provider with identifier %s does not exist.", in.IdpIdentifier)
	}
	return map[string]any{"IdentityProvider": idpWire(p.ID, idp)}, nil
}
