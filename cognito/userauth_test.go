package cognito

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allFactors = []Factor{FactorPassword, FactorPasswordSRP, FactorEmailOTP, FactorSMSOTP, FactorWebAuthn}

// userAuthSetup is a pool allowing every first factor, with nina, who has
// all of them, and a client of it.
func userAuthSetup(t *testing.T, secret bool) (*userAuthFake, *Client) {
	u := newUserAuthFake(t, secret, allFactors...)
	u.addUser("nina", "correct horse", "nina@example.com", "+15550001234", "cred-nina")
	var opts []func(*Options)
	if secret {
		opts = append(opts, withSecret)
	}
	return u, newTestClient(u.f, opts...)
}

func userAuth(f Factor) func(*SignInOptions) {
	return func(o *SignInOptions) { o.Flow = FlowUserAuth; o.PreferredFactor = f }
}

// answerFactor completes the first-factor challenge ch for nina.
func answerFactor(t *testing.T, u *userAuthFake, ch *Challenge) (*Result, error) {
	t.Helper()
	ctx := context.Background()
	switch ch.Name {
	case ChallengeEmailOTP:
		return ch.AnswerEmailOTP(ctx, u.code("nina"))
	case ChallengeSMSOTP:
		return ch.AnswerSMSOTP(ctx, u.code("nina"))
	case ChallengePassword, ChallengePasswordSRP:
		return ch.AnswerPassword(ctx, "correct horse")
	case ChallengeWebAuthn:
		require.NotNil(t, ch.CredentialRequestOptions)
		return ch.AnswerWebAuthn(ctx, fakeAssertion("cred-nina", ch.CredentialRequestOptions.Challenge))
	}
	t.Fatalf("unexpected challenge %s", ch.Name)
	return nil, nil
}

func TestUserAuthChosenFactor(t *testing.T) {
	ctx := context.Background()
	want := map[Factor]ChallengeName{
		FactorPassword: ChallengePassword, FactorPasswordSRP: ChallengePasswordSRP,
		FactorEmailOTP: ChallengeEmailOTP, FactorSMSOTP: ChallengeSMSOTP, FactorWebAuthn: ChallengeWebAuthn,
	}
	for _, secret := range []bool{false, true} {
		for _, f := range allFactors {
			t.Run(string(f)+map[bool]string{true: "/secret", false: ""}[secret], func(t *testing.T) {
				u, c := userAuthSetup(t, secret)
				res, err := c.SignIn(ctx, "nina", "", userAuth(""))
				require.NoError(t, err)
				require.NotNil(t, res.Challenge)
				ch := res.Challenge
				assert.Equal(t, ChallengeSelectFactor, ch.Name)
				assert.Equal(t, allFactors, ch.AvailableFactors)
				assert.Contains(t, ch.String(), "AvailableFactors")

				res, err = ch.SelectFactor(ctx, f)
				require.NoError(t, err)
				require.NotNil(t, res.Challenge)
				assert.Equal(t, want[f], res.Challenge.Name)
				if f == FactorEmailOTP || f == FactorSMSOTP {
					assert.NotEmpty(t, res.Challenge.Destination)
				}
				res, err = answerFactor(t, u, res.Challenge)
				require.NoError(t, err)
				require.NotNil(t, res.Tokens, "%v", res)
				assert.Equal(t, "nina", res.Tokens.Username)
				assert.Equal(t, "refresh-nina", res.Tokens.RefreshToken)
				for _, in := range callsTo[cip.InitiateAuthInput](u.f, "InitiateAuth") {
					assert.Equal(t, "USER_AUTH", string(in.AuthFlow))
					assert.NotContains(t, in.AuthParameters, "PREFERRED_CHALLENGE")
				}
			})
		}
	}
}

