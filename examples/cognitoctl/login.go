package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/examples/internal/secret"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/internal/atomicfile"
)

// login and logout, and the stored sessions that signin, credentials and
// call use with -use-stored.

func init() {
	register(&command{
		name:    "login",
		summary: "sign a user in through the hosted UI in the browser and keep the session on disk",
		run:     runLogin,
	})
	register(&command{
		name:    "logout",
		summary: "revoke and forget the session login stored",
		run:     runLogout,
	})
}

const (
	// envTokenDir overrides the directory of the stored sessions.
	envTokenDir = "COGNITOKIT_TOKEN_DIR"
	// loginIndexFile, in the token directory, lists the stored sessions
	// and how to refresh them: no token, no secret.
	loginIndexFile = "cognitoctl-logins.json"
	// identityIDsFile, in a -token-dir, keeps the identity IDs of
	// credentials -use-stored (identity.DefaultFileStore's place otherwise).
	identityIDsFile = "identity-ids.json"
	// defaultLoginTimeout leaves a person time to sign in.
	defaultLoginTimeout = 5 * time.Minute
)

// storeFlags choose the directory of the stored sessions.
type storeFlags struct{ dir string }

// register defines -token-dir on fs.
func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "token-dir", "", "directory of the stored sessions (default $"+envTokenDir+", else the user's config directory: cognitokit/tokens)")
}

// sessionStore is where login keeps sessions: cognito's FileTokenStore for
// the tokens, an index of the logins beside them, and the identity IDs of
// their identity-pool credentials.
type sessionStore struct {
	tokens *cognito.FileTokenStore
	ids    *identity.FileStore
	index  string
}

// open returns the store the flags and the environment name.
func (f *storeFlags) open(env *cliEnv) (*sessionStore, error) {
	dir := f.dir
	if dir == "" {
		dir = env.getenv(envTokenDir)
	}
	if dir != "" {
		return &sessionStore{tokens: &cognito.FileTokenStore{Dir: dir}, ids: &identity.FileStore{Path: filepath.Join(dir, identityIDsFile)},
			index: filepath.Join(dir, loginIndexFile)}, nil
	}
	ts, err := cognito.DefaultTokenStore()
	if err != nil {
		return nil, err
	}
	ids, err := identity.DefaultFileStore()
	if err != nil {
		return nil, err
	}
	return &sessionStore{tokens: ts, ids: ids, index: filepath.Join(ts.Dir, loginIndexFile)}, nil
}

// storedLogin is one session login stored: what it takes to refresh it.
type storedLogin struct {
	Domain      string `json:"domain"`
	ClientID    string `json:"client_id"`
	RedirectURI string `json:"redirect_uri"`
	UserPoolID  string `json:"user_pool_id"`
	Username    string `json:"username"`
	// HasSecret records that the app client has a secret, which every
	// refresh and the revocation need (it is never stored).
	HasSecret bool `json:"client_secret_required,omitempty"`
}

func (l storedLogin) key() string { return cognito.TokenStoreKey(l.Domain, l.ClientID) }

type loginIndex struct {
	Version int           `json:"version"`
	Logins  []storedLogin `json:"logins"`
}

func (s *sessionStore) readIndex() ([]storedLogin, error) {
	b, err := os.ReadFile(s.index)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ix loginIndex
	if err := json.Unmarshal(b, &ix); err != nil || ix.Version != 1 {
		return nil, fmt.Errorf("%s is not a cognitoctl login index", s.index)
	}
	return ix.Logins, nil
}

// putIndex replaces the entry of l's app client with l, or removes it when
// remove is set. The file is replaced atomically (two logins at the same
// instant: the last one wins the index, both keep their tokens).
func (s *sessionStore) putIndex(l storedLogin, remove bool) error {
	logins, err := s.readIndex()
	if err != nil {
		return err
	}
	kept := logins[:0]
	for _, o := range logins {
		if o.key() != l.key() {
			kept = append(kept, o)
		}
	}
	if !remove {
		kept = append(kept, l)
	}
	b, err := json.MarshalIndent(loginIndex{Version: 1, Logins: kept}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.index), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(s.index, b, 0o600)
}

// loginSelector is what the command line says of the stored session to
// use: each non-empty field must match.
type loginSelector struct{ domain, clientID, userPoolID string }

