package userpool

import (
	"encoding/json"
	"regexp"
	"time"
)

// Choice-based sign-in (the USER_AUTH flow).
//
// A pool's sign-in policy (CreateUserPool Policies.SignInPolicy
// AllowedFirstAuthFactors: PASSWORD, which must stay, plus EMAIL_OTP,
// SMS_OTP, WEB_AUTHN) says which first factors USER_AUTH offers; it needs
// the Essentials or Plus plan (UserPoolTier; LITE answers
// FeatureUnavailableInTierException), and the app client must allow
// ALLOW_USER_AUTH.
//
//	InitiateAuth USER_AUTH {USERNAME}                    → SELECT_CHALLENGE, AvailableChallenges
//	  + PREFERRED_CHALLENGE the user has                 → that factor directly
//	  + PREFERRED_CHALLENGE the user lacks               → SELECT_CHALLENGE
//	  + PREFERRED_CHALLENGE the pool does not allow      → InvalidParameterException
//	RespondToAuthChallenge SELECT_CHALLENGE {ANSWER, …}  → that factor
//
// A factor is offered to a user who has it: PASSWORD and PASSWORD_SRP a
// password, EMAIL_OTP a verified e-mail address, SMS_OTP a verified phone
// number, WEB_AUTHN a passkey (and the pool a relying party). PASSWORD and
// PASSWORD_SRP continue as the password flows do (MFA may follow). A code
// sent for EMAIL_OTP or SMS_OTP is single use, valid for otpValidity, and a
// session survives maxChallengeFailures-1 wrong codes; the last wrong code
// ends it with NotAuthorizedException. A passwordless first factor (a code
// or a passkey) is not followed by MFA, as in Cognito; a new password or
// device authentication may follow it.

const (
	// otpValidity is how long a first-factor code may be used.
	otpValidity = 3 * time.Minute
	// otpDigits is the length of a first-factor code.
	otpDigits = 8
	// KindSignInCode is the Message.Kind of an EMAIL_OTP or SMS_OTP
	// first-factor code (USER_AUTH).
	KindSignInCode = "SIGN_IN_CODE"
)

var (
	// allFirstFactors are the values of AllowedFirstAuthFactors.
	allFirstFactors = []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"}
	// userAuthChallenges are the first factors a USER_AUTH sign-in names.
	userAuthChallenges = []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"}
	rpIDRe             = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)
)

type signInPolicyWire struct {
	AllowedFirstAuthFactors []string `json:"AllowedFirstAuthFactors"`
}

// tier is the pool's feature plan; ESSENTIALS unless set.
func (p *pool) tier() string {
	if p.Tier == "" {
		return "ESSENTIALS"
	}
	return p.Tier
}

func errTier(feature string) *APIError {
	return errorf("FeatureUnavailableInTierException", "%s is not available in the user pool's feature plan.", feature)
}

// factors are the pool's allowed first factors.
func (p *pool) factors() []string {
	if len(p.SignInFactors) == 0 {
		return []string{"PASSWORD"}
	}
	return p.SignInFactors
}

// applySignIn sets a new pool's tier and sign-in policy from CreateUserPool.
func applySignIn(p *pool, in *createUserPoolInput) error {
	switch in.UserPoolTier {
	case "", "LITE", "ESSENTIALS", "PLUS":
		p.Tier = in.UserPoolTier
	default:
		return errInvalidParam("1 validation error detected: Value '%s' at 'userPoolTier' failed to satisfy constraint: Member must satisfy enum value set: [LITE, ESSENTIALS, PLUS]", in.UserPoolTier)
	}
	if in.Policies != nil && in.Policies.SignInPolicy != nil {
		return setSignInFactors(p, in.Policies.SignInPolicy.AllowedFirstAuthFactors)
	}
	return nil
}

