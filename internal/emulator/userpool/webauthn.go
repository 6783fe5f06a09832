package userpool

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Passkeys (WebAuthn), verified by github.com/go-webauthn/webauthn.
//
// The pool's relying party is its WebAuthnConfiguration (SetUserPoolMfaConfig
// RelyingPartyId and UserVerification "preferred" or "required"); without a
// relying-party ID the operations answer WebAuthnConfigurationMissingException,
// and without WEB_AUTHN among the pool's first factors
// WebAuthnNotEnabledException. An origin is allowed when its host is the
// relying-party ID or a subdomain of it, over https (http for localhost
// only), as browsers require.
//
// Registration (StartWebAuthnRegistration, CompleteWebAuthnRegistration)
// checks the attestation (none, packed and the library's other formats),
// the challenge (single use, registrationTimeout), the origin, the
// relying-party ID hash and the user-presence and, when required,
// user-verification flags. A sign-in (the WEB_AUTHN challenge) checks the
// assertion's signature, challenge, origin, relying-party ID hash, flags
// and sign counter: a counter that does not grow (when either side is not
// zero) is a cloned authenticator and is refused.

const (
	registrationTimeout = 5 * time.Minute
	assertionTimeout    = 3 * time.Minute
	maxPasskeys         = 20
)

// passkey is one registered WebAuthn credential of a user.
type passkey struct {
	Cred       webauthn.Credential `json:"cred"`
	RPID       string              `json:"rpId"`
	Name       string              `json:"name,omitempty"`
	Attachment string              `json:"attachment,omitempty"`
	Created    time.Time           `json:"created"`
}

// passkeyReg is a registration StartWebAuthnRegistration began.
type passkeyReg struct {
	ClientID string    `json:"clientId"`
	Expires  time.Time `json:"expires"`
	Session  string    `json:"session"` // webauthn.SessionData as JSON
}

// waUser presents a user to the WebAuthn library: its handle is the sub.
type waUser struct{ u *user }

func (w waUser) WebAuthnID() []byte { return []byte(w.u.Sub) }
func (w waUser) WebAuthnName() string {
	if e := w.u.Attrs["email"]; e != "" {
		return e
	}
	return w.u.Username
}
func (w waUser) WebAuthnDisplayName() string { return w.WebAuthnName() }
func (w waUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, 0, len(w.u.Passkeys))
	for _, k := range w.u.Passkeys {
		out = append(out, k.Cred)
	}
	return out
}

func errWebAuthn(code, msg string) *APIError { return &APIError{Code: code, Message: msg} }

// passkeysEnabled refuses passkey operations the pool is not set up for.
func (p *pool) passkeysEnabled() error {
	switch {
	case p.tier() == "LITE":
		return errTier("Passkey sign-in")
	case !contains(p.factors(), "WEB_AUTHN"):
		return errWebAuthn("WebAuthnNotEnabledException", "Passkeys are not enabled for this user pool: WEB_AUTHN is not an allowed first factor.")
	case p.WebAuthnRPID == "":
		return errWebAuthn("WebAuthnConfigurationMissingException", "The user pool has no WebAuthn relying party ID.")
	}
	return nil
}

// relyingParty is the library configured as the pool's relying party,
// accepting origin (already checked by originAllowed) or, for the options
// of a ceremony, https://<rp id>.
func (p *pool) relyingParty(origin string) (*webauthn.WebAuthn, error) {
	if origin == "" {
		origin = "https://" + p.WebAuthnRPID
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID: p.WebAuthnRPID, RPDisplayName: p.Name, RPOrigins: []string{origin},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: assertionTimeout, TimeoutUVD: assertionTimeout},
			Registration: webauthn.TimeoutConfig{Timeout: registrationTimeout, TimeoutUVD: registrationTimeout},
		},
	})
	if err != nil {
		return nil, errorf("InternalErrorException", "cognitotest: webauthn: %v", err)
	}
	return wa, nil
}

// originAllowed reports whether a ceremony's origin belongs to relying
// party rpID: https on the RP ID or a subdomain of it (http on localhost).
func originAllowed(rpID, origin string) bool {
	o, err := url.Parse(origin)
	if err != nil || o.Path != "" || o.RawQuery != "" || o.User != nil {
		return false
	}
	host := strings.ToLower(o.Hostname())
	switch o.Scheme {
	case "https":
	case "http":
		if host != "localhost" && !net.ParseIP(host).IsLoopback() {
			return false
		}
	default:
		return false
	}
	return host == rpID || strings.HasSuffix(host, "."+rpID)
}

func (s *Server) uv(p *pool) protocol.UserVerificationRequirement {
	return protocol.UserVerificationRequirement(p.webAuthnUV())
}

// webAuthnDetail is what a library error says, without its debug info.
func webAuthnDetail(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		return pe.Details
	}
	return "verification failed"
}

