package websession

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/jwks"
)

// TestPendingCookieExpires: a sign-in cookie past its own expiry is refused
// even while the OAuth state it goes with is still fresh.
func TestPendingCookieExpires(t *testing.T) {
	ui, err := cognito.NewHostedUI("http://127.0.0.1:1", "client", "http://127.0.0.1:2/callback")
	require.NoError(t, err)
	v, err := jwks.NewVerifier("us-east-1_Example", func(o *jwks.Options) { o.ClientIDs = []string{"client"} })
	require.NoError(t, err)
	m, err := New(Config{HostedUI: ui, Verifier: v})
	require.NoError(t, err)

	state, nonce, err := m.states.New("/")
	require.NoError(t, err)
	sealed, err := m.seal.seal(pending{Nonce: nonce, Verifier: "v", Expires: time.Now().Add(-time.Second).Unix()})
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/callback?"+url.Values{"code": {"c"}, "state": {state}}.Encode(), nil)
	r.AddCookie(&http.Cookie{Name: m.pendingName(state), Value: sealed})
	w := httptest.NewRecorder()
	m.CallbackHandler().ServeHTTP(w, r)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), "not started in this browser")
}
