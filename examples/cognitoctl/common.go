package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/examples/internal/secret"
)

// Helpers the subcommands share: flag handling with cognitoctl's exit
// codes, AWS configuration from the command's environment, and JSON output.

// newFlagSet returns a flag set for the named command that writes to
// stderr. Its usage (for -h and bad flags) is the command's one-line
// summary, then usage (the synopsis and more, ending in a newline; empty
// means "usage: cognitoctl NAME [flags]"), then the flags.
func newFlagSet(env *cliEnv, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	if usage == "" {
		usage = "usage: cognitoctl " + name + " [flags]\n"
	}
	fs.Usage = func() {
		w := fs.Output()
		if c := commands[name]; c != nil {
			fmt.Fprintf(w, "cognitoctl %s: %s\n\n", name, c.summary)
		}
		fmt.Fprint(w, usage)
		if !strings.HasSuffix(usage, "flags:\n") {
			fmt.Fprint(w, "\nflags:\n")
		}
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args. After -h (the usage is printed) the error exits 0
// and prints nothing more; a bad flag exits 2.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitf(0, "")
		}
		return exitf(2, "%v", err)
	}
	return nil
}

// parseFlagsNoArgs is parseFlags for a command that takes no positional
// arguments: one exits 2.
func parseFlagsNoArgs(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return exitf(2, "unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// requireFlags exits 2 naming, in one message, every flag among names
// (defined on fs) that has no value.
func requireFlags(env *cliEnv, fs *flag.FlagSet, names ...string) error {
	return missingError(missingFlags(env, fs, names...))
}

// missingFlags returns "-NAME" for each flag among names (defined on fs)
// that has no value: an empty string flag, or a secret flag that neither
// the command line nor its environment variable gives ("-NAME (or $VAR)").
func missingFlags(env *cliEnv, fs *flag.FlagSet, names ...string) []string {
	var missing []string
	for _, name := range names {
		f := fs.Lookup(name)
		if f == nil {
			panic("cognitoctl: requireFlags: no flag -" + name)
		}
		if s, ok := f.Value.(*secret.Flag); ok {
			if !s.Given(env.getenv) {
				missing = append(missing, "-"+name+" (or $"+s.EnvVar+")")
			}
			continue
		}
		if f.Value.String() == "" {
			missing = append(missing, "-"+name)
		}
	}
	return missing
}

// missingError is nil for no missing flags, else an exit-2 error listing
// them all.
func missingError(missing []string) error {
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return exitf(2, "missing required flag: %s", missing[0])
	}
	return exitf(2, "missing required flags: %s", strings.Join(missing, ", "))
}

// flowUsage describes the values of a -flow flag.
const flowUsage = "srp (USER_SRP_AUTH), password (USER_PASSWORD_AUTH) or admin (ADMIN_USER_PASSWORD_AUTH, needs IAM credentials)"

// parseFlow returns the sign-in flow a -flow value names; another value
// exits 2.
func parseFlow(name string) (cognito.Flow, error) {
	switch name {
	case "srp":
		return cognito.FlowUserSRP, nil
	case "password":
		return cognito.FlowUserPassword, nil
	case "admin":
		return cognito.FlowAdminUserPassword, nil
	}
	return "", exitf(2, "-flow must be srp, password or admin, not %q", name)
}

// defaultTimeout is the -timeout of every network command.
const defaultTimeout = 30 * time.Second

// timeoutFlag defines -timeout on fs.
func timeoutFlag(fs *flag.FlagSet) *time.Duration {
	return fs.Duration("timeout", defaultTimeout, "time limit for the exchange with the endpoint (connect, TLS, answer, retries); a silent endpoint fails the command after it")
}

// loadAWSConfig loads the SDK's default configuration in region, else in
// the command's AWS_REGION, with opts. The SDK's clients send through dl's
// bounded HTTP client.
func loadAWSConfig(ctx context.Context, env *cliEnv, dl *deadline.Client, region string, opts ...func(*config.LoadOptions) error) (aws.Config, error) {
	opts = append(opts, dl.LoadOptions()...)
	if region == "" {
		region = env.getenv("AWS_REGION")
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return cfg, nil
}

// serviceConfig is loadAWSConfig for calls to AWS services: it also honours
// the command's AWS_ENDPOINT_URL (an emulator).
func serviceConfig(ctx context.Context, env *cliEnv, dl *deadline.Client, region string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if ep := env.getenv("AWS_ENDPOINT_URL"); ep != "" {
		opts = append(opts, config.WithBaseEndpoint(ep))
	}
	return loadAWSConfig(ctx, env, dl, region, opts...)
}

// userPoolRegion returns the region a user pool ID names ("us-east-1_Abc" →
// "us-east-1"), or "".
func userPoolRegion(poolID string) string {
	r, _, ok := strings.Cut(poolID, "_")
	if !ok {
		return ""
	}
	return r
}

// Environment variables of the secret flags (package secret).
const (
	envPassword     = "COGNITO_PASSWORD"
	envNewPassword  = "COGNITO_NEW_PASSWORD"
	envClientSecret = "COGNITO_CLIENT_SECRET"
	envRefreshToken = "COGNITO_REFRESH_TOKEN"
	envIDToken      = "COGNITO_ID_TOKEN"
	envLogins       = "COGNITO_LOGINS"
)

// secretValue is a secret flag's value; a flag that cannot be read exits 2.
func secretValue(env *cliEnv, f *secret.Flag) (string, error) {
	v, err := f.Value(env.stdin, env.getenv)
	if err != nil {
		return "", exitf(2, "%v", err)
	}
	return v, nil
}

// appClientFlags name a user pool app client: -user-pool-id, -client-id
// and -client-secret, as signin and refresh take them.
type appClientFlags struct {
	poolID, clientID string
	secretFlag       *secret.Flag
	// secret is the client secret, once resolve has read it.
	secret string
}

// register defines the app client flags on fs.
func (f *appClientFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.poolID, "user-pool-id", "", "user pool ID, e.g. us-east-1_AbCdEf123 (required)")
	fs.StringVar(&f.clientID, "client-id", "", "app client ID (required)")
	f.secretFlag = secret.Define(fs, "client-secret", envClientSecret, "app client secret, for clients that have one")
}

// resolve reads the client secret (@FILE, @-, $COGNITO_CLIENT_SECRET).
func (f *appClientFlags) resolve(env *cliEnv) error {
	var err error
	f.secret, err = secretValue(env, f.secretFlag)
	return err
}

// client returns a client of the app client, in the command's AWS_REGION,
// else the pool ID's region, honouring its AWS_ENDPOINT_URL.
func (f *appClientFlags) client(ctx context.Context, env *cliEnv, dl *deadline.Client) (*cognito.Client, error) {
	cfg, err := serviceConfig(ctx, env, dl, "")
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = userPoolRegion(f.poolID)
	}
	return cognito.New(cfg, f.poolID, f.clientID, func(o *cognito.Options) { o.ClientSecret = f.secret }), nil
}

// printJSON writes v as JSON indented by two spaces, and a newline.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// tokensJSON is what signin and refresh print.
type tokensJSON struct {
	IdToken      string `json:"IdToken"`
	AccessToken  string `json:"AccessToken"`
	RefreshToken string `json:"RefreshToken"`
	ExpiresIn    int64  `json:"ExpiresIn"`
	TokenType    string `json:"TokenType"`
}

// printTokens writes a user pool's tokens as signin and refresh print them.
func printTokens(w io.Writer, t *cognito.Tokens) error {
	return printJSON(w, tokensJSON{
		IdToken:      t.IDToken,
		AccessToken:  t.AccessToken,
		RefreshToken: t.RefreshToken,
		ExpiresIn:    int64(t.ExpiresIn.Seconds()),
		TokenType:    t.TokenType,
	})
}
