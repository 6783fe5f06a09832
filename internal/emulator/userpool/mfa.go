package userpool

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// RFC 6238 parameters Cognito uses: HMAC-SHA1, 30-second steps, 6 digits.
const (
	totpStep   = 30
	totpDigits = 6
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// totpAt returns the RFC 6238 code of secret (base32) for time step n.
func totpAt(secret string, n int64) (string, error) {
	key, err := b32.DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil || len(key) == 0 {
		return "", fmt.Errorf("cognitotest: invalid base32 TOTP secret")
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(n))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%06d", v%1000000), nil
}

// TOTP returns the current RFC 6238 code (SHA-1, 30 s, 6 digits) of a
// base32 secret (as AssociateSoftwareToken returns it) at the host's
// clock.
func (s *Server) TOTP(secret string) (string, error) {
	return totpAt(secret, s.now().Unix()/totpStep)
}

// checkTOTP accepts the code of the current step or either neighbour,
// never the same step twice for one user.
func (s *Server) checkTOTP(u *user, secret, code string, now time.Time) bool {
	if secret == "" || len(code) != totpDigits {
		return false
	}
	n := now.Unix() / totpStep
	for _, step := range []int64{n - 1, n, n + 1} {
		want, err := totpAt(secret, step)
		if err != nil {
			return false
		}
		if ctEqual(want, code) {
			if step <= u.LastTOTPStep {
				return false
			}
			u.LastTOTPStep = step
			return true
		}
	}
	return false
}

type mfaInput struct {
	AccessToken        string      `json:"AccessToken"`
	Session            string      `json:"Session"`
	UserCode           string      `json:"UserCode"`
	FriendlyDeviceName string      `json:"FriendlyDeviceName"`
	UserPoolId         string      `json:"UserPoolId"`
	Username           string      `json:"Username"`
	SMSMfaSettings     *mfaSetting `json:"SMSMfaSettings"`
	SoftwareTokenMfa   *mfaSetting `json:"SoftwareTokenMfaSettings"`
	EmailMfaSettings   *mfaSetting `json:"EmailMfaSettings"`
}

type mfaSetting struct {
	Enabled      bool `json:"Enabled"`
	PreferredMfa bool `json:"PreferredMfa"`
}

// mfaSubject resolves AssociateSoftwareToken / VerifySoftwareToken's
// caller: an access token, or an MFA_SETUP session (consumed).
func (s *Server) mfaSubject(in *mfaInput, now time.Time) (*pool, *user, *authSession, error) {
	if in.AccessToken != "" {
		p, u, _, err := s.authAccess(in.AccessToken, now)
		return p, u, nil, err
	}
	if in.Session == "" {
		return nil, nil, nil, errInvalidParam("Either AccessToken or Session must be provided.")
	}
	for _, p := range s.st.Pools {
		sess, ok := p.Sessions[in.Session]
		if !ok {
			continue
		}
		delete(p.Sessions, sess.ID)
		if now.After(sess.Expires) || sess.Challenge != "MFA_SETUP" {
			return nil, nil, nil, errSessionExpired
		}
		u := p.sameUser(sess.Username, sess.Sub)
		if u == nil || p.Clients[sess.ClientID] == nil {
			return nil, nil, nil, errSessionExpired
		}
		return p, u, sess, nil
	}
	return nil, nil, nil, errSessionExpired
}

func opAssociateSoftwareToken(s *Server, c *call) (any, error) {
	var in mfaInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	p, u, sess, err := s.mfaSubject(&in, c.now)
	if err != nil {
		return nil, err
	}
	u.TOTPPending = b32.EncodeToString(s.randBytes(20))
	out := map[string]any{"SecretCode": u.TOTPPending}
	if sess != nil {
		out["Session"] = s.newSession(p, p.Clients[sess.ClientID], sess, "MFA_SETUP", c.now).ID
	}
	return out, nil
}

func opVerifySoftwareToken(s *Server, c *call) (any, error) {
	var in mfaInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if err := required("userCode", in.UserCode); err != nil {
		return nil, err
	}
	p, u, sess, err := s.mfaSubject(&in, c.now)
	if err != nil {
		return nil, err
	}
	if u.TOTPPending == "" {
		if sess != nil {
			s.putBack(p, sess)
		}
		return nil, errInvalidParam("Software token has not been associated; call AssociateSoftwareToken first.")
	}
	if !s.checkTOTP(u, u.TOTPPending, in.UserCode, c.now) {
		if sess != nil {
			_ = s.challengeFailure(p, sess)
		}
		return nil, errorf("EnableSoftwareTokenMFAException", "Code mismatch")
	}
	u.TOTPSecret, u.TOTPPending = u.TOTPPending, ""
	out := map[string]any{"Status": "SUCCESS"}
	if sess != nil {
		// Completing MFA_SETUP turns the factor on.
		u.TOTPEnabled = true
		if u.PreferredMFA == "" {
			u.PreferredMFA = "SOFTWARE_TOKEN_MFA"
		}
		ns := *sess
		ns.TOTPOK = true
		out["Session"] = s.newSession(p, p.Clients[sess.ClientID], &ns, "MFA_SETUP", c.now).ID
	}
	return out, nil
}

func (s *Server) applyMFA(u *user, in *mfaInput) error {
	type set struct {
		name string
		v    *mfaSetting
		on   *bool
		ok   bool
		why  string
	}
	sets := []set{
		{"SMS_MFA", in.SMSMfaSettings, &u.SMSEnabled, u.Attrs["phone_number"] != "", "User does not have a phone number."},
		{"SOFTWARE_TOKEN_MFA", in.SoftwareTokenMfa, &u.TOTPEnabled, u.TOTPSecret != "", "User has not verified software token mfa"},
		{"EMAIL_OTP", in.EmailMfaSettings, &u.EmailMFAEnabled, u.Attrs["email"] != "", "User does not have an email address."},
	}
	preferred := 0
	for _, x := range sets {
		if x.v != nil && x.v.PreferredMfa {
			preferred++
			if !x.v.Enabled {
				return errInvalidParam("A preferred MFA method must be enabled.")
			}
		}
		if x.v != nil && x.v.Enabled && !x.ok {
			return errInvalidParam("%s", x.why)
		}
	}
	if preferred > 1 {
		return errInvalidParam("Only one MFA method can be preferred.")
	}
	for _, x := range sets {
		if x.v == nil {
			continue
		}
		*x.on = x.v.Enabled
		if x.v.PreferredMfa {
			u.PreferredMFA = x.name
		} else if u.PreferredMFA == x.name {
			u.PreferredMFA = ""
		}
	}
	return nil
}

func (in *mfaInput) poolID() string { return in.UserPoolId }
func (in *mfaInput) subject() (accessToken, username string) {
	return in.AccessToken, in.Username
}

func (s *Server) setMFAPreference(c *call, admin bool) (any, error) {
	var in mfaInput
	_, u, err := s.subjectUser(c, &in, admin)
	if err != nil {
		return nil, err
	}
	if err := s.applyMFA(u, &in); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func opSetUserMFAPreference(s *Server, c *call) (any, error) { return s.setMFAPreference(c, false) }
func opAdminSetUserMFAPreference(s *Server, c *call) (any, error) {
	return s.setMFAPreference(c, true)
}
