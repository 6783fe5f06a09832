package websession_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/websession"
)

// TestEstablish starts sessions with tokens from an API sign-in (not the
// hosted UI): good tokens make a session Require accepts, replacing the
// browser's previous one; bad tokens, a missing ID token and a return
// destination off the allow-list are refused without a cookie.
func TestEstablish(t *testing.T) {
	a := newApp(t)
	c := cognito.New(a.srv.Config(), a.pool, a.client.ID)
	res, err := c.SignIn(context.Background(), "alice", "Correct-Horse-9!")
	require.NoError(t, err)
	require.NotNil(t, res.Tokens)
	good := res.Tokens
	forged := *good
	forged.IDToken = good.IDToken[:len(good.IDToken)-4] + "AAAA"

	tests := []struct {
		name    string
		tokens  *cognito.Tokens
		ret     string
		wantErr error
		dest    string
	}{
		{name: "API tokens", tokens: good, ret: "/orders", dest: "/orders"},
		{name: "default return", tokens: good, dest: "/"},
		{name: "return not allowed", tokens: good, ret: "https://evil.example/", wantErr: websession.ErrReturnNotAllowed},
		{name: "forged ID token", tokens: &forged, ret: "/orders"},
		{name: "no ID token", tokens: &cognito.Tokens{AccessToken: good.AccessToken}, wantErr: cognito.ErrNoStoredTokens},
		{name: "nil tokens", wantErr: cognito.ErrNoStoredTokens},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := browser(t)
			// The browser had a session already: Establish replaces it.
			resp := a.signIn(t, b, "/orders")
			require.Equal(t, http.StatusFound, resp.StatusCode)
			old := sessionCookieOf(t, resp)
			req, err := http.NewRequest(http.MethodPost, a.web.URL+"/", nil)
			require.NoError(t, err)
			req.AddCookie(old)
			w := &recorder{header: http.Header{}}
			dest, err := a.ws.Establish(w, req, tc.tokens, tc.ret)
			if tc.dest == "" {
				require.Error(t, err)
				if tc.wantErr != nil {
					assert.True(t, errors.Is(err, tc.wantErr), "%v", err)
				}
				assert.Empty(t, w.header.Values("Set-Cookie"), "no cookie on error")
				assert.NotContains(t, err.Error(), good.IDToken[:20], "no token in the error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.dest, dest)
			set := (&http.Response{Header: w.header}).Cookies()
			require.Len(t, set, 1)
			assert.True(t, set[0].HttpOnly)
			assert.Equal(t, http.SameSiteLaxMode, set[0].SameSite)
			assert.NotEqual(t, old.Value, set[0].Value, "a new session ID")

			b2 := browser(t)
			req, _ = http.NewRequest(http.MethodGet, a.web.URL+"/orders", nil)
			req.AddCookie(set[0])
			r2, err := b2.Do(req)
			require.NoError(t, err)
			r2.Body.Close()
			assert.Equal(t, http.StatusOK, r2.StatusCode, "the new session is signed in")
			req, _ = http.NewRequest(http.MethodGet, a.web.URL+"/orders", nil)
			req.AddCookie(old)
			r3, err := b2.Do(req)
			require.NoError(t, err)
			r3.Body.Close()
			assert.Equal(t, http.StatusFound, r3.StatusCode, "the replaced session is gone")
		})
	}
}

func sessionCookieOf(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, "session") && c.MaxAge > 0 {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// recorder is a minimal http.ResponseWriter that keeps the header.
type recorder struct{ header http.Header }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(int)             {}
