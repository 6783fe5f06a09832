package cognitotest

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLogoutRefusals pins how /logout answers a sign-in again request
// that /oauth2/authorize would refuse: on the error page when the
// redirect URI cannot be trusted, else by redirect with the error.
func TestLogoutRefusals(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	a := newAgent(t, f.s.URL)
	tests := []struct {
		name        string
		set         url.Values
		wantStatus  int
		wantError   string // error parameter of the redirect
		wantInPage  string // on the error page
		wantLoginAt bool
	}{
		{"untrusted redirect", url.Values{"redirect_uri": {"https://evil.example/"}}, http.StatusBadRequest, "", "redirect_mismatch", false},
		{"wrong response type", url.Values{"response_type": {"token"}}, http.StatusFound, "unsupported_response_type", "", false},
		{"scope not allowed", url.Values{"scope": {"openid phone"}}, http.StatusFound, "invalid_scope", "", false},
		{"valid", nil, http.StatusFound, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{"client_id": {f.client.ID}, "redirect_uri": {uiCallback}, "response_type": {"code"}, "scope": {"openid"}, "state": {"st-9"}}
			for k, x := range tc.set {
				v[k] = x
			}
			p := a.get(f.s.URL + "/logout?" + v.Encode())
			require.Equal(t, tc.wantStatus, p.status, p.body)
			if tc.wantInPage != "" {
				assert.Contains(t, p.body, tc.wantInPage)
			}
			if tc.wantError != "" {
				loc, err := url.Parse(p.loc)
				require.NoError(t, err)
				assert.Equal(t, uiCallback, loc.Scheme+"://"+loc.Host+loc.Path)
				assert.Equal(t, tc.wantError, loc.Query().Get("error"))
				assert.Equal(t, "st-9", loc.Query().Get("state"))
			}
			if tc.wantLoginAt {
				assert.Contains(t, p.loc, "/login?")
			}
		})
	}
}
