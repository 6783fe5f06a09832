package userpool

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// Lockout: after lockoutThreshold consecutive wrong passwords a user is
// locked for one second, doubling with each further failure up to
// maxLockout, as Cognito does ("Password attempts exceeded").
const (
	lockoutThreshold = 5
	maxLockout       = 15 * time.Minute
	// timestampSkew is how far a PASSWORD_VERIFIER TIMESTAMP may be from
	// the server's clock.
	timestampSkew = 5 * time.Minute
	// maxChallengeFailures is how many wrong MFA codes a session survives.
	maxChallengeFailures = 3
)

type authInput struct {
	UserPoolId         string            `json:"UserPoolId"`
	ClientId           string            `json:"ClientId"`
	AuthFlow           string            `json:"AuthFlow"`
	AuthParameters     map[string]string `json:"AuthParameters"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
	ChallengeName      string            `json:"ChallengeName"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	Session            string            `json:"Session"`
}

// authOutput is the wire InitiateAuth / RespondToAuthChallenge response.
type authOutput struct {
	ChallengeName        string            `json:"ChallengeName,omitempty"`
	ChallengeParameters  map[string]string `json:"ChallengeParameters"`
	Session              string            `json:"Session,omitempty"`
	AuthenticationResult *authResult       `json:"AuthenticationResult,omitempty"`
	// AvailableChallenges lists a SELECT_CHALLENGE's first factors.
	AvailableChallenges []string `json:"AvailableChallenges,omitempty"`
}

func (s *Server) checkLockout(u *user, now time.Time) error {
	if now.Before(u.LockedUntil) {
		return errAttemptsExceeded
	}
	return nil
}

func (s *Server) noteFailure(u *user, now time.Time) {
	u.FailedLogins++
	if u.FailedLogins >= lockoutThreshold {
		d := time.Second << min(u.FailedLogins-lockoutThreshold, 10)
		if d > maxLockout {
			d = maxLockout
		}
		u.LockedUntil = now.Add(d)
	}
}

// authClient decodes an auth request and finds its pool and client: by
// UserPoolId and ClientId for the Admin operations, else by ClientId.
func (s *Server) authClient(c *call, in *authInput, admin bool) (*pool, *client, error) {
	if err := c.decode(in); err != nil {
		return nil, nil, err
	}
	if admin {
		return s.clientIn(in.UserPoolId, in.ClientId)
	}
	return s.clientByID(in.ClientId)
}

func opInitiateAuth(s *Server, c *call) (any, error) {
	return s.signInEvents(c, false)(s.initiate(c, false))
}
func opAdminInitiateAuth(s *Server, c *call) (any, error) {
	return s.signInEvents(c, true)(s.initiate(c, true))
}

