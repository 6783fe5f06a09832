package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/jwks"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// Config is what a run talks to and who it signs in as.
type Config struct {
	// Target describes where the run goes, for the first line.
	Target string
	// Emulator is true for the in-process emulator: every step then has
	// to pass, and the API's answers are checked in detail (the caller's
	// identity, GET /public).
	Emulator bool

	// AWS is the SDK configuration (region, endpoint) for cognito-idp and
	// cognito-identity. No AWS credentials are needed: every call made
	// here is one Cognito serves unsigned.
	AWS            aws.Config
	Region         string
	UserPoolID     string
	ClientID       string
	ClientSecret   string // for app clients with a secret
	IdentityPoolID string
	// APIURL is the base URL of the API's stage, e.g.
	// https://abc123.execute-api.us-east-1.amazonaws.com/prod; the run calls
	// APIURL + "/test".
	APIURL string

	// Issuers and JWKSURL replace the issuer and JWKS address derived from
	// the pool ID (for an emulator).
	Issuers []string
	JWKSURL string

	Username, Password string
	// Email and Nickname are the sign-up attributes. With no Email the
	// sign-up and confirmation steps are skipped and Username must exist.
	Email, Nickname string

	// ReadCode returns the sign-up confirmation code sent to destination;
	// CodeSource says where it comes from. Nil skips the confirmation.
	ReadCode   func(ctx context.Context, destination string) (string, error)
	CodeSource string

	// FacebookToken is a Facebook user access token for the app the
	// identity pool trusts; FacebookLogin fetches one when it is empty
	// (FacebookSource says from where). With neither, the Facebook step is
	// skipped.
	FacebookToken  string
	FacebookLogin  func(ctx context.Context) (string, error)
	FacebookSource string

	// CheckPublic also calls GET /public unsigned and expects 200.
	CheckPublic bool

	// HTTPClient sends the unsigned calls and is the base of the signed
	// ones; nil means http.DefaultClient.
	HTTPClient *http.Client

	// Deadline, when set, bounds each step's exchanges by its timeout (a
	// step waiting for the user to type a code is not timed while it
	// waits), and a step that gets no answer in time fails naming the
	// endpoint. AWS, HTTPClient and the JWKS fetches should use its
	// clients.
	Deadline *deadline.Client
}

// Summary counts the steps of a run.
type Summary struct {
	Passed, Skipped, Failed int
	Elapsed                 time.Duration
}

// errSkip marks a step that did not apply to this run.
type skipError struct{ reason string }

func (e *skipError) Error() string { return e.reason }

func skip(format string, args ...any) error { return &skipError{fmt.Sprintf(format, args...)} }

// step is one numbered line of the run.
type step struct {
	name string
	run  func(ctx context.Context) (string, error)
	// interactive steps wait for the user and bound their exchanges
	// themselves (deadline.Run around each exchange).
	interactive bool
}

// run holds what the steps hand to each other.
type run struct {
	cfg       *Config
	client    *cognito.Client
	idv, accv *jwks.Verifier
	session   *cognito.Session
	delivery  string // where the confirmation code went
	confirmed bool   // SignUp said no confirmation is needed
	signedUp  bool
	identity  string // the signed-in user's identity ID
	creds     aws.CredentialsProvider
}

