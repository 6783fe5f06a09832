package cognito_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// loopbackCallback returns http://localhost:PORT/callback on a free port.
func loopbackCallback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return fmt.Sprintf("http://localhost:%d/callback", port)
}

type browserFixture struct {
	srv      *cognitotest.Server
	app      cognitotest.AppClient
	callback string
	ui       *cognito.HostedUI
}

func newBrowserFixture(t *testing.T) *browserFixture {
	t.Helper()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	cb := loopbackCallback(t)
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{Name: "cli", CallbackURLs: []string{cb},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email", "aws.cognito.signin.user.admin"}})
	srv.MustCreateUser(pool, "alice", "Correct-Horse-9!", map[string]string{"email": "alice@example.com"})
	ui, err := cognito.NewHostedUI(srv.HostedUIURL(), app.ID, cb, func(o *cognito.HostedUIOptions) { o.Clock = srv.Now })
	require.NoError(t, err)
	return &browserFixture{srv: srv, app: app, callback: cb, ui: ui}
}

// browser plays the user's browser: it signs in on the hosted UI, then
// follows the redirect to the program's loopback listener, keeping the
// page the program shows.
func (f *browserFixture) browser(t *testing.T, password string, pages chan<- string) func(string) error {
	return func(authURL string) error {
		go func() {
			cb, err := f.srv.HostedSignIn(authURL, "alice", password)
			if err != nil {
				pages <- "hosted UI: " + err.Error()
				return
			}
			resp, err := http.Get(cb)
			if err != nil {
				pages <- err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			pages <- string(b)
		}()
		return nil
	}
}

// TestLoginWithBrowser signs in through the hosted UI as a CLI would, keeps
// the session in a FileTokenStore, and restores it in a second process
// without signing in again.
func TestLoginWithBrowser(t *testing.T) {
	f := newBrowserFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pages := make(chan string, 1)
	var prompt bytes.Buffer
	tokens, err := f.ui.LoginWithBrowser(ctx, func(o *cognito.BrowserLoginOptions) {
		o.OpenBrowser = f.browser(t, "Correct-Horse-9!", pages)
		o.Prompt = &prompt
	})
	require.NoError(t, err)
	assert.NotEmpty(t, tokens.AccessToken)
	assert.NotEmpty(t, tokens.RefreshToken)
	assert.Contains(t, <-pages, "You can close this tab")
	assert.Contains(t, prompt.String(), "/oauth2/authorize?")

	dir := filepath.Join(t.TempDir(), "tokens")
	store := &cognito.FileTokenStore{Dir: dir}
	session := f.ui.NewSession(tokens, func(o *cognito.SessionOptions) { o.Store = store })
	require.NoError(t, session.Save(ctx))
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	fi, err = entries[0].Info()
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// A second process restores the session and calls userInfo with it.
	out, err := runRestoreChild(t, f, dir)
	require.NoError(t, err, "%s", out)
	assert.Contains(t, out, "restored alice@example.com")

	// Restored in this process, at expiry: refreshed through the token
	// endpoint, and the store follows.
	restored, err := f.ui.RestoreSession(ctx, store)
	require.NoError(t, err)
	assert.Equal(t, tokens.AccessToken, restored.Current().AccessToken)
	f.srv.Advance(59 * time.Minute)
	fresh, err := restored.Tokens(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, tokens.AccessToken, fresh.AccessToken)
	again, err := store.Load(ctx, cognito.TokenStoreKey(f.ui.Domain(), f.app.ID))
	require.NoError(t, err)
	assert.Equal(t, fresh.AccessToken, again.AccessToken, "the refreshed tokens were saved")
	assert.Equal(t, tokens.RefreshToken, again.RefreshToken)

	require.NoError(t, restored.Forget(ctx))
	_, err = f.ui.RestoreSession(ctx, store)
	assert.ErrorIs(t, err, cognito.ErrNoStoredTokens)
}

func runRestoreChild(t *testing.T, f *browserFixture, dir string) (string, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestRestoreSessionChild$", "-test.v")
	cmd.Env = append(os.Environ(), "COGNITOKIT_RESTORE_CHILD="+strings.Join([]string{dir, f.srv.HostedUIURL(), f.app.ID, f.callback}, "\n"))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestRestoreSessionChild is the second process of TestLoginWithBrowser.
func TestRestoreSessionChild(t *testing.T) {
	env := os.Getenv("COGNITOKIT_RESTORE_CHILD")
	if env == "" {
		t.Skip("run by TestLoginWithBrowser as a second process")
	}
	p := strings.Split(env, "\n")
	ui, err := cognito.NewHostedUI(p[1], p[2], p[3])
	require.NoError(t, err)
	ctx := context.Background()
	s, err := ui.RestoreSession(ctx, &cognito.FileTokenStore{Dir: p[0]})
	require.NoError(t, err)
	at, err := s.AccessToken(ctx)
	require.NoError(t, err)
	info, err := ui.UserInfo(ctx, at)
	require.NoError(t, err)
	fmt.Println("restored", info["email"])
}

func TestLoginWithBrowserRefusals(t *testing.T) {
	f := newBrowserFixture(t)

	t.Run("a callback with another state is refused, the real one still wins", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		pages := make(chan string, 1)
		real := f.browser(t, "Correct-Horse-9!", pages)
		tokens, err := f.ui.LoginWithBrowser(ctx, func(o *cognito.BrowserLoginOptions) {
			o.Prompt = io.Discard
			o.OpenBrowser = func(u string) error {
				resp, err := http.Get(f.callback + "?code=forged&state=not-ours")
				require.NoError(t, err)
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
				assert.Contains(t, string(b), "not started by this program")
				return real(u)
			}
		})
		require.NoError(t, err)
		assert.NotEmpty(t, tokens.IDToken)
		<-pages
	})
	t.Run("the user cancels", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := f.ui.LoginWithBrowser(ctx, func(o *cognito.BrowserLoginOptions) {
			o.Prompt = io.Discard
			o.OpenBrowser = func(u string) error {
				state := mustQuery(t, u).Get("state")
				go func() {
					resp, err := http.Get(f.callback + "?error=access_denied&error_description=cancelled&state=" + url.QueryEscape(state))
					if err == nil {
						resp.Body.Close()
					}
				}()
				return nil
			}
		})
		require.ErrorIs(t, err, cognito.ErrAccessDenied)
	})
	t.Run("nobody signs in before the deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		var prompt bytes.Buffer
		_, err := f.ui.LoginWithBrowser(ctx, func(o *cognito.BrowserLoginOptions) {
			o.Prompt = &prompt
			o.OpenBrowser = func(string) error { return errors.New("no browser here") }
		})
		require.ErrorIs(t, err, cognito.ErrBrowserLogin)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, prompt.String(), "Open this URL in your browser", "without a browser the URL is printed")
	})
	t.Run("a redirect URI that is not a loopback listener", func(t *testing.T) {
		for _, cb := range []string{"https://app.example/callback", "http://192.0.2.1:8080/cb", "http://localhost/cb"} {
			ui, err := cognito.NewHostedUI(f.srv.HostedUIURL(), f.app.ID, cb)
			require.NoError(t, err)
			_, err = ui.LoginWithBrowser(context.Background(), func(o *cognito.BrowserLoginOptions) { o.Prompt = io.Discard })
			require.ErrorIs(t, err, cognito.ErrBrowserLogin, cb)
		}
	})
}

func mustQuery(t *testing.T, u string) url.Values {
	pu, err := url.Parse(u)
	require.NoError(t, err)
	return pu.Query()
}