func (s *Server) initiate(c *call, admin bool) (any, error) {
	var in authInput
	p, cl, err := s.authClient(c, &in, admin)
	if err != nil {
		return nil, err
	}
	flow := in.AuthFlow
	switch flow {
	case "":
		return nil, required("authFlow", "")
	case "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "USER_AUTH":
	case "USER_PASSWORD_AUTH":
		if admin {
			return nil, errInvalidParam("Initiate Auth method not supported.")
		}
	case "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		if !admin {
			return nil, errInvalidParam("Initiate Auth method not supported.")
		}
	default:
		return nil, errInvalidParam("1 validation error detected: Value '%s' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]", flow)
	}
	if !cl.flowAllowed(flow) {
		return nil, errInvalidParam("%s flow not enabled for this client", flow)
	}
	ap := in.AuthParameters
	if ap == nil {
		ap = map[string]string{}
	}
	if flow == "REFRESH_TOKEN_AUTH" || flow == "REFRESH_TOKEN" {
		return s.refreshFlow(c, p, cl, ap)
	}
	name := ap["USERNAME"]
	if name == "" {
		return nil, errInvalidParam("Missing required parameter USERNAME")
	}
	u := p.findUser(name)
	realName := ""
	if u != nil {
		realName = u.Username
	}
	if err := checkSecretHash(cl, ap["SECRET_HASH"], name, realName); err != nil {
		return nil, err
	}
	base := &authSession{ClientID: cl.ID, Admin: admin, DeviceKey: ap["DEVICE_KEY"], req: c}
	// Pre authentication, before any credential is checked (InitiateAuth's
	// ClientMetadata is its validationData); the user is looked up again
	// after it ran.
	if err := s.preAuthentication(c, p, cl, u, name, in.ClientMetadata); err != nil {
		return nil, err
	}
	if u != nil {
		u = p.sameUser(u.Username, u.Sub)
	}
	switch flow {
	case "USER_AUTH":
		if u == nil && cl.PreventUserExistence == "ENABLED" {
			return s.fakeUserAuth(p, cl, name, ap, base, c.now)
		}
		if u == nil {
			return nil, errUserNotFound
		}
		return s.startUserAuth(p, cl, u, ap, base, c.now)
	case "USER_SRP_AUTH":
		if ap["SRP_A"] == "" {
			return nil, errInvalidParam("Missing required parameter SRP_A")
		}
		return s.startSRP(p, cl, u, name, ap["SRP_A"], base, c.now)
	case "CUSTOM_AUTH":
		if u == nil && (cl.PreventUserExistence != "ENABLED" || p.functionARN(triggers.DefineAuthChallenge) == "") {
			return nil, s.unknownUser(cl)
		}
		if u == nil {
			// The pool's functions run with userNotFound and the sign-in
			// can never succeed (customStep).
			base.Username, base.CustomFlow, base.Fake = name, true, true
		} else {
			if err := userCanSignIn(u); err != nil {
				return nil, err
			}
			base.Username, base.Sub, base.CustomFlow = u.Username, u.Sub, true
		}
		if ap["CHALLENGE_NAME"] == "SRP_A" {
			if ap["SRP_A"] == "" {
				return nil, errInvalidParam("Missing required parameter SRP_A")
			}
			base.SRPA = ap["SRP_A"]
		} else if u != nil && unknownDevice(u, base.DeviceKey) {
			return nil, errDeviceNotFound()
		}
		return s.customStep(p, cl, u, base, "", in.ClientMetadata, c.now)
	default: // USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH
		pw := ap["PASSWORD"]
		if pw == "" {
			return nil, errInvalidParam("Missing required parameter PASSWORD")
		}
		if u == nil {
			if u, err = s.migrateOnSignIn(c, p, cl, name, pw, in.ClientMetadata, c.now); err != nil {
				return nil, err
			}
		}
		return s.passwordStep(p, cl, u, base, pw, c.now)
	}
}

// passwordStep checks password pw of u (USER_PASSWORD_AUTH, the admin
// password flows, USER_AUTH's PASSWORD factor), then continues the sign-in.
func (s *Server) passwordStep(p *pool, cl *client, u *user, base *authSession, pw string, now time.Time) (any, error) {
	if err := resetRequired(u); err != nil {
		return nil, err
	}
	if err := s.checkLockout(u, now); err != nil {
		return nil, err
	}
	base.Username, base.Sub = u.Username, u.Sub
	// The password's verifier (a modular exponentiation) is computed
	// with s.mu released; the user is looked up again afterwards.
	salt, verifier, realm, username := u.Salt, u.Verifier, srp.PoolName(p.ID), u.Username
	var ok bool
	s.unlocked(func() { ok = verifierMatches(realm, username, pw, salt, verifier) })
	if err := s.stillSignedIn(p, cl, u, base); err != nil {
		return nil, err
	}
	if err := s.checkLockout(u, now); err != nil {
		return nil, err
	}
	if !ok || u.Salt != salt || u.Verifier != verifier {
		s.noteFailure(u, now)
		return nil, errIncorrectPassword
	}
	if unknownDevice(u, base.DeviceKey) {
		return nil, errDeviceNotFound()
	}
	return s.afterPassword(p, cl, u, base, now)
}

// sameUser returns the user named username if it is still the one whose
// sub a session or token recorded (not deleted, nor deleted and created
// again under the same name), else nil.
func (p *pool) sameUser(username, sub string) *user {
	if u := p.user(username); u != nil && u.Sub == sub {
		return u
	}
	return nil
}

// unknownUser is the answer for a username that does not exist.
func (s *Server) unknownUser(cl *client) error {
	if cl.PreventUserExistence == "ENABLED" {
		return errIncorrectPassword
	}
	return errUserNotFound
}

// passwordAccepted clears u's failed sign-ins once its password is
// proven, then checks that u may sign in.
func passwordAccepted(u *user) error {
	u.FailedLogins, u.LockedUntil = 0, time.Time{}
	return userCanSignIn(u)
}