// pick returns the one stored login sel matches.
func (s *sessionStore) pick(sel loginSelector) (storedLogin, error) {
	logins, err := s.readIndex()
	if err != nil {
		return storedLogin{}, err
	}
	if len(logins) == 0 {
		return storedLogin{}, exitf(1, "no stored session in %s: run cognitoctl login first", filepath.Dir(s.index))
	}
	var match []storedLogin
	var names []string
	for _, l := range logins {
		names = append(names, l.ClientID+" ("+l.Username+")")
		if (sel.domain == "" || strings.TrimRight(sel.domain, "/") == l.Domain) && (sel.clientID == "" || sel.clientID == l.ClientID) &&
			(sel.userPoolID == "" || sel.userPoolID == l.UserPoolID) {
			match = append(match, l)
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return storedLogin{}, exitf(1, "no stored session matches; stored: %s", strings.Join(names, ", "))
	}
	return storedLogin{}, exitf(2, "%d stored sessions: choose one with -client-id (stored: %s)", len(match), strings.Join(names, ", "))
}

// hostedUI returns the hosted UI of l's app client, calling through dl.
func (l storedLogin) hostedUI(dl *deadline.Client, clientSecret string) (*cognito.HostedUI, error) {
	if l.HasSecret && clientSecret == "" {
		return nil, exitf(2, "the app client %s has a secret: pass -client-secret (or $%s)", l.ClientID, envClientSecret)
	}
	return cognito.NewHostedUI(l.Domain, l.ClientID, l.RedirectURI, func(o *cognito.HostedUIOptions) {
		o.ClientSecret = clientSecret
		o.HTTPClient = dl.HTTP
	})
}

// restore returns l's stored session with current tokens: refreshed
// through the hosted UI when they are about to expire, and saved back.
func (s *sessionStore) restore(ctx context.Context, env *cliEnv, dl *deadline.Client, l storedLogin, clientSecret string) (*cognito.Session, error) {
	ui, err := l.hostedUI(dl, clientSecret)
	if err != nil {
		return nil, err
	}
	sess, err := ui.RestoreSession(ctx, s.tokens, func(o *cognito.SessionOptions) {
		o.OnStoreError = func(err error) {
			fmt.Fprintf(env.stderr, "cognitoctl: warning: the refreshed session was not saved: %v\n", err)
		}
	})
	if errors.Is(err, cognito.ErrNoStoredTokens) {
		return nil, exitf(1, "the session of %s is no longer stored: run cognitoctl login again", l.Username)
	}
	if err != nil {
		return nil, err
	}
	if _, err := sess.Tokens(ctx); err != nil {
		if errors.Is(err, cognito.ErrInvalidGrant) || errors.Is(err, cognito.ErrNoRefreshToken) {
			return nil, exitf(1, "the stored session of %s was refused (signed out, revoked or expired): run cognitoctl login again", l.Username)
		}
		return nil, err
	}
	return sess, nil
}

// storedFlags checks that a command run with -use-stored was given none
// of the flags the stored session replaces (those not in allowed).
func storedFlags(fs *flag.FlagSet, allowed ...string) error {
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		for _, a := range allowed {
			if f.Name == a {
				return
			}
		}
		bad = append(bad, "-"+f.Name)
	})
	if len(bad) > 0 {
		return exitf(2, "-use-stored runs from the stored session, without %s", strings.Join(bad, ", "))
	}
	return nil
}

const loginUsage = `usage: cognitoctl login -domain URL -client-id ID -redirect-uri http://localhost:PORT/callback
       [-client-secret SECRET] [-scopes "openid email ..."] [-identity-provider NAME]
       [-token-dir DIR] [-timeout 5m]

Signs a user in through the app client's hosted UI in the browser, as "aws sso
login" and "gh auth login" do (OAuth 2.0 for native apps, RFC 8252, with PKCE):
listens on the redirect URI, which must be one of the app client's callback
URLs on http://localhost or 127.0.0.1 with a fixed port; opens the browser at
the sign-in page (or prints its URL); and keeps the session on disk, files of
mode 0600 in -token-dir (default $COGNITOKIT_TOKEN_DIR, else the user's config
directory), one per app client. signin, credentials and call then run from it
with -use-stored, refreshing it as needed; logout ends it.

-domain is the user pool domain, e.g. https://myapp.auth.us-east-1.amazoncognito.com
(or the emulator's URL); -identity-provider skips Cognito's page for Google,
Facebook, a SAML or OIDC provider's name. The scopes must include openid. The
client secret (@FILE, @- or $COGNITO_CLIENT_SECRET), for clients that have one,
is not stored: pass it again with -use-stored and to logout.

Prints {"Username", "Email", "UserPoolId", "ClientId", "Domain", "Expiration",
"TokenDir"} on stdout; never a token.

flags:
`

