package cognitotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// The Lambda trigger tests (issue 15): Go handlers registered under an
// ARN record the raw event JSON the emulator sends; each event is compared
// with the event the developer guide documents for its trigger source
// (internal/emulator/triggers/testdata/events), and each response field's
// effect is checked through the API.

const (
	trigPassword = "Test-Password-1"
	region       = "us-east-1"
)

// recorder is a Go Lambda handler that records every event it gets and
// answers with what respond makes of it (the event itself by default).
type recorder struct {
	mu      sync.Mutex
	events  []json.RawMessage
	respond func(ev map[string]any) (map[string]any, error)
}

func (r *recorder) handle(_ context.Context, raw json.RawMessage) (json.RawMessage, error) {
	r.mu.Lock()
	r.events = append(r.events, append(json.RawMessage(nil), raw...))
	respond := r.respond
	r.mu.Unlock()
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	if respond != nil {
		var err error
		if ev, err = respond(ev); err != nil {
			return nil, err
		}
	}
	return json.Marshal(ev)
}

// set makes the recorder answer with fields put in the event's response.
func (r *recorder) set(fields map[string]any) *recorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.respond = func(ev map[string]any) (map[string]any, error) {
		resp, _ := ev["response"].(map[string]any)
		if resp == nil {
			resp = map[string]any{}
		}
		for k, v := range fields {
			resp[k] = v
		}
		ev["response"] = resp
		return ev, nil
	}
	return r
}

// fail makes the recorder's function fail with msg.
func (r *recorder) fail(msg string) *recorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.respond = func(map[string]any) (map[string]any, error) { return nil, errors.New(msg) }
	return r
}

// take returns the events recorded since the last take, decoded.
func (r *recorder) take() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]map[string]any, len(r.events))
	for i, raw := range r.events {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			panic(err)
		}
	}
	r.events = nil
	return out
}

// only returns the single event recorded since the last take.
func (r *recorder) only(t *testing.T) map[string]any {
	t.Helper()
	evs := r.take()
	require.Len(t, evs, 1, "one invocation")
	return evs[0]
}

// trigEnv is a server with one pool whose triggers are recorders.
type trigEnv struct {
	srv    *cognitotest.Server
	idp    *cip.Client
	pool   string
	client string
	fns    map[string]*recorder // by trigger name
}

// trigARN is the ARN of the test function for a trigger.
func trigARN(trigger string) string {
	return "arn:aws:lambda:us-east-1:123456789012:function:" + trigger
}

// newTrigEnv creates a server and a pool whose listed triggers each have
// their own recorder (ARN trigARN(name)).
func newTrigEnv(t testing.TB, po cognitotest.PoolOptions, co cognitotest.ClientOptions, trigs ...string) *trigEnv {
	t.Helper()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	e := &trigEnv{srv: srv, idp: cip.NewFromConfig(srv.Config()), fns: map[string]*recorder{}}
	lc := &cognitotest.LambdaConfig{}
	for _, name := range trigs {
		r := &recorder{}
		e.fns[name] = r
		require.NoError(t, srv.RegisterFunction(trigARN(name), r.handle))
		arn := trigARN(name)
		switch name {
		case "PreSignUp":
			lc.PreSignUp = arn
		case "PostConfirmation":
			lc.PostConfirmation = arn
		case "CustomMessage":
			lc.CustomMessage = arn
		case "UserMigration":
			lc.UserMigration = arn
		default:
			t.Fatalf("no such trigger %s", name)
		}
	}
	po.LambdaConfig = lc
	e.pool = srv.MustCreateUserPool(po)
	e.client = srv.MustCreateUserPoolClient(e.pool, co).ID
	return e
}

// referenceEvent reads the documented event of a trigger source.
func referenceEvent(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "internal", "emulator", "triggers", "testdata", "events", name+".json"))
	require.NoError(t, err)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(b, &ev))
	return ev
}

// freeMaps are the members whose keys are data (attribute names,
// metadata keys), compared by value in each test rather than by shape.
var freeMaps = map[string]bool{"userAttributes": true, "clientMetadata": true, "validationData": true,
	"privateChallengeParameters": true, "publicChallengeParameters": true}

// assertLikeReference checks got field by field against the documented
// event ref: the same members at every level, each of the same JSON kind
// (null, string, boolean, object…), and the same version and
// triggerSource; the values of the free maps and of the header are
// checked by the caller.
func assertLikeReference(t *testing.T, ref, got map[string]any) {
	t.Helper()
	assert.Equal(t, ref["version"], got["version"], "version")
	assert.Equal(t, ref["triggerSource"], got["triggerSource"], "triggerSource")
	var walk func(path string, r, g any)
	walk = func(path string, r, g any) {
		if kind(r) != kind(g) {
			t.Errorf("%s: documented %s, sent %s (%v)", path, kind(r), kind(g), g)
			return
		}
		rm, ok := r.(map[string]any)
		if !ok || freeMaps[path[strings.LastIndex(path, ".")+1:]] {
			return
		}
		gm := g.(map[string]any)
		assert.Equal(t, keys(rm), keys(gm), "members of %s", path)
		for k, rv := range rm {
			if gv, ok := gm[k]; ok {
				walk(path+"."+k, rv, gv)
			}
		}
	}
	walk("event", ref, got)
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "?"
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// assertHeader checks the common fields of an event.
func (e *trigEnv) assertHeader(t *testing.T, ev map[string]any, source, userName, clientID string) {
	t.Helper()
	assert.Equal(t, source, ev["triggerSource"])
	assert.Equal(t, region, ev["region"])
	assert.Equal(t, e.pool, ev["userPoolId"])
	assert.Equal(t, userName, ev["userName"])
	cc, _ := ev["callerContext"].(map[string]any)
	require.NotNil(t, cc, "callerContext")
	assert.Equal(t, clientID, cc["clientId"])
	assert.True(t, strings.HasPrefix(cc["awsSdkVersion"].(string), "aws-sdk-go-v2-"), "awsSdkVersion %v from the SDK's User-Agent", cc["awsSdkVersion"])
}

// request returns member name of an event's request.
func request(ev map[string]any, name string) any {
	return ev["request"].(map[string]any)[name]
}

// strMap converts a decoded JSON object of strings.
func strMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for k, x := range m {
		out[k], _ = x.(string)
	}
	return out
}

// apiErr asserts that err is the Cognito error code with message msg
// ("" for any).
func apiErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "want %s, got %v", code, err)
	assert.Equal(t, code, ae.ErrorCode())
	if msg != "" {
		assert.Equal(t, msg, ae.ErrorMessage())
	}
}

// user returns a user's status and attributes (AdminGetUser), or the
// error.
func (e *trigEnv) user(username string) (string, map[string]string, error) {
	out, err := e.idp.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: &e.pool, Username: &username})
	if err != nil {
		return "", nil, err
	}
	attrs := map[string]string{}
	for _, a := range out.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return string(out.UserStatus), attrs, nil
}

// messages returns what the pool sent to username.
func (e *trigEnv) messages(username string) []cognitotest.Message {
	var out []cognitotest.Message
	for _, m := range e.srv.Messages(e.pool) {
		if m.Username == username {
			out = append(out, m)
		}
	}
	return out
}
