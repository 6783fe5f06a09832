// Package srp implements the variant of SRP-6a (RFC 5054, RFC 2945) that
// Amazon Cognito uses for USER_SRP_AUTH and device authentication, both the
// client half (what amazon-cognito-identity-js's AuthenticationHelper does)
// and the server half (what the emulator in cognito/cognitotest needs).
//
// Cognito's variant, in full:
//
//   - Group: the 3072-bit MODP prime of RFC 3526 §4, generator g = 2.
//   - Hash H: SHA-256. Integers enter hashes as the bytes of their "padHex"
//     form (see PadHex), which is Java's BigInteger.toByteArray: big-endian
//     two's complement, a 0x00 byte prepended when a positive number's top
//     bit is set.
//   - k = H(padHex(N) | padHex(g)).
//   - x = H(padHex(salt) | H(realm | userID | ":" | password)) where realm is
//     the pool name (the part of the pool ID after "_") and userID is
//     USER_ID_FOR_SRP; for devices, realm is the device group key and userID
//     the device key.
//   - A = g^a, B = k·v + g^b, u = H(padHex(A) | padHex(B)), all mod N.
//   - S = (B − k·g^x)^(a + u·x) on the client, (A·v^u)^b on the server.
//   - K = HKDF-SHA256(ikm = padHex(S), salt = padHex(u),
//     info = "Caldera Derived Key"), first 16 bytes.
//   - PASSWORD_CLAIM_SIGNATURE = base64(HMAC-SHA256(K, realm | userID |
//     SECRET_BLOCK bytes | TIMESTAMP)) with TIMESTAMP formatted as
//     "Mon Jan 2 15:04:05 UTC 2006" (unpadded day, 24-hour clock).
//
// Values from the other side (SRP_A, SRP_B, SALT, base64 verifiers) are
// parsed as signed integers and checked: A mod N = 0, B mod N = 0 and u = 0
// are refused, and malformed input returns an error wrapping ErrMalformed,
// never a panic.
//
// Randomness is injectable (a nil io.Reader means crypto/rand) and every
// function that needs the time takes it as an argument.
//
// # Speed
//
// A server that keeps b and B with the login session resumes with
// RestoreServerWithB instead of RestoreServer and skips one 3072-bit
// modular exponentiation (g^b) per PASSWORD_VERIFIER, about half of that
// step's cost. Figures, and the commands that rerun them, are in the
// repository's benchmarks/README.md.
package srp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"
)

// Errors returned by this package. Every error it returns wraps one of them.
var (
	// ErrMalformed reports hex, base64 or timestamp input that cannot be
	// parsed.
	ErrMalformed = errors.New("srp: malformed input")
	// ErrBadPublicValue reports an SRP_A or SRP_B that is 0 mod N, which
	// would let the other side force the shared secret.
	ErrBadPublicValue = errors.New("srp: public value is zero mod N")
	// ErrBadScrambler reports u = H(A|B) = 0.
	ErrBadScrambler = errors.New("srp: scrambling parameter u is zero")
	// ErrProofMismatch reports a PASSWORD_CLAIM_SIGNATURE that does not
	// verify.
	ErrProofMismatch = errors.New("srp: password claim signature does not match")
)

// nHex is the 3072-bit prime of RFC 3526 §4.
const nHex = "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1" +
	"29024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
	"EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245" +
	"E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
	"EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D" +
	"C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
	"83655D23DCA3AD961C62F356208552BB9ED529077096966D" +
	"670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
	"E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9" +
	"DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
	"15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64" +
	"ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
	"ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B" +
	"F12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
	"BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31" +
	"43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"

var (
	groupN = mustHexInt(nHex)
	groupG = big.NewInt(2)
	groupK = new(big.Int).SetBytes(hashBytes(padBytes(groupN), padBytes(groupG)))
)

// infoBits is the HKDF info string Cognito uses.
const infoBits = "Caldera Derived Key"

// privateBytes is the size of the random private values a and b, as in
// amazon-cognito-identity-js (128 bytes).
const privateBytes = 128

// N returns a copy of the group prime.
func N() *big.Int { return new(big.Int).Set(groupN) }

// G returns a copy of the group generator, 2.
func G() *big.Int { return new(big.Int).Set(groupG) }

// K returns a copy of the multiplier k = H(padHex(N) | padHex(g)).
func K() *big.Int { return new(big.Int).Set(groupK) }

func mustHexInt(s string) *big.Int {
	v, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("srp: bad constant")
	}
	return v
}

// PoolName returns the part of a user pool ID after its underscore
// ("us-east-1_Abc" → "Abc"), the realm Cognito hashes into x. An ID with no
// underscore is returned whole.
func PoolName(userPoolID string) string {
	if i := strings.IndexByte(userPoolID, '_'); i >= 0 {
		return userPoolID[i+1:]
	}
	return userPoolID
}

