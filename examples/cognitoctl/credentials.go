package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cognitokit/cognitokit/examples/internal/deadline"
)

func init() {
	register(&command{
		name:    "credentials",
		summary: "trade an identity pool's Logins for temporary AWS credentials",
		run:     runCredentials,
	})
}

// credentialsJSON is the default output (-format json).
type credentialsJSON struct {
	IdentityID      string `json:"IdentityId"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	Expiration      string `json:"Expiration"`
}

// credentialProcessJSON is the AWS CLI credential_process format
// (-format process).
type credentialProcessJSON struct {
	Version         int    `json:"Version"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	Expiration      string `json:"Expiration"`
}

const credentialsUsage = `usage: cognitoctl credentials -identity-pool-id ID [-login KEY=TOKEN]... [-format json|env|process] [-timeout 30s]
       [-user-pool-id ID (-id-token SECRET | -client-id ID -username U [-password SECRET])]
       [-use-stored [-client-id ID] [-client-secret SECRET] [-token-dir DIR]]

Trades a Logins map for temporary AWS credentials through a Cognito identity
pool (GetId, then GetCredentialsForIdentity; with -role-arn, GetOpenIdToken and
STS AssumeRoleWithWebIdentity). No -login means a guest identity. A TOKEN of
@FILE reads the token from FILE, @- from stdin, so it stays off the command
line; with no -login, $COGNITO_LOGINS holds the KEY=TOKEN pairs. Each SECRET
is @FILE, @- or, left out, COGNITO_ID_TOKEN, COGNITO_PASSWORD or
COGNITO_CLIENT_SECRET. Keys: cognito-idp.REGION.amazonaws.com/USER_POOL_ID (or -user-pool-id
with -id-token), graph.facebook.com, accounts.google.com, www.amazon.com,
appleid.apple.com, api.twitter.com (token;secret), an OIDC issuer host, a SAML
provider ARN, cognito-identity.amazonaws.com (developer).

-use-stored logs in with the session "cognitoctl login" stored (its ID token,
refreshed and saved back when it is about to expire): no password is needed.
The identity ID is kept beside it, so the next run skips GetId. -client-id
(or -user-pool-id) chooses among several stored sessions.

-format process prints the AWS CLI credential_process JSON, for ~/.aws/config:
  credential_process = cognitoctl credentials -identity-pool-id ID -format process

flags:
`

func runCredentials(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "credentials", credentialsUsage)
	var idf identityFlags
	idf.register(fs)
	format := fs.String("format", "json", "output: json, env (shell export lines) or process (credential_process JSON)")
	region := fs.String("region", "", "AWS region (default: AWS_REGION, else the identity pool ID's prefix)")
	timeout := timeoutFlag(fs)
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	if err := requireFlags(env, fs, "identity-pool-id"); err != nil {
		return err
	}
	switch *format {
	case "json", "env", "process":
	default:
		return exitf(2, "-format must be json, env or process, not %q", *format)
	}
	dl := deadline.New(*timeout)
	ctx, cancel := dl.Context(ctx)
	defer cancel()
	p, _, err := idf.provider(ctx, env, dl, *region)
	if err != nil {
		return dl.Err(ctx, err)
	}
	creds, err := p.Retrieve(ctx)
	if err != nil {
		return dl.Err(ctx, err)
	}
	return printCredentials(env.stdout, *format, p.IdentityID(), creds)
}

func printCredentials(w io.Writer, format, identityID string, c aws.Credentials) error {
	exp := ""
	if c.CanExpire {
		exp = c.Expires.UTC().Format(time.RFC3339)
	}
	switch format {
	case "env":
		_, err := fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\nexport AWS_SESSION_TOKEN=%s\n",
			credentialsShellQuote(c.AccessKeyID), credentialsShellQuote(c.SecretAccessKey), credentialsShellQuote(c.SessionToken))
		return err
	case "process":
		return json.NewEncoder(w).Encode(credentialProcessJSON{
			Version: 1, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
			SessionToken: c.SessionToken, Expiration: exp,
		})
	default:
		return printJSON(w, credentialsJSON{
			IdentityID: identityID, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
			SessionToken: c.SessionToken, Expiration: exp,
		})
	}
}

// credentialsShellQuote quotes s for a POSIX shell.
func credentialsShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
