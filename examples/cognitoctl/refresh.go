package main

import (
	"context"
	"errors"
	"flag"

	"github.com/cognitokit/cognitokit/cognito"
)

func init() {
	register(&command{
		name:    "refresh",
		summary: "trade a refresh token for new tokens and print them as JSON",
		run:     runRefresh,
	})
}

func runRefresh(ctx context.Context, env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("refresh", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	poolID := fs.String("user-pool-id", "", "user pool ID, e.g. us-east-1_AbCdEf123 (required)")
	clientID := fs.String("client-id", "", "app client ID (required)")
	secret := fs.String("client-secret", "", "app client secret, for clients that have one")
	token := fs.String("refresh-token", "", "refresh token (required)")
	username := fs.String("username", "", "Cognito username (cognito:username, often the sub); required with -client-secret")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitf(2, "%v", err)
	}
	if fs.NArg() > 0 {
		return exitf(2, "unexpected argument %q", fs.Arg(0))
	}
	for _, req := range []struct{ name, val string }{
		{"-user-pool-id", *poolID}, {"-client-id", *clientID}, {"-refresh-token", *token},
	} {
		if req.val == "" {
			return exitf(2, "%s is required", req.name)
		}
	}
	if *secret != "" && *username == "" {
		return exitf(2, "-username is required with -client-secret (SECRET_HASH needs the Cognito username)")
	}
	cfg, err := signinAWSConfig(ctx, env)
	if err != nil {
		return err
	}
	if cfg.Region == "" {
		cfg.Region = signinRegionOfPool(*poolID)
	}
	c := cognito.New(cfg, *poolID, *clientID, func(o *cognito.Options) { o.ClientSecret = *secret })
	t, err := c.RefreshToken(ctx, *token, func(o *cognito.RefreshOptions) { o.Username = *username })
	if err != nil {
		return err
	}
	return signinPrintTokens(env.stdout, t)
}
