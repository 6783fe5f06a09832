package sigv4client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// The tests in this file sign calls to the emulator's API Gateway
// (cognito/cognitotest), which verifies every signature with this
// package's Verifier and authorizes the caller with the IAM role the
// identity pool issued the credentials for.

const (
	gwAuthRole   = "arn:aws:iam::123456789012:role/GatewayAuth"
	gwUnauthRole = "arn:aws:iam::123456789012:role/GatewayUnauth"
	gwFacebookID = "6666666666"
)

type gateway struct {
	s      *cognitotest.Server
	idPool string
	base   string // the API's stage URL
}

func newGateway(t *testing.T) *gateway {
	t.Helper()
	s := cognitotest.NewServer()
	t.Cleanup(s.Close)
	s.MustPutRole(cognitotest.Role{ARN: gwAuthRole, Policy: `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:gwapi/*"},
		{"Effect":"Deny","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:gwapi/*/DELETE/*"}]}`})
	s.MustPutRole(cognitotest.Role{ARN: gwUnauthRole, Policy: `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:gwapi/prod/GET/public"}]}`})
	s.MustPutAPI(cognitotest.API{ID: "gwapi", Routes: []cognitotest.Route{
		{Method: "ANY", Path: "/items/{id}", Authorization: cognitotest.AuthIAM, Message: "item"},
		{Method: "GET", Path: "/public", Authorization: cognitotest.AuthIAM},
		{Method: "GET", Path: "/open"},
	}})
	id := s.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		AllowUnauthenticated: true, FacebookAppID: gwFacebookID,
		AuthenticatedRole: gwAuthRole, UnauthenticatedRole: gwUnauthRole,
	})
	require.NoError(t, s.PutIAMUser(cognitotest.IAMUser{ARN: "arn:aws:iam::123456789012:user/ci", AccessKeyID: "AKIDGATEWAYCI",
		SecretAccessKey: "gateway-ci-secret", Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`}))
	return &gateway{s: s, idPool: id, base: s.APIURL("gwapi", "")}
}

// credentials returns a cached identity-pool provider: a Facebook user
// ("fb:ID") or a guest ("").
func (g *gateway) credentials(who string) (aws.CredentialsProvider, *identity.Provider) {
	cfg := g.s.Config()
	cfg.Credentials = nil
	p := identity.NewProvider(cognitoidentity.NewFromConfig(cfg), g.idPool, func(o *identity.Options) {
		if id, ok := strings.CutPrefix(who, "fb:"); ok {
			o.Logins = identity.Logins(identity.FacebookLogin(g.s.MustFacebookToken(gwFacebookID, cognitotest.FacebookUser{ID: id})))
		}
	})
	return aws.NewCredentialsCache(p), p
}

// client signs with creds on the emulator's clock; base, when set, sits
// under the signer.
func (g *gateway) client(creds aws.CredentialsProvider, base http.RoundTripper) *http.Client {
	return sigv4client.NewClient(creds, func(t *sigv4client.Transport) {
		t.Region = "us-east-1"
		t.Clock = g.s.Now
		t.Base = base
	})
}

func do(t *testing.T, c *http.Client, method, url, body string) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	require.NoError(t, json.Unmarshal(raw, &m), "%s", raw)
	return resp.StatusCode, m
}

func identityOf(m map[string]any) map[string]any {
	rc, _ := m["requestContext"].(map[string]any)
	id, _ := rc["identity"].(map[string]any)
	return id
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// tamper returns a base transport that changes the signed request with fn
// before sending it.
func tamper(fn func(r *http.Request)) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		fn(r)
		return http.DefaultTransport.RoundTrip(r)
	})
}

func TestEmulatorGateway(t *testing.T) {
	g := newGateway(t)
	creds, p := g.credentials("fb:4711")
	signed := g.client(creds, nil)

	t.Run("signed with identity-pool credentials", func(t *testing.T) {
		status, body := do(t, signed, "POST", g.base+"/items/42?color=blue%20green&a=1", `{"n":1}`)
		require.Equal(t, 200, status, body)
		assert.Equal(t, "item", body["message"])
		assert.Equal(t, `{"n":1}`, body["body"])
		assert.Equal(t, map[string]any{"color": "blue green", "a": "1"}, body["queryStringParameters"])
		who := identityOf(body)
		assert.Equal(t, p.IdentityID(), who["cognitoIdentityId"])
		assert.Equal(t, g.idPool, who["cognitoIdentityPoolId"])
		assert.Equal(t, "authenticated", who["cognitoAuthenticationType"])
		assert.Equal(t, gwAuthRole, who["role"])
	})

	for _, tc := range []struct {
		name    string
		client  *http.Client
		method  string
		path    string
		body    string
		message string
	}{
		{"unsigned", http.DefaultClient, "GET", "/items/1", "", sigv4client.MsgMissingAuthenticationToken},
		{"body changed after signing", g.client(creds, tamper(func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"n":2}`))
		})), "POST", "/items/1", `{"n":1}`, sigv4client.MsgSignatureMismatch},
		{"path changed after signing", g.client(creds, tamper(func(r *http.Request) {
			r.URL.Path = strings.Replace(r.URL.Path, "/items/1", "/items/2", 1)
		})), "GET", "/items/1", "", sigv4client.MsgSignatureMismatch},
		{"query changed after signing", g.client(creds, tamper(func(r *http.Request) { r.URL.RawQuery = "a=2" })),
			"GET", "/items/1?a=1", "", sigv4client.MsgSignatureMismatch},
		{"session token dropped", g.client(creds, tamper(func(r *http.Request) { r.Header.Del("X-Amz-Security-Token") })),
			"GET", "/items/1", "", sigv4client.MsgInvalidToken},
		{"session token of other credentials", g.client(creds, tamper(func(r *http.Request) {
			r.Header.Set("X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEXAMPLE")
		})), "GET", "/items/1", "", sigv4client.MsgInvalidToken},
		{"wrong secret", g.client(credentials.NewStaticCredentialsProvider("AKIDGATEWAYCI", "not-the-secret", ""), nil),
			"GET", "/items/1", "", sigv4client.MsgSignatureMismatch},
		{"unknown key", g.client(credentials.NewStaticCredentialsProvider("AKIDUNKNOWN", "secret", ""), nil),
			"GET", "/items/1", "", sigv4client.MsgInvalidToken},
		{"explicit deny wins", signed, "DELETE", "/items/1", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, tc.client, tc.method, g.base+tc.path, tc.body)
			assert.Equal(t, 403, status)
			if tc.message != "" {
				assert.Equal(t, tc.message, body["message"], body)
			} else {
				assert.Contains(t, body["Message"], "with an explicit deny")
			}
		})
	}

	t.Run("unauthenticated role", func(t *testing.T) {
		guest, gp := g.credentials("")
		c := g.client(guest, nil)
		status, body := do(t, c, "GET", g.base+"/public", "")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "unauthenticated", identityOf(body)["cognitoAuthenticationType"])
		assert.Equal(t, gp.IdentityID(), identityOf(body)["cognitoIdentityId"])
		status, body = do(t, c, "GET", g.base+"/items/1", "")
		assert.Equal(t, 403, status)
		assert.Contains(t, body["Message"], "assumed-role/GatewayUnauth/CognitoIdentityCredentials is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********9012:gwapi/prod/GET/items/1", "the account masked, as API Gateway does")
	})

	t.Run("static IAM user", func(t *testing.T) {
		c := g.client(credentials.NewStaticCredentialsProvider("AKIDGATEWAYCI", "gateway-ci-secret", ""), nil)
		status, body := do(t, c, "PUT", g.base+"/items/9", "x")
		require.Equal(t, 200, status, body)
		assert.Equal(t, "arn:aws:iam::123456789012:user/ci", identityOf(body)["userArn"])
	})

	t.Run("a replayable streamed body", func(t *testing.T) {
		big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
		req, err := http.NewRequest("PUT", g.base+"/items/big", bytes.NewReader(big))
		require.NoError(t, err)
		resp, err := signed.Do(req)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&m))
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		assert.Len(t, m["body"], len(big))
	})
}

