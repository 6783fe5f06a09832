package cognitotest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
	"github.com/cognitokit/cognitokit/jwks"
)

const (
	adminsRole   = "arn:aws:iam::123456789012:role/admins"
	overrideRole = "arn:aws:iam::123456789012:role/override"
)

// preTokenConfig is a LambdaConfig with the recorder as the pre token
// generation function of version v.
func preTokenConfig(v types.PreTokenGenerationLambdaVersionType) types.LambdaConfigType {
	return types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
		LambdaArn: aws.String(recARN), LambdaVersion: v}}
}

// preTokenAnswer is a pre token generation response for the event's
// version: add "tenant" to both tokens (the ID token only for V1),
// suppress "email" from the ID token, try to override the reserved sub and
// client_id (ignored), add the scope "extra/read" (V2, V3), and replace the
// groups.
func preTokenAnswer(ev map[string]any) (any, error) {
	groups := map[string]any{"groupsToOverride": []string{"override"}, "iamRolesToOverride": []string{overrideRole},
		"preferredRole": overrideRole}
	if ev["version"] == "1" {
		return map[string]any{"claimsOverrideDetails": map[string]any{
			"claimsToAddOrOverride": map[string]string{"tenant": "acme", "sub": "evil"},
			"claimsToSuppress":      []string{"email"},
			"groupOverrideDetails":  groups,
		}}, nil
	}
	return map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
		"idTokenGeneration": map[string]any{"claimsToAddOrOverride": map[string]any{"tenant": "acme", "sub": "evil", "level": 7},
			"claimsToSuppress": []string{"email"}},
		"accessTokenGeneration": map[string]any{"claimsToAddOrOverride": map[string]any{"tenant": "acme", "client_id": "evil"},
			"scopesToAdd": []string{"extra/read"}},
		"groupOverrideDetails": groups,
	}}, nil
}

// withAdmins puts alice in the group "admins" (with an IAM role).
func withAdmins(t *testing.T, f *fixture) {
	t.Helper()
	_, err := f.c.CreateGroup(ctx(), &cip.CreateGroupInput{UserPoolId: &f.pool, GroupName: aws.String("admins"),
		RoleArn: aws.String(adminsRole), Precedence: aws.Int32(1)})
	require.NoError(t, err)
	_, err = f.c.AdminAddUserToGroup(ctx(), &cip.AdminAddUserToGroupInput{UserPoolId: &f.pool, Username: aws.String("alice"),
		GroupName: aws.String("admins")})
	require.NoError(t, err)
}

