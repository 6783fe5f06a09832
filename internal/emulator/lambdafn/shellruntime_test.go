package lambdafn

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// shellRuntime is a custom runtime in the style of the Lambda developer
// guide's tutorial ("Building a custom runtime"): a shell loop that polls
// /next with curl, reads the request ID from the headers and posts
// /response — or /error with Lambda-Runtime-Function-Error-Type. It is a
// Runtime API client written by nobody who wrote our server.
const shellRuntime = `#!/bin/sh
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -LD "$HEADERS" "$API/invocation/next")"
  REQUEST_ID="$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)"
  FN_ARN="$(grep -Fi Lambda-Runtime-Invoked-Function-Arn "$HEADERS" | tr -d '[:space:]' | cut -d: -f2-)"
  rm -f "$HEADERS"
  case "$EVENT" in
    *fail*)
      curl -sS -X POST -H "Lambda-Runtime-Function-Error-Type: Shell.Error" \
        -d '{"errorMessage":"shell says no","errorType":"Shell.Error"}' "$API/invocation/$REQUEST_ID/error" >/dev/null ;;
    *)
      curl -sS -X POST -d "{\"event\":$EVENT,\"arn\":\"$FN_ARN\",\"fn\":\"$AWS_LAMBDA_FUNCTION_NAME\"}" \
        "$API/invocation/$REQUEST_ID/response" >/dev/null ;;
  esac
done
`

func TestShellCustomRuntime(t *testing.T) {
	interop.LookPath(t, "sh")
	interop.LookPath(t, "curl")
	dir := t.TempDir()
	bootstrap := filepath.Join(dir, "bootstrap")
	require.NoError(t, os.WriteFile(bootstrap, []byte(shellRuntime), 0o700))

	r := New(func(o *Options) { o.Timeout = 10 * time.Second })
	defer r.Close()
	require.NoError(t, r.RegisterProgram(testARN, bootstrap))
	ctx := context.Background()

	for i := 0; i < 3; i++ {
		var out struct {
			Event map[string]any `json:"event"`
			ARN   string         `json:"arn"`
			Fn    string         `json:"fn"`
		}
		require.NoError(t, r.InvokeJSON(ctx, testARN, map[string]any{"n": float64(i)}, &out))
		assert.Equal(t, map[string]any{"n": float64(i)}, out.Event)
		assert.Equal(t, testARN, out.ARN)
		assert.Equal(t, "my-fn", out.Fn)
	}
	err := r.InvokeJSON(ctx, testARN, map[string]any{"please": "fail"}, nil)
	var fe *FunctionError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, FunctionError{ARN: testARN, Type: "Shell.Error", Message: "shell says no"}, *fe)
}
