package lambdafn

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// goHandler is a Go function invoked through aws-lambda-go's JSON handler,
// as the Lambda Go runtime invokes it.
type goHandler struct {
	arn     string
	handler lambda.Handler
}

var _ Function = (*goHandler)(nil)

// RegisterHandler registers a Go handler under arn: any function
// lambda.NewHandler accepts (func(), func(ctx, TIn) (TOut, error), …) or a
// lambda.Handler. Each invocation marshals the event to JSON, calls
// Handler.Invoke with a context carrying lambdacontext (request ID,
// invoked ARN) and the deadline, and returns the JSON it produced. A
// returned error or a panic becomes a *FunctionError whose Type is the
// error's Go type name, as the Go runtime reports it.
//
// A handler that ignores its context and outlives the timeout keeps
// running in its goroutine after Invoke has returned *TimeoutError.
func (r *Registry) RegisterHandler(arn string, handler any) error {
	if err := checkHandler(handler); err != nil {
		return fmt.Errorf("%w: handler for %s: %v", ErrInvalidSpec, arn, err)
	}
	return r.Register(arn, &goHandler{arn: arn, handler: lambda.NewHandler(handler)})
}

// checkHandler applies lambda.NewHandler's rules up front, so a bad
// signature fails at registration rather than at every invocation.
func checkHandler(h any) error {
	if h == nil {
		return errors.New("handler is nil")
	}
	if _, ok := h.(lambda.Handler); ok {
		return nil
	}
	t := reflect.TypeOf(h)
	if t.Kind() != reflect.Func {
		return fmt.Errorf("handler kind %s is not func", t.Kind())
	}
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	errType := reflect.TypeOf((*error)(nil)).Elem()
	switch t.NumIn() {
	case 0:
	case 1:
	case 2:
		if !t.In(0).Implements(ctxType) {
			return errors.New("handler takes two arguments, but the first is not a context.Context")
		}
	default:
		return fmt.Errorf("handler takes %d arguments, at most 2 allowed", t.NumIn())
	}
	switch t.NumOut() {
	case 0:
	case 1:
		if !t.Out(0).Implements(errType) {
			return errors.New("handler returns a single value, but it does not implement error")
		}
	case 2:
		if !t.Out(1).Implements(errType) {
			return errors.New("handler returns two values, but the second does not implement error")
		}
	default:
		return fmt.Errorf("handler returns %d values, at most 2 allowed", t.NumOut())
	}
	return nil
}

type handlerResult struct {
	out []byte
	err error
}

func (g *goHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	var hctx context.Context
	var cancel context.CancelFunc
	if _, ok := ctx.Deadline(); ok {
		// Share the caller's deadline: the handler sees it expire no
		// sooner than the caller, so its ctx.Err() is never mistaken for
		// a function error.
		hctx, cancel = context.WithCancel(ctx)
	} else {
		hctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
	}
	hctx = lambdacontext.NewContext(hctx, &lambdacontext.LambdaContext{
		AwsRequestID:       newRequestID(),
		InvokedFunctionArn: g.arn,
	})
	done := make(chan handlerResult, 1)
	go func() {
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				done <- handlerResult{err: &FunctionError{ARN: g.arn, Type: typeName(p), Message: fmt.Sprint(p)}}
			}
		}()
		out, err := g.handler.Invoke(hctx, payload)
		if err != nil {
			done <- handlerResult{err: g.functionError(err)}
			return
		}
		done <- handlerResult{out: out}
	}()
	select {
	case res := <-done:
		return res.out, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// functionError renders err as the Lambda Go runtime does
// (lambda/errors.go: lambdaErrorResponse).
func (g *goHandler) functionError(err error) *FunctionError {
	var ive messages.InvokeResponse_Error
	if errors.As(err, &ive) {
		return &FunctionError{ARN: g.arn, Type: ive.Type, Message: ive.Message}
	}
	return &FunctionError{ARN: g.arn, Type: typeName(err), Message: err.Error()}
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// newRequestID returns a random UUID (version 4), as Lambda's request IDs are.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
