package jwks

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// MinRSAKeyBits is the smallest RSA modulus accepted in a JWKS.
const MinRSAKeyBits = 2048

// b64 is strict unpadded base64url: non-canonical trailing bits, padding,
// and any byte outside the URL alphabet are refused. encoding/base64 skips
// '\r' and '\n' even in strict mode, so every input is checked against
// the alphabet before it is decoded.
var b64 strictB64

// rawB64 does the decoding once [strictB64] has checked the alphabet.
var rawB64 = base64.RawURLEncoding.Strict()

// b64urlAlphabet marks the 64 bytes of the base64url alphabet (RFC 4648 §5).
var b64urlAlphabet = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
		t[c] = true
	}
	return t
}()

// strictB64 is unpadded base64url that refuses every byte outside the
// alphabet, '\r' and '\n' included.
type strictB64 struct{}

// isB64url reports whether every byte of s is in the base64url alphabet.
func isB64url[S string | []byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if !b64urlAlphabet[s[i]] {
			return false
		}
	}
	return true
}

// errB64Alphabet is returned for a byte outside the base64url alphabet.
var errB64Alphabet = errors.New("byte outside the base64url alphabet")

// DecodedLen is the decoded length of n encoded bytes.
func (strictB64) DecodedLen(n int) int { return rawB64.DecodedLen(n) }

// Decode decodes src into dst after checking its alphabet.
func (strictB64) Decode(dst, src []byte) (int, error) {
	if !isB64url(src) {
		return 0, errB64Alphabet
	}
	return rawB64.Decode(dst, src)
}

// DecodeString decodes s after checking its alphabet.
func (strictB64) DecodeString(s string) ([]byte, error) {
	if !isB64url(s) {
		return nil, errB64Alphabet
	}
	return rawB64.DecodeString(s)
}

// Key is one usable public key from a JWKS: an RSA key, or (in the key
// sets of an [OIDCVerifier] only) an EC key.
type Key struct {
	// KeyID is kid.
	KeyID string
	// Algorithm is alg ("" when the JWK has none).
	Algorithm string
	// Use is use ("" when the JWK has none).
	Use string
	// PublicKey is the RSA key (nil for an EC key).
	PublicKey *rsa.PublicKey
	// ECDSA is the EC key (P-256, P-384 or P-521) when the JWK's kty is
	// EC; nil for an RSA key. Only an [OIDCVerifier] keeps EC keys.
	ECDSA *ecdsa.PublicKey
}

// SkippedKey records a JWK that was left out of a key set and why.
type SkippedKey struct {
	// Index is the JWK's position in the "keys" array.
	Index int
	// KeyID is its kid, if it had a string one.
	KeyID string
	// Reason says why it was skipped.
	Reason string
}

// Set is an immutable, parsed JWKS. Lookups take no lock and allocate
// nothing.
type Set struct {
	keys    map[string]*Key
	skipped []SkippedKey
	// fingerprint identifies the contents (kids and moduli), so that a
	// refetch of unchanged keys is not a key-set change.
	fingerprint string
}

// ErrNoUsableKeys is returned by [ParseSet] when a JWKS holds no usable key.
var ErrNoUsableKeys = errors.New("jwks: JWKS has no usable RSA signing key")

// ParseSet parses a JWKS document ({"keys":[...]}). Each RSA key needs a
// kid, a modulus of at least [MinRSAKeyBits] bits and a sane exponent; a
// JWK that fails (or is not RSA, or repeats a kid) is skipped and reported
// by [Set.Skipped] rather than failing the whole set. A set with no usable
// key is an error wrapping ErrNoUsableKeys.
func ParseSet(data []byte) (*Set, error) { return parseSet(data, false) }

