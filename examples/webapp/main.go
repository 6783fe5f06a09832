// Command webapp is a server-side web application that signs people in
// through Amazon Cognito's hosted UI — with a password, Facebook, Google or
// a SAML identity provider — or through Cognito's API with a passkey or an
// e-mailed code, and calls an IAM-protected API Gateway route with the identity pool's
// temporary credentials for the signed-in user.
//
// By default it starts the cognitokit emulator in the same process, set up
// with a user pool, an app client whose callback and sign-out URLs are
// this app's, Facebook, Google and a SAML IdP ("CorpSAML", whose user is
// sam@corp.example) as identity providers (played by the emulator's fakes,
// the ones its identity pools trust too), an identity pool with its roles
// and an API; it prints the app's URL and a demo user's credentials:
//
//	go run ./examples/webapp
//	webapp: listening on http://localhost:8080
//	webapp: sign in as alice / <random password>, or with Facebook, Google, CorpSAML …
//
// The page has a "Sign in with …" button for each provider the app client
// supports besides COGNITO (-providers sets them; against AWS the default
// is Facebook).
//
// Against AWS, pass the real settings (the client secret is read from
// $WEBAPP_CLIENT_SECRET so that it stays out of the process list):
//
//	go run ./examples/webapp -addr 127.0.0.1:8080 -base-url https://app.example.com \
//	  -domain https://myapp.auth.eu-west-1.amazoncognito.com -region eu-west-1 \
//	  -user-pool-id eu-west-1_AbCdEf123 -client-id 1example23456789 \
//	  -identity-pool-id eu-west-1:0000… -api-url https://abc.execute-api.eu-west-1.amazonaws.com/prod/test
//
// # The flow
//
// Package websession does the sign-in, the session and the sign-out; the
// app adds its pages:
//
//   - "Sign in" (GET /login) and "Sign in with Facebook", "… Google", …
//     (/login?identity_provider=NAME, which skips Cognito's page) are
//     websession's LoginHandler: PKCE and a signed state, both sealed in a
//     short-lived cookie, so a flood of anonymous /login requests stores
//     nothing on the server.
//   - GET /callback (CallbackHandler) checks the state against this
//     browser's cookie, exchanges the code (with the client secret by HTTP
//     Basic) on the server, verifies the ID token with package jwks and
//     starts a session.
//   - The page shows who you are (the claims Optional puts in the request
//     context); "Call the API" trades the session's ID token — refreshed by
//     the session when it expires — for identity-pool credentials (package
//     identity) and signs the request with SigV4 (package sigv4client).
//   - "Sign out" (LogoutHandler) revokes the refresh token, forgets the
//     session, clears the cookie and goes through the hosted UI's /logout,
//     which ends its own session and comes back to the sign-out URL "/".
//   - A signed-in user may "Register a passkey" (WebAuthn, through the
//     page's script and StartWebAuthnRegistration with the session's
//     access token, so the app client must allow the
//     aws.cognito.signin.user.admin scope). Signed out, "Sign in with a
//     passkey" and "E-mail me a code" take a username and sign in with
//     USER_AUTH (the app client must allow ALLOW_USER_AUTH, the pool those
//     first factors, and for passkeys its relying-party ID must be the app's
//     host); the pending challenge waits on the server in a bounded,
//     expiring map, and websession's Manager.Establish turns the tokens into
//     a session. See passwordless.go.
//
// Browsers take no IP address as a passkey's relying party, so the
// emulated app on a loopback address is served as http://localhost:PORT
// (the pool's relying-party ID is localhost).
//
// # Why the session is an opaque ID
//
// The session cookie (HttpOnly, SameSite=Lax, Secure on https) holds only
// a random 256-bit ID — 43 bytes — and the tokens stay on the server. The
// alternative, the tokens themselves in chunked cookies, weighs 3-5 KB for
// an ID, access and refresh token (more with groups and custom attributes),
// which is sent with every request, overflows the 8 KB header budget of
// many proxies and load balancers once split across cookies, and cannot be
// revoked: a copied cookie keeps working until the tokens expire. An opaque
// ID is small, is revoked by deleting one store entry at sign-out, and
// never puts a refresh token in the browser. The price is server state:
// this example keeps sessions in websession's MemoryStore, so a real
// deployment with several instances needs a shared cognito.TokenStore
// (Redis, DynamoDB) and a shared websession.Config.Key. SameSite=Lax (not
// Strict) is needed because the callback is a top-level navigation coming
// from the hosted UI's domain; it also keeps other sites' forms from
// posting with the cookie, and the app refuses POSTs that browsers mark as
// cross-site.
//
// On plain http at a loopback address (the emulated setup) websession
// drops the Secure flag; -insecure-cookies drops it for plain http on
// other hosts, in development only.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webapp:", err)
		os.Exit(1)
	}
}

