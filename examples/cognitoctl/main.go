// Command cognitoctl is a command-line tool over cognitokit: it runs the
// Cognito emulator, signs users in (with a password, or through the hosted
// UI in the browser with login, keeping the session for later runs),
// refreshes and verifies tokens, trades a Logins map for AWS credentials,
// and makes SigV4-signed calls.
//
// Usage:
//
//	cognitoctl <command> [flags]
//
// Every command honours the AWS SDK's standard configuration (AWS_REGION,
// the default credential chain, AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE>). Output meant for programs is JSON on stdout;
// diagnostics go to stderr; a failure exits non-zero with one line saying
// what was wrong. Run "cognitoctl help" for the list of commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"golang.org/x/term"
)

// command is one subcommand. Each lives in its own file and registers itself
// from init with register.
type command struct {
	name    string
	summary string
	// run parses args (the words after the command name) and does the work.
	// It returns an exitError to choose an exit code other than 1.
	run func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv is what a command may touch of the outside world, so that tests can
// run commands in-process.
type cliEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// stdinIsTerminal reports whether stdin is an interactive terminal.
	stdinIsTerminal bool
	// readPassword reads one line from the terminal without echo; nil
	// when that is not possible.
	readPassword func() ([]byte, error)
	getenv       func(string) string
	// openBrowser opens a URL for login; nil means the system's browser.
	// Tests set it to play the person at the browser.
	openBrowser func(url string) error
}

// exitError carries an exit code and the one line printed to stderr.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// exitf returns an error that makes cognitoctl print msg and exit with code.
func exitf(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("cognitoctl: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cliEnv{
		stdin:           os.Stdin,
		stdout:          os.Stdout,
		stderr:          os.Stderr,
		stdinIsTerminal: isTerminal(os.Stdin),
		getenv:          os.Getenv,
		readPassword:    func() ([]byte, error) { return term.ReadPassword(int(os.Stdin.Fd())) },
	}
	code := runCLI(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// runCLI runs one command line and returns the process exit code.
func runCLI(ctx context.Context, env *cliEnv, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "cognitoctl: unknown command %q (run \"cognitoctl help\")\n", args[0])
		return 2
	}
	err := c.run(ctx, env, args[1:])
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(env.stderr, "cognitoctl %s: %s\n", c.name, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(env.stderr, "cognitoctl %s: %v\n", c.name, err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: cognitoctl <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run \"cognitoctl <command> -h\" for a command's flags.")
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