// TestEmulatorGatewayExpiredCredentials: identity-pool credentials stop
// working after their hour; the gateway answers as API Gateway does.
func TestEmulatorGatewayExpiredCredentials(t *testing.T) {
	g := newGateway(t)
	creds, _ := g.credentials("fb:1")
	c, err := creds.Retrieve(context.Background())
	require.NoError(t, err)
	static := credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	status, _ := do(t, g.client(static, nil), "GET", g.base+"/items/1", "")
	require.Equal(t, 200, status)

	g.s.Advance(61 * time.Minute)
	status, body := do(t, g.client(static, nil), "GET", g.base+"/items/1", "")
	assert.Equal(t, 403, status)
	assert.Equal(t, sigv4client.MsgExpiredToken, body["message"])
}

// TestEmulatorGatewayClockSkew: a client whose clock is 20 minutes behind
// the gateway's is refused once ("Signature expired"), corrects its clock
// from the answer's Date header and succeeds.
func TestEmulatorGatewayClockSkew(t *testing.T) {
	g := newGateway(t)
	creds, _ := g.credentials("fb:2")
	_, err := creds.Retrieve(context.Background())
	require.NoError(t, err)
	g.s.Advance(20 * time.Minute)
	tr := sigv4client.NewTransport(creds, func(t *sigv4client.Transport) { t.Region = "us-east-1" })
	status, body := do(t, &http.Client{Transport: tr}, "GET", g.base+"/items/1", "")
	require.Equal(t, 200, status, body)
	assert.InDelta(t, float64(20*time.Minute), float64(tr.ClockOffset()), float64(5*time.Second))

	tr = sigv4client.NewTransport(creds, func(t *sigv4client.Transport) {
		t.Region = "us-east-1"
		t.DisableClockSkewCorrection = true
	})
	status, body = do(t, &http.Client{Transport: tr}, "GET", g.base+"/items/1", "")
	assert.Equal(t, 403, status)
	assert.Contains(t, body["message"], "Signature expired")
}

