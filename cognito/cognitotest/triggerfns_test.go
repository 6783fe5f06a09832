package cognitotest

// Helpers for the Lambda trigger tests: a Go handler that records the raw
// events Cognito's side sends, pools wired to it by LambdaConfig, and the
// field-by-field comparison with the reference events in
// testdata/triggers.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/jwks"
)

// recARN is the function the trigger tests register their recorder under.
const recARN = "arn:aws:lambda:us-east-1:123456789012:function:recorder"

// fnRecorder is a Go Lambda handler (func(ctx, json.RawMessage)
// (json.RawMessage, error), which lambda.NewHandler accepts) that records
// every event it is sent, raw, and answers with answer's "response" (nil:
// the event as received).
type fnRecorder struct {
	mu     sync.Mutex
	events []map[string]any
	answer func(ev map[string]any) (response any, err error)
}

func (r *fnRecorder) handle(_ context.Context, raw json.RawMessage) (json.RawMessage, error) {
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.events = append(r.events, ev)
	answer := r.answer
	r.mu.Unlock()
	var out map[string]any
	_ = json.Unmarshal(raw, &out) // a fresh copy: the recorded event stays as sent
	if answer != nil {
		resp, err := answer(ev)
		if err != nil {
			return nil, err
		}
		if resp != nil {
			out["response"] = resp
		}
	}
	return json.Marshal(out)
}

// of returns the events of triggerSource src recorded so far.
func (r *fnRecorder) of(src string) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, ev := range r.events {
		if ev["triggerSource"] == src {
			out = append(out, ev)
		}
	}
	return out
}

// sources lists the triggerSource of every event recorded, in order.
func (r *fnRecorder) sources() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []string{}
	for _, ev := range r.events {
		out = append(out, ev["triggerSource"].(string))
	}
	return out
}

func (r *fnRecorder) reset(answer func(ev map[string]any) (any, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events, r.answer = nil, answer
}

// one returns the only event of src, failing the test otherwise.
func (r *fnRecorder) one(t testing.TB, src string) map[string]any {
	t.Helper()
	evs := r.of(src)
	require.Len(t, evs, 1, "events of %s (all: %v)", src, r.sources())
	return evs[0]
}

// withTriggers registers a recorder under recARN and points the pool's
// LambdaConfig at it (UpdateUserPool: set update to keep settings that
// UpdateUserPool would reset).
func withTriggers(t testing.TB, f *fixture, lc types.LambdaConfigType, update func(*cip.UpdateUserPoolInput)) *fnRecorder {
	t.Helper()
	rec := &fnRecorder{}
	require.NoError(t, f.s.RegisterFunction(recARN, rec.handle))
	in := &cip.UpdateUserPoolInput{UserPoolId: &f.pool, LambdaConfig: &lc}
	if update != nil {
		update(in)
	}
	_, err := f.c.UpdateUserPool(ctx(), in)
	require.NoError(t, err)
	return rec
}

// referenceEvent reads testdata/triggers/<name>.json.
func referenceEvent(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "triggers", name+".json"))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// dataMaps are the members whose keys are data (attribute names,
// metadata keys), compared by type only.
var dataMaps = map[string]bool{"userAttributes": true, "clientMetadata": true, "validationData": true,
	"privateChallengeParameters": true, "publicChallengeParameters": true}

// assertSameShape compares an event with its reference field by field:
// the same members at every level (except inside data maps), each of the
// same JSON type, and the same "response" (as Cognito fills it before the
// function runs). Members named in mayLack may be absent from got (a
// clientMetadata that aws-lambda-go's types, like Cognito, leave out when
// the operation passes none).
func assertSameShape(t testing.TB, want, got map[string]any, path string, mayLack ...string) {
	t.Helper()
	for k, wv := range want {
		gv, ok := got[k]
		if !ok && slices.Contains(mayLack, k) {
			continue
		}
		if !assert.True(t, ok, "%s%s missing", path, k) {
			continue
		}
		if path == "" && k == "response" {
			assert.Equal(t, wv, gv, "response as sent")
			continue
		}
		if wv != nil { // a null in the reference is a value that may be absent
			assert.Equal(t, jsonType(wv), jsonType(gv), "%s%s: type", path, k)
		}
		wm, wok := wv.(map[string]any)
		gm, gok := gv.(map[string]any)
		if wok && gok && !dataMaps[k] {
			assertSameShape(t, wm, gm, path+k+".", mayLack...)
		}
	}
	for k := range got {
		_, ok := want[k]
		assert.True(t, ok, "%s%s not in the reference event", path, k)
	}
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		return "number"
	}
	return "?"
}

// assertHeader checks the common members of an event.
func assertHeader(t testing.TB, ev map[string]any, version, src, pool, username, clientID string) {
	t.Helper()
	assert.Equal(t, version, ev["version"])
	assert.Equal(t, src, ev["triggerSource"])
	assert.Equal(t, "us-east-1", ev["region"])
	assert.Equal(t, pool, ev["userPoolId"])
	assert.Equal(t, username, ev["userName"])
	cc, _ := ev["callerContext"].(map[string]any)
	require.NotNil(t, cc)
	assert.Equal(t, clientID, cc["clientId"])
	assert.NotEmpty(t, cc["awsSdkVersion"])
}

// request returns an event's request member.
func request(t testing.TB, ev map[string]any) map[string]any {
	t.Helper()
	r, ok := ev["request"].(map[string]any)
	require.True(t, ok, "request: %v", ev["request"])
	return r
}

// verifiedClaims verifies a token with the jwks package against the
// server's keys (use: jwks.TokenUseID or jwks.TokenUseAccess).
func verifiedClaims(t testing.TB, s *Server, pool, clientID, token string, use jwks.TokenUse) *jwks.Claims {
	t.Helper()
	v, err := jwks.NewVerifier(pool, func(o *jwks.Options) {
		o.Endpoint, o.ClientIDs, o.TokenUse, o.Clock, o.IgnoreEndpointEnv = s.URL, []string{clientID}, use, s.Now, true
	})
	require.NoError(t, err)
	c, err := v.Verify(ctx(), token)
	require.NoError(t, err)
	return c
}

// claim decodes one claim of verified claims c (nil when absent).
func claim(t testing.TB, c *jwks.Claims, name string) any {
	t.Helper()
	var v any
	ok, err := c.Decode(name, &v)
	require.NoError(t, err)
	if !ok {
		return nil
	}
	return v
}

// lambdaErr fails a handler with msg, as a Go Lambda returning an error.
func lambdaErr(msg string) error { return errors.New(msg) }