// parseSet is [ParseSet], keeping EC keys too when allowEC is set.
func parseSet(data []byte, allowEC bool) (*Set, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("jwks: JWKS is not valid JSON: %w", err)
	}
	if doc.Keys == nil {
		return nil, errors.New(`jwks: JWKS has no "keys" array`)
	}
	s := &Set{keys: make(map[string]*Key, len(doc.Keys))}
	for i, raw := range doc.Keys {
		var k *Key
		var kid string
		var err error
		if allowEC && isECJWK(raw) {
			k, kid, err = parseECJWK(raw)
		} else {
			k, kid, err = parseJWK(raw)
		}
		if err != nil {
			s.skipped = append(s.skipped, SkippedKey{Index: i, KeyID: kid, Reason: err.Error()})
			continue
		}
		if _, dup := s.keys[k.KeyID]; dup {
			s.skipped = append(s.skipped, SkippedKey{Index: i, KeyID: kid, Reason: "duplicate kid"})
			continue
		}
		s.keys[k.KeyID] = k
	}
	if len(s.keys) == 0 {
		reasons := make([]string, 0, len(s.skipped))
		for _, sk := range s.skipped {
			reasons = append(reasons, fmt.Sprintf("key %d: %s", sk.Index, sk.Reason))
		}
		if len(reasons) == 0 {
			return nil, fmt.Errorf("%w (empty)", ErrNoUsableKeys)
		}
		return nil, fmt.Errorf("%w (%s)", ErrNoUsableKeys, strings.Join(reasons, "; "))
	}
	kids := make([]string, 0, len(s.keys))
	for kid := range s.keys {
		kids = append(kids, kid)
	}
	sort.Strings(kids)
	var fp strings.Builder
	for _, kid := range kids {
		k := s.keys[kid]
		if k.ECDSA != nil {
			fmt.Fprintf(&fp, "%q %s %s EC %s %x %x;", kid, k.Algorithm, k.Use, k.ECDSA.Curve.Params().Name, k.ECDSA.X.Bytes(), k.ECDSA.Y.Bytes())
			continue
		}
		fmt.Fprintf(&fp, "%q %s %s %x %d;", kid, k.Algorithm, k.Use, k.PublicKey.N.Bytes(), k.PublicKey.E)
	}
	s.fingerprint = fp.String()
	return s, nil
}

// parseJWK turns one member of a JWKS's "keys" array into a Key. The JWK
// itself is parsed by lestrrat-go/jwx (jwk.ParseKey) and exported to an
// *rsa.PublicKey; around it sit the checks a Cognito verifier needs that
// jwx leaves to its caller: RSA public keys only, a kid, use and alg
// of an RSA algorithm, key_ops allowing "verify", a
// modulus of [MinRSAKeyBits]..8192 bits in canonical unpadded base64url
// (jwx's decoder also takes padded and standard base64), and a sane
// exponent. It returns the kid it could read (for the skip report) beside
// any error.
func parseJWK(raw json.RawMessage) (*Key, string, error) {
	// A first, shallow look: the kty (so that a non-RSA key is reported as
	// such, whatever jwx thinks of its other members), the kid (for the
	// report) and the encodings of n and e. Members are matched exactly, as
	// jwx matches them (encoding/json's struct decoding would also take
	// "KID" for "kid").
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, "", fmt.Errorf("not a JSON object: %v", err)
	}
	var hint struct{ Kty, Kid, N, E string }
	for _, f := range []struct {
		name string
		dst  *string
	}{{"kty", &hint.Kty}, {"kid", &hint.Kid}, {"n", &hint.N}, {"e", &hint.E}} {
		if m, ok := members[f.name]; ok {
			if err := json.Unmarshal(m, f.dst); err != nil {
				return nil, "", fmt.Errorf("%s is not a string", f.name)
			}
		}
	}
	switch {
	case hint.Kty != "RSA":
		return nil, hint.Kid, fmt.Errorf("kty %s is not RSA", quote(hint.Kty))
	case hint.Kid == "":
		return nil, "", errors.New("no kid")
	case len(hint.Kid) > maxKIDLen:
		return nil, "", errors.New("kid too long")
	}
	kid := hint.Kid
	parsed, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, kid, fmt.Errorf("not a valid JWK: %v", err)
	}
	if _, private := parsed.(jwk.RSAPrivateKey); private {
		return nil, kid, errors.New("holds private key material (d); a JWKS must publish public keys only")
	}
	rk, ok := parsed.(jwk.RSAPublicKey)
	if !ok || rk.KeyType() != jwa.RSA {
		return nil, kid, fmt.Errorf("kty %s is not RSA", quote(string(parsed.KeyType())))
	}
	use := rk.KeyUsage()
	if err := checkUseAndOps(rk); err != nil {
		return nil, kid, err
	}
	alg, err := keyAlgorithm(rk.Algorithm())
	if err != nil {
		return nil, kid, err
	}
	// jwx decodes n and e with whichever base64 alphabet and padding they
	// appear to use; a JWK must use unpadded base64url (RFC 7518 §6.3.1).
	if _, err := b64.DecodeString(hint.N); err != nil {
		return nil, kid, errors.New("n is not base64url")
	}
	if _, err := b64.DecodeString(hint.E); err != nil {
		return nil, kid, errors.New("e is not base64url")
	}
	nb, eb := rk.N(), rk.E()
	switch {
	case len(nb) == 0:
		return nil, kid, errors.New("n is empty")
	case len(eb) == 0:
		return nil, kid, errors.New("e is empty")
	case nb[0] == 0:
		return nil, kid, errors.New("n has leading zero bytes")
	case len(nb)*8 > 8192:
		return nil, kid, fmt.Errorf("modulus is %d bits, more than 8192", new(big.Int).SetBytes(nb).BitLen())
	}
	if len(eb) > 4 {
		return nil, kid, errors.New("exponent too large")
	}
	e := 0
	for _, b := range eb {
		e = e<<8 | int(b)
	}
	var pub rsa.PublicKey
	if err := rk.Raw(&pub); err != nil {
		return nil, kid, fmt.Errorf("cannot export the RSA key: %v", err)
	}
	switch n := pub.N.BitLen(); {
	case n < MinRSAKeyBits:
		return nil, kid, fmt.Errorf("modulus is %d bits, fewer than %d", n, MinRSAKeyBits)
	case pub.N.Bit(0) == 0:
		return nil, kid, errors.New("modulus is even")
	case e < 3 || e%2 == 0 || e > 1<<31-1 || pub.E != e:
		return nil, kid, fmt.Errorf("exponent %d is not an odd number ≥ 3", e)
	}
	return &Key{KeyID: kid, Algorithm: alg, Use: use, PublicKey: &pub}, kid, nil
}

