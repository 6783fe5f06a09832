package apigw_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/apigw"
	"github.com/cognitokit/cognitokit/internal/emulator/idpool"
	"github.com/cognitokit/cognitokit/sigv4client"
)

const (
	authRole   = "arn:aws:iam::123456789012:role/Auth"
	unauthRole = "arn:aws:iam::123456789012:role/Unauth"
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
	gw    *apigw.Gateway
	ids   *idpool.Service
	clock *clock
	url   string
	pool  string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	e.ids = idpool.New(idpool.Config{Now: e.clock.Now})
	e.gw = apigw.New(apigw.Config{
		Now: e.clock.Now, Identities: e.ids,
		VerifyUserPoolToken: func(pool, tok string) (map[string]any, error) {
			// "good-id", "good-access:<scope>" or anything else (refused).
			switch {
			case pool != "us-east-1_Pool" || tok == "bad":
				return nil, errors.New("invalid token")
			case tok == "good-id":
				return map[string]any{"token_use": "id", "sub": "u1"}, nil
			case strings.HasPrefix(tok, "good-access:"):
				return map[string]any{"token_use": "access", "scope": strings.TrimPrefix(tok, "good-access:")}, nil
			}
			return nil, errors.New("invalid token")
		},
	})
	ts := httptest.NewServer(e.gw)
	t.Cleanup(ts.Close)
	e.url = ts.URL + "/apis/abc123/prod"

	e.ids.PutRole(idpool.Role{ARN: authRole, Policy: `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/*/*"},
		{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/DELETE/*"}]}`})
	e.ids.PutRole(idpool.Role{ARN: unauthRole, Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`})
	require.NoError(t, e.gw.PutAPI(apigw.API{ID: "abc123", Routes: []apigw.Route{
		{Method: "POST", Path: "/test", Authorization: apigw.AuthIAM, Message: "hello world"},
		{Method: "DELETE", Path: "/test", Authorization: apigw.AuthIAM},
		{Method: "GET", Path: "/public", Message: "open"},
		{Method: "GET", Path: "/items/{id}", Authorization: apigw.AuthIAM},
		{Method: "ANY", Path: "/files/{proxy+}", Authorization: apigw.AuthIAM},
		{Method: "GET", Path: "/me", Authorization: apigw.AuthUserPools, UserPoolID: "us-east-1_Pool"},
		{Method: "GET", Path: "/scoped", Authorization: apigw.AuthUserPools, UserPoolID: "us-east-1_Pool", Scopes: []string{"api/read"}},
	}}))

	out, err := e.ids.Call("CreateIdentityPool", []byte(`{"IdentityPoolName":"p","AllowUnauthenticatedIdentities":true}`))
	require.NoError(t, err)
	var p struct{ IdentityPoolId string }
	require.NoError(t, json.Unmarshal(out, &p))
	e.pool = p.IdentityPoolId
	_, err = e.ids.Call("SetIdentityPoolRoles", []byte(`{"IdentityPoolId":"`+e.pool+`","Roles":{"authenticated":"`+authRole+`","unauthenticated":"`+unauthRole+`"}}`))
	require.NoError(t, err)
	return e
}

// guestCreds returns credentials for a new guest identity.
func (e *env) guestCreds(t *testing.T) (aws.CredentialsProvider, string) {
	t.Helper()
	out, err := e.ids.Call("GetId", []byte(`{"IdentityPoolId":"`+e.pool+`"}`))
	require.NoError(t, err)
	var id struct{ IdentityId string }
	require.NoError(t, json.Unmarshal(out, &id))
	out, err = e.ids.Call("GetCredentialsForIdentity", []byte(`{"IdentityId":"`+id.IdentityId+`"}`))
	require.NoError(t, err)
	var c struct {
		Credentials struct{ AccessKeyId, SecretKey, SessionToken string }
	}
	require.NoError(t, json.Unmarshal(out, &c))
	return credentials.NewStaticCredentialsProvider(c.Credentials.AccessKeyId, c.Credentials.SecretKey, c.Credentials.SessionToken), id.IdentityId
}

func (e *env) client(creds aws.CredentialsProvider) *http.Client {
	return sigv4client.NewClient(creds, func(t *sigv4client.Transport) {
		t.Region = "us-east-1"
		t.Clock = e.clock.Now
	})
}

type answer struct {
	status int
	body   map[string]any
}

func do(t *testing.T, c *http.Client, method, url, body string, hdr ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m), "body %s", raw)
	return answer{resp.StatusCode, m}
}

func TestIAMRoutes(t *testing.T) {
	e := newEnv(t)
	// The authenticated role is an identity-pool credential with the auth role:
	// issue one through a developer-free path by switching the guest role.
	_, err := e.ids.Call("SetIdentityPoolRoles", []byte(`{"IdentityPoolId":"`+e.pool+`","Roles":{"unauthenticated":"`+authRole+`"}}`))
	require.NoError(t, err)
	creds, identityID := e.guestCreds(t)
	c := e.client(creds)

	a := do(t, c, "POST", e.url+"/test?x=1", `{"hello":"there"}`)
	require.Equal(t, 200, a.status, a.body)
	assert.Equal(t, "hello world", a.body["message"])
	assert.Equal(t, `{"hello":"there"}`, a.body["body"])
	assert.Equal(t, map[string]any{"x": "1"}, a.body["queryStringParameters"])
	ident := a.body["requestContext"].(map[string]any)["identity"].(map[string]any)
	assert.Equal(t, identityID, ident["cognitoIdentityId"])
	assert.Equal(t, e.pool, ident["cognitoIdentityPoolId"])
	assert.Equal(t, "unauthenticated", ident["cognitoAuthenticationType"])
	assert.Equal(t, authRole, ident["role"])

	a = do(t, c, "GET", e.url+"/items/42", "")
	require.Equal(t, 200, a.status)
	assert.Equal(t, map[string]any{"id": "42"}, a.body["pathParameters"])
	a = do(t, c, "PUT", e.url+"/files/a/b/c.txt", "data")
	require.Equal(t, 200, a.status)
	assert.Equal(t, map[string]any{"proxy": "a/b/c.txt"}, a.body["pathParameters"])

	// Explicit deny wins.
	a = do(t, c, "DELETE", e.url+"/test", "")
	assert.Equal(t, 403, a.status)
	assert.Contains(t, a.body["Message"], "is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:abc123/prod/DELETE/test with an explicit deny")

	// Unsigned.
	a = do(t, http.DefaultClient, "POST", e.url+"/test", "")
	assert.Equal(t, 403, a.status)
	assert.Equal(t, "Missing Authentication Token", a.body["message"])

	// Expired credentials.
	e.clock.Advance(61 * time.Minute)
	a = do(t, c, "POST", e.url+"/test", "")
	assert.Equal(t, 403, a.status)
	assert.Equal(t, sigv4client.MsgExpiredToken, a.body["message"])
}

func TestGuestDenied(t *testing.T) {
	e := newEnv(t)
	creds, _ := e.guestCreds(t)
	a := do(t, e.client(creds), "POST", e.url+"/test", "")
	assert.Equal(t, 403, a.status)
	assert.Contains(t, a.body["Message"], "assumed-role/Unauth/CognitoIdentityCredentials is not authorized")
}

func TestBodyChangedAfterSigning(t *testing.T) {
	e := newEnv(t)
	_, err := e.ids.Call("SetIdentityPoolRoles", []byte(`{"IdentityPoolId":"`+e.pool+`","Roles":{"unauthenticated":"`+authRole+`"}}`))
	require.NoError(t, err)
	creds, _ := e.guestCreds(t)
	tamper := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r2 := r.Clone(r.Context())
		r2.Body = io.NopCloser(bytes.NewReader([]byte(`{"amount":1000000}`)))
		r2.ContentLength = int64(len(`{"amount":1000000}`))
		return http.DefaultTransport.RoundTrip(r2)
	})
	c := sigv4client.NewClient(creds, func(t *sigv4client.Transport) {
		t.Region, t.Clock, t.Base = "us-east-1", e.clock.Now, tamper
	})
	a := do(t, c, "POST", e.url+"/test", `{"amount":1}`)
	assert.Equal(t, 403, a.status)
	assert.Contains(t, a.body["message"], "The request signature we calculated does not match")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestStaticUsers(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, e.gw.PutUser(apigw.User{
		ARN: "arn:aws:iam::123456789012:user/ci", AccessKeyID: "AKIACI", SecretAccessKey: "ci-secret",
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:abc123/prod/GET/items/*"}]}`,
	}))
	c := e.client(credentials.NewStaticCredentialsProvider("AKIACI", "ci-secret", ""))
	a := do(t, c, "GET", e.url+"/items/7", "")
	require.Equal(t, 200, a.status, a.body)
	assert.Equal(t, "arn:aws:iam::123456789012:user/ci", a.body["requestContext"].(map[string]any)["identity"].(map[string]any)["userArn"])
	a = do(t, c, "POST", e.url+"/test", "")
	assert.Equal(t, 403, a.status, "no Allow: denied by default")
	assert.Contains(t, a.body["Message"], "User: arn:aws:iam::123456789012:user/ci is not authorized")

	bad := e.client(credentials.NewStaticCredentialsProvider("AKIACI", "wrong", ""))
	a = do(t, bad, "GET", e.url+"/items/7", "")
	assert.Equal(t, 403, a.status)
	unknown := e.client(credentials.NewStaticCredentialsProvider("AKIANOBODY", "x", ""))
	a = do(t, unknown, "GET", e.url+"/items/7", "")
	assert.Equal(t, 403, a.status)
	assert.Equal(t, sigv4client.MsgInvalidToken, a.body["message"])

	assert.ErrorIs(t, e.gw.PutUser(apigw.User{ARN: "x"}), apigw.ErrInvalidConfig)
	assert.ErrorIs(t, e.gw.PutUser(apigw.User{ARN: "arn:aws:iam::1:user/x", AccessKeyID: "A", SecretAccessKey: "s", Policy: "not json"}), apigw.ErrInvalidConfig)
}

