package cognito

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// FlowUserAuth is USER_AUTH, Cognito's choice-based sign-in: the user signs
// in with one first factor among those the pool allows and the user has set
// up — a password (sent, or proved with SRP), a one-time code by e-mail or
// SMS, or a passkey — then answers MFA or NEW_PASSWORD_REQUIRED as in the
// other flows. The app client must allow ALLOW_USER_AUTH.
//
// Without SignInOptions.PreferredFactor, SignIn's password must be empty and
// Cognito answers with a SELECT_CHALLENGE listing the factors
// (Challenge.AvailableFactors); answer it with Challenge.SelectFactor. With
// a preferred factor Cognito goes straight to it when it can (and offers
// the choice otherwise):
//
//	res, err := c.SignIn(ctx, "nina@example.com", "", func(o *cognito.SignInOptions) {
//		o.Flow = cognito.FlowUserAuth
//		o.PreferredFactor = cognito.FactorEmailOTP
//	})
//	// res.Challenge.Name == cognito.ChallengeEmailOTP: a code is on its way
//	res, err = res.Challenge.AnswerEmailOTP(ctx, code)
//
// The sequences on the wire, as Cognito documents them (USERNAME,
// SECRET_HASH and DEVICE_KEY are added to every step as in the other flows):
//
//	InitiateAuth USER_AUTH {USERNAME}                      → SELECT_CHALLENGE, AvailableChallenges
//	InitiateAuth USER_AUTH {USERNAME, PREFERRED_CHALLENGE} → that challenge (EMAIL_OTP, SMS_OTP, WEB_AUTHN)
//	  PREFERRED_CHALLENGE=PASSWORD adds PASSWORD           → tokens or MFA
//	  PREFERRED_CHALLENGE=PASSWORD_SRP adds SRP_A          → PASSWORD_VERIFIER (answered by the Client)
//	Respond SELECT_CHALLENGE {ANSWER=EMAIL_OTP|SMS_OTP|WEB_AUTHN}  → that challenge
//	Respond SELECT_CHALLENGE {ANSWER=PASSWORD, PASSWORD}           → tokens or MFA
//	Respond SELECT_CHALLENGE {ANSWER=PASSWORD_SRP, SRP_A}          → PASSWORD_VERIFIER
//	Respond EMAIL_OTP {EMAIL_OTP_CODE} / SMS_OTP {SMS_OTP_CODE}    → tokens or the next challenge
//	Respond WEB_AUTHN {CREDENTIAL: AuthenticationResponseJSON}     → tokens or the next challenge
const FlowUserAuth Flow = "USER_AUTH"

// Factor is a first sign-in factor of FlowUserAuth, named as Cognito names
// the challenge (and the AuthFactorType of GetUserAuthFactors).
type Factor string

// The first factors of FlowUserAuth.
const (
	// FactorPassword sends the password to Cognito over TLS.
	FactorPassword Factor = "PASSWORD"
	// FactorPasswordSRP proves the password with SRP, as FlowUserSRP does:
	// the password never leaves the client.
	FactorPasswordSRP Factor = "PASSWORD_SRP"
	// FactorEmailOTP has Cognito e-mail the user a one-time code.
	FactorEmailOTP Factor = "EMAIL_OTP"
	// FactorSMSOTP has Cognito text the user a one-time code.
	FactorSMSOTP Factor = "SMS_OTP"
	// FactorWebAuthn signs in with a passkey (see CredentialRequestOptions).
	FactorWebAuthn Factor = "WEB_AUTHN"
)

// Factors lists every first factor, in Cognito's order.
var Factors = []Factor{FactorPassword, FactorPasswordSRP, FactorEmailOTP, FactorSMSOTP, FactorWebAuthn}

// valid reports whether f is one of Factors.
func (f Factor) valid() bool { return slices.Contains(Factors, f) }

// password reports whether f is answered with the password.
func (f Factor) password() bool { return f == FactorPassword || f == FactorPasswordSRP }

