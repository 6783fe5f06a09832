package userpool

import (
	"bytes"
	"math/big"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// newSalt draws an SRP salt for a password verifier (or for the fake
// challenge of an unknown user, which must look the same). Cognito's
// salts are read as signed integers, yet real Cognito rarely sends a
// negative one, and some clients (pycognito) mishandle them: by default
// the salt's leading bit is cleared, so it is positive; with
// Options.NegativeSalts it is set, so every salt is negative, for tests of
// clients that must cope with both signs.
func (s *Server) newSalt() (*big.Int, error) {
	b := s.randBytes(16)
	if s.opts.NegativeSalts {
		b[0] |= 0x80
	} else {
		b[0] &= 0x7f
	}
	return srp.NewSalt(bytes.NewReader(b))
}
