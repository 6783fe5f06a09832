package cognitotest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

// KindSignInCode is the Message.Kind of a first-factor code of a USER_AUTH
// sign-in (EMAIL_OTP or SMS_OTP).
const KindSignInCode = userpool.KindSignInCode

// ErrPasskeyOptions is wrapped by Passkey's errors about the options it was
// given: not WebAuthn options JSON, or excluding or not allowing its
// credential.
var ErrPasskeyOptions = errors.New("cognitotest: unusable WebAuthn options")

// Passkey is a software WebAuthn authenticator holding one ES256
// credential, so that Go tests can register a passkey
// (StartWebAuthnRegistration's options → Create → CompleteWebAuthnRegistration)
// and sign in with it (a WEB_AUTHN challenge's CREDENTIAL_REQUEST_OPTIONS →
// Get → the CREDENTIAL answer). It plays the browser too: it writes the
// clientDataJSON with Origin.
//
// Its exported fields bend it into the mistakes the emulator must refuse;
// set them before Create or Get, not while another goroutine calls them.
type Passkey struct {
	// Origin is the origin the browser reports, e.g. "https://auth.example.com".
	Origin string
	// RPID, when set, is hashed into the authenticator data instead of the
	// options' relying-party ID (a credential for another relying party).
	RPID string
	// Attestation is "none" (the default) or "packed" (self attestation).
	Attestation string
	// NoUserVerification leaves the user-verified (UV) flag clear, as an
	// authenticator without a PIN or biometric does.
	NoUserVerification bool
	// Challenge, when set, is signed instead of the options' challenge (a
	// replayed or forged challenge), base64url.
	Challenge string

	mu      sync.Mutex
	key     *ecdsa.PrivateKey
	id      []byte
	user    []byte
	counter uint32
}

// NewPasskey makes an authenticator with a new P-256 key and a random
// 16-byte credential ID, used from origin.
func NewPasskey(origin string) (*Passkey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cognitotest: passkey key: %w", err)
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("cognitotest: passkey ID: %w", err)
	}
	return &Passkey{Origin: origin, key: key, id: id}, nil
}

// MustNewPasskey is NewPasskey for tests: it panics on error.
func MustNewPasskey(origin string) *Passkey { return must(NewPasskey(origin)) }

// CredentialID is the credential's ID, base64url without padding (as
// ListWebAuthnCredentials shows it).
func (k *Passkey) CredentialID() string { return b64u(k.id) }

// Counter is the signature counter of the last assertion (0 before any).
func (k *Passkey) Counter() uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.counter
}

// SetCounter sets the signature counter; the next assertion signs n+1.
// Setting it back imitates a cloned authenticator.
func (k *Passkey) SetCounter(n uint32) {
	k.mu.Lock()
	k.counter = n
	k.mu.Unlock()
}

// String names the credential, never the key.
func (k *Passkey) String() string { return "cognitotest.Passkey{" + k.CredentialID() + "}" }

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// webauthnOptions is what Create and Get read of creation or request
// options (PublicKeyCredentialCreationOptionsJSON /
// PublicKeyCredentialRequestOptionsJSON, optionally under "publicKey").
type webauthnOptions struct {
	Challenge string `json:"challenge"`
	RPID      string `json:"rpId"`
	RP        struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Exclude []struct {
		ID string `json:"id"`
	} `json:"excludeCredentials"`
	Allow []struct {
		ID string `json:"id"`
	} `json:"allowCredentials"`
	PublicKey *json.RawMessage `json:"publicKey"`
}

func parseWebAuthnOptions(b []byte) (*webauthnOptions, error) {
	var o webauthnOptions
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPasskeyOptions, err)
	}
	if o.PublicKey != nil {
		return parseWebAuthnOptions(*o.PublicKey)
	}
	if o.Challenge == "" {
		return nil, fmt.Errorf("%w: no challenge", ErrPasskeyOptions)
	}
	return &o, nil
}

func listed(l []struct {
	ID string `json:"id"`
}, id string) bool {
	return slices.ContainsFunc(l, func(c struct {
		ID string `json:"id"`
	}) bool {
		return c.ID == id
	})
}

