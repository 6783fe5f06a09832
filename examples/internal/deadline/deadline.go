// Package deadline gives the example commands (cognitoctl, quickstart) one
// way to bound their network calls: an HTTP client whose dial, TLS
// handshake and response-header waits are limited, a context deadline over
// the whole exchange (the AWS SDK retries timeouts, so only the context
// bounds the total), and a one-line error naming the endpoint that did not
// answer and the limit.
//
// For most uses: c := deadline.New(timeout); load the AWS configuration
// with c.LoadOptions()... (and use c.HTTP, or c.Transport as a base
// RoundTripper, for plain HTTP); run the calls under
// ctx, cancel := c.Context(parent); and report err as c.Err(ctx, err).
package deadline

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Client is an HTTP client whose waits are bounded, and that remembers the
// last endpoint it sent a request to, so that a timeout can name it.
type Client struct {
	// HTTP sends requests through Transport. It has no overall Timeout:
	// bound a whole exchange with Context.
	HTTP *http.Client
	// Transport is the bounded *http.Transport wrapped so that it records
	// each request's endpoint; use it as the base of other RoundTrippers
	// (a SigV4 signer).
	Transport http.RoundTripper
	// SDK is the AWS SDK's HTTP client with the same bounds. It is an
	// *awshttp.BuildableClient, as the SDK needs for AWS_CA_BUNDLE.
	SDK *awshttp.BuildableClient
	// Timeout is the limit New was given.
	Timeout time.Duration

	last atomic.Pointer[string]
}

// New returns a Client whose dial, TLS handshake and response-header waits
// each end after timeout (a non-positive timeout means 30 s).
func New(timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	bound := func(tr *http.Transport) {
		tr.TLSHandshakeTimeout = timeout
		tr.ResponseHeaderTimeout = timeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
	bound(tr)
	c := &Client{Timeout: timeout}
	c.Transport = &recorder{base: tr, c: c}
	c.HTTP = &http.Client{Transport: c.Transport}
	c.SDK = awshttp.NewBuildableClient().
		WithTimeout(0). // the context bounds the whole exchange, retries included
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = timeout }).
		WithTransportOptions(bound)
	return c
}

// LoadOptions are the AWS configuration options that make the SDK's
// clients send through c.SDK and record each request's endpoint for Err.
func (c *Client) LoadOptions() []func(*config.LoadOptions) error {
	return []func(*config.LoadOptions) error{
		config.WithHTTPClient(c.SDK),
		config.WithAPIOptions([]func(*middleware.Stack) error{c.recordEndpoint}),
	}
}

// recordEndpoint adds a finalize step that records the request's endpoint
// (after endpoint resolution, so the real one).
func (c *Client) recordEndpoint(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("cognitokit.deadlineEndpoint",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
				c.record(req.URL)
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// record notes u's scheme://host as the last endpoint.
func (c *Client) record(u *url.URL) {
	ep := (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	c.last.Store(&ep)
}

// Context returns parent bounded by the Client's timeout.
func (c *Client) Context(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, c.Timeout)
}

// Run runs call under parent bounded by c's timeout and reports its error
// as c.Err does. A nil c runs call under parent unbounded.
func Run[T any](parent context.Context, c *Client, call func(context.Context) (T, error)) (T, error) {
	if c == nil {
		return call(parent)
	}
	ctx, cancel := c.Context(parent)
	defer cancel()
	v, err := call(ctx)
	return v, c.Err(ctx, err)
}

// Endpoint returns scheme://host of the last request sent, or "".
func (c *Client) Endpoint() string {
	if p := c.last.Load(); p != nil {
		return *p
	}
	return ""
}

// Err returns err, or a *TimeoutError when err comes from ctx's deadline
// or a network timeout: the endpoint did not answer in time. ctx is the
// one Context returned.
func (c *Client) Err(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		return err
	}
	var ne net.Error
	timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
	if !timedOut {
		return err
	}
	ep := c.Endpoint()
	if ep == "" {
		ep = "the endpoint"
	}
	return &TimeoutError{Endpoint: ep, Timeout: c.Timeout, Err: err}
}

// TimeoutError reports an endpoint that did not answer within the limit.
type TimeoutError struct {
	// Endpoint is scheme://host of the request that got no answer.
	Endpoint string
	// Timeout is the limit (the command's -timeout).
	Timeout time.Duration
	// Err is the error the call ended with.
	Err error
}

// Error returns "no answer from ENDPOINT within TIMEOUT (-timeout)".
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no answer from %s within %s (-timeout)", e.Endpoint, e.Timeout)
}

// Unwrap returns the error the call ended with.
func (e *TimeoutError) Unwrap() error { return e.Err }

// recorder notes each request's endpoint before sending it.
type recorder struct {
	base http.RoundTripper
	c    *Client
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.c.record(req.URL)
	return r.base.RoundTrip(req)
}

var _ http.RoundTripper = (*recorder)(nil)
