package srp

import (
	"fmt"
	"io"
	"math/big"
)

// saltBytes is the size of the random salts NewSalt draws.
const saltBytes = 16

// NewSalt draws a random 128-bit salt from random (crypto/rand when nil).
// The bytes are read as a signed two's-complement integer, as Java's
// BigInteger(byte[]) does, so about half of the salts are negative: clients
// must cope with both signs, and the emulator makes sure they do.
func NewSalt(random io.Reader) (*big.Int, error) {
	if random == nil {
		random = defaultRand()
	}
	b := make([]byte, saltBytes)
	if _, err := io.ReadFull(random, b); err != nil {
		return nil, fmt.Errorf("srp: reading randomness: %w", err)
	}
	v := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), 8*saltBytes))
	}
	return v, nil
}

// ComputeVerifier returns the password verifier v = g^x mod N with
// x = H(padHex(salt) | H(realm | userID | ":" | password)). A server stores
// v and the salt instead of the password.
func ComputeVerifier(realm, userID, password string, salt *big.Int) *big.Int {
	x := privateKey(realm, userID, password, salt)
	return x.Exp(groupG, x, groupN)
}

// Server is the server half of one SRP login. It holds the verifier v, the
// private value b and B = k·v + g^b mod N. Store Private() (and SRPB(),
// to resume without recomputing B) with the login session, and resume with
// RestoreServer or RestoreServerWithB on the next request.
type Server struct {
	v, b, B *big.Int
}

// NewServer starts a login for a user whose verifier is v, drawing b from
// random (crypto/rand when nil).
func NewServer(verifier *big.Int, random io.Reader) (*Server, error) {
	if verifier == nil || verifier.Sign() <= 0 {
		return nil, fmt.Errorf("%w: verifier must be positive", ErrMalformed)
	}
	for i := 0; i < 4; i++ {
		b, err := randomPrivate(random)
		if err != nil {
			return nil, err
		}
		s, err := RestoreServer(verifier, b)
		if err == nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: could not draw a usable b", ErrBadPublicValue)
}

// RestoreServer rebuilds a Server from its verifier and private value b.
func RestoreServer(verifier, b *big.Int) (*Server, error) {
	if verifier == nil || verifier.Sign() <= 0 || b == nil || b.Sign() <= 0 {
		return nil, fmt.Errorf("%w: verifier and b must be positive", ErrMalformed)
	}
	B := new(big.Int).Exp(groupG, b, groupN)
	kv := new(big.Int).Mul(groupK, verifier)
	B.Add(B, kv)
	B.Mod(B, groupN)
	if B.Sign() == 0 {
		return nil, ErrBadPublicValue
	}
	return &Server{v: verifier, b: b, B: B}, nil
}

// RestoreServerWithB rebuilds a Server from its verifier, its private value
// b and the public value B it sent (SRP_B), skipping the modular
// exponentiation g^b that RestoreServer repeats. B is trusted: it must be
// the value this server computed for b and stored with the login session
// itself, never a value a client sent. It is checked to lie in [1, N-1]
// but not recomputed; since the proof binds B (u = H(A | B)), a B other
// than the one the client was sent makes verification fail. The Server
// keeps B (callers must not modify it afterwards).
func RestoreServerWithB(verifier, b, B *big.Int) (*Server, error) {
	if verifier == nil || verifier.Sign() <= 0 || b == nil || b.Sign() <= 0 || B == nil {
		return nil, fmt.Errorf("%w: verifier, b and B must be positive", ErrMalformed)
	}
	if B.Sign() <= 0 || B.Cmp(groupN) >= 0 {
		return nil, fmt.Errorf("%w: B is not in [1, N-1]", ErrBadPublicValue)
	}
	return &Server{v: verifier, b: b, B: B}, nil
}

// SRPB returns B as the lowercase hex the SRP_B challenge parameter carries.
func (s *Server) SRPB() string { return s.B.Text(16) }

// Private returns a copy of b, for storing with the login session.
func (s *Server) Private() *big.Int { return new(big.Int).Set(s.b) }

// VerifyClaim checks a PASSWORD_CLAIM_SIGNATURE. realm and userID follow
// the client's convention (pool name and USER_ID_FOR_SRP, or device group
// key and device key); srpA is the SRP_A the client sent with InitiateAuth,
// salt the user's salt, secretBlock the base64 SECRET_BLOCK this server
// issued, timestamp the client's TIMESTAMP (the caller checks that it is
// recent with ParseTimestamp). The comparison is constant-time. A wrong
// proof returns ErrProofMismatch.
func (s *Server) VerifyClaim(realm, userID, srpA string, salt *big.Int, secretBlock, timestamp, signature string) error {
	A, err := ParseInt(srpA)
	if err != nil {
		return fmt.Errorf("SRP_A: %w", err)
	}
	if err := checkPublic(A, "SRP_A"); err != nil {
		return err
	}
	block, err := decodeSecretBlock(secretBlock)
	if err != nil {
		return err
	}
	key, err := s.sessionKey(A)
	if err != nil {
		return err
	}
	_ = salt // the salt is already folded into v; kept in the signature for symmetry with the client
	return verifyEqual(claimSignature(key, realm, userID, block, timestamp), signature)
}

// sessionKey computes K from the client's A: S = (A·v^u)^b mod N.
func (s *Server) sessionKey(A *big.Int) ([]byte, error) {
	u, err := scrambler(A, s.B)
	if err != nil {
		return nil, err
	}
	S := new(big.Int).Exp(s.v, u, groupN)
	S.Mul(S, new(big.Int).Mod(A, groupN))
	S.Mod(S, groupN)
	S.Exp(S, s.b, groupN)
	return derivedKey(S, u), nil
}