// resetRequired refuses a password sign-in of a RESET_REQUIRED user (imported,
// or reset by AdminResetUserPassword) before the password is checked: Cognito
// answers PasswordResetRequiredException whatever the password, at InitiateAuth
// for SRP too.
func resetRequired(u *user) error {
	if u.Enabled && u.Status == statusReset {
		return errPasswordReset
	}
	return nil
}

func userCanSignIn(u *user) error {
	if !u.Enabled {
		return errUserDisabled
	}
	switch u.Status {
	case statusUnconfirmed:
		return errUserNotConfirmed
	case statusReset:
		return errPasswordReset
	}
	return nil
}

func (s *Server) refreshFlow(c *call, p *pool, cl *client, ap map[string]string) (any, error) {
	now := c.now
	tok := ap["REFRESH_TOKEN"]
	if tok == "" {
		return nil, errInvalidParam("Missing required parameter REFRESH_TOKEN")
	}
	rt, u, err := s.lookupRefresh(p, cl, tok, now)
	if err != nil {
		return nil, err
	}
	if err := checkSecretHash(cl, ap["SECRET_HASH"], ap["USERNAME"], u.Username, u.Sub); err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, errUserDisabled
	}
	if unknownDevice(u, ap["DEVICE_KEY"]) {
		return nil, errDeviceNotFound()
	}
	res, err := s.issue(p, cl, u, now, rt, "", &tokenTrigger{c: c, source: triggers.SourceTokenRefresh})
	if err != nil {
		return nil, err
	}
	return &authOutput{ChallengeParameters: map[string]string{}, AuthenticationResult: res}, nil
}

// newSession stores a new single-use session for the next challenge.
func (s *Server) newSession(p *pool, cl *client, base *authSession, challenge string, now time.Time) *authSession {
	ns := *base
	ns.ID = base64.StdEncoding.EncodeToString(s.randBytes(96))
	ns.Challenge = challenge
	ns.Expires = now.Add(time.Duration(cl.AuthSessionValidity) * time.Minute)
	ns.Failures = 0
	ns.req, ns.meta = nil, nil
	p.Sessions[ns.ID] = &ns
	// forget expired sessions
	for id, o := range p.Sessions {
		if now.After(o.Expires) {
			delete(p.Sessions, id)
		}
	}
	return &ns
}

// checkSRPA refuses an SRP_A that is not a valid client public value
// (A mod N must not be zero).
func checkSRPA(srpA string) error {
	A, err := srp.ParseInt(srpA)
	if err != nil || A.Sign() <= 0 || new(big.Int).Mod(A, srp.N()).Sign() == 0 {
		return errInvalidParam("Invalid SRP_A value.")
	}
	return nil
}

// srpChallenge starts the server half of an SRP login against verifier
// and keeps it in base, with the client's SRP_A, a new SECRET_BLOCK and
// the salt (hex). It returns the server half, whose SRP_B goes to the
// client.
//
// B = k·v + g^b is computed with s.mu released (see unlocked): p must still
// be the pool of its ID afterwards, and the caller must not rely on what it
// read of the state before.
func (s *Server) srpChallenge(p *pool, base *authSession, verifier *big.Int, srpA, salt string) (*srp.Server, error) {
	var srv *srp.Server
	var err error
	s.unlocked(func() { srv, err = srp.NewServer(verifier, s.opts.Rand) })
	if err != nil {
		return nil, errorf("InternalErrorException", "cognitotest: srp: %v", err)
	}
	if !s.current(p) {
		return nil, errPoolGone(p.ID)
	}
	base.SRPB, base.SRPA = srpState(srv), srpA
	base.SecretBlock = base64.StdEncoding.EncodeToString(s.randBytes(64))
	base.Salt = salt
	return srv, nil
}

func (s *Server) startSRP(p *pool, cl *client, u *user, name, srpA string, base *authSession, now time.Time) (any, error) {
	if err := checkSRPA(srpA); err != nil {
		return nil, err
	}
	var salt, verifier *big.Int
	userID := name
	if u == nil {
		if cl.PreventUserExistence != "ENABLED" {
			return nil, errUserNotFound
		}
		// Answer a plausible challenge that can never verify.
		salt, _ = s.newSalt()
		verifier = new(big.Int).SetBytes(s.randBytes(384))
		base.Fake = true
	} else {
		if err := resetRequired(u); err != nil {
			return nil, err
		}
		var ok1, ok2 bool
		salt, ok1 = new(big.Int).SetString(u.Salt, 16)
		verifier, ok2 = new(big.Int).SetString(u.Verifier, 16)
		if !ok1 || !ok2 {
			return nil, errorf("InternalErrorException", "cognitotest: user %s has no password", u.Username)
		}
		userID = u.Username
		base.Username, base.Sub = u.Username, u.Sub
	}
	srv, err := s.srpChallenge(p, base, verifier, srpA, salt.Text(16))
	if err != nil {
		return nil, err
	}
	if u == nil {
		base.Username = name
	}
	sess := s.newSession(p, cl, base, "PASSWORD_VERIFIER", now)
	return &authOutput{
		ChallengeName: "PASSWORD_VERIFIER",
		ChallengeParameters: map[string]string{
			"SALT": salt.Text(16), "SECRET_BLOCK": sess.SecretBlock, "SRP_B": srv.SRPB(),
			"USERNAME": userID, "USER_ID_FOR_SRP": userID,
		},
		Session: sess.ID,
	}, nil
}

