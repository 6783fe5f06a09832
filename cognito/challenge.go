package cognito

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// ChallengeName names a Cognito challenge.
type ChallengeName = types.ChallengeNameType

// The challenges a caller answers. PASSWORD_VERIFIER, DEVICE_SRP_AUTH and
// DEVICE_PASSWORD_VERIFIER are answered by the Client itself.
const (
	// ChallengeNewPasswordRequired: the user has a temporary password
	// (AdminCreateUser); answer with RespondNewPassword.
	ChallengeNewPasswordRequired ChallengeName = types.ChallengeNameTypeNewPasswordRequired
	// ChallengeSMSMFA: a code was sent by SMS; answer with RespondMFA.
	ChallengeSMSMFA ChallengeName = types.ChallengeNameTypeSmsMfa
	// ChallengeEmailOTP: a code was sent by e-mail; answer with RespondMFA.
	ChallengeEmailOTP ChallengeName = types.ChallengeNameTypeEmailOtp
	// ChallengeSoftwareTokenMFA: a TOTP code from the user's authenticator
	// app; answer with RespondMFA.
	ChallengeSoftwareTokenMFA ChallengeName = types.ChallengeNameTypeSoftwareTokenMfa
	// ChallengeSelectMFAType: the user has several MFA methods; answer with
	// SelectMFA and one of MFAOptions, then answer the MFA challenge that
	// follows.
	ChallengeSelectMFAType ChallengeName = types.ChallengeNameTypeSelectMfaType
	// ChallengeMFASetup: MFA is required but the user has none; call
	// SetupTOTP, show the URI as a QR code, then VerifyTOTP with a code.
	ChallengeMFASetup ChallengeName = types.ChallengeNameTypeMfaSetup
	// ChallengeCustom: a CUSTOM_AUTH Lambda challenge; answer with
	// RespondCustom.
	ChallengeCustom ChallengeName = types.ChallengeNameTypeCustomChallenge
)

// Challenge is a step of a sign-in that the caller must answer. Answer it
// once, with the method that fits Name; the returned Result holds tokens or
// the next Challenge. A Challenge carries Cognito's session (never printed)
// and is not safe for concurrent use.
type Challenge struct {
	// Name is the challenge, e.g. ChallengeSoftwareTokenMFA.
	Name ChallengeName
	// Username is the Cognito username the challenge is for
	// (USER_ID_FOR_SRP).
	Username string
	// Parameters are Cognito's ChallengeParameters as received.
	Parameters map[string]string

	// RequiredAttributes (NEW_PASSWORD_REQUIRED) are the attributes the
	// user must give with the new password, without the
	// "userAttributes." prefix.
	RequiredAttributes []string
	// UserAttributes (NEW_PASSWORD_REQUIRED) are the user's current
	// attributes.
	UserAttributes map[string]string
	// Destination (SMS_MFA, EMAIL_OTP) is the masked address the code went
	// to, e.g. "+*******1234".
	Destination string
	// DeliveryMedium (SMS_MFA, EMAIL_OTP) is "SMS" or "EMAIL".
	DeliveryMedium string
	// MFAOptions are the MFA types the user may choose (SELECT_MFA_TYPE)
	// or set up (MFA_SETUP), e.g. "SOFTWARE_TOKEN_MFA".
	MFAOptions []string
	// AvailableFactors (SELECT_CHALLENGE) are the first factors the user
	// may choose from with SelectFactor.
	AvailableFactors []Factor
	// CredentialRequestOptions (WEB_AUTHN) are the passkey assertion
	// options to hand to the authenticator; answer with AnswerWebAuthn.
	CredentialRequestOptions *CredentialRequestOptions

	c       *Client
	st      authState
	session string
	// local marks a PASSWORD or PASSWORD_SRP step made by SelectFactor
	// without a call: its answer goes to Cognito as SELECT_CHALLENGE.
	local bool
}

func newChallenge(c *Client, st *authState, out authOutput) *Challenge {
	ch := &Challenge{
		Name:       out.name,
		Username:   st.username,
		Parameters: out.params,
		c:          c,
		st:         *st,
		session:    out.session,
	}
	p := out.params
	switch out.name {
	case ChallengeNewPasswordRequired:
		ch.RequiredAttributes = parseRequiredAttributes(p["requiredAttributes"])
		ch.UserAttributes = parseUserAttributes(p["userAttributes"])
	case ChallengeSMSMFA, ChallengeEmailOTP, types.ChallengeNameTypeSmsOtp:
		ch.Destination = p["CODE_DELIVERY_DESTINATION"]
		ch.DeliveryMedium = p["CODE_DELIVERY_DELIVERY_MEDIUM"]
	case ChallengeSelectMFAType:
		ch.MFAOptions = parseStringList(p["MFAS_CAN_CHOOSE"])
	case ChallengeMFASetup:
		ch.MFAOptions = parseStringList(p["MFAS_CAN_SETUP"])
	case ChallengeSelectFactor:
		ch.AvailableFactors = factorsOf(out.available)
	case ChallengeWebAuthn:
		ch.CredentialRequestOptions, _ = ParseCredentialRequestOptions([]byte(p["CREDENTIAL_REQUEST_OPTIONS"]))
	}
	return ch
}

