package idpool_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	citypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/fakefb"
	"github.com/cognitokit/cognitokit/internal/emulator/idpool"
)

const (
	upProvider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"
	upClient   = "client123"
	fbApp      = "1234567890"
	authRole   = "arn:aws:iam::123456789012:role/Cognito_Auth"
	unauthRole = "arn:aws:iam::123456789012:role/Cognito_Unauth"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	svc     *idpool.Service
	fb      *fakefb.Fake
	clock   *clock
	ci      *ci.Client
	sts     *sts.Client
	url     string
	checked []bool // the checkRevoked flags the verifier saw
	mu      sync.Mutex
}

// fakeUserPool understands tokens of the form "id|<sub>|<aud>[|role,role]",
// "expired" and "revoked" (refused only when checkRevoked).
func (e *env) verify(provider, tok string, checkRevoked bool) (idpool.UserPoolClaims, error) {
	e.mu.Lock()
	e.checked = append(e.checked, checkRevoked)
	e.mu.Unlock()
	if provider != upProvider {
		return idpool.UserPoolClaims{}, errors.New("Invalid login token. Issuer doesn't match providerName")
	}
	switch {
	case tok == "expired":
		return idpool.UserPoolClaims{}, errors.New("Invalid login token. Token expired: 2 >= 1")
	case strings.HasPrefix(tok, "revoked:"):
		if checkRevoked {
			return idpool.UserPoolClaims{}, errors.New("Invalid login token. Token has been revoked.")
		}
		tok = strings.TrimPrefix(tok, "revoked:")
	}
	parts := strings.Split(tok, "|")
	if len(parts) < 3 || parts[0] != "id" {
		return idpool.UserPoolClaims{}, errors.New("Invalid login token. Not a valid OpenId Connect identity token.")
	}
	c := idpool.UserPoolClaims{Sub: parts[1], Audience: parts[2]}
	if len(parts) > 3 {
		c.Roles = strings.Split(parts[3], ",")
	}
	return c, nil
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{clock: &clock{t: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}}
	e.fb = fakefb.New(e.clock.Now, nil, nil)
	e.svc = idpool.New(idpool.Config{Now: e.clock.Now, VerifyUserPoolToken: e.verify, Facebook: e.fb})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, fakefb.PathPrefix):
			e.fb.ServeHTTP(w, r)
		case idpool.IsSTSRequest(r):
			e.svc.ServeSTS(w, r)
		case strings.HasPrefix(r.Header.Get("X-Amz-Target"), idpool.TargetPrefix):
			e.svc.ServeOperation(w, r, strings.TrimPrefix(r.Header.Get("X-Amz-Target"), idpool.TargetPrefix))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	e.url = ts.URL
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(ts.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	e.ci = ci.NewFromConfig(cfg)
	e.sts = sts.NewFromConfig(cfg)
	return e
}

func (e *env) pool(t *testing.T, fns ...func(*ci.CreateIdentityPoolInput)) string {
	t.Helper()
	in := &ci.CreateIdentityPoolInput{
		IdentityPoolName:               aws.String("test pool"),
		AllowUnauthenticatedIdentities: true,
		CognitoIdentityProviders: []citypes.CognitoIdentityProvider{{
			ProviderName: aws.String(upProvider), ClientId: aws.String(upClient), ServerSideTokenCheck: aws.Bool(true),
		}},
		SupportedLoginProviders: map[string]string{"graph.facebook.com": fbApp, "accounts.google.com": "google-app"},
		DeveloperProviderName:   aws.String("login.example.dev"),
	}
	for _, fn := range fns {
		fn(in)
	}
	out, err := e.ci.CreateIdentityPool(context.Background(), in)
	require.NoError(t, err)
	_, err = e.ci.SetIdentityPoolRoles(context.Background(), &ci.SetIdentityPoolRolesInput{
		IdentityPoolId: out.IdentityPoolId,
		Roles:          map[string]string{"authenticated": authRole, "unauthenticated": unauthRole},
	})
	require.NoError(t, err)
	return *out.IdentityPoolId
}

func code(t *testing.T, err error) string {
	t.Helper()
	require.Error(t, err)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	return ae.ErrorCode()
}