func TestUserAuthPreferredFactor(t *testing.T) {
	ctx := context.Background()
	for _, f := range allFactors {
		t.Run(string(f), func(t *testing.T) {
			u, c := userAuthSetup(t, true)
			pw := ""
			if f.password() {
				pw = "correct horse"
			}
			res, err := c.SignIn(ctx, "nina", pw, userAuth(f))
			require.NoError(t, err)
			if !f.password() {
				require.NotNil(t, res.Challenge)
				assert.Equal(t, ChallengeName(f), res.Challenge.Name, "straight to the preferred factor")
				res, err = answerFactor(t, u, res.Challenge)
				require.NoError(t, err)
			}
			require.NotNil(t, res.Tokens)
			in := callsTo[cip.InitiateAuthInput](u.f, "InitiateAuth")
			require.Len(t, in, 1)
			assert.Equal(t, string(f), in[0].AuthParameters["PREFERRED_CHALLENGE"])
			assert.NotContains(t, u.f.ops(), "SELECT_CHALLENGE")
		})
	}
	t.Run("wrong password with SRP", func(t *testing.T) {
		_, c := userAuthSetup(t, false)
		_, err := c.SignIn(ctx, "nina", "wrong horse", userAuth(FactorPasswordSRP))
		require.ErrorIs(t, err, ErrNotAuthorized)
		assert.NotContains(t, err.Error(), "wrong horse")
	})
	t.Run("wrong password sent", func(t *testing.T) {
		_, c := userAuthSetup(t, false)
		_, err := c.SignIn(ctx, "nina", "wrong horse", userAuth(FactorPassword))
		require.ErrorIs(t, err, ErrNotAuthorized)
	})
	t.Run("factor the user lacks falls back to the choice", func(t *testing.T) {
		u, c := userAuthSetup(t, false)
		u.addUser("omar", "", "omar@example.com", "", "")
		res, err := c.SignIn(ctx, "omar", "", userAuth(FactorWebAuthn))
		require.NoError(t, err)
		require.NotNil(t, res.Challenge)
		assert.Equal(t, ChallengeSelectFactor, res.Challenge.Name)
		assert.Equal(t, []Factor{FactorEmailOTP}, res.Challenge.AvailableFactors)
	})
	t.Run("factor not allowed by the pool", func(t *testing.T) {
		u := newUserAuthFake(t, false, FactorPassword, FactorEmailOTP)
		u.addUser("nina", "correct horse", "nina@example.com", "+15550001234", "cred-nina")
		c := newTestClient(u.f)
		_, err := c.SignIn(ctx, "nina", "", userAuth(FactorSMSOTP))
		require.ErrorIs(t, err, ErrInvalidParameter)
		var ce *Error
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "InvalidParameterException", ce.Code)

		res, err := c.SignIn(ctx, "nina", "", userAuth(""))
		require.NoError(t, err)
		assert.Equal(t, []Factor{FactorPassword, FactorEmailOTP}, res.Challenge.AvailableFactors)
	})
}

func TestUserAuthSelectFactorRefused(t *testing.T) {
	ctx := context.Background()
	u, c := userAuthSetup(t, false)
	u.addUser("omar", "", "omar@example.com", "", "")
	res, err := c.SignIn(ctx, "omar", "", userAuth(""))
	require.NoError(t, err)
	ch := res.Challenge
	before := len(u.f.ops())

	_, err = ch.SelectFactor(ctx, FactorWebAuthn)
	require.ErrorIs(t, err, ErrInvalidParameter, "not offered: refused before sending")
	_, err = ch.SelectFactor(ctx, "MAGIC_LINK")
	require.ErrorIs(t, err, ErrInvalidParameter)
	assert.Len(t, u.f.ops(), before)

	// Cognito's own refusal, when the client sends it anyway.
	_, err = ch.Respond(ctx, map[string]string{"ANSWER": "WEB_AUTHN"})
	require.ErrorIs(t, err, ErrInvalidParameter)

	// The offered one still works on the same challenge.
	res, err = ch.SelectFactor(ctx, FactorEmailOTP)
	require.NoError(t, err)
	res, err = res.Challenge.AnswerEmailOTP(ctx, u.code("omar"))
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
}