// TestPreTokenGenerationVersions: one sign-in (TokenGeneration_Authentication)
// with a trigger of each version; the event is the documented one, and
// what the function answers lands in the signed tokens (verified with
// jwks), reserved claims untouched.
func TestPreTokenGenerationVersions(t *testing.T) {
	for _, tc := range []struct {
		version types.PreTokenGenerationLambdaVersionType
		event   string // "version" of the event
		ref     string
	}{
		{types.PreTokenGenerationLambdaVersionTypeV10, "1", "TokenGeneration_Authentication_V1"},
		{types.PreTokenGenerationLambdaVersionTypeV20, "2", "TokenGeneration_Authentication_V2"},
		{types.PreTokenGenerationLambdaVersionTypeV30, "3", "TokenGeneration_Authentication_V2"},
	} {
		t.Run(string(tc.version), func(t *testing.T) {
			f := setup(t, PoolOptions{}, ClientOptions{})
			withAdmins(t, f)
			rec := withTriggers(t, f, preTokenConfig(tc.version), nil)
			rec.reset(preTokenAnswer)
			tok := mustTokens(t, f, "alice")

			ev := rec.one(t, "TokenGeneration_Authentication")
			ref := referenceEvent(t, tc.ref)
			assertSameShape(t, ref, ev, "", "clientMetadata")
			assertHeader(t, ev, tc.event, "TokenGeneration_Authentication", f.pool, "alice", f.client.ID)
			req := request(t, ev)
			assert.Equal(t, map[string]any{"groupsToOverride": []any{"admins"}, "iamRolesToOverride": []any{adminsRole},
				"preferredRole": adminsRole}, req["groupConfiguration"])
			attrs := req["userAttributes"].(map[string]any)
			assert.Equal(t, "alice@example.com", attrs["email"])
			assert.Equal(t, "CONFIRMED", attrs["cognito:user_status"])
			assert.NotEmpty(t, attrs["sub"])
			if tc.event != "1" {
				assert.Equal(t, []any{"aws.cognito.signin.user.admin"}, req["scopes"])
			}
			assert.Empty(t, req["clientMetadata"], "InitiateAuth passes no ClientMetadata to pre token generation")

			id := verifiedClaims(t, f.s, f.pool, f.client.ID, *tok.IdToken, jwks.TokenUseID)
			assert.Equal(t, "acme", claim(t, id, "tenant"))
			assert.Nil(t, claim(t, id, "email"), "suppressed")
			assert.Equal(t, attrs["sub"], id.Subject, "sub is reserved")
			assert.Equal(t, []string{"override"}, id.Groups)
			assert.Equal(t, []any{overrideRole}, claim(t, id, "cognito:roles"))
			assert.Equal(t, overrideRole, claim(t, id, "cognito:preferred_role"))
			access := verifiedClaims(t, f.s, f.pool, f.client.ID, *tok.AccessToken, jwks.TokenUseAccess)
			assert.Equal(t, f.client.ID, access.ClientID, "client_id is reserved")
			assert.Equal(t, []string{"override"}, access.Groups)
			if tc.event == "1" {
				assert.Nil(t, claim(t, access, "tenant"), "V1_0 changes the ID token only")
				assert.Equal(t, "aws.cognito.signin.user.admin", access.Scope)
			} else {
				assert.Equal(t, float64(7), claim(t, id, "level"), "V2_0 claims take any JSON value")
				assert.Equal(t, "acme", claim(t, access, "tenant"))
				assert.Equal(t, []string{"aws.cognito.signin.user.admin", "extra/read"}, access.Scopes())
			}
			// The tokens still work with the API.
			_, err := f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: tok.AccessToken})
			require.NoError(t, err)
		})
	}
}