func TestPoolCRUD(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.pool(t)
	assert.Regexp(t, `^us-east-1:[0-9a-f-]{36}$`, id)

	d, err := e.ci.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &id})
	require.NoError(t, err)
	assert.Equal(t, "test pool", *d.IdentityPoolName)
	assert.True(t, d.AllowUnauthenticatedIdentities)
	assert.Equal(t, fbApp, d.SupportedLoginProviders["graph.facebook.com"])
	require.Len(t, d.CognitoIdentityProviders, 1)
	assert.Equal(t, upClient, *d.CognitoIdentityProviders[0].ClientId)

	roles, err := e.ci.GetIdentityPoolRoles(ctx, &ci.GetIdentityPoolRolesInput{IdentityPoolId: &id})
	require.NoError(t, err)
	assert.Equal(t, authRole, roles.Roles["authenticated"])

	_, err = e.ci.UpdateIdentityPool(ctx, &ci.UpdateIdentityPoolInput{IdentityPoolId: &id, IdentityPoolName: aws.String("renamed"), AllowUnauthenticatedIdentities: false})
	require.NoError(t, err)
	d, err = e.ci.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &id})
	require.NoError(t, err)
	assert.Equal(t, "renamed", *d.IdentityPoolName)
	assert.False(t, d.AllowUnauthenticatedIdentities)

	for i := 0; i < 3; i++ {
		_, err := e.ci.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("p"), AllowUnauthenticatedIdentities: true})
		require.NoError(t, err)
	}
	var all []string
	var next *string
	for {
		out, err := e.ci.ListIdentityPools(ctx, &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(3), NextToken: next})
		require.NoError(t, err)
		for _, p := range out.IdentityPools {
			all = append(all, *p.IdentityPoolId)
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	assert.Len(t, all, 4)

	_, err = e.ci.DeleteIdentityPool(ctx, &ci.DeleteIdentityPoolInput{IdentityPoolId: &id})
	require.NoError(t, err)
	_, err = e.ci.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &id})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))

	// Validation against the model: cognito-identity answers AWS's
	// generic ValidationException (getmoto/moto#4415, checked against AWS).
	_, err = e.ci.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("bad/name"), AllowUnauthenticatedIdentities: true})
	assert.Equal(t, "ValidationException", code(t, err))
	assert.ErrorContains(t, err, `1 validation error detected: Value 'bad/name' at 'identityPoolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`)
	_, err = e.ci.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &all[0], Roles: map[string]string{"authenticated": "not-an-arn"}})
	assert.Equal(t, "ValidationException", code(t, err))
	assert.ErrorContains(t, err, "Value '{authenticated=not-an-arn}' at 'roles' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 2048, Member must have length greater than or equal to 20]")
	_, err = e.ci.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String("nonsense")})
	assert.Equal(t, "ValidationException", code(t, err))
	// A name with '-' and '.' is valid in today's model ([\w\s+=,.@-]+);
	// the emulator used to refuse it with the model's old pattern [\w ]+.
	named, err := e.ci.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("test-with-identity.pool"), AllowUnauthenticatedIdentities: true})
	require.NoError(t, err)
	assert.Equal(t, "test-with-identity.pool", aws.ToString(named.IdentityPoolName))
	// The emulator's own checks, past the model's, keep Cognito's code.
	_, err = e.ci.SetIdentityPoolRoles(ctx, &ci.SetIdentityPoolRolesInput{IdentityPoolId: &all[0], Roles: map[string]string{"authenticated": "not-an-arn-but-long-enough"}})
	assert.Equal(t, "InvalidParameterException", code(t, err))
}

func TestAdminOperationsNeedSignature(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodPost, e.url, strings.NewReader(`{"IdentityPoolName":"x","AllowUnauthenticatedIdentities":true}`))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.CreateIdentityPool")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	assert.Equal(t, "MissingAuthenticationTokenException", resp.Header.Get("X-Amzn-ErrorType"))

	req, _ = http.NewRequest(http.MethodPost, e.url, strings.NewReader(`{}`))
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityService.FlyToTheMoon")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "an unimplemented operation is a 4xx, never a retried 500")
	assert.Equal(t, "UnknownOperationException", resp.Header.Get("X-Amzn-ErrorType"))
}

func TestGuestFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	id, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
	require.NoError(t, err)
	c1, err := e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
	require.NoError(t, err)
	c2, err := e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
	require.NoError(t, err)
	assert.NotEqual(t, *c1.Credentials.AccessKeyId, *c2.Credentials.AccessKeyId, "fresh credentials every call")
	assert.True(t, strings.HasPrefix(*c1.Credentials.AccessKeyId, "ASIA"))
	assert.WithinDuration(t, e.clock.Now().Add(time.Hour), *c1.Credentials.Expiration, time.Second)

	rec, ok := e.svc.LookupCredentials(*c1.Credentials.AccessKeyId)
	require.True(t, ok)
	assert.Equal(t, *id.IdentityId, rec.IdentityID)
	assert.Equal(t, pool, rec.IdentityPoolID)
	assert.Equal(t, unauthRole, rec.RoleARN)
	assert.Equal(t, "unauthenticated", rec.AuthType)
	assert.Equal(t, *c1.Credentials.SecretKey, rec.SecretAccessKey)
	assert.Equal(t, *c1.Credentials.SessionToken, rec.SessionToken)
	_, ok = e.svc.LookupCredentials("ASIANOTISSUED")
	assert.False(t, ok)

	// A pool that allows no guests refuses them.
	closed := e.pool(t, func(in *ci.CreateIdentityPoolInput) {
		in.AllowUnauthenticatedIdentities = false
		in.DeveloperProviderName = nil
	})
	_, err = e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &closed})
	assert.Equal(t, "NotAuthorizedException", code(t, err))
	assert.Contains(t, err.Error(), "Unauthenticated access is not supported")

	// Unknown identity.
	_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: aws.String("us-east-1:00000000-0000-4000-8000-000000000000")})
	assert.Equal(t, "ResourceNotFoundException", code(t, err))
}

func TestUserPoolLogins(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	logins := func(tok string) map[string]string { return map[string]string{upProvider: tok} }

	a1, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: logins("id|alice|" + upClient)})
	require.NoError(t, err)
	a2, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: logins("id|alice|" + upClient)})
	require.NoError(t, err)
	assert.Equal(t, *a1.IdentityId, *a2.IdentityId, "a stable identity per subject")
	b, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: logins("id|bob|" + upClient)})
	require.NoError(t, err)
	assert.NotEqual(t, *a1.IdentityId, *b.IdentityId)
	assert.Equal(t, []bool{true, true, true}, e.checked, "ServerSideTokenCheck passed to the verifier")

	creds, err := e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: a1.IdentityId, Logins: logins("id|alice|" + upClient)})
	require.NoError(t, err)
	rec, _ := e.svc.LookupCredentials(*creds.Credentials.AccessKeyId)
	assert.Equal(t, authRole, rec.RoleARN)
	assert.Equal(t, "authenticated", rec.AuthType)
	assert.Equal(t, []string{upProvider, upProvider + ":CognitoSignIn:alice"}, rec.AuthProvider)

	cases := []struct {
		name, id string
		logins   map[string]string
		code     string
		msg      string
	}{
		{"no logins for an authenticated identity", *a1.IdentityId, nil, "NotAuthorizedException", "is forbidden"},
		{"another user's login", *a1.IdentityId, logins("id|bob|" + upClient), "NotAuthorizedException", "Logins don't match"},
		{"wrong audience", *a1.IdentityId, logins("id|alice|otherclient"), "NotAuthorizedException", "Incorrect token audience"},
		{"expired token", *a1.IdentityId, logins("expired"), "NotAuthorizedException", "Token expired"},
		{"revoked token", *a1.IdentityId, logins("revoked:id|alice|" + upClient), "NotAuthorizedException", "revoked"},
		{"garbage token", *a1.IdentityId, logins("garbage"), "NotAuthorizedException", "Invalid login token"},
		{"provider not in the pool", *a1.IdentityId, map[string]string{"cognito-idp.us-east-1.amazonaws.com/us-east-1_Other": "id|alice|" + upClient}, "NotAuthorizedException", "not from a supported provider"},
		{"social provider the host does not run", *a1.IdentityId, map[string]string{"accounts.google.com": "x"}, "NotAuthorizedException", "does not run accounts.google.com"},
		{"unconfigured social provider", *a1.IdentityId, map[string]string{"www.amazon.com": "x"}, "NotAuthorizedException", "not from a supported provider"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: &tc.id, Logins: tc.logins})
			assert.Equal(t, tc.code, code(t, err))
			assert.Contains(t, err.Error(), tc.msg)
		})
	}

	// CustomRoleArn: allowed only when the token's cognito:roles grants it.
	admin := "arn:aws:iam::123456789012:role/Admin"
	_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: a1.IdentityId, Logins: logins("id|alice|" + upClient), CustomRoleArn: &admin})
	assert.Equal(t, "NotAuthorizedException", code(t, err))
	creds, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: a1.IdentityId, Logins: logins("id|alice|" + upClient + "|" + admin), CustomRoleArn: &admin})
	require.NoError(t, err)
	rec, _ = e.svc.LookupCredentials(*creds.Credentials.AccessKeyId)
	assert.Equal(t, admin, rec.RoleARN)
}

