package userpool

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/internal/emulator/lambdafn"
	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// CustomAuthHooks are Go functions that stand in for a pool's Define,
// Create and Verify auth challenge Lambda triggers, driving CUSTOM_AUTH
// exactly as Cognito drives the Lambdas: Define decides what happens next
// from the challenges answered so far; Create makes a CUSTOM_CHALLENGE;
// Verify judges an answer.
//
// The hooks are run as the pool's Lambda functions would be, when the pool
// configures no DefineAuthChallenge function in its LambdaConfig: through
// the trigger mechanism, with Cognito's events (see hookFunctions), with
// the server's state lock released, so they may call the Server. An error
// from a hook answers UserLambdaValidationException, as a failing Lambda
// does.
type CustomAuthHooks struct {
	// Define plays DefineAuthChallenge: called at the start and after
	// every answered challenge.
	Define func(in DefineAuthChallengeInput) (DefineAuthChallengeOutput, error)
	// Create plays CreateAuthChallenge: called when Define asks for a
	// CUSTOM_CHALLENGE.
	Create func(in CreateAuthChallengeInput) (CreateAuthChallengeOutput, error)
	// Verify plays VerifyAuthChallengeResponse: judges the client's ANSWER.
	Verify func(in VerifyAuthChallengeInput) (answerCorrect bool, err error)
}

// ChallengeResult is one step of a custom sign-in so far.
type ChallengeResult struct {
	ChallengeName     string // "SRP_A", "PASSWORD_VERIFIER" or "CUSTOM_CHALLENGE"
	ChallengeResult   bool   // whether the answer was correct
	ChallengeMetadata string // from CreateAuthChallengeOutput
}

// DefineAuthChallengeInput is what Define sees: the pool, client and
// user (real username and attributes), the challenges answered so far,
// and the request's ClientMetadata.
type DefineAuthChallengeInput struct {
	UserPoolID, ClientID, Username string
	UserAttributes                 map[string]string
	Session                        []ChallengeResult
	ClientMetadata                 map[string]string
}

// DefineAuthChallengeOutput is Define's decision: issue tokens, fail, or
// ask ChallengeName: "CUSTOM_CHALLENGE", or "PASSWORD_VERIFIER" when the
// client started with AuthParameters CHALLENGE_NAME=SRP_A and SRP_A
// (password first). As with Cognito's Lambda, such a sign-in reaches
// Define first with Session [{SRP_A, true}]; Define answers
// PASSWORD_VERIFIER to have the password checked (a wrong one is refused
// with NotAuthorizedException), and sees [SRP_A, PASSWORD_VERIFIER] next.
// A Define that never asks for PASSWORD_VERIFIER skips the password, as it
// would with Cognito.
type DefineAuthChallengeOutput struct {
	ChallengeName      string
	IssueTokens        bool
	FailAuthentication bool
}

// CreateAuthChallengeInput is what Create sees: as for Define, plus the
// challenge to create.
type CreateAuthChallengeInput struct {
	UserPoolID, ClientID, Username string
	UserAttributes                 map[string]string
	ChallengeName                  string
	Session                        []ChallengeResult
	ClientMetadata                 map[string]string
}

// CreateAuthChallengeOutput is the challenge: public parameters go to the
// client, private ones to Verify.
type CreateAuthChallengeOutput struct {
	PublicChallengeParameters  map[string]string
	PrivateChallengeParameters map[string]string
	ChallengeMetadata          string
}

// VerifyAuthChallengeInput is what Verify sees: as for Define, plus the
// private parameters Create returned and the client's ANSWER.
type VerifyAuthChallengeInput struct {
	UserPoolID, ClientID, Username string
	UserAttributes                 map[string]string
	PrivateChallengeParameters     map[string]string
	ChallengeAnswer                string
	ClientMetadata                 map[string]string
}

const maxCustomRounds = 10

