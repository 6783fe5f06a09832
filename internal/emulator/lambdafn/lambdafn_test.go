package lambdafn

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testARN  = "arn:aws:lambda:eu-west-1:123456789012:function:my-fn"
	testARN2 = "arn:aws:lambda:eu-west-1:123456789012:function:other:live"
	progEnv  = "LAMBDAFN_TEST_PROGRAM"
)

// TestMain turns the test binary into an unmodified aws-lambda-go program
// when the registry starts it (progEnv set), so program tests need no
// build step. examples/triggers builds a real one.
func TestMain(m *testing.M) {
	switch os.Getenv(progEnv) {
	case "":
		os.Exit(m.Run())
	case "echo":
		lambda.Start(echoHandler)
	case "crash":
		fmt.Fprintln(os.Stderr, "crashing at init")
		os.Exit(2)
	}
}

// echoHandler answers with what the program saw: the event, its
// environment and its Lambda context; event fields make it misbehave.
func echoHandler(ctx context.Context, ev map[string]any) (any, error) {
	if d, ok := ev["sleep"].(string); ok {
		dur, _ := time.ParseDuration(d)
		time.Sleep(dur)
	}
	switch {
	case ev["fail"] != nil:
		return nil, errors.New(ev["fail"].(string))
	case ev["panic"] != nil:
		panic(ev["panic"])
	case ev["exit"] != nil:
		os.Exit(3)
	case ev["string"] != nil:
		return "just a string", nil
	}
	lc, _ := lambdacontext.FromContext(ctx)
	dl, _ := ctx.Deadline()
	env := map[string]string{}
	for _, k := range []string{"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
		"AWS_LAMBDA_FUNCTION_TIMEOUT", "AWS_REGION", "_HANDLER", "LAMBDA_TASK_ROOT", "EXTRA", "_X_AMZN_TRACE_ID"} {
		env[k] = os.Getenv(k)
	}
	return map[string]any{"event": ev, "env": env, "arn": lc.InvokedFunctionArn, "requestId": lc.AwsRequestID,
		"deadlineInFuture": time.Until(dl) > 0, "pid": os.Getpid()}, nil
}

type echoResponse struct {
	Event            map[string]any    `json:"event"`
	Env              map[string]string `json:"env"`
	ARN              string            `json:"arn"`
	RequestID        string            `json:"requestId"`
	DeadlineInFuture bool              `json:"deadlineInFuture"`
	PID              int               `json:"pid"`
}

func newProgramRegistry(t testing.TB, mode string, timeout time.Duration) *Registry {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	r := New(func(o *Options) {
		o.Timeout = timeout
		o.Env = []string{progEnv + "=" + mode, "EXTRA=yes"}
	})
	t.Cleanup(func() { _ = r.Close() })
	require.NoError(t, r.RegisterProgram(testARN, exe))
	return r
}

func TestProgramRunsUnmodifiedLambda(t *testing.T) {
	r := newProgramRegistry(t, "echo", 10*time.Second)
	var first echoResponse
	require.NoError(t, r.InvokeJSON(context.Background(), testARN, map[string]any{"hello": "world"}, &first))
	assert.Equal(t, map[string]any{"hello": "world"}, first.Event)
	assert.Equal(t, testARN, first.ARN)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, first.RequestID)
	assert.True(t, first.DeadlineInFuture)
	exe, _ := os.Executable()
	assert.Equal(t, map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME": "my-fn", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_FUNCTION_TIMEOUT": "10",
		"AWS_REGION": "eu-west-1", "_HANDLER": filepath.Base(exe), "LAMBDA_TASK_ROOT": filepath.Dir(exe),
		"EXTRA": "yes", "_X_AMZN_TRACE_ID": first.Env["_X_AMZN_TRACE_ID"],
	}, first.Env)
	assert.Regexp(t, `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`, first.Env["_X_AMZN_TRACE_ID"])

	var second echoResponse
	require.NoError(t, r.InvokeJSON(context.Background(), testARN, map[string]any{"n": 2.0}, &second))
	assert.Equal(t, first.PID, second.PID, "the process is reused between invocations")
	assert.NotEqual(t, first.RequestID, second.RequestID)
}

