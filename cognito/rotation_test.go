package cognito

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rotatingFake is an app client with refresh-token rotation and no grace
// period: REFRESH_TOKEN_AUTH is not enabled, GetTokensFromRefreshToken
// replaces the refresh token at each call and refuses the old one with
// RefreshTokenReuseException afterwards.
type rotatingFake struct {
	f       *fakeAPI
	secret  bool
	gets    atomic.Int32
	release chan struct{} // when non-nil, each refresh waits for it

	mu      sync.Mutex
	n       int
	valid   map[string]bool
	rotated map[string]bool
	devices map[string]bool
}

func newRotatingFake(secret bool) *rotatingFake {
	r := &rotatingFake{f: newFake(), secret: secret, valid: map[string]bool{"rt-0": true}, rotated: map[string]bool{}, devices: map[string]bool{}}
	on(r.f, "InitiateAuth", func(_ context.Context, in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		return nil, apiErr("InvalidParameterException", string(in.AuthFlow)+" flow not enabled for this client")
	})
	on(r.f, "GetTokensFromRefreshToken", func(ctx context.Context, in *cip.GetTokensFromRefreshTokenInput) (*cip.GetTokensFromRefreshTokenOutput, error) {
		r.gets.Add(1)
		if r.release != nil {
			select {
			case <-r.release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if aws.ToString(in.ClientId) != testClientID {
			return nil, apiErr("ResourceNotFoundException", "User pool client does not exist.")
		}
		if r.secret && aws.ToString(in.ClientSecret) != testSecret || !r.secret && in.ClientSecret != nil {
			return nil, apiErr("NotAuthorizedException", "Client secret does not match")
		}
		if k := aws.ToString(in.DeviceKey); k != "" && !r.devices[k] {
			return nil, apiErr("ResourceNotFoundException", "Device does not exist.")
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		old := aws.ToString(in.RefreshToken)
		switch {
		case r.rotated[old]:
			return nil, apiErr("RefreshTokenReuseException", "Refresh token has been rotated.")
		case !r.valid[old]:
			return nil, apiErr("NotAuthorizedException", "Invalid Refresh Token.")
		}
		r.n++
		next := fmt.Sprintf("rt-%d", r.n)
		delete(r.valid, old)
		r.rotated[old], r.valid[next] = true, true
		res := authResult("uuid-nina", true)
		res.RefreshToken = aws.String(next)
		return &cip.GetTokensFromRefreshTokenOutput{AuthenticationResult: res}, nil
	})
	return r
}

func expiredTokens(refresh string) *Tokens {
	return &Tokens{RefreshToken: refresh, IDToken: authResultID("uuid-nina"), AccessToken: "a", Username: "uuid-nina",
		ExpiresIn: time.Hour, Expiry: testNow}
}

// memTokenStore is a TokenStore in memory that counts saves.
type memTokenStore struct {
	mu    sync.Mutex
	m     map[string]*Tokens
	saves int
}

func (s *memTokenStore) Load(_ context.Context, key string) (*Tokens, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[key]
	if !ok {
		return nil, ErrNoStoredTokens
	}
	cp := *t
	return &cp, nil
}

func (s *memTokenStore) Save(_ context.Context, key string, t *Tokens) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*Tokens{}
	}
	cp := *t
	s.m[key], s.saves = &cp, s.saves+1
	return nil
}

func (s *memTokenStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func TestRotationSingleFlight(t *testing.T) {
	for _, detect := range []bool{false, true} {
		t.Run(map[bool]string{false: "option", true: "detected"}[detect], func(t *testing.T) {
			r := newRotatingFake(true)
			r.release = make(chan struct{})
			c := newTestClient(r.f, withSecret, func(o *Options) { o.RotateRefreshTokens = !detect })
			store := &memTokenStore{}
			s := c.NewSession(expiredTokens("rt-0"), func(o *SessionOptions) { o.Store = store })

			const n = 1000
			var wg sync.WaitGroup
			errs := make(chan error, n)
			got := make(chan string, n)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tk, err := s.Tokens(context.Background())
					if err != nil {
						errs <- err
						return
					}
					got <- tk.RefreshToken
				}()
			}
			require.Eventually(t, func() bool { return r.gets.Load() == 1 }, 5*time.Second, time.Millisecond)
			close(r.release)
			wg.Wait()
			close(errs)
			close(got)
			for err := range errs {
				require.NoError(t, err)
			}
			for rt := range got {
				assert.Equal(t, "rt-1", rt)
			}
			assert.EqualValues(t, 1, r.gets.Load(), "one GetTokensFromRefreshToken for %d callers", n)
			wantInitiate := 0
			if detect {
				wantInitiate = 1 // REFRESH_TOKEN_AUTH refused once, then never tried again
			}
			assert.Len(t, callsTo[cip.InitiateAuthInput](r.f, "InitiateAuth"), wantInitiate)
			assert.Equal(t, "rt-1", s.Current().RefreshToken)
			saved, err := store.Load(context.Background(), TokenStoreKey(testPool, testClientID))
			require.NoError(t, err)
			assert.Equal(t, "rt-1", saved.RefreshToken, "the new refresh token is saved")
			assert.Equal(t, 1, store.saves)

			// The next refresh uses the new token, straight through
			// GetTokensFromRefreshToken.
			tk, err := s.Refresh(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "rt-2", tk.RefreshToken)
			assert.Len(t, callsTo[cip.InitiateAuthInput](r.f, "InitiateAuth"), wantInitiate)

			// The rotated-out token is refused afterwards.
			_, err = c.RefreshToken(context.Background(), "rt-0")
			require.ErrorIs(t, err, ErrRefreshTokenReuse)
			assert.NotContains(t, err.Error(), "rt-0")
		})
	}
}

