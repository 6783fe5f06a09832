package identity

import (
	"context"
	"fmt"
	"strings"
)

// Keys of the Logins map for the identity providers Cognito identity pools
// federate with. A user pool's key is built by UserPoolKey, an OpenID Connect
// provider's by OIDCKey and a SAML provider's key is its IAM provider ARN.
const (
	// KeyFacebook is Facebook's key; the value is a Facebook access token.
	KeyFacebook = "graph.facebook.com"
	// KeyGoogle is Google's key; the value is a Google ID token.
	KeyGoogle = "accounts.google.com"
	// KeyAmazon is Login with Amazon's key; the value is an access token.
	KeyAmazon = "www.amazon.com"
	// KeyApple is Sign in with Apple's key; the value is an Apple ID token.
	KeyApple = "appleid.apple.com"
	// KeyTwitter is Twitter's key; the value is "token;secret" (see
	// TwitterToken).
	KeyTwitter = "api.twitter.com"
	// KeyDeveloper is the key of developer-authenticated identities; the
	// value is the OpenID token GetOpenIdTokenForDeveloperIdentity returned.
	KeyDeveloper = "cognito-identity.amazonaws.com"
)

// UserPoolKey returns the Logins key of a Cognito user pool:
// "cognito-idp.{region}.amazonaws.com/{userPoolID}". An empty region is taken
// from the pool ID's prefix ("us-east-1" of "us-east-1_AbCdEf123").
func UserPoolKey(region, userPoolID string) string {
	if region == "" {
		region, _, _ = strings.Cut(userPoolID, "_")
	}
	return "cognito-idp." + region + ".amazonaws.com/" + userPoolID
}

// OIDCKey returns the Logins key of an OpenID Connect provider from its
// issuer URL: the issuer without "https://" and without a trailing slash
// ("https://login.example.com/" gives "login.example.com"), which is the name
// of the IAM OIDC provider the identity pool trusts.
func OIDCKey(issuer string) string {
	k := strings.TrimPrefix(issuer, "https://")
	return strings.TrimSuffix(k, "/")
}

// TwitterToken returns the Logins value for Twitter: "token;secret".
func TwitterToken(token, secret string) string { return token + ";" + secret }

// LoginsFunc returns the Logins map for one exchange. A provider calls it on
// every refresh, so it can return tokens that it refreshed first. A nil
// LoginsFunc, or an empty map, means a guest (unauthenticated) identity. The
// provider does not keep or modify the map.
type LoginsFunc func(ctx context.Context) (map[string]string, error)

// StaticLogins returns a LoginsFunc that always returns a copy of m. Use it
// for tokens that outlive the process (a Facebook access token, a CLI flag).
func StaticLogins(m map[string]string) LoginsFunc {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return func(context.Context) (map[string]string, error) {
		out := make(map[string]string, len(c))
		for k, v := range c {
			out[k] = v
		}
		return out, nil
	}
}

// TokenFunc returns the current token of one login.
type TokenFunc func(ctx context.Context) (string, error)

// StaticToken returns a TokenFunc that always returns tok.
func StaticToken(tok string) TokenFunc {
	return func(context.Context) (string, error) { return tok, nil }
}

// IDTokenSource is anything that hands out a current Cognito user-pool ID
// token, refreshing it first when it has expired. A signed-in session of
// package cognito satisfies it; identity does not import cognito.
type IDTokenSource interface {
	IDToken(ctx context.Context) (string, error)
}

// IDTokenFunc adapts a function to IDTokenSource.
type IDTokenFunc func(ctx context.Context) (string, error)

// IDToken calls f.
func (f IDTokenFunc) IDToken(ctx context.Context) (string, error) { return f(ctx) }

// Login is one entry of a Logins map whose token is fetched on each refresh.
type Login struct {
	// Key is the provider's Logins key, e.g. KeyFacebook or UserPoolKey(…).
	Key string
	// Token returns the provider's current token.
	Token TokenFunc
}

// String returns the login's key; never its token.
func (l Login) String() string { return "identity.Login{" + l.Key + "}" }

// GoString is String, so %#v does not print more.
func (l Login) GoString() string { return l.String() }

// UserPoolLogin is the login of a Cognito user pool: the key
// UserPoolKey(region, userPoolID) and the current ID token of src. An empty
// region is taken from the pool ID.
func UserPoolLogin(region, userPoolID string, src IDTokenSource) Login {
	return Login{Key: UserPoolKey(region, userPoolID), Token: src.IDToken}
}

// FacebookLogin is a Facebook login with a fixed access token.
func FacebookLogin(accessToken string) Login {
	return Login{Key: KeyFacebook, Token: StaticToken(accessToken)}
}

// GoogleLogin is a Google login with a fixed ID token.
func GoogleLogin(idToken string) Login {
	return Login{Key: KeyGoogle, Token: StaticToken(idToken)}
}

// AmazonLogin is a Login with Amazon login with a fixed access token.
func AmazonLogin(accessToken string) Login {
	return Login{Key: KeyAmazon, Token: StaticToken(accessToken)}
}

// AppleLogin is a Sign in with Apple login with a fixed ID token.
func AppleLogin(idToken string) Login {
	return Login{Key: KeyApple, Token: StaticToken(idToken)}
}

// TwitterLogin is a Twitter login with a fixed token and secret.
func TwitterLogin(token, secret string) Login {
	return Login{Key: KeyTwitter, Token: StaticToken(TwitterToken(token, secret))}
}

// OIDCLogin is the login of an OpenID Connect provider, keyed by
// OIDCKey(issuer), with a fixed ID token.
func OIDCLogin(issuer, idToken string) Login {
	return Login{Key: OIDCKey(issuer), Token: StaticToken(idToken)}
}

// SAMLLogin is the login of a SAML provider, keyed by its IAM provider ARN,
// with a fixed base64-encoded SAML assertion.
func SAMLLogin(providerARN, assertion string) Login {
	return Login{Key: providerARN, Token: StaticToken(assertion)}
}

// DeveloperLogin is the login of a developer-authenticated identity: the
// OpenID token GetOpenIdTokenForDeveloperIdentity returned.
func DeveloperLogin(openIDToken string) Login {
	return Login{Key: KeyDeveloper, Token: StaticToken(openIDToken)}
}

// Logins returns a LoginsFunc that asks each login for its current token.
// No logins means a guest. A failing token source fails the refresh with an
// error wrapping ErrLogins and the source's error.
func Logins(logins ...Login) LoginsFunc {
	ls := append([]Login(nil), logins...)
	return func(ctx context.Context) (map[string]string, error) {
		m := make(map[string]string, len(ls))
		for _, l := range ls {
			if l.Key == "" || l.Token == nil {
				return nil, fmt.Errorf("%w: a login has no key or no token source", ErrLogins)
			}
			if _, dup := m[l.Key]; dup {
				return nil, fmt.Errorf("%w: login %q given twice", ErrLogins, l.Key)
			}
			tok, err := l.Token(ctx)
			if err != nil {
				return nil, fmt.Errorf("%w: token for %q: %w", ErrLogins, l.Key, err)
			}
			m[l.Key] = tok
		}
		return m, nil
	}
}

// checkLogins rejects empty keys and tokens without naming any token.
func checkLogins(m map[string]string) error {
	for k, v := range m {
		if k == "" {
			return fmt.Errorf("%w: empty key", ErrLogins)
		}
		if v == "" {
			return fmt.Errorf("%w: empty token for %q", ErrLogins, k)
		}
	}
	return nil
}
