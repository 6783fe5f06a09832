package identity_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// The tests in this file run the providers against the emulator
// (cognito/cognitotest), which checks every login token, issues unique
// credentials recorded with their identity and role, and serves an API
// Gateway that verifies the signatures made with them.

const (
	emuAuthRole   = "arn:aws:iam::123456789012:role/Cognito_IdentityAuth"
	emuUnauthRole = "arn:aws:iam::123456789012:role/Cognito_IdentityUnauth"
	emuFacebookID = "4242424242"
	emuDeveloper  = "login.example.com"
	emuPassword   = "Corr3ct-Horse-Battery!"
	emuAPI        = "identityapi"
)

// countingTransport counts the requests it forwards by operation:
// X-Amz-Target's operation for JSON protocols, "STS." + Action for STS and
// "API " + path for the emulated API Gateway.
type countingTransport struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	op := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(op, '.'); i >= 0 {
		op = op[i+1:]
	}
	if op == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") && r.Body != nil {
		raw, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(raw))
		if form, err := url.ParseQuery(string(raw)); err == nil {
			op = "STS." + form.Get("Action")
		}
	}
	if op == "" {
		op = "API " + r.URL.Path
	}
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[op]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// count returns how many requests of op were made.
func (c *countingTransport) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

// reset forgets the counts.
func (c *countingTransport) reset() {
	c.mu.Lock()
	c.n = nil
	c.mu.Unlock()
}

// emulator is a cognitotest server with a user pool (users alice and bob),
// an identity pool trusting it, the fake Facebook app emuFacebookID and the
// developer provider emuDeveloper, its two roles, and an API whose routes
// say who called them.
type emulator struct {
	s      *cognitotest.Server
	pool   string
	client cognitotest.AppClient
	idPool string
	calls  *countingTransport
	cfg    aws.Config // the server's Config with a counting HTTP client
}

func newEmulator(t *testing.T, optFns ...func(*cognitotest.Options)) *emulator {
	t.Helper()
	s := cognitotest.NewServer(optFns...)
	t.Cleanup(s.Close)
	e := &emulator{s: s, calls: &countingTransport{}}
	e.pool = s.MustCreateUserPool(cognitotest.PoolOptions{Name: "identity"})
	e.client = s.MustCreateUserPoolClient(e.pool, cognitotest.ClientOptions{Name: "app"})
	s.MustCreateUser(e.pool, "alice", emuPassword, map[string]string{"email": "alice@example.com"})
	s.MustCreateUser(e.pool, "bob", emuPassword, map[string]string{"email": "bob@example.com"})
	s.MustPutRole(cognitotest.Role{ARN: emuAuthRole, Policy: `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:` + emuAPI + `/*"}]}`})
	s.MustPutRole(cognitotest.Role{ARN: emuUnauthRole, Policy: `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:` + emuAPI + `/*/GET/public"}]}`})
	s.MustPutAPI(cognitotest.API{ID: emuAPI, Routes: []cognitotest.Route{
		{Method: "ANY", Path: "/whoami", Authorization: cognitotest.AuthIAM},
		{Method: "GET", Path: "/public", Authorization: cognitotest.AuthIAM},
	}})
	e.idPool = s.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		AllowUnauthenticated:  true,
		AllowClassicFlow:      true,
		UserPools:             []cognitotest.IdentityPoolUserPool{{UserPoolID: e.pool, ClientID: e.client.ID, ServerSideTokenCheck: true}},
		FacebookAppID:         emuFacebookID,
		DeveloperProviderName: emuDeveloper,
		AuthenticatedRole:     emuAuthRole, UnauthenticatedRole: emuUnauthRole,
	})
	e.cfg = s.Config()
	e.cfg.HTTPClient = &http.Client{Transport: e.calls}
	return e
}

// identityClient is an unsigned cognito-identity client, as apps use.
func (e *emulator) identityClient() *cognitoidentity.Client {
	cfg := e.cfg.Copy()
	cfg.Credentials = nil
	return cognitoidentity.NewFromConfig(cfg)
}