// afterPassword runs once the password is proven: status checks, the new
// password challenge, device authentication, MFA, then tokens.
func (s *Server) afterPassword(p *pool, cl *client, u *user, base *authSession, now time.Time) (any, error) {
	if err := passwordAccepted(u); err != nil {
		return nil, err
	}
	base.AuthTime = now.Unix()
	if u.Status == statusForceChange {
		if !u.TempUntil.IsZero() && now.After(u.TempUntil) {
			return nil, errNotAuthorized("Temporary password has expired and must be reset by an administrator.")
		}
		attrs := map[string]string{}
		for n, v := range u.Attrs {
			if n != "sub" {
				attrs[n] = v
			}
		}
		ab, _ := json.Marshal(attrs)
		var req []string
		for _, r := range p.requiredAttrs() {
			if u.Attrs[r] == "" {
				req = append(req, "userAttributes."+r)
			}
		}
		rb, _ := json.Marshal(nonNil(req))
		sess := s.newSession(p, cl, base, "NEW_PASSWORD_REQUIRED", now)
		return &authOutput{ChallengeName: "NEW_PASSWORD_REQUIRED", Session: sess.ID,
			ChallengeParameters: map[string]string{"userAttributes": string(ab), "requiredAttributes": string(rb), "USER_ID_FOR_SRP": u.Username}}, nil
	}
	return s.afterNewPassword(p, cl, u, base, now)
}

func (s *Server) afterNewPassword(p *pool, cl *client, u *user, base *authSession, now time.Time) (any, error) {
	if base.DeviceKey != "" && !base.DeviceDone {
		if d := u.Devices[base.DeviceKey]; d != nil && d.Confirmed && d.Verifier != "" {
			sess := s.newSession(p, cl, base, "DEVICE_SRP_AUTH", now)
			return &authOutput{ChallengeName: "DEVICE_SRP_AUTH", Session: sess.ID,
				ChallengeParameters: map[string]string{"USERNAME": u.Username, "USER_ID_FOR_SRP": u.Username}}, nil
		}
	}
	return s.mfaStep(p, cl, u, base, now)
}

// mfaMethods lists the second factors u has enabled.
func mfaMethods(u *user) []string {
	_, l := u.mfaOptions()
	return l
}

func (s *Server) mfaStep(p *pool, cl *client, u *user, base *authSession, now time.Time) (any, error) {
	if p.MFA == "OFF" || base.RememberedDevice || base.Passwordless {
		return s.finish(p, cl, u, base, now)
	}
	methods := mfaMethods(u)
	if len(methods) == 0 {
		if p.MFA == "OPTIONAL" {
			return s.finish(p, cl, u, base, now)
		}
		if u.Attrs["phone_number"] != "" {
			return s.mfaChallenge(p, cl, u, base, "SMS_MFA", now)
		}
		sess := s.newSession(p, cl, base, "MFA_SETUP", now)
		return &authOutput{ChallengeName: "MFA_SETUP", Session: sess.ID,
			ChallengeParameters: map[string]string{"MFAS_CAN_SETUP": `["SOFTWARE_TOKEN_MFA"]`, "USER_ID_FOR_SRP": u.Username}}, nil
	}
	if len(methods) == 1 {
		return s.mfaChallenge(p, cl, u, base, methods[0], now)
	}
	if u.PreferredMFA != "" && contains(methods, u.PreferredMFA) {
		return s.mfaChallenge(p, cl, u, base, u.PreferredMFA, now)
	}
	mb, _ := json.Marshal(methods)
	sess := s.newSession(p, cl, base, "SELECT_MFA_TYPE", now)
	return &authOutput{ChallengeName: "SELECT_MFA_TYPE", Session: sess.ID,
		ChallengeParameters: map[string]string{"MFAS_CAN_CHOOSE": string(mb), "USER_ID_FOR_SRP": u.Username}}, nil
}

