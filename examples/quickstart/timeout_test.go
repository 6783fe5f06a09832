package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cognitokit/cognitokit/examples/internal/deadline/deadlinetest"
)

// TestQuickstartSilentEndpoint is the regression test for the real-AWS
// mode running until killed against an endpoint that accepts connections
// and never answers: it fails the first step that calls out within
// -timeout, with one line naming the endpoint and the limit.
func TestQuickstartSilentEndpoint(t *testing.T) {
	silent := deadlinetest.SilentListener(t)
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "c"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "s"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	env := map[string]string{
		"AWS_ENDPOINT_URL":     silent,
		"COGNITO_USER_POOL_ID": "us-east-1_Silent1", "COGNITO_CLIENT_ID": "client", "COGNITO_IDENTITY_POOL_ID": "us-east-1:00000000-0000-0000-0000-000000000000",
		"COGNITO_PASSWORD": "Silent-Passw0rd!",
	}
	tests := []struct {
		name     string
		args     []string
		terminal bool
		step     string
	}{
		{"sign-in", []string{"-api-url", silent + "/prod", "-username", "bob", "-timeout", "1s"}, false, "step 3 (sign in (SRP))"},
		{"sign-up", []string{"-api-url", silent + "/prod", "-username", "bob", "-email", "bob@example.com", "-timeout", "1s"}, true, "step 1 (sign up)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			start := time.Now()
			code := realMain(context.Background(), tt.args, func(k string) string { return env[k] }, strings.NewReader(""), tt.terminal, &out, &errOut)
			elapsed := time.Since(start)
			assert.Equal(t, 1, code, "%s\n%s", out.String(), errOut.String())
			assert.Equal(t, "quickstart: "+tt.step+": no answer from "+silent+" within 1s (-timeout)\n", errOut.String())
			assert.Less(t, elapsed, 4*time.Second)
			assert.NotContains(t, out.String()+errOut.String(), "Silent-Passw0rd!")
		})
	}
}