// String describes the challenge without its session.
func (ch *Challenge) String() string {
	if ch == nil {
		return "cognito.Challenge(nil)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cognito.Challenge{Name: %s, Username: %q", ch.Name, ch.Username)
	if len(ch.RequiredAttributes) > 0 {
		fmt.Fprintf(&b, ", RequiredAttributes: %q", ch.RequiredAttributes)
	}
	if ch.Destination != "" {
		fmt.Fprintf(&b, ", Destination: %q", ch.Destination)
	}
	if len(ch.MFAOptions) > 0 {
		fmt.Fprintf(&b, ", MFAOptions: %q", ch.MFAOptions)
	}
	if len(ch.AvailableFactors) > 0 {
		fmt.Fprintf(&b, ", AvailableFactors: %q", ch.AvailableFactors)
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so that %#v does not print the session.
func (ch *Challenge) GoString() string { return ch.String() }

// Admin reports whether the challenge belongs to an admin flow (answered
// with AdminRespondToAuthChallenge).
func (ch *Challenge) Admin() bool { return ch.st.flow.admin() }

// parseStringList reads a JSON array of strings, as in MFAS_CAN_SETUP; a
// value that is not one yields nil.
func parseStringList(s string) []string {
	if s == "" {
		return nil
	}
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil
	}
	return l
}

// parseRequiredAttributes reads requiredAttributes (a JSON array of
// "userAttributes.x" names) into bare attribute names.
func parseRequiredAttributes(s string) []string {
	l := parseStringList(s)
	out := make([]string, 0, len(l))
	for _, a := range l {
		a = strings.TrimPrefix(a, "userAttributes.")
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

// parseUserAttributes reads userAttributes (a JSON object) into a map,
// keeping string values only.
func parseUserAttributes(s string) map[string]string {
	m := map[string]string{}
	if s == "" {
		return m
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return m
	}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			m[k] = v
		case bool:
			m[k] = fmt.Sprint(v)
		}
	}
	return m
}

func (ch *Challenge) want(op string, names ...ChallengeName) error {
	for _, n := range names {
		if ch.Name == n {
			return nil
		}
	}
	return fmt.Errorf("cognito: %s: %w: the challenge is %s", op, ErrWrongChallenge, ch.Name)
}

// Respond answers the challenge with raw ChallengeResponses, for
// challenges without a dedicated method. USERNAME, SECRET_HASH and
// DEVICE_KEY are added when missing.
func (ch *Challenge) Respond(ctx context.Context, responses map[string]string) (*Result, error) {
	st := ch.st
	out, err := ch.c.respondRaw(ctx, &st, ch.Name, ch.session, responses)
	if err != nil {
		return nil, err
	}
	return ch.c.next(ctx, &st, out)
}

// readOnlyAttributes may never be sent with a new password: Cognito owns
// them.
func readOnlyAttribute(name string) bool {
	switch name {
	case "sub", "email_verified", "phone_number_verified", "identities", "cognito:user_status", "cognito:mfa_enabled":
		return true
	}
	return strings.HasPrefix(name, "cognito:")
}

// RespondNewPassword answers NEW_PASSWORD_REQUIRED. attributes must hold a
// value for every name in RequiredAttributes (ErrMissingAttribute
// otherwise); other attributes in it are sent too, except read-only ones
// (sub, *_verified, cognito:*) and those equal to the user's current value,
// which may be immutable and would make Cognito refuse the answer.
func (ch *Challenge) RespondNewPassword(ctx context.Context, newPassword string, attributes map[string]string) (*Result, error) {
	if err := ch.want("RespondNewPassword", ChallengeNewPasswordRequired); err != nil {
		return nil, err
	}
	if newPassword == "" {
		return nil, fmt.Errorf("cognito: RespondNewPassword: %w: empty password", ErrInvalidParameter)
	}
	r := map[string]string{"NEW_PASSWORD": newPassword}
	for _, name := range ch.RequiredAttributes {
		v, ok := attributes[name]
		if !ok || v == "" {
			if cur := ch.UserAttributes[name]; cur != "" {
				continue // already set: nothing to send
			}
			return nil, fmt.Errorf("cognito: RespondNewPassword: %w: %q", ErrMissingAttribute, name)
		}
	}
	for _, name := range sortedKeys(attributes) {
		v := attributes[name]
		if readOnlyAttribute(name) {
			continue
		}
		if cur, ok := ch.UserAttributes[name]; ok && cur == v {
			continue
		}
		r["userAttributes."+name] = v
	}
	return ch.Respond(ctx, r)
}

// RespondMFA answers SMS_MFA, EMAIL_OTP or SOFTWARE_TOKEN_MFA with the code
// the user received or read from the authenticator.
func (ch *Challenge) RespondMFA(ctx context.Context, code string) (*Result, error) {
	if err := ch.want("RespondMFA", ChallengeSMSMFA, ChallengeEmailOTP, ChallengeSoftwareTokenMFA, types.ChallengeNameTypeSmsOtp); err != nil {
		return nil, err
	}
	if code == "" {
		return nil, fmt.Errorf("cognito: RespondMFA: %w: empty code", ErrInvalidParameter)
	}
	key := map[ChallengeName]string{
		ChallengeSMSMFA:               "SMS_MFA_CODE",
		ChallengeEmailOTP:             "EMAIL_OTP_CODE",
		ChallengeSoftwareTokenMFA:     "SOFTWARE_TOKEN_MFA_CODE",
		types.ChallengeNameTypeSmsOtp: "SMS_OTP_CODE",
	}[ch.Name]
	return ch.Respond(ctx, map[string]string{key: code})
}

// SelectMFA answers SELECT_MFA_TYPE with one of MFAOptions
// ("SMS_MFA", "SOFTWARE_TOKEN_MFA" or "EMAIL_OTP").
func (ch *Challenge) SelectMFA(ctx context.Context, mfaType string) (*Result, error) {
	if err := ch.want("SelectMFA", ChallengeSelectMFAType); err != nil {
		return nil, err
	}
	if len(ch.MFAOptions) > 0 && !contains(ch.MFAOptions, mfaType) {
		return nil, fmt.Errorf("cognito: SelectMFA: %w: %q is not one of %q", ErrInvalidParameter, mfaType, ch.MFAOptions)
	}
	return ch.Respond(ctx, map[string]string{"ANSWER": mfaType})
}

// RespondCustom answers CUSTOM_CHALLENGE with the answer the pool's
// VerifyAuthChallengeResponse trigger expects.
func (ch *Challenge) RespondCustom(ctx context.Context, answer string) (*Result, error) {
	if err := ch.want("RespondCustom", ChallengeCustom); err != nil {
		return nil, err
	}
	return ch.Respond(ctx, map[string]string{"ANSWER": answer})
}

// TOTPSetup is a new authenticator secret from AssociateSoftwareToken.
// Secret is sensitive; String never prints it.
type TOTPSetup struct {
	// Secret is the base32 shared secret.
	Secret string
	// URI is the otpauth:// URI to show as a QR code.
	URI string
}

// String describes s without the secret.
func (s TOTPSetup) String() string { return "cognito.TOTPSetup{Secret: [redacted]}" }

// GoString is String.
func (s TOTPSetup) GoString() string { return s.String() }

// TOTPURI returns the otpauth:// URI (Google Authenticator's Key Uri
// Format) for secret, labelled issuer:account.
func TOTPURI(secret, issuer, account string) string {
	label := url.PathEscape(account)
	if issuer != "" {
		label = url.PathEscape(issuer) + ":" + label
	}
	q := url.Values{}
	q.Set("secret", secret)
	if issuer != "" {
		q.Set("issuer", issuer)
	}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// SetupTOTP starts answering MFA_SETUP: it asks Cognito for a new
// authenticator secret (AssociateSoftwareToken with the challenge's
// session) and returns it with an otpauth:// URI labelled issuer:Username.
// Follow with VerifyTOTP.
func (ch *Challenge) SetupTOTP(ctx context.Context, issuer string) (*TOTPSetup, error) {
	if err := ch.want("SetupTOTP", ChallengeMFASetup); err != nil {
		return nil, err
	}
	out, err := ch.c.api.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: aws.String(ch.session)}, ch.c.apiOptions...)
	if err != nil {
		return nil, wrapErr("AssociateSoftwareToken", err)
	}
	secret := aws.ToString(out.SecretCode)
	if secret == "" {
		return nil, fmt.Errorf("cognito: AssociateSoftwareToken: %w: no secret code", ErrInvalidResponse)
	}
	if s := aws.ToString(out.Session); s != "" {
		ch.session = s
	}
	return &TOTPSetup{Secret: secret, URI: TOTPURI(secret, issuer, ch.Username)}, nil
}

