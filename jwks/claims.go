package jwks

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// TokenUse is the Cognito token_use claim: "id" or "access".
type TokenUse string

// Token uses accepted by [Options.TokenUse].
const (
	// TokenUseAccess accepts access tokens only (the default: APIs should
	// authorize with access tokens).
	TokenUseAccess TokenUse = "access"
	// TokenUseID accepts ID tokens only.
	TokenUseID TokenUse = "id"
	// TokenUseAny accepts both; each is still checked for its own shape
	// (aud on ID tokens, client_id on access tokens).
	TokenUseAny TokenUse = "any"
)

// Claims are the verified claims of a Cognito ID or access token.
//
// The common claims are decoded into fields; everything else, custom
// attributes (custom:*) included, is read with [Claims.Custom],
// [Claims.StringClaim] or [Claims.Decode] from the verified payload.
type Claims struct {
	// Issuer is iss, e.g. https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123.
	Issuer string
	// Subject is sub, the user's stable ID.
	Subject string
	// Username is cognito:username (ID tokens) or username (access tokens).
	Username string
	// TokenUse is token_use: TokenUseID or TokenUseAccess.
	TokenUse TokenUse
	// ClientID is the app client: client_id of an access token, or the
	// (first) aud of an ID token.
	ClientID string
	// Audience is aud (ID tokens only).
	Audience []string
	// Email and EmailVerified are the email claims (ID tokens).
	Email         string
	EmailVerified bool
	// Groups is cognito:groups.
	Groups []string
	// Scope is the space-separated scope claim (access tokens).
	Scope string
	// JWTID is jti; OriginJTI is origin_jti; EventID is event_id.
	JWTID, OriginJTI, EventID string
	// KeyID is the kid of the key that verified the token.
	KeyID string
	// ExpiresAt, IssuedAt, NotBefore and AuthTime are exp, iat, nbf and
	// auth_time (zero when absent; ExpiresAt never is).
	ExpiresAt, IssuedAt, NotBefore, AuthTime time.Time

	// payload is the verified JSON payload.
	payload string
}

// HasGroup reports whether the token is in group.
func (c *Claims) HasGroup(group string) bool {
	for _, g := range c.Groups {
		if g == group {
			return true
		}
	}
	return false
}

// HasScope reports whether the space-separated scope claim holds scope.
func (c *Claims) HasScope(scope string) bool {
	if scope == "" {
		return false
	}
	s := c.Scope
	for len(s) > 0 {
		var w string
		w, s, _ = strings.Cut(s, " ")
		if w == scope {
			return true
		}
	}
	return false
}

// Scopes returns the scope claim split on spaces.
func (c *Claims) Scopes() []string { return strings.Fields(c.Scope) }

// Custom returns the custom attribute custom:name (name without the
// "custom:" prefix). Cognito encodes every custom attribute as a JSON
// string; ok is false when it is absent or not a string.
func (c *Claims) Custom(name string) (value string, ok bool) {
	return c.StringClaim("custom:" + name)
}

// StringClaim returns the string claim name from the payload (any claim, e.g.
// "custom:tenant", "phone_number", "given_name").
func (c *Claims) StringClaim(name string) (value string, ok bool) {
	return stringClaim(c.payload, name)
}

// stringClaim returns the string member name of the JSON object payload.
func stringClaim(payload, name string) (value string, ok bool) {
	r := jsonReader{s: payload}
	if !r.consume('{') {
		return "", false
	}
	for first := true; ; first = false {
		key, done, err := r.nextKey(first)
		if err != nil || done {
			return "", false
		}
		if key == name {
			if r.peek() != '"' {
				return "", false
			}
			v, err := r.str()
			return v, err == nil
		}
		if err := r.skip(0); err != nil {
			return "", false
		}
	}
}

// Decode unmarshals the claim name into v with encoding/json. It reports
// false (and leaves v alone) when the claim is absent.
func (c *Claims) Decode(name string, v any) (bool, error) {
	return decodeClaim(c.payload, name, v)
}

// decodeClaim unmarshals the member name of the JSON object payload into v.
func decodeClaim(payload, name string, v any) (bool, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		return false, fmt.Errorf("jwks: decode claims: %w", err)
	}
	raw, ok := m[name]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("jwks: decode claim %q: %w", name, err)
	}
	return true, nil
}

// Payload returns the verified JSON payload (all claims).
func (c *Claims) Payload() []byte { return []byte(c.payload) }

// clone returns a copy that shares nothing mutable with c.
func (c *Claims) clone() *Claims {
	d := *c
	if c.Groups != nil {
		d.Groups = append([]string(nil), c.Groups...)
	}
	if c.Audience != nil {
		d.Audience = append([]string(nil), c.Audience...)
	}
	return &d
}

// presence bits for duplicate detection and required claims.
const (
	hasIss uint32 = 1 << iota
	hasSub
	hasAud
	hasExp
	hasIat
	hasNbf
	hasAuthTime
	hasTokenUse
	hasClientID
	hasUsername
	hasCognitoUsername
	hasEmail
	hasEmailVerified
	hasGroups
	hasScope
	hasJTI
	hasOriginJTI
	hasEventID
	hasAZP
	hasNonce
	hasName
)

