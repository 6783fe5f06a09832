package userpool

import (
	"math/big"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// User statuses.
const (
	statusUnconfirmed = "UNCONFIRMED"
	statusConfirmed   = "CONFIRMED"
	statusForceChange = "FORCE_CHANGE_PASSWORD"
	statusReset       = "RESET_REQUIRED"
)

func (p *pool) key(name string) string {
	if p.CaseSensitive {
		return name
	}
	return strings.ToLower(name)
}

// lookupUser resolves what a caller typed as a username: the username
// itself, the sub, or (for pools with username or alias attributes) an
// e-mail address, phone number or preferred_username.
func (p *pool) lookupUser(name string) *user {
	if name == "" {
		return nil
	}
	if u, ok := p.Users[p.key(name)]; ok {
		return u
	}
	signIn := append(append([]string{}, p.UsernameAttributes...), p.AliasAttributes...)
	if len(signIn) == 0 {
		return nil
	}
	for _, u := range p.Users {
		if len(p.UsernameAttributes) > 0 && u.Sub == name {
			return u
		}
		for _, a := range signIn {
			v, ok := u.Attrs[a]
			if !ok || !strings.EqualFold(v, name) {
				continue
			}
			// Aliases only count once verified (preferred_username has
			// no verification); username attributes always count.
			if contains(p.AliasAttributes, a) && a != "preferred_username" && u.Attrs[a+"_verified"] != "true" {
				continue
			}
			return u
		}
	}
	return nil
}

func (s *Server) mustUser(p *pool, name string) (*user, error) {
	if name == "" {
		return nil, required("username", "")
	}
	u := p.findUser(name)
	if u == nil {
		return nil, errUserNotFound
	}
	return u, nil
}

// setPassword stores a fresh salt and SRP verifier for pw.
func (s *Server) setPassword(p *pool, u *user, pw string) error {
	salt, err := s.newSalt()
	if err != nil {
		return errorf("InternalErrorException", "cognitotest: salt: %v", err)
	}
	if err := checkHistory(p, u, pw); err != nil {
		return err
	}
	v := srp.ComputeVerifier(srp.PoolName(p.ID), u.Username, pw, salt)
	storePassword(p, u, salt.Text(16), v.Text(16))
	return nil
}

// setNewUserPassword is setPassword for a user not yet added to p: the
// verifier (a modular exponentiation) is computed with s.mu released, then
// the pool and the user's uniqueness are checked again, so that the
// caller's addUser stays atomic with the check.
func (s *Server) setNewUserPassword(p *pool, u *user, pw string) error {
	salt, err := s.newSalt()
	if err != nil {
		return errorf("InternalErrorException", "cognitotest: salt: %v", err)
	}
	realm, name := srp.PoolName(p.ID), u.Username
	var v *big.Int
	s.unlocked(func() { v = srp.ComputeVerifier(realm, name, pw, salt) })
	if !s.current(p) {
		return errPoolGone(p.ID)
	}
	if p.findUser(u.Username) != nil || p.Users[p.key(u.Username)] != nil {
		return errUserExists // created meanwhile
	}
	if err := checkUnique(p, u, u.Attrs); err != nil {
		return err
	}
	u.Salt, u.Verifier = salt.Text(16), v.Text(16)
	return nil
}

// setExistingPassword is setPassword for a user of p, with the verifier
// computed with s.mu released (hashUnlocked). The caller has made its
// checks (and consumed any code) before, and only sets the user's fields
// after.
func (s *Server) setExistingPassword(p *pool, u *user, pw string) error {
	salt, v, err := s.hashUnlocked(p, u, pw)
	if err != nil {
		return err
	}
	storePassword(p, u, salt, v)
	return nil
}

// hashUnlocked returns a fresh salt and the SRP verifier of pw for u (hex),
// computed with s.mu released; it fails when the pool or the user is gone
// afterwards, or when pw is one of u's recent passwords (password history,
// checked unlocked too). The caller stores them with storePassword.
func (s *Server) hashUnlocked(p *pool, u *user, pw string) (salt, verifier string, err error) {
	sb, err := s.newSalt()
	if err != nil {
		return "", "", errorf("InternalErrorException", "cognitotest: salt: %v", err)
	}
	realm, name, recent := srp.PoolName(p.ID), u.Username, recentPasswords(p, u)
	var v *big.Int
	reused := false
	s.unlocked(func() {
		v = srp.ComputeVerifier(realm, name, pw, sb)
		reused = reusesPassword(realm, name, pw, recent)
	})
	if !s.current(p) {
		return "", "", errPoolGone(p.ID)
	}
	if p.user(name) != u {
		return "", "", errUserNotFound // deleted meanwhile
	}
	if reused {
		return "", "", errPasswordHistory
	}
	return sb.Text(16), v.Text(16), nil
}

// passwordMatches checks pw against the stored verifier in constant time.
func passwordMatches(p *pool, u *user, pw string) bool {
	return verifierMatches(srp.PoolName(p.ID), u.Username, pw, u.Salt, u.Verifier)
}

// verifierMatches checks pw against a salt and verifier (hex) in constant
// time. It reads no state, so it may run without s.mu.
func verifierMatches(realm, username, pw, saltHex, verifierHex string) bool {
	salt, ok1 := new(big.Int).SetString(saltHex, 16)
	want, ok2 := new(big.Int).SetString(verifierHex, 16)
	if !ok1 || !ok2 {
		return false
	}
	got := srp.ComputeVerifier(realm, username, pw, salt)
	return ctEqual(srp.PadHex(got), srp.PadHex(want))
}

var (
	emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	phoneRe = regexp.MustCompile(`^\+[0-9]{4,15}$`)
)

// checkAttrs validates attribute names and values against the schema:
// each attribute exists and may be written, and its value meets its
// schema entry's constraints (schemaAttribute.checkValue). Every write of
// attributes goes through it: sign-up, AdminCreateUser, the two attribute
// updates, a NEW_PASSWORD_REQUIRED answer (API and hosted UI), a user
// migration trigger's answer, user import rows and AddUser. admin allows
// developer-only attributes.
func checkAttrs(p *pool, attrs []attributeType, admin bool) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range attrs {
		if a.Name == "" {
			return nil, errInvalidParam("Attribute name is required.")
		}
		sa := p.schemaAttr(a.Name)
		if sa == nil {
			return nil, errInvalidParam("Attributes did not conform to the schema: %s: Attribute does not exist in the schema.", a.Name)
		}
		if a.Name == "sub" {
			return nil, errInvalidParam("Attributes did not conform to the schema: sub: Attribute cannot be updated.")
		}
		if sa.DeveloperOnly && !admin {
			return nil, errInvalidParam("Attributes did not conform to the schema: %s: Attribute cannot be updated.", a.Name)
		}
		v := str(a.Value)
		switch a.Name {
		case "email":
			if v != "" && !emailRe.MatchString(v) {
				return nil, errInvalidParam("Invalid email address format.")
			}
		case "phone_number":
			if v != "" && !phoneRe.MatchString(v) {
				return nil, errInvalidParam("Invalid phone number format.")
			}
		case "email_verified", "phone_number_verified":
			if v != "true" && v != "false" {
				return nil, errInvalidParam("Attributes did not conform to the schema: %s: must be true or false", a.Name)
			}
		}
		if err := sa.checkValue(v); err != nil {
			return nil, err
		}
		out[a.Name] = v
	}
	return out, nil
}