// session signs username in (USER_PASSWORD_AUTH) with a cognito client on
// the emulator's clock.
func (e *emulator) session(t *testing.T, username string) *cognito.Session {
	t.Helper()
	c := cognito.New(e.cfg, e.pool, e.client.ID, func(o *cognito.Options) { o.Clock = e.s.Now })
	res, err := c.SignIn(context.Background(), username, emuPassword, func(o *cognito.SignInOptions) { o.Flow = cognito.FlowUserPassword })
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
	return c.NewSession(res.Tokens)
}

// provider is an enhanced-flow Provider of the identity pool.
func (e *emulator) provider(logins identity.LoginsFunc, optFns ...func(*identity.Options)) *identity.Provider {
	return identity.NewProvider(e.identityClient(), e.idPool, append([]func(*identity.Options){func(o *identity.Options) { o.Logins = logins }}, optFns...)...)
}

// call signs a request to the API with creds and returns the status and
// the decoded answer.
func (e *emulator) call(t *testing.T, creds aws.CredentialsProvider, method, path string) (int, map[string]any) {
	t.Helper()
	client := sigv4client.NewClient(creds, func(tr *sigv4client.Transport) {
		tr.Region = "us-east-1"
		tr.Clock = e.s.Now
		tr.DisableClockSkewCorrection = true
	})
	req, err := http.NewRequest(method, e.s.APIURL(emuAPI, "")+path, nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
	return resp.StatusCode, m
}

// caller returns requestContext.identity of an API answer.
func caller(m map[string]any) map[string]any {
	rc, _ := m["requestContext"].(map[string]any)
	id, _ := rc["identity"].(map[string]any)
	return id
}

// requireNotAuthorized checks the typed error of a refused exchange.
func requireNotAuthorized(t *testing.T, err error, op, contains string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, identity.ErrNotAuthorized)
	var ae *identity.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, op, ae.Operation)
	assert.Contains(t, ae.Message, contains)
}

// forge returns tok with its payload's sub replaced: the signature no
// longer matches.
func forge(t *testing.T, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(raw, &claims))
	claims["sub"] = "00000000-0000-4000-8000-00000000beef"
	raw, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

func TestEmulatorUserPoolLogin(t *testing.T) {
	e := newEmulator(t)
	sess := e.session(t, "alice")
	p := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, sess)))
	creds := aws.NewCredentialsCache(p)

	c, err := creds.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, identity.ProviderName, c.Source)
	assert.True(t, c.CanExpire)
	assert.WithinDuration(t, e.s.Now().Add(time.Hour), c.Expires, 5*time.Second)
	assert.True(t, strings.HasPrefix(c.AccessKeyID, "ASIA"))
	id := p.IdentityID()
	require.Regexp(t, `^us-east-1:[0-9a-f-]{36}$`, id)

	status, body := e.call(t, creds, "POST", "/whoami")
	require.Equal(t, 200, status, body)
	who := caller(body)
	assert.Equal(t, id, who["cognitoIdentityId"])
	assert.Equal(t, e.idPool, who["cognitoIdentityPoolId"])
	assert.Equal(t, "authenticated", who["cognitoAuthenticationType"])
	assert.True(t, strings.HasPrefix(who["cognitoAuthenticationProvider"].(string), identity.UserPoolKey("", e.pool)+","+identity.UserPoolKey("", e.pool)+":CognitoSignIn:"),
		"API Gateway's form for a user-pool caller: %v", who["cognitoAuthenticationProvider"])
	assert.Equal(t, emuAuthRole, who["role"])

	// A fresh provider (new store) finds the same identity: one per user.
	again := e.provider(identity.Logins(identity.UserPoolLogin("us-east-1", e.pool, sess)))
	c2, err := again.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, id, again.IdentityID())
	assert.NotEqual(t, c.AccessKeyID, c2.AccessKeyID, "every exchange gets fresh credentials")

	// Another user gets another identity.
	bob := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, e.session(t, "bob"))))
	_, err = bob.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, id, bob.IdentityID())
}