// usage introduces the flags in -h.
const usage = `Usage: webapp [flags]

Serves a web app that signs people in through Cognito's hosted UI and calls an
IAM-protected API. Without -domain it runs the cognitokit emulator in-process
and prints a demo user; with -domain it uses real AWS (the client secret, if
any, from $WEBAPP_CLIENT_SECRET).

Flags:
`

type flags struct {
	addr, baseURL, domain, region, userPoolID, clientID, identityPoolID, apiURL, demoPassword, providers string
	insecureCookies                                                                                      bool
}

func parseFlags(args []string) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // run prints the usage for -h; errors come back
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address (use port 0 for a free port)")
	fs.StringVar(&f.baseURL, "base-url", "", "the app's public URL for callbacks (default http://ADDR; http://localhost:PORT for the emulated app on a loopback ADDR, as passkeys need a host name)")
	fs.StringVar(&f.domain, "domain", "", "hosted-UI domain, e.g. https://myapp.auth.eu-west-1.amazoncognito.com (empty: run the emulator)")
	fs.StringVar(&f.region, "region", "", "AWS region of the pools")
	fs.StringVar(&f.userPoolID, "user-pool-id", "", "user pool ID")
	fs.StringVar(&f.clientID, "client-id", "", "app client ID (client secret from $WEBAPP_CLIENT_SECRET)")
	fs.StringVar(&f.identityPoolID, "identity-pool-id", "", "identity pool ID")
	fs.StringVar(&f.apiURL, "api-url", "", "URL of the AWS_IAM-protected API route to POST to")
	fs.StringVar(&f.demoPassword, "demo-password", "", "password of the emulated demo user alice (default: random)")
	fs.StringVar(&f.providers, "providers", "", "comma-separated identity providers to show sign-in buttons for, e.g. Facebook,Google,CorpSAML\n(default: the emulated app client's; with -domain, Facebook)")
	fs.BoolVar(&f.insecureCookies, "insecure-cookies", false, "drop the Secure cookie flag (plain http on a non-loopback host; development only)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			var sb strings.Builder
			sb.WriteString(usage)
			fs.SetOutput(&sb)
			fs.PrintDefaults()
			return nil, &helpError{sb.String()}
		}
		return nil, fmt.Errorf("%w (see webapp -h)", err)
	}
	if f.domain != "" {
		var missing []string
		for _, r := range []struct{ name, v string }{{"-region", f.region}, {"-user-pool-id", f.userPoolID},
			{"-client-id", f.clientID}, {"-identity-pool-id", f.identityPoolID}, {"-api-url", f.apiURL}} {
			if r.v == "" {
				missing = append(missing, r.name)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("-domain also needs %s", strings.Join(missing, ", "))
		}
	}
	return f, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// helpError is parseFlags' answer to -h: the usage, for stdout.
type helpError struct{ usage string }

func (e *helpError) Error() string { return "help requested" }

// run starts the app (and the emulator unless -domain is set) and serves
// until ctx ends or the process is interrupted. -h prints the usage to
// stdout and returns nil.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	f, err := parseFlags(args)
	var help *helpError
	if errors.As(err, &help) {
		_, err := io.WriteString(stdout, help.usage)
		return err
	}
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	defer l.Close()
	base := strings.TrimRight(f.baseURL, "/")
	if base == "" {
		base = "http://" + l.Addr().String()
		// Browsers take no IP address as a passkey's relying party: the
		// emulated app on a loopback address is served as localhost.
		if a, ok := l.Addr().(*net.TCPAddr); ok && a.IP.IsLoopback() && f.domain == "" {
			base = fmt.Sprintf("http://localhost:%d", a.Port)
		}
	}
	var cfg settings
	if f.domain == "" {
		demo, err := startDemo(base, f.demoPassword)
		if err != nil {
			return err
		}
		defer demo.srv.Close()
		cfg = demo.settings
		fmt.Fprintf(stdout, "webapp: emulator at %s\n", demo.srv.URL)
		fmt.Fprintf(stdout, "webapp: sign in as %s / %s, or with %s (the fake providers' pages ask who you are)\n",
			demo.username, demo.password, strings.Join(demo.settings.Providers, ", "))
	} else {
		awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(f.region))
		if err != nil {
			return err
		}
		cfg = settings{Domain: f.domain, Region: f.region, UserPoolID: f.userPoolID, ClientID: f.clientID,
			ClientSecret: os.Getenv("WEBAPP_CLIENT_SECRET"), IdentityPoolID: f.identityPoolID, APIURL: f.apiURL, AWS: awsCfg,
			Providers: []string{"Facebook"}}
	}
	if f.providers != "" {
		cfg.Providers = splitList(f.providers)
	}
	cfg.BaseURL = base
	cfg.InsecureCookies = f.insecureCookies
	a, err := newApp(cfg, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.handler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "webapp: listening on %s\n", base)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Names of the emulated setup.
