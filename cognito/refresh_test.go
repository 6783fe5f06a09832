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

// failingDeleteStore is a MemoryDeviceStore whose DeleteDevice fails.
type failingDeleteStore struct{ *MemoryDeviceStore }

func (failingDeleteStore) DeleteDevice(context.Context, string, string) error {
	return errors.New("disk full")
}

func TestRefreshForgottenDevice(t *testing.T) {
	ctx := context.Background()
	errGone := apiErr("ResourceNotFoundException", "Device does not exist.")
	const stale, newer = "us-east-1_stale-dev", "us-east-1_newer-dev"
	for _, tc := range []struct {
		name string
		// stored is the device remembered for "uuid-olga" and "olga" (none
		// when empty); explicit is RefreshOptions.DeviceKey.
		stored, explicit string
		// answers are InitiateAuth's errors, call by call (nil: tokens).
		answers []error
		// failDelete makes the DeviceStore's DeleteDevice fail.
		failDelete bool
		viaTokens  bool // Client.Refresh rather than RefreshToken

		wantCalls int
		wantKeys  []string // DEVICE_KEY of each call
		wantErr   error
		wantFail  bool // an error without a sentinel
		wantKept  bool // the stored device is still remembered
	}{
		{name: "stale remembered device is dropped and the refresh retried",
			stored: stale, answers: []error{errGone, nil},
			wantCalls: 2, wantKeys: []string{stale, ""}},
		{name: "via Refresh, dropped under both names",
			stored: stale, answers: []error{errGone, nil}, viaTokens: true,
			wantCalls: 2, wantKeys: []string{stale, ""}},
		{name: "failed retry returns its error",
			stored: stale, answers: []error{errGone, apiErr("NotAuthorizedException", "Refresh Token has been revoked")},
			wantCalls: 2, wantKeys: []string{stale, ""}, wantErr: ErrNotAuthorized},
		{name: "retried once only",
			stored: stale, answers: []error{errGone, errGone, nil},
			wantCalls: 2, wantKeys: []string{stale, ""}, wantErr: ErrResourceNotFound},
		{name: "explicit stale key: retried, another remembered device kept",
			stored: newer, explicit: stale, answers: []error{errGone, nil},
			wantCalls: 2, wantKeys: []string{stale, ""}, wantKept: true},
		{name: "other error not retried",
			stored: stale, answers: []error{apiErr("NotAuthorizedException", "Invalid Refresh Token"), nil},
			wantCalls: 1, wantKeys: []string{stale}, wantErr: ErrNotAuthorized, wantKept: true},
		{name: "other ResourceNotFoundException not retried",
			stored: stale, answers: []error{apiErr("ResourceNotFoundException", "User pool client client123 does not exist."), nil},
			wantCalls: 1, wantKeys: []string{stale}, wantErr: ErrResourceNotFound, wantKept: true},
		{name: "transport error not retried",
			stored: stale, answers: []error{errors.New("connection reset"), nil},
			wantCalls: 1, wantKeys: []string{stale}, wantFail: true, wantKept: true},
		{name: "no DEVICE_KEY sent: not retried",
			answers:   []error{errGone, nil},
			wantCalls: 1, wantKeys: []string{""}, wantErr: ErrResourceNotFound},
		{name: "store failure stops the retry",
			stored: stale, answers: []error{errGone, nil}, failDelete: true,
			wantCalls: 1, wantKeys: []string{stale}, wantFail: true, wantKept: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			var n atomic.Int32
			on(f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				i := int(n.Add(1)) - 1
				if in.AuthFlow != types.AuthFlowTypeRefreshTokenAuth || in.AuthParameters["REFRESH_TOKEN"] != "r0" ||
					in.AuthParameters["SECRET_HASH"] != srp.SecretHash("uuid-olga", testClientID, testSecret) {
					return nil, apiErr("InvalidParameterException", "bad refresh request")
				}
				if i < len(tc.answers) && tc.answers[i] != nil {
					return nil, tc.answers[i]
				}
				return &cip.InitiateAuthOutput{AuthenticationResult: authResult("uuid-olga", false)}, nil
			})
			mem := NewMemoryDeviceStore()
			var store DeviceStore = mem
			if tc.failDelete {
				store = failingDeleteStore{mem}
			}
			names := []string{"uuid-olga"}
			if tc.viaTokens {
				names = append(names, "olga")
			}
			if tc.stored != "" {
				for _, name := range names {
					require.NoError(t, mem.SaveDevice(ctx, testPool, name, Device{Key: tc.stored, GroupKey: "-grp", Password: "p"}))
				}
			}
			c := newTestClient(f, withSecret, func(o *Options) { o.DeviceStore = store })

			var (
				nt  *Tokens
				err error
			)
			if tc.viaTokens {
				nt, err = c.Refresh(ctx, &Tokens{RefreshToken: "r0", Username: "uuid-olga", signInName: "olga"})
			} else {
				nt, err = c.RefreshToken(ctx, "r0", func(o *RefreshOptions) { o.Username = "uuid-olga"; o.DeviceKey = tc.explicit })
			}

			if tc.wantErr != nil || tc.wantFail {
				require.Error(t, err)
				assert.Nil(t, nt)
				if tc.wantErr != nil {
					require.ErrorIs(t, err, tc.wantErr)
				}
			} else {
				require.NoError(t, err)
				assert.Equal(t, "r0", nt.RefreshToken)
				assert.NotEmpty(t, nt.AccessToken)
			}
			inits := callsTo[cip.InitiateAuthInput](f, "InitiateAuth")
			require.Len(t, inits, tc.wantCalls)
			for i, want := range tc.wantKeys {
				got, sent := inits[i].AuthParameters["DEVICE_KEY"]
				assert.Equal(t, want, got, "DEVICE_KEY of call %d", i)
				assert.Equal(t, want != "", sent, "DEVICE_KEY present in call %d", i)
			}
			for _, name := range names {
				d, err := mem.LoadDevice(ctx, testPool, name)
				require.NoError(t, err)
				if tc.stored != "" && tc.wantKept {
					require.NotNil(t, d, "device kept under %s", name)
					assert.Equal(t, tc.stored, d.Key)
				} else {
					assert.Nil(t, d, "device dropped under %s", name)
				}
			}
		})
	}
}