// checkUnique rejects a value of a username or alias attribute that
// another user already holds.
func checkUnique(p *pool, u *user, attrs map[string]string) error {
	for _, a := range append(append([]string{}, p.UsernameAttributes...), p.AliasAttributes...) {
		v, ok := attrs[a]
		if !ok || v == "" {
			continue
		}
		for _, o := range p.Users {
			if o == u || !strings.EqualFold(o.Attrs[a], v) {
				continue
			}
			if contains(p.UsernameAttributes, a) {
				return errUserExists
			}
			verified := a == "preferred_username" || o.Attrs[a+"_verified"] == "true"
			if verified && (a == "preferred_username" || attrs[a+"_verified"] == "true") {
				return errorf("AliasExistsException", "An account with the given %s already exists.", strings.ReplaceAll(a, "_", " "))
			}
		}
	}
	return nil
}

func (s *Server) newUser(p *pool, username string, attrs map[string]string, now time.Time) (*user, error) {
	if username == "" {
		return nil, required("username", "")
	}
	if len(username) > 128 || strings.ContainsAny(username, " \t\r\n") {
		return nil, errInvalidParam("1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
	}
	sub := s.uuid()
	if len(p.UsernameAttributes) > 0 {
		switch {
		case contains(p.UsernameAttributes, "email") && emailRe.MatchString(username):
			if _, ok := attrs["email"]; !ok {
				attrs["email"] = username
			}
		case contains(p.UsernameAttributes, "phone_number") && phoneRe.MatchString(username):
			if _, ok := attrs["phone_number"]; !ok {
				attrs["phone_number"] = username
			}
		default:
			return nil, errInvalidParam("Username should be either an email or a phone number.")
		}
		username = sub
	} else if emailRe.MatchString(username) && contains(p.AliasAttributes, "email") || phoneRe.MatchString(username) && contains(p.AliasAttributes, "phone_number") {
		return nil, errInvalidParam("Username cannot be of email format, since user pool is configured for email alias.")
	}
	if p.findUser(username) != nil || p.Users[p.key(username)] != nil {
		return nil, errUserExists
	}
	u := &user{Username: username, Sub: sub, Attrs: attrs, Enabled: true, Created: now, Modified: now}
	if err := checkUnique(p, u, attrs); err != nil {
		return nil, err
	}
	attrs["sub"] = sub
	return u, nil
}

func (u *user) attrList(only []string) []attributeType {
	names := make([]string, 0, len(u.Attrs))
	for n := range u.Attrs {
		if len(only) > 0 && !contains(only, n) {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]attributeType, 0, len(names))
	for _, n := range names {
		v := u.Attrs[n]
		out = append(out, attributeType{Name: n, Value: &v})
	}
	return out
}

func (u *user) mfaOptions() (preferred string, list []string) {
	if u.SMSEnabled {
		list = append(list, "SMS_MFA")
	}
	if u.TOTPEnabled {
		list = append(list, "SOFTWARE_TOKEN_MFA")
	}
	if u.EmailMFAEnabled {
		list = append(list, "EMAIL_OTP")
	}
	return u.PreferredMFA, list
}

// putMFASettings adds u's MFA settings to a GetUser or AdminGetUser answer.
func (u *user) putMFASettings(out map[string]any) map[string]any {
	pref, list := u.mfaOptions()
	if pref != "" {
		out["PreferredMfaSetting"] = pref
	}
	if len(list) > 0 {
		out["UserMFASettingList"] = list
	}
	if l := legacyMFAOptions(u); l != nil {
		out["MFAOptions"] = l
	}
	return out
}

func userWire(u *user, only []string) map[string]any {
	return map[string]any{
		"Username": u.Username, "Attributes": u.attrList(only), "UserCreateDate": ep(u.Created),
		"UserLastModifiedDate": ep(u.Modified), "Enabled": u.Enabled, "UserStatus": u.Status,
	}
}

// ---------------------------------------------------------------------------
// Outbox and codes.

// Message kinds in the outbox.
const (
	KindSignUp          = "SIGN_UP"          // ConfirmSignUp code (SignUp, ResendConfirmationCode)
	KindForgotPassword  = "FORGOT_PASSWORD"  // ConfirmForgotPassword code
	KindInvitation      = "INVITATION"       // AdminCreateUser temporary password (in Code)
	KindVerifyAttribute = "VERIFY_ATTRIBUTE" // VerifyUserAttribute code
	KindMFA             = "MFA"              // SMS_MFA / EMAIL_OTP sign-in code
	KindAuthentication  = "CUSTOM_CHALLENGE" // reserved for custom-auth hooks that send codes
)

// deliver records a message in the outbox and returns Cognito's
// CodeDeliveryDetails for it.
func (s *Server) deliver(p *pool, u *user, attr, kind, code, body string, now time.Time) map[string]any {
	return s.deliverMessage(p, u, attr, kind, code, "", body, now)
}

// deliverMessage is deliver with an e-mail subject (a custom message
// trigger's emailSubject).
func (s *Server) deliverMessage(p *pool, u *user, attr, kind, code, subject, body string, now time.Time) map[string]any {
	dest := u.Attrs[attr]
	medium, masked := "EMAIL", maskEmail(dest)
	if attr == "phone_number" {
		medium, masked = "SMS", maskPhone(dest)
	}
	p.Messages = append(p.Messages, Message{PoolID: p.ID, Username: u.Username, Destination: dest,
		Medium: medium, Kind: kind, Code: code, Subject: subject, Body: body, Time: now})
	p.sent()
	if len(p.Messages) > 1000 {
		p.Messages = append([]Message(nil), p.Messages[len(p.Messages)-1000:]...)
	}
	return map[string]any{"Destination": masked, "DeliveryMedium": medium, "AttributeName": attr}
}

// verificationTarget picks where a sign-up code goes: an auto-verified
// attribute the user has, e-mail first.
func verificationTarget(p *pool, u *user) string {
	for _, a := range []string{"email", "phone_number"} {
		if contains(p.AutoVerifiedAttributes, a) && u.Attrs[a] != "" {
			return a
		}
	}
	return ""
}

// recoveryTarget picks where a forgot-password code goes: a verified
// e-mail, else a verified phone.
func recoveryTarget(u *user) string {
	for _, a := range []string{"email", "phone_number"} {
		if u.Attrs[a] != "" && u.Attrs[a+"_verified"] == "true" {
			return a
		}
	}
	return ""
}

func (s *Server) issueCode(u *user, purpose string, ttl time.Duration, now time.Time) string {
	code := s.digits(6)
	if u.Codes == nil {
		u.Codes = map[string]*otpCode{}
	}
	u.Codes[purpose] = &otpCode{Code: code, Expires: now.Add(ttl)}
	return code
}

const maxCodeFailures = 5

// checkCode verifies and consumes a one-time code.
func checkCode(u *user, purpose, code string, now time.Time) error {
	c := u.Codes[purpose]
	if c == nil {
		return errExpiredCode
	}
	if now.After(c.Expires) {
		delete(u.Codes, purpose)
		return errExpiredCode
	}
	if !ctEqual(c.Code, code) {
		c.Failures++
		if c.Failures >= maxCodeFailures {
			delete(u.Codes, purpose)
			return errTooManyCodes
		}
		return errCodeMismatch
	}
	delete(u.Codes, purpose)
	return nil
}

// sendCode issues u a one-time code of kind (KindSignUp,
// KindForgotPassword or KindVerifyAttribute), sends it to attr through the
// custom message trigger source src (send) and returns its
// CodeDeliveryDetails.
func (s *Server) sendCode(tc *trigCall, p *pool, u *user, attr, kind string, src triggers.Source, now time.Time) (map[string]any, error) {
	purpose, ttl, text := "verify:"+attr, 24*time.Hour, "Your verification code is "
	switch kind {
	case KindSignUp:
		purpose, text = "signup", "Your confirmation code is "
	case KindForgotPassword:
		purpose, ttl, text = "forgot", time.Hour, "Your password reset code is "
	}
	code := s.issueCode(u, purpose, ttl, now)
	body := text + code
	if kind != KindForgotPassword {
		body = p.verificationBody(attr, text, code)
	}
	return s.send(tc, p, u, outMessage{attr: attr, kind: kind, code: code, body: body, source: src}, now)
}

// sendResetCode sends u a password-reset code (ForgotPassword,
// AdminResetUserPassword): u must be enabled and have a verified e-mail
// address or phone number.
func (s *Server) sendResetCode(tc *trigCall, p *pool, u *user, now time.Time) (map[string]any, error) {
	if !u.Enabled {
		return nil, errUserDisabled
	}
	a := p.recoveryAttr(u)
	if a == "" {
		return nil, errInvalidParam("Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	return s.sendCode(tc, p, u, a, KindForgotPassword, triggers.SourceCustomMessageForgotPassword, now)
}

// canConfirm refuses to confirm the sign-up of a user who is not
// UNCONFIRMED.
func canConfirm(u *user) error {
	if u.Status != statusUnconfirmed {
		return errNotAuthorized("User cannot be confirmed. Current status is " + u.Status)
	}
	return nil
}

// forceChange makes u's password temporary: FORCE_CHANGE_PASSWORD until
// the pool's temporary-password validity ends.
func (p *pool) forceChange(u *user, now time.Time) {
	u.Status = statusForceChange
	u.TempUntil = now.Add(time.Duration(p.Policy.TemporaryPasswordValidityDays) * 24 * time.Hour)
}

// ---------------------------------------------------------------------------
// SECRET_HASH.

func checkSecretHash(cl *client, given string, usernames ...string) error {
	if cl.Secret == "" {
		return nil
	}
	if given == "" {
		return errNotAuthorized("Client " + cl.ID + " is configured with secret but SECRET_HASH was not received")
	}
	ok := false
	for _, n := range usernames {
		if n != "" && matchSecretHash(cl, n, given) {
			ok = true
		}
	}
	if !ok {
		return errNotAuthorized("Unable to verify secret hash for client " + cl.ID)
	}
	return nil
}

// ---------------------------------------------------------------------------
// Self-service operations.

type userInput struct {
	ClientId           string          `json:"ClientId"`
	SecretHash         string          `json:"SecretHash"`
	Username           string          `json:"Username"`
	Password           string          `json:"Password"`
	UserAttributes     []attributeType `json:"UserAttributes"`
	ConfirmationCode   string          `json:"ConfirmationCode"`
	AccessToken        string          `json:"AccessToken"`
	PreviousPassword   string          `json:"PreviousPassword"`
	ProposedPassword   string          `json:"ProposedPassword"`
	AttributeName      string          `json:"AttributeName"`
	Code               string          `json:"Code"`
	UserPoolId         string          `json:"UserPoolId"`
	TemporaryPassword  string          `json:"TemporaryPassword"`
	MessageAction      string          `json:"MessageAction"`
	DesiredDelivery    []string        `json:"DesiredDeliveryMediums"`
	Permanent          bool            `json:"Permanent"`
	GroupName          string          `json:"GroupName"`
	Limit              int32           `json:"Limit"`
	NextToken          string          `json:"NextToken"`
	PaginationToken    string          `json:"PaginationToken"`
	Filter             string          `json:"Filter"`
	AttributesToGet    []string        `json:"AttributesToGet"`
	UserAttributeNames []string        `json:"UserAttributeNames"`
	// ValidationData (SignUp, AdminCreateUser) and ClientMetadata go to
	// the triggers the operation fires.
	ValidationData []attributeType   `json:"ValidationData"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

// decodeClient decodes a self-service input and finds the app client it
// names.
func (s *Server) decodeClient(c *call, in *userInput) (*pool, *client, error) {
	if err := c.decode(in); err != nil {
		return nil, nil, err
	}
	return s.clientByID(in.ClientId)
}

// clientUser decodes a self-service input naming an app client and a user
// and checks them in Cognito's order: the client, the user, then
// SECRET_HASH (for the name given or the username).
func (s *Server) clientUser(c *call, in *userInput) (*pool, *user, error) {
	p, cl, err := s.decodeClient(c, in)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.mustUser(p, in.Username)
	if err != nil {
		return nil, nil, err
	}
	if err := checkSecretHash(cl, in.SecretHash, in.Username, u.Username); err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// accessUser decodes an input carrying an access token and returns the
// token's pool, user and claims.
func (s *Server) accessUser(c *call, in *userInput) (*pool, *user, *tokenClaims, error) {
	if err := c.decode(in); err != nil {
		return nil, nil, nil, err
	}
	return s.authAccess(in.AccessToken, c.now)
}

// checkWritable refuses attributes the app client may not write.
func checkWritable(cl *client, attrs map[string]string) error {
	if len(cl.WriteAttributes) == 0 {
		return nil
	}
	for n := range attrs {
		if !contains(cl.WriteAttributes, n) {
			return errNotAuthorized("A client attempted to write unauthorized attribute")
		}
	}
	return nil
}

func opSignUp(s *Server, c *call) (any, error) {
	var in userInput
	p, cl, err := s.decodeClient(c, &in)
	if err != nil {
		return nil, err
	}
	if err := checkSecretHash(cl, in.SecretHash, in.Username); err != nil {
		return nil, err
	}
	if p.AdminCreateOnly {
		return nil, errNotAuthorized("SignUp is not permitted for this user pool")
	}
	if err := firstErr(required("username", in.Username), required("password", in.Password)); err != nil {
		return nil, err
	}
	if err := validatePassword(p.Policy, in.Password); err != nil {
		return nil, err
	}
	attrs, err := checkAttrs(p, in.UserAttributes, false)
	if err != nil {
		return nil, err
	}
	delete(attrs, "email_verified")
	delete(attrs, "phone_number_verified")
	if err := checkWritable(cl, attrs); err != nil {
		return nil, err
	}
	for _, r := range p.requiredAttrs() {
		if attrs[r] == "" && !(r == "email" && contains(p.UsernameAttributes, "email")) && !(r == "phone_number" && contains(p.UsernameAttributes, "phone_number")) {
			return nil, errInvalidParam("Attributes did not conform to the schema: %s: The attribute %s is required", r, r)
		}
	}
	u, err := s.newUser(p, in.Username, attrs, c.now)
	if err != nil {
		return nil, err
	}
	tc := &trigCall{c: c, clientID: cl.ID, meta: in.ClientMetadata}
	pre, err := s.preSignUp(tc, p, u, triggers.SourcePreSignUpSignUp, attrMap(in.ValidationData))
	if err != nil {
		return nil, err
	}
	if err := s.setNewUserPassword(p, u, in.Password); err != nil {
		return nil, err
	}
	u.Status = statusUnconfirmed
	if pre.AutoConfirmUser {
		u.Status = statusConfirmed
	}
	p.addUser(u)
	s.recordEvent(p, u, c, eventSignUp, eventPass)
	out := map[string]any{"UserConfirmed": pre.AutoConfirmUser, "UserSub": u.Sub}
	if pre.AutoConfirmUser {
		// Confirmed without a code; post confirmation runs as for
		// ConfirmSignUp, and its failure leaves the user confirmed.
		if err := s.postConfirmation(tc, p, u, triggers.SourcePostConfirmationSignUp); err != nil {
			return nil, err
		}
		return out, nil
	}
	if a := verificationTarget(p, u); a != "" && u.Attrs[a+"_verified"] != "true" {
		d, err := s.sendCode(tc, p, u, a, KindSignUp, triggers.SourceCustomMessageSignUp, c.now)
		if err != nil {
			return nil, err // the user stays, UNCONFIRMED: ResendConfirmationCode sends a code
		}
		out["CodeDeliveryDetails"] = d
	}
	return out, nil
}

func opConfirmSignUp(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.clientUser(c, &in)
	if err != nil {
		return nil, err
	}
	if err := required("confirmationCode", in.ConfirmationCode); err != nil {
		return nil, err
	}
	if err := canConfirm(u); err != nil {
		return nil, err
	}
	if err := checkCode(u, "signup", in.ConfirmationCode, c.now); err != nil {
		return nil, err
	}
	s.confirm(p, u, c.now)
	tc := &trigCall{c: c, clientID: in.ClientId, meta: in.ClientMetadata}
	if err := s.postConfirmation(tc, p, u, triggers.SourcePostConfirmationSignUp); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

// confirm marks a user CONFIRMED and the attribute the code went to verified.
func (s *Server) confirm(p *pool, u *user, now time.Time) {
	u.Status = statusConfirmed
	if a := verificationTarget(p, u); a != "" {
		u.Attrs[a+"_verified"] = "true"
	}
	u.Modified = now
}

func opResendConfirmationCode(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.clientUser(c, &in)
	if err != nil {
		return nil, err
	}
	if u.Status != statusUnconfirmed {
		return nil, errInvalidParam("User is already confirmed.")
	}
	a := verificationTarget(p, u)
	if a == "" {
		return nil, errInvalidParam("Auto verification not turned on.")
	}
	s.recordEvent(p, u, c, eventResendCode, eventPass)
	tc := &trigCall{c: c, clientID: in.ClientId, meta: in.ClientMetadata}
	d, err := s.sendCode(tc, p, u, a, KindSignUp, triggers.SourceCustomMessageResendCode, c.now)
	if err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": d}, nil
}

func opForgotPassword(s *Server, c *call) (any, error) {
	var in userInput
	p, u, resetVia, err := s.forgotPasswordUser(c, &in)
	if err != nil {
		return nil, err
	}
	tc := &trigCall{c: c, clientID: in.ClientId, meta: in.ClientMetadata}
	var details map[string]any
	if resetVia != "" { // a migrated user: to the medium the function chose
		details, err = s.sendCode(tc, p, u, resetVia, KindForgotPassword, triggers.SourceCustomMessageForgotPassword, c.now)
	} else {
		details, err = s.sendResetCode(tc, p, u, c.now)
	}
	if err != nil {
		return nil, err
	}
	s.recordEvent(p, u, c, eventForgotPassword, eventPass)
	return map[string]any{"CodeDeliveryDetails": details}, nil
}

func opConfirmForgotPassword(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.clientUser(c, &in)
	if err != nil {
		return nil, err
	}
	if err := firstErr(required("confirmationCode", in.ConfirmationCode), required("password", in.Password)); err != nil {
		return nil, err
	}
	if err := validatePassword(p.Policy, in.Password); err != nil {
		return nil, err
	}
	if err := checkCode(u, "forgot", in.ConfirmationCode, c.now); err != nil {
		return nil, err
	}
	if err := s.setExistingPassword(p, u, in.Password); err != nil {
		return nil, err
	}
	u.Status, u.FailedLogins, u.LockedUntil, u.TempUntil, u.Modified = statusConfirmed, 0, time.Time{}, time.Time{}, c.now
	tc := &trigCall{c: c, clientID: in.ClientId, meta: in.ClientMetadata}
	if err := s.postConfirmation(tc, p, u, triggers.SourcePostConfirmationForgotPassword); err != nil {
		return nil, err // the new password stays
	}
	return map[string]any{}, nil
}

func opChangePassword(s *Server, c *call) (any, error) {
	var in userInput
	p, u, _, err := s.accessUser(c, &in)
	if err != nil {
		return nil, err
	}
	if err := firstErr(required("previousPassword", in.PreviousPassword), required("proposedPassword", in.ProposedPassword)); err != nil {
		return nil, err
	}
	if err := validatePassword(p.Policy, in.ProposedPassword); err != nil {
		return nil, err
	}
	if err := s.checkLockout(u, c.now); err != nil {
		return nil, err
	}
	// The previous password's check runs with s.mu released; the user is
	// looked up again after, and a password changed meanwhile fails it.
	salt, verifier, realm, name := u.Salt, u.Verifier, srp.PoolName(p.ID), u.Username
	var ok bool
	s.unlocked(func() { ok = verifierMatches(realm, name, in.PreviousPassword, salt, verifier) })
	if !s.current(p) {
		return nil, errPoolGone(p.ID)
	}
	if p.user(name) != u {
		return nil, errUserNotFound
	}
	if !ok || u.Salt != salt || u.Verifier != verifier {
		s.noteFailure(u, c.now)
		s.recordEvent(p, u, c, eventPasswordChange, eventFail, passwordFail)
		return nil, errIncorrectPassword
	}
	u.FailedLogins = 0
	if err := s.setExistingPassword(p, u, in.ProposedPassword); err != nil {
		return nil, err
	}
	s.recordEvent(p, u, c, eventPasswordChange, eventPass, passwordOK)
	u.Modified = c.now
	return map[string]any{}, nil
}

func opGetUser(s *Server, c *call) (any, error) {
	var in userInput
	_, u, _, err := s.accessUser(c, &in)
	if err != nil {
		return nil, err
	}
	return u.putMFASettings(map[string]any{"Username": u.Username, "UserAttributes": u.attrList(nil)}), nil
}

// changeAttributes applies attribute changes for the call tc; a changed
// email or phone becomes unverified and, when it is auto-verified, gets a
// code (CustomMessage_UpdateUserAttribute). The changes are made before
// any code is sent; a custom message trigger that fails leaves them made
// and answers its error.
func (s *Server) changeAttributes(tc *trigCall, p *pool, u *user, attrs map[string]string, admin bool, now time.Time) ([]any, error) {
	if err := checkUnique(p, u, attrs); err != nil {
		return nil, err
	}
	for n := range attrs {
		if sa := p.schemaAttr(n); sa != nil && !sa.Mutable && u.Attrs[n] != "" && attrs[n] != u.Attrs[n] {
			return nil, errInvalidParam("Attributes did not conform to the schema: %s: Attribute cannot be updated. (changing an immutable attribute)", n)
		}
		if !admin && (n == "email_verified" || n == "phone_number_verified") {
			return nil, errInvalidParam("Attributes did not conform to the schema: %s: Attribute cannot be updated.", n)
		}
	}
	var verify []string
	for n, v := range attrs {
		old := u.Attrs[n]
		if v == "" {
			delete(u.Attrs, n)
		} else {
			u.Attrs[n] = v
		}
		if (n == "email" || n == "phone_number") && v != old {
			if _, explicit := attrs[n+"_verified"]; !explicit {
				u.Attrs[n+"_verified"] = "false"
				if v != "" && contains(p.AutoVerifiedAttributes, n) {
					verify = append(verify, n)
				}
			}
			if v == "" {
				delete(u.Attrs, n+"_verified")
			}
		}
	}
	u.Modified = now
	sort.Strings(verify)
	var details []any
	for _, n := range verify {
		d, err := s.sendCode(tc, p, u, n, KindVerifyAttribute, triggers.SourceCustomMessageUpdateUserAttribute, now)
		if err != nil {
			return nil, err
		}
		details = append(details, d)
	}
	return details, nil
}

func opUpdateUserAttributes(s *Server, c *call) (any, error) {
	var in userInput
	p, u, claims, err := s.accessUser(c, &in)
	if err != nil {
		return nil, err
	}
	attrs, err := checkAttrs(p, in.UserAttributes, false)
	if err != nil {
		return nil, err
	}
	if cl := p.Clients[claims.ClientID]; cl != nil {
		if err := checkWritable(cl, attrs); err != nil {
			return nil, err
		}
	}
	details, err := s.changeAttributes(&trigCall{c: c, clientID: claims.ClientID, meta: in.ClientMetadata}, p, u, attrs, false, c.now)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if len(details) > 0 {
		out["CodeDeliveryDetailsList"] = details
	}
	return out, nil
}

func opGetUserAttributeVerificationCode(s *Server, c *call) (any, error) {
	var in userInput
	p, u, claims, err := s.accessUser(c, &in)
	if err != nil {
		return nil, err
	}
	if in.AttributeName != "email" && in.AttributeName != "phone_number" {
		return nil, errInvalidParam("Invalid attribute name %q: only email and phone_number can be verified.", in.AttributeName)
	}
	if u.Attrs[in.AttributeName] == "" {
		return nil, errInvalidParam("User does not have the attribute %s.", in.AttributeName)
	}
	tc := &trigCall{c: c, clientID: claims.ClientID, meta: in.ClientMetadata}
	d, err := s.sendCode(tc, p, u, in.AttributeName, KindVerifyAttribute, triggers.SourceCustomMessageVerifyUserAttribute, c.now)
	if err != nil {
		return nil, err
	}
	return map[string]any{"CodeDeliveryDetails": d}, nil
}

func opVerifyUserAttribute(s *Server, c *call) (any, error) {
	var in userInput
	_, u, _, err := s.accessUser(c, &in)
	if err != nil {
		return nil, err
	}
	if err := firstErr(required("attributeName", in.AttributeName), required("code", in.Code)); err != nil {
		return nil, err
	}
	if err := checkCode(u, "verify:"+in.AttributeName, in.Code, c.now); err != nil {
		return nil, err
	}
	u.Attrs[in.AttributeName+"_verified"] = "true"
	u.Modified = c.now
	return map[string]any{}, nil
}

func opDeleteUser(s *Server, c *call) (any, error) {
	var in userInput
	p, u, _, err := s.accessUser(c, &in)
	if err != nil {
		return nil, err
	}
	s.deleteUser(p, u, c.now)
	return nil, nil
}

func (s *Server) deleteUser(p *pool, u *user, now time.Time) {
	s.signOutAll(p, u, now)
	p.removeUser(u)
}

// ---------------------------------------------------------------------------
// Admin operations.

// adminUser decodes an admin input and finds the pool and the user it
// names.
func (s *Server) adminUser(c *call, in *userInput) (*pool, *user, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.mustUser(p, in.Username)
	if err != nil {
		return nil, nil, err
	}
	return p, u, nil
}

// generatedPassword returns a temporary password that satisfies any policy.
func (s *Server) generatedPassword(pp passwordPolicy) string {
	n := pp.MinimumLength
	if n < 12 {
		n = 12
	}
	return s.randString(n-3, alnum) + "aA1!"
}

func opAdminCreateUser(s *Server, c *call) (any, error) {
	var in userInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if in.MessageAction != "" && in.MessageAction != "RESEND" && in.MessageAction != "SUPPRESS" {
		return nil, errInvalidParam("1 validation error detected: Value '%s' at 'messageAction' failed to satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]", in.MessageAction)
	}
	if in.TemporaryPassword != "" {
		if err := validatePassword(p.Policy, in.TemporaryPassword); err != nil {
			return nil, err
		}
	}
	temp := in.TemporaryPassword
	if temp == "" {
		temp = s.generatedPassword(p.Policy)
	}
	var u *user
	tc := &trigCall{c: c, clientID: adminClientID, meta: in.ClientMetadata}
	if in.MessageAction == "RESEND" {
		if u, err = s.mustUser(p, in.Username); err != nil {
			return nil, err
		}
		if u.Status != statusForceChange {
			return nil, errorf("UnsupportedUserStateException", "Resend not possible. %s status is not FORCE_CHANGE_PASSWORD", u.Username)
		}
		if err := s.setPassword(p, u, temp); err != nil {
			return nil, err
		}
	} else {
		attrs, err := checkAttrs(p, in.UserAttributes, true)
		if err != nil {
			return nil, err
		}
		if u, err = s.newUser(p, in.Username, attrs, c.now); err != nil {
			return nil, err
		}
		// autoConfirmUser means nothing here: the user has a temporary
		// password to change.
		if _, err := s.preSignUp(tc, p, u, triggers.SourcePreSignUpAdminCreateUser, attrMap(in.ValidationData)); err != nil {
			return nil, err
		}
		if err := s.setNewUserPassword(p, u, temp); err != nil {
			return nil, err
		}
		p.addUser(u)
	}
	p.forceChange(u, c.now)
	if in.MessageAction != "SUPPRESS" {
		attr := ""
		wantSMS := contains(in.DesiredDelivery, "SMS")
		wantEmail := contains(in.DesiredDelivery, "EMAIL") || len(in.DesiredDelivery) == 0
		if wantEmail && u.Attrs["email"] != "" {
			attr = "email"
		} else if (wantSMS || len(in.DesiredDelivery) == 0) && u.Attrs["phone_number"] != "" {
			attr = "phone_number"
		}
		if attr != "" {
			// The user stays when its invitation's custom message fails;
			// MessageAction RESEND sends it again.
			if _, err := s.send(tc, p, u, outMessage{attr: attr, kind: KindInvitation, code: temp,
				body:   "Your username is " + u.Username + " and temporary password is " + temp,
				source: triggers.SourceCustomMessageAdminCreateUser}, c.now); err != nil {
				return nil, err
			}
		}
	}
	return map[string]any{"User": userWire(u, nil)}, nil
}

func opAdminGetUser(s *Server, c *call) (any, error) {
	var in userInput
	_, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	return u.putMFASettings(map[string]any{"Username": u.Username, "UserAttributes": u.attrList(nil), "UserCreateDate": ep(u.Created),
		"UserLastModifiedDate": ep(u.Modified), "Enabled": u.Enabled, "UserStatus": u.Status}), nil
}

func opAdminSetUserPassword(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	if err := validatePassword(p.Policy, in.Password); err != nil {
		return nil, err
	}
	if err := s.setExistingPassword(p, u, in.Password); err != nil {
		return nil, err
	}
	u.FailedLogins, u.LockedUntil = 0, time.Time{}
	if in.Permanent {
		u.Status, u.TempUntil = statusConfirmed, time.Time{}
	} else {
		p.forceChange(u, c.now)
	}
	u.Modified = c.now
	return map[string]any{}, nil
}

func opAdminUpdateUserAttributes(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	attrs, err := checkAttrs(p, in.UserAttributes, true)
	if err != nil {
		return nil, err
	}
	if _, err := s.changeAttributes(&trigCall{c: c, clientID: adminClientID, meta: in.ClientMetadata}, p, u, attrs, true, c.now); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func opAdminDeleteUserAttributes(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	if err := deleteAttributes(p, u, in.UserAttributeNames, nil, true, c.now); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func opAdminDeleteUser(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	s.deleteUser(p, u, c.now)
	return nil, nil
}

func opAdminDisableUser(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	u.Enabled = false
	u.Modified = c.now
	s.signOutAll(p, u, c.now)
	return map[string]any{}, nil
}

func opAdminEnableUser(s *Server, c *call) (any, error) {
	var in userInput
	_, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	u.Enabled = true
	u.Modified = c.now
	return map[string]any{}, nil
}

func opAdminConfirmSignUp(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	if err := canConfirm(u); err != nil {
		return nil, err
	}
	u.Status = statusConfirmed
	u.Modified = c.now
	delete(u.Codes, "signup")
	tc := &trigCall{c: c, clientID: adminClientID, meta: in.ClientMetadata}
	if err := s.postConfirmation(tc, p, u, triggers.SourcePostConfirmationSignUp); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

func opAdminResetUserPassword(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	if _, err := s.sendResetCode(&trigCall{c: c, clientID: adminClientID, meta: in.ClientMetadata}, p, u, c.now); err != nil {
		return nil, err
	}
	if u.Status == statusConfirmed {
		u.Status = statusReset
	}
	s.signOutAll(p, u, c.now)
	u.Modified = c.now
	return map[string]any{}, nil
}

// adminUserGroup is adminUser for an input that also names a group of
// the pool, which must exist.
func (s *Server) adminUserGroup(c *call, in *userInput) (*user, error) {
	p, u, err := s.adminUser(c, in)
	if err != nil {
		return nil, err
	}
	if _, err := p.group(in.GroupName); err != nil {
		return nil, err
	}
	return u, nil
}

func opAdminAddUserToGroup(s *Server, c *call) (any, error) {
	var in userInput
	u, err := s.adminUserGroup(c, &in)
	if err != nil {
		return nil, err
	}
	if !contains(u.Groups, in.GroupName) {
		u.Groups = append(u.Groups, in.GroupName)
	}
	return nil, nil
}

func opAdminRemoveUserFromGroup(s *Server, c *call) (any, error) {
	var in userInput
	u, err := s.adminUserGroup(c, &in)
	if err != nil {
		return nil, err
	}
	u.Groups = removeStr(u.Groups, in.GroupName)
	return nil, nil
}

func opAdminListGroupsForUser(s *Server, c *call) (any, error) {
	var in userInput
	p, u, err := s.adminUser(c, &in)
	if err != nil {
		return nil, err
	}
	return listPage(p.sortedGroups(u.Groups), in.Limit, in.NextToken, "Groups", "NextToken",
		func(g *group) any { return groupWire(p, g) })
}

func opListUsersInGroup(s *Server, c *call) (any, error) {
	var in userInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if _, err := p.group(in.GroupName); err != nil {
		return nil, err
	}
	var us []*user
	for _, u := range sortedUsers(p) {
		if contains(u.Groups, in.GroupName) {
			us = append(us, u)
		}
	}
	return listPage(us, in.Limit, in.NextToken, "Users", "NextToken",
		func(u *user) any { return userWire(u, nil) })
}

func sortedUsers(p *pool) []*user {
	names := p.usernames()
	us := make([]*user, 0, len(names))
	for _, n := range names {
		us = append(us, p.userAt(n))
	}
	return us
}

func opListUsers(s *Server, c *call) (any, error) {
	var in userInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	var f *userFilter
	if in.Filter != "" {
		if f, err = parseFilter(in.Filter); err != nil {
			return nil, err
		}
	}
	return listUsersPage(p, in.Limit, in.PaginationToken, f.matcher(),
		func(u *user) any { return userWire(u, in.AttributesToGet) })
}
