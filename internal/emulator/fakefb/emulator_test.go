package fakefb_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/internal/emulator/fakefb"
)

// TestSecurityReview10_EmulatorFacebookAppRedirects runs the finding end to
// end: a pool's Facebook IdP (declared by the emulator, as AddIdentityProvider
// and CreateIdentityProvider do) only sends codes to the emulator's
// /oauth2/idpresponse; the dialog refuses https://evil.example before
// consent, and the real sign-in still works.
func TestSecurityReview10_EmulatorFacebookAppRedirects(t *testing.T) {
	s := cognitotest.NewServer()
	defer s.Close()
	pool := s.MustCreateUserPool(cognitotest.PoolOptions{Name: "p"})
	s.MustCreateIdentityProvider(pool, cognitotest.IdentityProviderOptions{Type: "Facebook", AppID: "fbapp", AppSecret: "fbsecret"})
	const cb = "http://127.0.0.1:9/cb"
	cl := s.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{Name: "web", CallbackURLs: []string{cb}, AllowedOAuthFlows: []string{"code"},
		AllowedOAuthScopes: []string{"openid"}, SupportedIdentityProviders: []string{"Facebook"}})
	authorize := s.URL + "/oauth2/authorize?" + url.Values{"client_id": {cl.ID}, "redirect_uri": {cb}, "response_type": {"code"},
		"scope": {"openid"}, "identity_provider": {"Facebook"}, "state": {"st"}}.Encode()

	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authorize)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	dialog, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	q := dialog.Query()
	require.Equal(t, s.URL+"/oauth2/idpresponse", q.Get("redirect_uri"))

	for _, evil := range []string{"https://evil.example/steal", s.URL + "/steal", s.URL + "/oauth2/idpresponse/..", cb} {
		q.Set("redirect_uri", evil)
		// The consent page is refused...
		resp, err := c.Get(s.URL + fakefb.PathPrefix + "dialog/oauth?" + q.Encode())
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, evil)
		assert.Contains(t, string(body), `"code":191`, evil)
		// ...and so is Continue, with no code anywhere.
		form := url.Values{"client_id": {"fbapp"}, "redirect_uri": {evil}, "state": {q.Get("state")}, "user_id": {"42"}, "action": {"allow"}}
		resp, err = c.PostForm(s.URL+fakefb.PathPrefix+"dialog/oauth", form)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, evil)
		assert.NotContains(t, resp.Header.Get("Location"), "code=", evil)
	}

	// The legitimate flow still ends at the app's callback with a code.
	back, err := s.HostedFacebookSignIn(authorize, cognitotest.FacebookUser{ID: "42", Email: "f@example.com"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(back, cb+"?"), back)
	assert.Contains(t, back, "code=")
}
