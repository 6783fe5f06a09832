package cognito_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// TestEmulatorUserAuthStateSurvivesRestart: the sign-in policy, the
// passkey (with its sign counter), the rotating client and a rotated
// refresh token, with its predecessor's grace period, are kept in the state
// file across a restart.
func TestEmulatorUserAuthStateSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state")
	var clock time.Time
	start := func() *cognitotest.Server {
		srv := cognitotest.NewServer(func(o *cognitotest.Options) { o.StatePath = path })
		if clock.IsZero() {
			clock = srv.Now()
		} else {
			srv.Advance(clock.Sub(srv.Now()))
		}
		return srv
	}
	srv := start()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{SignInFactors: []string{"PASSWORD", "EMAIL_OTP", "WEB_AUTHN"}, WebAuthnRelyingPartyID: rpID})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{ExplicitAuthFlows: []string{"ALLOW_USER_AUTH"},
		RotateRefreshTokens: true, RetryGracePeriod: 30 * time.Second})
	srv.MustCreateUser(pool, "nina", pw, map[string]string{"email": "nina@example.com"})
	client := func(srv *cognitotest.Server) *cognito.Client {
		return cognito.New(srv.Config(), pool, app.ID, func(o *cognito.Options) { o.Clock = srv.Now; o.RotateRefreshTokens = true })
	}
	e := &emu{srv: srv, pool: pool, app: app, c: client(srv)}
	k := cognitotest.MustNewPasskey(rpOrigin)
	require.NoError(t, e.registerPasskey(t, k))
	res, err := e.answer(t, webAuthnChallenge(t, e), k)
	require.NoError(t, err)
	t0 := res.Tokens
	t1, err := e.c.RefreshToken(ctx, t0.RefreshToken)
	require.NoError(t, err)
	clock = srv.Now()
	srv.Close()

	srv = start()
	defer srv.Close()
	e = &emu{srv: srv, pool: pool, app: app, c: client(srv)}
	res, err = e.c.SignIn(ctx, "nina", "", withFactor(""))
	require.NoError(t, err)
	assert.Equal(t, []cognito.Factor{cognito.FactorPassword, cognito.FactorPasswordSRP, cognito.FactorEmailOTP, cognito.FactorWebAuthn}, res.Challenge.AvailableFactors)
	t2, err := e.c.RefreshToken(ctx, t1.RefreshToken)
	require.NoError(t, err, "the rotated refresh token was kept")
	_, err = e.c.RefreshToken(ctx, t0.RefreshToken)
	require.NoError(t, err, "its predecessor is within the grace period")
	srv.Advance(31 * time.Second)
	_, err = e.c.RefreshToken(ctx, t0.RefreshToken)
	require.ErrorIs(t, err, cognito.ErrRefreshTokenReuse)
	_, err = e.c.RefreshToken(ctx, t2.RefreshToken)
	require.NoError(t, err)

	res, err = e.answer(t, webAuthnChallenge(t, e), k)
	require.NoError(t, err, "the passkey was kept")
	require.NotNil(t, res.Tokens)
	k.SetCounter(0)
	_, err = e.answer(t, webAuthnChallenge(t, e), k)
	require.ErrorIs(t, err, cognito.ErrNotAuthorized, "and so was its sign counter")
}
