package idpool

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAssumeRoleTokenWithoutAMR: a validly signed OpenID token whose amr is
// empty (as a state file from elsewhere could hold) is answered, not a
// panic: the credentials are unauthenticated and name no login provider.
func TestAssumeRoleTokenWithoutAMR(t *testing.T) {
	s := New(Config{})
	out, err := s.Call("CreateIdentityPool", []byte(`{"IdentityPoolName":"p","AllowUnauthenticatedIdentities":true}`))
	require.NoError(t, err)
	poolID := strings.Split(strings.Split(string(out), `"IdentityPoolId":"`)[1], `"`)[0]
	now := time.Now()
	s.mu.Lock()
	tok, err := s.signOpenIDLocked(openIDClaims{Iss: OpenIDIssuer, Sub: "us-east-1:00000000-0000-4000-8000-000000000001", Aud: poolID,
		Iat: now.Unix(), Exp: now.Add(time.Minute).Unix()})
	s.mu.Unlock()
	require.NoError(t, err)

	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "RoleArn": {"arn:aws:iam::123456789012:role/R"},
		"RoleSessionName": {"s1"}, "WebIdentityToken": {tok}}
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.ServeSTS(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	akid := strings.Split(strings.Split(rec.Body.String(), "<AccessKeyId>")[1], "<")[0]
	c, ok := s.LookupCredentials(akid)
	require.True(t, ok)
	assert.Equal(t, "unauthenticated", c.AuthType)
	assert.Empty(t, c.AuthProvider)
}