// loginJSON is what login prints: who signed in, never a token.
type loginJSON struct {
	Username   string `json:"Username"`
	Email      string `json:"Email,omitempty"`
	UserPoolID string `json:"UserPoolId"`
	ClientID   string `json:"ClientId"`
	Domain     string `json:"Domain"`
	Expiration string `json:"Expiration"`
	TokenDir   string `json:"TokenDir"`
}

func runLogin(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "login", loginUsage)
	domain := fs.String("domain", "", "hosted-UI domain, e.g. https://myapp.auth.us-east-1.amazoncognito.com (required)")
	clientID := fs.String("client-id", "", "app client ID (required)")
	redirectURI := fs.String("redirect-uri", "", "the app client's loopback callback URL, e.g. http://localhost:8765/callback (required)")
	secretFlag := secret.Define(fs, "client-secret", envClientSecret, "app client secret, for clients that have one")
	scopes := fs.String("scopes", "", "scopes to ask for, separated by spaces or commas (default: every scope the app client allows)")
	provider := fs.String("identity-provider", "", "go straight to this identity provider (Google, Facebook, a SAML or OIDC provider's name)")
	var store storeFlags
	store.register(fs)
	timeout := fs.Duration("timeout", defaultLoginTimeout, "time limit for the whole sign-in, the person's part included")
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	if err := requireFlags(env, fs, "domain", "client-id", "redirect-uri"); err != nil {
		return err
	}
	clientSecret, err := secretValue(env, secretFlag)
	if err != nil {
		return err
	}
	ss, err := store.open(env)
	if err != nil {
		return err
	}
	dl := deadline.New(defaultTimeout) // each exchange with the hosted UI
	ui, err := cognito.NewHostedUI(*domain, *clientID, *redirectURI, func(o *cognito.HostedUIOptions) {
		o.ClientSecret = clientSecret
		o.HTTPClient = dl.HTTP
	})
	if err != nil {
		return exitf(2, "%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	tokens, err := ui.LoginWithBrowser(ctx, func(o *cognito.BrowserLoginOptions) {
		o.Prompt = env.stderr
		o.Authorize.IdentityProvider = *provider
		o.Authorize.Scopes = strings.FieldsFunc(*scopes, func(r rune) bool { return r == ',' || r == ' ' })
		if env.openBrowser != nil {
			o.OpenBrowser = env.openBrowser
		}
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return exitf(1, "no sign-in in the browser within %s (-timeout)", *timeout)
	}
	if err != nil {
		return err
	}
	claims, err := cognito.ParseClaims(tokens.IDToken)
	if err != nil {
		return exitf(1, "the sign-in returned no usable ID token (is openid among the scopes?): %v", err)
	}
	// The issuer ends in the user pool ID: https://cognito-idp.REGION.amazonaws.com/POOL.
	poolID := claims.Issuer[strings.LastIndexByte(claims.Issuer, '/')+1:]
	if poolID == "" || claims.CognitoUsername() == "" {
		return exitf(1, "the ID token names no user pool or username (iss %q)", claims.Issuer)
	}
	l := storedLogin{Domain: ui.Domain(), ClientID: *clientID, RedirectURI: *redirectURI, UserPoolID: poolID,
		Username: claims.CognitoUsername(), HasSecret: clientSecret != ""}
	if err := ui.NewSession(tokens, func(o *cognito.SessionOptions) { o.Store = ss.tokens }).Save(ctx); err != nil {
		return err
	}
	if err := ss.putIndex(l, false); err != nil {
		return fmt.Errorf("saving the login index: %w", err)
	}
	return printJSON(env.stdout, loginJSON{Username: l.Username, Email: claims.Email, UserPoolID: l.UserPoolID, ClientID: l.ClientID,
		Domain: l.Domain, Expiration: tokens.Expiry.UTC().Format(time.RFC3339), TokenDir: ss.tokens.Dir})
}

