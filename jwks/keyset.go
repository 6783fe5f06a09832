package jwks

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
)

// MinRSAKeyBits is the smallest RSA modulus accepted in a JWKS.
const MinRSAKeyBits = 2048

// b64 is strict unpadded base64url: non-canonical trailing bits, padding,
// and characters outside the URL alphabet are refused.
var b64 = base64.RawURLEncoding.Strict()

// Key is one usable RSA public key from a JWKS.
type Key struct {
	// KeyID is kid.
	KeyID string
	// Algorithm is alg ("" when the JWK has none).
	Algorithm string
	// Use is use ("" when the JWK has none).
	Use string
	// PublicKey is the RSA key.
	PublicKey *rsa.PublicKey
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
func ParseSet(data []byte) (*Set, error) {
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
		k, kid, err := parseJWK(raw)
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
		fmt.Fprintf(&fp, "%q %s %s %x %d;", kid, k.Algorithm, k.Use, k.PublicKey.N.Bytes(), k.PublicKey.E)
	}
	s.fingerprint = fp.String()
	return s, nil
}

func parseJWK(raw json.RawMessage) (*Key, string, error) {
	var j struct {
		Kty, Kid, Alg, Use, N, E string
		KeyOps                   []string `json:"key_ops"`
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, "", fmt.Errorf("not a JSON object with string members: %v", err)
	}
	switch {
	case j.Kty != "RSA":
		return nil, j.Kid, fmt.Errorf("kty %s is not RSA", quote(j.Kty))
	case j.Kid == "":
		return nil, "", errors.New("no kid")
	case len(j.Kid) > maxKIDLen:
		return nil, "", errors.New("kid too long")
	case j.Use != "" && j.Use != "sig" && j.Use != "enc":
		return nil, j.Kid, fmt.Errorf("use %s is not sig or enc", quote(j.Use))
	case j.Alg != "" && !strings.HasPrefix(j.Alg, "RS") && !strings.HasPrefix(j.Alg, "PS") && !strings.HasPrefix(j.Alg, "RSA"):
		return nil, j.Kid, fmt.Errorf("alg %s is not an RSA algorithm", quote(j.Alg))
	}
	if j.KeyOps != nil {
		ok := false
		for _, op := range j.KeyOps {
			ok = ok || op == "verify"
		}
		if !ok {
			return nil, j.Kid, errors.New(`key_ops does not include "verify"`)
		}
	}
	nb, err := b64.DecodeString(j.N)
	if err != nil || len(nb) == 0 {
		return nil, j.Kid, errors.New("n is not base64url")
	}
	eb, err := b64.DecodeString(j.E)
	if err != nil || len(eb) == 0 {
		return nil, j.Kid, errors.New("e is not base64url")
	}
	if nb[0] == 0 {
		return nil, j.Kid, errors.New("n has leading zero bytes")
	}
	n := new(big.Int).SetBytes(nb)
	if n.BitLen() < MinRSAKeyBits {
		return nil, j.Kid, fmt.Errorf("modulus is %d bits, fewer than %d", n.BitLen(), MinRSAKeyBits)
	}
	if n.BitLen() > 8192 {
		return nil, j.Kid, fmt.Errorf("modulus is %d bits, more than 8192", n.BitLen())
	}
	if n.Bit(0) == 0 {
		return nil, j.Kid, errors.New("modulus is even")
	}
	if len(eb) > 4 {
		return nil, j.Kid, errors.New("exponent too large")
	}
	e := 0
	for _, b := range eb {
		e = e<<8 | int(b)
	}
	if e < 3 || e%2 == 0 || e > 1<<31-1 {
		return nil, j.Kid, fmt.Errorf("exponent %d is not an odd number ≥ 3", e)
	}
	return &Key{KeyID: j.Kid, Algorithm: j.Alg, Use: j.Use, PublicKey: &rsa.PublicKey{N: n, E: e}}, j.Kid, nil
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
