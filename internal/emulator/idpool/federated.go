package idpool

import (
	"errors"
	"strings"
)

// Logins keys of the social providers Cognito federates with besides
// Facebook and user pools.
const (
	GoogleProvider  = "accounts.google.com"
	AppleProvider   = "appleid.apple.com"
	AmazonProvider  = "www.amazon.com"
	TwitterProvider = "api.twitter.com"
)

// Errors a LoginVerifier wraps, which decide the NotAuthorizedException
// message Cognito answers: "Invalid login token. Token expired.",
// "Invalid login token. Incorrect token audience." or, for anything else,
// "Invalid login token. Couldn't verify signed token.".
var (
	ErrInvalidLogin  = errors.New("idpool: invalid login token")
	ErrExpiredLogin  = errors.New("idpool: login token expired")
	ErrWrongAudience = errors.New("idpool: incorrect token audience")
)

// FederatedLogin is what a LoginVerifier learned of a valid login.
type FederatedLogin struct {
	// Subject is who the provider says this is (an ID token's sub, the
	// Amazon user_id, the Twitter user ID, the SAML NameID): the identity
	// the login links.
	Subject string
	// Audience is the trusted client or app the login was issued to.
	Audience string
	// Roles are the role/provider ARN pairs of a SAML assertion's Role
	// attribute, "roleARN,providerARN" (either order) as sent.
	Roles []string
	// Claims are the provider's claims or attributes, which role-mapping
	// rules match.
	Claims map[string]any
}

// LoginVerifier checks one kind of Logins value for a pool that trusts
// the given clients or apps: for Google and Apple the client IDs (the
// SupportedLoginProviders value, split on commas), for an OIDC provider its
// IAM client ID list, for Amazon the app ID, for Twitter
// "consumerKey;consumerSecret", for SAML nothing. Refusals wrap
// ErrInvalidLogin, ErrExpiredLogin or ErrWrongAudience.
type LoginVerifier interface {
	VerifyLogin(login string, trusted []string) (FederatedLogin, error)
}

// Providers is what the service needs of the identity providers it does not
// run itself: the fake social providers, and the registry of IAM OpenID
// Connect and SAML providers (the host's, until IAM is emulated). It is
// called with the service's lock held and must not call back into it.
type Providers interface {
	// Social returns the verifier of GoogleProvider, AppleProvider,
	// AmazonProvider or TwitterProvider logins, or nil when the emulator
	// does not run that provider.
	Social(key string) LoginVerifier
	// OIDCProvider returns the IAM OpenID Connect provider arn names: its
	// verifier and its client ID list (the audiences it accepts).
	OIDCProvider(arn string) (v LoginVerifier, clientIDs []string, ok bool)
	// SAMLProvider returns the verifier of the IAM SAML provider arn names.
	SAMLProvider(arn string) (v LoginVerifier, ok bool)
}

// socialProvider reports whether key is one of the fixed social keys a
// Providers.Social verifier handles.
func socialProvider(key string) bool {
	switch key {
	case GoogleProvider, AppleProvider, AmazonProvider, TwitterProvider:
		return true
	}
	return false
}

// oidcARN returns the ARN in arns of the IAM OIDC provider named key (the
// issuer without https://), arn:aws:iam::{account}:oidc-provider/{key}.
func oidcARN(arns []string, key string) (string, bool) {
	for _, a := range arns {
		if strings.HasSuffix(a, ":oidc-provider/"+key) {
			return a, true
		}
	}
	return "", false
}

// splitTrusted splits a SupportedLoginProviders value on commas, trimmed,
// dropping empty entries.
func splitTrusted(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// verifyFederatedLocked verifies a login of Google, Apple, Amazon, Twitter,
// an OIDC provider by ARN or a SAML provider by ARN against the pool's
// configuration. The caller holds s.mu.
func (s *Service) verifyFederatedLocked(p *Pool, key, tok string) (login, error) {
	var (
		v       LoginVerifier
		trusted []string
	)
	switch {
	case socialProvider(key):
		raw, ok := p.SupportedLoginProviders[key]
		if !ok {
			return login{}, errUnsupported
		}
		if s.cfg.Providers != nil {
			v = s.cfg.Providers.Social(key)
		}
		if v == nil {
			return login{}, notAuthorized("Invalid login token. The emulator does not run %s.", key)
		}
		trusted = splitTrusted(raw)
		if key == TwitterProvider {
			trusted = []string{raw} // "consumerKey;consumerSecret", one app
		}
	case contains(p.SAMLProviderARNs, key):
		ok := false
		if s.cfg.Providers != nil {
			v, ok = s.cfg.Providers.SAMLProvider(key)
		}
		if !ok {
			return login{}, notAuthorized("Invalid login token. SAML provider %s does not exist.", key)
		}
	default:
		arn, ok := oidcARN(p.OpenIDConnectProviderARNs, key)
		if !ok {
			return login{}, errUnsupported
		}
		if s.cfg.Providers != nil {
			v, trusted, ok = s.cfg.Providers.OIDCProvider(arn)
		}
		if !ok {
			return login{}, notAuthorized("Invalid login token. OpenID Connect provider %s does not exist.", arn)
		}
	}
	fl, err := v.VerifyLogin(tok, trusted)
	switch {
	case errors.Is(err, ErrExpiredLogin):
		return login{}, notAuthorized("Invalid login token. Token expired.")
	case errors.Is(err, ErrWrongAudience):
		return login{}, notAuthorized("Invalid login token. Incorrect token audience.")
	case err != nil:
		return login{}, notAuthorized("Invalid login token. Couldn't verify signed token.")
	case fl.Subject == "":
		return login{}, notAuthorized("Invalid login token. Missing a required claim: sub")
	}
	l := login{key: key, subject: fl.Subject, audience: fl.Audience, claims: fl.Claims}
	if contains(p.SAMLProviderARNs, key) {
		l.roles = samlRoles(fl.Roles, key)
	}
	return l, nil
}

// samlRoles returns the role ARNs of a SAML Role attribute's
// "roleARN,providerARN" pairs (in either order) that name providerARN.
func samlRoles(pairs []string, providerARN string) []string {
	var out []string
	for _, pair := range pairs {
		a, b, ok := strings.Cut(pair, ",")
		if !ok {
			continue
		}
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if strings.Contains(a, ":saml-provider/") {
			a, b = b, a
		}
		if b == providerARN && roleARNPattern.MatchString(a) && !contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}