// Run runs the quickstart's steps against cfg, printing one line per step
// and a summary to out. It stops at the first failing step and returns an
// error naming it.
func Run(ctx context.Context, cfg Config, out io.Writer) (Summary, error) {
	start := time.Now()
	r := &run{cfg: &cfg}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	fmt.Fprintf(out, "quickstart: the whole federated flow against %s\n", cfg.Target)
	fmt.Fprintf(out, "  user pool %s, app client %s, identity pool %s, API %s\n",
		cfg.UserPoolID, cfg.ClientID, cfg.IdentityPoolID, cfg.APIURL)

	r.client = cognito.New(cfg.AWS, cfg.UserPoolID, cfg.ClientID, func(o *cognito.Options) {
		o.ClientSecret = cfg.ClientSecret
	})
	steps := []step{
		{name: "sign up", run: r.signUp},
		{name: "confirm", run: r.confirm, interactive: true},
		{name: "sign in (SRP)", run: r.signIn},
		{name: "verify ID", run: r.verifyID},
		{name: "verify access", run: r.verifyAccess},
		{name: "credentials", run: r.credentials},
		{name: "signed call", run: r.signedCall},
		{name: "unsigned call", run: r.unsignedCall},
		{name: "Facebook", run: r.facebook},
		{name: "guest", run: r.guest},
		{name: "refresh", run: r.refresh},
		{name: "sign out", run: r.signOut},
	}
	var sum Summary
	for i, s := range steps {
		run := s.run
		if !s.interactive {
			run = func(ctx context.Context) (string, error) { return deadline.Run(ctx, cfg.Deadline, s.run) }
		}
		msg, err := run(ctx)
		var se *skipError
		switch {
		case errors.As(err, &se):
			sum.Skipped++
			fmt.Fprintf(out, "%2d. %-14s skipped: %s\n", i+1, s.name, se.reason)
		case err != nil:
			sum.Failed++
			sum.Elapsed = time.Since(start)
			fmt.Fprintf(out, "%2d. %-14s FAILED: %v\n", i+1, s.name, err)
			fmt.Fprintf(out, "quickstart: FAILED at step %d (%s) after %d passed, in %s\n", i+1, s.name, sum.Passed, round(sum.Elapsed))
			return sum, fmt.Errorf("step %d (%s): %w", i+1, s.name, err)
		default:
			sum.Passed++
			fmt.Fprintf(out, "%2d. %-14s %s\n", i+1, s.name, msg)
		}
	}
	sum.Elapsed = time.Since(start)
	fmt.Fprintf(out, "quickstart: all steps passed: %d passed, %d skipped, in %s\n", sum.Passed, sum.Skipped, round(sum.Elapsed))
	return sum, nil
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Millisecond) }

func (r *run) signUp(ctx context.Context) (string, error) {
	c := r.cfg
	if c.Email == "" {
		return "", skip("no -email: signing in as the existing user %q", c.Username)
	}
	attrs := map[string]string{"email": c.Email}
	if c.Nickname != "" {
		attrs["nickname"] = c.Nickname
	}
	res, err := r.client.SignUp(ctx, c.Username, c.Password, attrs)
	if errors.Is(err, cognito.ErrUsernameExists) && !c.Emulator {
		return "", skip("%q exists already: signing in", c.Username)
	}
	if err != nil {
		return "", err
	}
	r.signedUp, r.confirmed = true, res.UserConfirmed
	if res.UserConfirmed {
		return fmt.Sprintf("%s registered (sub %s), confirmed by the pool", c.Username, res.UserSub), nil
	}
	if d := res.CodeDelivery; d != nil {
		r.delivery = d.Destination
		return fmt.Sprintf("%s registered (sub %s), UNCONFIRMED; code sent by %s to %s",
			c.Username, res.UserSub, d.DeliveryMedium, d.Destination), nil
	}
	return fmt.Sprintf("%s registered (sub %s), UNCONFIRMED", c.Username, res.UserSub), nil
}

func (r *run) confirm(ctx context.Context) (string, error) {
	c := r.cfg
	switch {
	case !r.signedUp:
		return "", skip("no sign-up")
	case r.confirmed:
		return "", skip("the pool confirmed the user itself")
	case c.ReadCode == nil:
		return "", skip("no way to read the code here (stdin is not a terminal); confirm %q, then run again", c.Username)
	}
	code, err := c.ReadCode(ctx, r.delivery)
	if err != nil {
		return "", err
	}
	if _, err := deadline.Run(ctx, c.Deadline, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, r.client.ConfirmSignUp(ctx, c.Username, code)
	}); err != nil {
		return "", err
	}
	return fmt.Sprintf("ConfirmSignUp with the code from %s: %s is CONFIRMED", c.CodeSource, c.Username), nil
}

