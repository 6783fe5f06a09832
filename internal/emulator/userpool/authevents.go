package userpool

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"time"
)

// Auth events, Cognito's user activity history (threat protection): the
// emulator records each user's sign-ins (passed, failed, in progress while
// an MFA challenge is open), sign-ups, forgotten-password requests,
// password changes and resent confirmation codes, with the caller's IP
// address and device (from ContextData or UserContextData when the request
// has it, else from the connection and its User-Agent).
// AdminListUserAuthEvents lists them newest first;
// AdminUpdateAuthEventFeedback and UpdateAuthEventFeedback (which needs the
// event's feedback token, see Server.AuthEventFeedbackToken) record
// whether the event was the user's.
//
// As in Cognito, events are recorded and answered only while the pool has
// threat protection on: UserPoolAddOns.AdvancedSecurityMode AUDIT or
// ENFORCED, which only a pool on the PLUS feature plan may set
// (CreateUserPool and UpdateUserPool answer
// FeatureUnavailableInTierException otherwise). Other pools answer
// UserPoolAddOnNotEnabledException. The emulator computes no
// risk: every event is NoRisk. Hosted-UI sign-ins with a password are
// recorded (passed or failed; an MFA step there is not itemized), those
// through an identity provider are not.

// maxAuthEvents is how many events are kept per user (the newest).
const maxAuthEvents = 100

// Event types and responses (the model's EventType, EventResponseType).
const (
	eventSignIn         = "SignIn"
	eventSignUp         = "SignUp"
	eventForgotPassword = "ForgotPassword"
	eventPasswordChange = "PasswordChange"
	eventResendCode     = "ResendCode"

	eventPass       = "Pass"
	eventFail       = "Fail"
	eventInProgress = "InProgress"
)

// authEvent is one recorded event of a user.
type authEvent struct {
	ID         string           `json:"id"`
	Type       string           `json:"type"`
	Created    time.Time        `json:"created"`
	Response   string           `json:"response"`
	Challenges []eventChallenge `json:"challenges,omitempty"`
	IP         string           `json:"ip,omitempty"`
	Device     string           `json:"device,omitempty"`
	// Token is the feedback token UpdateAuthEventFeedback takes.
	Token    string         `json:"token"`
	Feedback *eventFeedback `json:"feedback,omitempty"`
}

// eventChallenge is one step of a sign-in: Password or Mfa, Success or
// Failure.
type eventChallenge struct {
	Name     string `json:"name"`
	Response string `json:"response"`
}

type eventFeedback struct {
	Value    string    `json:"value"`    // Valid, Invalid
	Provider string    `json:"provider"` // Admin, User
	Date     time.Time `json:"date"`
}

// threatProtection reports whether p records and answers auth events:
// its threat protection is on (AUDIT or ENFORCED), on the PLUS plan.
func threatProtection(p *pool) bool {
	a := p.Settings.UserPoolAddOns
	return p.Tier == "PLUS" && a != nil && (a.AdvancedSecurityMode == "AUDIT" || a.AdvancedSecurityMode == "ENFORCED")
}

// checkThreatProtectionTier refuses threat protection on a pool below the
// PLUS plan, as CreateUserPool and UpdateUserPool do.
func checkThreatProtectionTier(p *pool) error {
	if a := p.Settings.UserPoolAddOns; a != nil && a.AdvancedSecurityMode != "OFF" && p.Tier != "PLUS" {
		return errorf("FeatureUnavailableInTierException", "Threat protection (UserPoolAddOns.AdvancedSecurityMode %s) requires the PLUS feature plan.", a.AdvancedSecurityMode)
	}
	return nil
}

func errAddOnNotEnabled() *APIError {
	return errorf("UserPoolAddOnNotEnabledException", "Advanced security features are not enabled for this user pool.")
}

// eventContext is what a request says of its caller.
type eventContext struct {
	UserContextData *struct {
		IpAddress string `json:"IpAddress"`
	} `json:"UserContextData"`
	ContextData *struct {
		IpAddress   string `json:"IpAddress"`
		HttpHeaders []struct {
			Name  string `json:"headerName"`
			Value string `json:"headerValue"`
		} `json:"HttpHeaders"`
	} `json:"ContextData"`
}