func TestUserAuthCodes(t *testing.T) {
	ctx := context.Background()
	start := func(t *testing.T, f Factor) (*userAuthFake, *Challenge) {
		u, c := userAuthSetup(t, false)
		res, err := c.SignIn(ctx, "nina", "", userAuth(f))
		require.NoError(t, err)
		return u, res.Challenge
	}
	for _, f := range []Factor{FactorEmailOTP, FactorSMSOTP} {
		answer := func(ch *Challenge, code string) (*Result, error) {
			if f == FactorEmailOTP {
				return ch.AnswerEmailOTP(ctx, code)
			}
			return ch.AnswerSMSOTP(ctx, code)
		}
		t.Run(string(f)+"/wrong then right", func(t *testing.T) {
			u, ch := start(t, f)
			_, err := answer(ch, "000000")
			require.ErrorIs(t, err, ErrCodeMismatch)
			res, err := answer(ch, u.code("nina"))
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
		})
		t.Run(string(f)+"/single use", func(t *testing.T) {
			u, ch := start(t, f)
			_, err := answer(ch, u.code("nina"))
			require.NoError(t, err)
			_, err = answer(ch, u.code("nina"))
			require.ErrorIs(t, err, ErrNotAuthorized)
		})
		t.Run(string(f)+"/expired", func(t *testing.T) {
			u, ch := start(t, f)
			u.advance(3*time.Minute + time.Second)
			_, err := answer(ch, u.code("nina"))
			require.ErrorIs(t, err, ErrExpiredCode)
		})
		t.Run(string(f)+"/attempt limit", func(t *testing.T) {
			u, ch := start(t, f)
			for range 2 {
				_, err := answer(ch, "000000")
				require.ErrorIs(t, err, ErrCodeMismatch)
			}
			_, err := answer(ch, "000000")
			require.ErrorIs(t, err, ErrNotAuthorized)
			_, err = answer(ch, u.code("nina"))
			require.ErrorIs(t, err, ErrNotAuthorized, "the sign-in is over")
		})
		t.Run(string(f)+"/empty code", func(t *testing.T) {
			_, ch := start(t, f)
			_, err := answer(ch, "")
			require.ErrorIs(t, err, ErrInvalidParameter)
		})
	}
	t.Run("answer methods check the challenge", func(t *testing.T) {
		_, ch := start(t, FactorEmailOTP)
		_, err := ch.AnswerSMSOTP(ctx, "1")
		require.ErrorIs(t, err, ErrWrongChallenge)
		_, err = ch.AnswerWebAuthn(ctx, []byte(`{}`))
		require.ErrorIs(t, err, ErrWrongChallenge)
		_, err = ch.AnswerPassword(ctx, "x")
		require.ErrorIs(t, err, ErrWrongChallenge)
		_, err = ch.SelectFactor(ctx, FactorEmailOTP)
		require.ErrorIs(t, err, ErrWrongChallenge)
	})
}

func TestUserAuthWebAuthnRoundTrip(t *testing.T) {
	ctx := context.Background()
	u, c := userAuthSetup(t, false)
	res, err := c.SignIn(ctx, "nina", "", userAuth(FactorWebAuthn))
	require.NoError(t, err)
	ch := res.Challenge
	require.Equal(t, ChallengeWebAuthn, ch.Name)
	o := ch.CredentialRequestOptions
	require.NotNil(t, o)
	assert.Equal(t, "app.example.com", o.RelyingPartyID)
	assert.Equal(t, []string{"cred-nina"}, o.AllowCredentials)
	assert.Equal(t, "required", o.UserVerification)
	assert.Equal(t, 3*time.Minute, o.Timeout)
	// The options go to the authenticator exactly as Cognito sent them.
	assert.JSONEq(t, ch.Parameters["CREDENTIAL_REQUEST_OPTIONS"], string(o.JSON()))
	b, err := json.Marshal(map[string]any{"publicKey": o})
	require.NoError(t, err)
	assert.JSONEq(t, `{"publicKey":`+ch.Parameters["CREDENTIAL_REQUEST_OPTIONS"]+`}`, string(b))
	assert.NotContains(t, o.String(), o.Challenge)

	good := fakeAssertion("cred-nina", o.Challenge)
	bad := map[string]string{
		"not JSON":         `nope`,
		"an array":         `[]`,
		"no id":            `{"rawId":"x","type":"public-key","response":{"clientDataJSON":"a","authenticatorData":"b","signature":"c"}}`,
		"wrong type":       `{"id":"x","rawId":"x","type":"password","response":{"clientDataJSON":"a","authenticatorData":"b","signature":"c"}}`,
		"no signature":     `{"id":"x","rawId":"x","type":"public-key","response":{"clientDataJSON":"a","authenticatorData":"b"}}`,
		"response missing": `{"id":"x","rawId":"x","type":"public-key"}`,
	}
	before := len(u.f.ops())
	for name, cred := range bad {
		_, err := ch.AnswerWebAuthn(ctx, []byte(cred))
		require.ErrorIs(t, err, ErrInvalidParameter, name)
	}
	assert.Len(t, u.f.ops(), before, "bad shapes are refused before sending")

	// A well-formed assertion for another challenge: Cognito refuses it.
	_, err = ch.AnswerWebAuthn(ctx, fakeAssertion("cred-nina", "b3RoZXI"))
	require.ErrorIs(t, err, ErrNotAuthorized)

	res, err = ch.AnswerWebAuthn(ctx, append([]byte(" \n"), good...))
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
	sent := callsTo[cip.RespondToAuthChallengeInput](u.f, "RespondToAuthChallenge")
	last := sent[len(sent)-1].ChallengeResponses
	assert.JSONEq(t, string(good), last["CREDENTIAL"])
	assert.Equal(t, "nina", last["USERNAME"])
}