func (r *run) signIn(ctx context.Context) (string, error) {
	c := r.cfg
	res, err := r.client.SignIn(ctx, c.Username, c.Password) // USER_SRP_AUTH
	if err != nil {
		return "", err
	}
	if res.Challenge != nil {
		return "", fmt.Errorf("Cognito asks for %s; answer it with `cognitoctl signin` or package cognito's Challenge methods", res.Challenge.Name)
	}
	r.session = r.client.NewSession(res.Tokens)
	return fmt.Sprintf("USER_SRP_AUTH as %s (an SRP proof, never the password, went to Cognito): ID, access and refresh tokens, valid %s",
		res.Tokens.Username, res.Tokens.ExpiresIn), nil
}

// verifier returns a jwks verifier for the pool, accepting tokenUse.
func (r *run) verifier(tokenUse jwks.TokenUse) (*jwks.Verifier, error) {
	c := r.cfg
	opts := func(o *jwks.Options) {
		o.ClientIDs = []string{c.ClientID}
		o.TokenUse = tokenUse
		if c.Deadline != nil {
			o.HTTPClient = c.Deadline.HTTP
		}
	}
	if len(c.Issuers) == 0 {
		return jwks.NewVerifier(c.UserPoolID, opts)
	}
	return jwks.NewMultiPoolVerifier([]jwks.Pool{{UserPoolID: c.UserPoolID, Issuers: c.Issuers, JWKSURL: c.JWKSURL}}, opts)
}

func (r *run) verifyID(ctx context.Context) (string, error) {
	v, err := r.verifier(jwks.TokenUseID)
	if err != nil {
		return "", err
	}
	r.idv = v
	tok, err := r.session.IDToken(ctx)
	if err != nil {
		return "", err
	}
	claims, err := v.Verify(ctx, tok)
	if err != nil {
		return "", err
	}
	nick, _ := claims.StringClaim("nickname")
	if r.cfg.Emulator && (claims.Email != r.cfg.Email || nick != r.cfg.Nickname) {
		return "", fmt.Errorf("the ID token says email %q nickname %q, want %q %q", claims.Email, nick, r.cfg.Email, r.cfg.Nickname)
	}
	return fmt.Sprintf("RS256 signature, issuer, audience and expiry OK: %s <%s> nickname %q, expires %s",
		claims.Username, claims.Email, nick, claims.ExpiresAt.UTC().Format(time.TimeOnly)), nil
}

func (r *run) verifyAccess(ctx context.Context) (string, error) {
	v, err := r.verifier(jwks.TokenUseAccess)
	if err != nil {
		return "", err
	}
	r.accv = v
	tok, err := r.session.AccessToken(ctx)
	if err != nil {
		return "", err
	}
	claims, err := v.Verify(ctx, tok)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("client_id %s, scope %q, key %s from the pool's JWKS", claims.ClientID, claims.Scope, claims.KeyID), nil
}

// provider returns an identity-pool credentials provider for logins (nil:
// a guest), cached as every user of identity.Provider should.
func (r *run) provider(logins ...identity.Login) (*identity.Provider, aws.CredentialsProvider) {
	client := cognitoidentity.NewFromConfig(r.cfg.AWS)
	p := identity.NewProvider(client, r.cfg.IdentityPoolID, func(o *identity.Options) {
		if len(logins) > 0 {
			o.Logins = identity.Logins(logins...)
		}
	})
	return p, aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = time.Minute })
}

func (r *run) credentials(ctx context.Context) (string, error) {
	login := identity.UserPoolLogin("", r.cfg.UserPoolID, r.session) // refreshes the ID token when needed
	p, creds := r.provider(login)
	c, err := creds.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	r.identity, r.creds = p.IdentityID(), creds
	return fmt.Sprintf("Logins {%s: <ID token>} → identity %s, temporary credentials until %s",
		login.Key, r.identity, c.Expires.UTC().Format(time.TimeOnly)), nil
}

// apiAnswer is the part of an API Gateway answer the steps read: the
// emulated API echoes API Gateway's requestContext.
type apiAnswer struct {
	Message        string `json:"message"`
	MessageUpper   string `json:"Message"`
	RequestContext struct {
		Identity struct {
			CognitoIdentityID             string `json:"cognitoIdentityId"`
			CognitoAuthenticationType     string `json:"cognitoAuthenticationType"`
			CognitoAuthenticationProvider string `json:"cognitoAuthenticationProvider"`
		} `json:"identity"`
	} `json:"requestContext"`
	raw string
}

