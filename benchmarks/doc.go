// Package benchmarks compares cognitokit's jwks verifier with other Go JWT
// verifiers (coreos/go-oidc, MicahParks/keyfunc with golang-jwt, lestrrat-go/jwx
// v2) and with aws-jwt-verify (node), all verifying the same Cognito-shaped
// access token against the same JWKS. It is a separate module so that the
// library's own module does not depend on its peers. See README.md.
package benchmarks