// checkUseAndOps checks a JWK's use (absent, "sig" or "enc") and key_ops
// (absent, or allowing "verify").
func checkUseAndOps(k jwk.Key) error {
	if use := k.KeyUsage(); use != "" && use != string(jwk.ForSignature) && use != string(jwk.ForEncryption) {
		return fmt.Errorf("use %s is not sig or enc", quote(use))
	}
	if ops := k.KeyOps(); ops != nil && !slices.Contains(ops, jwk.KeyOpVerify) {
		return errors.New(`key_ops does not include "verify"`)
	}
	return nil
}

// keyAlgorithm checks a JWK's alg: absent, or an RSA algorithm jwx knows
// (RS*, PS*, RSA1_5, RSA-OAEP*). Whether the key may verify a given token
// (use "sig" if set, alg equal to the token's) is checked per token by the
// verifier, which then refuses with ErrInvalidKey rather than
// ErrUnknownKey.
func keyAlgorithm(a jwa.KeyAlgorithm) (string, error) {
	if a == nil || a.String() == "" {
		return "", nil // absent
	}
	switch a {
	case jwa.RS256, jwa.RS384, jwa.RS512, jwa.PS256, jwa.PS384, jwa.PS512,
		jwa.RSA1_5, jwa.RSA_OAEP, jwa.RSA_OAEP_256, jwa.RSA_OAEP_384, jwa.RSA_OAEP_512:
		return a.String(), nil
	}
	return "", fmt.Errorf("alg %s is not an RSA algorithm", quote(a.String()))
}

// Key returns the key with the given kid. It takes no lock and allocates
// nothing. The key is shared with the verifier and must not be modified.
func (s *Set) Key(kid string) (*Key, bool) {
	k, ok := s.keys[kid]
	return k, ok
}

// Len returns the number of usable keys.
func (s *Set) Len() int { return len(s.keys) }

// KeyIDs returns the kids of the usable keys, sorted.
func (s *Set) KeyIDs() []string {
	out := make([]string, 0, len(s.keys))
	for kid := range s.keys {
		out = append(out, kid)
	}
	sort.Strings(out)
	return out
}

// Skipped lists the JWKs left out of the set, with the reason for each.
func (s *Set) Skipped() []SkippedKey { return append([]SkippedKey(nil), s.skipped...) }
