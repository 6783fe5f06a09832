package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/internal/emulator/lambdafn"
)

func init() {
	register(&command{name: "serve", summary: "run the Cognito user-pool emulator", run: runServe})
}

const serveUsage = "usage: cognitoctl serve [-addr 127.0.0.1:9229] [-config FILE] [-state FILE] [-region R] [-cors-origin ORIGIN]... [-function ARN=PATH|URL]... [-allow-unsigned] [-v]\n" +
	"Runs the Cognito user-pool emulator until interrupted. It serves codes it \"sent\" at /_emulator/messages: keep it on loopback.\n" +
	"Browser pages on http://localhost:*, http://127.0.0.1:* and http://[::1]:* (and each -cors-origin) may call its public operations;\n" +
	"pages of other origins may not call it or read /_emulator/. Admin operations need a well-formed SigV4 Authorization header\n" +
	"(any keys: the emulator has no secret keys to check the signature with) unless -allow-unsigned.\n" +
	"Each -function runs a Lambda trigger the pools' LambdaConfig names: a compiled Lambda program (bootstrap) started with the\n" +
	"Lambda Runtime API, its output on stderr, or a Lambda Invoke API endpoint (http://…).\n"

// runServe runs the emulator until ctx is cancelled (SIGINT/SIGTERM).
func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "serve", serveUsage)
	addr := fs.String("addr", "127.0.0.1:9229", "address to listen on")
	configPath := fs.String("config", "", "JSON file of pools, clients, groups and users to create (see cognitotest.SeedConfig)")
	statePath := fs.String("state", "", "state database to persist every change to before answering, and reload on start (a JSON state file of an older version is imported; see cognitoctl state)")
	region := fs.String("region", "", "region of new pools (default $AWS_REGION, else us-east-1)")
	verbose := fs.Bool("v", false, "log one line per request to stderr (never secrets)")
	allowUnsigned := fs.Bool("allow-unsigned", false, "accept admin operations without a SigV4 Authorization header (e.g. from curl)")
	var corsOrigins originList
	cognitoIssuer := fs.Bool("cognito-issuer", false, "sign tokens with Cognito's issuer https://cognito-idp.REGION.amazonaws.com/POOL (for verifiers that accept no other); keys and discovery stay at this server")
	fs.Var(&corsOrigins, "cors-origin", "a browser origin (scheme://host[:port]) besides the loopback ones that may call the public operations (repeatable)")
	var functions lambdafn.SpecFlag
	fs.Var(&functions, "function", "ARN=PATH|URL: a Lambda trigger function, a compiled program or a Lambda Invoke API endpoint (repeatable)")
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	reg := *region
	if reg == "" && env.getenv != nil {
		reg = env.getenv("AWS_REGION")
	}
	srv, err := cognitotest.NewHandlerServer(func(o *cognitotest.Options) {
		o.Region = reg
		o.StatePath = *statePath
		o.AllowUnsigned = *allowUnsigned
		o.CORSOrigins = corsOrigins
		o.CognitoIssuer = *cognitoIssuer
		o.FunctionOutput = env.stderr
		if *verbose {
			o.Logf = func(format string, args ...any) { fmt.Fprintf(env.stderr, format+"\n", args...) }
		}
	})
	if err != nil {
		return exitf(1, "%v", err)
	}
	defer srv.Close() // releases the state database's lock and stops the functions
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return exitf(1, "listen: %v", err)
	}
	defer ln.Close()
	url := "http://" + ln.Addr().String()
	srv.SetURL(url) // before any function is registered: programs get AWS_ENDPOINT_URL
	var cfg *cognitotest.SeedConfig
	if *configPath != "" {
		if cfg, err = loadSeedConfig(*configPath); err != nil {
			return exitf(1, "%v", err)
		}
		if err := srv.Seed(cfg); err != nil {
			return exitf(1, "%v", err)
		}
	}
	for _, f := range functions { // after the config's: a flag wins
		if err := srv.AddFunction(f.ARN + "=" + f.Path + f.URL); err != nil {
			return exitf(1, "-function %s: %v", f.ARN, err)
		}
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	fmt.Fprintf(env.stdout, "listening on %s\n", url)
	printSeeded(env.stdout, cfg)
	printFunctions(env.stdout, cfg, functions)
	fmt.Fprintf(env.stdout, "export AWS_ENDPOINT_URL=%s\n", url)
	if *cognitoIssuer {
		fmt.Fprintf(env.stdout, "tokens carry Cognito's issuer; keys at %s/POOL/.well-known/jwks.json\n", url)
	}
	select {
	case err := <-done:
		return exitf(1, "serve: %v", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return exitf(1, "shutdown: %v", err)
	}
	return nil
}

// loadSeedConfig reads a cognitotest.SeedConfig file.
func loadSeedConfig(path string) (*cognitotest.SeedConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	return cognitotest.ParseSeedConfig(f)
}

// printSeeded lists what the config created: IDs and names, never a
// secret or a password.
func printSeeded(w io.Writer, cfg *cognitotest.SeedConfig) {
	if cfg == nil {
		return
	}
	for _, p := range cfg.UserPools {
		fmt.Fprintf(w, "user pool %s (%s)\n", p.ID, p.Name)
		for _, c := range p.Clients {
			fmt.Fprintf(w, "  app client %s (%s)\n", c.ID, c.Name)
		}
	}
	for _, p := range cfg.IdentityPools {
		fmt.Fprintf(w, "identity pool %s (%s)\n", p.ID, p.Name)
	}
	for _, a := range cfg.APIs {
		fmt.Fprintf(w, "api %s\n", a.ID)
	}
}

// printFunctions lists the Lambda functions registered, one line each:
// the config's, then the flags' (a flag replaces the config's function of
// the same ARN).
func printFunctions(w io.Writer, cfg *cognitotest.SeedConfig, flags lambdafn.SpecFlag) {
	targets := map[string]string{}
	var arns []string
	if cfg != nil {
		for arn, t := range cfg.Functions {
			targets[arn] = t
			arns = append(arns, arn)
		}
		sort.Strings(arns)
	}
	for _, f := range flags {
		if _, ok := targets[f.ARN]; !ok {
			arns = append(arns, f.ARN)
		}
		targets[f.ARN] = f.Path + f.URL
	}
	for _, arn := range arns {
		fmt.Fprintf(w, "function %s -> %s\n", arn, targets[arn])
	}
}

// originList is a repeatable string flag.
type originList []string

func (o *originList) String() string { return strings.Join(*o, ",") }

func (o *originList) Set(v string) error {
	*o = append(*o, v)
	return nil
}
