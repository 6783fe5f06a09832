package cognito

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// RefreshOptions are the per-call options of RefreshToken.
type RefreshOptions struct {
	// Username is the Cognito username (cognito:username, often the sub),
	// needed for SECRET_HASH when the app client has a secret, and to find
	// a remembered device.
	Username string
	// DeviceKey is sent as DEVICE_KEY; by default the device remembered
	// for Username, if any. Cognito requires it when the refresh token was
	// issued to a remembered device.
	DeviceKey string
	// ClientMetadata is sent to the pool's Lambda triggers.
	ClientMetadata map[string]string
}

// Refresh trades t's refresh token for new ID and access tokens
// (REFRESH_TOKEN_AUTH, or GetTokensFromRefreshToken for an app client that
// rotates refresh tokens: see Options.RotateRefreshTokens). The result holds
// the new refresh token when Cognito rotated it, t's otherwise, and t's
// Username. After a rotation the old refresh token stops working once the
// app client's grace period is over (ErrRefreshTokenReuse): keep the new
// one.
//
// A remembered device that Cognito no longer knows is handled as by
// RefreshToken, and is dropped from the DeviceStore under the name typed
// at sign-in too.
func (c *Client) Refresh(ctx context.Context, t *Tokens) (*Tokens, error) {
	if t == nil {
		return nil, fmt.Errorf("cognito: Refresh: %w", ErrNoRefreshToken)
	}
	username := t.Username
	if username == "" && t.IDToken != "" {
		if cl, err := ParseClaims(t.IDToken); err == nil {
			username = cl.CognitoUsername()
		}
	}
	o := c.refreshOptions(func(o *RefreshOptions) { o.Username = username })
	nt, err := c.refresh(ctx, t.RefreshToken, o, t.signInName)
	if err != nil {
		return nil, err
	}
	nt.signInName = t.signInName
	return nt, nil
}

// RefreshToken trades refreshToken for new ID and access tokens. With a
// client secret, SECRET_HASH needs the Cognito username: give it in the
// options or it is ErrUsernameRequired.
//
// When the DEVICE_KEY sent names a device Cognito no longer knows (it was
// forgotten server-side: ResourceNotFoundException "Device does not
// exist."), the device is dropped from the DeviceStore if it is the one
// remembered for Username, and the refresh is retried once without
// DEVICE_KEY; the error of that retry, if any, is returned.
func (c *Client) RefreshToken(ctx context.Context, refreshToken string, optFns ...func(*RefreshOptions)) (*Tokens, error) {
	return c.refresh(ctx, refreshToken, c.refreshOptions(optFns...), "")
}

func (c *Client) refreshOptions(optFns ...func(*RefreshOptions)) RefreshOptions {
	o := RefreshOptions{ClientMetadata: c.metadata}
	for _, fn := range optFns {
		fn(&o)
	}
	return o
}

// refresh is RefreshToken; signInName is a second name under which a stale
// device is dropped from the DeviceStore.
func (c *Client) refresh(ctx context.Context, refreshToken string, o RefreshOptions, signInName string) (*Tokens, error) {
	if refreshToken == "" {
		return nil, fmt.Errorf("cognito: Refresh: %w", ErrNoRefreshToken)
	}
	if c.rotate.Load() {
		return c.refreshRotating(ctx, refreshToken, o, signInName)
	}
	params := map[string]string{"REFRESH_TOKEN": refreshToken}
	if c.clientSecret != "" {
		if o.Username == "" {
			return nil, fmt.Errorf("cognito: Refresh: %w: the app client has a secret, and SECRET_HASH needs the Cognito username", ErrUsernameRequired)
		}
		params["SECRET_HASH"] = c.secretHash(o.Username)
	}
	deviceKey, err := c.refreshDeviceKey(ctx, o)
	if err != nil {
		return nil, err
	}
	if deviceKey != "" {
		params["DEVICE_KEY"] = deviceKey
	}
	resp, err := c.refreshOnce(ctx, params, o.ClientMetadata)
	if err != nil && rotatingClient(err) {
		// The app client rotates refresh tokens, which REFRESH_TOKEN_AUTH
		// cannot do: use GetTokensFromRefreshToken from now on.
		t, rerr := c.refreshRotating(ctx, refreshToken, o, signInName)
		if rerr == nil {
			c.rotate.Store(true)
		}
		return t, rerr
	}
	if err != nil && deviceKey != "" && isDeviceNotFound(err) {
		// The device was forgotten server-side: drop it here too and
		// refresh once more without it.
		if ferr := c.forgetStaleDevice(ctx, deviceKey, o.Username, signInName); ferr != nil {
			return nil, ferr
		}
		retry := make(map[string]string, len(params))
		for k, v := range params {
			if k != "DEVICE_KEY" {
				retry[k] = v
			}
		}
		resp, err = c.refreshOnce(ctx, retry, o.ClientMetadata)
	}
	if err != nil {
		return nil, err
	}
	if resp.AuthenticationResult == nil {
		return nil, fmt.Errorf("cognito: Refresh: %w: no tokens (challenge %q)", ErrInvalidResponse, resp.ChallengeName)
	}
	return c.refreshed(resp.AuthenticationResult, o.Username, refreshToken)
}

