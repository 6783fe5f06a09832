package cognito

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// refreshFake answers REFRESH_TOKEN_AUTH for the refresh token
// "refresh-<user>", checking SECRET_HASH against the Cognito username.
func refreshFake(t *testing.T, rotate bool) *fakeAPI {
	f := newFake()
	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		if in.AuthFlow != types.AuthFlowTypeRefreshTokenAuth {
			return nil, apiErr("InvalidParameterException", "flow")
		}
		if in.AuthParameters["REFRESH_TOKEN"] != "refresh-uuid-nina" {
			return nil, apiErr("NotAuthorizedException", "Invalid Refresh Token")
		}
		if in.AuthParameters["SECRET_HASH"] != srp.SecretHash("uuid-nina", testClientID, testSecret) {
			return nil, apiErr("NotAuthorizedException", "SECRET_HASH does not match for the client")
		}
		r := authResult("uuid-nina", rotate)
		if rotate {
			r.RefreshToken = aws.String("rotated")
		}
		return &cip.InitiateAuthOutput{AuthenticationResult: r}, nil
	})
	return f
}

func TestRefresh(t *testing.T) {
	ctx := context.Background()
	old := &Tokens{RefreshToken: "refresh-uuid-nina", IDToken: authResultID("uuid-nina"), AccessToken: "a"}
	t.Run("keeps refresh token and takes username from the ID token", func(t *testing.T) {
		c := newTestClient(refreshFake(t, false), withSecret)
		nt, err := c.Refresh(ctx, old)
		require.NoError(t, err)
		assert.Equal(t, "refresh-uuid-nina", nt.RefreshToken)
		assert.Equal(t, "uuid-nina", nt.Username)
		assert.Equal(t, testNow.Add(time.Hour), nt.Expiry)
	})
	t.Run("rotation", func(t *testing.T) {
		c := newTestClient(refreshFake(t, true), withSecret)
		nt, err := c.Refresh(ctx, old)
		require.NoError(t, err)
		assert.Equal(t, "rotated", nt.RefreshToken)
	})
	t.Run("explicit username", func(t *testing.T) {
		c := newTestClient(refreshFake(t, false), withSecret)
		nt, err := c.RefreshToken(ctx, "refresh-uuid-nina", func(o *RefreshOptions) { o.Username = "uuid-nina" })
		require.NoError(t, err)
		assert.Equal(t, "refresh-uuid-nina", nt.RefreshToken)
	})
	t.Run("secret without username", func(t *testing.T) {
		c := newTestClient(refreshFake(t, false), withSecret)
		_, err := c.RefreshToken(ctx, "refresh-uuid-nina")
		require.ErrorIs(t, err, ErrUsernameRequired)
	})
	t.Run("wrong username", func(t *testing.T) {
		c := newTestClient(refreshFake(t, false), withSecret)
		_, err := c.RefreshToken(ctx, "refresh-uuid-nina", func(o *RefreshOptions) { o.Username = "nina@example.com" })
		require.ErrorIs(t, err, ErrNotAuthorized)
	})
	t.Run("revoked", func(t *testing.T) {
		c := newTestClient(refreshFake(t, false), withSecret)
		_, err := c.RefreshToken(ctx, "refresh-other", func(o *RefreshOptions) { o.Username = "uuid-nina" })
		require.ErrorIs(t, err, ErrNotAuthorized)
		assert.NotContains(t, err.Error(), "refresh-other")
	})
	t.Run("no token", func(t *testing.T) {
		c := newTestClient(refreshFake(t, false))
		_, err := c.RefreshToken(ctx, "")
		require.ErrorIs(t, err, ErrNoRefreshToken)
		_, err = c.Refresh(ctx, nil)
		require.ErrorIs(t, err, ErrNoRefreshToken)
	})
	t.Run("no tokens in answer", func(t *testing.T) {
		f := newFake()
		on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
			return &cip.InitiateAuthOutput{}, nil
		})
		_, err := newTestClient(f).RefreshToken(ctx, "r")
		require.ErrorIs(t, err, ErrInvalidResponse)
	})
}

func authResultID(username string) string { return aws.ToString(authResult(username, false).IdToken) }

// slowRefresh counts refreshes and blocks each until release is closed.
type slowRefresh struct {
	f       *fakeAPI
	calls   atomic.Int32
	release chan struct{}
	fail    atomic.Pointer[error]
}

func newSlowRefresh() *slowRefresh {
	s := &slowRefresh{f: newFake(), release: make(chan struct{})}
	on(s.f, "InitiateAuth", func(ctx context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		s.calls.Add(1)
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e := s.fail.Load(); e != nil {
			return nil, *e
		}
		return &cip.InitiateAuthOutput{AuthenticationResult: authResult("olga", false)}, nil
	})
	return s
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

func TestSessionSharedRefresh(t *testing.T) {
	s := newSlowRefresh()
	clk := &clock{now: testNow}
	c := NewFromAPI(s.f, testPool, testClientID, func(o *Options) { o.Clock = clk.Now })
	start := &Tokens{AccessToken: "a0", RefreshToken: "r0", Username: "olga", ExpiresIn: time.Hour, Expiry: testNow.Add(time.Hour)}
	sess := c.NewSession(start)

	// Fresh: no refresh.
	tok, err := sess.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "a0", tok)
	assert.Zero(t, s.calls.Load())

	// Inside the refresh window: many waiters, one refresh.
	clk.Set(testNow.Add(56 * time.Minute))
	const n = 16
	var wg sync.WaitGroup
	results := make([]*Tokens, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = sess.Tokens(context.Background())
		}()
	}
	// One waiter gives up early: it gets its own ctx error and the shared
	// refresh goes on for the others.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := sess.Refresh(ctx); done <- err }()
	require.Eventually(t, func() bool { return s.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	close(s.release)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.NotEqual(t, "a0", results[i].AccessToken)
		assert.Equal(t, "r0", results[i].RefreshToken, "old refresh token kept")
	}
	assert.Equal(t, int32(1), s.calls.Load(), "one refresh for all waiters")
	assert.Equal(t, results[0].AccessToken, sess.Current().AccessToken)
	// The refreshed tokens are fresh for the clock of the refresh.
	_, err = sess.Tokens(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int32(1), s.calls.Load())
}

