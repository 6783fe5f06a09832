package lambdafn

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Every error Invoke returns wraps exactly one of them, so
// a caller branches with errors.Is; the typed errors below carry details
// for errors.As.
var (
	// ErrFunctionNotFound: no function is registered under the ARN.
	ErrFunctionNotFound = errors.New("lambdafn: function not found")
	// ErrFunction: the function ran and reported an error (a Go handler
	// returned or panicked, a process posted /error or exited mid-run, the
	// Invoke API answered X-Amz-Function-Error). See *FunctionError.
	ErrFunction = errors.New("lambdafn: function error")
	// ErrTimeout: the function did not answer within the timeout. See
	// *TimeoutError.
	ErrTimeout = errors.New("lambdafn: function timed out")
	// ErrInvalidResponse: the function answered something that is not the
	// JSON document the caller expects. See *ResponseError.
	ErrInvalidResponse = errors.New("lambdafn: invalid function response")
	// ErrInvoke: the function could not be invoked at all (the program
	// could not start, the endpoint is unreachable or refused the call).
	// See *InvokeError.
	ErrInvoke = errors.New("lambdafn: invoke failed")
	// ErrClosed: the registry was closed.
	ErrClosed = errors.New("lambdafn: registry closed")
	// ErrInvalidSpec: a function ARN, path, URL or handler was rejected at
	// registration.
	ErrInvalidSpec = errors.New("lambdafn: invalid function spec")
)

// FunctionError is an error the function itself reported, in the shape of
// Lambda's error payload ({"errorMessage","errorType"}). Lambda reports a
// runtime that exits during an invocation as errorType "Runtime.ExitError".
type FunctionError struct {
	ARN     string
	Type    string // errorType, e.g. "errorString", "Runtime.ExitError"
	Message string // errorMessage
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("lambdafn: function %s failed: %s: %s", e.ARN, e.Type, e.Message)
}

// Unwrap makes errors.Is(err, ErrFunction) true.
func (e *FunctionError) Unwrap() error { return ErrFunction }

// TimeoutError says the function took longer than Timeout.
type TimeoutError struct {
	ARN     string
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("lambdafn: function %s timed out after %s", e.ARN, e.Timeout)
}

// Unwrap makes errors.Is(err, ErrTimeout) true.
func (e *TimeoutError) Unwrap() error { return ErrTimeout }

// ResponseError says the function's response could not be used. Err is
// the decoding error; the response itself is not kept (it may hold
// secrets).
type ResponseError struct {
	ARN string
	Err error
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("lambdafn: function %s returned an unusable response: %v", e.ARN, e.Err)
}

// Unwrap returns both ErrInvalidResponse and the decoding error.
func (e *ResponseError) Unwrap() []error { return []error{ErrInvalidResponse, e.Err} }

// InvokeError says the function could not be invoked. StatusCode and Code
// are set when a Lambda Invoke API answered with an error.
type InvokeError struct {
	ARN        string
	StatusCode int
	Code       string
	Err        error
}

func (e *InvokeError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("lambdafn: invoking %s: HTTP %d %s: %v", e.ARN, e.StatusCode, e.Code, e.Err)
	}
	return fmt.Sprintf("lambdafn: invoking %s: %v", e.ARN, e.Err)
}

// Unwrap returns both ErrInvoke and the cause.
func (e *InvokeError) Unwrap() []error { return []error{ErrInvoke, e.Err} }
