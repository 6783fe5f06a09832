package jwks

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Every error returned by [Verifier.Verify] (and
// [OIDCVerifier.Verify]) wraps exactly
// one of the rejection sentinels below (test with [errors.Is]) inside a
// [*ValidationError] (retrieve with [errors.As]). A custom check's own error
// is wrapped as well, so errors.Is finds both ErrCustomCheck and it.
//
// No error text ever contains the raw token unless
// [Options.DebugIncludeTokenInErrors] is set.
var (
	// ErrMalformed: the token is not a strict three-part compact JWS with
	// canonical base64url segments and JSON-object header and payload, or
	// it exceeds the size limits.
	ErrMalformed = errors.New("jwks: malformed token")
	// ErrUnsupportedAlg: the header's alg is not on the allow-list (none,
	// HS*, ES*, ... are always refused unless listed; only RS256/RS384/RS512
	// can be listed).
	ErrUnsupportedAlg = errors.New("jwks: signing algorithm not allowed")
	// ErrMissingKeyID: the header has no kid.
	ErrMissingKeyID = errors.New("jwks: token has no key ID")
	// ErrIssuer: iss is missing or is not exactly one of the configured issuers.
	ErrIssuer = errors.New("jwks: issuer not accepted")
	// ErrMissingClaim: a claim the token must carry (exp, sub, token_use,
	// aud on an ID token, client_id on an access token; exp, sub and aud on
	// an OIDC ID token) is absent. A registered claim of the wrong JSON
	// type is ErrMalformed.
	ErrMissingClaim = errors.New("jwks: required claim missing")
	// ErrExpired: exp (plus leeway) is in the past.
	ErrExpired = errors.New("jwks: token expired")
	// ErrNotYetValid: nbf or iat (minus leeway) is in the future.
	ErrNotYetValid = errors.New("jwks: token not yet valid")
	// ErrTokenUse: token_use is not the one the verifier accepts.
	ErrTokenUse = errors.New("jwks: wrong token use")
	// ErrClientID: the token's client (client_id for access tokens, aud for
	// ID tokens, and azp for OIDC ID tokens with several audiences) is not
	// an allowed client ID.
	ErrClientID = errors.New("jwks: client ID not allowed")
	// ErrUnknownKey: no key in the issuer's JWKS has the token's kid, even
	// after a refetch (or a refetch was not allowed yet by the cooldown, or
	// the kid is in the negative cache).
	ErrUnknownKey = errors.New("jwks: unknown signing key")
	// ErrInvalidKey: the key named by kid cannot verify this token (its use
	// is not "sig", its alg differs from the header's, or it is too small).
	ErrInvalidKey = errors.New("jwks: key not usable for this token")
	// ErrJWKSUnavailable: the issuer's JWKS could not be fetched and no
	// usable cached copy exists (never fetched, or older than the maximum
	// key age).
	ErrJWKSUnavailable = errors.New("jwks: JWKS unavailable")
	// ErrSignature: the signature does not verify with the key.
	ErrSignature = errors.New("jwks: invalid signature")
	// ErrGroups: the token is in none of the required groups.
	ErrGroups = errors.New("jwks: required group missing")
	// ErrScopes: the access token lacks a required scope.
	ErrScopes = errors.New("jwks: required scope missing")
	// ErrCustomCheck: the custom check function refused the token.
	ErrCustomCheck = errors.New("jwks: custom check failed")
	// ErrNonce: the ID token's nonce is missing or is not the one expected
	// ([OIDCVerifier.VerifyNonce]).
	ErrNonce = errors.New("jwks: nonce mismatch")
)

// ValidationError describes why a token was refused. Kind is one of the
// sentinel errors above; Unwrap returns it (and the custom check's error or
// the JWKS fetch error, when there is one).
type ValidationError struct {
	// Kind is the sentinel (ErrExpired, ErrSignature, ...).
	Kind error
	// Detail is a short human-readable explanation. It never contains the
	// raw token; attacker-controlled values in it are quoted and truncated.
	Detail string
	// Cause is an underlying error (a custom check's error, a JWKS fetch
	// error), or nil.
	Cause error
	// token is set only with Options.DebugIncludeTokenInErrors.
	token string
}

// Error implements error.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	if e.token != "" {
		b.WriteString(" (token ")
		b.WriteString(e.token)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause, for errors.Is and errors.As.
func (e *ValidationError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Kind, e.Cause}
	}
	return []error{e.Kind}
}

func verr(kind error, detail string) *ValidationError {
	return &ValidationError{Kind: kind, Detail: detail}
}

// quote renders an attacker-controlled value for an error message: quoted,
// and truncated to a few dozen bytes.
func quote(s string) string {
	const max = 48
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