func TestProgramFunctionErrors(t *testing.T) {
	r := newProgramRegistry(t, "echo", 10*time.Second)
	ctx := context.Background()

	err := r.InvokeJSON(ctx, testARN, map[string]any{"fail": "no such user"}, nil)
	var fe *FunctionError
	require.ErrorAs(t, err, &fe)
	assert.ErrorIs(t, err, ErrFunction)
	assert.Equal(t, "errorString", fe.Type)
	assert.Equal(t, "no such user", fe.Message)

	// A panic: aws-lambda-go posts the error, then exits; the next
	// invocation gets a fresh process.
	var before echoResponse
	require.NoError(t, r.InvokeJSON(ctx, testARN, map[string]any{}, &before))
	err = r.InvokeJSON(ctx, testARN, map[string]any{"panic": "boom"}, nil)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "boom", fe.Message)
	assert.Equal(t, "string", fe.Type)
	var after echoResponse
	require.NoError(t, r.InvokeJSON(ctx, testARN, map[string]any{}, &after))
	assert.NotEqual(t, before.PID, after.PID)

	// Exiting mid-invocation is Lambda's Runtime.ExitError.
	err = r.InvokeJSON(ctx, testARN, map[string]any{"exit": true}, nil)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Runtime.ExitError", fe.Type)
	assert.Contains(t, fe.Message, "Runtime exited with error: exit status 3")
	require.NoError(t, r.InvokeJSON(ctx, testARN, map[string]any{}, &after), "restarted after the exit")

	// Not a JSON object.
	err = r.InvokeJSON(ctx, testARN, map[string]any{"string": true}, nil)
	var re *ResponseError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, ErrInvalidResponse)
}

func TestProgramCrashAtInit(t *testing.T) {
	r := newProgramRegistry(t, "crash", 10*time.Second)
	err := r.InvokeJSON(context.Background(), testARN, map[string]any{}, nil)
	var fe *FunctionError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "Runtime.ExitError", fe.Type)
	assert.Contains(t, fe.Message, "exit status 2")
}

func TestProgramTimeoutKillsAndRestarts(t *testing.T) {
	r := newProgramRegistry(t, "echo", 3*time.Second)
	ctx := context.Background()
	var before echoResponse
	require.NoError(t, r.InvokeJSON(ctx, testARN, map[string]any{}, &before))

	start := time.Now()
	err := r.InvokeJSON(ctx, testARN, map[string]any{"sleep": "20s"}, nil)
	var te *TimeoutError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.Equal(t, 3*time.Second, te.Timeout)
	assert.Less(t, time.Since(start), 15*time.Second, "the caller is not held for the function's whole run")

	var after echoResponse
	require.NoError(t, r.InvokeJSON(ctx, testARN, map[string]any{}, &after))
	assert.NotEqual(t, before.PID, after.PID, "a timed-out process is replaced")
}

func TestProgramQueuesConcurrentInvocations(t *testing.T) {
	r := newProgramRegistry(t, "echo", 20*time.Second)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	pids := make([]int, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out echoResponse
			errs[i] = r.InvokeJSON(context.Background(), testARN, map[string]any{"i": float64(i), "sleep": "20ms"}, &out)
			pids[i] = out.PID
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, i)
		assert.Equal(t, pids[0], pids[i], "one process serves them all, one at a time")
	}
}

func TestProgramClose(t *testing.T) {
	r := newProgramRegistry(t, "echo", 10*time.Second)
	var out echoResponse
	require.NoError(t, r.InvokeJSON(context.Background(), testARN, map[string]any{}, &out))
	require.NoError(t, r.Close())
	require.NoError(t, r.Close(), "Close is idempotent")
	proc, err := os.FindProcess(out.PID)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return proc.Signal(syscallZero) != nil }, 5*time.Second, 20*time.Millisecond, "the program was stopped")
	assert.ErrorIs(t, r.InvokeJSON(context.Background(), testARN, map[string]any{}, nil), ErrClosed)
	assert.ErrorIs(t, r.RegisterHandler(testARN, func() {}), ErrClosed)
}

