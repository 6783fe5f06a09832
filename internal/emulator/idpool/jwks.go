package idpool

import (
	"encoding/json"
	"math/big"
	"net/http"
)

// Paths of the OpenID tokens' keys and discovery, as Cognito serves them
// at https://cognito-identity.amazonaws.com (the tokens' issuer stays
// OpenIDIssuer, so that what verifies Cognito's tokens verifies these).
const (
	JWKSPath      = "/.well-known/jwks_uri"
	DiscoveryPath = "/.well-known/openid-configuration"
)

type jwk struct {
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Kid string `json:"kid"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// JWKS returns the public key that signs GetOpenIdToken's and
// GetOpenIdTokenForDeveloperIdentity's tokens as a JWKS document (RS512),
// for verifiers of those tokens (jwks.NewCognitoIdentityVerifier with
// OIDCOptions.JWKS). The key is made on first use and kept in the state.
func (s *Service) JWKS() ([]byte, error) {
	s.mu.Lock()
	sg, err := s.signerLocked()
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	pub := sg.key.PublicKey
	k := jwk{Kty: "RSA", Alg: "RS512", Use: "sig", Kid: sg.kid,
		N: b64.EncodeToString(pub.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
	return json.Marshal(map[string][]jwk{"keys": {k}})
}

// serveJWKS answers GET JWKSPath.
func (s *Service) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	b, err := s.JWKS()
	if err != nil {
		http.Error(w, "idpool: no signing key", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// serveDiscovery answers GET DiscoveryPath with the fields Cognito's
// identity discovery document has; jwks_uri is the emulator's.
func (s *Service) serveDiscovery(base func() string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                OpenIDIssuer,
			"jwks_uri":                              base() + JWKSPath,
			"response_types_supported":              []string{"code", "token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS512"},
			"claims_supported":                      []string{"sub", "aud", "iss", "amr", "exp", "iat"},
		})
	}
}