func TestEmulatorRefusedLogins(t *testing.T) {
	e := newEmulator(t)
	good, err := e.session(t, "alice").IDToken(ctx)
	require.NoError(t, err)

	other := e.s.MustCreateUserPool(cognitotest.PoolOptions{Name: "other"})
	otherClient := e.s.MustCreateUserPoolClient(other, cognitotest.ClientOptions{})
	e.s.MustCreateUser(other, "alice", emuPassword, nil)
	oc := cognito.New(e.cfg, other, otherClient.ID)
	res, err := oc.SignIn(ctx, "alice", emuPassword, func(o *cognito.SignInOptions) { o.Flow = cognito.FlowUserPassword })
	require.NoError(t, err)

	secondClient := e.s.MustCreateUserPoolClient(e.pool, cognitotest.ClientOptions{Name: "second"})
	sc := cognito.New(e.cfg, e.pool, secondClient.ID)
	res2, err := sc.SignIn(ctx, "alice", emuPassword, func(o *cognito.SignInOptions) { o.Flow = cognito.FlowUserPassword })
	require.NoError(t, err)

	upKey := identity.UserPoolKey("", e.pool)
	tests := []struct {
		name     string
		logins   map[string]string
		contains string
	}{
		{"forged ID token", map[string]string{upKey: forge(t, good)}, "Invalid login token"},
		{"not a JWT", map[string]string{upKey: "not-a-token"}, "Invalid login token"},
		{"token of another pool under this pool's key", map[string]string{upKey: res.Tokens.IDToken}, "Invalid login token"},
		{"token of a pool the identity pool does not trust", map[string]string{identity.UserPoolKey("", other): res.Tokens.IDToken}, "not from a supported provider"},
		{"token of another app client", map[string]string{upKey: res2.Tokens.IDToken}, "Incorrect token audience"},
		{"wrong region in the key", map[string]string{identity.UserPoolKey("eu-west-1", e.pool): good}, ""},
		{"forged Facebook token", map[string]string{identity.KeyFacebook: "EAAforged"}, "Invalid login token"},
		{"Facebook token of another app", map[string]string{identity.KeyFacebook: e.s.MustFacebookToken("999", cognitotest.FacebookUser{ID: "7"})}, "app"},
		{"Google is not trusted by the pool", map[string]string{identity.KeyGoogle: "eyJ.google.token"}, "not from a supported provider"},
		{"forged developer token", map[string]string{identity.KeyDeveloper: forge(t, good)}, "Invalid login token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.provider(identity.StaticLogins(tt.logins))
			_, err := aws.NewCredentialsCache(p).Retrieve(ctx)
			requireNotAuthorized(t, err, "GetId", tt.contains)
			for _, tok := range tt.logins {
				assert.NotContains(t, err.Error(), tok, "the error never repeats a token")
			}
			assert.Empty(t, p.IdentityID())
		})
	}

	t.Run("expired ID token", func(t *testing.T) {
		p := e.provider(identity.Logins(identity.Login{Key: upKey, Token: identity.StaticToken(good)}))
		_, err := p.Retrieve(ctx)
		require.NoError(t, err, "valid now")
		e.s.Advance(61 * time.Minute)
		defer e.s.Advance(-61 * time.Minute)
		_, err = p.Retrieve(ctx)
		requireNotAuthorized(t, err, "GetCredentialsForIdentity", "Token expired")
		assert.NotEmpty(t, p.IdentityID(), "a signed-in user's identity is kept, not churned")

		fresh := e.provider(identity.StaticLogins(map[string]string{upKey: good}))
		_, err = fresh.Retrieve(ctx)
		requireNotAuthorized(t, err, "GetId", "Token expired")
	})
}

