package srp

import (
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
)

// devicePasswordBytes is the number of random bytes in a device password,
// as amazon-cognito-identity-js draws them.
const devicePasswordBytes = 40

// DeviceVerifier is what ConfirmDevice needs to remember a device, plus the
// password the client keeps to answer DEVICE_PASSWORD_VERIFIER later.
type DeviceVerifier struct {
	// Password is the random device password (base64 of 40 random bytes).
	// It is a secret: store it with the device key and group key.
	Password string
	// Salt is DeviceSecretVerifierConfig.Salt: base64 of padHex(salt).
	Salt string
	// PasswordVerifier is DeviceSecretVerifierConfig.PasswordVerifier:
	// base64 of padHex(g^x mod N).
	PasswordVerifier string
}

// String never shows the password.
func (d DeviceVerifier) String() string {
	return "srp.DeviceVerifier{Password: [redacted], Salt: " + d.Salt + "}"
}

// Format prints String with every fmt verb, so that %#v, %d and %x do not
// show the password either.
func (d DeviceVerifier) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, d.String()) }

// NewDeviceVerifier draws a device password (40 bytes) and then a 16-byte
// salt from random (crypto/rand when nil), in that order, and computes the
// verifier for realm deviceGroupKey and user deviceKey.
func NewDeviceVerifier(deviceGroupKey, deviceKey string, random io.Reader) (DeviceVerifier, error) {
	if random == nil {
		random = defaultRand()
	}
	pw := make([]byte, devicePasswordBytes)
	if _, err := io.ReadFull(random, pw); err != nil {
		return DeviceVerifier{}, fmt.Errorf("srp: reading randomness: %w", err)
	}
	sb := make([]byte, saltBytes)
	if _, err := io.ReadFull(random, sb); err != nil {
		return DeviceVerifier{}, fmt.Errorf("srp: reading randomness: %w", err)
	}
	password := base64.StdEncoding.EncodeToString(pw)
	salt := new(big.Int).SetBytes(sb)
	v := ComputeVerifier(deviceGroupKey, deviceKey, password, salt)
	return DeviceVerifier{
		Password:         password,
		Salt:             base64.StdEncoding.EncodeToString(padBytes(salt)),
		PasswordVerifier: base64.StdEncoding.EncodeToString(padBytes(v)),
	}, nil
}
