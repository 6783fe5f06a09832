package cognitotest

import (
	"errors"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
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