func TestSessionRefreshFailure(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		expired    bool
		wantTokens bool
		wantErr    error
	}{
		{"transient while still valid returns current", errors.New("network down"), false, true, nil},
		{"revoked while still valid is an error", apiErr("NotAuthorizedException", "Refresh Token has been revoked"), false, false, ErrNotAuthorized},
		{"transient after expiry is an error", errors.New("network down"), true, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSlowRefresh()
			close(s.release)
			s.fail.Store(&tc.err)
			clk := &clock{now: testNow.Add(58 * time.Minute)}
			if tc.expired {
				clk.Set(testNow.Add(2 * time.Hour))
			}
			c := NewFromAPI(s.f, testPool, testClientID, func(o *Options) { o.Clock = clk.Now })
			sess := c.NewSession(&Tokens{AccessToken: "a0", RefreshToken: "r0", ExpiresIn: time.Hour, Expiry: testNow.Add(time.Hour)})
			got, err := sess.Tokens(context.Background())
			if tc.wantTokens {
				require.NoError(t, err)
				assert.Equal(t, "a0", got.AccessToken)
				return
			}
			require.Error(t, err)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
			}
		})
	}
}

func TestSessionRefreshAheadCapped(t *testing.T) {
	s := newSlowRefresh()
	close(s.release)
	clk := &clock{now: testNow}
	c := NewFromAPI(s.f, testPool, testClientID, func(o *Options) { o.Clock = clk.Now })
	// 5-minute tokens with a 10-minute window: the window is capped at half
	// the lifetime, so the tokens are used for 2.5 minutes first.
	sess := c.NewSession(&Tokens{AccessToken: "a0", RefreshToken: "r0", ExpiresIn: 5 * time.Minute, Expiry: testNow.Add(5 * time.Minute)},
		func(o *SessionOptions) { o.RefreshAhead = 10 * time.Minute })
	clk.Set(testNow.Add(2 * time.Minute))
	tok, err := sess.IDToken(context.Background())
	require.NoError(t, err)
	assert.Empty(t, tok, "start tokens had no ID token; not refreshed yet")
	assert.Zero(t, s.calls.Load())
	clk.Set(testNow.Add(3 * time.Minute))
	tok, err = sess.IDToken(context.Background())
	require.NoError(t, err)
	assert.NotEmpty(t, tok)
	assert.Equal(t, int32(1), s.calls.Load())
}

func TestTokensStringRedacts(t *testing.T) {
	tk := Tokens{IDToken: "id.secret.x", AccessToken: "access.secret.y", RefreshToken: "refresh-secret", TokenType: "Bearer", Username: "u", NewDevice: &NewDevice{Key: "dk"}}
	for _, s := range []string{tk.String(), (&tk).String(), tk.GoString()} {
		assert.NotContains(t, s, "secret")
		assert.Contains(t, s, "[redacted]")
		assert.Contains(t, s, `"dk"`)
	}
	assert.Contains(t, Tokens{}.String(), "none")
	assert.True(t, (&Tokens{}).Expired(testNow))
	assert.False(t, (&Tokens{Expiry: testNow.Add(time.Second)}).Expired(testNow))
}

func TestSessionStarterCancelled(t *testing.T) {
	// The caller that starts the shared refresh gives up; the refresh goes
	// on for the caller that joined it.
	s := newSlowRefresh()
	c := newTestClient(s.f)
	sess := c.NewSession(&Tokens{AccessToken: "a0", RefreshToken: "r0"})
	ctxA, cancelA := context.WithCancel(context.Background())
	doneA := make(chan error, 1)
	go func() { _, err := sess.Refresh(ctxA); doneA <- err }()
	require.Eventually(t, func() bool { return s.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	doneB := make(chan *Tokens, 1)
	go func() {
		tk, err := sess.Tokens(context.Background())
		assert.NoError(t, err)
		doneB <- tk
	}()
	cancelA()
	require.ErrorIs(t, <-doneA, context.Canceled)
	close(s.release)
	tk := <-doneB
	require.NotNil(t, tk)
	assert.NotEqual(t, "a0", tk.AccessToken)
	assert.Equal(t, int32(1), s.calls.Load())
}

func TestClientMetadataForwarded(t *testing.T) {
	f := newFake()
	on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		if in.ClientMetadata["app"] != "v2" {
			return nil, apiErr("UserLambdaValidationException", "PreAuthentication failed with error missing app.")
		}
		return &cip.InitiateAuthOutput{AuthenticationResult: authResult("u", true)}, nil
	})
	c := newTestClient(f, func(o *Options) { o.ClientMetadata = map[string]string{"app": "v2"} })
	_, err := c.SignIn(context.Background(), "u", "pw", passwordFlow)
	require.NoError(t, err)
	_, err = c.SignIn(context.Background(), "u", "pw", passwordFlow, func(o *SignInOptions) { o.ClientMetadata = map[string]string{"app": "v1"} })
	require.ErrorIs(t, err, ErrUserLambdaValidation)
}