// TestPreTokenGenerationSources: every trigger source, with the
// ClientMetadata the operation passes.
func TestPreTokenGenerationSources(t *testing.T) {
	v2 := preTokenConfig(types.PreTokenGenerationLambdaVersionTypeV20)
	meta := map[string]string{"source": "web"}

	t.Run("TokenGeneration_RefreshTokens", func(t *testing.T) {
		f := setup(t, PoolOptions{}, ClientOptions{})
		rec := withTriggers(t, f, v2, nil)
		tok := mustTokens(t, f, "alice")
		rec.reset(preTokenAnswer)
		out, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &f.client.ID,
			AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}, ClientMetadata: meta})
		require.NoError(t, err)
		ev := rec.one(t, "TokenGeneration_RefreshTokens")
		assertSameShape(t, referenceEvent(t, "TokenGeneration_Authentication_V2"), ev, "", "clientMetadata")
		assertHeader(t, ev, "2", "TokenGeneration_RefreshTokens", f.pool, "alice", f.client.ID)
		assert.Empty(t, request(t, ev)["clientMetadata"], "InitiateAuth passes none")
		assert.Equal(t, "acme", claim(t, verifiedClaims(t, f.s, f.pool, f.client.ID, *out.AuthenticationResult.IdToken, jwks.TokenUseID), "tenant"))

		rec.reset(preTokenAnswer)
		gt, err := f.c.GetTokensFromRefreshToken(ctx(), &cip.GetTokensFromRefreshTokenInput{ClientId: &f.client.ID,
			RefreshToken: tok.RefreshToken, ClientMetadata: meta})
		require.NoError(t, err)
		ev = rec.one(t, "TokenGeneration_RefreshTokens")
		assert.Equal(t, map[string]any{"source": "web"}, request(t, ev)["clientMetadata"])
		assert.Equal(t, "acme", claim(t, verifiedClaims(t, f.s, f.pool, f.client.ID, *gt.AuthenticationResult.AccessToken, jwks.TokenUseAccess), "tenant"))
	})

	t.Run("TokenGeneration_NewPasswordChallenge", func(t *testing.T) {
		f := setup(t, PoolOptions{}, ClientOptions{})
		rec := withTriggers(t, f, v2, nil)
		_, err := f.c.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &f.pool, Username: aws.String("bob"),
			TemporaryPassword: aws.String("Temp0rary!pw"), MessageAction: types.MessageActionTypeSuppress})
		require.NoError(t, err)
		ch, err := passwordSignIn(f, "bob", "Temp0rary!pw")
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeNewPasswordRequired, ch.ChallengeName)
		assert.Empty(t, rec.sources())
		rec.reset(preTokenAnswer)
		out, err := f.c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: &f.client.ID,
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: ch.Session, ClientMetadata: meta,
			ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": testPassword}})
		require.NoError(t, err)
		ev := rec.one(t, "TokenGeneration_NewPasswordChallenge")
		assertSameShape(t, referenceEvent(t, "TokenGeneration_Authentication_V2"), ev, "")
		assertHeader(t, ev, "2", "TokenGeneration_NewPasswordChallenge", f.pool, "bob", f.client.ID)
		assert.Equal(t, map[string]any{"source": "web"}, request(t, ev)["clientMetadata"], "RespondToAuthChallenge passes it")
		assert.Equal(t, "acme", claim(t, verifiedClaims(t, f.s, f.pool, f.client.ID, *out.AuthenticationResult.IdToken, jwks.TokenUseID), "tenant"))
	})

	t.Run("TokenGeneration_AuthenticateDevice", func(t *testing.T) {
		d := newDeviceFixture(t, PoolOptions{})
		rec := withTriggers(t, d.fixture, v2, func(in *cip.UpdateUserPoolInput) {
			in.DeviceConfiguration = &types.DeviceConfigurationType{}
		})
		sc, ch, err := srpStart(t, d.fixture, "alice", map[string]string{"DEVICE_KEY": d.key})
		require.NoError(t, err)
		r, err := srpAnswer(t, d.fixture, sc, ch, testPassword, d.s.Now(), map[string]string{"DEVICE_KEY": d.key})
		require.NoError(t, err)
		require.Equal(t, types.ChallengeNameTypeDeviceSrpAuth, r.ChallengeName)
		dc, err := srp.NewClient(nil)
		require.NoError(t, err)
		r2, err := respond(d.fixture, types.ChallengeNameTypeDeviceSrpAuth, r.Session, map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key, "SRP_A": dc.SRPA()})
		require.NoError(t, err)
		p := r2.ChallengeParameters
		sig, ts, err := dc.PasswordClaim(d.group, d.key, d.dv.Password, p["SRP_B"], p["SALT"], p["SECRET_BLOCK"], d.s.Now())
		require.NoError(t, err)
		rec.reset(preTokenAnswer)
		out, err := d.c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ClientId: &d.client.ID,
			ChallengeName: types.ChallengeNameTypeDevicePasswordVerifier, Session: r2.Session, ClientMetadata: meta,
			ChallengeResponses: map[string]string{"USERNAME": "alice", "DEVICE_KEY": d.key,
				"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}})
		require.NoError(t, err)
		ev := rec.one(t, "TokenGeneration_AuthenticateDevice")
		assertSameShape(t, referenceEvent(t, "TokenGeneration_Authentication_V2"), ev, "")
		assertHeader(t, ev, "2", "TokenGeneration_AuthenticateDevice", d.pool, "alice", d.client.ID)
		assert.Equal(t, map[string]any{"source": "web"}, request(t, ev)["clientMetadata"])
		access := verifiedClaims(t, d.s, d.pool, d.client.ID, *out.AuthenticationResult.AccessToken, jwks.TokenUseAccess)
		assert.Equal(t, "acme", claim(t, access, "tenant"))
		assert.Equal(t, d.key, claim(t, access, "device_key"), "device_key is reserved and kept")
	})

	t.Run("TokenGeneration_HostedAuth", func(t *testing.T) {
		f := newUIFixture(t, PoolOptions{})
		rec := withTriggers(t, f.fixture, v2, nil)
		rec.reset(func(ev map[string]any) (any, error) {
			return map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
				"idTokenGeneration":     map[string]any{"claimsToAddOrOverride": map[string]any{"tenant": "acme"}},
				"accessTokenGeneration": map[string]any{"scopesToSuppress": []string{"email"}, "scopesToAdd": []string{"orders/read"}},
			}}, nil
		})
		a := newAgent(t, f.s.URL)
		code := callbackCode(t, passwordLogin(t, a, authorizeURL(f.s, f.client.ID, nil), "alice", testPassword))
		assert.Empty(t, rec.of("TokenGeneration_HostedAuth"), "the trigger runs when the code is exchanged")
		status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
		require.Equal(t, 200, status, tok)
		ev := rec.one(t, "TokenGeneration_HostedAuth")
		assertSameShape(t, referenceEvent(t, "TokenGeneration_Authentication_V2"), ev, "", "clientMetadata")
		assertHeader(t, ev, "2", "TokenGeneration_HostedAuth", f.pool, "alice", f.client.ID)
		assert.Equal(t, []any{"openid", "email"}, request(t, ev)["scopes"])
		id := verifiedClaims(t, f.s, f.pool, f.client.ID, tok["id_token"].(string), jwks.TokenUseID)
		assert.Equal(t, "acme", claim(t, id, "tenant"))
		access := verifiedClaims(t, f.s, f.pool, f.client.ID, tok["access_token"].(string), jwks.TokenUseAccess)
		assert.Equal(t, []string{"openid", "orders/read"}, access.Scopes())

		rec.reset(nil)
		status, ref := tokenCall(t, f.s, url.Values{"grant_type": {"refresh_token"}, "client_id": {f.client.ID},
			"refresh_token": {tok["refresh_token"].(string)}}, "")
		require.Equal(t, 200, status, ref)
		rec.one(t, "TokenGeneration_RefreshTokens")
	})

	t.Run("TokenGeneration_ClientCredentials", func(t *testing.T) {
		for _, v := range []types.PreTokenGenerationLambdaVersionType{types.PreTokenGenerationLambdaVersionTypeV20,
			types.PreTokenGenerationLambdaVersionTypeV30} {
			t.Run(string(v), func(t *testing.T) {
				f := newUIFixture(t, PoolOptions{})
				rec := withTriggers(t, f.fixture, preTokenConfig(v), nil)
				rec.reset(func(map[string]any) (any, error) {
					return map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
						"accessTokenGeneration": map[string]any{"claimsToAddOrOverride": map[string]any{"tenant": "acme", "sub": "evil"},
							"scopesToSuppress": []string{"orders/write"}}}}, nil
				})
				status, body := tokenCall(t, f.s, url.Values{"grant_type": {"client_credentials"}}, basicAuth(f.conf.ID, f.conf.Secret))
				require.Equal(t, 200, status, body)
				access := verifiedClaims(t, f.s, f.pool, f.conf.ID, body["access_token"].(string), jwks.TokenUseAccess)
				if v == types.PreTokenGenerationLambdaVersionTypeV20 {
					assert.Empty(t, rec.sources(), "client credentials reach V3_0 triggers only")
					assert.Nil(t, claim(t, access, "tenant"))
					return
				}
				ev := rec.one(t, "TokenGeneration_ClientCredentials")
				assertSameShape(t, referenceEvent(t, "TokenGeneration_ClientCredentials_V3"), ev, "")
				assertHeader(t, ev, "3", "TokenGeneration_ClientCredentials", f.pool, "", f.conf.ID)
				assert.Equal(t, []any{"orders/read", "orders/write"}, request(t, ev)["scopes"])
				assert.Equal(t, "acme", claim(t, access, "tenant"))
				assert.Equal(t, f.conf.ID, access.Subject, "sub is reserved")
				assert.Equal(t, "orders/read", access.Scope)
			})
		}
	})
}

