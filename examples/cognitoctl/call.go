package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/sigv4client"
)

func init() {
	register(&command{
		name:    "call",
		summary: "make a SigV4-signed HTTP request (API Gateway AWS_IAM routes and other services)",
		run:     runCall,
	})
}

// callHeaders collects repeated -H 'Name: value' flags.
type callHeaders []string

func (h *callHeaders) String() string { return strings.Join(*h, ", ") }

func (h *callHeaders) Set(s string) error {
	name, _, ok := strings.Cut(s, ":")
	if !ok || strings.TrimSpace(name) == "" {
		return fmt.Errorf("want 'Name: value', got %q", s)
	}
	*h = append(*h, s)
	return nil
}

// callOptions is what the flags of call say.
type callOptions struct {
	method  string
	headers callHeaders
	data    string
	dataSet bool
	region  string
	service string
	url     *url.URL
	host    string // the Host header sent: a -H 'Host: …' or the URL's
	// identity holds the credentials subcommand's identity-pool flags;
	// fromPool is set when any was given.
	identity identityFlags
	fromPool bool
}

const callUsage = `usage: cognitoctl call [-X METHOD] [-H 'Name: value']... [-d DATA | -d @FILE | -d @-] [-region R] [-service S]
                      [-identity-pool-id ID [-login KEY=TOKEN]... [sign-in flags | -use-stored]] [-timeout 30s] URL

Signs the request with AWS Signature Version 4, using the default AWS
credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN,
AWS_PROFILE, SSO, ...) or, given -identity-pool-id, temporary credentials of
a Cognito identity pool obtained exactly as "cognitoctl credentials" does
with the same flags (-login, -user-pool-id with -id-token or -client-id,
-username, -password to sign in first, -use-stored for the session
"cognitoctl login" stored, -role-arn, ...; no login means a guest), sends it,
and prints the response body on stdout. A
status of 400 or more prints the status line (and API Gateway's message) on
stderr and exits 22, as curl --fail does.

The region and service are inferred from API Gateway hosts
({api}.execute-api.{region}.amazonaws.com); elsewhere the region is -region,
else AWS_REGION, and the service is -service (default execute-api).
-d @FILE streams FILE (hashed in a first pass, never held in memory).

flags:
`