func TestSessionRefreshForgottenDevice(t *testing.T) {
	// The Session's refresh drops a device forgotten server-side and
	// retries without it, as SignIn does; a refused refresh token is still
	// an error.
	ctx := context.Background()
	d := newDeviceFake(t)
	store := NewMemoryDeviceStore()
	c := newTestClient(d.f, withSecret, func(o *Options) { o.DeviceStore = store })
	res, err := c.SignIn(ctx, "liam@example.com", "pw-liam")
	require.NoError(t, err)
	_, err = c.ConfirmDevice(ctx, res.Tokens, "")
	require.NoError(t, err)

	d.forget()
	sess := c.NewSession(res.Tokens)
	nt, err := sess.Refresh(ctx)
	require.NoError(t, err, "the refresh is retried without the forgotten device")
	assert.Equal(t, "refresh-uuid-liam", nt.RefreshToken)
	for _, name := range []string{"uuid-liam", "liam@example.com"} {
		dev, err := store.LoadDevice(ctx, testPool, name)
		require.NoError(t, err)
		assert.Nil(t, dev, "the forgotten device is dropped locally under %s", name)
	}
	inits := callsTo[cip.InitiateAuthInput](d.f, "InitiateAuth")
	require.Len(t, inits, 3, "sign-in, refresh, one retry")
	assert.Equal(t, devKey, inits[1].AuthParameters["DEVICE_KEY"])
	assert.NotContains(t, inits[2].AuthParameters, "DEVICE_KEY")

	// Negative: a revoked refresh token is refused, once, with no device
	// left to drop.
	bad := c.NewSession(&Tokens{RefreshToken: "refresh-revoked", Username: "uuid-liam"})
	_, err = bad.Refresh(ctx)
	require.ErrorIs(t, err, ErrNotAuthorized)
	assert.Len(t, callsTo[cip.InitiateAuthInput](d.f, "InitiateAuth"), 4)
}