func TestRegisterProgramRejectsNonExecutable(t *testing.T) {
	r := New()
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	require.NoError(t, os.WriteFile(plain, []byte("x"), 0o600))
	assert.ErrorIs(t, r.RegisterProgram(testARN, plain), ErrInvalidSpec)
	assert.ErrorIs(t, r.RegisterProgram(testARN, filepath.Join(dir, "missing")), ErrInvalidSpec)
	assert.ErrorIs(t, r.RegisterProgram(testARN, dir), ErrInvalidSpec)
	assert.ErrorIs(t, r.RegisterProgram("not-an-arn", plain), ErrInvalidSpec)
}

// The Runtime API itself, driven by hand as a custom runtime would.
func TestRuntimeAPIProtocol(t *testing.T) {
	proc := &process{pending: make(chan *invocation), exited: make(chan struct{})}
	srv := httptest.NewServer(proc)
	defer srv.Close()
	base := srv.URL + "/2018-06-01/runtime/"

	send := func(payload string) *invocation {
		inv := &invocation{id: newRequestID(), arn: testARN, payload: []byte(payload), deadline: time.Now().Add(time.Minute), result: make(chan handlerResult, 1)}
		go func() { proc.pending <- inv }()
		return inv
	}
	next := func() *http.Response {
		resp, err := http.Get(base + "invocation/next")
		require.NoError(t, err)
		return resp
	}
	post := func(path, body string, hdr map[string]string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		return resp
	}

	inv := send(`{"a":1}`)
	resp := next()
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `{"a":1}`, string(body))
	assert.Equal(t, inv.id, resp.Header.Get("Lambda-Runtime-Aws-Request-Id"))
	assert.Equal(t, testARN, resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"))
	assert.Equal(t, fmt.Sprint(inv.deadline.UnixMilli()), resp.Header.Get("Lambda-Runtime-Deadline-Ms"))
	assert.NotEmpty(t, resp.Header.Get("Lambda-Runtime-Trace-Id"))

	// A wrong request ID is refused and does not answer the invocation.
	wrong := post("invocation/"+newRequestID()+"/response", `{}`, nil)
	assert.Equal(t, 400, wrong.StatusCode)
	ok := post("invocation/"+inv.id+"/response", `{"ok":true}`, nil)
	assert.Equal(t, 202, ok.StatusCode)
	res := <-inv.result
	require.NoError(t, res.err)
	assert.JSONEq(t, `{"ok":true}`, string(res.out))
	assert.Equal(t, 400, post("invocation/"+inv.id+"/response", `{}`, nil).StatusCode, "answered only once")

	// /error with the error type in the header.
	inv = send(`{}`)
	next().Body.Close()
	assert.Equal(t, 202, post("invocation/"+inv.id+"/error", `{"errorMessage":"bad"}`, map[string]string{"Lambda-Runtime-Function-Error-Type": "Custom.Error"}).StatusCode)
	res = <-inv.result
	var fe *FunctionError
	require.ErrorAs(t, res.err, &fe)
	assert.Equal(t, FunctionError{ARN: testARN, Type: "Custom.Error", Message: "bad"}, *fe)

	// /init/error during an invocation fails it.
	inv = send(`{}`)
	next().Body.Close()
	assert.Equal(t, 202, post("init/error", `{"errorMessage":"no config","errorType":"InitError.Config"}`, nil).StatusCode)
	res = <-inv.result
	require.ErrorAs(t, res.err, &fe)
	assert.Equal(t, "InitError.Config", fe.Type)

	// Oversized responses are refused as Lambda refuses them.
	inv = send(`{}`)
	next().Body.Close()
	big := post("invocation/"+inv.id+"/response", strings.Repeat("x", maxResponse+1), nil)
	assert.Equal(t, 413, big.StatusCode)
	res = <-inv.result
	assert.ErrorIs(t, res.err, ErrInvalidResponse)

	assert.Equal(t, 404, post("invocation/x/other", ``, nil).StatusCode)
	assert.Equal(t, 405, post("invocation/next", ``, nil).StatusCode)
	r404, err := http.Get(srv.URL + "/nope")
	require.NoError(t, err)
	assert.Equal(t, 404, r404.StatusCode)
}

