package cognitotest

import (
	"context"
	"html"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// authConfig wires the recorder as pre and post authentication trigger.
var authConfig = types.LambdaConfigType{PreAuthentication: aws.String(recARN), PostAuthentication: aws.String(recARN)}

// failOn answers every event with the error msg for triggerSource src,
// and as received otherwise.
func failOn(src, msg string) func(map[string]any) (any, error) {
	return func(ev map[string]any) (any, error) {
		if ev["triggerSource"] == src {
			return nil, lambdaErr(msg)
		}
		return nil, nil
	}
}

// TestPreAuthenticationTrigger: every sign-in flow that checks a user
// fires pre authentication first, with InitiateAuth's ClientMetadata as
// validationData; its error refuses the sign-in before any credential is
// checked; REFRESH_TOKEN_AUTH does not fire it.
func TestPreAuthenticationTrigger(t *testing.T) {
	validation := map[string]string{"ip": "192.0.2.1"}
	f := setup(t, PoolOptions{}, ClientOptions{})
	rec := withTriggers(t, f, authConfig, nil)
	flows := []struct {
		name  string
		start func() (any, error)
	}{
		{"USER_PASSWORD_AUTH", func() (any, error) {
			return f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &f.client.ID,
				AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}, ClientMetadata: validation})
		}},
		{"ADMIN_USER_PASSWORD_AUTH", func() (any, error) {
			return f.c.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, ClientId: &f.client.ID,
				UserPoolId: &f.pool, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}, ClientMetadata: validation})
		}},
		{"USER_SRP_AUTH", func() (any, error) {
			sc, err := srp.NewClient(nil)
			require.NoError(t, err)
			return f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &f.client.ID,
				AuthParameters: map[string]string{"USERNAME": "alice", "SRP_A": sc.SRPA()}, ClientMetadata: validation})
		}},
	}
	for _, fl := range flows {
		t.Run(fl.name, func(t *testing.T) {
			rec.reset(nil)
			_, err := fl.start()
			require.NoError(t, err)
			ev := rec.one(t, "PreAuthentication_Authentication")
			assertSameShape(t, referenceEvent(t, "PreAuthentication_Authentication"), ev, "")
			assertHeader(t, ev, "1", "PreAuthentication_Authentication", f.pool, "alice", f.client.ID)
			req := request(t, ev)
			assert.Equal(t, map[string]any{"ip": "192.0.2.1"}, req["validationData"])
			attrs := req["userAttributes"].(map[string]any)
			assert.Equal(t, "CONFIRMED", attrs["cognito:user_status"])
			assert.Equal(t, "alice@example.com", attrs["email"])
			assert.NotContains(t, req, "userNotFound", "only for unknown users")

			rec.reset(failOn("PreAuthentication_Authentication", "sign-ins are closed"))
			_, err = fl.start()
			requireCode(t, err, "UserLambdaValidationException")
			assert.Equal(t, "PreAuthentication failed with error sign-ins are closed.", message(err))
			assert.Equal(t, []string{"PreAuthentication_Authentication"}, rec.sources(), "nothing after a refusal")
		})
	}
	t.Run("a refused sign-in is not a wrong password", func(t *testing.T) {
		rec.reset(failOn("PreAuthentication_Authentication", "no"))
		for i := 0; i < 6; i++ {
			_, err := passwordSignIn(f, "alice", testPassword)
			requireCode(t, err, "UserLambdaValidationException")
		}
		rec.reset(nil)
		mustTokens(t, f, "alice")
	})
	t.Run("REFRESH_TOKEN_AUTH does not fire it", func(t *testing.T) {
		rec.reset(nil)
		tok := mustTokens(t, f, "alice")
		rec.reset(failOn("PreAuthentication_Authentication", "no"))
		_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
		require.NoError(t, err)
		assert.Empty(t, rec.sources())
	})
	t.Run("unknown user", func(t *testing.T) {
		rec.reset(nil)
		_, err := passwordSignIn(f, "ghost", testPassword)
		requireCode(t, err, "UserNotFoundException")
		assert.Empty(t, rec.sources(), "without PreventUserExistenceErrors, no event")

		g := setup(t, PoolOptions{}, ClientOptions{PreventUserExistenceErrors: true})
		grec := withTriggers(t, g, authConfig, nil)
		_, err = passwordSignIn(g, "ghost", testPassword)
		requireCode(t, err, "NotAuthorizedException")
		ev := grec.one(t, "PreAuthentication_Authentication")
		assertHeader(t, ev, "1", "PreAuthentication_Authentication", g.pool, "ghost", g.client.ID)
		assert.Equal(t, true, request(t, ev)["userNotFound"])
		assert.Empty(t, request(t, ev)["userAttributes"])
	})
}

