package main

import (
	"context"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/examples/internal/secret"
)

func init() {
	register(&command{
		name:    "refresh",
		summary: "trade a refresh token for new tokens and print them as JSON",
		run:     runRefresh,
	})
}

const refreshUsage = `usage: cognitoctl refresh -user-pool-id ID -client-id ID [-refresh-token SECRET]
       [-client-secret SECRET -username COGNITO_USERNAME] [-timeout 30s]

Trades a refresh token (REFRESH_TOKEN_AUTH) for new ID and access tokens and
prints them as signin does; the refresh token is kept. Each SECRET is @FILE,
@- (stdin) or, left out, COGNITO_REFRESH_TOKEN / COGNITO_CLIENT_SECRET.

flags:
`

func runRefresh(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "refresh", refreshUsage)
	var app appClientFlags
	app.register(fs)
	tokenFlag := secret.Define(fs, "refresh-token", envRefreshToken, "refresh token (required)")
	timeout := timeoutFlag(fs)
	username := fs.String("username", "", "Cognito username (cognito:username, often the sub); required with -client-secret")
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	if err := requireFlags(env, fs, "user-pool-id", "client-id", "refresh-token"); err != nil {
		return err
	}
	if err := secret.OneStdin(tokenFlag, app.secretFlag); err != nil {
		return exitf(2, "%v", err)
	}
	token, err := secretValue(env, tokenFlag)
	if err != nil {
		return err
	}
	if err := app.resolve(env); err != nil {
		return err
	}
	if app.secret != "" && *username == "" {
		return exitf(2, "-username is required with -client-secret (SECRET_HASH needs the Cognito username)")
	}
	dl := deadline.New(*timeout)
	t, err := deadline.Run(ctx, dl, func(ctx context.Context) (*cognito.Tokens, error) {
		c, err := app.client(ctx, env, dl)
		if err != nil {
			return nil, err
		}
		return c.RefreshToken(ctx, token, func(o *cognito.RefreshOptions) { o.Username = *username })
	})
	if err != nil {
		return err
	}
	return printTokens(env.stdout, t)
}