type customErr struct{ Reason string }

func (e *customErr) Error() string { return "custom: " + e.Reason }

func TestGoHandlers(t *testing.T) {
	type ev struct {
		Name string `json:"name"`
	}
	r := New(func(o *Options) { o.Timeout = 2 * time.Second })
	defer r.Close()
	ctx := context.Background()

	require.NoError(t, r.RegisterHandler(testARN, func(ctx context.Context, e ev) (ev, error) {
		lc, ok := lambdacontext.FromContext(ctx)
		if !ok || lc.InvokedFunctionArn != testARN || lc.AwsRequestID == "" {
			return ev{}, errors.New("no lambda context")
		}
		if _, ok := ctx.Deadline(); !ok {
			return ev{}, errors.New("no deadline")
		}
		switch e.Name {
		case "fail":
			return ev{}, &customErr{Reason: "nope"}
		case "panic":
			panic(fmt.Errorf("wrapped panic"))
		case "slow":
			<-ctx.Done()
			return ev{}, ctx.Err()
		}
		return ev{Name: "hello " + e.Name}, nil
	}))
	var out ev
	require.NoError(t, r.InvokeJSON(ctx, testARN, ev{Name: "ann"}, &out))
	assert.Equal(t, "hello ann", out.Name)

	var fe *FunctionError
	err := r.InvokeJSON(ctx, testARN, ev{Name: "fail"}, &out)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, FunctionError{ARN: testARN, Type: "customErr", Message: "custom: nope"}, *fe)

	err = r.InvokeJSON(ctx, testARN, ev{Name: "panic"}, &out)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "wrapped panic", fe.Message)

	err = r.InvokeJSON(ctx, testARN, ev{Name: "slow"}, &out)
	assert.ErrorIs(t, err, ErrTimeout)

	// Malformed event for the handler's type: the Go runtime's
	// unmarshal error is a function error.
	_, err = r.Invoke(ctx, testARN, []byte(`{"name":5}`))
	assert.ErrorIs(t, err, ErrFunction)

	// Other signatures NewHandler accepts.
	require.NoError(t, r.RegisterHandler(testARN2, func() error { return nil }))
	resp, err := r.Invoke(ctx, testARN2, []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, "null", string(resp))
	err = r.InvokeJSON(ctx, testARN2, map[string]any{}, nil)
	assert.ErrorIs(t, err, ErrInvalidResponse, "null is not a usable response")
	require.NoError(t, r.RegisterHandler(testARN2, func(e map[string]any) (map[string]any, error) { return e, nil }))
	var m map[string]any
	require.NoError(t, r.InvokeJSON(ctx, testARN2, map[string]any{"k": "v"}, &m))
	assert.Equal(t, map[string]any{"k": "v"}, m)
}

func TestRegisterHandlerRejectsBadSignatures(t *testing.T) {
	r := New()
	for name, h := range map[string]any{
		"nil":             nil,
		"not a func":      42,
		"three args":      func(context.Context, int, int) error { return nil },
		"two args no ctx": func(int, int) error { return nil },
		"one non-error":   func() int { return 0 },
		"second not err":  func() (int, int) { return 0, 0 },
		"three results":   func() (int, int, error) { return 0, 0, nil },
	} {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, r.RegisterHandler(testARN, h), ErrInvalidSpec)
		})
	}
	assert.ErrorIs(t, r.RegisterHandler("arn:aws:s3:::bucket", func() {}), ErrInvalidSpec)
	assert.ErrorIs(t, r.Register(testARN, nil), ErrInvalidSpec)
}

