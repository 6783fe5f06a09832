// Package federation is what the emulator's identity pools and hosted UI
// consume from the fake identity providers (fakeoidc, fakeamazon,
// faketwitter, fakesaml, and fakefb): one LoginVerifier per kind of
// provider, which checks a Logins value the way Cognito checks it against
// the real provider, and says who it is.
//
// For an identity pool, the Logins key picks the verifier, and the pool's
// configuration for that key is the trusted list:
//
//	accounts.google.com       OIDC(google)      trusted: the client IDs (SupportedLoginProviders value, comma-separated)
//	appleid.apple.com         OIDC(apple)       trusted: the services / bundle IDs (comma-separated)
//	<issuer host/path>        OIDC(provider)    trusted: the IAM OIDC provider's ClientIDList (OpenIdConnectProviderARNs)
//	www.amazon.com            Amazon(fake)      trusted: the Login with Amazon app ID
//	api.twitter.com           Twitter(fake)     trusted: "consumerKey;consumerSecret"
//	<SAML provider ARN>       SAML(sp)          trusted: unused; the SP is built from the IAM SAML provider's metadata
//
// Each VerifyLogin returns a Login (the subject an identity links, the
// audience, the roles a SAML assertion offers) or an error wrapping
// ErrInvalidLogin, ErrExpiredLogin or ErrWrongAudience, which the pool
// turns into NotAuthorizedException "Invalid login token." followed by
// "Token expired." / "Incorrect token audience." as Cognito does.
package federation

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeamazon"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoidc"
	"github.com/cognitokit/cognitokit/internal/emulator/fakesaml"
	"github.com/cognitokit/cognitokit/internal/emulator/faketwitter"
	"github.com/crewjam/saml"
)

// Errors of VerifyLogin, matched with errors.Is; the provider's own error
// is wrapped too.
var (
	// ErrInvalidLogin reports a login that is malformed, forged, or unknown
	// to the provider.
	ErrInvalidLogin = errors.New("federation: invalid login token")
	// ErrExpiredLogin reports a login past its expiry.
	ErrExpiredLogin = errors.New("federation: login token expired")
	// ErrWrongAudience reports a login issued to a client or app the pool
	// does not trust.
	ErrWrongAudience = errors.New("federation: incorrect token audience")
)

// Login is a verified identity-pool login.
type Login struct {
	// Subject is who the provider says this is: the ID token's sub, the
	// Amazon user_id, the Twitter user ID, the SAML NameID.
	Subject string
	// Audience is the trusted client or app the login was issued to.
	Audience string
	// Expires is when the login stops being valid (zero when the
	// provider does not say).
	Expires time.Time
	// Roles are the role/provider ARN pairs of a SAML assertion's
	// https://aws.amazon.com/SAML/Attributes/Role attribute, each
	// "roleARN,providerARN" as sent.
	Roles []string
	// Claims are the provider's claims or attributes, for role-mapping
	// rules (ID-token claims, the Amazon profile, SAML attributes).
	Claims map[string]any
}

// LoginVerifier checks one kind of Logins value.
type LoginVerifier interface {
	// VerifyLogin checks login for a pool that trusts the given clients
	// or apps (see the package doc for what trusted holds per provider).
	VerifyLogin(login string, trusted []string) (Login, error)
}