const logoutUsage = `usage: cognitoctl logout [-client-id ID] [-domain URL] [-client-secret SECRET]
       [-logout-uri URL] [-token-dir DIR] [-timeout 30s]

Ends the session login stored: revokes its refresh token at the hosted UI
(which also ends the ID and access tokens issued with it) and deletes it from
-token-dir. With several stored sessions, -client-id (or -domain) chooses one.
If the revocation cannot be done (no answer, a wrong client secret), the
session is kept so that logout can be run again.

The browser keeps its own hosted-UI session: with -logout-uri (one of the app
client's sign-out URLs), the URL that ends it is printed, to open in the
browser. Prints {"Username", "ClientId", "Revoked", "LogoutURL"} on stdout.

flags:
`

// logoutJSON is what logout prints.
type logoutJSON struct {
	Username  string `json:"Username"`
	ClientID  string `json:"ClientId"`
	Revoked   bool   `json:"Revoked"`
	LogoutURL string `json:"LogoutURL,omitempty"`
}

func runLogout(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "logout", logoutUsage)
	var sel loginSelector
	fs.StringVar(&sel.clientID, "client-id", "", "the app client of the session to end (needed when several are stored)")
	fs.StringVar(&sel.domain, "domain", "", "the hosted-UI domain of the session to end")
	secretFlag := secret.Define(fs, "client-secret", envClientSecret, "app client secret, for clients that have one")
	logoutURI := fs.String("logout-uri", "", "print the hosted UI's logout URL that returns to this sign-out URL")
	var store storeFlags
	store.register(fs)
	timeout := timeoutFlag(fs)
	if err := parseFlagsNoArgs(fs, args); err != nil {
		return err
	}
	clientSecret, err := secretValue(env, secretFlag)
	if err != nil {
		return err
	}
	ss, err := store.open(env)
	if err != nil {
		return err
	}
	l, err := ss.pick(sel)
	if err != nil {
		return err
	}
	dl := deadline.New(*timeout)
	ui, err := l.hostedUI(dl, clientSecret)
	if err != nil {
		return err
	}
	out := logoutJSON{Username: l.Username, ClientID: l.ClientID}
	t, err := ss.tokens.Load(ctx, l.key())
	switch {
	case errors.Is(err, cognito.ErrNoStoredTokens):
	case err != nil:
		return err
	case t.RefreshToken != "":
		rctx, cancel := dl.Context(ctx)
		err := dl.Err(rctx, ui.Revoke(rctx, t.RefreshToken))
		cancel()
		switch {
		case err == nil:
			out.Revoked = true
		case errors.Is(err, cognito.ErrInvalidGrant), errors.Is(err, cognito.ErrInvalidToken):
			// Already signed out or expired: nothing left to revoke.
		case errors.Is(err, cognito.ErrUnsupportedTokenType):
			fmt.Fprintln(env.stderr, "cognitoctl logout: warning: the app client does not allow token revocation; the refresh token stays valid until it expires")
		default:
			return fmt.Errorf("revoking the refresh token failed, the session is kept (run logout again): %w", err)
		}
	}
	if err := ss.tokens.Delete(ctx, l.key()); err != nil {
		return err
	}
	if err := ss.putIndex(l, true); err != nil {
		return fmt.Errorf("updating the login index: %w", err)
	}
	if *logoutURI != "" {
		out.LogoutURL = ui.LogoutURL(*logoutURI)
	}
	return printJSON(env.stdout, out)
}

// runSigninStored is signin -use-stored: it prints the stored session's
// tokens, refreshed when they are about to expire.
func runSigninStored(ctx context.Context, env *cliEnv, fs *flag.FlagSet, app *appClientFlags, store *storeFlags, timeout time.Duration) error {
	if err := storedFlags(fs, "use-stored", "token-dir", "user-pool-id", "client-id", "client-secret", "timeout"); err != nil {
		return err
	}
	if err := app.resolve(env); err != nil {
		return err
	}
	ss, err := store.open(env)
	if err != nil {
		return err
	}
	l, err := ss.pick(loginSelector{clientID: app.clientID, userPoolID: app.poolID})
	if err != nil {
		return err
	}
	dl := deadline.New(timeout)
	t, err := deadline.Run(ctx, dl, func(ctx context.Context) (*cognito.Tokens, error) {
		s, err := ss.restore(ctx, env, dl, l, app.secret)
		if err != nil {
			return nil, err
		}
		return s.Tokens(ctx)
	})
	if err != nil {
		return err
	}
	return printTokens(env.stdout, t)
}