func (s *Server) mfaChallenge(p *pool, cl *client, u *user, base *authSession, kind string, now time.Time) (any, error) {
	params := map[string]string{"USER_ID_FOR_SRP": u.Username}
	b := *base
	switch kind {
	case "SMS_MFA", "EMAIL_OTP":
		attr := "phone_number"
		if kind == "EMAIL_OTP" {
			attr = "email"
		}
		if u.Attrs[attr] == "" {
			return nil, errInvalidParam("User has no %s to send an MFA code to.", attr)
		}
		b.Code = s.digits(6)
		d, err := s.sendMFACode(p, cl, u, attr, KindMFA, b.Code, respondMeta(&b), now)
		if err != nil {
			return nil, err
		}
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = d["DeliveryMedium"].(string)
		params["CODE_DELIVERY_DESTINATION"] = d["Destination"].(string)
	case "SOFTWARE_TOKEN_MFA":
		if u.TOTPSecret == "" {
			return nil, errInvalidParam("User has not set up software token MFA.")
		}
	}
	sess := s.newSession(p, cl, &b, kind, now)
	return &authOutput{ChallengeName: kind, Session: sess.ID, ChallengeParameters: params}, nil
}

// finish runs the post authentication trigger, then issues tokens and, in
// a pool that tracks devices, a new device.
func (s *Server) finish(p *pool, cl *client, u *user, base *authSession, now time.Time) (any, error) {
	if base.AuthTime == 0 {
		base.AuthTime = now.Unix()
	}
	known := u.Devices[base.DeviceKey] != nil && base.DeviceDone
	if err := s.postAuthentication(p, cl, u, base, !known && p.DeviceTracking); err != nil {
		return nil, err
	}
	deviceKey := ""
	var meta *deviceMetadata
	if d := u.Devices[base.DeviceKey]; d != nil && base.DeviceDone {
		deviceKey = d.Key
		d.LastAuth = now
	} else if p.DeviceTracking {
		d := s.newDevice(u, now)
		deviceKey = d.Key
		meta = &deviceMetadata{DeviceKey: d.Key, DeviceGroupKey: d.GroupKey}
	}
	res, err := s.issue(p, cl, u, now, nil, deviceKey, &tokenTrigger{c: base.req, source: signInTokenSource(base), meta: base.meta})
	if err != nil {
		return nil, err
	}
	res.NewDeviceMetadata = meta
	return &authOutput{ChallengeParameters: map[string]string{}, AuthenticationResult: res}, nil
}

// ---------------------------------------------------------------------------
// RespondToAuthChallenge.

func opRespondToAuthChallenge(s *Server, c *call) (any, error) {
	return s.signInEvents(c, false)(s.respond(c, false))
}
func opAdminRespondToAuthChallenge(s *Server, c *call) (any, error) {
	return s.signInEvents(c, true)(s.respond(c, true))
}

var challengeNames = []string{"PASSWORD_VERIFIER", "NEW_PASSWORD_REQUIRED", "SMS_MFA", "EMAIL_OTP",
	"SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER",
	"CUSTOM_CHALLENGE", "ADMIN_NO_SRP_AUTH", "SELECT_CHALLENGE", "SMS_OTP", "WEB_AUTHN"}