// TestPreTokenGenerationFailure: a failing, slow or missing function
// issues no tokens and answers Cognito's error; the sign-in works again
// once the function does.
func TestPreTokenGenerationFailure(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	rec := withTriggers(t, f, preTokenConfig(types.PreTokenGenerationLambdaVersionTypeV20), nil)
	rec.reset(func(map[string]any) (any, error) { return nil, lambdaErr("no tenant for alice") })
	_, err := passwordSignIn(f, "alice", testPassword)
	requireCode(t, err, "UserLambdaValidationException")
	assert.Equal(t, "PreTokenGeneration failed with error no tenant for alice.", message(err))

	rec.reset(func(map[string]any) (any, error) {
		return map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
			"accessTokenGeneration": map[string]any{"scopesToAdd": []string{"has space"}}}}, nil
	})
	_, err = passwordSignIn(f, "alice", testPassword)
	requireCode(t, err, "InvalidLambdaResponseException")

	_, err = f.c.UpdateUserPool(ctx(), &cip.UpdateUserPoolInput{UserPoolId: &f.pool, LambdaConfig: &types.LambdaConfigType{
		PreTokenGeneration: aws.String(strings.Replace(recARN, "recorder", "missing", 1))}})
	require.NoError(t, err)
	_, err = passwordSignIn(f, "alice", testPassword)
	requireCode(t, err, "UnexpectedLambdaException")

	rec.reset(nil)
	_, err = f.c.UpdateUserPool(ctx(), &cip.UpdateUserPoolInput{UserPoolId: &f.pool, LambdaConfig: &types.LambdaConfigType{
		PreTokenGeneration: aws.String(recARN)}})
	require.NoError(t, err)
	tok := mustTokens(t, f, "alice")
	assert.NotEmpty(t, tok.IdToken)
	assert.Len(t, rec.of("TokenGeneration_Authentication"), 1, "V1_0 when only PreTokenGeneration is set")
}

