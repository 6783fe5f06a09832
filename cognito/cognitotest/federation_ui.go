package cognitotest

import (
	"html"
	"net/url"
	"regexp"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

// ProviderUser is who signs in at one of the emulator's fake identity
// providers (Google, Sign in with Apple, Login with Amazon, an OIDC
// provider, a SAML IdP), as typed on its consent or login page.
type ProviderUser struct {
	// Subject is the provider's user ID: the OIDC sub, the Amazon
	// user_id, or the SAML NameID (a user the fake IdP knows). Required.
	Subject string
	// Email and EmailVerified are the OIDC and Amazon e-mail claims.
	Email         string
	EmailVerified bool
	// GivenName and FamilyName make up the name (Amazon: Name).
	GivenName  string
	FamilyName string
	Name       string
	// HideEmail asks Sign in with Apple for a private relay address.
	HideEmail bool
	// Deny cancels at the provider instead of consenting.
	Deny bool
}

// HostedProviderSignIn drives a sign-in through the hosted UI and one of
// the fake identity providers as a browser would: it opens authorizeURL
// (naming identity_provider or idp_identifier, or showing the provider's
// button), answers the provider's consent or login page as user, follows
// form_post and SAML HTTP-POST pages, and returns the URL the browser is
// finally sent to (the app's redirect URI with code and state, or with
// error). For tests and examples.
func (s *Server) HostedProviderSignIn(authorizeURL, providerName string, user ProviderUser) (callbackURL string, err error) {
	button := regexp.MustCompile(`id="` + regexp.QuoteMeta(strings.ToLower(providerName)) + `-button" href="([^"]+)"`)
	allow := func(field string) string {
		if user.Deny {
			return "deny"
		}
		return field
	}
	return s.drive(authorizeURL, func(body string) (url.Values, error) {
		switch {
		case strings.Contains(body, `id="oidc-allow"`):
			v := url.Values{"sub": {user.Subject}, "email": {user.Email}, "given_name": {user.GivenName},
				"family_name": {user.FamilyName}, "action": {allow("allow")}}
			if user.EmailVerified {
				v.Set("email_verified", "true")
			} else {
				v.Set("email_verified", "false")
			}
			if user.HideEmail {
				v.Set("hide_email", "true")
			}
			return v, nil
		case strings.Contains(body, `id="lwa-allow"`):
			name := user.Name
			if name == "" {
				name = strings.TrimSpace(user.GivenName + " " + user.FamilyName)
			}
			return url.Values{"user_id": {user.Subject}, "name": {name}, "email": {user.Email}, "postal_code": {""},
				"action": {allow("allow")}}, nil
		case strings.Contains(body, `id="saml-signin"`):
			if strings.Contains(body, `id="saml-error"`) {
				return nil, pageError(body)
			}
			return url.Values{"username": {user.Subject}, "fakesaml_action": {allow("allow")}}, nil
		case autoPostRe.MatchString(body):
			return url.Values{}, nil // form_post or a SAML Response: submit as is
		}
		if m := button.FindStringSubmatch(body); m != nil {
			return url.Values{"_link": {html.UnescapeString(m[1])}}, nil
		}
		return nil, pageError(body)
	})
}

// MustHostedProviderSignIn is HostedProviderSignIn for tests and examples:
// it panics on error.
func (s *Server) MustHostedProviderSignIn(authorizeURL, providerName string, user ProviderUser) (callbackURL string) {
	return must(s.HostedProviderSignIn(authorizeURL, providerName, user))
}

// autoPostRe recognises a page that posts itself (an OAuth form_post or
// a SAML HTTP-POST binding page).
var autoPostRe = regexp.MustCompile(`onload="document\.forms\[0\]\.submit\(\)"|id="SAMLResponseForm"`)

// LinkProviderForUser links the identity subject of the pool's provider
// providerName (its sub, user_id or SAML NameID; Cognito_Subject) to the
// existing user username, as AdminLinkProviderForUser does: that
// provider's sign-ins then sign in as username. It fails as Cognito does
// when the provider's user already exists in the pool.
func (s *Server) LinkProviderForUser(poolID, username, providerName, subject string) error {
	return wrap(s.up.LinkProviderForUser(poolID, username, providerName, subject))
}

// MustLinkProviderForUser is LinkProviderForUser for tests and examples:
// it panics on error.
func (s *Server) MustLinkProviderForUser(poolID, username, providerName, subject string) {
	mustDo(s.LinkProviderForUser(poolID, username, providerName, subject))
}

// DisableProviderForUser removes the link of a provider identity and
// deletes that provider's user, as AdminDisableProviderForUser does.
func (s *Server) DisableProviderForUser(poolID, providerName, subject string) error {
	return wrap(s.up.DisableProviderForUser(poolID, providerName, subject))
}

// MustDisableProviderForUser is DisableProviderForUser for tests and
// examples: it panics on error.
func (s *Server) MustDisableProviderForUser(poolID, providerName, subject string) {
	mustDo(s.DisableProviderForUser(poolID, providerName, subject))
}

// SAMLEntityID returns a user pool's SAML service-provider entity ID,
// "urn:amazon:cognito:sp:<poolId>", which a SAML IdP must name as the
// audience.
func SAMLEntityID(poolID string) string { return userpool.SAMLEntityID(poolID) }

// SAMLACSURL returns the hosted UI's SAML assertion consumer service URL,
// <hosted UI>/saml2/idpresponse.
func (s *Server) SAMLACSURL() string { return s.url() + "/saml2/idpresponse" }

// ProviderGroup returns the group Cognito puts users of a pool's identity
// provider in: "<poolId>_<ProviderName>".
func ProviderGroup(poolID, providerName string) string {
	return userpool.ProviderGroup(poolID, providerName)
}
