package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/jwks"
)

func init() {
	register(&command{
		name:    "verify",
		summary: "verify a Cognito ID or access token and print its claims",
		run:     runVerify,
	})
}

const verifyUsage = `usage: cognitoctl verify -user-pool-id ID [-region R] [-client-id ID[,ID…]]
       [-token-use id|access|any] [-issuer URL] [-jwks-url URL] [-groups G,…] [-scopes S,…] [TOKEN | -]

Verifies TOKEN (or the token read from stdin with "-" or when stdin is not a
terminal) against the user pool's JWKS and prints its claims as JSON. An
invalid token exits 1 with the reason on stderr.

The issuer and JWKS URL are derived from the pool ID
(https://cognito-idp.REGION.amazonaws.com/ID). When AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER
or AWS_ENDPOINT_URL is set (an emulator), ENDPOINT/ID is accepted as issuer
too and the keys are fetched from ENDPOINT/ID/.well-known/jwks.json.
-issuer and -jwks-url override both.

Verification is local: a token revoked with GlobalSignOut or RevokeToken
still verifies until it expires.

flags:
`

func runVerify(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "verify", verifyUsage)
	poolID := fs.String("user-pool-id", "", "user pool ID, e.g. us-east-1_AbCdEf123 (required)")
	region := fs.String("region", "", "region of the pool (default: the pool ID's prefix)")
	clientIDs := fs.String("client-id", "", "allowed app client IDs, comma-separated (default: any client of the pool, with a warning)")
	tokenUse := fs.String("token-use", "any", "token_use accepted: id, access or any")
	issuer := fs.String("issuer", "", "exact issuer (iss) to accept instead of the derived ones")
	jwksURL := fs.String("jwks-url", "", "JWKS URL (default: derived from the issuer)")
	groups := fs.String("groups", "", "require membership of at least one of these groups, comma-separated")
	scopes := fs.String("scopes", "", "require all of these scopes (access tokens), comma-separated")
	timeout := fs.Duration("timeout", 30*time.Second, "overall time limit, JWKS fetch included")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := requireFlags(env, fs, "user-pool-id"); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return exitf(2, "expected at most one TOKEN argument, got %d", fs.NArg())
	}

	token, err := readVerifyToken(env, fs.Arg(0))
	if err != nil {
		return err
	}

	var use jwks.TokenUse
	switch *tokenUse {
	case "id":
		use = jwks.TokenUseID
	case "access":
		use = jwks.TokenUseAccess
	case "any":
		use = jwks.TokenUseAny
	default:
		return exitf(2, "-token-use must be id, access or any, not %q", *tokenUse)
	}

	pool := jwks.Pool{UserPoolID: *poolID, JWKSURL: *jwksURL}
	if *issuer != "" {
		pool.Issuers = []string{*issuer}
	}
	ids := verifySplitList(*clientIDs)
	if len(ids) == 0 {
		fmt.Fprintln(env.stderr, "cognitoctl verify: warning: no -client-id given; tokens of any app client of the pool are accepted")
	}
	v, err := jwks.NewMultiPoolVerifier([]jwks.Pool{pool}, func(o *jwks.Options) {
		o.Getenv = env.getenv // AWS_ENDPOINT_URL(_COGNITO_IDENTITY_PROVIDER): an emulator's issuer and keys
		o.Region = *region
		o.ClientIDs = ids
		o.InsecureSkipClientIDCheck = len(ids) == 0
		o.TokenUse = use
		o.RequiredGroups = verifySplitList(*groups)
		o.RequiredScopes = verifySplitList(*scopes)
	})
	if err != nil {
		return exitf(2, "%v", err)
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	claims, err := v.Verify(ctx, token)
	if err != nil {
		return fmt.Errorf("invalid token: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, claims.Payload(), "", "  "); err != nil {
		return fmt.Errorf("print claims: %w", err)
	}
	out.WriteByte('\n')
	_, err = env.stdout.Write(out.Bytes())
	return err
}

// readVerifyToken returns the token from the argument, or from stdin for "-" (or
// no argument when stdin is not a terminal).
func readVerifyToken(env *cliEnv, arg string) (string, error) {
	if arg != "" && arg != "-" {
		return strings.TrimSpace(arg), nil
	}
	if arg == "" && env.stdinIsTerminal {
		return "", exitf(2, "no token: pass TOKEN or - to read it from stdin")
	}
	b, err := io.ReadAll(io.LimitReader(env.stdin, jwks.DefaultMaxTokenBytes*4))
	if err != nil {
		return "", fmt.Errorf("read token from stdin: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", exitf(2, "no token on stdin")
	}
	return tok, nil
}

func verifySplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
