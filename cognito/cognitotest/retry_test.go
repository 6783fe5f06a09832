package cognitotest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// TestConfigRetriesConnectionErrorsOnly: Config's retryer retries a
// keep-alive connection the server closed (the TestUserPoolCRUD flake,
// aws-sdk-go-v2 issue 2737) without delay, and never an answer of the
// emulator's.
func TestConfigRetriesConnectionErrorsOnly(t *testing.T) {
	r := newServer(t).Config().Retryer()
	assert.Equal(t, 3, r.MaxAttempts())
	closed := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("use of closed network connection")}
	answer := func(status int) error {
		return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: errors.New("api error")}}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"closed connection", closed, true},
		{"connection reset", errors.New("read tcp: connection reset by peer"), true},
		{"500 answer", answer(500), false},
		{"503 answer", answer(503), false},
		{"400 answer", answer(400), false},
		{"throttling", &aws.RequestCanceledError{Err: errors.New("canceled")}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, r.IsErrorRetryable(tc.err))
		})
	}
	d, err := r.RetryDelay(1, closed)
	assert.NoError(t, err)
	assert.Zero(t, d)
}

// TestRetryIsAnsweredNotRun: a retry of a mutating call (same
// Amz-Sdk-Invocation-Id, after an answer lost on a closed connection) gets
// the first attempt's answer instead of running again; a new invocation
// runs. Without this, Config's retryer turned the TestUserPoolCRUD flake
// into a second pool.
func TestRetryIsAnsweredNotRun(t *testing.T) {
	s := newServer(t)
	call := func(invocation string) (int, string) {
		req, _ := http.NewRequest("POST", s.URL+"/", strings.NewReader(`{"PoolName":"p"}`))
		req.Header.Set("X-Amz-Target", idpTarget+".CreateUserPool")
		req.Header.Set("Amz-Sdk-Invocation-Id", invocation)
		fakeSign(req)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	pools := s.up.PoolCount
	status1, body1 := call("inv-1")
	require.Equal(t, 200, status1, body1)
	status2, body2 := call("inv-1")
	assert.Equal(t, status1, status2)
	assert.Equal(t, body1, body2, "the retry gets the first answer")
	assert.Equal(t, 1, pools(), "and creates nothing")

	status3, body3 := call("inv-2")
	require.Equal(t, 200, status3)
	assert.NotEqual(t, body1, body3)
	assert.Equal(t, 2, pools(), "a new invocation runs")

	// The cache is bounded.
	for i := 0; i < emulator.ReplyCacheSize+10; i++ {
		call(fmt.Sprintf("many-%d", i))
	}
	answers, order := s.host.RepliesCached()
	assert.Equal(t, emulator.ReplyCacheSize, answers)
	assert.Equal(t, emulator.ReplyCacheSize, order)
	_, again := call("inv-1")
	assert.NotEqual(t, body1, again, "evicted answers run again")
}
