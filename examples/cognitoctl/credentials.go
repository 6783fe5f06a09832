package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/identity"
)

func init() {
	register(&command{
		name:    "credentials",
		summary: "trade an identity pool's Logins for temporary AWS credentials",
		run:     runCredentials,
	})
}

// loginsFlag collects repeated -login KEY=TOKEN flags. Set never fails, so
// that the flag package never echoes a token in an error: the values are
// checked after parsing, with messages that name the key only.
type loginsFlag []string

// String is empty: never a token.
func (l *loginsFlag) String() string { return "" }

func (l *loginsFlag) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// parseLogins checks -login values and returns the Logins map (tokens still
// possibly @FILE or @-).
func parseLogins(raw []string) (map[string]string, error) {
	m := make(map[string]string, len(raw))
	for i, s := range raw {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" || v == "" {
			return nil, fmt.Errorf("-login #%d: want KEY=TOKEN, KEY=@FILE or KEY=@- (stdin)", i+1)
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("-login %s: given twice", k)
		}
		m[k] = v
	}
	return m, nil
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

func runCredentials(ctx context.Context, env *cliEnv, args []string) error {
	fs := flag.NewFlagSet("credentials", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: cognitoctl credentials -identity-pool-id ID [-login KEY=TOKEN]... [-format json|env|process]

Trades a Logins map for temporary AWS credentials through a Cognito identity
pool (GetId, then GetCredentialsForIdentity; with -role-arn, GetOpenIdToken and
STS AssumeRoleWithWebIdentity). No -login means a guest identity. A TOKEN of
@FILE reads the token from FILE, @- from stdin, so it stays off the command
line. Keys: cognito-idp.REGION.amazonaws.com/USER_POOL_ID (or -user-pool-id
with -id-token), graph.facebook.com, accounts.google.com, www.amazon.com,
appleid.apple.com, api.twitter.com (token;secret), an OIDC issuer host, a SAML
provider ARN, cognito-identity.amazonaws.com (developer).

-format process prints the AWS CLI credential_process JSON, for ~/.aws/config:
  credential_process = cognitoctl credentials -identity-pool-id ID -format process

flags:`)
		fs.PrintDefaults()
	}
	poolID := fs.String("identity-pool-id", "", "identity pool ID, e.g. us-east-1:1a2b3c4d-… (required)")
	var rawLogins loginsFlag
	fs.Var(&rawLogins, "login", "one login of the Logins map, `KEY=TOKEN` (repeatable)")
	userPoolID := fs.String("user-pool-id", "", "with -id-token or the sign-in flags: the user pool whose ID token is a login")
	idToken := fs.String("id-token", "", "with -user-pool-id: the user pool ID token (or @FILE, @-)")
	clientID := fs.String("client-id", "", "sign in first: the user pool app client ID")
	clientSecret := fs.String("client-secret", "", "sign in first: the app client secret, for clients that have one")
	username := fs.String("username", "", "sign in first: username or alias")
	password := fs.String("password", "", "sign in first: password (or @FILE, @-)")
	flowName := fs.String("flow", "srp", "sign in first: srp (USER_SRP_AUTH), password (USER_PASSWORD_AUTH) or admin (ADMIN_USER_PASSWORD_AUTH, needs IAM credentials)")
	format := fs.String("format", "json", "output: json, env (shell export lines) or process (credential_process JSON)")
	roleARN := fs.String("role-arn", "", "use the basic flow and assume this role with STS AssumeRoleWithWebIdentity")
	customRoleARN := fs.String("custom-role-arn", "", "enhanced flow: ask for this role instead of the pool's default")
	sessionName := fs.String("role-session-name", "", "basic flow: STS role session name (default "+identity.DefaultRoleSessionName+")")
	duration := fs.Duration("duration", 0, "basic flow: credential lifetime, e.g. 1h (default: STS's)")
	region := fs.String("region", "", "AWS region (default: AWS_REGION, else the identity pool ID's prefix)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return exitf(2, "%v", err)
	}
	if fs.NArg() > 0 {
		return exitf(2, "unexpected argument %q", fs.Arg(0))
	}
	if *poolID == "" {
		return exitf(2, "-identity-pool-id is required")
	}
	switch *format {
	case "json", "env", "process":
	default:
		return exitf(2, "-format must be json, env or process, not %q", *format)
	}
	signIn := *username != "" || *password != "" || *clientID != ""
	switch {
	case signIn && *idToken != "":
		return exitf(2, "-id-token and the sign-in flags (-client-id, -username, -password) exclude each other")
	case signIn && (*userPoolID == "" || *clientID == "" || *username == "" || *password == ""):
		return exitf(2, "signing in needs -user-pool-id, -client-id, -username and -password")
	case !signIn && (*userPoolID == "") != (*idToken == ""):
		return exitf(2, "-user-pool-id needs -id-token or the sign-in flags (-client-id, -username, -password)")
	}
	var flow cognito.Flow
	switch *flowName {
	case "srp":
		flow = cognito.FlowUserSRP
	case "password":
		flow = cognito.FlowUserPassword
	case "admin":
		flow = cognito.FlowAdminUserPassword
	default:
		return exitf(2, "-flow must be srp, password or admin, not %q", *flowName)
	}
	if *roleARN == "" && (*sessionName != "" || *duration != 0) {
		return exitf(2, "-role-session-name and -duration need -role-arn (the basic flow)")
	}
	if *roleARN != "" && *customRoleARN != "" {
		return exitf(2, "-custom-role-arn is for the enhanced flow; with -role-arn the role is already chosen")
	}
	if *idToken != "" {
		rawLogins = append(rawLogins, identity.UserPoolKey("", *userPoolID)+"="+*idToken)
	}
	logins, err := parseLogins(rawLogins)
	if err != nil {
		return exitf(2, "%v", err)
	}
	if signIn {
		if _, dup := logins[identity.UserPoolKey("", *userPoolID)]; dup {
			return exitf(2, "-login %s: the sign-in flags give this login", identity.UserPoolKey("", *userPoolID))
		}
		if *password, err = readLoginToken(env, *password); err != nil {
			return exitf(2, "-password: %v", err)
		}
	}
	resolved := make(map[string]string, len(logins))
	for k, v := range logins {
		tok, err := readLoginToken(env, v)
		if err != nil {
			return exitf(2, "-login %s: %v", k, err)
		}
		resolved[k] = tok
	}

	cfg, err := credentialsConfig(ctx, env, *region, *poolID)
	if err != nil {
		return err
	}
	ciClient := cognitoidentity.NewFromConfig(cfg, func(o *cognitoidentity.Options) {
		if ep := env.getenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	var session identity.IDTokenSource
	if signIn {
		up := cfg.Copy()
		if r, _, ok := strings.Cut(*userPoolID, "_"); ok && r != "" {
			up.Region = r // a user pool lives in the region its ID names
		}
		c := cognito.New(up, *userPoolID, *clientID, func(o *cognito.Options) { o.ClientSecret = *clientSecret })
		res, err := c.SignIn(ctx, *username, *password, func(o *cognito.SignInOptions) { o.Flow = flow })
		if err != nil {
			return err
		}
		if res.Tokens == nil {
			return exitf(1, "sign-in needs %s answered: run cognitoctl signin, then pass its IdToken with -user-pool-id and -id-token", res.Challenge.Name)
		}
		// A cognito.Session is an identity.IDTokenSource: it refreshes the
		// ID token when it expires.
		session = c.NewSession(res.Tokens)
	}
	opts := func(o *identity.Options) {
		var ls []identity.Login
		for k, v := range resolved {
			ls = append(ls, identity.Login{Key: k, Token: identity.StaticToken(v)})
		}
		if session != nil {
			ls = append(ls, identity.UserPoolLogin("", *userPoolID, session))
		}
		if len(ls) > 0 {
			o.Logins = identity.Logins(ls...)
		}
		o.CustomRoleARN = *customRoleARN
		o.RoleSessionName = *sessionName
		o.Duration = *duration
	}
	var p *identity.Provider
	if *roleARN != "" {
		stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) {
			if ep := env.getenv("AWS_ENDPOINT_URL_STS"); ep != "" {
				o.BaseEndpoint = aws.String(ep)
			}
		})
		p = identity.NewBasicProvider(ciClient, stsClient, *poolID, *roleARN, opts)
	} else {
		p = identity.NewProvider(ciClient, *poolID, opts)
	}
	creds, err := p.Retrieve(ctx)
	if err != nil {
		return err
	}
	return printCredentials(env.stdout, *format, p.IdentityID(), creds)
}

// readLoginToken resolves @FILE and @- (stdin) token arguments.
func readLoginToken(env *cliEnv, v string) (string, error) {
	if !strings.HasPrefix(v, "@") {
		return v, nil
	}
	var b []byte
	var err error
	if v == "@-" {
		b, err = io.ReadAll(io.LimitReader(env.stdin, 1<<20))
	} else {
		b, err = os.ReadFile(v[1:])
	}
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", errors.New("empty token")
	}
	return tok, nil
}

// identityPoolRegion returns the region an identity pool ID names
// ("us-east-1:1a2b…" → "us-east-1"), or "".
func identityPoolRegion(poolID string) string {
	r, _, ok := strings.Cut(poolID, ":")
	if !ok {
		return ""
	}
	return r
}

// credentialsConfig loads the SDK's default configuration (AWS_REGION,
// AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> included) as the command's
// environment gives them. The identity-pool calls are unsigned, so no AWS
// credentials are needed.
func credentialsConfig(ctx context.Context, env *cliEnv, region, poolID string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region == "" {
		region = env.getenv("AWS_REGION")
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if ep := env.getenv("AWS_ENDPOINT_URL"); ep != "" {
		opts = append(opts, config.WithBaseEndpoint(ep))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = identityPoolRegion(poolID)
	}
	if cfg.Region == "" {
		return aws.Config{}, exitf(2, "no region: set AWS_REGION or -region")
	}
	return cfg, nil
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
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(credentialsJSON{
			IdentityID: identityID, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
			SessionToken: c.SessionToken, Expiration: exp,
		})
	}
}

// credentialsShellQuote quotes s for a POSIX shell.
func credentialsShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
