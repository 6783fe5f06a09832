// Command quickstart runs cognitokit's whole federated flow, step by step:
// sign up and confirm, sign in with SRP, verify the ID and access tokens,
// trade them for AWS credentials through an identity pool, call an
// AWS_IAM-protected API Gateway route with SigV4, log in with Facebook, try
// as a guest, refresh the tokens and sign out everywhere.
//
// With no flags it starts the Cognito emulator in-process, set up as the
// usual Terraform tutorial sets up AWS, so it needs no AWS account:
//
//	go run ./examples/quickstart
//
// With flags (or the environment variables in brackets) it runs the same
// steps against real AWS, skipping what only the emulator can do:
//
//	go run ./examples/quickstart -region us-east-1 \
//	  -user-pool-id us-east-1_AbCdEf123 -client-id 1example23456789 \
//	  -identity-pool-id us-east-1:1a2b3c4d-… \
//	  -api-url https://abc123.execute-api.us-east-1.amazonaws.com/prod \
//	  -username alice [-email alice@example.com -nickname Ali] [-facebook-token EAAB…]
//
// with the password in COGNITO_PASSWORD (or -password @FILE, or @- for
// stdin; the client secret and Facebook token take the same forms, with
// COGNITO_CLIENT_SECRET and FACEBOOK_TOKEN). Each step's exchanges are
// bounded by -timeout (default 30s). With -email the user is signed up
// first and the confirmation code is asked for on the terminal. It exits 0 when every step passed (or was skipped), 1 when a
// step failed, 2 on bad flags.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/examples/internal/secret"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Getenv, os.Stdin, isTerminal(os.Stdin), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// flags are the command line, with defaults from the environment.
type flags struct {
	region, userPoolID, clientID, clientSecret, identityPoolID, apiURL string
	username, password, email, nickname, facebookToken                 string
	// timeout bounds each step's exchanges against real AWS.
	timeout time.Duration
}

// real reports whether any flag names real AWS resources.
func (f *flags) real() bool {
	return f.userPoolID != "" || f.clientID != "" || f.identityPoolID != "" || f.apiURL != ""
}

// parseFlags reads args, with defaults from getenv; secrets given as @-
// are read from stdin.
func parseFlags(args []string, getenv func(string) string, stdin io.Reader, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "quickstart: run cognitokit's whole federated flow, step by step")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "usage: quickstart                      (the in-process emulator)")
		fmt.Fprintln(stderr, "       quickstart -user-pool-id ID -client-id ID -identity-pool-id ID -api-url URL -username U [-email E] [-facebook-token T]")
		fmt.Fprintln(stderr, "                                      (real AWS; password in COGNITO_PASSWORD or -password @FILE)")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "flags:")
		fs.PrintDefaults()
	}
	env := func(name string) string { return getenv(name) }
	region := env("AWS_REGION")
	fs.StringVar(&f.region, "region", region, "AWS region (default: $AWS_REGION, else the user pool ID's prefix)")
	fs.StringVar(&f.userPoolID, "user-pool-id", env("COGNITO_USER_POOL_ID"), "user pool ID, e.g. us-east-1_AbCdEf123 ($COGNITO_USER_POOL_ID)")
	fs.StringVar(&f.clientID, "client-id", env("COGNITO_CLIENT_ID"), "app client ID ($COGNITO_CLIENT_ID)")
	clientSecret := secret.Define(fs, "client-secret", "COGNITO_CLIENT_SECRET", "app client secret, for clients with one")
	fs.StringVar(&f.identityPoolID, "identity-pool-id", env("COGNITO_IDENTITY_POOL_ID"), "identity pool ID, e.g. us-east-1:1a2b3c4d-… ($COGNITO_IDENTITY_POOL_ID)")
	fs.StringVar(&f.apiURL, "api-url", env("COGNITO_API_URL"), "base URL of the API stage that has POST /test under AWS_IAM ($COGNITO_API_URL)")
	fs.StringVar(&f.username, "username", env("COGNITO_USERNAME"), "username ($COGNITO_USERNAME; default alice against the emulator)")
	password := secret.Define(fs, "password", "COGNITO_PASSWORD", "password (default: random against the emulator)")
	fs.StringVar(&f.email, "email", env("COGNITO_EMAIL"), "real AWS: sign the user up first with this e-mail address ($COGNITO_EMAIL)")
	fs.StringVar(&f.nickname, "nickname", env("COGNITO_NICKNAME"), "real AWS: the nickname attribute for sign-up ($COGNITO_NICKNAME)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "real AWS: time limit of each step's exchanges; a silent endpoint fails the step after it")
	facebookToken := secret.Define(fs, "facebook-token", "FACEBOOK_TOKEN", "real AWS: a Facebook user access token for the identity pool's app")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// Read after parsing, so that -h never prints a secret.
	if err := secret.OneStdin(password, clientSecret, facebookToken); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		flag *secret.Flag
		dst  *string
	}{{password, &f.password}, {clientSecret, &f.clientSecret}, {facebookToken, &f.facebookToken}} {
		v, err := s.flag.Value(stdin, getenv)
		if err != nil {
			return nil, err
		}
		*s.dst = v
	}
	return f, nil
}