func TestInvokeUnknownFunction(t *testing.T) {
	r := New()
	_, err := r.Invoke(context.Background(), testARN, []byte(`{}`))
	assert.ErrorIs(t, err, ErrFunctionNotFound)
	assert.False(t, r.Has(testARN))
	require.NoError(t, r.RegisterHandler(testARN, func() {}))
	assert.True(t, r.Has(testARN))
}

func TestInvokeCallerCancellationIsNotATimeout(t *testing.T) {
	r := New()
	require.NoError(t, r.RegisterHandler(testARN, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := r.Invoke(ctx, testARN, []byte(`{}`))
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrTimeout)
}

func TestEndpoint(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("X-Amz-Invocation-Type"))
		mu.Unlock()
		var ev map[string]string
		_ = json.NewDecoder(r.Body).Decode(&ev)
		switch ev["do"] {
		case "fail":
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_, _ = io.WriteString(w, `{"errorMessage":"user exists","errorType":"Error"}`)
		case "fail-plain":
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_, _ = io.WriteString(w, `oops`)
		case "missing":
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/")
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"Type":"User","Message":"Function not found: my-fn"}`)
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"echo": ev})
		}
	}))
	defer srv.Close()

	r := New(func(o *Options) { o.Timeout = 500 * time.Millisecond })
	defer r.Close()
	spec, err := ParseSpec(testARN + "=" + srv.URL + "/")
	require.NoError(t, err)
	require.NoError(t, r.Add(spec))
	require.NoError(t, r.RegisterEndpoint(testARN2, srv.URL))
	ctx := context.Background()

	var out map[string]any
	require.NoError(t, r.InvokeJSON(ctx, testARN, map[string]string{"do": "echo"}, &out))
	assert.Equal(t, map[string]any{"echo": map[string]any{"do": "echo"}}, out)
	require.NoError(t, r.InvokeJSON(ctx, testARN2, map[string]string{}, &out))
	assert.Equal(t, []string{
		"POST /2015-03-31/functions/my-fn/invocations RequestResponse",
		"POST /2015-03-31/functions/other/invocations?Qualifier=live RequestResponse",
	}, seen)

	var fe *FunctionError
	require.ErrorAs(t, r.InvokeJSON(ctx, testARN, map[string]string{"do": "fail"}, &out), &fe)
	assert.Equal(t, FunctionError{ARN: testARN, Type: "Error", Message: "user exists"}, *fe)
	require.ErrorAs(t, r.InvokeJSON(ctx, testARN, map[string]string{"do": "fail-plain"}, &out), &fe)
	assert.Equal(t, FunctionError{ARN: testARN, Type: "Unhandled", Message: "oops"}, *fe)

	var ie *InvokeError
	err = r.InvokeJSON(ctx, testARN, map[string]string{"do": "missing"}, &out)
	require.ErrorAs(t, err, &ie)
	assert.ErrorIs(t, err, ErrInvoke)
	assert.Equal(t, 404, ie.StatusCode)
	assert.Equal(t, "ResourceNotFoundException", ie.Code)
	assert.Contains(t, ie.Error(), "Function not found")

	assert.ErrorIs(t, r.InvokeJSON(ctx, testARN, map[string]string{"do": "slow"}, &out), ErrTimeout)

	// Unreachable endpoint.
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	require.NoError(t, r.RegisterEndpoint(testARN, deadURL))
	assert.ErrorIs(t, r.InvokeJSON(ctx, testARN, map[string]string{}, &out), ErrInvoke)
	assert.ErrorIs(t, r.RegisterEndpoint(testARN, "ftp://x"), ErrInvalidSpec)
}

func TestParseSpec(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	tests := []struct {
		in   string
		want Spec
		ok   bool
	}{
		{testARN + "=" + exe, Spec{ARN: testARN, Path: exe}, true},
		{testARN + "=http://127.0.0.1:3001", Spec{ARN: testARN, URL: "http://127.0.0.1:3001"}, true},
		{testARN + "=https://lambda.local/base/", Spec{ARN: testARN, URL: "https://lambda.local/base"}, true},
		{testARN2 + "=http://127.0.0.1:3001", Spec{ARN: testARN2, URL: "http://127.0.0.1:3001"}, true},
		{testARN, Spec{}, false},
		{testARN + "=", Spec{}, false},
		{"my-fn=" + exe, Spec{}, false},
		{"arn:aws:lambda:eu-west-1:12345:function:x=" + exe, Spec{}, false},
		{testARN + "=/no/such/bootstrap", Spec{}, false},
		{testARN + "=ftp://host/x", Spec{}, false},
		{testARN + "=http://", Spec{}, false},
		{testARN + "=http://u:p@host", Spec{}, false},
		{testARN + "=http://host?x=1", Spec{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSpec(tt.in)
			if !tt.ok {
				assert.ErrorIs(t, err, ErrInvalidSpec)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.ErrorIs(t, New().Add(Spec{ARN: testARN}), ErrInvalidSpec)
}

func TestParseARN(t *testing.T) {
	a, err := ParseARN("arn:aws-cn:lambda:cn-north-1:123456789012:function:f_1:7")
	require.NoError(t, err)
	assert.Equal(t, ARN{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012", Name: "f_1", Qualifier: "7"}, a)
	_, err = ParseARN("arn:aws:lambda:us-east-1:123456789012:layer:x")
	assert.ErrorIs(t, err, ErrInvalidSpec)
}

func TestErrorsDoNotCarryResponses(t *testing.T) {
	err := DecodeResponse(testARN, []byte(`"secret-token"`), nil)
	require.ErrorIs(t, err, ErrInvalidResponse)
	assert.NotContains(t, err.Error(), "secret-token")
}

func TestSpecFlag(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var fns SpecFlag
	fs.Var(&fns, "function", "ARN=PATH|URL")
	require.NoError(t, fs.Parse([]string{"-function", testARN + "=" + exe, "-function", testARN2 + "=http://127.0.0.1:3001"}))
	assert.Equal(t, SpecFlag{{ARN: testARN, Path: exe}, {ARN: testARN2, URL: "http://127.0.0.1:3001"}}, fns)
	assert.Equal(t, testARN+"="+exe+","+testARN2+"=http://127.0.0.1:3001", fns.String())

	assert.Error(t, fs.Parse([]string{"-function", testARN + "=http://127.0.0.1:1"}), "an ARN mapped twice")
	assert.Error(t, fs.Parse([]string{"-function", "nonsense"}))
	assert.Equal(t, "", (*SpecFlag)(nil).String())
}

func TestCloseDuringInvocation(t *testing.T) {
	r := newProgramRegistry(t, "echo", 20*time.Second)
	done := make(chan error, 1)
	go func() { done <- r.InvokeJSON(context.Background(), testARN, map[string]any{"sleep": "10s"}, nil) }()
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, r.Close())
	select {
	case err := <-done:
		assert.ErrorIs(t, err, ErrClosed)
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the running invocation")
	}
}

func TestProgramThatNeverPolls(t *testing.T) {
	dir := t.TempDir()
	for name, script := range map[string]string{
		"exits":  "#!/bin/sh\nexit 0\n",
		"sleeps": "#!/bin/sh\nexec sleep 30\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			require.NoError(t, os.WriteFile(path, []byte(script), 0o700))
			r := New(func(o *Options) { o.Timeout = time.Second })
			defer r.Close()
			require.NoError(t, r.RegisterProgram(testARN, path))
			_, err := r.Invoke(context.Background(), testARN, []byte(`{}`))
			if name == "exits" {
				var fe *FunctionError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, "Runtime.ExitError", fe.Type)
				assert.Contains(t, fe.Message, "Runtime exited without providing a reason")
			} else {
				assert.ErrorIs(t, err, ErrTimeout)
			}
		})
	}
}
