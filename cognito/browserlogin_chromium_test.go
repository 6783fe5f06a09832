package cognito_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/internal/browsertest"
)

// TestLoginWithBrowserChromium is LoginWithBrowser end to end as a user
// lives it: the program's "browser" is a real headless Chromium, which
// opens the emulator's hosted UI at the authorize URL, is refused a wrong
// password, signs in, is redirected to the program's loopback listener and
// shows its "you can close this tab" page. The session is saved in a
// FileTokenStore, and a second process restores it without signing in
// again. It skips without Chromium, and fails instead under
// COGNITOKIT_INTEROP=1.
func TestLoginWithBrowserChromium(t *testing.T) {
	f := newBrowserFixture(t)
	b := browsertest.Start(t, func(o *browsertest.Options) { o.Timeout = 15 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// LoginWithBrowser runs in its own goroutine; its OpenBrowser hands
	// the URL to the test's goroutine, which drives Chromium.
	urls := make(chan string, 1)
	type result struct {
		t   *cognito.Tokens
		err error
	}
	done := make(chan result, 1)
	go func() {
		tk, err := f.ui.LoginWithBrowser(ctx, func(o *cognito.BrowserLoginOptions) {
			o.Prompt = io.Discard
			o.OpenBrowser = func(u string) error { urls <- u; return nil }
		})
		done <- result{tk, err}
	}()
	var authURL string
	select {
	case authURL = <-urls:
	case r := <-done:
		t.Fatalf("LoginWithBrowser ended before opening the browser: %v", r.err)
	}
	assert.Equal(t, f.callback, mustQuery(t, authURL).Get("redirect_uri"))

	b.Navigate(authURL)
	b.WaitURL(f.srv.HostedUIURL() + "/login?")

	// A wrong password: the hosted UI says so, and the program keeps
	// waiting.
	b.Type("#signInFormUsername", "alice")
	b.Type("#signInFormPassword", "Wrong-Horse-9!")
	b.Click("#signInSubmitButton")
	assert.Contains(t, b.Text("#loginErrorMessage"), "Incorrect username or password")
	select {
	case r := <-done:
		t.Fatalf("LoginWithBrowser ended after a wrong password: %v", r.err)
	default:
	}

	b.Type("#signInFormUsername", "alice")
	b.Type("#signInFormPassword", "Correct-Horse-9!")
	b.Click("#signInSubmitButton")
	b.WaitURL(f.callback + "?")
	assert.Contains(t, b.Text("#message"), "You can close this tab")
	b.SaveArtifacts("signed-in")

	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		t.Fatal("LoginWithBrowser did not return after the callback")
	}
	require.NoError(t, r.err)
	claims, err := cognito.ParseClaims(r.t.IDToken)
	require.NoError(t, err)
	assert.Equal(t, "alice@example.com", claims.Email)
	assert.NotEmpty(t, r.t.RefreshToken)

	dir := filepath.Join(t.TempDir(), "tokens")
	store := &cognito.FileTokenStore{Dir: dir}
	require.NoError(t, f.ui.NewSession(r.t, func(o *cognito.SessionOptions) { o.Store = store }).Save(ctx))

	// A second process restores the session and calls userInfo with it,
	// with no browser and no password.
	out, err := runRestoreChild(t, f, dir)
	require.NoError(t, err, "%s", out)
	assert.Contains(t, out, "restored alice@example.com")

	// With nothing stored, the second process has nothing to restore.
	out, err = runRestoreChild(t, f, filepath.Join(t.TempDir(), "empty"))
	require.Error(t, err, "%s", out)
	assert.Contains(t, out, cognito.ErrNoStoredTokens.Error())
}
