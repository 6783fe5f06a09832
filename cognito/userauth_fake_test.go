package cognito

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// userAuthFake scripts Cognito's USER_AUTH flow the way the service
// documents it: InitiateAuth USER_AUTH answers SELECT_CHALLENGE with
// AvailableChallenges (the pool's allowed first factors the user has), or
// goes straight to PREFERRED_CHALLENGE; SELECT_CHALLENGE is answered with
// ANSWER (plus PASSWORD or SRP_A); one-time codes are single use, expire and
// have an attempt limit; PASSWORD_SRP is checked for real with
// internal/srp's server half; a WEB_AUTHN answer must be a
// PublicKeyCredential whose clientDataJSON carries the issued challenge.
// Every step checks USERNAME, SECRET_HASH (when secret is set) and the
// session chain.
type userAuthFake struct {
	t      testing.TB
	f      *fakeAPI
	secret bool
	// allowed are the pool's allowed first factors (its sign-in policy).
	allowed []Factor

	mu       sync.Mutex
	now      time.Time
	users    map[string]*fakeUser
	sessions map[string]*fakeAuthSession
	n        int
	// outbox holds the last code sent to each user.
	outbox map[string]string
}

type fakeUser struct {
	name, password, email, phone string
	srp                          *srpVerifierUser
	passkeyID                    string
	// mfa makes a SOFTWARE_TOKEN_MFA challenge follow the password
	// factors, answered with mfaCode.
	mfa     bool
	mfaCode string
}

type fakeAuthSession struct {
	user      *fakeUser
	step      types.ChallengeNameType
	available []Factor
	code      string
	expires   time.Time
	attempts  int
	challenge string // WebAuthn challenge
}

const fakeOrigin = "https://app.example.com"

func newUserAuthFake(t testing.TB, secret bool, allowed ...Factor) *userAuthFake {
	u := &userAuthFake{t: t, f: newFake(), secret: secret, allowed: allowed, now: testNow,
		users: map[string]*fakeUser{}, sessions: map[string]*fakeAuthSession{}, outbox: map[string]string{}}
	on(u.f, "InitiateAuth", u.initiate)
	on(u.f, "RespondToAuthChallenge", u.respond)
	return u
}

// addUser registers a user; empty fields mean the user lacks that factor.
func (u *userAuthFake) addUser(name, password, email, phone, passkeyID string) *fakeUser {
	fu := &fakeUser{name: name, password: password, email: email, phone: phone, passkeyID: passkeyID}
	if password != "" {
		fu.srp = newSRPUser(u.t, srp.PoolName(testPool), name, password)
	}
	u.mu.Lock()
	u.users[name] = fu
	u.mu.Unlock()
	return fu
}

// advance moves the fake's clock (code expiry).
func (u *userAuthFake) advance(d time.Duration) {
	u.mu.Lock()
	u.now = u.now.Add(d)
	u.mu.Unlock()
}

func (u *userAuthFake) code(user string) string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.outbox[user]
}

func (u *userAuthFake) checkCaller(m map[string]string) error {
	if m["USERNAME"] == "" {
		return apiErr("InvalidParameterException", "Missing required parameter USERNAME")
	}
	if u.secret {
		return checkSecretHash(m)
	}
	if _, ok := m["SECRET_HASH"]; ok {
		return apiErr("NotAuthorizedException", "SECRET_HASH was sent to a client without a secret")
	}
	return nil
}

// factorsOfUser are the allowed factors the user has set up.
func (u *userAuthFake) factorsOfUser(fu *fakeUser) []Factor {
	var out []Factor
	for _, f := range u.allowed {
		switch {
		case f.password() && fu.password != "",
			f == FactorEmailOTP && fu.email != "",
			f == FactorSMSOTP && fu.phone != "",
			f == FactorWebAuthn && fu.passkeyID != "":
			out = append(out, f)
		}
	}
	return out
}

// stepOut is the common shape of a step's answer.
type stepOut struct {
	name      types.ChallengeNameType
	params    map[string]string
	session   string
	result    *types.AuthenticationResultType
	available []types.ChallengeNameType
}

func (u *userAuthFake) newSessionLocked(s *fakeAuthSession) string {
	u.n++
	id := fmt.Sprintf("ua-session-%d", u.n)
	u.sessions[id] = s
	return id
}