func (s *Server) respond(c *call, admin bool) (any, error) {
	var in authInput
	p, cl, err := s.authClient(c, &in, admin)
	if err != nil {
		return nil, err
	}
	if in.ChallengeName == "" {
		return nil, required("challengeName", "")
	}
	if !contains(challengeNames, in.ChallengeName) {
		return nil, errInvalidParam("1 validation error detected: Value '%s' at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set: %v", in.ChallengeName, challengeNames)
	}
	r := in.ChallengeResponses
	if r == nil {
		r = map[string]string{}
	}
	// Find the session: by Session, or for the verifier steps by the
	// SECRET_BLOCK the server issued (clients that omit Session).
	var sess *authSession
	if in.Session != "" {
		sess = p.Sessions[in.Session]
	} else if sb := r["PASSWORD_CLAIM_SECRET_BLOCK"]; sb != "" {
		for _, o := range p.Sessions {
			if o.SecretBlock != "" && ctEqual(o.SecretBlock, sb) {
				sess = o
			}
		}
	} else {
		return nil, errInvalidParam("Missing required parameter Session")
	}
	if sess == nil || sess.ClientID != cl.ID || sess.Admin != admin {
		return nil, errSessionExpired
	}
	delete(p.Sessions, sess.ID) // single use
	sess.req, sess.meta = c, in.ClientMetadata
	if (sess.FirstFactor == "EMAIL_OTP" || sess.FirstFactor == "SMS_OTP") && c.now.After(sess.CodeExpires) {
		return nil, errExpiredCode
	}
	if c.now.After(sess.Expires) {
		return nil, errSessionExpired
	}
	if sess.Challenge != in.ChallengeName {
		return nil, errInvalidParam("Invalid challenge name %s for this session; expected %s", in.ChallengeName, sess.Challenge)
	}
	name := r["USERNAME"]
	if name == "" {
		return nil, errInvalidParam("Missing required parameter USERNAME")
	}
	if sess.Fake {
		if err := checkSecretHash(cl, r["SECRET_HASH"], name, sess.Username); err != nil {
			return nil, err
		}
		if sess.CustomFlow && in.ChallengeName == "CUSTOM_CHALLENGE" {
			return s.customStep(p, cl, nil, sess, r["ANSWER"], in.ClientMetadata, c.now)
		}
		return nil, errIncorrectPassword
	}
	u := p.sameUser(sess.Username, sess.Sub)
	if u == nil {
		return nil, s.unknownUser(cl)
	}
	if other := p.findUser(name); other != u {
		return nil, errNotAuthorized("Incorrect username or password.")
	}
	if err := checkSecretHash(cl, r["SECRET_HASH"], name, u.Username); err != nil {
		return nil, err
	}
	if !u.Enabled {
		return nil, errUserDisabled
	}
	base := sess
	if sess.FirstFactor != "" || in.ChallengeName == "SELECT_CHALLENGE" {
		if unknownDevice(u, r["DEVICE_KEY"]) {
			return nil, s.deviceRetry(p, sess)
		}
		return s.respondUserAuth(p, cl, u, sess, in.ChallengeName, r, c.now)
	}
	switch in.ChallengeName {
	case "PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER":
		// checked below: after the proof, or by the device steps
	default:
		if unknownDevice(u, r["DEVICE_KEY"]) {
			return nil, s.deviceRetry(p, sess)
		}
	}
	switch in.ChallengeName {
	case "PASSWORD_VERIFIER":
		if err := resetRequired(u); err != nil {
			return nil, err
		}
		if err := s.checkLockout(u, c.now); err != nil {
			return nil, err
		}
		err := s.verifySRP(sess, srp.PoolName(p.ID), u.Username, u.Verifier, r, c.now)
		if serr := s.stillSignedIn(p, cl, u, sess); serr != nil {
			return nil, serr
		}
		if lerr := s.checkLockout(u, c.now); lerr != nil {
			return nil, lerr // locked by a concurrent attempt meanwhile
		}
		if err != nil {
			s.noteFailure(u, c.now)
			return nil, err
		}
		if dk := r["DEVICE_KEY"]; dk != "" {
			if unknownDevice(u, dk) {
				return nil, s.deviceRetry(p, sess)
			}
			base.DeviceKey = dk
		} else if unknownDevice(u, base.DeviceKey) {
			base.DeviceKey = "" // resent without the stale key InitiateAuth had
		}
		if sess.CustomFlow {
			if err := passwordAccepted(u); err != nil {
				return nil, err
			}
			base.addCustom(customResult{ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true})
			return s.customStep(p, cl, u, base, "", in.ClientMetadata, c.now)
		}
		return s.afterPassword(p, cl, u, base, c.now)

	case "NEW_PASSWORD_REQUIRED":
		pw := r["NEW_PASSWORD"]
		if pw == "" {
			return nil, errInvalidParam("Missing required parameter NEW_PASSWORD")
		}
		if err := validatePassword(p.Policy, pw); err != nil {
			s.putBack(p, sess)
			return nil, err
		}
		var attrs []attributeType
		for k, v := range r {
			if n, ok := cutPrefix(k, "userAttributes."); ok {
				v := v
				attrs = append(attrs, attributeType{Name: n, Value: &v})
			}
		}
		am, err := checkAttrs(p, attrs, false)
		if err != nil {
			s.putBack(p, sess)
			return nil, err
		}
		for _, req := range p.requiredAttrs() {
			if u.Attrs[req] == "" && am[req] == "" {
				s.putBack(p, sess)
				return nil, errInvalidParam("Missing required attribute %s", req)
			}
		}
		// The new verifier is computed with s.mu released; the sign-in is
		// checked again before the attributes and the password change
		// together.
		salt, verifier, err := s.hashUnlocked(p, u, pw)
		if err != nil {
			return nil, err
		}
		if err := s.stillSignedIn(p, cl, u, sess); err != nil {
			return nil, err
		}
		if _, err := s.changeAttributes(&trigCall{clientID: cl.ID, meta: respondMeta(sess)}, p, u, am, false, c.now); err != nil {
			return nil, err
		}
		storePassword(p, u, salt, verifier)
		u.Status, u.TempUntil, u.Modified = statusConfirmed, time.Time{}, c.now
		base.NewPassword = true
		return s.afterNewPassword(p, cl, u, base, c.now)

	case "SMS_MFA", "EMAIL_OTP":
		key := "SMS_MFA_CODE"
		if in.ChallengeName == "EMAIL_OTP" {
			key = "EMAIL_OTP_CODE"
		}
		code := r[key]
		if code == "" {
			return nil, errInvalidParam("Missing required parameter %s", key)
		}
		if !ctEqual(sess.Code, code) {
			return nil, s.challengeFailure(p, sess)
		}
		return s.finish(p, cl, u, base, c.now)

	case "SOFTWARE_TOKEN_MFA":
		code := r["SOFTWARE_TOKEN_MFA_CODE"]
		if code == "" {
			return nil, errInvalidParam("Missing required parameter SOFTWARE_TOKEN_MFA_CODE")
		}
		if !s.checkTOTP(u, u.TOTPSecret, code, c.now) {
			return nil, s.challengeFailure(p, sess)
		}
		return s.finish(p, cl, u, base, c.now)

	case "SELECT_MFA_TYPE":
		ans := r["ANSWER"]
		if !contains(mfaMethods(u), ans) {
			return nil, errInvalidParam("Invalid ANSWER %q: must be one of %v", ans, mfaMethods(u))
		}
		return s.mfaChallenge(p, cl, u, base, ans, c.now)

	case "MFA_SETUP":
		if !sess.TOTPOK {
			return nil, errInvalidParam("Software token MFA has not been verified for this session; call AssociateSoftwareToken and VerifySoftwareToken first.")
		}
		return s.finish(p, cl, u, base, c.now)

	case "DEVICE_SRP_AUTH":
		dk := r["DEVICE_KEY"]
		if dk == "" || r["SRP_A"] == "" {
			return nil, errInvalidParam("Missing required parameter DEVICE_KEY or SRP_A")
		}
		d := u.Devices[dk]
		if d == nil || !d.Confirmed || d.Verifier == "" || (sess.DeviceKey != "" && dk != sess.DeviceKey) {
			return nil, errDeviceNotFound()
		}
		if err := checkSRPA(r["SRP_A"]); err != nil {
			return nil, err
		}
		v, _ := new(big.Int).SetString(d.Verifier, 16)
		srv, err := s.srpChallenge(p, base, v, r["SRP_A"], d.Salt)
		if err != nil {
			return nil, err
		}
		base.DeviceKey = dk
		ns := s.newSession(p, cl, base, "DEVICE_PASSWORD_VERIFIER", c.now)
		return &authOutput{ChallengeName: "DEVICE_PASSWORD_VERIFIER", Session: ns.ID,
			ChallengeParameters: map[string]string{"DEVICE_KEY": dk, "SALT": d.Salt, "SECRET_BLOCK": ns.SecretBlock,
				"SRP_B": srv.SRPB(), "USERNAME": u.Username, "USER_ID_FOR_SRP": u.Username}}, nil

	case "DEVICE_PASSWORD_VERIFIER":
		d := u.Devices[sess.DeviceKey]
		if d == nil || (r["DEVICE_KEY"] != "" && r["DEVICE_KEY"] != d.Key) {
			return nil, errDeviceNotFound()
		}
		err := s.verifySRP(sess, d.GroupKey, d.Key, d.Verifier, r, c.now)
		if serr := s.stillSignedIn(p, cl, u, sess); serr != nil {
			return nil, serr
		}
		if u.Devices[sess.DeviceKey] != d {
			return nil, errDeviceNotFound() // forgotten meanwhile
		}
		if err != nil {
			return nil, err
		}
		base.DeviceDone = true
		base.RememberedDevice = d.Remembered == "remembered"
		return s.mfaStep(p, cl, u, base, c.now)

	case "CUSTOM_CHALLENGE":
		return s.customStep(p, cl, u, base, r["ANSWER"], in.ClientMetadata, c.now)
	}
	return nil, errInvalidParam("Unsupported challenge %s", in.ChallengeName)
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) > len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

