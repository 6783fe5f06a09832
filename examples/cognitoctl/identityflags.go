package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/examples/internal/secret"
	"github.com/cognitokit/cognitokit/identity"
)

// The identity-pool flags the credentials and call subcommands share.

// identityFlags are the flags that choose an identity pool, its Logins (or
// a sign-in whose ID token is one) and the flow. The credentials and call
// subcommands share them.
type identityFlags struct {
	poolID        string
	logins        loginsFlag
	userPoolID    string
	idToken       *secret.Flag
	clientID      string
	clientSecret  *secret.Flag
	username      string
	password      *secret.Flag
	flowName      string
	roleARN       string
	customRoleARN string
	sessionName   string
	duration      time.Duration
	// useStored logs in with the session cognitoctl login stored.
	useStored bool
	store     storeFlags
}

// identityFlagNames are the names register defines.
var identityFlagNames = []string{"identity-pool-id", "login", "user-pool-id", "id-token", "client-id", "client-secret",
	"username", "password", "flow", "role-arn", "custom-role-arn", "role-session-name", "duration", "use-stored", "token-dir"}

// register defines the identity-pool flags on fs.
func (f *identityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.poolID, "identity-pool-id", "", "identity pool ID, e.g. us-east-1:1a2b3c4d-…")
	fs.Var(&f.logins, "login", "one login of the Logins map, `KEY=TOKEN` (repeatable); TOKEN is @FILE, @- (stdin) or, with no -login, "+
		"the whitespace-separated KEY=TOKEN pairs of $"+envLogins+"; a literal token works but is visible in ps")
	fs.StringVar(&f.userPoolID, "user-pool-id", "", "with -id-token or the sign-in flags: the user pool whose ID token is a login")
	f.idToken = secret.Define(fs, "id-token", envIDToken, "with -user-pool-id: the user pool ID token")
	fs.StringVar(&f.clientID, "client-id", "", "sign in first: the user pool app client ID")
	f.clientSecret = secret.Define(fs, "client-secret", envClientSecret, "sign in first: the app client secret, for clients that have one")
	fs.StringVar(&f.username, "username", "", "sign in first: username or alias")
	f.password = secret.Define(fs, "password", envPassword, "sign in first: password")
	fs.StringVar(&f.flowName, "flow", "srp", "sign in first: "+flowUsage)
	fs.StringVar(&f.roleARN, "role-arn", "", "use the basic flow and assume this role with STS AssumeRoleWithWebIdentity")
	fs.StringVar(&f.customRoleARN, "custom-role-arn", "", "enhanced flow: ask for this role instead of the pool's default")
	fs.StringVar(&f.sessionName, "role-session-name", "", "basic flow: STS role session name (default "+identity.DefaultRoleSessionName+")")
	fs.DurationVar(&f.duration, "duration", 0, "basic flow: credential lifetime, e.g. 1h (default: STS's)")
	fs.BoolVar(&f.useStored, "use-stored", false, "the login is the session cognitoctl login stored (refreshed as needed; -client-id or -user-pool-id chooses among several)")
	f.store.register(fs)
}

// given reports whether any identity-pool flag was set on the command line.
func (f *identityFlags) given(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) {
		for _, n := range identityFlagNames {
			if fl.Name == n {
				set = true
			}
		}
	})
	return set
}

// readsStdin reports whether a token or password is to be read from stdin.
func (f *identityFlags) readsStdin() bool {
	if f.idToken.ReadsStdin() || f.password.ReadsStdin() || f.clientSecret.ReadsStdin() {
		return true
	}
	for _, l := range f.logins {
		if strings.HasSuffix(l, "=@-") {
			return true
		}
	}
	return false
}

