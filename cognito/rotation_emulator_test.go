package cognito_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// opCounter counts the Cognito operations an aws.Config's HTTP client sends.
type opCounter struct {
	next aws.HTTPClient
	mu   sync.Mutex
	ops  map[string]int
}

func (c *opCounter) Do(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.ops[r.Header.Get("X-Amz-Target")]++
	c.mu.Unlock()
	return c.next.Do(r)
}

func (c *opCounter) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ops["AWSCognitoIdentityProviderService."+op]
}

// rotatingEmu is a pool with an app client that rotates refresh tokens
// (grace seconds), alice, and a cognito.Client for it that counts its
// calls.
func rotatingEmu(t *testing.T, grace int32, secret, rotateOpt bool) (*emu, *opCounter) {
	t.Helper()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	out, err := cip.NewFromConfig(srv.Config()).CreateUserPoolClient(context.Background(), &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(pool), ClientName: aws.String("rotating"), GenerateSecret: secret,
		ExplicitAuthFlows:    []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth},
		RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(grace)},
	})
	require.NoError(t, err)
	require.NotNil(t, out.UserPoolClient.RefreshTokenRotation)
	assert.Equal(t, types.FeatureTypeEnabled, out.UserPoolClient.RefreshTokenRotation.Feature)
	app := cognitotest.AppClient{ID: aws.ToString(out.UserPoolClient.ClientId), Secret: aws.ToString(out.UserPoolClient.ClientSecret)}
	srv.MustCreateUser(pool, "alice", pw, nil)
	cfg := srv.Config()
	oc := &opCounter{next: cfg.HTTPClient, ops: map[string]int{}}
	if oc.next == nil {
		oc.next = http.DefaultClient
	}
	cfg.HTTPClient = oc
	e := &emu{srv: srv, pool: pool, app: app}
	e.c = cognito.New(cfg, pool, app.ID, func(o *cognito.Options) {
		o.ClientSecret = app.Secret
		o.Clock = srv.Now
		o.RotateRefreshTokens = rotateOpt
	})
	return e, oc
}

func TestEmulatorRefreshRotation(t *testing.T) {
	ctx := context.Background()
	for _, secret := range []bool{false, true} {
		t.Run(map[bool]string{false: "public client", true: "client with secret"}[secret], func(t *testing.T) {
			e, oc := rotatingEmu(t, 10, secret, true)
			res, err := e.c.SignIn(ctx, "alice", pw)
			require.NoError(t, err)
			t0 := res.Tokens
			sess := e.c.NewSession(t0)

			// 1,000 goroutines at expiry: one GetTokensFromRefreshToken.
			e.srv.Advance(time.Hour)
			const n = 1000
			tokens := make([]string, n)
			var wg sync.WaitGroup
			var failed atomic.Int32
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tk, err := sess.Tokens(ctx)
					if err != nil {
						failed.Add(1)
						return
					}
					tokens[i] = tk.RefreshToken
				}()
			}
			wg.Wait()
			require.Zero(t, failed.Load())
			assert.Equal(t, 1, oc.count("GetTokensFromRefreshToken"))
			assert.Zero(t, oc.count("InitiateAuth")-1, "only the sign-in's InitiateAuth")
			t1 := sess.Current()
			assert.NotEqual(t, t0.RefreshToken, t1.RefreshToken, "a new refresh token")
			for _, rt := range tokens {
				require.Equal(t, t1.RefreshToken, rt)
			}

			// The old refresh token works within the grace period...
			e.srv.Advance(9 * time.Second)
			again, err := e.c.RefreshToken(ctx, t0.RefreshToken)
			require.NoError(t, err)
			assert.NotEqual(t, t0.RefreshToken, again.RefreshToken)
			// ... and is refused after it.
			e.srv.Advance(2 * time.Second)
			_, err = e.c.RefreshToken(ctx, t0.RefreshToken)
			require.ErrorIs(t, err, cognito.ErrRefreshTokenReuse)
			// The new ones keep working.
			t2, err := e.c.RefreshToken(ctx, t1.RefreshToken)
			require.NoError(t, err)
			_, err = e.c.RefreshToken(ctx, t2.RefreshToken)
			require.NoError(t, err)
		})
	}
	t.Run("REFRESH_TOKEN_AUTH refused, the client switches", func(t *testing.T) {
		e, oc := rotatingEmu(t, 0, false, false)
		res, err := e.c.SignIn(ctx, "alice", pw)
		require.NoError(t, err)
		_, err = cip.NewFromConfig(e.srv.Config()).InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.app.ID),
			AuthFlow: types.AuthFlowTypeRefreshTokenAuth, AuthParameters: map[string]string{"REFRESH_TOKEN": res.Tokens.RefreshToken}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "InvalidParameterException")
		assert.Contains(t, err.Error(), "REFRESH_TOKEN_AUTH flow not enabled for this client")

		t1, err := e.c.RefreshToken(ctx, res.Tokens.RefreshToken)
		require.NoError(t, err)
		assert.NotEqual(t, res.Tokens.RefreshToken, t1.RefreshToken)
		assert.Equal(t, 1, oc.count("GetTokensFromRefreshToken"))
		// grace 0: the old token is refused at once
		e.srv.Advance(time.Second)
		_, err = e.c.RefreshToken(ctx, res.Tokens.RefreshToken)
		require.ErrorIs(t, err, cognito.ErrRefreshTokenReuse)
	})
	t.Run("client that does not rotate", func(t *testing.T) {
		e := newEmu(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{})
		e.srv.MustCreateUser(e.pool, "alice", pw, nil)
		res, err := e.c.SignIn(ctx, "alice", pw)
		require.NoError(t, err)
		out, err := cip.NewFromConfig(e.srv.Config()).GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{
			ClientId: aws.String(e.app.ID), RefreshToken: aws.String(res.Tokens.RefreshToken)})
		require.NoError(t, err)
		assert.Empty(t, aws.ToString(out.AuthenticationResult.RefreshToken), "no new refresh token")
		assert.NotEmpty(t, aws.ToString(out.AuthenticationResult.AccessToken))
	})
	t.Run("configuration refused", func(t *testing.T) {
		srv := cognitotest.NewServer()
		t.Cleanup(srv.Close)
		api := cip.NewFromConfig(srv.Config())
		pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
		for _, in := range []*cip.CreateUserPoolClientInput{
			{ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
				RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled}},
			{RefreshTokenRotation: &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(61)}},
		} {
			in.UserPoolId, in.ClientName = aws.String(pool), aws.String("c")
			_, err := api.CreateUserPoolClient(ctx, in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "InvalidParameterException")
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		e, _ := rotatingEmu(t, 10, true, true)
		res, err := e.c.SignIn(ctx, "alice", pw)
		require.NoError(t, err)
		_, err = cip.NewFromConfig(e.srv.Config()).GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{
			ClientId: aws.String(e.app.ID), ClientSecret: aws.String("wrongsecretoftherightlength0123456789"), RefreshToken: aws.String(res.Tokens.RefreshToken)})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "NotAuthorizedException")
	})
}
