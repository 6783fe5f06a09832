package userpool

// The Lambda triggers of sign-up, confirmation and messages (issue 15):
// pre sign-up, post confirmation and custom message, where and when
// Cognito fires them (internal/emulator/triggers/WIRING.md). Every
// invocation runs with s.mu released (invoke); the helpers here check
// afterwards that the pool, and the user they were given, still exist, so
// their callers may go on using both when they return no error.
//
// What stays when a trigger fails, as in Cognito: nothing is stored when
// pre sign-up fails; a confirmation (or a new password) stays when post
// confirmation fails; a user stored before its custom message failed
// (SignUp, AdminCreateUser) stays — Cognito does not document it, and
// keeping the user lets ResendConfirmationCode (or AdminCreateUser with
// MessageAction RESEND) recover once the function is fixed.

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// adminClientID is callerContext.clientId of the triggers an admin
// operation without an app client fires (AdminCreateUser,
// AdminConfirmSignUp, AdminUpdateUserAttributes…), as Cognito sends it.
const adminClientID = "CLIENT_ID_NOT_APPLICABLE"

// trigCall is who fired a trigger: the API call (nil: the operation
// holding s.mu, if any — the hosted UI's forms have none, and their
// events name no SDK), its app client ID (adminClientID for admin
// operations) and its ClientMetadata.
type trigCall struct {
	c        *call
	clientID string
	meta     map[string]string
}

// trig completes tc (nil for none): without a call, the operation
// holding s.mu (if any) is the one that fired the trigger.
func (s *Server) trig(tc *trigCall) *trigCall {
	out := trigCall{}
	if tc != nil {
		out = *tc
	}
	if out.c == nil {
		out.c = s.cur
	}
	return &out
}

// attrMap turns a list of attributes (SignUp's ValidationData) into the
// map a trigger event carries; none gives nil (sent as null, as Cognito
// does when the client sent none).
func attrMap(l []attributeType) map[string]string {
	if len(l) == 0 {
		return nil
	}
	out := make(map[string]string, len(l))
	for _, a := range l {
		out[a.Name] = str(a.Value)
	}
	return out
}

// signUpAttributes is a new user's userAttributes for pre sign-up: the
// attributes it signs up with, without the sub it does not have yet (nor
// a federated user's identities).
func signUpAttributes(u *user) triggers.Attributes {
	out := make(triggers.Attributes, len(u.Attrs))
	for k, v := range u.Attrs {
		if k != "sub" && k != "identities" {
			out[k] = v
		}
	}
	return out
}

// preSignUp runs the pool's pre sign-up trigger, if any, for u, a user not
// yet stored: an error means u must not be stored. autoVerifyEmail and
// autoVerifyPhone are applied to u's attributes; the caller applies
// autoConfirmUser where it means something (SignUp). The caller checks
// u's uniqueness again before storing it (setNewUserPassword does).
func (s *Server) preSignUp(tc *trigCall, p *pool, u *user, src triggers.Source, validation map[string]string) (events.CognitoEventUserPoolsPreSignupResponse, error) {
	var resp events.CognitoEventUserPoolsPreSignupResponse
	arn := p.functionARN(triggers.PreSignUp)
	if arn == "" {
		return resp, nil
	}
	tc = s.trig(tc)
	ev := triggers.NewPreSignUpEvent(s.caller(p, tc.c, tc.clientID, u.Username), src, signUpAttributes(u), validation, tc.meta)
	err := s.invoke(tc.c, func(ctx context.Context, fns Functions) (err error) {
		resp, err = triggers.InvokePreSignUp(ctx, fns, arn, ev)
		return err
	})
	if err != nil {
		return resp, err
	}
	if !s.current(p) {
		return resp, errPoolGone(p.ID)
	}
	if resp.AutoVerifyEmail {
		u.Attrs["email_verified"] = "true"
	}
	if resp.AutoVerifyPhone {
		u.Attrs["phone_number_verified"] = "true"
	}
	return resp, nil
}

// postConfirmation runs the pool's post confirmation trigger, if any, for
// u, whose confirmation (or new password) is already stored and stays
// whatever the trigger answers.
func (s *Server) postConfirmation(tc *trigCall, p *pool, u *user, src triggers.Source) error {
	arn := p.functionARN(triggers.PostConfirmation)
	if arn == "" {
		return nil
	}
	tc = s.trig(tc)
	ev := triggers.NewPostConfirmationEvent(s.caller(p, tc.c, tc.clientID, u.Username), src, triggerAttributes(u), tc.meta)
	if err := s.invoke(tc.c, func(ctx context.Context, fns Functions) error {
		return triggers.InvokePostConfirmation(ctx, fns, arn, ev)
	}); err != nil {
		return err
	}
	if !s.current(p) {
		return errPoolGone(p.ID)
	}
	return nil
}

// outMessage is one message a pool sends, before the custom message
// trigger: to attr ("email" or "phone_number") of the user, of kind (the
// outbox's Kind), carrying code, with the pool's own text body. source is
// the custom message trigger source it fires.
type outMessage struct {
	attr, kind, code, body string
	source                 triggers.Source
}

