package cognitotest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// customConfig wires the recorder as every trigger of a custom sign-in.
var customConfig = types.LambdaConfigType{PreAuthentication: aws.String(recARN), PostAuthentication: aws.String(recARN),
	DefineAuthChallenge: aws.String(recARN), CreateAuthChallenge: aws.String(recARN),
	VerifyAuthChallengeResponse: aws.String(recARN)}

// quizFunctions answers the auth-challenge events as a typical set of
// functions: password first when the client starts with SRP_A, then up to
// three tries at a CUSTOM_CHALLENGE ("6*7"), tokens after a right answer.
func quizFunctions(ev map[string]any) (any, error) {
	req, _ := ev["request"].(map[string]any)
	switch ev["triggerSource"] {
	case "DefineAuthChallenge_Authentication":
		session, _ := req["session"].([]any)
		if len(session) == 0 {
			return map[string]any{"challengeName": "CUSTOM_CHALLENGE"}, nil
		}
		last := session[len(session)-1].(map[string]any)
		switch {
		case last["challengeName"] == "SRP_A":
			return map[string]any{"challengeName": "PASSWORD_VERIFIER"}, nil
		case last["challengeResult"] == true && last["challengeName"] == "CUSTOM_CHALLENGE":
			return map[string]any{"issueTokens": true}, nil
		case last["challengeResult"] == true, len(session) < 3:
			return map[string]any{"challengeName": "CUSTOM_CHALLENGE"}, nil
		}
		return map[string]any{"failAuthentication": true}, nil
	case "CreateAuthChallenge_Authentication":
		return map[string]any{"publicChallengeParameters": map[string]string{"question": "6*7"},
			"privateChallengeParameters": map[string]string{"answer": "42"}, "challengeMetadata": "QUIZ"}, nil
	case "VerifyAuthChallengeResponse_Authentication":
		private, _ := req["privateChallengeParameters"].(map[string]any)
		return map[string]any{"answerCorrect": req["challengeAnswer"] == private["answer"]}, nil
	}
	return nil, nil
}

// passwordFirstStart starts a CUSTOM_AUTH sign-in of alice with
// CHALLENGE_NAME=SRP_A (password first).
func passwordFirstStart(t *testing.T, f *fixture) (*srp.Client, *cip.InitiateAuthOutput) {
	t.Helper()
	sc, err := srp.NewClient(nil)
	require.NoError(t, err)
	ch, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
		AuthParameters: map[string]string{"USERNAME": "alice", "CHALLENGE_NAME": "SRP_A", "SRP_A": sc.SRPA()}})
	require.NoError(t, err)
	return sc, ch
}

func customAnswer(f *fixture, session *string, answer string, meta map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return f.c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: &f.client.ID, ClientMetadata: meta,
		ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: session,
		ChallengeResponses: map[string]string{"USERNAME": "alice", "ANSWER": answer}})
}