func runCall(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "call", callUsage)
	var o callOptions
	fs.StringVar(&o.method, "X", "", "HTTP method (default GET, or POST with -d)")
	fs.Var(&o.headers, "H", "request header `'Name: value'` (repeatable)")
	fs.Func("d", "request body: `DATA`, @FILE, or @- for stdin", func(s string) error {
		o.data, o.dataSet = s, true
		return nil
	})
	fs.StringVar(&o.region, "region", "", "signing region (default: inferred from the host, else AWS_REGION)")
	fs.StringVar(&o.service, "service", "", "signing service (default: execute-api)")
	o.identity.register(fs)
	timeout := timeoutFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return exitf(2, "want exactly one URL argument (run \"cognitoctl call -h\")")
	}
	u, err := url.Parse(fs.Arg(0))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return exitf(2, "URL must be absolute http(s)://HOST/..., got %q", fs.Arg(0))
	}
	o.url = u
	o.host = u.Host
	for _, h := range o.headers {
		if name, value, _ := strings.Cut(h, ":"); strings.EqualFold(strings.TrimSpace(name), "Host") {
			o.host = strings.TrimSpace(value)
		}
	}
	o.fromPool = o.identity.given(fs)
	if o.fromPool && o.data == "@-" && o.identity.readsStdin() {
		return exitf(2, "-d @- and a token or password from stdin (@-) cannot share stdin")
	}
	if o.method == "" {
		o.method = http.MethodGet
		if o.dataSet {
			o.method = http.MethodPost
		}
	}

	// One deadline over everything: the identity pool's exchanges, the
	// request and the response body.
	dl := deadline.New(*timeout)
	ctx, cancel := dl.Context(ctx)
	defer cancel()
	creds, region, err := callCredentials(ctx, env, dl, &o)
	if err != nil {
		return dl.Err(ctx, err)
	}
	client := sigv4client.NewClient(creds, func(t *sigv4client.Transport) {
		t.Region = region
		t.Service = o.service
		t.Base = dl.Transport
	})
	// Never follow redirects: a signed request is for one host and path.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	body, closeBody, err := callBody(env, o.data, o.dataSet)
	if err != nil {
		return err
	}
	defer closeBody()
	req, err := http.NewRequestWithContext(ctx, o.method, u.String(), body)
	if err != nil {
		return exitf(2, "%v", err)
	}
	for _, h := range o.headers {
		name, value, _ := strings.Cut(h, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if strings.EqualFold(name, "Host") {
			req.Host = value
			continue
		}
		req.Header.Add(name, value)
	}
	resp, err := client.Do(req)
	if err != nil {
		if err := dl.Err(ctx, err); errors.As(err, new(*deadline.TimeoutError)) {
			return err
		}
		return fmt.Errorf("%s %s: %w", o.method, u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		line := resp.Proto + " " + resp.Status
		if msg := callErrorMessage(b); msg != "" {
			line += ": " + msg
		}
		return exitf(22, "%s", line)
	}
	if _, err := io.Copy(env.stdout, resp.Body); err != nil {
		if err := dl.Err(ctx, err); errors.As(err, new(*deadline.TimeoutError)) {
			return err
		}
		return fmt.Errorf("reading the response: %w", err)
	}
	return nil
}

// callCredentials picks the credentials and the region call signs with.
//
// Given the identity-pool flags, it is the identity package's provider for
// them (the credentials subcommand's code), wrapped in
// aws.NewCredentialsCache, with the identity pool's region (AWS_REGION,
// else the pool ID's) as the fallback region. Otherwise it is the default
// AWS chain: keys in the command's environment (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) are used as the chain would use
// them; otherwise config.LoadDefaultConfig resolves profiles, SSO, web
// identity, container and instance roles.
func callCredentials(ctx context.Context, env *cliEnv, dl *deadline.Client, o *callOptions) (aws.CredentialsProvider, string, error) {
	var creds aws.CredentialsProvider
	var fallback string
	if o.fromPool {
		p, cfg, err := o.identity.provider(ctx, env, dl, "")
		if err != nil {
			return nil, "", err
		}
		cache := aws.NewCredentialsCache(p)
		// Exchange now, so that a refused login fails with AWS's own one
		// line rather than wrapped in the HTTP request's error.
		if _, err := cache.Retrieve(ctx); err != nil {
			if inner := errors.Unwrap(err); inner != nil {
				err = inner // the provider's error, without the cache's preamble
			}
			return nil, "", err
		}
		creds, fallback = cache, cfg.Region
	} else {
		var opts []func(*config.LoadOptions) error
		if akid, secret := env.getenv("AWS_ACCESS_KEY_ID"), env.getenv("AWS_SECRET_ACCESS_KEY"); akid != "" && secret != "" {
			opts = append(opts, config.WithCredentialsProvider(
				credentials.NewStaticCredentialsProvider(akid, secret, env.getenv("AWS_SESSION_TOKEN"))))
		}
		cfg, err := loadAWSConfig(ctx, env, dl, "", opts...)
		if err != nil {
			return nil, "", err
		}
		if cfg.Credentials == nil {
			return nil, "", exitf(1, "no AWS credentials found in the default chain")
		}
		creds, fallback = cfg.Credentials, cfg.Region
	}
	region := o.region
	if region == "" {
		if _, _, ok := sigv4client.InferRegionService(o.host); !ok {
			region = fallback
			if region == "" {
				return nil, "", exitf(2, "no region: the host %q does not name one; pass -region or set AWS_REGION", o.host)
			}
		}
	}
	return creds, region, nil
}

// callBody opens the -d body: nil without -d, a file for @FILE (streamed:
// the transport hashes it, rewinds it and sends it), stdin for @-, the
// literal text otherwise.
func callBody(env *cliEnv, data string, set bool) (io.Reader, func(), error) {
	nop := func() {}
	switch {
	case !set:
		return nil, nop, nil
	case data == "@-":
		b, err := io.ReadAll(env.stdin)
		if err != nil {
			return nil, nop, fmt.Errorf("reading the body from stdin: %w", err)
		}
		return bytes.NewReader(b), nop, nil
	case strings.HasPrefix(data, "@"):
		f, err := os.Open(data[1:])
		if err != nil {
			return nil, nop, exitf(2, "-d %s: %v", data, err)
		}
		// The transport closes the body it is given; the extra Close is
		// for the error paths before the request is made.
		return f, func() { _ = f.Close() }, nil
	default:
		return strings.NewReader(data), nop, nil
	}
}

// callErrorMessage extracts API Gateway's message from an error body
// ({"message": …} or {"Message": …}), or "".
func callErrorMessage(b []byte) string {
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	for _, k := range []string{"message", "Message"} {
		if s, ok := m[k].(string); ok {
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = s[:i] // the first line: an explanation may follow
			}
			return s
		}
	}
	return ""
}
