// Command apiserver is a net/http service whose routes are protected by
// Cognito access tokens, verified locally by package jwks:
//
//	GET /public    anyone
//	GET /private   Authorization: Bearer <access token>  (401 without)
//	GET /admin     the same, and the caller in the admins group  (403 outside)
//
// With no flags it starts the Cognito emulator in-process with a user pool,
// an app client, an "admins" group and two users (alice in admins, bob not),
// and prints the commands to sign in with cognitoctl and call the routes
// with curl:
//
//	go run ./examples/apiserver
//
// Against a real user pool, name it and its app client(s):
//
//	go run ./examples/apiserver -user-pool-id us-east-1_AbCdEf123 -client-id 1example23456789 [-group admins]
//
// (or COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID). It listens on
// 127.0.0.1:8080 unless -addr says otherwise.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cognitokit/cognitokit/jwks"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type flags struct {
	addr, userPoolID, clientIDs, group, region string
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("apiserver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&f.userPoolID, "user-pool-id", getenv("COGNITO_USER_POOL_ID"), "a real user pool, e.g. us-east-1_AbCdEf123 ($COGNITO_USER_POOL_ID; default: an in-process emulator)")
	fs.StringVar(&f.clientIDs, "client-id", getenv("COGNITO_CLIENT_ID"), "app client IDs whose tokens are accepted, comma-separated ($COGNITO_CLIENT_ID)")
	fs.StringVar(&f.group, "group", "admins", "the group GET /admin requires")
	fs.StringVar(&f.region, "region", "", "the pool's region (default: the pool ID's prefix)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if f.userPoolID != "" && f.clientIDs == "" {
		return nil, errors.New("-user-pool-id needs -client-id (the app clients whose tokens are accepted)")
	}
	if f.userPoolID == "" && f.clientIDs != "" {
		return nil, errors.New("-client-id needs -user-pool-id")
	}
	return f, nil
}

// realMain runs the server until ctx is done and returns the exit code.
func realMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	f, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "apiserver: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		fmt.Fprintf(stderr, "apiserver: %v\n", err)
		return 1
	}
	base := "http://" + ln.Addr().String()

	var v *jwks.Verifier
	var howto string
	if f.userPoolID == "" {
		emu, err := StartEmulator(f.group)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "apiserver: %v\n", err)
			return 1
		}
		defer emu.Close()
		v, err = emu.Verifier()
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "apiserver: %v\n", err)
			return 1
		}
		howto = emu.Instructions(base)
	} else {
		v, err = jwks.NewVerifier(f.userPoolID, func(o *jwks.Options) {
			o.ClientIDs = strings.Split(f.clientIDs, ",")
			o.Region = f.region
		})
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "apiserver: %v\n", err)
			return 2
		}
		howto = fmt.Sprintf(`Tokens of user pool %s (app clients %s) are accepted. Try:
  curl -i %[3]s/public
  curl -i -H "Authorization: Bearer $ACCESS_TOKEN" %[3]s/private
  curl -i -H "Authorization: Bearer $ACCESS_TOKEN" %[3]s/admin     # 403 unless in group %[4]s
`, f.userPoolID, f.clientIDs, base, f.group)
	}

	srv := &http.Server{Handler: NewHandler(v, f.group), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "apiserver: listening on %s\n\n%s", base, howto)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "apiserver: %v\n", err)
		return 1
	}
	return 0
}