func (c *Client) refreshOnce(ctx context.Context, params, metadata map[string]string) (*cip.InitiateAuthOutput, error) {
	resp, err := c.api.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		ClientId:       aws.String(c.clientID),
		AuthParameters: params,
		ClientMetadata: metadata,
	}, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("InitiateAuth", err)
	}
	return resp, nil
}

// forgetStaleDevice drops the device with key from the DeviceStore under
// each of names that remembers that very device (a newer device
// remembered since is kept).
func (c *Client) forgetStaleDevice(ctx context.Context, key string, names ...string) error {
	var stale []string
	for _, n := range uniqueNames(names...) {
		d, err := c.loadDevice(ctx, n)
		if err != nil {
			return err
		}
		if d != nil && d.Key == key {
			stale = append(stale, n)
		}
	}
	return c.forgetLocalDevice(ctx, stale...)
}

// SessionOptions configure a Session.
type SessionOptions struct {
	// RefreshAhead is how long before expiry the tokens are refreshed.
	// Default 5 minutes (capped at half the tokens' lifetime).
	RefreshAhead time.Duration
	// RefreshTimeout bounds one shared refresh, which runs detached from
	// any one caller's cancellation. Default 30 seconds.
	RefreshTimeout time.Duration
	// Store, if set, receives the tokens after every refresh under
	// StoreKey, so that the next run of the program can restore the
	// session (RestoreSession) instead of signing in again. A failed save
	// does not fail the refresh; it is reported to OnStoreError.
	Store TokenStore
	// StoreKey is the key the tokens are saved under; default
	// TokenStoreKey(userPoolID, clientID) of the session's client (for a
	// hosted-UI session: its domain and client ID).
	StoreKey string
	// OnStoreError, if set, is told of a failed save.
	OnStoreError func(error)
}

// Session holds a user's tokens and refreshes them ahead of expiry. It is
// safe for concurrent use: many goroutines asking at once share one
// refresh call, each waiting only as long as its own context allows.
//
// A Session is a token source for calls made on the user's behalf: ask it
// for a token (AccessToken, IDToken) just before each call rather than
// keeping one.
type Session struct {
	refresher func(context.Context, *Tokens) (*Tokens, error)
	clock     func() time.Time
	ahead     time.Duration
	timeout   time.Duration
	store     TokenStore
	storeKey  string
	onStore   func(error)

	mu       sync.Mutex
	tokens   *Tokens
	inflight *refreshCall
}

type refreshCall struct {
	done   chan struct{}
	tokens *Tokens
	err    error
}

// NewSession returns a Session starting from t (from SignIn or Refresh).
func (c *Client) NewSession(t *Tokens, optFns ...func(*SessionOptions)) *Session {
	return newSession(t, c.Refresh, c.clock, TokenStoreKey(c.userPoolID, c.clientID), optFns)
}