// putBack re-stores a session after a validation error the user can fix
// (without the request that used it).
func (s *Server) putBack(p *pool, sess *authSession) {
	sess.req, sess.meta = nil, nil
	p.Sessions[sess.ID] = sess
}

// keepForRetry counts a refused challenge answer against sess and keeps
// the session for another answer while fewer than maxChallengeFailures
// answers have been refused.
func (s *Server) keepForRetry(p *pool, sess *authSession) {
	sess.Failures++
	if sess.Failures < maxChallengeFailures {
		s.putBack(p, sess)
	}
}

// challengeFailure answers a wrong MFA code; the session survives a few.
func (s *Server) challengeFailure(p *pool, sess *authSession) error {
	s.keepForRetry(p, sess)
	return errCodeMismatch
}

// verifySRP checks a PASSWORD_VERIFIER / DEVICE_PASSWORD_VERIFIER answer.
func (s *Server) verifySRP(sess *authSession, realm, userID, verifierHex string, r map[string]string, now time.Time) error {
	sig, block, ts := r["PASSWORD_CLAIM_SIGNATURE"], r["PASSWORD_CLAIM_SECRET_BLOCK"], r["TIMESTAMP"]
	if sig == "" || block == "" || ts == "" {
		return errInvalidParam("Missing required parameter PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK or TIMESTAMP")
	}
	if !ctEqual(block, sess.SecretBlock) {
		return errIncorrectPassword
	}
	t, err := srp.ParseTimestamp(ts)
	if err != nil {
		return errInvalidParam("Invalid TIMESTAMP value.")
	}
	if d := now.Sub(t); d > timestampSkew || d < -timestampSkew {
		return errIncorrectPassword
	}
	v, ok1 := new(big.Int).SetString(verifierHex, 16)
	salt, ok2 := new(big.Int).SetString(sess.Salt, 16)
	if !ok1 || !ok2 {
		return errIncorrectPassword
	}
	srv, err := restoreSRP(v, sess.SRPB)
	if err != nil {
		return errIncorrectPassword
	}
	// The proof costs two modular exponentiations: s.mu is released for
	// them (the session is already consumed), and the caller re-checks
	// what it read (stillSignedIn).
	s.unlocked(func() { err = srv.VerifyClaim(realm, userID, sess.SRPA, salt, block, ts, sig) })
	if err != nil {
		return errIncorrectPassword
	}
	return nil
}