// VerifyTOTP finishes MFA_SETUP: it verifies a code from the new
// authenticator (VerifySoftwareToken) and answers the challenge, which
// yields tokens. A wrong code is ErrEnableSoftwareTokenMFA or
// ErrCodeMismatch.
func (ch *Challenge) VerifyTOTP(ctx context.Context, code, friendlyName string) (*Result, error) {
	if err := ch.want("VerifyTOTP", ChallengeMFASetup); err != nil {
		return nil, err
	}
	in := &cip.VerifySoftwareTokenInput{UserCode: aws.String(code), Session: aws.String(ch.session)}
	if friendlyName != "" {
		in.FriendlyDeviceName = aws.String(friendlyName)
	}
	out, err := ch.c.api.VerifySoftwareToken(ctx, in, ch.c.apiOptions...)
	if err != nil {
		return nil, wrapErr("VerifySoftwareToken", err)
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return nil, &Error{Op: "VerifySoftwareToken", Code: "EnableSoftwareTokenMFAException", Message: "verification status " + string(out.Status), sentinel: ErrEnableSoftwareTokenMFA}
	}
	if s := aws.ToString(out.Session); s != "" {
		ch.session = s
	}
	return ch.Respond(ctx, nil)
}

func contains(l []string, s string) bool { return slices.Contains(l, s) }