func TestRotationSessionWithStaleToken(t *testing.T) {
	// Another process rotated the token this session holds: the session
	// reports the refusal rather than hiding it behind still-valid tokens.
	r := newRotatingFake(false)
	c := newTestClient(r.f, func(o *Options) { o.RotateRefreshTokens = true })
	_, err := c.RefreshToken(context.Background(), "rt-0")
	require.NoError(t, err)
	tk := expiredTokens("rt-0")
	tk.Expiry = testNow.Add(2 * time.Minute) // valid, inside the refresh window
	s := c.NewSession(tk)
	_, err = s.Tokens(context.Background())
	require.ErrorIs(t, err, ErrRefreshTokenReuse)
}

func TestRotationRequestShape(t *testing.T) {
	ctx := context.Background()
	t.Run("client secret, device key, metadata", func(t *testing.T) {
		r := newRotatingFake(true)
		r.devices["dev-1"] = true
		c := newTestClient(r.f, withSecret, func(o *Options) {
			o.RotateRefreshTokens = true
			o.ClientMetadata = map[string]string{"k": "v"}
		})
		_, err := c.RefreshToken(ctx, "rt-0", func(o *RefreshOptions) { o.DeviceKey = "dev-1" })
		require.NoError(t, err)
		in := callsTo[cip.GetTokensFromRefreshTokenInput](r.f, "GetTokensFromRefreshToken")[0]
		assert.Equal(t, testSecret, aws.ToString(in.ClientSecret))
		assert.Equal(t, "dev-1", aws.ToString(in.DeviceKey))
		assert.Equal(t, map[string]string{"k": "v"}, in.ClientMetadata)
	})
	t.Run("no username needed with a secret", func(t *testing.T) {
		r := newRotatingFake(true)
		c := newTestClient(r.f, withSecret, func(o *Options) { o.RotateRefreshTokens = true })
		nt, err := c.RefreshToken(ctx, "rt-0")
		require.NoError(t, err)
		assert.Equal(t, "uuid-nina", nt.Username)
	})
	t.Run("remembered device forgotten server-side", func(t *testing.T) {
		r := newRotatingFake(false)
		store := NewMemoryDeviceStore()
		require.NoError(t, store.SaveDevice(ctx, testPool, "uuid-nina", Device{Key: "gone", GroupKey: "g", Password: "p"}))
		c := newTestClient(r.f, func(o *Options) { o.RotateRefreshTokens = true; o.DeviceStore = store })
		_, err := c.RefreshToken(ctx, "rt-0", func(o *RefreshOptions) { o.Username = "uuid-nina" })
		require.NoError(t, err)
		ins := callsTo[cip.GetTokensFromRefreshTokenInput](r.f, "GetTokensFromRefreshToken")
		require.Len(t, ins, 2)
		assert.Equal(t, "gone", aws.ToString(ins[0].DeviceKey))
		assert.Nil(t, ins[1].DeviceKey)
		d, err := store.LoadDevice(ctx, testPool, "uuid-nina")
		require.NoError(t, err)
		assert.Nil(t, d, "the stale device is forgotten")
	})
	t.Run("no tokens in answer", func(t *testing.T) {
		f := newFake()
		on(f, "GetTokensFromRefreshToken", func(context.Context, *cip.GetTokensFromRefreshTokenInput) (*cip.GetTokensFromRefreshTokenOutput, error) {
			return &cip.GetTokensFromRefreshTokenOutput{}, nil
		})
		_, err := newTestClient(f, func(o *Options) { o.RotateRefreshTokens = true }).RefreshToken(ctx, "r")
		require.ErrorIs(t, err, ErrInvalidResponse)
	})
	t.Run("rotation off keeps the token", func(t *testing.T) {
		f := newFake()
		on(f, "GetTokensFromRefreshToken", func(context.Context, *cip.GetTokensFromRefreshTokenInput) (*cip.GetTokensFromRefreshTokenOutput, error) {
			return &cip.GetTokensFromRefreshTokenOutput{AuthenticationResult: authResult("uuid-nina", false)}, nil
		})
		nt, err := newTestClient(f, func(o *Options) { o.RotateRefreshTokens = true }).RefreshToken(ctx, "r")
		require.NoError(t, err)
		assert.Equal(t, "r", nt.RefreshToken)
	})
}