func TestOpenAndUnknownRoutes(t *testing.T) {
	e := newEnv(t)
	a := do(t, http.DefaultClient, "GET", e.url+"/public", "")
	assert.Equal(t, 200, a.status)
	assert.Equal(t, "open", a.body["message"])
	a = do(t, http.DefaultClient, "GET", e.url+"/nothing-here", "")
	assert.Equal(t, 403, a.status)
	assert.Equal(t, "Missing Authentication Token", a.body["message"])
	a = do(t, http.DefaultClient, "GET", strings.Replace(e.url, "/prod", "/nostage", 1)+"/public", "")
	assert.Equal(t, 403, a.status)
	assert.Equal(t, "Forbidden", a.body["message"])
}

func TestUserPoolRoutes(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		path, auth string
		status     int
	}{
		{"/me", "good-id", 200},
		{"/me", "Bearer good-id", 200},
		{"/me", "", 401},
		{"/me", "bad", 401},
		{"/me", "good-access:api/read", 401},
		{"/scoped", "good-access:openid api/read", 200},
		{"/scoped", "good-access:openid", 401},
		{"/scoped", "good-id", 401},
	}
	for _, tc := range cases {
		t.Run(tc.path+" "+tc.auth, func(t *testing.T) {
			a := do(t, http.DefaultClient, "GET", e.url+tc.path, "", "Authorization", tc.auth)
			assert.Equal(t, tc.status, a.status)
			if tc.status == 200 {
				assert.NotNil(t, a.body["requestContext"].(map[string]any)["authorizer"].(map[string]any)["claims"])
			} else {
				assert.Equal(t, "Unauthorized", a.body["message"])
			}
		})
	}
}