func (a *apiAnswer) message() string {
	if a.Message != "" {
		return a.Message
	}
	if a.MessageUpper != "" {
		return a.MessageUpper
	}
	return shorten(a.raw, 120)
}

func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// call sends method APIURL+path with a small JSON body.
func (r *run) call(ctx context.Context, client *http.Client, method, path string) (int, *apiAnswer, error) {
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{"from":"cognitokit quickstart"}`)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.cfg.APIURL+path, body)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, err
	}
	a := &apiAnswer{raw: string(raw)}
	_ = json.Unmarshal(raw, a) // a Lambda may answer plain text
	return resp.StatusCode, a, nil
}

// signed returns an HTTP client that signs with creds for execute-api.
func (r *run) signed(creds aws.CredentialsProvider) *http.Client {
	return sigv4client.NewClient(creds, func(t *sigv4client.Transport) {
		// The region is inferred from {api}.execute-api.{region}.amazonaws.com;
		// the emulator and custom domains need it set.
		if u, err := url.Parse(r.cfg.APIURL); err != nil || !inferable(u.Host) {
			t.Region = r.cfg.Region
		}
		t.Base = r.cfg.HTTPClient.Transport
	})
}

func inferable(host string) bool {
	_, _, ok := sigv4client.InferRegionService(host)
	return ok
}

func (r *run) signedCall(ctx context.Context) (string, error) {
	status, a, err := r.call(ctx, r.signed(r.creds), http.MethodPost, "/test")
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("POST /test answered %d %q, want 200", status, a.message())
	}
	got := a.RequestContext.Identity.CognitoIdentityID
	if r.cfg.Emulator {
		if a.Message != "hello world" {
			return "", fmt.Errorf("POST /test said %q, want \"hello world\"", a.message())
		}
		if got != r.identity {
			return "", fmt.Errorf("the API saw identity %q, want %q", got, r.identity)
		}
	} else if got != "" && got != r.identity {
		return "", fmt.Errorf("the API saw identity %q, want %q", got, r.identity)
	}
	if got == "" {
		return fmt.Sprintf("POST /test signed with SigV4 → 200 %q", a.message()), nil
	}
	return fmt.Sprintf("POST /test signed with SigV4 → 200 %q, caller %s (%s)", a.message(), got, a.RequestContext.Identity.CognitoAuthenticationType), nil
}

func (r *run) unsignedCall(ctx context.Context) (string, error) {
	status, a, err := r.call(ctx, r.cfg.HTTPClient, http.MethodPost, "/test")
	if err != nil {
		return "", err
	}
	if status != http.StatusForbidden {
		return "", fmt.Errorf("unsigned POST /test answered %d %q, want 403", status, a.message())
	}
	msg := fmt.Sprintf("POST /test without a signature → 403 %q", a.message())
	if r.cfg.CheckPublic {
		status, a, err := r.call(ctx, r.cfg.HTTPClient, http.MethodGet, "/public")
		if err != nil {
			return "", err
		}
		if status != http.StatusOK {
			return "", fmt.Errorf("GET /public answered %d %q, want 200", status, a.message())
		}
		msg += fmt.Sprintf("; GET /public → 200 %q", a.message())
	}
	return msg, nil
}

func (r *run) facebook(ctx context.Context) (string, error) {
	c := r.cfg
	tok, from := c.FacebookToken, "-facebook-token"
	if tok == "" {
		if c.FacebookLogin == nil {
			return "", skip("no -facebook-token (a user access token of the app the identity pool trusts)")
		}
		var err error
		if tok, err = c.FacebookLogin(ctx); err != nil {
			return "", fmt.Errorf("Facebook login: %w", err)
		}
		from = c.FacebookSource
	}
	p, creds := r.provider(identity.FacebookLogin(tok))
	if _, err := creds.Retrieve(ctx); err != nil {
		return "", err
	}
	status, a, err := r.call(ctx, r.signed(creds), http.MethodPost, "/test")
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("POST /test as the Facebook identity answered %d %q, want 200", status, a.message())
	}
	if c.Emulator && a.RequestContext.Identity.CognitoAuthenticationProvider != identity.KeyFacebook {
		return "", fmt.Errorf("the API saw provider %q, want %s", a.RequestContext.Identity.CognitoAuthenticationProvider, identity.KeyFacebook)
	}
	return fmt.Sprintf("token from %s → Logins {%s: <token>} → identity %s → POST /test → 200 %q",
		from, identity.KeyFacebook, p.IdentityID(), a.message()), nil
}

func (r *run) guest(ctx context.Context) (string, error) {
	p, creds := r.provider() // no Logins: an unauthenticated identity
	if _, err := creds.Retrieve(ctx); err != nil {
		if !r.cfg.Emulator && errors.Is(err, identity.ErrNotAuthorized) {
			return "", skip("the identity pool refuses guests: %v", err)
		}
		return "", err
	}
	status, a, err := r.call(ctx, r.signed(creds), http.MethodPost, "/test")
	if err != nil {
		return "", err
	}
	if status != http.StatusForbidden {
		return "", fmt.Errorf("POST /test as a guest answered %d %q, want 403 from the unauthenticated role", status, a.message())
	}
	return fmt.Sprintf("guest identity %s, credentials of the unauthenticated role → POST /test → 403 %q", p.IdentityID(), shorten(a.message(), 200)), nil
}

func (r *run) refresh(ctx context.Context) (string, error) {
	old := r.session.Current()
	t, err := r.session.Refresh(ctx) // REFRESH_TOKEN_AUTH
	if err != nil {
		return "", err
	}
	if t.AccessToken == old.AccessToken || t.IDToken == old.IDToken {
		return "", errors.New("the refresh returned the same tokens")
	}
	claims, err := r.accv.Verify(ctx, t.AccessToken)
	if err != nil {
		return "", fmt.Errorf("the new access token: %w", err)
	}
	if _, err := r.idv.Verify(ctx, t.IDToken); err != nil {
		return "", fmt.Errorf("the new ID token: %w", err)
	}
	return fmt.Sprintf("REFRESH_TOKEN_AUTH: new ID and access tokens (verified), valid until %s", claims.ExpiresAt.UTC().Format(time.TimeOnly)), nil
}

func (r *run) signOut(ctx context.Context) (string, error) {
	access := r.session.Current().AccessToken
	if err := r.client.GlobalSignOut(ctx, access); err != nil {
		return "", err
	}
	_, err := r.client.GetUser(ctx, access)
	if err == nil {
		return "", errors.New("GetUser still accepts the signed-out access token")
	}
	if !errors.Is(err, cognito.ErrNotAuthorized) {
		return "", fmt.Errorf("GetUser with the signed-out access token: %w (want NotAuthorizedException)", err)
	}
	var ce *cognito.Error
	reason := err.Error()
	if errors.As(err, &ce) {
		reason = ce.Code + " " + ce.Message
	}
	if _, err := r.session.Refresh(ctx); err == nil {
		return "", errors.New("the refresh token still works after GlobalSignOut")
	}
	msg := fmt.Sprintf("GlobalSignOut; GetUser with the old access token → %s; the refresh token is refused too", reason)
	if r.cfg.Emulator {
		// The tutorial's identity pool checks tokens server-side
		// (ServerSideTokenCheck), so the signed-out ID token buys no new
		// credentials.
		_, creds := r.provider(identity.Login{Key: identity.UserPoolKey("", r.cfg.UserPoolID), Token: identity.StaticToken(r.session.Current().IDToken)})
		if _, err := creds.Retrieve(ctx); !errors.Is(err, identity.ErrNotAuthorized) {
			return "", fmt.Errorf("the identity pool took the signed-out ID token (err %v)", err)
		}
		msg += ", and so is the ID token by the identity pool"
	}
	// Local verification cannot know about the sign-out: say so.
	if claims, err := r.accv.Verify(ctx, access); err == nil {
		msg += fmt.Sprintf("; jwks still accepts the token locally until %s (verification is offline)", claims.ExpiresAt.UTC().Format(time.TimeOnly))
	}
	return msg, nil
}
