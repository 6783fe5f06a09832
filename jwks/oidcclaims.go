package jwks

import (
	"encoding/json"
	"fmt"
	"time"
)

// OIDCClaims are the verified claims of an OpenID Connect ID token.
//
// The claims of OpenID Connect Core §2 and §5.1 that services use most are
// decoded into fields; any other claim is read with [OIDCClaims.Claims],
// [OIDCClaims.StringClaim] or [OIDCClaims.Decode] from the verified
// payload.
type OIDCClaims struct {
	// Issuer is iss as the token has it (for Google, possibly the
	// scheme-less "accounts.google.com").
	Issuer string
	// Subject is sub, the user's stable ID at the issuer (the identity ID
	// for a Cognito identity pool's token).
	Subject string
	// Audience is aud: the client IDs (or identity pool ID) the token is
	// for.
	Audience []string
	// AuthorizedParty is azp, the client the token was issued to ("" when
	// absent).
	AuthorizedParty string
	// Expiry, IssuedAt, NotBefore and AuthTime are exp, iat, nbf and
	// auth_time (zero when absent; Expiry never is).
	Expiry, IssuedAt, NotBefore, AuthTime time.Time
	// Nonce is nonce ("" when absent); [OIDCVerifier.VerifyNonce] checks it.
	Nonce string
	// Email is email; EmailVerified is email_verified (true or "true", as
	// Apple writes it). Trust Email as the user's address only when
	// EmailVerified is true.
	Email         string
	EmailVerified bool
	// Name is name.
	Name string
	// JWTID is jti.
	JWTID string
	// KeyID and Algorithm are the kid and alg of the header: the key and
	// algorithm that verified the token.
	KeyID, Algorithm string

	// payload is the verified JSON payload.
	payload string
}

// Claims unmarshals the whole verified payload into v with encoding/json,
// as go-oidc's IDToken.Claims does.
func (c *OIDCClaims) Claims(v any) error {
	if err := json.Unmarshal([]byte(c.payload), v); err != nil {
		return fmt.Errorf("jwks: decode claims: %w", err)
	}
	return nil
}

// StringClaim returns the string claim name from the payload (any claim,
// e.g. "given_name", "picture", "hd").
func (c *OIDCClaims) StringClaim(name string) (value string, ok bool) {
	return stringClaim(c.payload, name)
}

// Decode unmarshals the claim name into v with encoding/json. It reports
// false (and leaves v alone) when the claim is absent.
func (c *OIDCClaims) Decode(name string, v any) (bool, error) {
	return decodeClaim(c.payload, name, v)
}

// AuthMethods returns amr, the authentication methods (nil when absent or
// not a string array). A Cognito identity pool's token has "authenticated"
// or "unauthenticated" first, then the login provider and
// "provider:app:user" entries.
func (c *OIDCClaims) AuthMethods() []string {
	var amr []string
	if ok, err := c.Decode("amr", &amr); !ok || err != nil {
		return nil
	}
	return amr
}

// Payload returns the verified JSON payload (all claims).
func (c *OIDCClaims) Payload() []byte { return []byte(c.payload) }

// clone returns a copy that shares nothing mutable with c.
func (c *OIDCClaims) clone() *OIDCClaims {
	d := *c
	if c.Audience != nil {
		d.Audience = append([]string(nil), c.Audience...)
	}
	return &d
}