// setSignInFactors validates and sets AllowedFirstAuthFactors.
func setSignInFactors(p *pool, l []string) error {
	if len(l) < 1 || len(l) > len(allFirstFactors) {
		return errInvalidParam("1 validation error detected: Value at 'policies.signInPolicy.allowedFirstAuthFactors' failed to satisfy constraint: Member must have length between 1 and %d", len(allFirstFactors))
	}
	var out []string
	for _, f := range l {
		if !contains(allFirstFactors, f) {
			return errInvalidParam("1 validation error detected: Value '%s' at 'policies.signInPolicy.allowedFirstAuthFactors' failed to satisfy constraint: Member must satisfy enum value set: %v", f, allFirstFactors)
		}
		if !contains(out, f) {
			out = append(out, f)
		}
	}
	if !contains(out, "PASSWORD") {
		return errInvalidParam("PASSWORD must be one of the AllowedFirstAuthFactors.")
	}
	if p.tier() == "LITE" && len(out) > 1 {
		return errTier("Passwordless sign-in")
	}
	p.SignInFactors = out
	return nil
}

// signInWire adds the tier and sign-in policy to DescribeUserPool's answer.
func signInWire(p *pool, w *userPoolWire) {
	w.UserPoolTier = p.tier()
	if m, ok := w.Policies.(map[string]any); ok {
		m["SignInPolicy"] = signInPolicyWire{AllowedFirstAuthFactors: p.factors()}
	}
}