// TestEmulatorSignedOut: with ServerSideTokenCheck, an ID token whose
// session was signed out is refused; the provider returns the error and
// keeps the identity instead of making a new one.
func TestEmulatorSignedOut(t *testing.T) {
	e := newEmulator(t)
	sess := e.session(t, "alice")
	p := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, sess)))
	_, err := p.Retrieve(ctx)
	require.NoError(t, err)
	id := p.IdentityID()

	_, err = cip.NewFromConfig(e.cfg).GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(sess.Current().AccessToken)})
	require.NoError(t, err)
	e.calls.reset()
	_, err = p.Retrieve(ctx)
	requireNotAuthorized(t, err, "GetCredentialsForIdentity", "revoked")
	assert.Equal(t, id, p.IdentityID())
	assert.Equal(t, 0, e.calls.count("GetId"), "no new identity for a signed-in user")
}

func TestEmulatorFacebook(t *testing.T) {
	e := newEmulator(t)
	tok := e.s.MustFacebookToken(emuFacebookID, cognitotest.FacebookUser{ID: "10001", Name: "Fay"})
	p := e.provider(identity.Logins(identity.FacebookLogin(tok)))
	creds := aws.NewCredentialsCache(p)
	status, body := e.call(t, creds, "GET", "/whoami")
	require.Equal(t, 200, status, body)
	who := caller(body)
	assert.Equal(t, p.IdentityID(), who["cognitoIdentityId"])
	assert.Equal(t, identity.KeyFacebook, who["cognitoAuthenticationProvider"])

	// The same Facebook user from another device: the same identity.
	again := e.provider(identity.Logins(identity.FacebookLogin(e.s.MustFacebookToken(emuFacebookID, cognitotest.FacebookUser{ID: "10001"}))))
	_, err := again.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, p.IdentityID(), again.IdentityID())

	// Facebook tokens expire (two hours).
	e.s.Advance(3 * time.Hour)
	_, err = identity.NewProvider(e.identityClient(), e.idPool, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.FacebookLogin(tok))
	}).Retrieve(ctx)
	requireNotAuthorized(t, err, "GetId", "Token expired")
}

// TestEmulatorGuestThenSignIn: a guest gets the unauthenticated role; when
// the user signs in, the login is linked to the guest identity, which is
// kept; later sign-ins elsewhere find the same identity.
func TestEmulatorGuestThenSignIn(t *testing.T) {
	e := newEmulator(t)
	var signedIn atomic.Pointer[cognito.Session]
	logins := func(ctx context.Context) (map[string]string, error) {
		s := signedIn.Load()
		if s == nil {
			return nil, nil
		}
		return identity.Logins(identity.UserPoolLogin("", e.pool, s))(ctx)
	}
	p := e.provider(logins)
	creds := aws.NewCredentialsCache(p)

	guest, err := creds.Retrieve(ctx)
	require.NoError(t, err)
	guestID := p.IdentityID()
	require.NotEmpty(t, guestID)
	status, body := e.call(t, creds, "GET", "/public")
	require.Equal(t, 200, status, body)
	assert.Equal(t, "unauthenticated", caller(body)["cognitoAuthenticationType"])
	assert.Equal(t, guestID, caller(body)["cognitoIdentityId"])
	status, body = e.call(t, creds, "POST", "/whoami")
	assert.Equal(t, 403, status, "the unauthenticated role may not call /whoami")
	assert.Contains(t, body["Message"], "assumed-role/Cognito_IdentityUnauth/CognitoIdentityCredentials is not authorized")

	signedIn.Store(e.session(t, "alice"))
	creds.Invalidate()
	c, err := creds.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, guest.AccessKeyID, c.AccessKeyID)
	assert.Equal(t, guestID, p.IdentityID(), "the guest identity is kept")
	status, body = e.call(t, creds, "POST", "/whoami")
	require.Equal(t, 200, status, body)
	assert.Equal(t, "authenticated", caller(body)["cognitoAuthenticationType"])
	assert.Equal(t, guestID, caller(body)["cognitoIdentityId"])

	// Elsewhere, alice's login now resolves to the linked identity.
	elsewhere := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, e.session(t, "alice"))))
	_, err = elsewhere.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, guestID, elsewhere.IdentityID())

	// Signed out again, the user is a new guest: the old guest identity has
	// a login now, and the provider forgot it as a guest when it linked.
	signedIn.Store(nil)
	creds.Invalidate()
	_, err = creds.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, guestID, p.IdentityID(), "a new guest after signing out")

	t.Run("guest linking disabled", func(t *testing.T) {
		var in atomic.Bool
		p := e.provider(func(ctx context.Context) (map[string]string, error) {
			if !in.Load() {
				return nil, nil
			}
			return map[string]string{identity.KeyFacebook: e.s.MustFacebookToken(emuFacebookID, cognitotest.FacebookUser{ID: "20002"})}, nil
		}, func(o *identity.Options) { o.DisableGuestLinking = true })
		_, err := p.Retrieve(ctx)
		require.NoError(t, err)
		g := p.IdentityID()
		in.Store(true)
		_, err = p.Retrieve(ctx)
		require.NoError(t, err)
		assert.NotEqual(t, g, p.IdentityID())
	})
}

