package main

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cognitokit/cognitokit/cognito"
)

// pendingSignIn is what a sign-in needs between GET /login and the
// callback. It travels in the browser's login cookie, sealed, so that the
// server stores nothing for a sign-in until it completes: a flood of
// anonymous /login requests costs CPU, never memory, and cannot lock
// anyone out.
type pendingSignIn struct {
	Verifier string `json:"v"` // PKCE code verifier, secret until the code exchange
	Nonce    string `json:"n"` // CSRF nonce of the signed state (cognito.StateCodec)
	IssuedAt int64  `json:"t"` // Unix seconds
}

// maxSealedLen bounds the cookie value Open accepts; a real one is about
// 180 bytes.
const maxSealedLen = 1024

// sealAAD binds a sealed value to its purpose and version.
var sealAAD = []byte("cognitokit-webapp-login-v1")

// sealer seals pending sign-ins with AES-256-GCM under a key that lives in
// this process only (a restart ends the sign-ins in flight, which then
// start again). Sealing hides the PKCE verifier from anyone who reads the
// cookie (a log, a proxy, a browser extension) and makes the cookie
// tamper-proof; the issue time bounds its life on the server's clock,
// whatever the browser does with Max-Age.
type sealer struct {
	aead  cipher.AEAD
	ttl   time.Duration
	clock func() time.Time
}

func newSealer(ttl time.Duration, clock func() time.Time) (*sealer, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, ttl: ttl, clock: clock}, nil
}

// seal returns p, stamped with the current time, as an opaque cookie value:
// base64url(nonce || AES-GCM ciphertext and tag).
func (s *sealer) seal(p pendingSignIn) (string, error) {
	p.IssuedAt = s.clock().Unix()
	plain, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, sealAAD)), nil
}

// open returns the pending sign-in sealed in v. Errors wrap
// cognito.ErrInvalidState (malformed, tampered, or sealed by another
// process) or cognito.ErrStateExpired (older than the TTL).
func (s *sealer) open(v string) (pendingSignIn, error) {
	var p pendingSignIn
	if len(v) > maxSealedLen {
		return p, fmt.Errorf("webapp: login cookie of %d bytes: %w", len(v), cognito.ErrInvalidState)
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return p, fmt.Errorf("webapp: login cookie is malformed: %w", cognito.ErrInvalidState)
	}
	ns := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:ns], raw[ns:], sealAAD)
	if err != nil {
		return p, fmt.Errorf("webapp: login cookie does not open: %w", cognito.ErrInvalidState)
	}
	if err := json.Unmarshal(plain, &p); err != nil || p.Verifier == "" || p.Nonce == "" {
		return pendingSignIn{}, fmt.Errorf("webapp: login cookie content: %w", cognito.ErrInvalidState)
	}
	age := s.clock().Sub(time.Unix(p.IssuedAt, 0))
	if age > s.ttl || age < -time.Minute {
		return pendingSignIn{}, fmt.Errorf("webapp: login cookie issued %v ago: %w", age.Round(time.Second), cognito.ErrStateExpired)
	}
	return p, nil
}