// SplitTrusted splits a SupportedLoginProviders value into its
// comma-separated entries, trimmed, dropping empty ones.
func SplitTrusted(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// OIDC verifies ID tokens of an OpenID Connect provider (Google, Apple,
// any issuer): the Logins value is the ID token.
type OIDC struct{ V fakeoidc.Verifier }

var _ LoginVerifier = OIDC{}

// VerifyLogin verifies the ID token for the first trusted client ID it
// was issued to.
func (o OIDC) VerifyLogin(login string, trusted []string) (Login, error) {
	var last error = ErrWrongAudience
	for _, aud := range trusted {
		t, err := o.V.VerifyIDToken(login, aud)
		switch {
		case err == nil:
			return Login{Subject: t.Subject, Audience: aud, Expires: t.Expires, Claims: t.Claims}, nil
		case errors.Is(err, fakeoidc.ErrWrongAudience):
			continue
		case errors.Is(err, fakeoidc.ErrExpiredIDToken):
			return Login{}, fmt.Errorf("%w: %w", ErrExpiredLogin, err)
		default:
			return Login{}, fmt.Errorf("%w: %w", ErrInvalidLogin, err)
		}
	}
	return Login{}, last
}

// Amazon verifies Login with Amazon access tokens: the Logins value is the
// access token, checked as tokeninfo does; trusted holds the app ID.
type Amazon struct{ F *fakeamazon.Fake }

var _ LoginVerifier = Amazon{}

// VerifyLogin checks the token and that its app is trusted.
func (a Amazon) VerifyLogin(login string, trusted []string) (Login, error) {
	info, err := a.F.VerifyAccessToken(login)
	if err != nil {
		return Login{}, fmt.Errorf("%w: %w", ErrInvalidLogin, err)
	}
	if !slices.Contains(trusted, info.AppID) {
		return Login{}, ErrWrongAudience
	}
	return Login{Subject: info.Profile.UserID, Audience: info.AppID, Expires: info.Expires,
		Claims: map[string]any{"user_id": info.Profile.UserID, "name": info.Profile.Name, "email": info.Profile.Email}}, nil
}

// Twitter verifies Twitter logins: the Logins value is "token;secret";
// trusted holds the pool's "consumerKey;consumerSecret".
type Twitter struct{ F *faketwitter.Fake }

var _ LoginVerifier = Twitter{}

// VerifyLogin checks the token pair against the trusted app.
func (tw Twitter) VerifyLogin(login string, trusted []string) (Login, error) {
	if len(trusted) != 1 {
		return Login{}, fmt.Errorf("%w: the pool must trust exactly one Twitter app", ErrInvalidLogin)
	}
	key, secret, ok := strings.Cut(trusted[0], ";")
	if !ok {
		return Login{}, fmt.Errorf("%w: the pool's Twitter app is not \"consumerKey;consumerSecret\"", ErrInvalidLogin)
	}
	u, err := tw.F.VerifyLogin(key, secret, login)
	if err != nil {
		return Login{}, fmt.Errorf("%w: %w", ErrInvalidLogin, err)
	}
	return Login{Subject: u.ID, Audience: key, Claims: map[string]any{"screen_name": u.ScreenName, "name": u.Name}}, nil
}

// SAML verifies SAML logins: the Logins value is the base64 SAMLResponse;
// the SP holds the audience, the recipient and the IdP's metadata (for an
// identity pool: fakesaml.AWSEntityID and fakesaml.AWSACSURL, with
// AllowIDPInitiated and SkipReplayCheck, since GetId and
// GetCredentialsForIdentity carry the same assertion).
type SAML struct{ SP *fakesaml.SP }

var _ LoginVerifier = SAML{}

// VerifyLogin verifies the response; trusted is not used.
func (s SAML) VerifyLogin(login string, _ []string) (Login, error) {
	a, err := s.SP.VerifyResponse(login, nil)
	if errors.Is(err, saml.ErrExpired) {
		return Login{}, fmt.Errorf("%w: %w", ErrExpiredLogin, err)
	}
	if err != nil {
		return Login{}, fmt.Errorf("%w: %w", ErrInvalidLogin, err)
	}
	claims := make(map[string]any, len(a.Attributes))
	for k, v := range a.Attributes {
		claims[k] = v
	}
	return Login{Subject: a.NameID, Audience: s.SP.EntityID(), Expires: a.NotOnOrAfter,
		Roles: a.Attributes[fakesaml.AttrRole], Claims: claims}, nil
}