// TestEmulatorGuestIdentityDeleted: a guest whose stored identity was
// deleted server-side gets a new one, once, without an error.
func TestEmulatorGuestIdentityDeleted(t *testing.T) {
	e := newEmulator(t)
	p := e.provider(nil)
	_, err := p.Retrieve(ctx)
	require.NoError(t, err)
	old := p.IdentityID()
	_, err = cognitoidentity.NewFromConfig(e.cfg).DeleteIdentities(ctx, &cognitoidentity.DeleteIdentitiesInput{IdentityIdsToDelete: []string{old}})
	require.NoError(t, err)
	e.calls.reset()
	_, err = p.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, old, p.IdentityID())
	assert.Equal(t, 1, e.calls.count("GetId"))
	assert.Equal(t, 2, e.calls.count("GetCredentialsForIdentity"), "the refused exchange and the retry")

	t.Run("guests not allowed", func(t *testing.T) {
		id := e.s.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{Name: "noguests", AuthenticatedRole: emuAuthRole})
		_, err := identity.NewProvider(e.identityClient(), id).Retrieve(ctx)
		requireNotAuthorized(t, err, "GetId", "Unauthenticated access is not supported")
	})
	t.Run("unknown pool", func(t *testing.T) {
		_, err := identity.NewProvider(e.identityClient(), "us-east-1:00000000-0000-4000-8000-000000000000").Retrieve(ctx)
		assert.ErrorIs(t, err, identity.ErrResourceNotFound)
	})
}

