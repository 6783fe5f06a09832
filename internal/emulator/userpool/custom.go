package userpool

import "time"

// CustomAuthHooks are Go functions that stand in for a pool's Define,
// Create and Verify auth challenge Lambda triggers, driving CUSTOM_AUTH
// exactly as Cognito drives the Lambdas: Define decides what happens next
// from the challenges answered so far; Create makes a CUSTOM_CHALLENGE;
// Verify judges an answer.
//
// The hooks run while the server's state lock is held: they must not call
// back into the Server. An error from a hook answers
// UserLambdaValidationException, as a failing Lambda does.
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

func toResults(l []customResult) []ChallengeResult {
	out := make([]ChallengeResult, len(l))
	for i, r := range l {
		out[i] = ChallengeResult{ChallengeName: r.ChallengeName, ChallengeResult: r.ChallengeResult, ChallengeMetadata: r.Metadata}
	}
	return out
}

// addCustom records one step of a custom sign-in in a new array, since
// sessions copied from sess share its Custom.
func (sess *authSession) addCustom(r customResult) {
	sess.Custom = append(append([]customResult(nil), sess.Custom...), r)
}

// customStep verifies answer (when the session holds a challenge), then
// asks Define what comes next.
func (s *Server) customStep(p *pool, cl *client, u *user, base *authSession, answer string, meta map[string]string, now time.Time) (any, error) {
	h := s.customAuth()
	if h == nil || h.Define == nil || h.Create == nil || h.Verify == nil {
		return nil, errInvalidParam("Custom auth lambda trigger is not configured for the user pool.")
	}
	if base.Challenge == "CUSTOM_CHALLENGE" {
		if answer == "" {
			return nil, errInvalidParam("Missing required parameter ANSWER")
		}
		ok, err := h.Verify(VerifyAuthChallengeInput{UserPoolID: p.ID, ClientID: cl.ID, Username: u.Username,
			UserAttributes: copyAttrs(u.Attrs), PrivateChallengeParameters: copyAttrs(base.Private),
			ChallengeAnswer: answer, ClientMetadata: meta})
		if err != nil {
			return nil, errorf("UserLambdaValidationException", "VerifyAuthChallengeResponse failed with error %v.", err)
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
	d, err := h.Define(DefineAuthChallengeInput{UserPoolID: p.ID, ClientID: cl.ID, Username: u.Username,
		UserAttributes: copyAttrs(u.Attrs), Session: toResults(base.Custom), ClientMetadata: meta})
	if err != nil {
		return nil, errorf("UserLambdaValidationException", "DefineAuthChallenge failed with error %v.", err)
	}
	switch {
	case d.FailAuthentication:
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
		return s.startSRP(p, cl, u, u.Username, b.SRPA, &b, now)
	case d.ChallengeName != "CUSTOM_CHALLENGE":
		return nil, errorf("UserLambdaValidationException", "DefineAuthChallenge returned unsupported challenge %q.", d.ChallengeName)
	}
	cr, err := h.Create(CreateAuthChallengeInput{UserPoolID: p.ID, ClientID: cl.ID, Username: u.Username,
		UserAttributes: copyAttrs(u.Attrs), ChallengeName: "CUSTOM_CHALLENGE", Session: toResults(base.Custom), ClientMetadata: meta})
	if err != nil {
		return nil, errorf("UserLambdaValidationException", "CreateAuthChallenge failed with error %v.", err)
	}
	b := *base
	b.Private, b.Meta = copyAttrs(cr.PrivateChallengeParameters), cr.ChallengeMetadata
	sess := s.newSession(p, cl, &b, "CUSTOM_CHALLENGE", now)
	params := copyAttrs(cr.PublicChallengeParameters)
	params["USERNAME"] = u.Username
	return &authOutput{ChallengeName: "CUSTOM_CHALLENGE", Session: sess.ID, ChallengeParameters: params}, nil
}