// padBytes returns x in Java's BigInteger.toByteArray form: the shortest
// big-endian two's-complement encoding, so a positive number whose top bit
// is set gets a leading 0x00 and a negative number's top bit is set.
func padBytes(x *big.Int) []byte {
	if x.Sign() >= 0 {
		b := x.Bytes()
		if len(b) == 0 {
			return []byte{0}
		}
		if b[0]&0x80 != 0 {
			return append([]byte{0}, b...)
		}
		return b
	}
	// Two's complement of a negative x in n bytes is 2^(8n) + x; choose the
	// smallest n whose range [-2^(8n-1), 0) holds x.
	abs := new(big.Int).Neg(x)
	n := (abs.BitLen() + 7) / 8
	if n == 0 {
		n = 1
	}
	for {
		limit := new(big.Int).Lsh(big.NewInt(1), uint(8*n-1))
		if abs.Cmp(limit) <= 0 {
			break
		}
		n++
	}
	v := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
	v.Add(v, x)
	b := v.Bytes()
	out := make([]byte, n)
	copy(out[n-len(b):], b)
	return out
}

// PadHex returns x as lowercase hex of its Java-style two's-complement
// encoding (see the package doc): 0x80 → "0080", −0x7d → "83", −0x84 → "ff7c".
func PadHex(x *big.Int) string { return hex.EncodeToString(padBytes(x)) }

// ParseInt parses a signed hexadecimal integer as servers send SRP_B, SALT
// and SRP_A: lowercase or uppercase, any length (odd lengths included), an
// optional leading '-'. Anything else returns an error wrapping ErrMalformed.
func ParseInt(s string) (*big.Int, error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 4096 {
		return nil, fmt.Errorf("%w: hex integer of %d characters", ErrMalformed, len(s))
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, fmt.Errorf("%w: not a hex integer (byte %d)", ErrMalformed, i)
		}
	}
	v, ok := new(big.Int).SetString(digits, 16)
	if !ok {
		return nil, fmt.Errorf("%w: not a hex integer", ErrMalformed)
	}
	if len(digits) != len(s) {
		v.Neg(v)
	}
	return v, nil
}

// ParseBase64Int decodes a base64 (standard, padded) big-endian two's
// complement integer, the form of ConfirmDevice's Salt and PasswordVerifier.
func ParseBase64Int(b64 string) (*big.Int, error) {
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%w: not a base64 integer", ErrMalformed)
	}
	v := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return v, nil
}

// timestampLayout is Cognito's TIMESTAMP: unpadded day of month, 24-hour
// clock, always UTC.
const timestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// FormatTimestamp formats t (converted to UTC) as Cognito's TIMESTAMP
// challenge parameter, e.g. "Tue Jul 10 11:01:00 UTC 2018".
func FormatTimestamp(t time.Time) string { return t.UTC().Format(timestampLayout) }

// ParseTimestamp parses a TIMESTAMP as FormatTimestamp writes it. It also
// accepts a zero-padded day, which some clients send.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(timestampLayout, s)
	if err != nil {
		t, err = time.Parse("Mon Jan 02 15:04:05 UTC 2006", s)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: TIMESTAMP is not of the form %q", ErrMalformed, timestampLayout)
	}
	return t, nil
}

// SecretHash returns Cognito's SECRET_HASH for an app client with a secret:
// base64(HMAC-SHA256(clientSecret, username | clientID)).
func SecretHash(username, clientID, clientSecret string) string {
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write([]byte(username))
	m.Write([]byte(clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func hashBytes(parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

// scrambler returns u = H(padHex(A) | padHex(B)).
func scrambler(A, B *big.Int) (*big.Int, error) {
	u := new(big.Int).SetBytes(hashBytes(padBytes(A), padBytes(B)))
	if u.Sign() == 0 {
		return nil, ErrBadScrambler
	}
	return u, nil
}

// privateKey returns x = H(padHex(salt) | H(realm | userID | ":" | password)).
func privateKey(realm, userID, password string, salt *big.Int) *big.Int {
	inner := sha256.Sum256([]byte(realm + userID + ":" + password))
	return new(big.Int).SetBytes(hashBytes(padBytes(salt), inner[:]))
}

// derivedKey is the "Caldera Derived Key": HKDF-SHA256 with ikm = padHex(S),
// salt = padHex(u), one block, first 16 bytes.
func derivedKey(S, u *big.Int) []byte {
	extract := hmac.New(sha256.New, padBytes(u))
	extract.Write(padBytes(S))
	prk := extract.Sum(nil)
	expand := hmac.New(sha256.New, prk)
	expand.Write([]byte(infoBits))
	expand.Write([]byte{1})
	return expand.Sum(nil)[:16]
}

// claimSignature is base64(HMAC-SHA256(key, realm | userID | secretBlock | timestamp)).
func claimSignature(key []byte, realm, userID string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(realm))
	m.Write([]byte(userID))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

func defaultRand() io.Reader { return rand.Reader }

func randomPrivate(random io.Reader) (*big.Int, error) {
	if random == nil {
		random = defaultRand()
	}
	buf := make([]byte, privateBytes)
	if _, err := io.ReadFull(random, buf); err != nil {
		return nil, fmt.Errorf("srp: reading randomness: %w", err)
	}
	v := new(big.Int).SetBytes(buf)
	v.Mod(v, groupN)
	if v.Sign() == 0 {
		return nil, errors.New("srp: random private value is zero")
	}
	return v, nil
}

func decodeSecretBlock(secretBlock string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(secretBlock)
	if err != nil {
		return nil, fmt.Errorf("%w: SECRET_BLOCK is not base64", ErrMalformed)
	}
	return b, nil
}

func checkPublic(v *big.Int, name string) error {
	if new(big.Int).Mod(v, groupN).Sign() == 0 {
		return fmt.Errorf("%w (%s)", ErrBadPublicValue, name)
	}
	return nil
}