const (
	demoFacebookApp = "1234567890"
	demoGoogleApp   = "webapp-demo.apps.googleusercontent.com"
	demoSAML        = "CorpSAML"         // the user pool's SAML provider
	demoSAMLUser    = "sam@corp.example" // a user of its IdP
	samlEmailAttr   = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
	demoAPIID       = "demoapi"
	demoAuthRole    = "arn:aws:iam::" + cognitotest.AccountID + ":role/WebAppAuthenticated"
	demoUnauthRole  = "arn:aws:iam::" + cognitotest.AccountID + ":role/WebAppGuest"
)

type demo struct {
	srv                *cognitotest.Server
	settings           settings
	username, password string
}

func randomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// startDemo starts the emulator with everything the app needs, for an app
// served at base.
func startDemo(base, password string) (*demo, error) {
	if password == "" {
		password = "Demo-" + randomSecret(9) + "-9a"
	}
	srv := cognitotest.NewServer()
	fail := func(err error) (*demo, error) { srv.Close(); return nil, err }
	// Passwordless sign-in: passkeys, whose relying party is the app's
	// host (a domain name or localhost, as browsers require), and e-mailed
	// codes, besides the password.
	u, err := url.Parse(base)
	if err != nil {
		return fail(err)
	}
	po := cognitotest.PoolOptions{Name: "webapp", SignInFactors: []string{"PASSWORD", "EMAIL_OTP", "WEB_AUTHN"}}
	if net.ParseIP(u.Hostname()) == nil {
		po.WebAuthnRelyingPartyID = u.Hostname()
	}
	pool, err := srv.CreateUserPool(po)
	if err != nil {
		return fail(err)
	}
	if err := srv.CreateIdentityProvider(pool, cognitotest.IdentityProviderOptions{Type: "Facebook", AppID: demoFacebookApp,
		AppSecret: randomSecret(24), AttributeMapping: map[string]string{"email": "email", "name": "name"}}); err != nil {
		return fail(err)
	}
	// Google and a SAML IdP, played by the emulator's fakes (the same ones
	// its identity pools trust).
	if err := srv.CreateIdentityProvider(pool, cognitotest.IdentityProviderOptions{Type: "Google",
		Details:          map[string]string{"client_id": demoGoogleApp, "client_secret": randomSecret(24), "authorize_scopes": "openid email profile"},
		AttributeMapping: map[string]string{"email": "email", "email_verified": "email_verified", "name": "name"}}); err != nil {
		return fail(err)
	}
	idp, err := srv.CreateSAMLProvider("corp-idp")
	if err != nil {
		return fail(err)
	}
	if err := srv.PutSAMLUser(idp.ARN, cognitotest.SAMLUser{NameID: demoSAMLUser,
		Attributes: map[string][]string{samlEmailAttr: {demoSAMLUser}}}); err != nil {
		return fail(err)
	}
	if err := srv.CreateIdentityProvider(pool, cognitotest.IdentityProviderOptions{Type: "SAML", Name: demoSAML,
		Details: map[string]string{"MetadataURL": idp.MetadataURL}, AttributeMapping: map[string]string{"email": samlEmailAttr}}); err != nil {
		return fail(err)
	}
	app, err := srv.CreateUserPoolClient(pool, cognitotest.ClientOptions{Name: "webapp", GenerateSecret: true,
		CallbackURLs: []string{base + "/callback"}, LogoutURLs: []string{base + "/"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "profile", "aws.cognito.signin.user.admin"},
		SupportedIdentityProviders: []string{"COGNITO", "Facebook", "Google", demoSAML},
		ExplicitAuthFlows:          []string{"ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil {
		return fail(err)
	}
	// The buttons are the app client's providers, as Cognito describes it.
	described, err := cip.NewFromConfig(srv.Config()).DescribeUserPoolClient(context.Background(),
		&cip.DescribeUserPoolClientInput{UserPoolId: &pool, ClientId: &app.ID})
	if err != nil {
		return fail(err)
	}
	var providers []string
	for _, p := range described.UserPoolClient.SupportedIdentityProviders {
		if p != "COGNITO" {
			providers = append(providers, p)
		}
	}
	if _, err := srv.CreateUser(pool, "alice", password, map[string]string{"email": "alice@example.com", "name": "Alice"}); err != nil {
		return fail(err)
	}
	srv.MustPutRole(cognitotest.Role{ARN: demoAuthRole, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:` + demoAPIID + `/*"}]}`})
	srv.MustPutRole(cognitotest.Role{ARN: demoUnauthRole, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`})
	if err := srv.PutAPI(cognitotest.API{ID: demoAPIID, Routes: []cognitotest.Route{
		{Method: "POST", Path: "/test", Authorization: cognitotest.AuthIAM, Message: "hello from the IAM-protected API"},
	}}); err != nil {
		return fail(err)
	}
	idPool, err := srv.CreateIdentityPool(cognitotest.IdentityPoolOptions{Name: "webapp",
		UserPools:         []cognitotest.IdentityPoolUserPool{{UserPoolID: pool, ClientID: app.ID, ServerSideTokenCheck: true}},
		AuthenticatedRole: demoAuthRole, UnauthenticatedRole: demoUnauthRole})
	if err != nil {
		return fail(err)
	}
	return &demo{srv: srv, username: "alice", password: password, settings: settings{
		Domain: srv.HostedUIURL(), Region: srv.Config().Region, UserPoolID: pool, ClientID: app.ID, ClientSecret: app.Secret,
		IdentityPoolID: idPool, APIURL: srv.APIURL(demoAPIID, "") + "/test", AWS: srv.Config(), Issuer: srv.Issuer(pool),
		Clock: srv.Now, Providers: providers,
	}}, nil
}