// The challenges of FlowUserAuth. ChallengeEmailOTP is shared with e-mail
// MFA: both are answered with the code (AnswerEmailOTP or RespondMFA).
const (
	// ChallengeSelectFactor is SELECT_CHALLENGE: choose a first factor
	// among AvailableFactors with SelectFactor.
	ChallengeSelectFactor ChallengeName = types.ChallengeNameTypeSelectChallenge
	// ChallengeSMSOTP is SMS_OTP: a sign-in code was texted to the user;
	// answer with AnswerSMSOTP.
	ChallengeSMSOTP ChallengeName = types.ChallengeNameTypeSmsOtp
	// ChallengeWebAuthn is WEB_AUTHN: hand CredentialRequestOptions to an
	// authenticator and answer with AnswerWebAuthn.
	ChallengeWebAuthn ChallengeName = types.ChallengeNameTypeWebAuthn
	// ChallengePassword is PASSWORD: answer with AnswerPassword.
	ChallengePassword ChallengeName = types.ChallengeNameTypePassword
	// ChallengePasswordSRP is PASSWORD_SRP: answer with AnswerPassword,
	// which proves the password with SRP.
	ChallengePasswordSRP ChallengeName = types.ChallengeNameTypePasswordSrp
)

// checkUserAuthOptions checks SignIn's arguments for FlowUserAuth.
func checkUserAuthOptions(f Factor, password string) error {
	switch {
	case f != "" && !f.valid():
		return fmt.Errorf("cognito: SignIn: %w: unknown first factor %q (want one of %q)", ErrInvalidParameter, f, Factors)
	case f.password() && password == "":
		return fmt.Errorf("cognito: SignIn: %w: empty password for preferred factor %s", ErrInvalidParameter, f)
	case !f.password() && password != "":
		return fmt.Errorf("cognito: SignIn: %w: FlowUserAuth takes a password only with PreferredFactor FactorPassword or FactorPasswordSRP (otherwise answer the PASSWORD challenge)", ErrInvalidParameter)
	}
	return nil
}

// userAuthParams adds USER_AUTH's parameters for preferred factor f to
// params; for FactorPasswordSRP it returns the SRP client whose SRP_A it
// sent.
func (c *Client) userAuthParams(params map[string]string, f Factor, password string) (*srp.Client, error) {
	if f == "" {
		return nil, nil
	}
	params["PREFERRED_CHALLENGE"] = string(f)
	switch f {
	case FactorPassword:
		params["PASSWORD"] = password
	case FactorPasswordSRP:
		sc, err := srp.NewClient(c.rand)
		if err != nil {
			return nil, fmt.Errorf("cognito: SignIn: %w", err)
		}
		params["SRP_A"] = sc.SRPA()
		return sc, nil
	}
	return nil, nil
}

