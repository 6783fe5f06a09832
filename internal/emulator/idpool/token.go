package idpool

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// openIDClaims are the claims of the OpenID tokens the service signs, as
// Cognito's are: the identity is the subject and the pool the audience.
type openIDClaims struct {
	Iss string   `json:"iss"`
	Sub string   `json:"sub"`
	Aud string   `json:"aud"`
	AMR []string `json:"amr"`
	Exp int64    `json:"exp"`
	Iat int64    `json:"iat"`
	// Tags are the principal tags, under Cognito's claim name.
	Tags *tagsClaim `json:"https://aws.amazon.com/tags,omitempty"`
}

// signerLocked returns the signing key, generating (and recording in the
// state) one on first use. The caller holds s.mu.
func (s *Service) signerLocked() (*signer, error) {
	if s.sig != nil {
		return s.sig, nil
	}
	k, err := rsa.GenerateKey(s.cfg.Rand, 2048)
	if err != nil {
		return nil, fmt.Errorf("idpool: generating the OpenID signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	kidb := make([]byte, 8)
	if _, err := io.ReadFull(s.cfg.Rand, kidb); err != nil {
		return nil, err
	}
	kid := s.cfg.Region + "-" + hex.EncodeToString(kidb)
	s.st.SigningKeyPKCS8, s.st.SigningKeyID = der, kid
	s.sig = &signer{key: k, kid: kid}
	return s.sig, nil
}

var b64 = base64.RawURLEncoding

// signOpenIDLocked signs c as an RS512 JWS. The caller holds s.mu.
func (s *Service) signOpenIDLocked(c openIDClaims) (string, error) {
	sg, err := s.signerLocked()
	if err != nil {
		return "", err
	}
	h, _ := json.Marshal(map[string]string{"kid": sg.kid, "typ": "JWS", "alg": "RS512"})
	p, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	sum := sha512.Sum512([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, sg.key, crypto.SHA512, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + b64.EncodeToString(sig), nil
}

var errBadOpenIDToken = errors.New("invalid OpenID token")

// verifyOpenIDLocked checks a token from signOpenIDLocked: shape, header,
// signature, issuer and expiry. The caller holds s.mu and checks the
// audience.
func (s *Service) verifyOpenIDLocked(tok string) (openIDClaims, error) {
	var c openIDClaims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || s.sig == nil {
		return c, errBadOpenIDToken
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return c, errBadOpenIDToken
	}
	var h struct{ Alg, Kid string }
	if json.Unmarshal(hb, &h) != nil || h.Alg != "RS512" || h.Kid != s.sig.kid {
		return c, errBadOpenIDToken
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return c, errBadOpenIDToken
	}
	sum := sha512.Sum512([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&s.sig.key.PublicKey, crypto.SHA512, sum[:], sig) != nil {
		return c, errBadOpenIDToken
	}
	pb, err := b64.DecodeString(parts[1])
	if err != nil || json.Unmarshal(pb, &c) != nil || c.Iss != OpenIDIssuer || c.Sub == "" {
		return c, errBadOpenIDToken
	}
	if now := s.cfg.Now().Unix(); now >= c.Exp {
		return c, fmt.Errorf("Token expired: %d >= %d", now, c.Exp)
	}
	return c, nil
}

// newOpenIDLocked signs a token for ident lasting d. The caller holds s.mu.
func (s *Service) newOpenIDLocked(ident *Identity, amr []string, d time.Duration, tags map[string]string) (string, error) {
	now := s.cfg.Now()
	return s.signOpenIDLocked(openIDClaims{
		Iss: OpenIDIssuer, Sub: ident.ID, Aud: ident.PoolID, AMR: amr,
		Iat: now.Unix(), Exp: now.Add(d).Unix(), Tags: toTagsClaim(tags),
	})
}
