package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/sigv4client"
)

const (
	callAKID   = "AKIDCALLTEST"
	callSecret = "call-secret"
	callToken  = "call-session-token"
)

// callServer verifies SigV4 for us-east-1/execute-api and echoes the request.
func callServer(t *testing.T) *httptest.Server {
	t.Helper()
	v := sigv4client.NewVerifier("us-east-1", func(_ context.Context, akid string) (sigv4client.Credential, error) {
		if akid != callAKID {
			return sigv4client.Credential{}, sigv4client.ErrInvalidToken
		}
		return sigv4client.Credential{SecretAccessKey: callSecret, SessionToken: callToken}, nil
	})
	srv := httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusTeapot)
			_, _ = w.Write([]byte("short and stout"))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery,
			"body": string(b), "x-test": r.Header.Get("X-Test"), "ct": r.Header.Get("Content-Type"),
		})
	})))
	t.Cleanup(srv.Close)
	return srv
}

func callEnv(stdin string, vars map[string]string) (*cliEnv, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &cliEnv{
		stdin:  strings.NewReader(stdin),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return vars[k] },
	}, &out, &errb
}

func TestCall(t *testing.T) {
	srv := callServer(t)
	good := map[string]string{
		"AWS_ACCESS_KEY_ID": callAKID, "AWS_SECRET_ACCESS_KEY": callSecret,
		"AWS_SESSION_TOKEN": callToken, "AWS_REGION": "us-east-1",
	}
	file := filepath.Join(t.TempDir(), "body.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"from":"file"}`), 0o600))

	for _, tc := range []struct {
		name     string
		args     []string
		stdin    string
		vars     map[string]string
		code     int
		want     map[string]any
		stderr   string
		noStdout bool
	}{
		{name: "get", args: []string{srv.URL + "/prod/items?limit=2"}, vars: good,
			want: map[string]any{"method": "GET", "path": "/prod/items", "query": "limit=2", "body": ""}},
		{name: "post data with headers", args: []string{"-H", "X-Test: yes", "-H", "Content-Type: application/json", "-d", `{"a":1}`, srv.URL + "/prod/items"}, vars: good,
			want: map[string]any{"method": "POST", "body": `{"a":1}`, "x-test": "yes", "ct": "application/json"}},
		{name: "put file", args: []string{"-X", "PUT", "-d", "@" + file, srv.URL + "/prod/items/1"}, vars: good,
			want: map[string]any{"method": "PUT", "body": `{"from":"file"}`, "path": "/prod/items/1"}},
		{name: "stdin body", args: []string{"-d", "@-", srv.URL + "/p"}, stdin: "from stdin", vars: good,
			want: map[string]any{"method": "POST", "body": "from stdin"}},
		{name: "explicit region flag", args: []string{"-region", "us-east-1", srv.URL + "/p"},
			vars: map[string]string{"AWS_ACCESS_KEY_ID": callAKID, "AWS_SECRET_ACCESS_KEY": callSecret, "AWS_SESSION_TOKEN": callToken},
			want: map[string]any{"method": "GET"}},
		{name: "wrong secret: 403, exit 22", args: []string{srv.URL + "/p"},
			vars: map[string]string{"AWS_ACCESS_KEY_ID": callAKID, "AWS_SECRET_ACCESS_KEY": "nope", "AWS_SESSION_TOKEN": callToken, "AWS_REGION": "us-east-1"},
			code: 22, stderr: "cognitoctl call: HTTP/1.1 403 Forbidden: The request signature we calculated does not match", noStdout: true},
		{name: "wrong region: 403, exit 22", args: []string{"-region", "eu-west-1", srv.URL + "/p"}, vars: good,
			code: 22, stderr: "403 Forbidden: Credential should be scoped to a valid region, not 'eu-west-1'.", noStdout: true},
		{name: "handler error status", args: []string{srv.URL + "/fail"}, vars: good,
			code: 22, stderr: "cognitoctl call: HTTP/1.1 418 I'm a teapot\n", noStdout: true},
		{name: "no URL", args: []string{"-X", "GET"}, vars: good, code: 2, stderr: "want exactly one URL"},
		{name: "relative URL", args: []string{"/p"}, vars: good, code: 2, stderr: "URL must be absolute"},
		{name: "bad header", args: []string{"-H", "nocolon", srv.URL}, vars: good, code: 2, stderr: "want 'Name: value'"},
		{name: "missing file", args: []string{"-d", "@/does/not/exist", srv.URL}, vars: good, code: 2, stderr: "-d @/does/not/exist"},
		{name: "region inferred from an API Gateway Host", args: []string{"-H", "Host: abc123.execute-api.us-east-1.amazonaws.com", srv.URL + "/prod/x"},
			vars: map[string]string{"AWS_ACCESS_KEY_ID": callAKID, "AWS_SECRET_ACCESS_KEY": callSecret, "AWS_SESSION_TOKEN": callToken},
			want: map[string]any{"method": "GET", "path": "/prod/x"}},
		{name: "no region", args: []string{srv.URL + "/p"},
			vars: map[string]string{"AWS_ACCESS_KEY_ID": callAKID, "AWS_SECRET_ACCESS_KEY": callSecret},
			code: 2, stderr: "no region"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "no region" || strings.HasPrefix(tc.name, "region inferred") {
				t.Setenv("AWS_REGION", "")
				t.Setenv("AWS_DEFAULT_REGION", "")
				t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
				t.Setenv("AWS_PROFILE", "")
			}
			env, out, errb := callEnv(tc.stdin, tc.vars)
			code := runCLI(context.Background(), env, append([]string{"call"}, tc.args...))
			require.Equal(t, tc.code, code, "stderr: %s", errb.String())
			if tc.stderr != "" {
				assert.Contains(t, errb.String(), tc.stderr)
			}
			if tc.noStdout {
				assert.Empty(t, out.String())
			}
			if tc.want != nil {
				var got map[string]any
				require.NoError(t, json.Unmarshal(out.Bytes(), &got), out.String())
				for k, v := range tc.want {
					assert.Equal(t, v, got[k], k)
				}
			}
		})
	}
}

func TestCallHelp(t *testing.T) {
	env, _, errb := callEnv("", nil)
	assert.Equal(t, 0, runCLI(context.Background(), env, []string{"call", "-h"}))
	assert.Contains(t, errb.String(), "usage: cognitoctl call")
}