// start begins factor f for the user with the caller's parameters m
// (PASSWORD or SRP_A). u.mu is held.
func (u *userAuthFake) startLocked(fu *fakeUser, f Factor, m map[string]string) (stepOut, error) {
	switch f {
	case FactorPassword:
		if m["PASSWORD"] != fu.password {
			return stepOut{}, apiErr("NotAuthorizedException", "Incorrect username or password.")
		}
		return u.afterPasswordLocked(fu)
	case FactorPasswordSRP:
		if m["SRP_A"] == "" {
			return stepOut{}, apiErr("InvalidParameterException", "Missing required parameter SRP_A")
		}
		p := fu.srp.challenge(u.t, m["SRP_A"])
		return stepOut{name: types.ChallengeNameTypePasswordVerifier, params: p,
			session: u.newSessionLocked(&fakeAuthSession{user: fu, step: types.ChallengeNameTypePasswordVerifier})}, nil
	case FactorEmailOTP, FactorSMSOTP:
		u.n++
		code := fmt.Sprintf("%06d", 100000+u.n)
		u.outbox[fu.name] = code
		dest, medium := "n***@e***", "EMAIL"
		if f == FactorSMSOTP {
			dest, medium = "+*******1234", "SMS"
		}
		s := &fakeAuthSession{user: fu, step: types.ChallengeNameType(f), code: code, expires: u.now.Add(3 * time.Minute)}
		return stepOut{name: types.ChallengeNameType(f), params: map[string]string{
			"CODE_DELIVERY_DESTINATION": dest, "CODE_DELIVERY_DELIVERY_MEDIUM": medium, "USERNAME": fu.name,
		}, session: u.newSessionLocked(s)}, nil
	case FactorWebAuthn:
		u.n++
		ch := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("webauthn-challenge-%d", u.n)))
		opts, _ := json.Marshal(map[string]any{
			"challenge":        ch,
			"rpId":             "app.example.com",
			"timeout":          180000,
			"userVerification": "required",
			"allowCredentials": []map[string]any{{"type": "public-key", "id": fu.passkeyID, "transports": []string{"internal"}}},
		})
		s := &fakeAuthSession{user: fu, step: types.ChallengeNameTypeWebAuthn, challenge: ch}
		return stepOut{name: types.ChallengeNameTypeWebAuthn, params: map[string]string{
			"CREDENTIAL_REQUEST_OPTIONS": string(opts), "USERNAME": fu.name,
		}, session: u.newSessionLocked(s)}, nil
	}
	return stepOut{}, apiErr("InvalidParameterException", "unknown challenge "+string(f))
}

// afterPasswordLocked is tokens, or the MFA challenge of a user with MFA.
func (u *userAuthFake) afterPasswordLocked(fu *fakeUser) (stepOut, error) {
	if fu.mfa {
		return stepOut{name: types.ChallengeNameTypeSoftwareTokenMfa, params: map[string]string{},
			session: u.newSessionLocked(&fakeAuthSession{user: fu, step: types.ChallengeNameTypeSoftwareTokenMfa})}, nil
	}
	return stepOut{result: authResult(fu.name, true)}, nil
}

