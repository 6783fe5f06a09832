package userpool

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostedUIResetRequiredUserToldToReset is the regression test of the
// finding "the hosted UI checks the password before RESET_REQUIRED": its
// sign-in form, as the API flows, tells a RESET_REQUIRED user that the
// password must be reset whatever the password given (the old one or a
// wrong one), counts no failed sign-in and issues no code; a confirmed
// user with a wrong password is answered as before.
func TestHostedUIResetRequiredUserToldToReset(t *testing.T) {
	e := newUnlockedEnv(t)
	cl, err := e.s.NewClient(e.pool, ClientOptions{CallbackURLs: []string{"https://app.example.com/cb"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid"}})
	require.NoError(t, err)
	_, err = e.s.AddUser(e.pool, "carol", "Passw0rd!", map[string]string{"email": "carol@example.com", "email_verified": "true"})
	require.NoError(t, err)
	e.ok("AdminResetUserPassword", map[string]any{"UserPoolId": e.pool, "Username": "carol"})
	query := url.Values{"client_id": {cl.ID}, "response_type": {"code"}, "redirect_uri": {"https://app.example.com/cb"}}.Encode()
	csrf := strings.Repeat("c", 40)
	login := func(user, password string) *httptest.ResponseRecorder {
		form := url.Values{"_csrf": {csrf}, "username": {user}, "password": {password}}
		req := httptest.NewRequest("POST", "/login?"+query, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", csrfCookie+"="+csrf)
		rec := httptest.NewRecorder()
		e.host.Handler().ServeHTTP(rec, req)
		return rec
	}
	for _, tc := range []struct{ name, user, password, want string }{
		{"reset, its old password", "carol", "Passw0rd!", "Password reset required for the user"},
		{"reset, a wrong password", "carol", "wrong", "Password reset required for the user"},
		{"confirmed, a wrong password", "alice", "wrong", "Incorrect username or password."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := login(tc.user, tc.password)
			require.Equal(t, 200, rec.Code, rec.Body.String())
			assert.Contains(t, rec.Body.String(), tc.want)
			assert.Empty(t, rec.Header().Get("Location"), "no code is issued")
		})
	}
	e.s.mu.Lock()
	failed := e.s.st.Pools[e.pool].Users["carol"].FailedLogins
	e.s.mu.Unlock()
	assert.Zero(t, failed, "no failed sign-in is counted")

	t.Run("a confirmed user signs in", func(t *testing.T) {
		rec := login("alice", "Passw0rd!")
		assert.Contains(t, rec.Header().Get("Location"), "https://app.example.com/cb?code=")
	})
}
