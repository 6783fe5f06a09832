package userpool

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// callDirect runs one operation without the model's validation (which
// refuses the dots of a custom domain, see domains.go), as the host would
// after it.
func (e *unlockedEnv) callDirect(fn func(*Server, *call) (any, error), in any) (map[string]any, error) {
	body, _ := json.Marshal(in)
	out, err := e.s.runLocked(fn, &emulator.Call{Name: "Direct", Body: body})
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(out)
	var m map[string]any
	require.NoError(e.t, json.Unmarshal(b, &m))
	return m, nil
}

// TestUserPoolDomains: the four domain operations as Cognito answers them
// — one prefix domain per pool, a prefix another pool holds refused, an
// unknown domain described as empty, ManagedLoginVersion updated, the
// domain in DescribeUserPool, and free again once deleted.
func TestUserPoolDomains(t *testing.T) {
	e := newUnlockedEnv(t)
	other, err := e.s.CreatePool(PoolOptions{Name: "other"})
	require.NoError(t, err)

	_, et := e.call("CreateUserPoolDomain", map[string]any{"UserPoolId": e.pool, "Domain": "myapp-login"})
	require.Empty(t, et)

	out, et := e.call("DescribeUserPoolDomain", map[string]any{"Domain": "myapp-login"})
	require.Empty(t, et)
	d := out["DomainDescription"].(map[string]any)
	assert.Equal(t, e.pool, d["UserPoolId"])
	assert.Equal(t, "123456789012", d["AWSAccountId"])
	assert.Equal(t, "myapp-login", d["Domain"])
	assert.Equal(t, "aws-cognito-prod-iad-assets", d["S3Bucket"])
	assert.Regexp(t, `^d[a-z2-7]{13}\.cloudfront\.net$`, d["CloudFrontDistribution"])
	assert.Regexp(t, `^\d{14}$`, d["Version"])
	assert.Equal(t, "ACTIVE", d["Status"])
	assert.EqualValues(t, 1, d["ManagedLoginVersion"])
	assert.NotContains(t, d, "CustomDomainConfig")

	pool, et := e.call("DescribeUserPool", map[string]any{"UserPoolId": e.pool})
	require.Empty(t, et)
	assert.Equal(t, "myapp-login", pool["UserPool"].(map[string]any)["Domain"])

	for _, tc := range []struct {
		name, pool, domain, want string
	}{
		{"second prefix on the pool", e.pool, "myapp-two", "InvalidParameterException: User pool already has a domain configured."},
		{"prefix of another pool", other, "myapp-login", "InvalidParameterException: Domain already associated with another user pool."},
		{"reserved word", other, "my-cognito-app", "InvalidParameterException: Domain cannot contain reserved word: cognito"},
		{"unknown pool", "us-east-1_Nope12345", "fresh-one", "ResourceNotFoundException: User pool us-east-1_Nope12345 does not exist."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, et := e.call("CreateUserPoolDomain", map[string]any{"UserPoolId": tc.pool, "Domain": tc.domain})
			assert.Equal(t, tc.want, et)
		})
	}
	_, et = e.call("CreateUserPoolDomain", map[string]any{"UserPoolId": other, "Domain": "Upper-Case"})
	assert.Contains(t, et, "InvalidParameterException", "the model's pattern")

	out, et = e.call("DescribeUserPoolDomain", map[string]any{"Domain": "nobody-has-this"})
	require.Empty(t, et)
	assert.Empty(t, out["DomainDescription"], "Cognito describes an unknown domain as empty")

	out, et = e.call("UpdateUserPoolDomain", map[string]any{"UserPoolId": e.pool, "Domain": "myapp-login", "ManagedLoginVersion": 2})
	require.Empty(t, et)
	assert.EqualValues(t, 2, out["ManagedLoginVersion"])
	assert.NotContains(t, out, "CloudFrontDomain", "a prefix domain has none")
	out, _ = e.call("DescribeUserPoolDomain", map[string]any{"Domain": "myapp-login"})
	assert.EqualValues(t, 2, out["DomainDescription"].(map[string]any)["ManagedLoginVersion"])
	_, et = e.call("UpdateUserPoolDomain", map[string]any{"UserPoolId": e.pool, "Domain": "myapp-login", "ManagedLoginVersion": 3})
	assert.Contains(t, et, "InvalidParameterException")
	_, et = e.call("UpdateUserPoolDomain", map[string]any{"UserPoolId": other, "Domain": "myapp-login", "ManagedLoginVersion": 1})
	assert.Contains(t, et, "ResourceNotFoundException", "not the pool's domain")

	_, et = e.call("DeleteUserPoolDomain", map[string]any{"UserPoolId": e.pool, "Domain": "myapp-login"})
	require.Empty(t, et)
	out, _ = e.call("DescribeUserPoolDomain", map[string]any{"Domain": "myapp-login"})
	assert.Empty(t, out["DomainDescription"])
	_, et = e.call("DeleteUserPoolDomain", map[string]any{"UserPoolId": e.pool, "Domain": "myapp-login"})
	assert.Contains(t, et, "ResourceNotFoundException")
	_, et = e.call("CreateUserPoolDomain", map[string]any{"UserPoolId": other, "Domain": "myapp-login"})
	assert.Empty(t, et, "a deleted prefix is free for another pool")
}