// callerOf returns the IP address and device name of c's caller: those
// of the end user an admin request describes in ContextData, else the
// UserContextData's IP address, else the connection's; the device is
// named from the User-Agent.
func callerOf(c *call) (ip, device string) {
	var in eventContext
	_ = json.Unmarshal(c.body, &in) // decoded already by the operation
	ua := ""
	if c.r != nil {
		ua = c.r.Header.Get("User-Agent")
		ip = c.r.RemoteAddr
		if h, _, err := net.SplitHostPort(ip); err == nil {
			ip = h
		}
	}
	if in.UserContextData != nil && in.UserContextData.IpAddress != "" {
		ip = in.UserContextData.IpAddress
	}
	if cd := in.ContextData; cd != nil {
		if cd.IpAddress != "" {
			ip = cd.IpAddress
		}
		for _, h := range cd.HttpHeaders {
			if strings.EqualFold(h.Name, "User-Agent") {
				ua = h.Value
			}
		}
	}
	return ip, deviceName(ua)
}

// deviceName names a User-Agent's browser or program and its system, as
// "Chrome, Windows"; "" for none.
func deviceName(ua string) string {
	if ua == "" {
		return ""
	}
	app := strings.SplitN(strings.Fields(ua)[0], "/", 2)[0]
	for _, b := range []struct{ token, name string }{{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"}} {
		if strings.Contains(ua, b.token) {
			app = b.name
			break
		}
	}
	for _, o := range []struct{ token, name string }{{"Windows", "Windows"}, {"Android", "Android"}, {"iPhone", "iOS"},
		{"iPad", "iOS"}, {"Mac OS X", "Mac OS X"}, {"Linux", "Linux"},
		{"os/windows", "Windows"}, {"os/macos", "Mac OS X"}, {"os/linux", "Linux"}} { // AWS SDKs
		if strings.Contains(ua, o.token) {
			return app + ", " + o.name
		}
	}
	return app
}

// recordEvent adds an event to u's history when p has threat protection
// and returns it (nil otherwise). The caller holds s.mu and has u marked
// (p.user, p.findUser) so that the change is saved.
func (s *Server) recordEvent(p *pool, u *user, c *call, typ, response string, ch ...eventChallenge) *authEvent {
	if !threatProtection(p) || u == nil {
		return nil
	}
	ip, device := callerOf(c)
	u.Events = append(u.Events, authEvent{ID: s.uuid(), Type: typ, Created: c.now, Response: response, Challenges: ch,
		IP: ip, Device: device, Token: base64.RawURLEncoding.EncodeToString(s.randBytes(32))})
	if n := len(u.Events); n > maxAuthEvents {
		u.Events = append([]authEvent(nil), u.Events[n-maxAuthEvents:]...)
	}
	return &u.Events[len(u.Events)-1]
}

var (
	passwordOK   = eventChallenge{"Password", "Success"}
	passwordFail = eventChallenge{"Password", "Failure"}
	mfaOK        = eventChallenge{"Mfa", "Success"}
	mfaFail      = eventChallenge{"Mfa", "Failure"}
)

// mfaChallenges are the challenges of a sign-in's second factor.
var mfaChallenges = []string{"SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP"}

// signInStep is what signInEvents reads of a sign-in request before it
// runs (its session is consumed by then).
type signInStep struct {
	UserPoolId         string            `json:"UserPoolId"`
	ClientId           string            `json:"ClientId"`
	AuthFlow           string            `json:"AuthFlow"`
	AuthParameters     map[string]string `json:"AuthParameters"`
	ChallengeName      string            `json:"ChallengeName"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	Session            string            `json:"Session"`
}

// signInEvents records the outcome of one sign-in request (InitiateAuth,
// RespondToAuthChallenge and their Admin forms) in the user's history.
// It is called before the operation runs, to read the request and the
// session it answers, and returns what takes the operation's answer, so
// that an operation reads
//
//	return s.signInEvents(c, admin)(s.initiate(c, admin))
//
// A sign-in that issues tokens passes, one whose password or MFA code is
// wrong fails, and one left at an MFA challenge is in progress until the
// challenge is answered. Refreshes are not sign-ins.
func (s *Server) signInEvents(c *call, admin bool) func(any, error) (any, error) {
	same := func(out any, err error) (any, error) { return out, err }
	var in signInStep
	if json.Unmarshal(c.body, &in) != nil {
		return same
	}
	var p *pool
	if admin {
		p = s.st.Pools[in.UserPoolId]
	} else {
		p, _, _ = s.clientByID(in.ClientId)
	}
	if p == nil || !threatProtection(p) || strings.HasPrefix(in.AuthFlow, "REFRESH_TOKEN") {
		return same
	}
	name, answered := in.AuthParameters["USERNAME"], in.ChallengeName
	if answered != "" {
		name = in.ChallengeResponses["USERNAME"]
	}
	passwordUsed := answered != "CUSTOM_CHALLENGE" && answered != "WEB_AUTHN" && answered != "SELECT_CHALLENGE"
	if sess := p.Sessions[in.Session]; sess != nil {
		passwordUsed = passwordUsed && !sess.Passwordless && sess.FirstFactor == ""
	}
	return func(out any, err error) (any, error) {
		if !s.current(p) {
			return out, err
		}
		u := p.findUser(name)
		if u == nil {
			return out, err
		}
		res, _ := out.(*authOutput)
		inMFA := contains(mfaChallenges, answered)
		switch {
		case err == nil && res != nil && res.AuthenticationResult != nil:
			s.endSignIn(p, u, c, eventPass, passwordUsed, inMFA, mfaOK)
		case err == nil && res != nil && contains(mfaChallenges, res.ChallengeName) && !inMFA:
			s.recordEvent(p, u, c, eventSignIn, eventInProgress, passwordOK)
		case err != nil && inMFA && (errCode(err) == "CodeMismatchException" || errCode(err) == "ExpiredCodeException"):
			s.endSignIn(p, u, c, eventFail, passwordUsed, true, mfaFail)
		case err != nil && errCode(err) == "NotAuthorizedException" &&
			(apiMessage(err) == errIncorrectPassword.Message || apiMessage(err) == errAttemptsExceeded.Message):
			s.recordEvent(p, u, c, eventSignIn, eventFail, passwordFail)
		}
		return out, err
	}
}

// endSignIn closes u's sign-in in progress (the newest event, when it is
// a SignIn still InProgress) with response, adding the MFA step when
// mfa, or records the sign-in as a new event.
func (s *Server) endSignIn(p *pool, u *user, c *call, response string, passwordUsed, mfa bool, step eventChallenge) {
	if n := len(u.Events); n > 0 && mfa {
		if ev := &u.Events[n-1]; ev.Type == eventSignIn && ev.Response == eventInProgress {
			ev.Response = response
			ev.Challenges = append(ev.Challenges, step)
			return
		}
	}
	var ch []eventChallenge
	if passwordUsed {
		ch = append(ch, passwordOK)
	}
	if mfa {
		ch = append(ch, step)
	}
	s.recordEvent(p, u, c, eventSignIn, response, ch...)
}

func eventWire(ev *authEvent) map[string]any {
	ch := []any{}
	for _, x := range ev.Challenges {
		ch = append(ch, map[string]any{"ChallengeName": x.Name, "ChallengeResponse": x.Response})
	}
	ctx := map[string]any{}
	if ev.IP != "" {
		ctx["IpAddress"] = ev.IP
	}
	if ev.Device != "" {
		ctx["DeviceName"] = ev.Device
	}
	out := map[string]any{"EventId": ev.ID, "EventType": ev.Type, "CreationDate": ep(ev.Created),
		"EventResponse": ev.Response, "EventRisk": map[string]any{"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": false},
		"ChallengeResponses": ch, "EventContextData": ctx}
	if f := ev.Feedback; f != nil {
		out["EventFeedback"] = map[string]any{"FeedbackValue": f.Value, "Provider": f.Provider, "FeedbackDate": ep(f.Date)}
	}
	return out
}

type authEventsInput struct {
	UserPoolId    string `json:"UserPoolId"`
	Username      string `json:"Username"`
	MaxResults    int32  `json:"MaxResults"`
	NextToken     string `json:"NextToken"`
	EventId       string `json:"EventId"`
	FeedbackToken string `json:"FeedbackToken"`
	FeedbackValue string `json:"FeedbackValue"`
}

func (in *authEventsInput) poolID() string { return in.UserPoolId }

// eventsUser decodes an auth-event input and finds its pool, which must
// have threat protection, and user.
func (s *Server) eventsUser(c *call, in *authEventsInput) (*user, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, err
	}
	if !threatProtection(p) {
		return nil, errAddOnNotEnabled()
	}
	return s.mustUser(p, in.Username)
}

// opAdminListUserAuthEvents answers the user's events newest first, a
// page of MaxResults (at most 60); NextToken is the ID of the first event
// of the next page, so that events recorded meanwhile shift nothing.
func opAdminListUserAuthEvents(s *Server, c *call) (any, error) {
	var in authEventsInput
	u, err := s.eventsUser(c, &in)
	if err != nil {
		return nil, err
	}
	limit := int(in.MaxResults)
	if limit <= 0 || limit > 60 {
		limit = 60
	}
	i := len(u.Events) - 1 // newest first
	if in.NextToken != "" {
		for i = len(u.Events) - 1; i >= 0 && u.Events[i].ID != in.NextToken; i-- {
		}
		if i < 0 {
			return nil, errInvalidParam("Invalid pagination token")
		}
	}
	list := []any{}
	for ; i >= 0 && len(list) < limit; i-- {
		list = append(list, eventWire(&u.Events[i]))
	}
	out := map[string]any{"AuthEvents": list}
	if i >= 0 {
		out["NextToken"] = u.Events[i].ID
	}
	return out, nil
}

// feedback records FeedbackValue from provider on the event named by in;
// with checkToken, in.FeedbackToken must be the event's.
func (s *Server) feedback(c *call, provider string, checkToken bool) (any, error) {
	var in authEventsInput
	u, err := s.eventsUser(c, &in)
	if err != nil {
		return nil, err
	}
	var ev *authEvent
	for i := range u.Events {
		if u.Events[i].ID == in.EventId {
			ev = &u.Events[i]
		}
	}
	if ev == nil {
		return nil, errorf("ResourceNotFoundException", "Auth event %s does not exist.", in.EventId)
	}
	if checkToken && !ctEqual(ev.Token, in.FeedbackToken) {
		return nil, errNotAuthorized("Invalid feedback token.")
	}
	if in.FeedbackValue != "Valid" && in.FeedbackValue != "Invalid" {
		return nil, errInvalidParam("1 validation error detected: Value '%s' at 'feedbackValue' failed to satisfy constraint: Member must satisfy enum value set: [Valid, Invalid]", in.FeedbackValue)
	}
	ev.Feedback = &eventFeedback{Value: in.FeedbackValue, Provider: provider, Date: c.now}
	return map[string]any{}, nil
}

func opAdminUpdateAuthEventFeedback(s *Server, c *call) (any, error) {
	return s.feedback(c, "Admin", false)
}

func opUpdateAuthEventFeedback(s *Server, c *call) (any, error) {
	return s.feedback(c, "User", true)
}

// AuthEventFeedbackToken returns the feedback token of a user's auth
// event, which Cognito sends only in its risk notification e-mails, for
// tests of UpdateAuthEventFeedback.
func (s *Server) AuthEventFeedbackToken(poolID, username, eventID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.st.Pools[poolID]
	if !ok {
		return "", fmt.Errorf("cognitotest: user pool %s does not exist", poolID)
	}
	u := p.lookupUser(username)
	if u == nil {
		return "", fmt.Errorf("cognitotest: user %s does not exist in pool %s", username, poolID)
	}
	for _, ev := range u.Events {
		if ev.ID == eventID {
			return ev.Token, nil
		}
	}
	return "", fmt.Errorf("cognitotest: user %s has no auth event %s", username, eventID)
}

func init() {
	registerTarget(idpTarget, map[string]op{
		"AdminListUserAuthEvents":      {fn: opAdminListUserAuthEvents, readOnly: true},
		"AdminUpdateAuthEventFeedback": {fn: opAdminUpdateAuthEventFeedback},
		"UpdateAuthEventFeedback":      {fn: opUpdateAuthEventFeedback, public: true},
	})
}