// TestCustomAuthLambdaTriggers: CUSTOM_AUTH driven by the pool's define,
// create and verify auth challenge functions, with Cognito's events (the
// session of results, the private parameters and metadata kept between
// steps) and ClientMetadata where Cognito passes it.
func TestCustomAuthLambdaTriggers(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	rec := withTriggers(t, f, customConfig, nil)
	meta := map[string]string{"source": "web"}

	t.Run("custom challenge, a wrong answer, then the right one", func(t *testing.T) {
		rec.reset(quizFunctions)
		ch, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "alice"}, ClientMetadata: meta})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeCustomChallenge, ch.ChallengeName)
		assert.Equal(t, map[string]string{"question": "6*7", "USERNAME": "alice"}, ch.ChallengeParameters)
		assert.Equal(t, []string{"PreAuthentication_Authentication", "DefineAuthChallenge_Authentication",
			"CreateAuthChallenge_Authentication"}, rec.sources())
		assert.Equal(t, map[string]any{"source": "web"}, request(t, rec.one(t, "PreAuthentication_Authentication"))["validationData"])
		def := rec.one(t, "DefineAuthChallenge_Authentication")
		assertSameShape(t, referenceEvent(t, "DefineAuthChallenge_Authentication"), def, "")
		assertHeader(t, def, "1", "DefineAuthChallenge_Authentication", f.pool, "alice", f.client.ID)
		assert.Equal(t, []any{}, request(t, def)["session"])
		assert.Equal(t, false, request(t, def)["userNotFound"])
		assert.Empty(t, request(t, def)["clientMetadata"], "InitiateAuth passes none to define auth challenge")
		cr := rec.one(t, "CreateAuthChallenge_Authentication")
		assertSameShape(t, referenceEvent(t, "CreateAuthChallenge_Authentication"), cr, "")
		assert.Equal(t, "CUSTOM_CHALLENGE", request(t, cr)["challengeName"])

		rec.reset(quizFunctions)
		ch2, err := customAnswer(f, ch.Session, "41", meta)
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeCustomChallenge, ch2.ChallengeName, "another try")
		ver := rec.one(t, "VerifyAuthChallengeResponse_Authentication")
		assertSameShape(t, referenceEvent(t, "VerifyAuthChallengeResponse_Authentication"), ver, "")
		assertHeader(t, ver, "1", "VerifyAuthChallengeResponse_Authentication", f.pool, "alice", f.client.ID)
		vreq := request(t, ver)
		assert.Equal(t, map[string]any{"answer": "42"}, vreq["privateChallengeParameters"])
		assert.Equal(t, "41", vreq["challengeAnswer"])
		assert.Equal(t, map[string]any{"source": "web"}, vreq["clientMetadata"], "RespondToAuthChallenge passes it")
		def = rec.one(t, "DefineAuthChallenge_Authentication")
		assert.Equal(t, []any{map[string]any{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "QUIZ"}},
			request(t, def)["session"])
		assert.Equal(t, map[string]any{"source": "web"}, request(t, def)["clientMetadata"])

		rec.reset(quizFunctions)
		done, err := customAnswer(f, ch2.Session, "42", meta)
		require.NoError(t, err)
		require.NotNil(t, done.AuthenticationResult)
		assert.Equal(t, []string{"VerifyAuthChallengeResponse_Authentication", "DefineAuthChallenge_Authentication",
			"PostAuthentication_Authentication"}, rec.sources())
		assert.Len(t, request(t, rec.one(t, "DefineAuthChallenge_Authentication"))["session"], 2)
	})
	t.Run("password first (SRP_A), then the challenge", func(t *testing.T) {
		rec.reset(quizFunctions)
		sc, ch := passwordFirstStart(t, f)
		require.Equal(t, types.ChallengeNameTypePasswordVerifier, ch.ChallengeName)
		assert.Equal(t, []any{map[string]any{"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": ""}},
			request(t, rec.one(t, "DefineAuthChallenge_Authentication"))["session"])
		rec.reset(quizFunctions)
		r, err := srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeCustomChallenge, r.ChallengeName)
		sess := request(t, rec.one(t, "DefineAuthChallenge_Authentication"))["session"].([]any)
		require.Len(t, sess, 2)
		assert.Equal(t, map[string]any{"challengeName": "PASSWORD_VERIFIER", "challengeResult": true, "challengeMetadata": ""}, sess[1])
		done, err := customAnswer(f, r.Session, "42", nil)
		require.NoError(t, err)
		require.NotNil(t, done.AuthenticationResult)
	})
	t.Run("wrong password: Define is not asked again", func(t *testing.T) {
		rec.reset(quizFunctions)
		sc, ch := passwordFirstStart(t, f)
		_, err := srpAnswer(t, f, sc, ch, "Wrong0Passw!", f.s.Now(), nil)
		requireCode(t, err, "NotAuthorizedException")
		assert.Len(t, rec.of("DefineAuthChallenge_Authentication"), 1)
	})
	t.Run("failAuthentication after three wrong answers", func(t *testing.T) {
		rec.reset(quizFunctions)
		ch, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "alice"}})
		require.NoError(t, err)
		s := ch.Session
		for i := 0; i < 2; i++ {
			r, err := customAnswer(f, s, "0", nil)
			require.NoError(t, err)
			s = r.Session
		}
		_, err = customAnswer(f, s, "0", nil)
		requireCode(t, err, "NotAuthorizedException")
		assert.Equal(t, "Incorrect username or password.", message(err))
		assert.Empty(t, rec.of("PostAuthentication_Authentication"))
	})
	for _, tc := range []struct {
		src, msg string
	}{
		{"DefineAuthChallenge_Authentication", "DefineAuthChallenge failed with error define broke."},
		{"CreateAuthChallenge_Authentication", "CreateAuthChallenge failed with error create broke."},
	} {
		t.Run(tc.src+" error", func(t *testing.T) {
			rec.reset(func(ev map[string]any) (any, error) {
				if ev["triggerSource"] == tc.src {
					return nil, lambdaErr(map[string]string{"DefineAuthChallenge_Authentication": "define broke",
						"CreateAuthChallenge_Authentication": "create broke"}[tc.src])
				}
				return quizFunctions(ev)
			})
			_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
				AuthParameters: map[string]string{"USERNAME": "alice"}})
			requireCode(t, err, "UserLambdaValidationException")
			assert.Equal(t, tc.msg, message(err))
		})
	}
	t.Run("an unusable Define answer", func(t *testing.T) {
		rec.reset(func(ev map[string]any) (any, error) { return map[string]any{}, nil })
		_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "alice"}})
		requireCode(t, err, "InvalidLambdaResponseException")
	})
	t.Run("pre authentication refuses before Define", func(t *testing.T) {
		rec.reset(failOn("PreAuthentication_Authentication", "no"))
		_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "alice"}})
		requireCode(t, err, "UserLambdaValidationException")
		assert.Equal(t, []string{"PreAuthentication_Authentication"}, rec.sources())
	})
}