// TestUserPoolCustomDomain: a custom domain needs an ACM certificate of
// us-east-1, answers its CloudFront name, sits beside the prefix domain,
// and its certificate can be replaced.
func TestUserPoolCustomDomain(t *testing.T) {
	e := newUnlockedEnv(t)
	cert := "arn:aws:acm:us-east-1:123456789012:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"
	in := func(domain, cert string) map[string]any {
		m := map[string]any{"UserPoolId": e.pool, "Domain": domain}
		if cert != "" {
			m["CustomDomainConfig"] = map[string]any{"CertificateArn": cert}
		}
		return m
	}
	_, err := e.callDirect(opCreateUserPoolDomain, in("auth.example.com", "arn:aws:acm:eu-west-1:123456789012:certificate/x"))
	assert.ErrorContains(t, err, "does not exist in region us-east-1")
	_, err = e.callDirect(opCreateUserPoolDomain, in("auth.example.com", ""))
	assert.ErrorContains(t, err, "needs CustomDomainConfig")

	out, err := e.callDirect(opCreateUserPoolDomain, in("auth.example.com", cert))
	require.NoError(t, err)
	assert.Regexp(t, `^d[a-z2-7]{13}\.cloudfront\.net$`, out["CloudFrontDomain"])
	_, err = e.callDirect(opCreateUserPoolDomain, in("myprefix", ""))
	require.NoError(t, err, "a prefix domain beside the custom one")

	out, err = e.callDirect(opDescribeUserPoolDomain, map[string]any{"Domain": "auth.example.com"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"CertificateArn": cert}, out["DomainDescription"].(map[string]any)["CustomDomainConfig"])
	p, _ := e.call("DescribeUserPool", map[string]any{"UserPoolId": e.pool})
	assert.Equal(t, "auth.example.com", p["UserPool"].(map[string]any)["CustomDomain"])
	assert.Equal(t, "myprefix", p["UserPool"].(map[string]any)["Domain"])

	cert2 := "arn:aws:acm:us-east-1:123456789012:certificate/b1b2c3d4-5678-90ab-cdef-EXAMPLE22222"
	_, err = e.callDirect(opUpdateUserPoolDomain, in("auth.example.com", cert2))
	require.NoError(t, err)
	out, _ = e.callDirect(opDescribeUserPoolDomain, map[string]any{"Domain": "auth.example.com"})
	assert.Equal(t, cert2, out["DomainDescription"].(map[string]any)["CustomDomainConfig"].(map[string]any)["CertificateArn"])
	_, err = e.callDirect(opUpdateUserPoolDomain, in("myprefix", cert2))
	assert.ErrorContains(t, err, "no certificate")
}