// TestTriggersRunUnlocked: a function may call the emulator back (it runs
// with the state lock released), and what it changes meanwhile is
// honoured: a user it deletes gets no tokens.
func TestTriggersRunUnlocked(t *testing.T) {
	for _, src := range []string{"PreAuthentication_Authentication", "PostAuthentication_Authentication", "TokenGeneration_Authentication"} {
		t.Run(src, func(t *testing.T) {
			f := setup(t, PoolOptions{}, ClientOptions{})
			lc := authConfig
			lc.PreTokenGeneration = aws.String(recARN)
			rec := withTriggers(t, f, lc, nil)
			rec.reset(func(ev map[string]any) (any, error) {
				if ev["triggerSource"] != src {
					return nil, nil
				}
				_, err := f.c.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.pool,
					Username: aws.String("alice"), UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Alice")}}})
				return nil, err
			})
			tok := mustTokens(t, f, "alice")
			assert.Equal(t, "Alice", decodeClaims(t, *tok.IdToken)["name"], "the change made by %s is in the tokens", src)

			rec.reset(func(ev map[string]any) (any, error) {
				if ev["triggerSource"] == src {
					_, err := f.c.AdminDeleteUser(ctx(), &cip.AdminDeleteUserInput{UserPoolId: &f.pool, Username: aws.String("alice")})
					return nil, err
				}
				return nil, nil
			})
			out, err := passwordSignIn(f, "alice", testPassword)
			require.Error(t, err)
			assert.Nil(t, out)
			assert.Contains(t, []string{"UserNotFoundException", "NotAuthorizedException"}, code(err))
		})
	}
}

// BenchmarkSignInPreTokenTrigger measures a USER_PASSWORD_AUTH sign-in
// without and with a pre token generation function (a Go handler invoked
// through JSON, as Lambda would): the trigger's cost is the difference.
func BenchmarkSignInPreTokenTrigger(b *testing.B) {
	for _, withFn := range []bool{false, true} {
		name := "no trigger"
		if withFn {
			name = "V2_0 trigger"
		}
		b.Run(name, func(b *testing.B) {
			f := setup(b, PoolOptions{}, ClientOptions{})
			if withFn {
				rec := withTriggers(b, f, preTokenConfig(types.PreTokenGenerationLambdaVersionTypeV20), nil)
				rec.reset(func(ev map[string]any) (any, error) {
					rec.mu.Lock()
					rec.events = nil // keep memory flat
					rec.mu.Unlock()
					return preTokenAnswer(ev)
				})
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := passwordSignIn(f, "alice", testPassword); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
