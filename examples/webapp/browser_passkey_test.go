package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/browsertest"
)

// TestBrowserPasskeyAndEmailCode, in real headless Chromium with its
// virtual authenticator (the DevTools WebAuthn domain): alice signs in
// with her password through the hosted UI, registers a passkey from the
// page, signs out and signs in with the passkey (the page converting
// base64url by hand) and calls the API; then she signs in with a
// code e-mailed by the emulated pool (read from its outbox), and a wrong
// code is refused. The app is served as http://localhost:PORT, the
// passkeys' relying party. It skips without Chromium, and fails instead
// under COGNITOKIT_INTEROP=1.
func TestBrowserPasskeyAndEmailCode(t *testing.T) {
	ta := startTestAppAs(t, "localhost")
	b := browsertest.Start(t, func(o *browsertest.Options) { o.Timeout = 15 * time.Second })
	emu := ta.demo.srv.URL
	pool := ta.demo.settings.UserPoolID

	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	_, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{})
	require.NoError(t, err)
	auth, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{Protocol: webauthn.AuthenticatorProtocolCtap2,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true}})
	cancel()
	require.NoError(t, err)
	// ready waits for the page's script to have set up the page's buttons.
	ready := func() { t.Helper(); b.WaitVisible("body[data-passkey-ready]") }
	credentials := func() int {
		t.Helper()
		ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
		defer cancel()
		l, err := chromedp.Call(ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: auth.AuthenticatorID})
		require.NoError(t, err)
		return len(l.Credentials)
	}

	// Password sign-in through the hosted UI.
	b.Navigate(ta.base + "/")
	b.Click("#sign-in")
	b.WaitURL(emu + "/login?")
	b.Type("#signInFormUsername", "alice")
	b.Type("#signInFormPassword", ta.demo.password)
	b.Click("#signInSubmitButton")
	require.Equal(t, "alice", b.Text("#who"))

	// Register a passkey with the virtual authenticator.
	ready()
	require.Zero(t, credentials())
	b.Click("#register-passkey")
	b.WaitVisible(`#passkey-status[data-state="done"]`)
	assert.Equal(t, "Passkey registered.", b.Text("#passkey-status"))
	assert.Equal(t, 1, credentials())
	b.SaveArtifacts("passkey-registered")
	b.Click("#sign-out")
	b.WaitVisible("#signed-out")

	// Sign in with the passkey, with the page's own base64url conversions
	// (as in browsers without the WebAuthn Level 3 JSON helpers).
	ready()
	require.True(t, browsertest.Run(b, chromedp.Evaluate[bool](`delete PublicKeyCredential.parseRequestOptionsFromJSON;
		Object.defineProperty(PublicKeyCredential.prototype, 'toJSON', {value: undefined});
		PublicKeyCredential.parseRequestOptionsFromJSON === undefined && PublicKeyCredential.prototype.toJSON === undefined`)))
	b.Type("#pl-username", "alice")
	b.Click("#sign-in-passkey")
	require.Equal(t, "alice", b.Text("#who"))
	assert.Equal(t, ta.base+"/", b.Location())
	b.SaveArtifacts("signed-in-passkey")
	b.Click("#call-api")
	assert.Contains(t, b.Text("#api-result"), "HTTP 200", "the passkey's tokens are a full session")
	b.Click("#sign-out")
	b.WaitVisible("#signed-out")

	// A user without a passkey: the page says so and nobody is signed in.
	ta.demo.srv.MustCreateUser(pool, "bob", "Bob-Passw0rd!x", map[string]string{"email": "bob@example.com"})
	b.Navigate(ta.base + "/")
	ready()
	b.Type("#pl-username", "bob")
	b.Click("#sign-in-passkey")
	b.WaitVisible(`#passkey-status[data-state="failed"]`)
	assert.Contains(t, b.Text("#passkey-status"), "Passkey sign-in failed")
	assert.NotContains(t, b.HTML(), `id="who"`)

	// Sign in with an e-mailed code, read from the emulator's outbox.
	b.Navigate(ta.base + "/")
	b.Type("#pl-username", "alice")
	b.Click("#email-code")
	b.WaitVisible("#code")
	assert.Contains(t, b.Text("#code-sent"), "@")
	code, ok := ta.demo.srv.LastCode(pool, "alice")
	require.True(t, ok)
	b.Type("#code", code)
	b.SaveArtifacts("email-code")
	b.Click("#code-submit")
	require.Equal(t, "alice", b.Text("#who"))
	b.Click("#sign-out")
	b.WaitVisible("#signed-out")

	// A wrong code signs nobody in.
	b.Type("#pl-username", "alice")
	b.Click("#email-code")
	b.WaitVisible("#code")
	b.Type("#code", "000000")
	b.Click("#code-submit")
	b.WaitVisible("#signin-error")
	assert.NotContains(t, b.HTML(), `id="who"`)
}