// realMain runs the quickstart and returns the exit code.
func realMain(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdinIsTerminal bool, stdout, stderr io.Writer) int {
	f, err := parseFlags(args, getenv, stdin, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "quickstart: %v\n", err)
		return 2
	}
	var cfg Config
	if f.real() {
		cfg, err = awsConfig(ctx, f, getenv, stdin, stdinIsTerminal, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "quickstart: %v\n", err)
			return 2
		}
	} else {
		username := f.username
		if username == "" {
			username = "alice"
		}
		emu, err := StartEmulator(username)
		if err != nil {
			fmt.Fprintf(stderr, "quickstart: %v\n", err)
			return 1
		}
		defer emu.Close()
		cfg = emu.Config
		if f.password != "" {
			cfg.Password = f.password
		}
	}
	if _, err := Run(ctx, cfg, stdout); err != nil {
		fmt.Fprintf(stderr, "quickstart: %v\n", err)
		return 1
	}
	return 0
}

// awsConfig builds the Config of a run against real AWS from the flags.
func awsConfig(ctx context.Context, f *flags, getenv func(string) string, stdin io.Reader, stdinIsTerminal bool, prompt io.Writer) (Config, error) {
	var missing []string
	for _, c := range []struct{ name, v string }{
		{"-user-pool-id", f.userPoolID}, {"-client-id", f.clientID}, {"-identity-pool-id", f.identityPoolID},
		{"-api-url", f.apiURL}, {"-username", f.username}, {"-password (or COGNITO_PASSWORD)", f.password},
	} {
		if c.v == "" {
			missing = append(missing, c.name)
		}
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("against real AWS these are needed too: %s (run with no flags for the emulator)", strings.Join(missing, ", "))
	}
	region := f.region
	if region == "" {
		region, _, _ = strings.Cut(f.userPoolID, "_")
	}
	dl := deadline.New(f.timeout)
	opts := append([]func(*config.LoadOptions) error{config.WithRegion(region)}, dl.LoadOptions()...)
	if ep := getenv("AWS_ENDPOINT_URL"); ep != "" {
		opts = append(opts, config.WithBaseEndpoint(ep))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return Config{}, fmt.Errorf("AWS configuration: %w", err)
	}
	cfg := Config{
		Target:         "AWS (" + region + ")",
		AWS:            awsCfg,
		Region:         region,
		UserPoolID:     f.userPoolID,
		ClientID:       f.clientID,
		ClientSecret:   f.clientSecret,
		IdentityPoolID: f.identityPoolID,
		APIURL:         strings.TrimSuffix(f.apiURL, "/"),
		Username:       f.username,
		Password:       f.password,
		Email:          f.email,
		Nickname:       f.nickname,
		FacebookToken:  f.facebookToken,
		HTTPClient:     dl.HTTP,
		Deadline:       dl,
	}
	if awsCfg.BaseEndpoint != nil {
		// AWS_ENDPOINT_URL points at an emulator (cognitoctl serve): accept
		// its issuer, ENDPOINT/POOL, and fetch its keys.
		iss := strings.TrimSuffix(*awsCfg.BaseEndpoint, "/") + "/" + f.userPoolID
		cfg.Target = *awsCfg.BaseEndpoint + " (AWS_ENDPOINT_URL)"
		cfg.Issuers = []string{"https://cognito-idp." + region + ".amazonaws.com/" + f.userPoolID, iss}
		cfg.JWKSURL = iss + "/.well-known/jwks.json"
	}
	if stdinIsTerminal {
		in := bufio.NewReader(stdin)
		cfg.CodeSource = "the terminal"
		cfg.ReadCode = func(_ context.Context, destination string) (string, error) {
			fmt.Fprintf(prompt, "    confirmation code sent to %s: ", destination)
			line, err := in.ReadString('\n')
			if err != nil && line == "" {
				return "", fmt.Errorf("reading the code: %w", err)
			}
			return strings.TrimSpace(line), nil
		}
	}
	return cfg, nil
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeCharDevice != 0
}