// send delivers m to u (deliver), through the pool's custom message
// trigger when it has one: the function's smsMessage (for an SMS) or
// emailMessage and emailSubject (for an e-mail) replace the pool's text
// when set, with the placeholders filled in. The code itself is unchanged
// (the outbox's Code). A failing trigger sends nothing and returns its
// error; u was looked up again when it returns without one.
func (s *Server) send(tc *trigCall, p *pool, u *user, m outMessage, now time.Time) (map[string]any, error) {
	arn := p.functionARN(triggers.CustomMessage)
	if arn == "" {
		return s.deliver(p, u, m.attr, m.kind, m.code, m.body, now), nil
	}
	tc = s.trig(tc)
	// Link verification (CONFIRM_WITH_LINK) is not emulated: no link
	// placeholder is sent.
	ev := triggers.NewCustomMessageEvent(s.caller(p, tc.c, tc.clientID, u.Username), m.source, triggerAttributes(u), false, tc.meta)
	username, sub := u.Username, u.Sub
	var msg triggers.Message
	if err := s.invoke(tc.c, func(ctx context.Context, fns Functions) (err error) {
		msg, err = triggers.InvokeCustomMessage(ctx, fns, arn, ev)
		return err
	}); err != nil {
		return nil, err
	}
	if !s.current(p) {
		return nil, errPoolGone(p.ID)
	}
	if p.sameUser(username, sub) != u {
		return nil, errUserNotFound
	}
	body, subject, text := m.body, "", msg.EmailMessage
	if m.attr == "phone_number" {
		text = msg.SMSMessage
	} else {
		subject = msg.EmailSubject
	}
	if text != "" {
		body = triggers.RenderMessage(text, m.code, username, "")
	}
	return s.deliverMessage(p, u, m.attr, m.kind, m.code, subject, body, now), nil
}

// sendMFACode sends a sign-in code (SMS_MFA, EMAIL_OTP, passwordless
// EMAIL_OTP/SMS_OTP) through send, as CustomMessage_Authentication, with
// meta as clientMetadata (see respondMeta).
func (s *Server) sendMFACode(p *pool, cl *client, u *user, attr, kind, code string, meta map[string]string, now time.Time) (map[string]any, error) {
	text := "Your authentication code is "
	if kind == KindSignInCode {
		text = "Your sign-in code is "
	}
	return s.send(&trigCall{clientID: cl.ID, meta: meta}, p, u, outMessage{attr: attr, kind: kind, code: code, body: text + code,
		source: triggers.SourceCustomMessageAuthentication}, now)
}

// respondMeta is the clientMetadata of the custom message a sign-in step
// sends: AdminRespondToAuthChallenge's ClientMetadata, which Cognito passes
// to custom message; none after InitiateAuth, AdminInitiateAuth or
// RespondToAuthChallenge, which do not pass theirs.
func respondMeta(base *authSession) map[string]string {
	if base.Admin {
		return base.meta
	}
	return nil
}

// addFederatedUser stores u, the user of a first federated sign-in, after
// the pool's pre sign-up trigger (PreSignUp_ExternalProvider: auto-verify
// applies, auto-confirm means nothing to an EXTERNAL_PROVIDER user).
// When the same user was created while the function ran, that one is
// returned (created false).
func (s *Server) addFederatedUser(tc *trigCall, p *pool, u *user) (_ *user, created bool, err error) {
	if _, err := s.preSignUp(tc, p, u, triggers.SourcePreSignUpExternal, nil); err != nil {
		return nil, false, err
	}
	if other := p.user(u.Username); other != nil {
		return other, false, nil
	}
	p.addUser(u)
	return u, true, nil
}

// federatedErrorCode is the OAuth error a failed federated sign-in
// redirects with: invalid_request for a trigger's failure (Cognito's
// error_description is then "PreSignUp failed with error …."),
// access_denied otherwise.
func federatedErrorCode(err error) string {
	switch errCode(err) {
	case triggers.CodeUserLambdaValidation, triggers.CodeInvalidLambdaResponse, triggers.CodeUnexpectedLambda:
		return "invalid_request"
	}
	return "access_denied"
}

// hostedTriggerMessage is the error_description of a hosted-UI sign-in
// that a trigger failed: Cognito's message for a Lambda trigger, "<source>
// failed with error <message>." for a HostedUITriggers hook.
func hostedTriggerMessage(ev *TriggerEvent, err error) string {
	if federatedErrorCode(err) == "invalid_request" {
		return apiMessage(err)
	}
	return ev.TriggerSource + " failed with error " + err.Error() + "."
}

// federatedPostConfirmation runs what a federated user's first sign-in
// fires after it is stored (s.mu not held): the pool's post confirmation
// trigger (PostConfirmation_ConfirmSignUp), then the HostedUITriggers'
// PostConfirmation hook, an adapter on the same event path. Either's
// failure fails the sign-in; the user stays.
func (s *Server) federatedPostConfirmation(r *http.Request, ev *TriggerEvent) error {
	l := s.lock()
	var arn string
	var lev events.CognitoEventUserPoolsPostConfirmation
	if p := s.st.Pools[ev.UserPoolID]; p != nil {
		if u := p.userAt(ev.Username); u != nil {
			arn = p.functionARN(triggers.PostConfirmation)
			lev = triggers.NewPostConfirmationEvent(s.caller(p, &call{r: r}, ev.ClientID, u.Username),
				triggers.SourcePostConfirmationSignUp, triggerAttributes(u), nil)
		}
	}
	l.release()
	if arn != "" {
		if err := triggerError(triggers.InvokePostConfirmation(r.Context(), s.functions(), arn, lev)); err != nil {
			return err
		}
	}
	if t := s.triggers(); t != nil && t.PostConfirmation != nil {
		return t.PostConfirmation(r.Context(), *ev)
	}
	return nil
}

// functions is the server's function registry (noFunctions without one).
func (s *Server) functions() Functions {
	if s.opts.Functions == nil {
		return noFunctions{}
	}
	return s.opts.Functions
}