func (u *userAuthFake) initiate(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
	if in.AuthFlow != types.AuthFlowTypeUserAuth {
		return nil, apiErr("InvalidParameterException", string(in.AuthFlow)+" flow not enabled for this client")
	}
	m := in.AuthParameters
	if err := u.checkCaller(m); err != nil {
		return nil, err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	fu := u.users[m["USERNAME"]]
	if fu == nil {
		return nil, apiErr("UserNotFoundException", "User does not exist.")
	}
	avail := u.factorsOfUser(fu)
	var out stepOut
	var err error
	switch pref := Factor(m["PREFERRED_CHALLENGE"]); {
	case pref != "" && !slices.Contains(u.allowed, pref):
		return nil, apiErr("InvalidParameterException", "The preferred challenge "+string(pref)+" is not allowed by the user pool's sign-in policy.")
	case pref != "" && slices.Contains(avail, pref):
		out, err = u.startLocked(fu, pref, m)
	default: // none, or one the user has not set up: offer the choice
		out = stepOut{name: types.ChallengeNameTypeSelectChallenge, params: map[string]string{"USERNAME": fu.name},
			session: u.newSessionLocked(&fakeAuthSession{user: fu, step: types.ChallengeNameTypeSelectChallenge, available: avail})}
		for _, f := range avail {
			out.available = append(out.available, types.ChallengeNameType(f))
		}
	}
	if err != nil {
		return nil, err
	}
	return &cip.InitiateAuthOutput{ChallengeName: out.name, ChallengeParameters: out.params, Session: optString(out.session),
		AuthenticationResult: out.result, AvailableChallenges: out.available}, nil
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func (u *userAuthFake) respond(_ context.Context, in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
	m := in.ChallengeResponses
	if err := u.checkCaller(m); err != nil {
		return nil, err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	id := aws.ToString(in.Session)
	s := u.sessions[id]
	if s == nil || s.step != in.ChallengeName {
		return nil, apiErr("NotAuthorizedException", "Invalid session for the user.")
	}
	if m["USERNAME"] != s.user.name {
		return nil, apiErr("NotAuthorizedException", "Invalid session for the user.")
	}
	var out stepOut
	var err error
	switch in.ChallengeName {
	case types.ChallengeNameTypeSelectChallenge:
		f := Factor(m["ANSWER"])
		if !slices.Contains(s.available, f) {
			return nil, apiErr("InvalidParameterException", "The challenge "+m["ANSWER"]+" is not available for this user.")
		}
		delete(u.sessions, id)
		out, err = u.startLocked(s.user, f, m)
	case types.ChallengeNameTypeEmailOtp, types.ChallengeNameTypeSmsOtp:
		key := "EMAIL_OTP_CODE"
		if in.ChallengeName == types.ChallengeNameTypeSmsOtp {
			key = "SMS_OTP_CODE"
		}
		switch {
		case m[key] == "":
			return nil, apiErr("InvalidParameterException", "Missing required parameter "+key)
		case !u.now.Before(s.expires):
			delete(u.sessions, id)
			return nil, apiErr("ExpiredCodeException", "Invalid code provided, please request a code again.")
		case m[key] != s.code:
			s.attempts++
			if s.attempts >= 3 {
				delete(u.sessions, id)
				return nil, apiErr("NotAuthorizedException", "Invalid session for the user.")
			}
			return nil, apiErr("CodeMismatchException", "Invalid code or auth state for the user.")
		}
		delete(u.sessions, id)
		out = stepOut{result: authResult(s.user.name, true)}
	case types.ChallengeNameTypeWebAuthn:
		if err := checkFakeAssertion(m["CREDENTIAL"], s.user.passkeyID, s.challenge); err != nil {
			return nil, apiErr("NotAuthorizedException", "Failed to verify the passkey: "+err.Error())
		}
		delete(u.sessions, id)
		out = stepOut{result: authResult(s.user.name, true)}
	case types.ChallengeNameTypePasswordVerifier:
		if err := s.user.srp.verify(m); err != nil {
			return nil, err
		}
		delete(u.sessions, id)
		out, err = u.afterPasswordLocked(s.user)
	case types.ChallengeNameTypeSoftwareTokenMfa:
		if m["SOFTWARE_TOKEN_MFA_CODE"] != s.user.mfaCode {
			return nil, apiErr("CodeMismatchException", "Invalid code received for user")
		}
		delete(u.sessions, id)
		out = stepOut{result: authResult(s.user.name, true)}
	default:
		return nil, apiErr("InvalidParameterException", "unexpected challenge "+string(in.ChallengeName))
	}
	if err != nil {
		return nil, err
	}
	return &cip.RespondToAuthChallengeOutput{ChallengeName: out.name, ChallengeParameters: out.params,
		Session: optString(out.session), AuthenticationResult: out.result}, nil
}

// checkFakeAssertion checks an AuthenticationResponseJSON's shape and that
// its clientDataJSON is a webauthn.get for challenge from fakeOrigin. The
// signature is the emulator's to verify, not this fake's.
func checkFakeAssertion(cred, credentialID, challenge string) error {
	var c struct {
		ID       string `json:"id"`
		RawID    string `json:"rawId"`
		Type     string `json:"type"`
		Response struct {
			ClientDataJSON    string `json:"clientDataJSON"`
			AuthenticatorData string `json:"authenticatorData"`
			Signature         string `json:"signature"`
		} `json:"response"`
	}
	if err := json.Unmarshal([]byte(cred), &c); err != nil {
		return fmt.Errorf("CREDENTIAL is not JSON: %w", err)
	}
	if c.ID != credentialID || c.RawID != credentialID || c.Type != "public-key" {
		return fmt.Errorf("unknown credential %q", c.ID)
	}
	cd, err := base64.RawURLEncoding.DecodeString(c.Response.ClientDataJSON)
	if err != nil {
		return fmt.Errorf("clientDataJSON is not base64url")
	}
	var client struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
		Origin    string `json:"origin"`
	}
	if err := json.Unmarshal(cd, &client); err != nil {
		return fmt.Errorf("clientDataJSON is not JSON")
	}
	if client.Type != "webauthn.get" || client.Challenge != challenge || client.Origin != fakeOrigin {
		return fmt.Errorf("client data %+v does not match", client)
	}
	return nil
}

// fakeAssertion is the AuthenticationResponseJSON an authenticator would
// return for opts.
func fakeAssertion(credentialID, challenge string) []byte {
	cd, _ := json.Marshal(map[string]string{"type": "webauthn.get", "challenge": challenge, "origin": fakeOrigin})
	b, _ := json.Marshal(map[string]any{
		"id": credentialID, "rawId": credentialID, "type": "public-key",
		"authenticatorAttachment": "platform",
		"clientExtensionResults":  map[string]any{},
		"response": map[string]string{
			"clientDataJSON":    base64.RawURLEncoding.EncodeToString(cd),
			"authenticatorData": base64.RawURLEncoding.EncodeToString([]byte("authdata")),
			"signature":         base64.RawURLEncoding.EncodeToString([]byte("sig")),
			"userHandle":        base64.RawURLEncoding.EncodeToString([]byte("user")),
		},
	})
	return b
}
