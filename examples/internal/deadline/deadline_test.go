package deadline_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/examples/internal/deadline/deadlinetest"
)

func TestClientSilentEndpoint(t *testing.T) {
	url := deadlinetest.SilentListener(t)
	tests := []struct {
		name    string
		timeout time.Duration
		ctx     func() (context.Context, context.CancelFunc) // nil: the Client's Context
	}{
		{"context deadline", 300 * time.Millisecond, nil},
		{"response header timeout without a deadline", 300 * time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := deadline.New(tt.timeout)
			ctx, cancel := c.Context(context.Background())
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/x", nil)
			require.NoError(t, err)
			start := time.Now()
			resp, err := c.HTTP.Do(req)
			if resp != nil {
				resp.Body.Close()
			}
			require.Error(t, err)
			assert.Less(t, time.Since(start), tt.timeout+2*time.Second)
			err = c.Err(ctx, err)
			var te *deadline.TimeoutError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, url, te.Endpoint)
			assert.Equal(t, "no answer from "+url+" within 300ms (-timeout)", err.Error())
			assert.Same(t, err, c.Err(ctx, err), "a TimeoutError is kept as it is")
		})
	}
}

func TestClientErrOther(t *testing.T) {
	c := deadline.New(0)
	assert.Equal(t, 30*time.Second, c.Timeout, "non-positive means the default")
	assert.Equal(t, "", c.Endpoint())
	ctx, cancel := c.Context(context.Background())
	defer cancel()
	other := errors.New("refused")
	assert.Same(t, other, c.Err(ctx, other), "not a timeout: unchanged")
	assert.NoError(t, c.Err(ctx, nil))

	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	err := c.Err(expired, other)
	assert.EqualError(t, err, "no answer from the endpoint within 30s (-timeout)", "no request sent yet")
	assert.ErrorIs(t, err, other)
}

func TestRun(t *testing.T) {
	url := deadlinetest.SilentListener(t)
	get := func(c *http.Client) func(ctx context.Context) (int, error) {
		return func(ctx context.Context) (int, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return 0, err
			}
			resp, err := c.Do(req)
			if err != nil {
				return 0, err
			}
			resp.Body.Close()
			return resp.StatusCode, nil
		}
	}
	c := deadline.New(200 * time.Millisecond)
	_, err := deadline.Run(context.Background(), c, get(c.HTTP))
	assert.EqualError(t, err, "no answer from "+url+" within 200ms (-timeout)")

	// A nil Client runs the call under the caller's context only.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = deadline.Run[int](ctx, nil, get(&http.Client{}))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var te *deadline.TimeoutError
	assert.False(t, errors.As(err, &te), "nothing to name without a Client")

	v, err := deadline.Run(context.Background(), c, func(context.Context) (int, error) { return 7, nil })
	require.NoError(t, err)
	assert.Equal(t, 7, v)
}