func newSession(t *Tokens, refresher func(context.Context, *Tokens) (*Tokens, error), clock func() time.Time, key string, optFns []func(*SessionOptions)) *Session {
	o := SessionOptions{RefreshAhead: 5 * time.Minute, RefreshTimeout: 30 * time.Second, StoreKey: key}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.RefreshTimeout <= 0 {
		o.RefreshTimeout = 30 * time.Second
	}
	cp := *t
	return &Session{refresher: refresher, clock: clock, ahead: o.RefreshAhead, timeout: o.RefreshTimeout,
		store: o.Store, storeKey: o.StoreKey, onStore: o.OnStoreError, tokens: &cp}
}

// needsRefresh reports whether t is within the refresh window at now.
func (s *Session) needsRefresh(t *Tokens, now time.Time) bool {
	ahead := s.ahead
	if half := t.ExpiresIn / 2; t.ExpiresIn > 0 && ahead > half {
		ahead = half
	}
	return t.Expiry.IsZero() || !now.Before(t.Expiry.Add(-ahead))
}

// Tokens returns current tokens, refreshing first when they expire within
// the refresh window. If a refresh fails while the current tokens are
// still valid and the failure is not Cognito refusing the refresh token
// (ErrNotAuthorized, or ErrInvalidGrant for a hosted-UI session), the
// current tokens are returned. The returned value
// is a copy the caller may keep.
func (s *Session) Tokens(ctx context.Context) (*Tokens, error) {
	s.mu.Lock()
	cur := s.tokens
	if !s.needsRefresh(cur, s.clock()) {
		s.mu.Unlock()
		cp := *cur
		return &cp, nil
	}
	call := s.startLocked(ctx)
	s.mu.Unlock()
	t, err := s.wait(ctx, call)
	if err != nil {
		if !refused(err) && ctx.Err() == nil && !cur.Expired(s.clock()) {
			cp := *cur
			return &cp, nil
		}
		return nil, err
	}
	return t, nil
}

// refused reports whether a refresh failed because Cognito will not
// refresh with this token again (signed out, revoked, expired): through
// the API that is NotAuthorizedException, through the hosted UI's token
// endpoint invalid_grant.
func refused(err error) bool {
	return errors.Is(err, ErrNotAuthorized) || errors.Is(err, ErrInvalidGrant) || errors.Is(err, ErrNoRefreshToken) ||
		errors.Is(err, ErrRefreshTokenReuse)
}

// Refresh refreshes now, whatever the expiry, sharing a refresh already in
// flight.
func (s *Session) Refresh(ctx context.Context) (*Tokens, error) {
	s.mu.Lock()
	call := s.startLocked(ctx)
	s.mu.Unlock()
	return s.wait(ctx, call)
}

// AccessToken returns a current access token (see Tokens).
func (s *Session) AccessToken(ctx context.Context) (string, error) {
	t, err := s.Tokens(ctx)
	if err != nil {
		return "", err
	}
	return t.AccessToken, nil
}

// IDToken returns a current ID token (see Tokens).
func (s *Session) IDToken(ctx context.Context) (string, error) {
	t, err := s.Tokens(ctx)
	if err != nil {
		return "", err
	}
	return t.IDToken, nil
}

// Current returns the tokens held now, without refreshing.
func (s *Session) Current() *Tokens {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := *s.tokens
	return &cp
}

// startLocked returns the refresh in flight or starts one. s.mu is held.
func (s *Session) startLocked(ctx context.Context) *refreshCall {
	if s.inflight != nil {
		return s.inflight
	}
	call := &refreshCall{done: make(chan struct{})}
	s.inflight = call
	base := s.tokens
	// The refresh serves every waiter, so it must not die with the caller
	// that happened to start it; it keeps the caller's values (tracing).
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	go func() {
		defer cancel()
		t, err := s.refresher(rctx, base)
		if err == nil {
			s.save(rctx, t)
		}
		s.mu.Lock()
		if err == nil {
			s.tokens = t
		}
		s.inflight = nil
		s.mu.Unlock()
		call.tokens, call.err = t, err
		close(call.done)
	}()
	return call
}

func (s *Session) wait(ctx context.Context, call *refreshCall) (*Tokens, error) {
	select {
	case <-call.done:
		if call.err != nil {
			return nil, call.err
		}
		cp := *call.tokens
		return &cp, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("cognito: waiting for token refresh: %w", ctx.Err())
	}
}