// rawClaims is the decoded payload before any check.
type rawClaims struct {
	Claims
	exp, iat, nbf, authTime int64
	cognitoUsername         string
	azp, nonce, name        string // OpenID Connect claims, for OIDCClaims
	present                 uint32
}

// decodeClaims parses the payload JSON object. Any syntax error, a
// registered claim of the wrong JSON type or a duplicated registered claim
// is ErrMalformed.
func decodeClaims(payload string, out *rawClaims) *ValidationError {
	r := jsonReader{s: payload}
	if !r.consume('{') {
		return verr(ErrMalformed, "payload is not a JSON object")
	}
	out.payload = payload
	for first := true; ; first = false {
		key, done, err := r.nextKey(first)
		if err != nil {
			return verr(ErrMalformed, "payload is not valid JSON")
		}
		if done {
			break
		}
		var bit uint32
		var s *string
		var n *int64
		switch key {
		case "iss":
			bit, s = hasIss, &out.Issuer
		case "sub":
			bit, s = hasSub, &out.Subject
		case "token_use":
			bit, s = hasTokenUse, (*string)(&out.TokenUse)
		case "client_id":
			bit, s = hasClientID, &out.ClientID
		case "username":
			bit, s = hasUsername, &out.Username
		case "cognito:username":
			bit = hasCognitoUsername
		case "email":
			bit, s = hasEmail, &out.Email
		case "scope":
			bit, s = hasScope, &out.Scope
		case "jti":
			bit, s = hasJTI, &out.JWTID
		case "origin_jti":
			bit, s = hasOriginJTI, &out.OriginJTI
		case "event_id":
			bit, s = hasEventID, &out.EventID
		case "azp":
			bit, s = hasAZP, &out.azp
		case "nonce":
			bit, s = hasNonce, &out.nonce
		case "name":
			bit, s = hasName, &out.name
		case "exp":
			bit, n = hasExp, &out.exp
		case "iat":
			bit, n = hasIat, &out.iat
		case "nbf":
			bit, n = hasNbf, &out.nbf
		case "auth_time":
			bit, n = hasAuthTime, &out.authTime
		case "aud":
			bit = hasAud
		case "cognito:groups":
			bit = hasGroups
		case "email_verified":
			bit = hasEmailVerified
		default:
			if err := r.skip(0); err != nil {
				return verr(ErrMalformed, "payload is not valid JSON")
			}
			continue
		}
		if out.present&bit != 0 {
			return verr(ErrMalformed, "duplicate claim "+quote(key))
		}
		out.present |= bit
		switch {
		case s != nil:
			if r.peek() != '"' {
				return verr(ErrMalformed, "claim "+key+" is not a string")
			}
			v, err := r.str()
			if err != nil {
				return verr(ErrMalformed, "payload is not valid JSON")
			}
			*s = v
		case n != nil:
			if c := r.peek(); c != '-' && (c < '0' || c > '9') {
				return verr(ErrMalformed, "claim "+key+" is not a number")
			}
			v, err := r.numericDate()
			if err != nil {
				return verr(ErrMalformed, "claim "+key+" is not a valid date")
			}
			*n = v
		case bit == hasCognitoUsername:
			if r.peek() != '"' {
				return verr(ErrMalformed, "claim cognito:username is not a string")
			}
			v, err := r.str()
			if err != nil {
				return verr(ErrMalformed, "payload is not valid JSON")
			}
			out.cognitoUsername = v
		case bit == hasAud, bit == hasGroups:
			if c := r.peek(); c != '[' && (c != '"' || bit == hasGroups) {
				return verr(ErrMalformed, "claim "+key+" is not a string array")
			}
			v, err := r.stringArray(bit == hasAud)
			if err != nil {
				return verr(ErrMalformed, "claim "+key+" is not a string array")
			}
			if bit == hasAud {
				out.Audience = v
			} else {
				out.Groups = v
			}
		case bit == hasEmailVerified:
			// Cognito has emitted both true and "true".
			switch r.peek() {
			case '"':
				v, err := r.str()
				if err != nil || (v != "true" && v != "false") {
					return verr(ErrMalformed, "claim email_verified is not a boolean")
				}
				out.EmailVerified = v == "true"
			default:
				v, err := r.literal()
				if err != nil || v == "null" {
					return verr(ErrMalformed, "claim email_verified is not a boolean")
				}
				out.EmailVerified = v == "true"
			}
		}
	}
	if !r.atEnd() {
		return verr(ErrMalformed, "trailing data after payload")
	}
	// ID tokens name the user in cognito:username, access tokens in
	// username.
	if out.present&hasCognitoUsername != 0 && (out.TokenUse == TokenUseID || out.present&hasUsername == 0) {
		out.Username = out.cognitoUsername
	}
	return nil
}