func TestEmulatorBasicFlow(t *testing.T) {
	e := newEmulator(t)
	sess := e.session(t, "alice")
	ci, st := e.identityClient(), sts.NewFromConfig(e.cfg)
	p := identity.NewBasicProvider(ci, st, e.idPool, emuAuthRole, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.UserPoolLogin("", e.pool, sess))
		o.RoleSessionName = "alice-web"
		o.Duration = 15 * time.Minute
	})
	creds := aws.NewCredentialsCache(p)
	c, err := creds.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, identity.BasicProviderName, c.Source)
	assert.Equal(t, "123456789012", c.AccountID)
	assert.WithinDuration(t, e.s.Now().Add(15*time.Minute), c.Expires, 5*time.Second)
	assert.Equal(t, 1, e.calls.count("STS.AssumeRoleWithWebIdentity"))
	status, body := e.call(t, creds, "POST", "/whoami")
	require.Equal(t, 200, status, body)
	assert.Contains(t, caller(body)["userArn"], "assumed-role/Cognito_IdentityAuth/alice-web")
	assert.Equal(t, p.IdentityID(), caller(body)["cognitoIdentityId"])

	t.Run("session policy narrows the role", func(t *testing.T) {
		p := identity.NewBasicProvider(ci, st, e.idPool, emuAuthRole, func(o *identity.Options) {
			o.Logins = identity.Logins(identity.UserPoolLogin("", e.pool, sess))
			o.Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*/GET/public"}]}`
		})
		creds := aws.NewCredentialsCache(p)
		status, _ := e.call(t, creds, "GET", "/public")
		assert.Equal(t, 200, status)
		status, _ = e.call(t, creds, "POST", "/whoami")
		assert.Equal(t, 403, status)
	})
	t.Run("role that does not trust the pool", func(t *testing.T) {
		const arn = "arn:aws:iam::123456789012:role/OtherPoolsOnly"
		e.s.MustPutRole(cognitotest.Role{ARN: arn, TrustedIdentityPools: []string{"us-east-1:00000000-0000-4000-8000-000000000009"}})
		_, err := identity.NewBasicProvider(ci, st, e.idPool, arn, func(o *identity.Options) {
			o.Logins = identity.Logins(identity.UserPoolLogin("", e.pool, sess))
		}).Retrieve(ctx)
		requireNotAuthorized(t, err, "AssumeRoleWithWebIdentity", "Not authorized")
	})
	t.Run("guest of the basic flow, refused by an authenticated-only role", func(t *testing.T) {
		const arn = "arn:aws:iam::123456789012:role/AuthenticatedOnly"
		e.s.MustPutRole(cognitotest.Role{ARN: arn, TrustedAMR: "authenticated"})
		_, err := identity.NewBasicProvider(ci, st, e.idPool, arn).Retrieve(ctx)
		requireNotAuthorized(t, err, "AssumeRoleWithWebIdentity", "")
	})
}

// TestEmulatorDeveloperIdentities: a back end with IAM credentials issues
// OpenID tokens; the client trades them for credentials with either flow.
func TestEmulatorDeveloperIdentities(t *testing.T) {
	e := newEmulator(t)
	backend := cognitoidentity.NewFromConfig(e.cfg) // signed with the server's IAM keys
	issuer := identity.NewDeveloperIssuer(backend, e.idPool, emuDeveloper, func(o *identity.DeveloperIssuerOptions) {
		o.TokenDuration = 10 * time.Minute
	})
	tok, err := issuer.Issue(ctx, "user-42")
	require.NoError(t, err)
	assert.NotContains(t, tok.String(), tok.Token)

	p := identity.NewDeveloperProvider(e.identityClient(), issuer.TokenSource("user-42"))
	creds := aws.NewCredentialsCache(p)
	c, err := creds.Retrieve(ctx)
	require.NoError(t, err)
	assert.Equal(t, identity.DeveloperProviderName, c.Source)
	assert.Equal(t, tok.IdentityID, p.IdentityID())
	status, body := e.call(t, creds, "POST", "/whoami")
	require.Equal(t, 200, status, body)
	assert.Equal(t, tok.IdentityID, caller(body)["cognitoIdentityId"])
	assert.Equal(t, "authenticated", caller(body)["cognitoAuthenticationType"])

	again, err := issuer.Issue(ctx, "user-42")
	require.NoError(t, err)
	assert.Equal(t, tok.IdentityID, again.IdentityID, "one identity per developer user")

	basic := identity.NewDeveloperBasicProvider(sts.NewFromConfig(e.cfg), emuAuthRole, issuer.TokenSource("user-42"), func(o *identity.DeveloperOptions) {
		o.RoleSessionName = "user-42"
	})
	status, body = e.call(t, aws.NewCredentialsCache(basic), "POST", "/whoami")
	require.Equal(t, 200, status, body)
	assert.Contains(t, caller(body)["userArn"], "assumed-role/Cognito_IdentityAuth/user-42")

	t.Run("linking a guest", func(t *testing.T) {
		guest := e.provider(nil)
		_, err := guest.Retrieve(ctx)
		require.NoError(t, err)
		linked, err := issuer.Issue(ctx, "user-43", func(o *identity.IssueOptions) { o.IdentityID = guest.IdentityID() })
		require.NoError(t, err)
		assert.Equal(t, guest.IdentityID(), linked.IdentityID)
	})
	t.Run("expired OpenID token", func(t *testing.T) {
		old := tok
		e.s.Advance(11 * time.Minute)
		defer e.s.Advance(-11 * time.Minute)
		_, err := identity.NewDeveloperProvider(e.identityClient(), identity.OpenIDTokenFunc(func(context.Context) (identity.OpenIDToken, error) {
			return old, nil
		})).Retrieve(ctx)
		requireNotAuthorized(t, err, "GetCredentialsForIdentity", "Token expired")
	})
	t.Run("token of another identity", func(t *testing.T) {
		other, err := issuer.Issue(ctx, "user-44")
		require.NoError(t, err)
		_, err = identity.NewDeveloperProvider(e.identityClient(), identity.OpenIDTokenFunc(func(context.Context) (identity.OpenIDToken, error) {
			return identity.OpenIDToken{IdentityID: tok.IdentityID, Token: other.Token}, nil
		})).Retrieve(ctx)
		requireNotAuthorized(t, err, "GetCredentialsForIdentity", "Logins don't match")
	})
	t.Run("issuer without IAM credentials", func(t *testing.T) {
		_, err := identity.NewDeveloperIssuer(e.identityClient(), e.idPool, emuDeveloper).Issue(ctx, "user-42")
		var ae *identity.APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, "GetOpenIdTokenForDeveloperIdentity", ae.Operation)
		assert.Equal(t, "MissingAuthenticationTokenException", ae.Code)
	})
	t.Run("wrong developer provider name", func(t *testing.T) {
		_, err := identity.NewDeveloperIssuer(backend, e.idPool, "other.example.com").Issue(ctx, "user-42")
		assert.ErrorIs(t, err, identity.ErrNotAuthorized)
	})
}