// TestHostedUIUnderDomain: a request whose Host is a pool's prefix or
// custom domain reaches the hosted UI for that pool's clients only; a
// Cognito domain no pool has is not found; the emulator's own address
// serves every pool as before.
func TestHostedUIUnderDomain(t *testing.T) {
	e := newUnlockedEnv(t)
	mk := func(pool string) string {
		out, et := e.call("CreateUserPoolClient", map[string]any{"UserPoolId": pool, "ClientName": "web",
			"AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": []string{"code"},
			"AllowedOAuthScopes": []string{"openid"}, "CallbackURLs": []string{"https://app.example/cb"}})
		require.Empty(t, et)
		return out["UserPoolClient"].(map[string]any)["ClientId"].(string)
	}
	mine := mk(e.pool)
	other, err := e.s.CreatePool(PoolOptions{Name: "other"})
	require.NoError(t, err)
	theirs := mk(other)
	_, et := e.call("CreateUserPoolDomain", map[string]any{"UserPoolId": e.pool, "Domain": "myapp"})
	require.Empty(t, et)
	_, err = e.callDirect(opCreateUserPoolDomain, map[string]any{"UserPoolId": e.pool, "Domain": "login.example.com",
		"CustomDomainConfig": map[string]any{"CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}})
	require.NoError(t, err)

	get := func(host, client string) int {
		q := url.Values{"client_id": {client}, "response_type": {"code"}, "redirect_uri": {"https://app.example/cb"}, "scope": {"openid"}}
		req := httptest.NewRequest("GET", "/login?"+q.Encode(), nil)
		req.Host = host
		rec := httptest.NewRecorder()
		e.host.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	for _, tc := range []struct {
		name, host, client string
		want               int
	}{
		{"prefix domain, its pool's client", "myapp.auth.us-east-1.amazoncognito.com", mine, http.StatusOK},
		{"prefix domain with a port, upper case", "MYAPP.auth.us-east-1.amazoncognito.com:443", mine, http.StatusOK},
		{"custom domain, its pool's client", "login.example.com", mine, http.StatusOK},
		{"prefix domain, another pool's client", "myapp.auth.us-east-1.amazoncognito.com", theirs, http.StatusBadRequest},
		{"custom domain, another pool's client", "login.example.com", theirs, http.StatusBadRequest},
		{"unknown prefix domain", "nobody.auth.us-east-1.amazoncognito.com", mine, http.StatusNotFound},
		{"prefix domain of another region", "myapp.auth.eu-west-1.amazoncognito.com", mine, http.StatusNotFound},
		{"emulator address, either pool", "127.0.0.1:9229", theirs, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, get(tc.host, tc.client)) })
	}

	// POST /oauth2/token under the domain: another pool's client is
	// refused before the grant is looked at.
	req := httptest.NewRequest("POST", "/oauth2/token", nil)
	req.Host = "myapp.auth.us-east-1.amazoncognito.com"
	req.SetBasicAuth(theirs, "")
	rec := httptest.NewRecorder()
	e.host.Handler().ServeHTTP(rec, req)
	assert.Equal(t, http.StatusBadRequest, rec.Code)
}

// TestPersistDomains: a pool's domains survive a restart from the state
// database, and stay taken.
func TestPersistDomains(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	e := newPersistEnv(t, path)
	_, et := e.call("CreateUserPoolDomain", map[string]any{"UserPoolId": e.pool, "Domain": "kept-domain", "ManagedLoginVersion": 2})
	require.Empty(t, et)
	require.NoError(t, e.host.Close())

	e2 := openPersistEnv(t, path)
	out, et := e2.call("DescribeUserPoolDomain", map[string]any{"Domain": "kept-domain"})
	require.Empty(t, et)
	d := out["DomainDescription"].(map[string]any)
	assert.Equal(t, e.pool, d["UserPoolId"])
	assert.EqualValues(t, 2, d["ManagedLoginVersion"])
	other, err := e2.s.CreatePool(PoolOptions{Name: "other"})
	require.NoError(t, err)
	_, et = e2.call("CreateUserPoolDomain", map[string]any{"UserPoolId": other, "Domain": "kept-domain"})
	assert.Equal(t, "InvalidParameterException: Domain already associated with another user pool.", et)
}