func TestPutAPIValidation(t *testing.T) {
	e := newEnv(t)
	for name, api := range map[string]apigw.API{
		"bad id":       {ID: "Bad_ID"},
		"bad method":   {ID: "a1", Routes: []apigw.Route{{Method: "FETCH", Path: "/x"}}},
		"relative":     {ID: "a1", Routes: []apigw.Route{{Method: "GET", Path: "x"}}},
		"greedy mid":   {ID: "a1", Routes: []apigw.Route{{Method: "GET", Path: "/{p+}/x"}}},
		"bad auth":     {ID: "a1", Routes: []apigw.Route{{Method: "GET", Path: "/x", Authorization: "CUSTOM"}}},
		"pool missing": {ID: "a1", Routes: []apigw.Route{{Method: "GET", Path: "/x", Authorization: apigw.AuthUserPools}}},
	} {
		assert.ErrorIs(t, e.gw.PutAPI(api), apigw.ErrInvalidConfig, name)
	}
	snap, err := e.gw.Snapshot()
	require.NoError(t, err)
	g2 := apigw.New(apigw.Config{})
	g2.Restore(snap)
	require.Len(t, g2.APIs(), 1)
	assert.Equal(t, "abc123", g2.APIs()[0].ID)
}

// TestClockSkewCorrection: the gateway's clock runs 30 minutes ahead of
// the client's; the signing transport learns the offset from the Date of
// the "Signature expired" answer and succeeds on its retry.
func TestClockSkewCorrection(t *testing.T) {
	e := newEnv(t)
	_, err := e.ids.Call("SetIdentityPoolRoles", []byte(`{"IdentityPoolId":"`+e.pool+`","Roles":{"unauthenticated":"`+authRole+`"}}`))
	require.NoError(t, err)
	creds, _ := e.guestCreds(t)
	clientNow := e.clock.Now()
	e.clock.Advance(30 * time.Minute)
	tr := sigv4client.NewTransport(creds, func(t *sigv4client.Transport) {
		t.Region = "us-east-1"
		t.Clock = func() time.Time { return clientNow }
	})
	a := do(t, &http.Client{Transport: tr}, "POST", e.url+"/test", `{}`)
	require.Equal(t, 200, a.status, a.body)
	assert.InDelta(t, (30 * time.Minute).Seconds(), tr.ClockOffset().Seconds(), 2)
}