// newExpiringEmulator returns an emulator whose clock runs an hour minus
// lead behind the wall clock, so the credentials of its first exchange
// expire lead from now by the wall clock, which aws.CredentialsCache reads.
func newExpiringEmulator(t *testing.T, lead time.Duration) *emulator {
	return newEmulator(t, func(o *cognitotest.Options) {
		o.Clock = func() time.Time { return time.Now().Add(lead - time.Hour) }
	})
}

// TestEmulatorExpiryAndRefresh: past the credentials' hour and the ID
// token's, the cache asks the provider, whose Logins function refreshes
// the ID token through the cognito Session first.
func TestEmulatorExpiryAndRefresh(t *testing.T) {
	e := newExpiringEmulator(t, time.Second)
	sess := e.session(t, "alice")
	oldID := sess.Current().IDToken
	p := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, sess)))
	creds := aws.NewCredentialsCache(p)
	c1, err := creds.Retrieve(ctx)
	require.NoError(t, err)
	id := p.IdentityID()

	e.s.Advance(61 * time.Minute) // past the ID token's and the credentials' hour
	for !c1.Expired() {
		time.Sleep(20 * time.Millisecond)
	}
	status, body := e.call(t, credentialsOf(c1), "POST", "/whoami")
	assert.Equal(t, 403, status)
	assert.Equal(t, sigv4client.MsgExpiredToken, body["message"])

	e.calls.reset()
	c2, err := creds.Retrieve(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, c1.AccessKeyID, c2.AccessKeyID)
	assert.False(t, c2.Expired())
	assert.Equal(t, 1, e.calls.count("InitiateAuth"), "the ID token was refreshed first")
	assert.Equal(t, 1, e.calls.count("GetCredentialsForIdentity"))
	assert.Equal(t, 0, e.calls.count("GetId"), "the identity ID is reused")
	assert.NotEqual(t, oldID, sess.Current().IDToken)
	assert.Equal(t, id, p.IdentityID())

	status, body = e.call(t, creds, "POST", "/whoami")
	require.Equal(t, 200, status, body)
	assert.Equal(t, id, caller(body)["cognitoIdentityId"])
}