// TestCustomAuthLambdaUnknownUser: with PreventUserExistenceErrors, an
// unknown user's custom sign-in runs the functions with userNotFound and
// is refused as a wrong answer would be, whatever Define decides; without
// it, UserNotFoundException and no function runs.
func TestCustomAuthLambdaUnknownUser(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{PreventUserExistenceErrors: true})
	rec := withTriggers(t, f, customConfig, nil)
	rec.reset(quizFunctions)
	ch, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
		AuthParameters: map[string]string{"USERNAME": "ghost"}})
	require.NoError(t, err)
	require.Equal(t, types.ChallengeNameTypeCustomChallenge, ch.ChallengeName, "a plausible challenge")
	assert.Equal(t, "ghost", ch.ChallengeParameters["USERNAME"])
	def := rec.one(t, "DefineAuthChallenge_Authentication")
	assertHeader(t, def, "1", "DefineAuthChallenge_Authentication", f.pool, "ghost", f.client.ID)
	assert.Equal(t, true, request(t, def)["userNotFound"])
	assert.Equal(t, map[string]any{}, request(t, def)["userAttributes"])

	rec.reset(quizFunctions)
	_, err = f.c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: &f.client.ID,
		ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: ch.Session,
		ChallengeResponses: map[string]string{"USERNAME": "ghost", "ANSWER": "42"}})
	requireCode(t, err, "NotAuthorizedException")
	assert.Equal(t, "Incorrect username or password.", message(err))
	assert.Equal(t, true, request(t, rec.one(t, "VerifyAuthChallengeResponse_Authentication"))["userNotFound"])
	assert.Len(t, rec.of("DefineAuthChallenge_Authentication"), 1, "Define decided to issue tokens: refused")
	assert.Empty(t, rec.of("PostAuthentication_Authentication"))

	t.Run("password first", func(t *testing.T) {
		rec.reset(quizFunctions)
		sc, err := srp.NewClient(nil)
		require.NoError(t, err)
		ch, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "ghost", "CHALLENGE_NAME": "SRP_A", "SRP_A": sc.SRPA()}})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypePasswordVerifier, ch.ChallengeName)
		_, err = srpAnswer(t, f, sc, ch, testPassword, f.s.Now(), nil)
		requireCode(t, err, "NotAuthorizedException")
	})
	t.Run("without PreventUserExistenceErrors", func(t *testing.T) {
		g := setup(t, PoolOptions{}, ClientOptions{})
		grec := withTriggers(t, g, customConfig, nil)
		_, err := g.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &g.client.ID,
			AuthParameters: map[string]string{"USERNAME": "ghost"}})
		requireCode(t, err, "UserNotFoundException")
		assert.Empty(t, grec.sources())
	})
}

