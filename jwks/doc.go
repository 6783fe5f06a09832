// Package jwks verifies Amazon Cognito ID and access tokens locally, with a
// cached JWKS, and protects net/http handlers with them. It verifies the
// ID tokens of any other OpenID Connect issuer (Google, Sign in with
// Apple, a Cognito identity pool's OpenID tokens) the same way.
//
// # Which function to call
//
//   - A service behind one user pool: [NewVerifier] with the pool ID and
//     your app client IDs, then [Verifier.Verify], or [Verifier.Middleware]
//     around your handlers. Both issuer forms Cognito uses
//     (https://cognito-idp.{region}.amazonaws.com/{pool} and
//     https://issuer-cognito-idp.{region}.amazonaws.com/{pool}) are
//     accepted, and keys come from the first one's /.well-known/jwks.json.
//   - Several pools (multi-tenant): [NewMultiPoolVerifier] with one [Pool]
//     each. The token's iss picks the pool; one pool's keys and client IDs
//     never serve another.
//   - An emulator such as `cognitoctl serve`: set Options.Endpoint; keys
//     then come from <endpoint>/<pool ID>/.well-known/jwks.json, and tokens
//     whose iss is <endpoint>/<pool ID> (or Cognito's own form, for an
//     emulator issuing that) verify with them. Without Endpoint the
//     verifier honours AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER and
//     AWS_ENDPOINT_URL as the AWS SDKs do, so a process whose environment
//     points at an endpoint trusts that endpoint's tokens instead of
//     Cognito's (Options.IgnoreEndpointEnv turns that off).
//   - Another emulator (moto, cognito-local) or a custom setup: a [Pool]
//     with explicit Issuers (and JWKSURL when the keys are not at
//     <issuer>/.well-known/jwks.json).
//   - No network: a [Pool] with static JWKS JSON.
//   - ID tokens of another OpenID Connect issuer, for a service that takes
//     them directly: [NewOIDCVerifier] with the issuer ([GoogleIssuer],
//     [AppleIssuer], any other) and your client IDs, then
//     [OIDCVerifier.Verify], [OIDCVerifier.VerifyNonce] (when the token
//     answers your own sign-in request) or [OIDCVerifier.Middleware]. Keys
//     are found by OpenID Connect discovery, lazily. A Cognito identity
//     pool's GetOpenIdToken tokens: [NewCognitoIdentityVerifier] with the
//     identity pool IDs.
//
// Options default to the strict choice: access tokens only
// ([TokenUseAccess]), RS256 only, client IDs required (opt out with
// InsecureSkipClientIDCheck), 30 seconds of clock leeway. The leeway rule
// (Options.Leeway; 0 means [DefaultLeeway], negative means none): a token is
// valid while now < exp + leeway, so without leeway it is refused at
// exactly exp; nbf and iat pass while now + leeway ≥ them.
//
// # What is checked, in order
//
// Cheap checks run first, and all of them before any key is fetched, so a
// forged token costs no network traffic: the token is a strict three-part
// compact JWS (canonical unpadded base64url, JSON objects, no duplicate
// registered members, no crit header, size limits); alg is on the
// allow-list (none, HS*, ES*, PS* are refused); kid is present; iss is
// exactly one configured issuer; exp is present and not past (with
// leeway), nbf and iat are not in the future; sub is present; token_use is
// the accepted one; the client (client_id of an access token, aud of an ID
// token) is allowed. Then the key (RSA, at least 2048 bits, use "sig" if
// set, alg matching the header if set), the signature, the required groups
// (any of), the required scopes (all of) and the custom check. Header
// parameters that name keys (jwk, jku, x5u, x5c) are ignored: keys only
// come from the configured JWKS.
//
// An [OIDCVerifier] runs the same checks in the same order, with the
// claims of an ID token instead of Cognito's: iss exactly the configured
// issuer (plus "accounts.google.com" for [GoogleIssuer], as Google writes
// it), exp/nbf/iat and sub as above, aud one of the client IDs, azp one
// of them when aud has several entries (OpenID Connect Core §3.1.3.7),
// the nonce with VerifyNonce; its alg allow-list may also hold RS384,
// RS512, PS256-512 and ES256-512 (RS256 by default), and its key sets
// keep EC keys (P-256, P-384, P-521) beside RSA ones.
//
// Every failure is a [*ValidationError] wrapping one sentinel, so callers
// branch with errors.Is: [ErrMalformed], [ErrUnsupportedAlg],
// [ErrMissingKeyID], [ErrIssuer], [ErrMissingClaim], [ErrExpired],
// [ErrNotYetValid], [ErrTokenUse], [ErrClientID], [ErrUnknownKey],
// [ErrInvalidKey], [ErrJWKSUnavailable], [ErrSignature], [ErrGroups],
// [ErrScopes], [ErrCustomCheck], [ErrNonce]. Error text never contains
// the token.
//
// Verification is local: a token revoked with GlobalSignOut or
// RevokeToken, or whose user was disabled or deleted, still verifies until
// it expires (one hour by default for Cognito access and ID tokens). Use
// short token lifetimes, or a CustomCheck against your own revocation
// list, where that matters.
//
// # The JWKS cache
//
// Keys are fetched lazily on first use, or up front with
// [Verifier.Hydrate]. The key set is an immutable map behind an atomic
// pointer: a lookup takes no lock and allocates nothing, and a new set
// replaces the old one whole, so removed keys drop out.
//
//   - An unknown kid triggers one refetch shared by every concurrent
//     caller; each waits on its own context, and the fetch runs detached
//     from any one caller, bounded by FetchTimeout.
//   - Fetches of one JWKS URL are at least RefetchCooldown apart. Inside
//     the cooldown an unknown kid fails at once with [ErrUnknownKey]
//     instead of waiting, and a kid found missing is refused without a
//     fetch for NegativeCacheTTL, so a stream of forged kids costs at most
//     one fetch per cooldown.
//   - Keys are refreshed in the background when due: Cache-Control max-age
//     clamped to [MinRefreshInterval, MaxRefreshInterval] (and at most half
//     MaxKeyAge), DefaultRefreshInterval without one. The refresh starts on
//     the first verification after it is due, or from [Verifier.Run].
//   - When fetches fail (5xx, timeouts, garbage, bodies over MaxJWKSBytes),
//     the last good keys keep serving for up to MaxKeyAge after their last
//     successful fetch; after that verification fails closed with
//     [ErrJWKSUnavailable].
//   - Each JWK is parsed with lestrrat-go/jwx/v2 (jwk.ParseKey) and
//     exported to an *rsa.PublicKey; only RSA public keys with a kid, an
//     RSA alg (if any), key_ops allowing "verify" (if any), a modulus of
//     2048 to 8192 bits and an odd exponent ≥ 3, in canonical unpadded
//     base64url, are kept. One bad JWK (not RSA, too small, bad encoding,
//     private key material, duplicate kid) is skipped with its reason
//     ([Set.Skipped], and Options.Logger) instead of failing the whole
//     set. jwx is used for parsing only: the verify path is our own. An
//     [OIDCVerifier] also keeps EC public keys: crv P-256, P-384 or P-521,
//     x and y of the curve's exact length, a point on the curve, alg (if
//     any) the curve's own ES algorithm.
//
// # The verified-token cache
//
// With Options.TokenCacheSize set, verified tokens are remembered in a
// bounded cache keyed by a seeded hash of the token (the whole token is
// compared too, in constant time). A hit returns a copy of the claims
// until exp, as long as no key set has changed since and the keys are not
// older than MaxKeyAge; only the custom check runs again.
//
// # Performance
//
// A warm-cache Verify costs about the bare SHA-256 and RSA verification it
// cannot avoid, and a verified-token-cache hit well under a microsecond.
// Figures, a comparison with other Go verifiers and aws-jwt-verify, and the
// commands that rerun them are in the repository's benchmarks/README.md.
//
// [OIDCVerifier] costs the same: its warm Verify runs the same code as the
// Cognito verifier (figures, and a comparison with coreos/go-oidc, on the
// same page).
package jwks