// TestPostAuthenticationTrigger: after the credentials (and MFA), before
// the tokens; its error means no tokens; RespondToAuthChallenge's
// ClientMetadata reaches it, InitiateAuth's does not; newDeviceUsed.
func TestPostAuthenticationTrigger(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	rec := withTriggers(t, f, authConfig, nil)

	t.Run("USER_PASSWORD_AUTH", func(t *testing.T) {
		rec.reset(nil)
		_, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": testPassword}, ClientMetadata: map[string]string{"source": "web"}})
		require.NoError(t, err)
		assert.Equal(t, []string{"PreAuthentication_Authentication", "PostAuthentication_Authentication"}, rec.sources())
		ev := rec.one(t, "PostAuthentication_Authentication")
		assertSameShape(t, referenceEvent(t, "PostAuthentication_Authentication"), ev, "")
		assertHeader(t, ev, "1", "PostAuthentication_Authentication", f.pool, "alice", f.client.ID)
		req := request(t, ev)
		assert.Equal(t, false, req["newDeviceUsed"])
		assert.Empty(t, req["clientMetadata"], "InitiateAuth passes no ClientMetadata to post authentication")
		assert.Equal(t, "CONFIRMED", req["userAttributes"].(map[string]any)["cognito:user_status"])
	})
	t.Run("USER_SRP_AUTH with RespondToAuthChallenge's ClientMetadata", func(t *testing.T) {
		rec.reset(nil)
		sc, ch, err := srpStart(t, f, "alice", nil)
		require.NoError(t, err)
		assert.Equal(t, []string{"PreAuthentication_Authentication"}, rec.sources(), "pre authentication before SRP_B")
		p := ch.ChallengeParameters
		sig, ts, err := sc.PasswordClaim(srp.PoolName(f.pool), p["USER_ID_FOR_SRP"], testPassword, p["SRP_B"], p["SALT"], p["SECRET_BLOCK"], f.s.Now())
		require.NoError(t, err)
		out, err := f.c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: &f.client.ID,
			ChallengeName: types.ChallengeNameTypePasswordVerifier, Session: ch.Session, ClientMetadata: map[string]string{"source": "web"},
			ChallengeResponses: map[string]string{"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
				"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}})
		require.NoError(t, err)
		require.NotNil(t, out.AuthenticationResult)
		ev := rec.one(t, "PostAuthentication_Authentication")
		assert.Equal(t, map[string]any{"source": "web"}, request(t, ev)["clientMetadata"])
	})
	t.Run("wrong password: no post authentication", func(t *testing.T) {
		rec.reset(nil)
		_, err := passwordSignIn(f, "alice", "Wrong0Passw!")
		requireCode(t, err, "NotAuthorizedException")
		assert.Equal(t, []string{"PreAuthentication_Authentication"}, rec.sources())
	})
	t.Run("error: no tokens", func(t *testing.T) {
		rec.reset(failOn("PostAuthentication_Authentication", "audit log unavailable"))
		out, err := passwordSignIn(f, "alice", testPassword)
		requireCode(t, err, "UserLambdaValidationException")
		assert.Equal(t, "PostAuthentication failed with error audit log unavailable.", message(err))
		assert.Nil(t, out)
	})
	t.Run("newDeviceUsed", func(t *testing.T) {
		g := setup(t, PoolOptions{}, ClientOptions{})
		grec := withTriggers(t, g, authConfig, func(in *cip.UpdateUserPoolInput) {
			in.DeviceConfiguration = &types.DeviceConfigurationType{}
		})
		out, err := passwordSignIn(g, "alice", testPassword)
		require.NoError(t, err)
		require.NotNil(t, out.AuthenticationResult.NewDeviceMetadata)
		assert.Equal(t, true, request(t, grec.one(t, "PostAuthentication_Authentication"))["newDeviceUsed"])
	})
}

// TestHostedUIAuthenticationTriggers: the hosted UI's password sign-in
// fires pre authentication (its error is shown on the sign-in page) and
// post authentication (its error refuses the sign-in), and the
// HostedUITriggers hook still runs after the function.
func TestHostedUIAuthenticationTriggers(t *testing.T) {
	var mu sync.Mutex
	var hooked []string
	f := newUIFixture(t, PoolOptions{}, func(o *Options) {
		o.Triggers = &HostedUITriggers{PostAuthentication: func(_ context.Context, ev TriggerEvent) error {
			mu.Lock()
			defer mu.Unlock()
			hooked = append(hooked, ev.TriggerSource)
			return nil
		}}
	})
	rec := withTriggers(t, f.fixture, authConfig, nil)
	a := newAgent(t, f.s.URL)
	callbackCode(t, passwordLogin(t, a, authorizeURL(f.s, f.client.ID, url.Values{"prompt": {"login"}}), "alice", testPassword))
	assert.Equal(t, []string{"PreAuthentication_Authentication", "PostAuthentication_Authentication"}, rec.sources())
	ev := rec.one(t, "PreAuthentication_Authentication")
	assertSameShape(t, referenceEvent(t, "PreAuthentication_Authentication"), ev, "")
	assertHeader(t, ev, "1", "PreAuthentication_Authentication", f.pool, "alice", f.client.ID)
	ev = rec.one(t, "PostAuthentication_Authentication")
	assertSameShape(t, referenceEvent(t, "PostAuthentication_Authentication"), ev, "")
	assertHeader(t, ev, "1", "PostAuthentication_Authentication", f.pool, "alice", f.client.ID)
	mu.Lock()
	assert.Equal(t, []string{TriggerPostAuthentication}, hooked)
	mu.Unlock()

	rec.reset(failOn("PreAuthentication_Authentication", "closed for maintenance"))
	page := passwordLogin(t, newAgent(t, f.s.URL), authorizeURL(f.s, f.client.ID, nil), "alice", testPassword)
	assert.Equal(t, 200, page.status)
	assert.Contains(t, html.UnescapeString(page.body), "PreAuthentication failed with error closed for maintenance.")

	rec.reset(failOn("PostAuthentication_Authentication", "not today"))
	page = passwordLogin(t, newAgent(t, f.s.URL), authorizeURL(f.s, f.client.ID, nil), "alice", testPassword)
	require.Equal(t, 302, page.status, page.body)
	loc, err := url.Parse(page.loc)
	require.NoError(t, err)
	assert.Empty(t, loc.Query().Get("code"), "no code")
	assert.Equal(t, "PostAuthentication failed with error not today.", loc.Query().Get("error_description"))
	mu.Lock()
	assert.Len(t, hooked, 1, "the hook does not run after the function failed")
	mu.Unlock()
}

// TestAuthenticationTriggerTimeout: a function slower than the timeout
// fails the sign-in with UnexpectedLambdaException, and the server keeps
// serving (the next sign-in, with a prompt function, works).
func TestAuthenticationTriggerTimeout(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{}, func(o *Options) { o.FunctionTimeout = 100 * time.Millisecond })
	rec := withTriggers(t, f, authConfig, nil)
	rec.reset(func(ev map[string]any) (any, error) {
		if ev["triggerSource"] == "PreAuthentication_Authentication" {
			time.Sleep(time.Second)
		}
		return nil, nil
	})
	_, err := passwordSignIn(f, "alice", testPassword)
	requireCode(t, err, "UnexpectedLambdaException")
	assert.Equal(t, "PreAuthentication invocation failed due to error Socket timeout while invoking Lambda function.", message(err))
	rec.reset(nil)
	mustTokens(t, f, "alice")
}
