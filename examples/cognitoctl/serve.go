package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

func init() {
	register(&command{name: "serve", summary: "run the Cognito user-pool emulator", run: runServe})
}

const serveUsage = "usage: cognitoctl serve [-addr 127.0.0.1:9229] [-config FILE] [-state FILE] [-region R] [-allow-unsigned] [-v]\n" +
	"Runs the Cognito user-pool emulator until interrupted. It serves codes it \"sent\" at /_emulator/messages: keep it on loopback.\n"

// runServe runs the emulator until ctx is cancelled (SIGINT/SIGTERM).
func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "serve", serveUsage)
	addr := fs.String("addr", "127.0.0.1:9229", "address to listen on")
	configPath := fs.String("config", "", "JSON file of pools, clients, groups and users to create (see cognitotest.SeedConfig)")
	statePath := fs.String("state", "", "file to persist the whole emulator state to (atomic writes) and reload on start")
	region := fs.String("region", "", "region of new pools (default $AWS_REGION, else us-east-1)")
	verbose := fs.Bool("v", false, "log one line per request to stderr (never secrets)")
	allowUnsigned := fs.Bool("allow-unsigned", false, "accept admin operations without a SigV4 Authorization header (e.g. from curl)")
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
		if *verbose {
			o.Logf = func(format string, args ...any) { fmt.Fprintf(env.stderr, format+"\n", args...) }
		}
	})
	if err != nil {
		return exitf(1, "%v", err)
	}
	if *configPath != "" {
		f, err := os.Open(*configPath)
		if err != nil {
			return exitf(1, "config: %v", err)
		}
		cfg, err := cognitotest.ParseSeedConfig(f)
		f.Close()
		if err != nil {
			return exitf(1, "%v", err)
		}
		if err := srv.Seed(cfg); err != nil {
			return exitf(1, "%v", err)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return exitf(1, "listen: %v", err)
	}
	url := "http://" + ln.Addr().String()
	srv.SetURL(url)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	fmt.Fprintf(env.stdout, "listening on %s\n", url)
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
