package srp

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"time"
)

// Client is the client half of one SRP login: it holds the private value a
// and the public value A = g^a mod N. A Client answers one challenge; make a
// new one for every InitiateAuth. It is not safe for concurrent use.
type Client struct {
	a, A *big.Int
}

// NewClient draws a fresh private value from random (crypto/rand when nil)
// and computes A.
func NewClient(random io.Reader) (*Client, error) {
	a, err := randomPrivate(random)
	if err != nil {
		return nil, err
	}
	return newClientFromPrivate(a), nil
}

// newClientFromPrivate builds a Client from a known a (tests and vectors).
func newClientFromPrivate(a *big.Int) *Client {
	return &Client{a: a, A: new(big.Int).Exp(groupG, a, groupN)}
}

// SRPA returns A as the lowercase hex the SRP_A auth parameter carries.
func (c *Client) SRPA() string { return c.A.Text(16) }

// PasswordClaim answers a PASSWORD_VERIFIER (or DEVICE_PASSWORD_VERIFIER)
// challenge. realm is the pool name (PoolName of the user pool ID) and
// userID the challenge's USER_ID_FOR_SRP; for a device, realm is the device
// group key, userID the device key and password the device password. srpB
// and salt are the challenge's SRP_B and SALT (signed hex), secretBlock its
// SECRET_BLOCK (base64). It returns PASSWORD_CLAIM_SIGNATURE and TIMESTAMP.
//
// Errors wrap ErrMalformed, ErrBadPublicValue or ErrBadScrambler; none of
// them contains the password.
func (c *Client) PasswordClaim(realm, userID, password, srpB, salt, secretBlock string, now time.Time) (signature, timestamp string, err error) {
	B, err := ParseInt(srpB)
	if err != nil {
		return "", "", fmt.Errorf("SRP_B: %w", err)
	}
	s, err := ParseInt(salt)
	if err != nil {
		return "", "", fmt.Errorf("SALT: %w", err)
	}
	block, err := decodeSecretBlock(secretBlock)
	if err != nil {
		return "", "", err
	}
	key, err := c.sessionKey(realm, userID, password, B, s)
	if err != nil {
		return "", "", err
	}
	timestamp = FormatTimestamp(now)
	sig := claimSignature(key, realm, userID, block, timestamp)
	return base64.StdEncoding.EncodeToString(sig), timestamp, nil
}

// sessionKey computes the HKDF key K from the server's B and the salt.
func (c *Client) sessionKey(realm, userID, password string, B, salt *big.Int) ([]byte, error) {
	if err := checkPublic(B, "SRP_B"); err != nil {
		return nil, err
	}
	u, err := scrambler(c.A, B)
	if err != nil {
		return nil, err
	}
	x := privateKey(realm, userID, password, salt)
	S := clientSecret(c.a, B, x, u)
	return derivedKey(S, u), nil
}

// clientSecret returns S = (B − k·g^x)^(a + u·x) mod N.
func clientSecret(a, B, x, u *big.Int) *big.Int {
	gx := new(big.Int).Exp(groupG, x, groupN)
	base := new(big.Int).Mul(groupK, gx)
	base.Sub(B, base)
	base.Mod(base, groupN)
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, a)
	return base.Exp(base, exp, groupN)
}

// verifyEqual reports, in constant time, whether a base64 signature equals
// the expected one.
func verifyEqual(expected []byte, signatureB64 string) error {
	got, err := base64.StdEncoding.DecodeString(signatureB64)
	if err != nil {
		return fmt.Errorf("%w: PASSWORD_CLAIM_SIGNATURE is not base64", ErrMalformed)
	}
	if !hmac.Equal(expected, got) {
		return ErrProofMismatch
	}
	return nil
}