// policyEnv is a gateway with one API ("api", stage prod) and a static
// IAM user whose policy is policy; it returns the user's signing client
// and the stage URL.
func policyEnv(t *testing.T, policy string, routes ...apigw.Route) (*env, *http.Client, string) {
	t.Helper()
	e := newEnv(t)
	require.NoError(t, e.gw.PutAPI(apigw.API{ID: "api", Routes: routes}))
	require.NoError(t, e.gw.PutUser(apigw.User{ARN: "arn:aws:iam::123456789012:user/u", AccessKeyID: "AKIAU", SecretAccessKey: "u-secret", Policy: policy}))
	return e, e.client(credentials.NewStaticCredentialsProvider("AKIAU", "u-secret", "")), strings.Replace(e.url, "/abc123/", "/api/", 1)
}

// TestSecurityReview1_WildcardDenyHolds: with Allow on everything and an
// explicit Deny on .../api/prod/*/admin/*, a '*' in the request (in the
// path, encoded or not, or in the method of an ANY route) used to be
// compared with the Deny's '*' as a literal, so the Deny did not match and
// the call got 200.
func TestSecurityReview1_WildcardDenyHolds(t *testing.T) {
	_, c, base := policyEnv(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*"},
		{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:api/prod/*/admin/*"}]}`,
		apigw.Route{Method: "ANY", Path: "/admin/{proxy+}", Authorization: apigw.AuthIAM},
		apigw.Route{Method: "ANY", Path: "/public/{proxy+}", Authorization: apigw.AuthIAM})
	for _, tc := range []struct{ method, path string }{
		{"GET", "/admin/x"},
		{"GET", "/admin/*x"},
		{"GET", "/admin/%2Ax"},
		{"GET", "/admin/%2ax"},
		{"GET", "/admin/%3Fx"},
		{"*X", "/admin/x"},
		{"*", "/admin/*"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			a := do(t, c, tc.method, base+tc.path, "")
			assert.Equal(t, http.StatusForbidden, a.status, a.body)
			assert.Contains(t, a.body["Message"], "with an explicit deny")
		})
	}
	// The Allow still works where no Deny applies, with the same spellings.
	for _, tc := range []struct{ method, path string }{{"GET", "/public/*x"}, {"GET", "/public/%2Ax"}, {"*X", "/public/x"}} {
		a := do(t, c, tc.method, base+tc.path, "")
		assert.Equal(t, http.StatusOK, a.status, "%s %s: %v", tc.method, tc.path, a.body)
	}
}

// TestSecurityReview2_OneCanonicalPath: routing used to strip slashes at
// both ends while the IAM resource was built from the path as sent, so a
// Deny on GET/secret did not cover /secret/, /%2Fsecret or /secret%2F,
// which reached the /secret route. Now one canonical path (decoded once,
// one trailing slash ignored, no empty or dot segment) serves both.
func TestSecurityReview2_OneCanonicalPath(t *testing.T) {
	_, c, base := policyEnv(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:*"},
		{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:api/prod/GET/secret"}]}`,
		apigw.Route{Method: "GET", Path: "/secret", Authorization: apigw.AuthIAM},
		apigw.Route{Method: "GET", Path: "/open", Authorization: apigw.AuthIAM},
		apigw.Route{Method: "GET", Path: "/files/{name}", Authorization: apigw.AuthIAM})
	denied := []string{"/secret", "/secret/", "/%2Fsecret", "/%2fsecret", "/secret%2F", "/secret%2f",
		"/%73ecret", "/secret%2F%2F", "/%2E/secret", "/x/%2E%2E/secret", "/secret/%2E"}
	for _, p := range denied {
		t.Run(p, func(t *testing.T) {
			a := do(t, c, "GET", base+p, "")
			assert.Equal(t, http.StatusForbidden, a.status, a.body)
			if a.body["Message"] != nil {
				assert.Contains(t, a.body["Message"], "api/prod/GET/secret with an explicit deny")
			} else {
				assert.Equal(t, sigv4client.MsgMissingAuthenticationToken, a.body["message"], "no route")
			}
		})
	}
	for p, want := range map[string]string{"/open": "/open", "/open/": "/open", "/%6Fpen": "/open", "/files/a%20b": "/files/a b"} {
		a := do(t, c, "GET", base+p, "")
		require.Equal(t, http.StatusOK, a.status, "%s: %v", p, a.body)
		assert.Equal(t, want, a.body["path"], p)
	}
	// An encoded slash is a separator, as in API Gateway: /files/a%2Fb is
	// /files/a/b, which /files/{name} does not take.
	a := do(t, c, "GET", base+"/files/a%2Fb", "")
	assert.Equal(t, http.StatusForbidden, a.status)
	assert.Equal(t, sigv4client.MsgMissingAuthenticationToken, a.body["message"])
}

// TestCanonicalPath: the path API Gateway routes and authorizes on.
func TestCanonicalPath(t *testing.T) {
	for raw, want := range map[string]string{
		"/": "/", "/secret": "/secret", "/secret/": "/secret", "/secret%2F": "/secret",
		"/%73ecret": "/secret", "/a%20b/c": "/a b/c", "/a%2Fb": "/a/b", "/*x": "/*x", "/%2Ax": "/*x",
	} {
		got, ok := apigw.CanonicalPath(raw)
		assert.True(t, ok, raw)
		assert.Equal(t, want, got, raw)
	}
	for _, raw := range []string{"//secret", "/%2Fsecret", "/secret//", "/a/../secret", "/./secret", "/%2E%2E/secret",
		"/secret/.", "/bad%zz", "", "secret", "/a//b"} {
		_, ok := apigw.CanonicalPath(raw)
		assert.False(t, ok, raw)
	}
}

// TestSecurityReview3_SignedPathIsRoutedPath: a request signed for GET
// /test used to be accepted at /open/x/../../test (the Verifier checked
// the normalized path) and served by /open/{proxy+} (routed on the path as
// sent). Sent verbatim, it now reaches no route and no handler.
func TestSecurityReview3_SignedPathIsRoutedPath(t *testing.T) {
	_, c, base := policyEnv(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:api/*"}]}`,
		apigw.Route{Method: "GET", Path: "/test", Authorization: apigw.AuthIAM, Message: "test"},
		apigw.Route{Method: "GET", Path: "/open/{proxy+}", Authorization: apigw.AuthIAM, Message: "open"})
	// Sign GET /test through the Transport, keep what it sent.
	var sent *http.Request
	capture := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = r
		return http.DefaultTransport.RoundTrip(r)
	})
	c.Transport.(*sigv4client.Transport).Base = capture
	a := do(t, c, "GET", base+"/test", "")
	require.Equal(t, http.StatusOK, a.status, a.body)
	require.NotNil(t, sent)
	stagePath := strings.TrimPrefix(base, "http://"+sent.URL.Host)

	for _, spelling := range []string{"/open/x/../../test", "/open/x/%2E%2E/%2E%2E/test", "/open/..%2Ftest", "/open/%2E%2E/test"} {
		t.Run(spelling, func(t *testing.T) {
			req, err := http.NewRequest("GET", base, nil)
			require.NoError(t, err)
			req.URL.Opaque = stagePath + spelling
			req.Header = sent.Header.Clone()
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var body map[string]any
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
			assert.NotEqual(t, http.StatusOK, resp.StatusCode, body)
			assert.NotEqual(t, "open", body["message"])
		})
	}
}
