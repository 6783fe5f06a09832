// Command facebook trades a Facebook user access token for temporary AWS
// credentials through a Cognito identity pool, and calls an API Gateway
// route protected by AWS_IAM with them, signed with SigV4.
//
// With no flags it runs against the Cognito emulator in-process: an
// identity pool that trusts a Facebook app, a role allowed
// execute-api:Invoke, an API with POST /test, and a token minted by the
// emulator's fake Facebook:
//
//	go run ./examples/facebook
//
// Against AWS, give a token of the Facebook app your identity pool trusts
// (from the Facebook SDK's login, or the Graph API Explorer):
//
//	FACEBOOK_TOKEN=EAAB… go run ./examples/facebook \
//	  -identity-pool-id us-east-1:1a2b3c4d-… \
//	  -api-url https://abc123.execute-api.us-east-1.amazonaws.com/prod [-path /test] [-method POST]
//
// It exits 0 when the API answered 2xx, 1 otherwise, 2 on bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/sigv4client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Config is one call: who (the Facebook token), through which identity
// pool, to which API route.
type Config struct {
	AWS            aws.Config // region and endpoint of cognito-identity; no credentials needed
	Region         string     // signing region of the API
	IdentityPoolID string
	FacebookToken  string
	URL            string // the route, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/prod/test
	Method         string
}

// Call trades cfg.FacebookToken for credentials and makes the signed call,
// printing what happens to out. It returns the HTTP status.
func Call(ctx context.Context, cfg Config, out io.Writer) (int, error) {
	// 1. The identity pool: Logins {"graph.facebook.com": token} → GetId →
	//    GetCredentialsForIdentity, cached and refreshed by the SDK's cache.
	provider := identity.NewProvider(cognitoidentity.NewFromConfig(cfg.AWS), cfg.IdentityPoolID, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.FacebookLogin(cfg.FacebookToken))
	})
	creds := aws.NewCredentialsCache(provider)
	c, err := creds.Retrieve(ctx)
	if err != nil {
		return 0, fmt.Errorf("identity pool: %w", err)
	}
	fmt.Fprintf(out, "identity %s: temporary credentials until %s\n", provider.IdentityID(), c.Expires.UTC().Format(time.RFC3339))

	// 2. The API: every request signed with SigV4 for execute-api.
	var body io.Reader
	if cfg.Method != http.MethodGet && cfg.Method != http.MethodHead {
		body = strings.NewReader(`{"from":"cognitokit facebook example"}`)
	}
	req, err := http.NewRequestWithContext(ctx, cfg.Method, cfg.URL, body)
	if err != nil {
		return 0, err
	}
	client := sigv4client.NewClient(creds, func(t *sigv4client.Transport) {
		// The region is inferred from {api}.execute-api.{region}.amazonaws.com.
		if _, _, ok := sigv4client.InferRegionService(req.URL.Host); !ok {
			t.Region = cfg.Region // an emulator or a custom domain
		}
	})
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	fmt.Fprintf(out, "%s %s → %s\n%s\n", cfg.Method, cfg.URL, resp.Status, strings.TrimSpace(string(raw)))
	return resp.StatusCode, nil
}

// startEmulator sets up the emulator for the default run and returns the
// Config of a call to its POST /test with a fake Facebook token.
func startEmulator() (*cognitotest.Server, Config, error) {
	const (
		appID   = "1234567890"
		roleARN = "arn:aws:iam::" + cognitotest.AccountID + ":role/Cognito_facebookAuth_Role"
	)
	srv := cognitotest.NewServer()
	fail := func(err error) (*cognitotest.Server, Config, error) {
		srv.Close()
		return nil, Config{}, fmt.Errorf("setting up the emulator: %w", err)
	}
	if err := srv.PutAPI(cognitotest.API{ID: "facebookdemo", Routes: []cognitotest.Route{
		{Method: "POST", Path: "/test", Authorization: cognitotest.AuthIAM, Message: "hello world"},
	}}); err != nil {
		return fail(err)
	}
	srv.MustPutRole(cognitotest.Role{ARN: roleARN, TrustedAMR: "authenticated",
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:facebookdemo/*"}]}`})
	pool, err := srv.CreateIdentityPool(cognitotest.IdentityPoolOptions{Name: "facebook", FacebookAppID: appID, AuthenticatedRole: roleARN})
	if err != nil {
		return fail(err)
	}
	// What the Facebook SDK's login returns to your app, minted by the fake.
	tok, err := srv.FacebookToken(appID, cognitotest.FacebookUser{ID: "10001", Name: "Fay Book", Email: "fay@example.com"})
	if err != nil {
		return fail(err)
	}
	cfg := srv.Config()
	return srv, Config{AWS: cfg, Region: cfg.Region, IdentityPoolID: pool, FacebookToken: tok,
		URL: srv.APIURL("facebookdemo", "") + "/test", Method: http.MethodPost}, nil
}

func realMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("facebook", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var token, poolID, apiURL, path, method, region string
	fs.StringVar(&token, "facebook-token", "", "a Facebook user access token (prefer $FACEBOOK_TOKEN: flags show in ps)")
	fs.StringVar(&poolID, "identity-pool-id", getenv("COGNITO_IDENTITY_POOL_ID"), "identity pool ID ($COGNITO_IDENTITY_POOL_ID)")
	fs.StringVar(&apiURL, "api-url", getenv("COGNITO_API_URL"), "base URL of the API stage ($COGNITO_API_URL)")
	fs.StringVar(&path, "path", "/test", "resource path to call")
	fs.StringVar(&method, "method", http.MethodPost, "HTTP method")
	fs.StringVar(&region, "region", getenv("AWS_REGION"), "AWS region (default: $AWS_REGION, else the identity pool ID's prefix)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if token == "" {
		token = getenv("FACEBOOK_TOKEN")
	}
	var cfg Config
	if token == "" && poolID == "" && apiURL == "" {
		srv, c, err := startEmulator()
		if err != nil {
			fmt.Fprintf(stderr, "facebook: %v\n", err)
			return 1
		}
		defer srv.Close()
		fmt.Fprintf(stdout, "against the in-process emulator at %s, with a token from its fake Facebook\n", srv.URL)
		cfg = c
	} else {
		var missing []string
		for _, m := range []struct{ name, v string }{{"-facebook-token (or FACEBOOK_TOKEN)", token}, {"-identity-pool-id", poolID}, {"-api-url", apiURL}} {
			if m.v == "" {
				missing = append(missing, m.name)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(stderr, "facebook: against AWS these are needed: %s (run with no flags for the emulator)\n", strings.Join(missing, ", "))
			return 2
		}
		if region == "" {
			region, _, _ = strings.Cut(poolID, ":")
		}
		opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
		if ep := getenv("AWS_ENDPOINT_URL"); ep != "" {
			opts = append(opts, config.WithBaseEndpoint(ep))
		}
		awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			fmt.Fprintf(stderr, "facebook: AWS configuration: %v\n", err)
			return 2
		}
		cfg = Config{AWS: awsCfg, Region: region, IdentityPoolID: poolID, FacebookToken: token,
			URL: strings.TrimSuffix(apiURL, "/") + path, Method: strings.ToUpper(method)}
	}
	status, err := Call(ctx, cfg, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "facebook: %v\n", err)
		return 1
	}
	if status < 200 || status > 299 {
		fmt.Fprintf(stderr, "facebook: the API answered %d\n", status)
		return 1
	}
	return 0
}
