package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cognitokit/cognitokit/examples/internal/deadline/deadlinetest"
)

// TestNetworkCommandsTimeout is the regression test for commands that hung
// forever on an endpoint that accepts connections and never answers: each
// network command ends with exit 1 within its -timeout, with one line that
// names the endpoint and the limit.
func TestNetworkCommandsTimeout(t *testing.T) {
	silent := deadlinetest.SilentListener(t)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": silent, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "AKIDSILENT", "AWS_SECRET_ACCESS_KEY": "silent-secret",
		"AWS_CONFIG_FILE": filepath.Join(dir, "c"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "s"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_COGNITO_IDENTITY": "", "AWS_ENDPOINT_URL_STS": "",
		"AWS_MAX_ATTEMPTS": "",
	} {
		t.Setenv(k, v)
	}
	const timeout = 1500 * time.Millisecond
	tests := []struct {
		name string
		args []string
	}{
		{"signin", []string{"signin", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-password", "pw-Silent-1", "-flow", "password"}},
		{"signin srp", []string{"signin", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-password", "pw-Silent-1"}},
		{"refresh", []string{"refresh", "-user-pool-id", "us-east-1_X", "-client-id", "c", "-refresh-token", "rt-silent"}},
		{"credentials guest", []string{"credentials", "-identity-pool-id", "us-east-1:00000000-0000-0000-0000-000000000000"}},
		{"credentials sign-in", []string{"credentials", "-identity-pool-id", "us-east-1:00000000-0000-0000-0000-000000000000",
			"-user-pool-id", "us-east-1_X", "-client-id", "c", "-username", "u", "-password", "pw-Silent-1"}},
		{"call", []string{"call", "-region", "us-east-1", silent + "/prod/test"}},
		{"call identity pool", []string{"call", "-identity-pool-id", "us-east-1:00000000-0000-0000-0000-000000000000", "-region", "us-east-1", silent + "/prod/test"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append(append([]string(nil), tt.args[:1]...), "-timeout", timeout.String())
			args = append(args, tt.args[1:]...)
			start := time.Now()
			r := signinRun(t, "", false, args...)
			elapsed := time.Since(start)
			assert.Equal(t, 1, r.code, r.stderr)
			assert.Empty(t, r.stdout)
			assert.Equal(t, "cognitoctl "+tt.args[0]+": no answer from "+silent+" within 1.5s (-timeout)\n", r.stderr)
			assert.Less(t, elapsed, timeout+3*time.Second, "the deadline bounds the SDK's retries")
			assert.NotContains(t, r.stderr, "pw-Silent-1")
			assert.Equal(t, 1, strings.Count(r.stderr, "\n"))
		})
	}
}