// stillSignedIn re-checks, after the state lock was released and taken
// again, that the pool, the client and the user of a sign-in in progress
// are still the ones the step started with, and that the user may still
// sign in.
func (s *Server) stillSignedIn(p *pool, cl *client, u *user, sess *authSession) error {
	if !s.current(p) {
		return errPoolGone(p.ID)
	}
	if p.Clients[cl.ID] != cl {
		return errorf("ResourceNotFoundException", "User pool client %s does not exist.", cl.ID)
	}
	if p.sameUser(sess.Username, sess.Sub) != u {
		return s.unknownUser(cl)
	}
	if !u.Enabled {
		return errUserDisabled
	}
	return nil
}

// srpState is what a session keeps of the server half of an SRP login:
// "<b>:<B>" in hex, so that the verifier step resumes without recomputing
// B = k·v + g^b (one modular exponentiation per sign-in saved).
func srpState(srv *srp.Server) string {
	return srv.Private().Text(16) + ":" + srv.SRPB()
}

// restoreSRP resumes the server half from srpState's "<b>:<B>", or from a
// bare "<b>" (sessions persisted before B was kept), recomputing B then.
func restoreSRP(v *big.Int, state string) (*srp.Server, error) {
	bHex, BHex, withB := strings.Cut(state, ":")
	b, ok := new(big.Int).SetString(bHex, 16)
	if !ok {
		return nil, srp.ErrMalformed
	}
	if !withB {
		return srp.RestoreServer(v, b)
	}
	B, ok := new(big.Int).SetString(BHex, 16)
	if !ok {
		return nil, srp.ErrMalformed
	}
	return srp.RestoreServerWithB(v, b, B)
}