func TestUserAuthMalformedWebAuthnChallenge(t *testing.T) {
	for name, opts := range map[string]string{"missing": "", "not JSON": "{", "no challenge": `{"rpId":"x"}`} {
		t.Run(name, func(t *testing.T) {
			f := newFake()
			on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				return &cip.InitiateAuthOutput{ChallengeName: ChallengeWebAuthn, Session: strPtr("s"),
					ChallengeParameters: map[string]string{"CREDENTIAL_REQUEST_OPTIONS": opts}}, nil
			})
			_, err := newTestClient(f).SignIn(context.Background(), "nina", "", userAuth(FactorWebAuthn))
			require.ErrorIs(t, err, ErrInvalidResponse)
		})
	}
}

func strPtr(s string) *string { return &s }

func TestUserAuthThenMFA(t *testing.T) {
	ctx := context.Background()
	u, c := userAuthSetup(t, true)
	nina := u.users["nina"]
	nina.mfa, nina.mfaCode = true, "246810"
	for _, f := range []Factor{FactorPassword, FactorPasswordSRP} {
		t.Run(string(f), func(t *testing.T) {
			res, err := c.SignIn(ctx, "nina", "correct horse", userAuth(f))
			require.NoError(t, err)
			require.NotNil(t, res.Challenge)
			require.Equal(t, ChallengeSoftwareTokenMFA, res.Challenge.Name)
			_, err = res.Challenge.RespondMFA(ctx, "000000")
			require.ErrorIs(t, err, ErrCodeMismatch)
			res, err = res.Challenge.RespondMFA(ctx, "246810")
			require.NoError(t, err)
			require.NotNil(t, res.Tokens)
		})
	}
}

func TestUserAuthSignInArguments(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		password string
		factor   Factor
	}{
		"password without a password factor": {"pw", ""},
		"password with an OTP factor":        {"pw", FactorEmailOTP},
		"password factor without password":   {"", FactorPassword},
		"SRP factor without password":        {"", FactorPasswordSRP},
		"unknown factor":                     {"", "MAGIC_LINK"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFake()
			_, err := newTestClient(f).SignIn(ctx, "nina", tc.password, userAuth(tc.factor))
			require.ErrorIs(t, err, ErrInvalidParameter)
			assert.Empty(t, f.ops())
			if tc.password != "" {
				assert.NotContains(t, err.Error(), tc.password+" ")
			}
		})
	}
}

func TestUserAuthPasswordChallengeIsLocal(t *testing.T) {
	ctx := context.Background()
	u, c := userAuthSetup(t, false)
	res, err := c.SignIn(ctx, "nina", "", userAuth(""))
	require.NoError(t, err)
	n := len(u.f.ops())
	res, err = res.Challenge.SelectFactor(ctx, FactorPasswordSRP)
	require.NoError(t, err)
	assert.Len(t, u.f.ops(), n, "choosing a password factor sends nothing")
	_, err = res.Challenge.AnswerPassword(ctx, "")
	require.ErrorIs(t, err, ErrInvalidParameter)
	_, err = res.Challenge.AnswerPassword(ctx, "wrong horse")
	require.ErrorIs(t, err, ErrNotAuthorized)
	sent := callsTo[cip.RespondToAuthChallengeInput](u.f, "RespondToAuthChallenge")
	require.NotEmpty(t, sent)
	first := sent[0]
	assert.Equal(t, ChallengeSelectFactor, first.ChallengeName)
	assert.Equal(t, "PASSWORD_SRP", first.ChallengeResponses["ANSWER"])
	assert.NotEmpty(t, first.ChallengeResponses["SRP_A"])
	assert.NotContains(t, first.ChallengeResponses, "PASSWORD", "SRP never sends the password")
}
