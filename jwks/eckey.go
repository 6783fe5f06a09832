package jwks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// isECJWK reports whether raw is a JSON object whose kty is "EC".
func isECJWK(raw json.RawMessage) bool {
	var m struct {
		Kty json.RawMessage `json:"kty"`
	}
	return json.Unmarshal(raw, &m) == nil && string(m.Kty) == `"EC"`
}

// ecCurves maps a JWK crv (RFC 7518 §6.2.1.1) to its curve and the only
// JWS alg that uses it.
var ecCurves = map[string]struct {
	curve elliptic.Curve
	alg   string
}{
	"P-256": {elliptic.P256(), "ES256"},
	"P-384": {elliptic.P384(), "ES384"},
	"P-521": {elliptic.P521(), "ES512"},
}

// parseECJWK turns an EC JWK into a Key, for the key sets of an
// [OIDCVerifier]. Like [parseJWK] it leaves the JSON to jwx
// (jwk.ParseKey) and adds the checks a verifier needs: a public key only,
// a kid, crv P-256, P-384 or P-521, x and y in canonical unpadded
// base64url of exactly the curve's length (RFC 7518 §6.2.1.2-3), a point
// on the curve, use "sig" or "enc" and alg, if set, the curve's own ES
// algorithm, key_ops allowing "verify".
func parseECJWK(raw json.RawMessage) (*Key, string, error) {
	var hint struct {
		Kid, Crv, X, Y string
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, "", fmt.Errorf("not a JSON object: %v", err)
	}
	for name, dst := range map[string]*string{"kid": &hint.Kid, "crv": &hint.Crv, "x": &hint.X, "y": &hint.Y} {
		if m, ok := members[name]; ok {
			if err := json.Unmarshal(m, dst); err != nil {
				return nil, "", fmt.Errorf("%s is not a string", name)
			}
		}
	}
	switch {
	case hint.Kid == "":
		return nil, "", errors.New("no kid")
	case len(hint.Kid) > maxKIDLen:
		return nil, "", errors.New("kid too long")
	}
	kid := hint.Kid
	cv, ok := ecCurves[hint.Crv]
	if !ok {
		return nil, kid, fmt.Errorf("crv %s is not P-256, P-384 or P-521", quote(hint.Crv))
	}
	size := (cv.curve.Params().BitSize + 7) / 8
	for name, v := range map[string]string{"x": hint.X, "y": hint.Y} {
		b, err := b64.DecodeString(v)
		if err != nil {
			return nil, kid, fmt.Errorf("%s is not base64url", name)
		}
		if len(b) != size {
			return nil, kid, fmt.Errorf("%s is %d bytes, want %d for %s", name, len(b), size, hint.Crv)
		}
	}
	parsed, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, kid, fmt.Errorf("not a valid JWK: %v", err)
	}
	if _, private := parsed.(jwk.ECDSAPrivateKey); private {
		return nil, kid, errors.New("holds private key material (d); a JWKS must publish public keys only")
	}
	ek, ok := parsed.(jwk.ECDSAPublicKey)
	if !ok || ek.KeyType() != jwa.EC {
		return nil, kid, fmt.Errorf("kty %s is not EC", quote(string(parsed.KeyType())))
	}
	if err := checkUseAndOps(ek); err != nil {
		return nil, kid, err
	}
	alg := ""
	if a := ek.Algorithm(); a != nil && a.String() != "" {
		alg = a.String()
		if alg != cv.alg {
			return nil, kid, fmt.Errorf("alg %s is not %s, the algorithm of %s", quote(alg), cv.alg, hint.Crv)
		}
	}
	var pub ecdsa.PublicKey
	if err := ek.Raw(&pub); err != nil {
		return nil, kid, fmt.Errorf("cannot export the EC key: %v", err)
	}
	if pub.Curve != cv.curve {
		return nil, kid, fmt.Errorf("curve is not %s", hint.Crv)
	}
	// crypto/ecdh refuses points not on the curve and the point at infinity.
	if _, err := pub.ECDH(); err != nil {
		return nil, kid, errors.New("x, y is not a point on the curve")
	}
	return &Key{KeyID: kid, Algorithm: alg, Use: ek.KeyUsage(), ECDSA: &pub}, kid, nil
}