// clientData writes clientDataJSON for a ceremony ("webauthn.create" or
// "webauthn.get") and returns it with its SHA-256.
func (k *Passkey) clientData(typ, challenge string) ([]byte, [32]byte) {
	if k.Challenge != "" {
		challenge = k.Challenge
	}
	cd, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": k.Origin, "crossOrigin": false})
	return cd, sha256.Sum256(cd)
}

// authData builds authenticator data for rpID with the given extra flags
// and, when attested is set, the credential's ID and public key.
func (k *Passkey) authData(rpID string, flags byte, attested []byte) []byte {
	if k.RPID != "" {
		rpID = k.RPID
	}
	h := sha256.Sum256([]byte(rpID))
	flags |= 0x01 // UP
	if !k.NoUserVerification {
		flags |= 0x04 // UV
	}
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, k.counter)
	return append(out, attested...)
}

func (k *Passkey) sign(data ...[]byte) ([]byte, error) {
	h := sha256.New()
	for _, d := range data {
		h.Write(d)
	}
	return ecdsa.SignASN1(rand.Reader, k.key, h.Sum(nil))
}

// Create answers creation options (StartWebAuthnRegistration's) with a
// RegistrationResponseJSON for CompleteWebAuthnRegistration. The options
// must not exclude this credential.
func (k *Passkey) Create(options []byte) (json.RawMessage, error) {
	o, err := parseWebAuthnOptions(options)
	if err != nil {
		return nil, err
	}
	if listed(o.Exclude, k.CredentialID()) {
		return nil, fmt.Errorf("%w: the credential is excluded (already registered)", ErrPasskeyOptions)
	}
	user, err := base64.RawURLEncoding.DecodeString(o.User.ID)
	if err != nil || len(user) == 0 {
		return nil, fmt.Errorf("%w: bad user.id", ErrPasskeyOptions)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.user = user
	pub := k.key.PublicKey
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1,
		-2: pub.X.FillBytes(make([]byte, 32)), -3: pub.Y.FillBytes(make([]byte, 32))})
	if err != nil {
		return nil, fmt.Errorf("cognitotest: passkey: %w", err)
	}
	attested := make([]byte, 16) // AAGUID: zero
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(k.id)))
	attested = append(append(attested, k.id...), cose...)
	cd, cdHash := k.clientData("webauthn.create", o.Challenge)
	ad := k.authData(o.RP.ID, 0x40, attested) // AT
	stmt := map[string]any{}
	format := "none"
	if k.Attestation == "packed" {
		sig, err := k.sign(ad, cdHash[:])
		if err != nil {
			return nil, fmt.Errorf("cognitotest: passkey: %w", err)
		}
		format, stmt = "packed", map[string]any{"alg": -7, "sig": sig}
	}
	att, err := webauthncbor.Marshal(map[string]any{"fmt": format, "attStmt": stmt, "authData": ad})
	if err != nil {
		return nil, fmt.Errorf("cognitotest: passkey: %w", err)
	}
	return json.Marshal(map[string]any{
		"id": k.CredentialID(), "rawId": k.CredentialID(), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{"clientDataJSON": b64u(cd), "attestationObject": b64u(att),
			"transports": []string{"internal"}},
	})
}

// Get answers request options (a WEB_AUTHN challenge's
// CREDENTIAL_REQUEST_OPTIONS) with an AuthenticationResponseJSON, the
// CREDENTIAL of the answer; each assertion counts the signature counter up
// by one. The options must allow this credential when they list any.
func (k *Passkey) Get(options []byte) (json.RawMessage, error) {
	o, err := parseWebAuthnOptions(options)
	if err != nil {
		return nil, err
	}
	if len(o.Allow) > 0 && !listed(o.Allow, k.CredentialID()) {
		return nil, fmt.Errorf("%w: the credential is not allowed", ErrPasskeyOptions)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.counter++
	cd, cdHash := k.clientData("webauthn.get", o.Challenge)
	ad := k.authData(o.RPID, 0, nil)
	sig, err := k.sign(ad, cdHash[:])
	if err != nil {
		return nil, fmt.Errorf("cognitotest: passkey: %w", err)
	}
	resp := map[string]any{"clientDataJSON": b64u(cd), "authenticatorData": b64u(ad), "signature": b64u(sig)}
	if len(k.user) > 0 {
		resp["userHandle"] = b64u(k.user)
	}
	return json.Marshal(map[string]any{
		"id": k.CredentialID(), "rawId": k.CredentialID(), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{}, "response": resp,
	})
}
