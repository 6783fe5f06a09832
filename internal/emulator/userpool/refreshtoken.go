package userpool

// refreshHeader is the protected header of Cognito's refresh tokens, which
// are JWE (RFC 7516) compact serializations encrypted to a key only
// Cognito holds: {"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}.
var refreshHeader = b64([]byte(`{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}`))

// Sizes, in bytes, of the parts of a minted refresh token: an RSA-2048
// encrypted key, a GCM nonce, a ciphertext and a GCM tag.
const (
	refreshKeyBytes    = 256
	refreshIVBytes     = 12
	refreshCipherBytes = 384
	refreshTagBytes    = 16
)

// newRefreshToken mints an opaque refresh token shaped as Cognito's: five
// base64url parts separated by dots (a JWE compact serialization), all
// random after the header. Nothing in it is decrypted or read back: the
// server finds a refresh token by its SHA-256 (hashToken), so the token
// carries no claim a client could rely on, as Cognito's carry none a
// client can read.
func (s *Server) newRefreshToken() string {
	return refreshHeader + "." + b64(s.randBytes(refreshKeyBytes)) + "." + b64(s.randBytes(refreshIVBytes)) +
		"." + b64(s.randBytes(refreshCipherBytes)) + "." + b64(s.randBytes(refreshTagBytes))
}