func copyAttrs(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// addCustom records one step of a custom sign-in in a new array, since
// sessions copied from sess share its Custom.
func (sess *authSession) addCustom(r customResult) {
	sess.Custom = append(append([]customResult(nil), sess.Custom...), r)
}

// challengeSession is a custom sign-in's steps as the auth-challenge
// events carry them.
func challengeSession(l []customResult) []*triggers.ChallengeResult {
	out := make([]*triggers.ChallengeResult, len(l))
	for i, r := range l {
		out[i] = &triggers.ChallengeResult{ChallengeName: r.ChallengeName, ChallengeResult: r.ChallengeResult, ChallengeMetadata: r.Metadata}
	}
	return out
}

// customFunctions are the three auth-challenge functions of a CUSTOM_AUTH
// sign-in: the pool's LambdaConfig functions when it names a
// DefineAuthChallenge function (inv nil: the server's functions), else the
// Options.CustomAuth hooks (inv runs them).
type customFunctions struct {
	inv                    triggers.Invoker
	define, create, verify string
}

// errNoCustomAuth is Cognito's answer to CUSTOM_AUTH in a pool without the
// auth-challenge triggers.
var errNoCustomAuth = errInvalidParam("Custom auth lambda trigger is not configured for the user pool.")

// customAuthFunctions finds the functions of a custom sign-in in p; meta
// is the request's ClientMetadata, which the hooks see from every call.
func (s *Server) customAuthFunctions(p *pool, meta map[string]string) (customFunctions, error) {
	if arn := p.functionARN(triggers.DefineAuthChallenge); arn != "" {
		return customFunctions{define: arn, create: p.functionARN(triggers.CreateAuthChallenge),
			verify: p.functionARN(triggers.VerifyAuthChallengeResponse)}, nil
	}
	h := s.customAuth()
	if h == nil || h.Define == nil || h.Create == nil || h.Verify == nil {
		return customFunctions{}, errNoCustomAuth
	}
	return customFunctions{inv: &hookFunctions{h: h, meta: meta},
		define: hookDefineARN, create: hookCreateARN, verify: hookVerifyARN}, nil
}

// run invokes one of the functions for the sign-in of u that base holds
// (u nil: an unknown user's), with s.mu released (Server.invoke), and
// checks the sign-in again afterwards.
func (f customFunctions) run(s *Server, p *pool, cl *client, u *user, base *authSession, fn func(ctx context.Context, inv triggers.Invoker) error) error {
	if err := s.invoke(base.req, func(ctx context.Context, fns Functions) error {
		if f.inv != nil {
			return fn(ctx, f.inv)
		}
		return fn(ctx, fns)
	}); err != nil {
		return err
	}
	if u == nil {
		return s.clientStill(p, cl)
	}
	return s.stillSignedIn(p, cl, u, base)
}

// customStep verifies answer (when the session holds a challenge), then
// asks DefineAuthChallenge what comes next: tokens, a refusal, the
// password (PASSWORD_VERIFIER, for a client that started with SRP_A) or a
// CUSTOM_CHALLENGE made by CreateAuthChallenge. Each function runs with
// s.mu released, and the sign-in is checked again after each. meta is the
// request's ClientMetadata; the functions get RespondToAuthChallenge's
// (base.meta), not InitiateAuth's, as Cognito passes it.
//
// u is nil for a username that is no user's, in a client that prevents
// user-existence errors: the functions are told userNotFound, and the
// sign-in fails at the end whatever they decide, as with Cognito.
func (s *Server) customStep(p *pool, cl *client, u *user, base *authSession, answer string, meta map[string]string, now time.Time) (any, error) {
	fx, err := s.customAuthFunctions(p, meta)
	if err != nil {
		return nil, err
	}
	c := base.req
	notFound := u == nil
	username, attrs := base.Username, triggers.Attributes{}
	if u != nil {
		username, attrs = u.Username, triggerAttributes(u)
	}
	caller := s.caller(p, c, cl.ID, username)
	if base.Challenge == "CUSTOM_CHALLENGE" {
		if answer == "" {
			return nil, errInvalidParam("Missing required parameter ANSWER")
		}
		if fx.verify == "" {
			return nil, errNoCustomAuth
		}
		ev := triggers.NewVerifyAuthChallengeEvent(caller, attrs, base.Private, answer, notFound, base.meta)
		var ok bool
		if err := fx.run(s, p, cl, u, base, func(ctx context.Context, inv triggers.Invoker) (err error) {
			ok, err = triggers.InvokeVerifyAuthChallenge(ctx, inv, fx.verify, ev)
			return err
		}); err != nil {
			return nil, err
		}
		base.addCustom(customResult{ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: ok, Metadata: base.Meta})
	}
	if base.SRPA != "" && base.Challenge == "" && len(base.Custom) == 0 {
		// The client started with CHALLENGE_NAME=SRP_A: Cognito records
		// that step before it first asks Define.
		base.Custom = []customResult{{ChallengeName: "SRP_A", ChallengeResult: true}}
	}
	if len(base.Custom) >= maxCustomRounds {
		return nil, errIncorrectPassword
	}
	dev := triggers.NewDefineAuthChallengeEvent(caller, attrs, challengeSession(base.Custom), notFound, base.meta)
	var d events.CognitoEventUserPoolsDefineAuthChallengeResponse
	if err := fx.run(s, p, cl, u, base, func(ctx context.Context, inv triggers.Invoker) (err error) {
		d, err = triggers.InvokeDefineAuthChallenge(ctx, inv, fx.define, dev)
		return err
	}); err != nil {
		return nil, err
	}
	switch {
	case d.FailAuthentication, d.IssueTokens && notFound:
		return nil, errIncorrectPassword
	case d.IssueTokens:
		// Cognito lets Define issue tokens at any point; so do we.
		if base.AuthTime == 0 {
			base.AuthTime = now.Unix()
		}
		return s.finish(p, cl, u, base, now)
	case d.ChallengeName == "PASSWORD_VERIFIER":
		if base.SRPA == "" || base.Challenge != "" {
			return nil, errorf("UserLambdaValidationException", "DefineAuthChallenge returned PASSWORD_VERIFIER, but the client did not start with SRP_A.")
		}
		b := *base
		return s.startSRP(p, cl, u, username, b.SRPA, &b, now)
	case d.ChallengeName != "CUSTOM_CHALLENGE":
		return nil, errorf("UserLambdaValidationException", "DefineAuthChallenge returned unsupported challenge %q.", d.ChallengeName)
	case fx.create == "":
		return nil, errNoCustomAuth
	}
	cev := triggers.NewCreateAuthChallengeEvent(caller, attrs, "CUSTOM_CHALLENGE", challengeSession(base.Custom), base.meta)
	var cr events.CognitoEventUserPoolsCreateAuthChallengeResponse
	if err := fx.run(s, p, cl, u, base, func(ctx context.Context, inv triggers.Invoker) (err error) {
		cr, err = triggers.InvokeCreateAuthChallenge(ctx, inv, fx.create, cev)
		return err
	}); err != nil {
		return nil, err
	}
	b := *base
	b.Private, b.Meta = copyAttrs(cr.PrivateChallengeParameters), cr.ChallengeMetadata
	sess := s.newSession(p, cl, &b, "CUSTOM_CHALLENGE", now)
	params := copyAttrs(cr.PublicChallengeParameters)
	params["USERNAME"] = username
	return &authOutput{ChallengeName: "CUSTOM_CHALLENGE", Session: sess.ID, ChallengeParameters: params}, nil
}

// The ARNs the CustomAuthHooks answer under (hookFunctions): they name no
// real function and appear only in errors.
const (
	hookDefineARN = "arn:aws:lambda:us-east-1:000000000000:function:CustomAuthHooks-Define"
	hookCreateARN = "arn:aws:lambda:us-east-1:000000000000:function:CustomAuthHooks-Create"
	hookVerifyARN = "arn:aws:lambda:us-east-1:000000000000:function:CustomAuthHooks-Verify"
)

// hookFunctions runs CustomAuthHooks as the define, create and verify auth
// challenge functions: it reads Cognito's event (JSON, as a Lambda would),
// calls the hook and answers the event with the hook's response. meta is
// the request's ClientMetadata, InitiateAuth's included, which the hooks
// have always been given (Cognito's functions get RespondToAuthChallenge's
// only).
type hookFunctions struct {
	h    *CustomAuthHooks
	meta map[string]string
}

var _ triggers.Invoker = (*hookFunctions)(nil)

// hookEvent is what the hooks read of an auth-challenge event.
type hookEvent struct {
	TriggerSource triggers.Source `json:"triggerSource"`
	UserPoolID    string          `json:"userPoolId"`
	UserName      string          `json:"userName"`
	CallerContext struct {
		ClientID string `json:"clientId"`
	} `json:"callerContext"`
	Request struct {
		UserAttributes             map[string]string `json:"userAttributes"`
		Session                    []ChallengeResult `json:"session"`
		ChallengeName              string            `json:"challengeName"`
		PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
		ChallengeAnswer            string            `json:"challengeAnswer"`
	} `json:"request"`
}

// InvokeJSON runs the hook for event's trigger source and decodes
// {"response": …} into out; a hook's error is the function's error.
func (f *hookFunctions) InvokeJSON(_ context.Context, arn string, event, out any) error {
	b, err := json.Marshal(event)
	if err != nil {
		return err
	}
	var ev hookEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		return err
	}
	r := ev.Request
	var resp any
	switch ev.TriggerSource {
	case triggers.SourceDefineAuthChallenge:
		var o DefineAuthChallengeOutput
		o, err = f.h.Define(DefineAuthChallengeInput{UserPoolID: ev.UserPoolID, ClientID: ev.CallerContext.ClientID, Username: ev.UserName,
			UserAttributes: r.UserAttributes, Session: r.Session, ClientMetadata: f.meta})
		resp = map[string]any{"challengeName": o.ChallengeName, "issueTokens": o.IssueTokens, "failAuthentication": o.FailAuthentication}
	case triggers.SourceCreateAuthChallenge:
		var o CreateAuthChallengeOutput
		o, err = f.h.Create(CreateAuthChallengeInput{UserPoolID: ev.UserPoolID, ClientID: ev.CallerContext.ClientID, Username: ev.UserName,
			UserAttributes: r.UserAttributes, ChallengeName: r.ChallengeName, Session: r.Session, ClientMetadata: f.meta})
		resp = map[string]any{"publicChallengeParameters": o.PublicChallengeParameters,
			"privateChallengeParameters": o.PrivateChallengeParameters, "challengeMetadata": o.ChallengeMetadata}
	case triggers.SourceVerifyAuthChallenge:
		var ok bool
		ok, err = f.h.Verify(VerifyAuthChallengeInput{UserPoolID: ev.UserPoolID, ClientID: ev.CallerContext.ClientID, Username: ev.UserName,
			UserAttributes: r.UserAttributes, PrivateChallengeParameters: r.PrivateChallengeParameters,
			ChallengeAnswer: r.ChallengeAnswer, ClientMetadata: f.meta})
		resp = map[string]any{"answerCorrect": ok}
	default:
		return &lambdafn.InvokeError{ARN: arn, Code: "ResourceNotFoundException", Err: lambdafn.ErrFunctionNotFound}
	}
	if err != nil {
		return &lambdafn.FunctionError{ARN: arn, Type: "errorString", Message: err.Error()}
	}
	b, err = json.Marshal(map[string]any{"response": resp})
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