type webAuthnInput struct {
	AccessToken  string          `json:"AccessToken"`
	Credential   json.RawMessage `json:"Credential"`
	CredentialId string          `json:"CredentialId"`
	NextToken    string          `json:"NextToken"`
	MaxResults   int32           `json:"MaxResults"`
}

// passkeyCaller decodes a passkey operation's input and resolves its access
// token; for registration (register) the pool must be set up for passkeys.
func (s *Server) passkeyCaller(c *call, in *webAuthnInput, register bool) (*pool, *user, *tokenClaims, error) {
	if err := c.decode(in); err != nil {
		return nil, nil, nil, err
	}
	p, u, claims, err := s.authAccess(in.AccessToken, c.now)
	if err != nil {
		return nil, nil, nil, err
	}
	if register {
		if err := p.passkeysEnabled(); err != nil {
			return nil, nil, nil, err
		}
	}
	return p, u, claims, nil
}

func opStartWebAuthnRegistration(s *Server, c *call) (any, error) {
	var in webAuthnInput
	p, u, claims, err := s.passkeyCaller(c, &in, true)
	if err != nil {
		return nil, err
	}
	if len(u.Passkeys) >= maxPasskeys {
		return nil, errorf("LimitExceededException", "The user has the maximum of %d passkeys.", maxPasskeys)
	}
	wa, err := p.relyingParty("")
	if err != nil {
		return nil, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, k := range u.Passkeys {
		exclude = append(exclude, k.Cred.Descriptor())
	}
	creation, sd, err := wa.BeginRegistration(waUser{u}, webauthn.WithExclusions(exclude),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: s.uv(p)}))
	if err != nil {
		return nil, errorf("InternalErrorException", "cognitotest: webauthn: %v", err)
	}
	sd.Expires = time.Time{} // the emulator's clock decides, not the library's
	state, err := json.Marshal(sd)
	if err != nil {
		return nil, errorf("InternalErrorException", "cognitotest: webauthn: %v", err)
	}
	u.PasskeyReg = &passkeyReg{ClientID: claims.ClientID, Expires: c.now.Add(registrationTimeout), Session: string(state)}
	return map[string]any{"CredentialCreationOptions": creation.Response}, nil
}