// TestCustomAuthLambdaOverHooks: a pool whose LambdaConfig names the
// auth-challenge functions uses them, not Options.CustomAuth; a pool
// without them still runs the hooks.
func TestCustomAuthLambdaOverHooks(t *testing.T) {
	hookCalls := 0
	hooks := &CustomAuthHooks{
		Define: func(in DefineAuthChallengeInput) (DefineAuthChallengeOutput, error) {
			hookCalls++
			return DefineAuthChallengeOutput{IssueTokens: true}, nil
		},
		Create: func(CreateAuthChallengeInput) (CreateAuthChallengeOutput, error) {
			return CreateAuthChallengeOutput{}, nil
		},
		Verify: func(VerifyAuthChallengeInput) (bool, error) { return false, nil },
	}
	f := setup(t, PoolOptions{}, ClientOptions{}, func(o *Options) { o.CustomAuth = hooks })
	start := func() (*cip.InitiateAuthOutput, error) {
		return f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "alice"}})
	}
	out, err := start()
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult)
	assert.Equal(t, 1, hookCalls)

	rec := withTriggers(t, f, customConfig, nil)
	rec.reset(quizFunctions)
	out, err = start()
	require.NoError(t, err)
	assert.Equal(t, types.ChallengeNameTypeCustomChallenge, out.ChallengeName, "the pool's functions")
	assert.Equal(t, 1, hookCalls, "the hooks are not called")
}

// jsCustomAuth signs in with amazon-cognito-identity-js's CUSTOM_AUTH
// (initiateAuth without a password, authenticateUser for password first),
// answering each custom challenge with the next of answers.
const jsCustomAuth = `
import pkg from 'amazon-cognito-identity-js';
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = pkg;
const pool = new CognitoUserPool({ UserPoolId: process.env.POOL, ClientId: process.env.CLIENT, endpoint: process.env.ENDPOINT });
function run(passwordFirst, answers) {
  return new Promise((resolve) => {
    const u = new CognitoUser({ Username: 'alice', Pool: pool });
    u.setAuthenticationFlowType('CUSTOM_AUTH');
    const questions = [];
    const cb = {
      onSuccess: (s) => resolve({ ok: true, questions, tenant: s.getIdToken().payload.tenant }),
      onFailure: (e) => resolve({ ok: false, questions, code: e.code, message: e.message }),
      customChallenge: (p) => { questions.push(p.question); u.sendCustomChallengeAnswer(answers.shift(), cb, { source: 'js' }); },
    };
    const details = new AuthenticationDetails({ Username: 'alice', Password: passwordFirst ? process.env.PASSWORD : undefined });
    if (passwordFirst) u.authenticateUser(details, cb); else u.initiateAuth(details, cb);
  });
}
const out = {};
out.right = await run(false, ['42']);
out.retry = await run(false, ['1', '42']);
out.passwordFirst = await run(true, ['42']);
out.fail = await run(false, ['0', '0', '0']);
console.log(JSON.stringify(out));
`

// TestInteropAmazonCognitoIdentityJSCustomAuth: the official JS SDK's
// custom authentication against the pool's auth-challenge functions, with
// a pre token generation function whose claim reaches the SDK's ID token.
func TestInteropAmazonCognitoIdentityJSCustomAuth(t *testing.T) {
	dir := interop.NPMInstall(t, "amazon-cognito-identity-js@6")
	f := setup(t, PoolOptions{}, ClientOptions{})
	lc := customConfig
	lc.PreTokenGenerationConfig = &types.PreTokenGenerationVersionConfigType{LambdaArn: aws.String(recARN),
		LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}
	rec := withTriggers(t, f, lc, nil)
	rec.reset(func(ev map[string]any) (any, error) {
		if strings.HasPrefix(ev["triggerSource"].(string), "TokenGeneration_") {
			return preTokenAnswer(ev)
		}
		return quizFunctions(ev)
	})
	out, err := interop.Node(t, dir, jsCustomAuth, "POOL="+f.pool, "CLIENT="+f.client.ID, "ENDPOINT="+f.s.URL+"/", "PASSWORD="+testPassword)
	require.NoError(t, err)
	var res map[string]struct {
		OK        bool     `json:"ok"`
		Questions []string `json:"questions"`
		Tenant    string   `json:"tenant"`
		Code      string   `json:"code"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &res), out)
	for _, name := range []string{"right", "retry", "passwordFirst"} {
		assert.True(t, res[name].OK, "%s: %+v", name, res[name])
		assert.Equal(t, "acme", res[name].Tenant, name)
	}
	assert.Equal(t, []string{"6*7", "6*7"}, res["retry"].Questions)
	assert.False(t, res["fail"].OK)
	assert.Equal(t, "NotAuthorizedException", res["fail"].Code)
	for _, ev := range rec.of("VerifyAuthChallengeResponse_Authentication") {
		assert.Equal(t, map[string]any{"source": "js"}, request(t, ev)["clientMetadata"])
	}
	assert.NotEmpty(t, rec.of("TokenGeneration_Authentication"))
}