func TestRotationFallback(t *testing.T) {
	ctx := context.Background()
	t.Run("a client that does not rotate stays on REFRESH_TOKEN_AUTH", func(t *testing.T) {
		f := refreshFake(t, false)
		c := newTestClient(f, withSecret)
		for range 2 {
			_, err := c.Refresh(ctx, &Tokens{RefreshToken: "refresh-uuid-nina", Username: "uuid-nina", AccessToken: "a"})
			require.NoError(t, err)
		}
		assert.Equal(t, []string{"InitiateAuth", "InitiateAuth"}, f.ops())
	})
	t.Run("a refused token does not switch", func(t *testing.T) {
		f := refreshFake(t, false)
		c := newTestClient(f, withSecret)
		_, err := c.RefreshToken(ctx, "revoked", func(o *RefreshOptions) { o.Username = "uuid-nina" })
		require.ErrorIs(t, err, ErrNotAuthorized)
		assert.Equal(t, []string{"InitiateAuth"}, f.ops())
		assert.False(t, c.rotate.Load())
	})
	t.Run("a failed switch is not remembered", func(t *testing.T) {
		r := newRotatingFake(false)
		c := newTestClient(r.f)
		_, err := c.RefreshToken(ctx, "unknown")
		require.ErrorIs(t, err, ErrNotAuthorized)
		assert.False(t, c.rotate.Load())
		_, err = c.RefreshToken(ctx, "rt-0")
		require.NoError(t, err)
		assert.True(t, c.rotate.Load())
	})
}

func TestRotatingClientError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{wrapErr("InitiateAuth", apiErr("InvalidParameterException", "REFRESH_TOKEN_AUTH flow not enabled for this client")), true},
		{wrapErr("InitiateAuth", apiErr("InvalidParameterException", "Auth flow not enabled for this client")), true},
		{wrapErr("InitiateAuth", apiErr("InvalidParameterException", "Refresh token rotation is enabled for this client")), true},
		{wrapErr("InitiateAuth", apiErr("UnsupportedOperationException", "")), true},
		{wrapErr("InitiateAuth", apiErr("InvalidParameterException", "Missing required parameter REFRESH_TOKEN")), false},
		{wrapErr("InitiateAuth", apiErr("NotAuthorizedException", "Refresh Token has been revoked")), false},
		{errors.New("network"), false},
		{nil, false},
	} {
		assert.Equal(t, tc.want, rotatingClient(tc.err), "%v", tc.err)
	}
	_ = types.AuthFlowTypeRefreshTokenAuth
}