// provider checks the flags (usage errors exit 2), signs in when the
// sign-in flags ask for it, and returns the identity pool's credentials
// provider (not cached) and the AWS configuration it uses. region
// overrides AWS_REGION and the pool ID's region. Its calls go through dl's
// HTTP client; the caller bounds ctx.
func (f *identityFlags) provider(ctx context.Context, env *cliEnv, dl *deadline.Client, region string) (*identity.Provider, aws.Config, error) {
	fail := func(format string, args ...any) (*identity.Provider, aws.Config, error) {
		return nil, aws.Config{}, exitf(2, format, args...)
	}
	if f.poolID == "" {
		return fail("missing required flag: -identity-pool-id")
	}
	// The environment fills in secrets, but only the command line chooses
	// the mode: the stored session, signing in, an ID token, or logins.
	signIn := !f.useStored && (f.username != "" || f.password.IsSet() || f.clientID != "")
	idToken := f.idToken.IsSet() || (f.userPoolID != "" && !signIn && !f.useStored && f.idToken.Given(env.getenv))
	switch {
	case f.useStored && (f.idToken.IsSet() || f.username != "" || f.password.IsSet()):
		return fail("-use-stored excludes -id-token, -username and -password: the stored session is the login")
	case f.useStored:
	case f.store.dir != "":
		return fail("-token-dir needs -use-stored")
	case signIn && f.idToken.IsSet():
		return fail("-id-token and the sign-in flags (-client-id, -username, -password) exclude each other")
	case signIn:
		var missing []string
		for _, m := range []struct {
			name string
			ok   bool
		}{{"-user-pool-id", f.userPoolID != ""}, {"-client-id", f.clientID != ""}, {"-username", f.username != ""},
			{"-password (or $" + envPassword + ")", f.password.Given(env.getenv)}} {
			if !m.ok {
				missing = append(missing, m.name)
			}
		}
		if len(missing) > 0 {
			return fail("signing in needs %s too", strings.Join(missing, ", "))
		}
	case (f.userPoolID == "") != !idToken:
		return fail("-user-pool-id needs -id-token (or $%s) or the sign-in flags (-client-id, -username, -password)", envIDToken)
	}
	if err := secret.OneStdin(f.idToken, f.password, f.clientSecret); err != nil {
		return fail("%v", err)
	}
	flow, err := parseFlow(f.flowName)
	if err != nil {
		return nil, aws.Config{}, err
	}
	if f.roleARN == "" && (f.sessionName != "" || f.duration != 0) {
		return fail("-role-session-name and -duration need -role-arn (the basic flow)")
	}
	if f.roleARN != "" && f.customRoleARN != "" {
		return fail("-custom-role-arn is for the enhanced flow; with -role-arn the role is already chosen")
	}
	raw := append([]string(nil), f.logins...)
	if len(raw) == 0 {
		raw = strings.Fields(env.getenv(envLogins))
	}
	logins, err := parseLogins(raw)
	if err != nil {
		return fail("%v", err)
	}
	if idToken {
		tok, err := f.idToken.Value(env.stdin, env.getenv)
		if err != nil {
			return fail("%v", err)
		}
		key := identity.UserPoolKey("", f.userPoolID)
		if _, dup := logins[key]; dup {
			return fail("-login %s: -id-token gives this login", key)
		}
		logins[key] = tok
	}
	var password, clientSecret string
	if signIn {
		if _, dup := logins[identity.UserPoolKey("", f.userPoolID)]; dup {
			return fail("-login %s: the sign-in flags give this login", identity.UserPoolKey("", f.userPoolID))
		}
		if password, err = f.password.Value(env.stdin, env.getenv); err != nil {
			return fail("%v", err)
		}
		if clientSecret, err = f.clientSecret.Value(env.stdin, env.getenv); err != nil {
			return fail("%v", err)
		}
	}
	resolved := make(map[string]string, len(logins))
	for k, v := range logins {
		tok, err := secret.Read(env.stdin, v)
		if err != nil {
			return fail("-login %s: %v", k, err)
		}
		resolved[k] = tok
	}

	cfg, err := credentialsConfig(ctx, env, dl, region, f.poolID)
	if err != nil {
		return nil, aws.Config{}, err
	}
	ciClient := cognitoidentity.NewFromConfig(cfg, func(o *cognitoidentity.Options) {
		if ep := env.getenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY"); ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	})
	var session identity.IDTokenSource
	var idStore identity.IDStore
	var idUser string
	userPoolID := f.userPoolID
	if f.useStored {
		ss, err := f.store.open(env)
		if err != nil {
			return nil, aws.Config{}, err
		}
		l, err := ss.pick(loginSelector{clientID: f.clientID, userPoolID: f.userPoolID})
		if err != nil {
			return nil, aws.Config{}, err
		}
		if _, dup := resolved[identity.UserPoolKey("", l.UserPoolID)]; dup {
			return fail("-login %s: the stored session gives this login", identity.UserPoolKey("", l.UserPoolID))
		}
		clientSecret, err := f.clientSecret.Value(env.stdin, env.getenv)
		if err != nil {
			return fail("%v", err)
		}
		s, err := ss.restore(ctx, env, dl, l, clientSecret)
		if err != nil {
			return nil, aws.Config{}, err
		}
		// Each user keeps their identity ID between runs: the next run
		// skips GetId.
		session, userPoolID = s, l.UserPoolID
		idStore, idUser = ss.ids, l.Username
	}
	if signIn {
		up := cfg.Copy()
		if r := userPoolRegion(f.userPoolID); r != "" {
			up.Region = r // a user pool lives in the region its ID names
		}
		c := cognito.New(up, f.userPoolID, f.clientID, func(o *cognito.Options) { o.ClientSecret = clientSecret })
		res, err := c.SignIn(ctx, f.username, password, func(o *cognito.SignInOptions) { o.Flow = flow })
		if err != nil {
			return nil, aws.Config{}, err
		}
		if res.Tokens == nil {
			return nil, aws.Config{}, exitf(1, "sign-in needs %s answered: run cognitoctl signin, then pass its IdToken with -user-pool-id and -id-token", res.Challenge.Name)
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
			ls = append(ls, identity.UserPoolLogin("", userPoolID, session))
		}
		if idStore != nil {
			o.Store, o.User = idStore, idUser
		}
		if len(ls) > 0 {
			o.Logins = identity.Logins(ls...)
		}
		o.CustomRoleARN = f.customRoleARN
		o.RoleSessionName = f.sessionName
		o.Duration = f.duration
	}
	if f.roleARN != "" {
		stsClient := sts.NewFromConfig(cfg, func(o *sts.Options) {
			if ep := env.getenv("AWS_ENDPOINT_URL_STS"); ep != "" {
				o.BaseEndpoint = aws.String(ep)
			}
		})
		return identity.NewBasicProvider(ciClient, stsClient, f.poolID, f.roleARN, opts), cfg, nil
	}
	return identity.NewProvider(ciClient, f.poolID, opts), cfg, nil
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
func credentialsConfig(ctx context.Context, env *cliEnv, dl *deadline.Client, region, poolID string) (aws.Config, error) {
	cfg, err := serviceConfig(ctx, env, dl, region)
	if err != nil {
		return aws.Config{}, err
	}
	if cfg.Region == "" {
		cfg.Region = identityPoolRegion(poolID)
	}
	if cfg.Region == "" {
		return aws.Config{}, exitf(2, "no region: set AWS_REGION or -region")
	}
	return cfg, nil
}