func TestFacebookLogins(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	tok, err := e.fb.Mint(fbApp, fakefb.User{ID: "10001", Name: "Fay"}, 0)
	require.NoError(t, err)
	id, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{"graph.facebook.com": tok}})
	require.NoError(t, err)
	_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: map[string]string{"graph.facebook.com": tok}})
	require.NoError(t, err)

	other, err := e.fb.Mint("another-app", fakefb.User{ID: "10001"}, 0)
	require.NoError(t, err)
	_, err = e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{"graph.facebook.com": other}})
	assert.Equal(t, "NotAuthorizedException", code(t, err))
	_, err = e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{"graph.facebook.com": "EAAforged"}})
	assert.Equal(t, "NotAuthorizedException", code(t, err))
	e.clock.Advance(3 * time.Hour)
	_, err = e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{"graph.facebook.com": tok}})
	assert.Contains(t, err.Error(), "Token expired")

	// Tokens minted over HTTP, as the quickstart and examples do.
	resp, err := http.Post(e.url+"/_emulator/facebook/tokens", "application/json", strings.NewReader(`{"app_id":"`+fbApp+`","user_id":"10002","name":"Gus"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestGuestLinking(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	guest, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
	require.NoError(t, err)
	login := map[string]string{upProvider: "id|carol|" + upClient}
	_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: guest.IdentityId, Logins: login})
	require.NoError(t, err)
	again, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: login})
	require.NoError(t, err)
	assert.Equal(t, *guest.IdentityId, *again.IdentityId, "the guest identity now belongs to carol")
	d, err := e.ci.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: guest.IdentityId})
	require.NoError(t, err)
	assert.Equal(t, []string{upProvider}, d.Logins)
	_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: guest.IdentityId})
	assert.Equal(t, "NotAuthorizedException", code(t, err), "no longer usable as a guest")

	// Unlink it again.
	_, err = e.ci.UnlinkIdentity(ctx, &ci.UnlinkIdentityInput{IdentityId: guest.IdentityId, Logins: login, LoginsToRemove: []string{upProvider}})
	require.NoError(t, err)
	d, err = e.ci.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: guest.IdentityId})
	require.NoError(t, err)
	assert.Empty(t, d.Logins)

	list, err := e.ci.ListIdentities(ctx, &ci.ListIdentitiesInput{IdentityPoolId: &pool, MaxResults: aws.Int32(10)})
	require.NoError(t, err)
	assert.Len(t, list.Identities, 1)
	del, err := e.ci.DeleteIdentities(ctx, &ci.DeleteIdentitiesInput{IdentityIdsToDelete: []string{*guest.IdentityId, "us-east-1:00000000-0000-4000-8000-000000000000"}})
	require.NoError(t, err)
	assert.Len(t, del.UnprocessedIdentityIds, 1)
}

func TestLinkedLoginNotReplaced(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	fb, err := e.fb.Mint(fbApp, fakefb.User{ID: "fb-1"}, 0)
	require.NoError(t, err)
	both := map[string]string{upProvider: "id|alice|" + upClient, "graph.facebook.com": fb}
	id, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: both})
	require.NoError(t, err)
	// The same Facebook account with another user-pool subject must not
	// replace alice's link.
	mixed := map[string]string{upProvider: "id|mallory|" + upClient, "graph.facebook.com": fb}
	_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: mixed})
	assert.Equal(t, "NotAuthorizedException", code(t, err))
	_, err = e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: mixed})
	assert.Equal(t, "NotAuthorizedException", code(t, err))
	d, err := e.ci.DescribeIdentity(ctx, &ci.DescribeIdentityInput{IdentityId: id.IdentityId})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{upProvider, "graph.facebook.com"}, d.Logins)
	again, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{upProvider: "id|alice|" + upClient}})
	require.NoError(t, err)
	assert.Equal(t, *id.IdentityId, *again.IdentityId)
}

func TestClassicFlowSetting(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		classic *bool
		ok      bool
	}{{"unset", nil, true}, {"true", aws.Bool(true), true}, {"false", aws.Bool(false), false}} {
		t.Run(tc.name, func(t *testing.T) {
			pool := e.pool(t, func(in *ci.CreateIdentityPoolInput) {
				in.AllowClassicFlow = tc.classic
				in.DeveloperProviderName = nil
			})
			d, err := e.ci.DescribeIdentityPool(ctx, &ci.DescribeIdentityPoolInput{IdentityPoolId: &pool})
			require.NoError(t, err)
			if tc.classic != nil {
				assert.Equal(t, *tc.classic, aws.ToBool(d.AllowClassicFlow))
			}
			id, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
			require.NoError(t, err)
			_, err = e.ci.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId})
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, "InvalidParameterException", code(t, err))
			}
		})
	}
}

func TestMissingRoles(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	out, err := e.ci.CreateIdentityPool(ctx, &ci.CreateIdentityPoolInput{IdentityPoolName: aws.String("noroles"), AllowUnauthenticatedIdentities: true})
	require.NoError(t, err)
	id, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: out.IdentityPoolId})
	require.NoError(t, err)
	_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId})
	assert.Equal(t, "InvalidIdentityPoolConfigurationException", code(t, err))
}

func TestBasicFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	login := map[string]string{upProvider: "id|dave|" + upClient}
	id, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: login})
	require.NoError(t, err)
	tok, err := e.ci.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: login})
	require.NoError(t, err)

	trusted := "arn:aws:iam::123456789012:role/Trusted"
	e.svc.PutRole(idpool.Role{ARN: trusted, TrustedIdentityPools: []string{pool}, TrustedAMR: "authenticated"})
	out, err := e.sts.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: &trusted, RoleSessionName: aws.String("dave-session"), WebIdentityToken: tok.Token, DurationSeconds: aws.Int32(900),
	})
	require.NoError(t, err)
	assert.Equal(t, *id.IdentityId, *out.SubjectFromWebIdentityToken)
	assert.Equal(t, pool, *out.Audience)
	assert.Contains(t, *out.AssumedRoleUser.Arn, "assumed-role/Trusted/dave-session")
	assert.WithinDuration(t, e.clock.Now().Add(15*time.Minute), *out.Credentials.Expiration, time.Second)
	rec, ok := e.svc.LookupCredentials(*out.Credentials.AccessKeyId)
	require.True(t, ok)
	assert.Equal(t, trusted, rec.RoleARN)
	assert.Equal(t, "authenticated", rec.AuthType)

	// A guest's token is refused by a role that trusts only authenticated identities.
	guest, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
	require.NoError(t, err)
	gtok, err := e.ci.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: guest.IdentityId})
	require.NoError(t, err)
	_, err = e.sts.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &trusted, RoleSessionName: aws.String("g1"), WebIdentityToken: gtok.Token})
	assert.Equal(t, "AccessDenied", code(t, err))

	tampered := (*tok.Token)[:len(*tok.Token)-4] + "AAAA"
	_, err = e.sts.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &trusted, RoleSessionName: aws.String("s1"), WebIdentityToken: &tampered})
	assert.Equal(t, "InvalidIdentityToken", code(t, err))
	_, err = e.sts.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:nope"), RoleSessionName: aws.String("s1"), WebIdentityToken: tok.Token})
	assert.Equal(t, "ValidationError", code(t, err))
	_, err = e.sts.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &trusted, RoleSessionName: aws.String("s1"), WebIdentityToken: tok.Token, DurationSeconds: aws.Int32(60)})
	assert.Equal(t, "ValidationError", code(t, err))
	e.clock.Advance(11 * time.Minute)
	_, err = e.sts.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: &trusted, RoleSessionName: aws.String("s1"), WebIdentityToken: tok.Token})
	assert.Equal(t, "ExpiredTokenException", code(t, err))
}

func TestDeveloperIdentities(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	out, err := e.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &pool, Logins: map[string]string{"login.example.dev": "user-42"}, TokenDuration: aws.Int64(600),
	})
	require.NoError(t, err)
	again, err := e.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &pool, Logins: map[string]string{"login.example.dev": "user-42"},
	})
	require.NoError(t, err)
	assert.Equal(t, *out.IdentityId, *again.IdentityId)

	creds, err := e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{
		IdentityId: out.IdentityId, Logins: map[string]string{"cognito-identity.amazonaws.com": *out.Token},
	})
	require.NoError(t, err)
	rec, _ := e.svc.LookupCredentials(*creds.Credentials.AccessKeyId)
	assert.Equal(t, "authenticated", rec.AuthType)

	look, err := e.ci.LookupDeveloperIdentity(ctx, &ci.LookupDeveloperIdentityInput{IdentityPoolId: &pool, DeveloperUserIdentifier: aws.String("user-42")})
	require.NoError(t, err)
	assert.Equal(t, *out.IdentityId, *look.IdentityId)
	assert.Equal(t, []string{"user-42"}, look.DeveloperUserIdentifierList)

	// The token names its identity: it cannot be used for another one.
	other, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool})
	require.NoError(t, err)
	_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{
		IdentityId: other.IdentityId, Logins: map[string]string{"cognito-identity.amazonaws.com": *out.Token},
	})
	assert.Equal(t, "NotAuthorizedException", code(t, err))
	_, err = e.ci.GetOpenIdTokenForDeveloperIdentity(ctx, &ci.GetOpenIdTokenForDeveloperIdentityInput{
		IdentityPoolId: &pool, Logins: map[string]string{"someone.else": "user-42"},
	})
	assert.Equal(t, "NotAuthorizedException", code(t, err))
	e.clock.Advance(11 * time.Minute)
	_, err = e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{
		IdentityId: out.IdentityId, Logins: map[string]string{"cognito-identity.amazonaws.com": *out.Token},
	})
	assert.Contains(t, err.Error(), "Token expired")
}

func TestSnapshotRestore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	login := map[string]string{upProvider: "id|erin|" + upClient}
	id, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: login})
	require.NoError(t, err)
	tok, err := e.ci.GetOpenIdToken(ctx, &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: login})
	require.NoError(t, err)
	creds, err := e.ci.GetCredentialsForIdentity(ctx, &ci.GetCredentialsForIdentityInput{IdentityId: id.IdentityId, Logins: login})
	require.NoError(t, err)

	snap, err := e.svc.Snapshot()
	require.NoError(t, err)
	fresh := newEnv(t)
	require.NoError(t, fresh.svc.Restore(snap))
	again, err := fresh.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: login})
	require.NoError(t, err)
	assert.Equal(t, *id.IdentityId, *again.IdentityId)
	_, ok := fresh.svc.LookupCredentials(*creds.Credentials.AccessKeyId)
	assert.True(t, ok)
	_, err = fresh.sts.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(authRole), RoleSessionName: aws.String("s1"), WebIdentityToken: tok.Token})
	assert.NoError(t, err, "an OpenID token signed before the restart still verifies")
}

func TestConcurrentGetId(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t)
	var wg sync.WaitGroup
	ids := make([]string, 20)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: map[string]string{upProvider: "id|same|" + upClient}})
			if assert.NoError(t, err) {
				ids[i] = *out.IdentityId
			}
		}(i)
	}
	wg.Wait()
	for _, id := range ids {
		assert.Equal(t, ids[0], id, "one identity per subject, even under concurrency")
	}
}

// TestUserPoolLoginsSeveralClients: a pool listing two app clients of one
// user pool takes both clients' tokens, each under its own entry's
// ServerSideTokenCheck (the emulator used to check only the first entry).
func TestUserPoolLoginsSeveralClients(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pool := e.pool(t, func(in *ci.CreateIdentityPoolInput) {
		in.CognitoIdentityProviders = append(in.CognitoIdentityProviders, citypes.CognitoIdentityProvider{
			ProviderName: aws.String(upProvider), ClientId: aws.String("mobileclient"), ServerSideTokenCheck: aws.Bool(false)})
	})
	logins := func(tok string) map[string]string { return map[string]string{upProvider: tok} }
	for _, tc := range []struct {
		name, tok, wantCode string
	}{
		{"first client", "id|alice|" + upClient, ""},
		{"second client", "id|bob|mobileclient", ""},
		{"first client's revoked token: its entry checks with the server", "revoked:id|carol|" + upClient, "NotAuthorizedException"},
		{"second client's revoked token: its entry does not", "revoked:id|dave|mobileclient", ""},
		{"a client the pool does not list", "id|erin|otherclient", "NotAuthorizedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.ci.GetId(ctx, &ci.GetIdInput{IdentityPoolId: &pool, Logins: logins(tc.tok)})
			if tc.wantCode == "" {
				require.NoError(t, err)
				return
			}
			assert.Equal(t, tc.wantCode, code(t, err))
		})
	}
}
