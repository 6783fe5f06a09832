package userpool

import (
	"crypto/rsa"
	"crypto/x509"
	"io"
)

// GenerateKey makes a pool's signing keys. Tests may replace it to reuse
// pre-generated keys; the product always generates fresh keys per pool.
var GenerateKey = func(r io.Reader) (*rsa.PrivateKey, error) { return rsa.GenerateKey(r, 2048) }

// poolKeys returns the pool's ID-token and access-token signing keys, as
// Cognito has one of each, generating what is missing on first use
// (RSA-2048 generation is slow, and many test pools never sign a token). A
// pool of an older state, with one key, keeps it for its ID tokens and
// gets a second one for its access tokens. The caller holds s.mu; the
// pool's value changes when a key is made, so the next Save writes it.
func (s *Server) poolKeys(p *pool) (idKey, accessKey *rsa.PrivateKey, err error) {
	if p.rsaKey == nil {
		if p.rsaKey, p.KeyDER, p.Kid, err = s.loadOrMakeKey(p, p.KeyDER, p.Kid, ""); err != nil {
			return nil, nil, err
		}
	}
	if p.accessKey == nil {
		if p.accessKey, p.AccessKeyDER, p.AccessKid, err = s.loadOrMakeKey(p, p.AccessKeyDER, p.AccessKid, p.Kid); err != nil {
			return nil, nil, err
		}
	}
	return p.rsaKey, p.accessKey, nil
}

// loadOrMakeKey parses der (stored with kid), or, when it is empty,
// generates a key whose kid differs from notKid.
func (s *Server) loadOrMakeKey(p *pool, der []byte, kid, notKid string) (*rsa.PrivateKey, []byte, string, error) {
	if len(der) > 0 {
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, nil, "", errorf("InternalErrorException", "cognitotest: stored key of pool %s is corrupt", p.ID)
		}
		if kid == "" {
			kid = thumbprint(&k.PublicKey)
		}
		return k, der, kid, nil
	}
	for range 8 {
		k, err := GenerateKey(s.opts.Rand)
		if err != nil {
			return nil, nil, "", errorf("InternalErrorException", "cognitotest: generate key: %v", err)
		}
		if kid := thumbprint(&k.PublicKey); kid != notKid {
			return k, x509.MarshalPKCS1PrivateKey(k), kid, nil
		}
	}
	return nil, nil, "", errorf("InternalErrorException", "cognitotest: generate key: the same key again")
}

// verificationKey is the pool's key whose kid is kid (either token
// type's), nil when there is none. It never generates a key.
func (p *pool) verificationKey(kid string) *rsa.PublicKey {
	for _, c := range []struct {
		der []byte
		kid string
		key **rsa.PrivateKey
	}{{p.KeyDER, p.Kid, &p.rsaKey}, {p.AccessKeyDER, p.AccessKid, &p.accessKey}} {
		if c.kid == "" || c.kid != kid {
			continue
		}
		if *c.key == nil {
			k, err := x509.ParsePKCS1PrivateKey(c.der)
			if err != nil {
				return nil
			}
			*c.key = k
		}
		return &(*c.key).PublicKey
	}
	return nil
}