// factorsOf converts AvailableChallenges to factors, keeping order and
// dropping names that are not first factors.
func factorsOf(l []types.ChallengeNameType) []Factor {
	var out []Factor
	for _, n := range l {
		if f := Factor(n); f.valid() && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// checkChallengeParams refuses a challenge the caller could not answer
// because Cognito left out what it needs.
func checkChallengeParams(out authOutput) error {
	if out.name == ChallengeWebAuthn {
		if _, err := ParseCredentialRequestOptions([]byte(out.params["CREDENTIAL_REQUEST_OPTIONS"])); err != nil {
			return fmt.Errorf("cognito: %w: WEB_AUTHN challenge: CREDENTIAL_REQUEST_OPTIONS: %w", ErrInvalidResponse, err)
		}
	}
	return nil
}

// SelectFactor answers SELECT_CHALLENGE with a first factor from
// AvailableFactors (a factor not in it is ErrInvalidParameter, checked
// before anything is sent).
//
// For FactorEmailOTP and FactorSMSOTP Cognito sends a code and the Result
// holds the EMAIL_OTP or SMS_OTP challenge; for FactorWebAuthn it holds the
// WEB_AUTHN challenge with the passkey request options. For FactorPassword
// and FactorPasswordSRP nothing is sent yet: the Result holds a PASSWORD or
// PASSWORD_SRP challenge to answer with AnswerPassword, so that the password
// is asked for only once the user has chosen it.
func (ch *Challenge) SelectFactor(ctx context.Context, f Factor) (*Result, error) {
	if err := ch.want("SelectFactor", ChallengeSelectFactor); err != nil {
		return nil, err
	}
	if !f.valid() {
		return nil, fmt.Errorf("cognito: SelectFactor: %w: unknown first factor %q (want one of %q)", ErrInvalidParameter, f, Factors)
	}
	if len(ch.AvailableFactors) > 0 && !slices.Contains(ch.AvailableFactors, f) {
		return nil, fmt.Errorf("cognito: SelectFactor: %w: %s is not one of the available factors %q", ErrInvalidParameter, f, ch.AvailableFactors)
	}
	if f.password() {
		next := *ch
		next.Name, next.local = ChallengeName(f), true
		next.AvailableFactors, next.Parameters = nil, nil
		return &Result{Challenge: &next}, nil
	}
	return ch.Respond(ctx, map[string]string{"ANSWER": string(f)})
}

// AnswerPassword answers PASSWORD (sending the password) or PASSWORD_SRP
// (proving it with SRP; PASSWORD_VERIFIER is answered automatically). A
// wrong password is ErrNotAuthorized.
func (ch *Challenge) AnswerPassword(ctx context.Context, password string) (*Result, error) {
	if err := ch.want("AnswerPassword", ChallengePassword, ChallengePasswordSRP); err != nil {
		return nil, err
	}
	if password == "" {
		return nil, fmt.Errorf("cognito: AnswerPassword: %w: empty password", ErrInvalidParameter)
	}
	name, r := ch.Name, map[string]string{}
	if ch.local {
		name = ChallengeSelectFactor
		r["ANSWER"] = string(ch.Name)
	}
	st := ch.st
	if ch.Name == ChallengePassword {
		r["PASSWORD"] = password
		out, err := ch.c.respondRaw(ctx, &st, name, ch.session, r)
		if err != nil {
			return nil, err
		}
		return ch.c.next(ctx, &st, out)
	}
	sc, err := srp.NewClient(ch.c.rand)
	if err != nil {
		return nil, fmt.Errorf("cognito: AnswerPassword: %w", err)
	}
	r["SRP_A"] = sc.SRPA()
	out, err := ch.c.respondRaw(ctx, &st, name, ch.session, r)
	if err != nil {
		return nil, err
	}
	if out.result == nil && out.name == types.ChallengeNameTypePasswordVerifier {
		ch.c.noteUsername(ctx, &st, out.params)
		if out, err = ch.c.answerPasswordVerifier(ctx, &st, sc, password, out); err != nil {
			return nil, err
		}
	}
	return ch.c.next(ctx, &st, out)
}

// AnswerEmailOTP answers EMAIL_OTP with the code Cognito e-mailed. A wrong
// code is ErrCodeMismatch, an expired one ErrExpiredCode; after a wrong
// code Cognito may end the sign-in (ErrNotAuthorized), then sign in again.
func (ch *Challenge) AnswerEmailOTP(ctx context.Context, code string) (*Result, error) {
	if err := ch.want("AnswerEmailOTP", ChallengeEmailOTP); err != nil {
		return nil, err
	}
	return ch.RespondMFA(ctx, code)
}

// AnswerSMSOTP answers SMS_OTP with the code Cognito texted, as
// AnswerEmailOTP does.
func (ch *Challenge) AnswerSMSOTP(ctx context.Context, code string) (*Result, error) {
	if err := ch.want("AnswerSMSOTP", ChallengeSMSOTP); err != nil {
		return nil, err
	}
	return ch.RespondMFA(ctx, code)
}

// AnswerWebAuthn answers WEB_AUTHN with the authenticator's assertion: the
// PublicKeyCredential that navigator.credentials.get returned for
// CredentialRequestOptions, serialised with its toJSON() (WebAuthn Level 3
// AuthenticationResponseJSON). It is checked for shape (ErrInvalidParameter)
// before it is sent as CREDENTIAL; Cognito verifies it.
func (ch *Challenge) AnswerWebAuthn(ctx context.Context, credential []byte) (*Result, error) {
	if err := ch.want("AnswerWebAuthn", ChallengeWebAuthn); err != nil {
		return nil, err
	}
	cred, err := checkCredential("AnswerWebAuthn", credential, "authenticatorData", "clientDataJSON", "signature")
	if err != nil {
		return nil, err
	}
	return ch.Respond(ctx, map[string]string{"CREDENTIAL": string(cred)})
}
