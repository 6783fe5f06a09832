package jwks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"math/big"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// maxSigBytes is the largest signature accepted: an RSA-8192 one (ES512's
// is 132 bytes).
const maxSigBytes = 1024

// jws is a compact JWS split and decoded by [parseJWS], before any claim
// or signature check. The signature is apart, in the caller's buffer, so
// that escape analysis keeps that buffer on the stack.
type jws struct {
	signed  string // header.payload, the signing input
	payload string // the decoded payload
	alg     string
	ab      uint16
	kid     string
}

// parseJWS runs the checks every verifier makes first, on the token's
// shape alone: exactly three segments (JWE and nested tokens are
// refused), header and payload non-empty, strict base64url, a JSON-object
// header without crit, an alg in the allow-list algs, a kid. The
// signature is decoded into sigBuf and returned as sig.
func parseJWS(token string, sigBuf *[maxSigBytes]byte, algs uint16) (j jws, sig []byte, e *ValidationError) {
	dot1 := strings.IndexByte(token, '.')
	if dot1 <= 0 {
		return jws{}, nil, verr(ErrMalformed, "not a compact JWS (header.payload.signature)")
	}
	dot2 := strings.IndexByte(token[dot1+1:], '.')
	if dot2 <= 0 {
		return jws{}, nil, verr(ErrMalformed, "not a compact JWS (header.payload.signature)")
	}
	dot2 += dot1 + 1
	if strings.IndexByte(token[dot2+1:], '.') >= 0 {
		return jws{}, nil, verr(ErrMalformed, "too many segments (JWE or nested tokens are not accepted)")
	}
	hseg, pseg, sseg := token[:dot1], token[dot1+1:dot2], token[dot2+1:]
	if b64.DecodedLen(len(hseg)) > maxHeaderBytes {
		return jws{}, nil, verr(ErrMalformed, "header too large")
	}
	hdr, err := decodeSegment(hseg)
	if err != nil {
		return jws{}, nil, verr(ErrMalformed, "header is not base64url")
	}
	if b64.DecodedLen(len(sseg)) > len(sigBuf) {
		return jws{}, nil, verr(ErrMalformed, "signature too large")
	}
	sn, err := b64.Decode(sigBuf[:], unsafe.Slice(unsafe.StringData(sseg), len(sseg)))
	if err != nil {
		return jws{}, nil, verr(ErrMalformed, "signature is not base64url")
	}
	j.signed, sig = token[:dot2], sigBuf[:sn]
	if j.alg, j.kid, e = parseHeader(hdr); e != nil {
		return jws{}, nil, e
	}
	j.ab = algBit(j.alg)
	if j.ab == 0 || algs&j.ab == 0 {
		return jws{}, nil, verr(ErrUnsupportedAlg, "alg "+quote(j.alg)+" is not allowed")
	}
	if j.kid == "" {
		return jws{}, nil, verr(ErrMissingKeyID, "header has no kid")
	}
	if j.payload, err = decodeSegment(pseg); err != nil {
		return jws{}, nil, verr(ErrMalformed, "payload is not base64url")
	}
	return j, sig, nil
}