func opCompleteWebAuthnRegistration(s *Server, c *call) (any, error) {
	var in webAuthnInput
	p, u, claims, err := s.passkeyCaller(c, &in, true)
	if err != nil {
		return nil, err
	}
	if len(in.Credential) == 0 || string(in.Credential) == "null" {
		return nil, required("credential", "")
	}
	reg := u.PasskeyReg
	u.PasskeyReg = nil // single use
	if reg == nil || c.now.After(reg.Expires) {
		return nil, errWebAuthn("WebAuthnChallengeNotFoundException", "No passkey registration is in progress, or it has expired; call StartWebAuthnRegistration again.")
	}
	if reg.ClientID != claims.ClientID {
		return nil, errWebAuthn("WebAuthnClientMismatchException", "The passkey registration was started by another app client.")
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal([]byte(reg.Session), &sd); err != nil {
		return nil, errorf("InternalErrorException", "cognitotest: webauthn: %v", err)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(in.Credential)
	if err != nil {
		return nil, errInvalidParam("Invalid passkey credential: %s", webAuthnDetail(err))
	}
	cd := parsed.Response.CollectedClientData
	if !ctEqual(cd.Challenge, sd.Challenge) {
		return nil, errWebAuthn("WebAuthnChallengeNotFoundException", "The credential answers a challenge that is not the registration's.")
	}
	if !originAllowed(p.WebAuthnRPID, cd.Origin) {
		return nil, errWebAuthn("WebAuthnOriginNotAllowedException", "The credential's origin is not allowed for the user pool's relying party.")
	}
	rpHash := sha256.Sum256([]byte(p.WebAuthnRPID))
	if !bytes.Equal(parsed.Response.AttestationObject.AuthData.RPIDHash, rpHash[:]) {
		return nil, errWebAuthn("WebAuthnRelyingPartyMismatchException", "The credential was made for another relying party.")
	}
	wa, err := p.relyingParty(cd.Origin)
	if err != nil {
		return nil, err
	}
	cred, err := wa.CreateCredential(waUser{u}, sd, parsed)
	if err != nil {
		return nil, errWebAuthn("WebAuthnCredentialNotSupportedException", "The passkey credential was refused: "+webAuthnDetail(err))
	}
	for _, o := range p.Users {
		if o.passkey(cred.ID) != nil {
			return nil, errWebAuthn("WebAuthnCredentialNotSupportedException", "The passkey credential is already registered.")
		}
	}
	u.Passkeys = append(u.Passkeys, &passkey{Cred: *cred, RPID: p.WebAuthnRPID,
		Attachment: string(parsed.AuthenticatorAttachment), Created: c.now})
	u.Modified = c.now
	return map[string]any{}, nil
}

// passkey finds u's credential by its raw ID.
func (u *user) passkey(id []byte) *passkey {
	for _, k := range u.Passkeys {
		if bytes.Equal(k.Cred.ID, id) {
			return k
		}
	}
	return nil
}

func credentialID(k *passkey) string { return base64.RawURLEncoding.EncodeToString(k.Cred.ID) }

func opListWebAuthnCredentials(s *Server, c *call) (any, error) {
	var in webAuthnInput
	_, u, _, err := s.passkeyCaller(c, &in, false)
	if err != nil {
		return nil, err
	}
	if in.MaxResults < 0 || in.MaxResults > maxPasskeys {
		return nil, errInvalidParam("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", in.MaxResults, maxPasskeys)
	}
	return listPage(u.Passkeys, in.MaxResults, in.NextToken, "Credentials", "NextToken", func(k *passkey) any {
		m := map[string]any{"CredentialId": credentialID(k), "RelyingPartyId": k.RPID, "CreatedAt": ep(k.Created),
			"AuthenticatorTransports": transports(k)}
		if k.Name != "" {
			m["FriendlyCredentialName"] = k.Name
		}
		if k.Attachment != "" {
			m["AuthenticatorAttachment"] = k.Attachment
		}
		return m
	})
}

func transports(k *passkey) []string {
	out := []string{}
	for _, t := range k.Cred.Transport {
		out = append(out, string(t))
	}
	return out
}

func opDeleteWebAuthnCredential(s *Server, c *call) (any, error) {
	var in webAuthnInput
	_, u, _, err := s.passkeyCaller(c, &in, false)
	if err != nil {
		return nil, err
	}
	if in.CredentialId == "" {
		return nil, required("credentialId", "")
	}
	for i, k := range u.Passkeys {
		if credentialID(k) == in.CredentialId {
			u.Passkeys = append(u.Passkeys[:i:i], u.Passkeys[i+1:]...)
			return map[string]any{}, nil
		}
	}
	return nil, errorf("ResourceNotFoundException", "Passkey credential %s does not exist.", in.CredentialId)
}

// beginAssertion starts a passkey sign-in of u: the request options (JSON)
// for the WEB_AUTHN challenge and the ceremony's state for its session.
func (s *Server) beginAssertion(p *pool, u *user) (options, state string, err error) {
	if err := p.passkeysEnabled(); err != nil {
		return "", "", err
	}
	wa, err := p.relyingParty("")
	if err != nil {
		return "", "", err
	}
	a, sd, err := wa.BeginLogin(waUser{u}, webauthn.WithUserVerification(s.uv(p)))
	if err != nil {
		return "", "", errorf("InternalErrorException", "cognitotest: webauthn: %v", err)
	}
	sd.Expires = time.Time{}
	ob, err1 := json.Marshal(a.Response)
	sb, err2 := json.Marshal(sd)
	if err := errors.Join(err1, err2); err != nil {
		return "", "", errorf("InternalErrorException", "cognitotest: webauthn: %v", err)
	}
	return string(ob), string(sb), nil
}

// finishAssertion verifies a WEB_AUTHN answer (AuthenticationResponseJSON)
// against the ceremony's state and u's passkeys, and records the new sign
// counter. Every refusal is NotAuthorizedException.
func (s *Server) finishAssertion(p *pool, u *user, state, credJSON string) error {
	refuse := func(why string) error { return errNotAuthorized("Failed to verify the passkey: " + why) }
	if err := p.passkeysEnabled(); err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(credJSON))
	if err != nil {
		return refuse(webAuthnDetail(err))
	}
	var sd webauthn.SessionData
	if err := json.Unmarshal([]byte(state), &sd); err != nil {
		return refuse("no passkey challenge in this session")
	}
	origin := parsed.Response.CollectedClientData.Origin
	if !originAllowed(p.WebAuthnRPID, origin) {
		return refuse("origin not allowed")
	}
	if !ctEqual(parsed.Response.CollectedClientData.Challenge, sd.Challenge) {
		return refuse("the challenge is not this session's")
	}
	rpHash := sha256.Sum256([]byte(p.WebAuthnRPID))
	if !bytes.Equal(parsed.Response.AuthenticatorData.RPIDHash, rpHash[:]) {
		return refuse("the assertion is for another relying party")
	}
	wa, err := p.relyingParty(origin)
	if err != nil {
		return err
	}
	cred, err := wa.ValidateLogin(waUser{u}, sd, parsed)
	if err != nil {
		return refuse(webAuthnDetail(err))
	}
	k := u.passkey(cred.ID)
	if k == nil {
		return refuse("unknown credential")
	}
	n := parsed.Response.AuthenticatorData.Counter
	if (n != 0 || k.Cred.Authenticator.SignCount != 0) && n <= k.Cred.Authenticator.SignCount {
		return refuse("the sign counter did not increase (cloned authenticator?)")
	}
	k.Cred.Authenticator.SignCount = n
	k.Cred.Flags = cred.Flags
	return nil
}