// credentialsOf is a provider of fixed credentials.
type credentialsOf aws.Credentials

func (c credentialsOf) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials(c), nil
}

// TestEmulatorOneExchangeAtExpiry: 1,000 goroutines asking the cache at
// expiry cause exactly one ID-token refresh and one exchange against the
// emulator, counted on the wire.
func TestEmulatorOneExchangeAtExpiry(t *testing.T) {
	e := newExpiringEmulator(t, time.Second)
	sess := e.session(t, "alice")
	p := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, sess)))
	creds := aws.NewCredentialsCache(p)
	c1, err := creds.Retrieve(ctx)
	require.NoError(t, err)
	e.s.Advance(61 * time.Minute)
	for !c1.Expired() {
		time.Sleep(20 * time.Millisecond)
	}
	e.calls.reset()

	const n = 1000
	start := make(chan struct{})
	var wg sync.WaitGroup
	keys := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := creds.Retrieve(context.Background())
			keys[i], errs[i] = c.AccessKeyID, err
		}()
	}
	close(start)
	wg.Wait()
	for i := range errs {
		require.NoError(t, errs[i])
		require.Equal(t, keys[0], keys[i])
	}
	assert.NotEqual(t, c1.AccessKeyID, keys[0])
	assert.Equal(t, 1, e.calls.count("GetCredentialsForIdentity"), "exactly one exchange")
	assert.Equal(t, 1, e.calls.count("InitiateAuth"), "exactly one ID token refresh")
	assert.Equal(t, 0, e.calls.count("GetId"))
}

// TestEmulatorErrorsHideTokens: nothing a provider prints or returns holds
// a token or key.
func TestEmulatorErrorsHideTokens(t *testing.T) {
	e := newEmulator(t)
	sess := e.session(t, "alice")
	tok := sess.Current().IDToken
	p := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, sess)))
	c, err := p.Retrieve(ctx)
	require.NoError(t, err)
	for _, s := range []string{p.String(), identity.UserPoolLogin("", e.pool, sess).String()} {
		assert.NotContains(t, s, tok)
		assert.NotContains(t, s, c.SecretAccessKey)
	}
	_, err = e.provider(identity.StaticLogins(map[string]string{identity.UserPoolKey("", e.pool): forge(t, tok)})).Retrieve(ctx)
	require.Error(t, err)
	assert.False(t, errors.Is(err, identity.ErrResourceNotFound))
	assert.NotContains(t, err.Error(), strings.Split(tok, ".")[2])
}

// TestEmulatorCustomRole: the enhanced flow's CustomRoleARN picks a role
// the ID token grants (cognito:roles, from the user's groups); a role it
// does not grant is refused.
func TestEmulatorCustomRole(t *testing.T) {
	e := newEmulator(t)
	const admin = "arn:aws:iam::123456789012:role/Cognito_IdentityAdmin"
	e.s.MustPutRole(cognitotest.Role{ARN: admin, Policy: `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`})
	e.s.MustCreateGroup(e.pool, "admins", admin, 1)
	e.s.MustAddUserToGroup(e.pool, "alice", "admins")
	alice := e.session(t, "alice")

	p := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, alice)), func(o *identity.Options) { o.CustomRoleARN = admin })
	status, body := e.call(t, aws.NewCredentialsCache(p), "POST", "/whoami")
	require.Equal(t, 200, status, body)
	assert.Equal(t, admin, caller(body)["role"])

	bob := e.provider(identity.Logins(identity.UserPoolLogin("", e.pool, e.session(t, "bob"))), func(o *identity.Options) { o.CustomRoleARN = admin })
	_, err := bob.Retrieve(ctx)
	requireNotAuthorized(t, err, "GetCredentialsForIdentity", "CustomRoleArn")
}