// checkTimes checks the claims every verifier requires of a token's
// lifetime and subject: exp present and now < exp+leeway (RFC 7519
// §4.1.4), nbf and iat not after now+leeway, sub present. It fills in
// the time fields of rc.Claims.
func (rc *rawClaims) checkTimes(now time.Time, leeway time.Duration) *ValidationError {
	c := &rc.Claims
	if rc.present&hasExp == 0 {
		return verr(ErrMissingClaim, "token has no exp")
	}
	c.ExpiresAt = time.Unix(rc.exp, 0)
	if !now.Before(c.ExpiresAt.Add(leeway)) {
		return verr(ErrExpired, "expired at "+c.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if rc.present&hasNbf != 0 {
		c.NotBefore = time.Unix(rc.nbf, 0)
		if now.Add(leeway).Before(c.NotBefore) {
			return verr(ErrNotYetValid, "nbf is "+c.NotBefore.UTC().Format(time.RFC3339))
		}
	}
	if rc.present&hasIat != 0 {
		c.IssuedAt = time.Unix(rc.iat, 0)
		if now.Add(leeway).Before(c.IssuedAt) {
			return verr(ErrNotYetValid, "iat is in the future: "+c.IssuedAt.UTC().Format(time.RFC3339))
		}
	}
	if rc.present&hasAuthTime != 0 {
		c.AuthTime = time.Unix(rc.authTime, 0)
	}
	if rc.present&hasSub == 0 || c.Subject == "" {
		return verr(ErrMissingClaim, "token has no sub")
	}
	return nil
}

// verifySignature looks the token's kid up in kc (fetching the JWKS only
// now, after every cheap check passed) and checks the signature with it:
// the key's use must be "sig" and its alg the header's, if they are set,
// and its type must fit the alg (RSA for RS*/PS*, EC on the alg's curve
// for ES*).
func (j *jws) verifySignature(ctx context.Context, kc *keyCache, now time.Time, sig []byte) *ValidationError {
	key, e := kc.lookup(ctx, j.kid, now)
	if e != nil {
		return e
	}
	if key.Use != "" && key.Use != "sig" {
		return verr(ErrInvalidKey, "key "+quote(j.kid)+" has use "+quote(key.Use))
	}
	if key.Algorithm != "" && key.Algorithm != j.alg {
		return verr(ErrInvalidKey, "key "+quote(j.kid)+" is for "+quote(key.Algorithm)+", token uses "+j.alg)
	}
	signed := unsafe.Slice(unsafe.StringData(j.signed), len(j.signed))
	var sum [64]byte
	var h crypto.Hash
	switch j.ab {
	case algRS256, algPS256, algES256:
		d := sha256.Sum256(signed)
		h = crypto.SHA256
		copy(sum[:], d[:])
	case algRS384, algPS384, algES384:
		d := sha512.Sum384(signed)
		h = crypto.SHA384
		copy(sum[:], d[:])
	default:
		h, sum = crypto.SHA512, sha512.Sum512(signed)
	}
	digest := sum[:h.Size()]

	if j.ab&algsRSA != 0 {
		if key.PublicKey == nil {
			return verr(ErrInvalidKey, "key "+quote(j.kid)+" is not an RSA key, token uses "+j.alg)
		}
		if len(sig) != key.PublicKey.Size() {
			return verr(ErrSignature, "signature length does not match the key")
		}
		var err error
		if j.ab&algsRSAPKCS1 != 0 {
			err = rsa.VerifyPKCS1v15(key.PublicKey, h, digest, sig)
		} else {
			// RFC 7518 §3.5: the salt is as long as the hash. rsa.VerifyPSS
			// keeps its arguments from escape analysis's view, so it gets
			// copies: the buffers of the RS256 path stay on the stack.
			err = rsa.VerifyPSS(key.PublicKey, h, slices.Clone(digest), slices.Clone(sig), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h})
		}
		if err != nil {
			return verr(ErrSignature, "signature does not verify")
		}
		return nil
	}
	curve := elliptic.P521()
	switch j.ab {
	case algES256:
		curve = elliptic.P256()
	case algES384:
		curve = elliptic.P384()
	}
	if key.ECDSA == nil || key.ECDSA.Curve != curve {
		return verr(ErrInvalidKey, "key "+quote(j.kid)+" is not an EC key on the curve of "+j.alg)
	}
	// RFC 7518 §3.4: R and S as fixed-length big-endian octets.
	n := (curve.Params().BitSize + 7) / 8
	if len(sig) != 2*n {
		return verr(ErrSignature, "signature length does not match the key")
	}
	r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
	if !ecdsa.Verify(key.ECDSA, slices.Clone(digest), r, s) {
		return verr(ErrSignature, "signature does not verify")
	}
	return nil
}