// userFactors lists the first factors USER_AUTH offers u, in Cognito's
// order.
func (p *pool) userFactors(u *user) []string {
	var out []string
	for _, f := range p.factors() {
		switch f {
		case "PASSWORD":
			if u.Verifier != "" {
				out = append(out, "PASSWORD", "PASSWORD_SRP")
			}
		case "EMAIL_OTP":
			if u.Attrs["email"] != "" && u.Attrs["email_verified"] == "true" {
				out = append(out, f)
			}
		case "SMS_OTP":
			if u.Attrs["phone_number"] != "" && u.Attrs["phone_number_verified"] == "true" {
				out = append(out, f)
			}
		case "WEB_AUTHN":
			if len(u.Passkeys) > 0 && p.WebAuthnRPID != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// factorAllowed reports whether the pool's policy allows challenge c
// (PASSWORD_SRP is PASSWORD).
func (p *pool) factorAllowed(c string) bool {
	if c == "PASSWORD_SRP" {
		c = "PASSWORD"
	}
	return contains(p.factors(), c)
}

// checkUserAuth makes the checks of InitiateAuth USER_AUTH that do not
// depend on the user: the pool's tier and PREFERRED_CHALLENGE.
func checkUserAuth(p *pool, pref string) error {
	if p.tier() == "LITE" {
		return errTier("Choice-based sign-in (USER_AUTH)")
	}
	if pref == "" {
		return nil
	}
	if !contains(userAuthChallenges, pref) {
		return errInvalidParam("Invalid PREFERRED_CHALLENGE %s: must be one of %v", pref, userAuthChallenges)
	}
	if !p.factorAllowed(pref) {
		return errInvalidParam("The preferred challenge %s is not allowed by the user pool's sign-in policy.", pref)
	}
	return nil
}

// startUserAuth is InitiateAuth USER_AUTH for an existing user u.
func (s *Server) startUserAuth(p *pool, cl *client, u *user, ap map[string]string, base *authSession, now time.Time) (any, error) {
	pref := ap["PREFERRED_CHALLENGE"]
	if err := checkUserAuth(p, pref); err != nil {
		return nil, err
	}
	if err := userCanSignIn(u); err != nil {
		return nil, err
	}
	base.Username, base.Sub = u.Username, u.Sub
	avail := p.userFactors(u)
	if pref != "" && contains(avail, pref) {
		return s.beginFactor(p, cl, u, base, pref, ap, now)
	}
	if len(avail) == 0 {
		return nil, errNotAuthorized("The user has no first factor this user pool allows.")
	}
	b := *base
	b.Available = avail
	sess := s.newSession(p, cl, &b, "SELECT_CHALLENGE", now)
	return &authOutput{ChallengeName: "SELECT_CHALLENGE", Session: sess.ID, AvailableChallenges: avail,
		ChallengeParameters: map[string]string{"USERNAME": u.Username}}, nil
}

// fakeUserAuth answers InitiateAuth USER_AUTH for an unknown user of a
// client that prevents user-existence errors as for a user with every
// factor but passkeys: a password is refused as a wrong one, SRP runs
// against a verifier that never matches, and otherwise a SELECT_CHALLENGE
// whose every answer is refused.
func (s *Server) fakeUserAuth(p *pool, cl *client, name string, ap map[string]string, base *authSession, now time.Time) (any, error) {
	pref := ap["PREFERRED_CHALLENGE"]
	if err := checkUserAuth(p, pref); err != nil {
		return nil, err
	}
	switch pref {
	case "PASSWORD":
		if ap["PASSWORD"] == "" {
			return nil, errInvalidParam("Missing required parameter PASSWORD")
		}
		return nil, errIncorrectPassword
	case "PASSWORD_SRP":
		if ap["SRP_A"] == "" {
			return nil, errInvalidParam("Missing required parameter SRP_A")
		}
		return s.startSRP(p, cl, nil, name, ap["SRP_A"], base, now)
	}
	var avail []string
	for _, f := range p.factors() {
		switch f {
		case "PASSWORD":
			avail = append(avail, "PASSWORD", "PASSWORD_SRP")
		case "EMAIL_OTP", "SMS_OTP":
			avail = append(avail, f)
		}
	}
	b := *base
	b.Username, b.Fake, b.Available = name, true, avail
	sess := s.newSession(p, cl, &b, "SELECT_CHALLENGE", now)
	return &authOutput{ChallengeName: "SELECT_CHALLENGE", Session: sess.ID, AvailableChallenges: avail,
		ChallengeParameters: map[string]string{"USERNAME": name}}, nil
}

// beginFactor starts first factor f of a USER_AUTH sign-in; params holds
// PASSWORD or SRP_A for the password factors.
func (s *Server) beginFactor(p *pool, cl *client, u *user, base *authSession, f string, params map[string]string, now time.Time) (any, error) {
	b := *base
	b.Available = nil
	switch f {
	case "PASSWORD":
		pw := params["PASSWORD"]
		if pw == "" {
			return nil, errInvalidParam("Missing required parameter PASSWORD")
		}
		return s.passwordStep(p, cl, u, &b, pw, now)
	case "PASSWORD_SRP":
		srpA := params["SRP_A"]
		if srpA == "" {
			return nil, errInvalidParam("Missing required parameter SRP_A")
		}
		return s.startSRP(p, cl, u, u.Username, srpA, &b, now)
	case "EMAIL_OTP", "SMS_OTP":
		attr := "email"
		if f == "SMS_OTP" {
			attr = "phone_number"
		}
		b.Code = s.digits(otpDigits)
		b.CodeExpires = now.Add(otpValidity)
		b.FirstFactor, b.Passwordless = f, true
		d, err := s.sendMFACode(p, cl, u, attr, KindSignInCode, b.Code, respondMeta(&b), now)
		if err != nil {
			return nil, err
		}
		sess := s.newSession(p, cl, &b, f, now)
		return &authOutput{ChallengeName: f, Session: sess.ID, ChallengeParameters: map[string]string{
			"USERNAME":                      u.Username,
			"CODE_DELIVERY_DELIVERY_MEDIUM": d["DeliveryMedium"].(string),
			"CODE_DELIVERY_DESTINATION":     d["Destination"].(string),
		}}, nil
	case "WEB_AUTHN":
		opts, state, err := s.beginAssertion(p, u)
		if err != nil {
			return nil, err
		}
		b.WebAuthn, b.FirstFactor, b.Passwordless = state, f, true
		sess := s.newSession(p, cl, &b, f, now)
		return &authOutput{ChallengeName: f, Session: sess.ID, ChallengeParameters: map[string]string{
			"USERNAME": u.Username, "CREDENTIAL_REQUEST_OPTIONS": opts,
		}}, nil
	}
	return nil, errInvalidParam("Unsupported challenge %s", f)
}

// respondUserAuth answers SELECT_CHALLENGE and the passwordless first
// factors. sess is consumed; it is put back where the user may retry.
func (s *Server) respondUserAuth(p *pool, cl *client, u *user, sess *authSession, name string, r map[string]string, now time.Time) (any, error) {
	switch name {
	case "SELECT_CHALLENGE":
		ans := r["ANSWER"]
		if !contains(sess.Available, ans) || !contains(p.userFactors(u), ans) {
			s.putBack(p, sess)
			return nil, errInvalidParam("The challenge %s is not available for this user.", ans)
		}
		return s.beginFactor(p, cl, u, sess, ans, r, now)
	case "EMAIL_OTP", "SMS_OTP":
		key := name + "_CODE"
		code := r[key]
		if code == "" {
			s.putBack(p, sess)
			return nil, errInvalidParam("Missing required parameter %s", key)
		}
		if !ctEqual(sess.Code, code) {
			sess.Failures++
			if sess.Failures >= maxChallengeFailures {
				return nil, errNotAuthorized("Invalid session for the user, too many failed attempts.")
			}
			s.putBack(p, sess)
			return nil, errCodeMismatch
		}
	case "WEB_AUTHN":
		cred := r["CREDENTIAL"]
		if cred == "" {
			s.putBack(p, sess)
			return nil, errInvalidParam("Missing required parameter CREDENTIAL")
		}
		if err := s.finishAssertion(p, u, sess.WebAuthn, cred); err != nil {
			return nil, err
		}
	default:
		return nil, errInvalidParam("Unsupported challenge %s", name)
	}
	b := *sess
	b.Code, b.WebAuthn, b.FirstFactor, b.CodeExpires = "", "", "", time.Time{}
	return s.afterPassword(p, cl, u, &b, now)
}

// ---------------------------------------------------------------------------
// SetUserPoolMfaConfig / GetUserPoolMfaConfig: MFA and the passkey relying
// party.

type mfaConfigInput struct {
	UserPoolId                    string `json:"UserPoolId"`
	MfaConfiguration              string `json:"MfaConfiguration"`
	SoftwareTokenMfaConfiguration *struct {
		Enabled bool `json:"Enabled"`
	} `json:"SoftwareTokenMfaConfiguration"`
	SmsMfaConfiguration   json.RawMessage `json:"SmsMfaConfiguration"`
	EmailMfaConfiguration json.RawMessage `json:"EmailMfaConfiguration"`
	WebAuthnConfiguration *struct {
		RelyingPartyId   *string `json:"RelyingPartyId"`
		UserVerification string  `json:"UserVerification"`
	} `json:"WebAuthnConfiguration"`
}

func (in *mfaConfigInput) poolID() string { return in.UserPoolId }

// webAuthnUV is the pool's passkey user-verification requirement.
func (p *pool) webAuthnUV() string {
	if p.WebAuthnUV == "" {
		return "preferred"
	}
	return p.WebAuthnUV
}

func mfaConfigWire(p *pool) map[string]any {
	m := map[string]any{"MfaConfiguration": p.MFA}
	if p.MFA != "OFF" {
		// Software tokens are always available here; Cognito leaves the
		// block out of a pool without MFA.
		m["SoftwareTokenMfaConfiguration"] = map[string]any{"Enabled": true}
	}
	// Cognito answers WebAuthnConfiguration once it has been set.
	if p.WebAuthnRPID == "" && p.WebAuthnUV == "" {
		return m
	}
	wa := map[string]any{"UserVerification": p.webAuthnUV()}
	if p.WebAuthnRPID != "" {
		wa["RelyingPartyId"] = p.WebAuthnRPID
	}
	m["WebAuthnConfiguration"] = wa
	return m
}

func opSetUserPoolMfaConfig(s *Server, c *call) (any, error) {
	var in mfaConfigInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	mfa := p.MFA
	switch in.MfaConfiguration {
	case "":
	case "OFF", "ON", "OPTIONAL":
		mfa = in.MfaConfiguration
	default:
		return nil, errInvalidParam("1 validation error detected: Value '%s' at 'mfaConfiguration' failed to satisfy constraint: Member must satisfy enum value set: [OFF, ON, OPTIONAL]", in.MfaConfiguration)
	}
	if w := in.WebAuthnConfiguration; w != nil {
		if err := setWebAuthnConfig(p, w.RelyingPartyId, w.UserVerification); err != nil {
			return nil, err
		}
	}
	p.MFA, p.Modified = mfa, c.now
	return mfaConfigWire(p), nil
}

// setWebAuthnConfig validates and sets the pool's passkey relying party
// (rp nil keeps it; "" removes it) and user-verification requirement
// ("preferred" or "required"; "" is preferred). Nothing changes on error.
func setWebAuthnConfig(p *pool, rp *string, uv string) error {
	id := p.WebAuthnRPID
	if rp != nil {
		id = *rp
		if id != "" && (len(id) > 253 || !rpIDRe.MatchString(id)) {
			return errInvalidParam("Invalid RelyingPartyId %q: it must be a domain name, without a scheme, port or path.", id)
		}
	}
	switch uv {
	case "", "preferred", "required":
	default:
		return errInvalidParam("1 validation error detected: Value '%s' at 'webAuthnConfiguration.userVerification' failed to satisfy constraint: Member must satisfy enum value set: [required, preferred]", uv)
	}
	if p.tier() == "LITE" && (id != "" || uv != "") {
		return errTier("Passkey sign-in")
	}
	p.WebAuthnRPID, p.WebAuthnUV = id, uv
	return nil
}

// signInOptions carries PoolOptions' tier and sign-in policy into a
// CreateUserPool input.
func signInOptions(in *createUserPoolInput, o PoolOptions) {
	in.UserPoolTier = o.Tier
	if o.ThreatProtection != "" {
		in.UserPoolAddOns = &userPoolAddOns{AdvancedSecurityMode: o.ThreatProtection}
	}
	if o.SignInFactors != nil {
		if in.Policies == nil {
			in.Policies = &poolPolicies{}
		}
		in.Policies.SignInPolicy = &signInPolicyWire{AllowedFirstAuthFactors: o.SignInFactors}
	}
}

func opGetUserPoolMfaConfig(s *Server, c *call) (any, error) {
	var in mfaConfigInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	return mfaConfigWire(p), nil
}

// GetUserAuthFactors: the user's MFA settings and the first factors
// USER_AUTH offers them.
func opGetUserAuthFactors(s *Server, c *call) (any, error) {
	var in struct {
		AccessToken string `json:"AccessToken"`
	}
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	p, u, _, err := s.authAccess(in.AccessToken, c.now)
	if err != nil {
		return nil, err
	}
	var configured []string
	for _, f := range p.userFactors(u) {
		if f != "PASSWORD_SRP" {
			configured = append(configured, f)
		}
	}
	preferred, list := u.mfaOptions()
	out := map[string]any{"Username": u.Username, "ConfiguredUserAuthFactors": nonNil(configured),
		"UserMFASettingList": nonNil(list)}
	if preferred != "" {
		out["PreferredMfaSetting"] = preferred
	}
	return out, nil
}

func init() {
	rw := func(fn func(*Server, *call) (any, error)) op { return op{fn: fn} }
	ro := func(fn func(*Server, *call) (any, error)) op { return op{fn: fn, readOnly: true} }
	pub := func(o op) op { o.public = true; return o }
	registerTarget(idpTarget, map[string]op{
		"SetUserPoolMfaConfig":         rw(opSetUserPoolMfaConfig),
		"GetUserPoolMfaConfig":         ro(opGetUserPoolMfaConfig),
		"GetUserAuthFactors":           pub(ro(opGetUserAuthFactors)),
		"StartWebAuthnRegistration":    pub(rw(opStartWebAuthnRegistration)),
		"CompleteWebAuthnRegistration": pub(rw(opCompleteWebAuthnRegistration)),
		"ListWebAuthnCredentials":      pub(ro(opListWebAuthnCredentials)),
		"DeleteWebAuthnCredential":     pub(rw(opDeleteWebAuthnCredential)),
		"GetTokensFromRefreshToken":    pub(rw(opGetTokensFromRefreshToken)),
	})
}