// TestEmulatorGatewayPresign: a presigned URL (as for an API Gateway
// WebSocket) is accepted by a GET route, until it expires; tampering with
// it is refused.
func TestEmulatorGatewayPresign(t *testing.T) {
	g := newGateway(t)
	creds, p := g.credentials("fb:3")
	tr := sigv4client.NewTransport(creds, func(t *sigv4client.Transport) {
		t.Region = "us-east-1"
		t.Clock = g.s.Now
	})
	signedURL, err := tr.Presign(context.Background(), g.base+"/items/7?view=full", 5*time.Minute)
	require.NoError(t, err)
	u, err := url.Parse(signedURL)
	require.NoError(t, err)
	q := u.Query()
	assert.Equal(t, "300", q.Get("X-Amz-Expires"))
	assert.NotEmpty(t, q.Get("X-Amz-Security-Token"))

	status, body := do(t, http.DefaultClient, "GET", signedURL, "")
	require.Equal(t, 200, status, body)
	assert.Equal(t, p.IdentityID(), identityOf(body)["cognitoIdentityId"])
	assert.Equal(t, "full", body["queryStringParameters"].(map[string]any)["view"])

	for _, tc := range []struct {
		name, method, url, message string
	}{
		{"another query", "GET", strings.Replace(signedURL, "view=full", "view=less", 1), sigv4client.MsgSignatureMismatch},
		{"another path", "GET", strings.Replace(signedURL, "/items/7", "/items/8", 1), sigv4client.MsgSignatureMismatch},
		{"another method", "POST", signedURL, sigv4client.MsgSignatureMismatch},
		{"no signature", "GET", strings.Split(signedURL, "&X-Amz-Signature=")[0], ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, http.DefaultClient, tc.method, tc.url, "")
			assert.Equal(t, 403, status, body)
			if tc.message != "" {
				assert.Equal(t, tc.message, body["message"])
			}
		})
	}

	g.s.Advance(6 * time.Minute)
	status, body = do(t, http.DefaultClient, "GET", signedURL, "")
	assert.Equal(t, 403, status)
	assert.Contains(t, body["message"], "Signature expired")
}
