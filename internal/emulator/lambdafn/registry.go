// Package lambdafn resolves a Lambda function ARN to something the emulator
// can invoke, with Lambda's semantics: a JSON event in, a JSON document or a
// typed error out, within a timeout.
//
// A function is one of three things:
//
//   - a Go handler registered with RegisterHandler: any function signature
//     that github.com/aws/aws-lambda-go/lambda.NewHandler accepts, invoked
//     through JSON exactly as the Lambda Go runtime would (for tests);
//   - a compiled Lambda program registered with RegisterProgram (ARN=PATH):
//     the unmodified `bootstrap` is started as a child process with
//     AWS_LAMBDA_RUNTIME_API pointing at a Lambda Runtime API served on
//     127.0.0.1 for it, one invocation at a time, restarted when it dies;
//   - a Lambda Invoke API endpoint registered with RegisterEndpoint
//     (ARN=URL), such as `sam local start-lambda`.
//
// For most uses, build a Registry with New, register functions (ParseSpec
// turns a `-function ARN=PATH|URL` flag into a Spec for Add), call
// Registry.InvokeJSON, and Close the registry when done.
//
// Errors: everything Invoke returns wraps one of the Err… sentinels
// (errors.Is) and, where details help, is one of the typed errors
// (*FunctionError, *TimeoutError, *ResponseError, *InvokeError).
package lambdafn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// DefaultTimeout is how long an invocation may take: Amazon Cognito waits
// five seconds for a trigger.
const DefaultTimeout = 5 * time.Second

// Function is something invokable: payload in, response out. An
// implementation returns a *FunctionError for an error the function
// reported and honours ctx's deadline.
type Function interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Options configure a Registry.
type Options struct {
	// Timeout bounds every invocation; zero means DefaultTimeout.
	Timeout time.Duration
	// Region is AWS_REGION for programs; empty means the ARN's region.
	Region string
	// Env is extra environment for programs ("KEY=VALUE").
	Env []string
	// Output receives programs' stdout and stderr; nil discards them.
	Output io.Writer
	// HTTPClient calls Invoke API endpoints; nil means a client that does
	// not follow redirects.
	HTTPClient *http.Client
}

// Registry maps function ARNs to functions. It is safe for concurrent use.
type Registry struct {
	opts Options

	mu     sync.RWMutex
	fns    map[string]Function
	closed bool
}

// New returns an empty Registry.
func New(optFns ...func(*Options)) *Registry {
	var o Options
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	return &Registry{opts: o, fns: map[string]Function{}}
}

// Timeout is the registry's invocation timeout.
func (r *Registry) Timeout() time.Duration { return r.opts.Timeout }

// Register puts fn under arn, replacing (and closing, if it is an
// io.Closer) any function registered there before.
func (r *Registry) Register(arn string, fn Function) error {
	if _, err := ParseARN(arn); err != nil {
		return err
	}
	if fn == nil {
		return fmt.Errorf("%w: nil function for %s", ErrInvalidSpec, arn)
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return ErrClosed
	}
	old := r.fns[arn]
	r.fns[arn] = fn
	r.mu.Unlock()
	closeFunction(old)
	return nil
}

// Has reports whether a function is registered under arn.
func (r *Registry) Has(arn string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	_, ok := r.fns[arn]
	return ok
}

// Invoke runs the function registered under arn with payload, within the
// registry's timeout (or ctx's deadline, if sooner), and returns its raw
// response.
func (r *Registry) Invoke(ctx context.Context, arn string, payload []byte) ([]byte, error) {
	r.mu.RLock()
	fn, ok := r.fns[arn]
	closed := r.closed
	r.mu.RUnlock()
	if closed {
		return nil, ErrClosed
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrFunctionNotFound, arn)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, r.opts.Timeout, errTimeoutCause)
	defer cancel()
	out, err := fn.Invoke(ctx, payload)
	if err != nil {
		if context.Cause(ctx) == errTimeoutCause || errors.Is(err, ErrTimeout) {
			return nil, &TimeoutError{ARN: arn, Timeout: r.opts.Timeout}
		}
		if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
			return nil, fmt.Errorf("lambdafn: invoking %s: %w", arn, ctxErr)
		}
		return nil, err
	}
	return out, nil
}

var errTimeoutCause = errors.New("lambdafn: invocation timeout")

// InvokeJSON marshals event, invokes the function under arn and
// unmarshals its response into out (a pointer). A response that is not a
// JSON object, or does not decode into out, is a *ResponseError.
func (r *Registry) InvokeJSON(ctx context.Context, arn string, event, out any) error {
	payload, err := json.Marshal(event)
	if err != nil {
		return fmt.Errorf("lambdafn: encoding event for %s: %w", arn, err)
	}
	resp, err := r.Invoke(ctx, arn, payload)
	if err != nil {
		return err
	}
	return DecodeResponse(arn, resp, out)
}

// DecodeResponse decodes a function's response into out, as InvokeJSON
// does: it must be one JSON object.
func DecodeResponse(arn string, resp []byte, out any) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(resp, &obj); err != nil {
		return &ResponseError{ARN: arn, Err: fmt.Errorf("not a JSON object: %w", err)}
	}
	if obj == nil {
		return &ResponseError{ARN: arn, Err: errors.New("response is null")}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp, out); err != nil {
		return &ResponseError{ARN: arn, Err: err}
	}
	return nil
}

// Close stops every program the registry started and refuses further
// invocations. It is safe to call more than once.
func (r *Registry) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	fns := r.fns
	r.fns = map[string]Function{}
	r.mu.Unlock()
	var errs []error
	for _, fn := range fns {
		errs = append(errs, closeFunction(fn))
	}
	return errors.Join(errs...)
}

func closeFunction(fn Function) error {
	if c, ok := fn.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
