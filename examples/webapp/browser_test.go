package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/browsertest"
)

// TestBrowser signs in through the hosted UI in real headless Chromium —
// with a password, then with the fake Facebook — calls the IAM-protected
// API from the page and signs out, saving screenshots as artefacts under
// $COGNITOKIT_ARTIFACTS/TestBrowser (or a kept temporary directory). It
// skips without Chromium, and fails instead under COGNITOKIT_INTEROP=1.
func TestBrowser(t *testing.T) {
	ta := startTestApp(t)
	b := browsertest.Start(t, func(o *browsertest.Options) { o.Timeout = 15 * time.Second })
	emu := ta.demo.srv.URL

	// Password sign-in.
	b.Navigate(ta.base + "/")
	b.Click("#sign-in")
	b.WaitURL(emu + "/login?")
	b.Type("#signInFormUsername", "alice")
	b.Type("#signInFormPassword", ta.demo.password)
	dir := b.SaveArtifacts("hosted-ui-login")
	b.Click("#signInSubmitButton")
	require.Equal(t, "alice", b.Text("#who"))
	assert.Equal(t, ta.base+"/", b.Location())
	sid, ok := b.Cookie(sessionCookie)
	require.True(t, ok, "session cookie set")
	assert.True(t, sid.HTTPOnly)
	assert.False(t, sid.Secure, "plain http on a loopback address: no Secure flag (websession)")
	assert.Equal(t, "Lax", string(sid.SameSite))
	assert.Len(t, sid.Value, 43, "an opaque session ID, not tokens")
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	cancel()
	require.NoError(t, err)
	for _, c := range cookies.Cookies {
		assert.False(t, strings.HasPrefix(c.Name, "login_"), "the pending sign-in cookie %s is spent", c.Name)
	}
	b.SaveArtifacts("signed-in-password")

	b.Click("#call-api")
	res := b.Text("#api-result")
	assert.Contains(t, res, "HTTP 200")
	assert.Contains(t, res, "hello from the IAM-protected API")
	b.SaveArtifacts("api-answer-password")

	b.Click("#sign-out")
	b.WaitVisible("#signed-out")
	assert.Equal(t, ta.base+"/", b.Location())
	_, ok = b.Cookie(sessionCookie)
	assert.False(t, ok, "session cookie cleared")
	// The hosted UI's session ended too: Sign in asks for the password.
	b.Click("#sign-in")
	b.WaitVisible("#signInFormPassword")
	b.Navigate(ta.base + "/")

	// Facebook sign-in through the fake Facebook's consent page.
	b.Click("#sign-in-facebook")
	b.WaitURL(emu + "/_emulator/facebook/dialog/oauth")
	b.Type("#fb-user-id", "4242")
	b.Type("#fb-name", "Fay Browser")
	b.SaveArtifacts("facebook-consent")
	b.Click("#fb-continue")
	require.Equal(t, "Facebook_4242", b.Text("#who"))
	assert.Contains(t, b.Text("#groups"), "_Facebook")
	b.Click("#call-api")
	assert.Contains(t, b.Text("#api-result"), "HTTP 200")
	b.SaveArtifacts("api-answer-facebook")
	b.Click("#sign-out")
	b.WaitVisible("#signed-out")
	b.SaveArtifacts("signed-out")
	assert.NotContains(t, b.HTML(), "Facebook_4242")
	t.Logf("browser screenshots saved in %s", dir)
}

// TestBrowserFederated signs in through the hosted UI in real headless
// Chromium with the emulator's fake Google and fake SAML IdP — the
// providers identity pools use too, mounted under /_emulator/ — and then
// with a Google login linked to the existing user alice, which signs in
// as alice. It skips without Chromium, and fails instead under
// COGNITOKIT_INTEROP=1.
func TestBrowserFederated(t *testing.T) {
	ta := startTestApp(t)
	b := browsertest.Start(t, func(o *browsertest.Options) { o.Timeout = 15 * time.Second })
	emu := ta.demo.srv.URL
	signOut := func() {
		t.Helper()
		b.Click("#sign-out")
		b.WaitVisible("#signed-out")
	}
	google := func(sub, email string) {
		t.Helper()
		b.Navigate(ta.base + "/")
		b.Click("#sign-in-google")
		b.WaitURL(emu + "/_emulator/google/authorize?")
		b.Type("#oidc-sub", sub)
		b.Type("#oidc-email", email)
		b.Click("#oidc-allow")
	}

	// Google: a new user of the pool, in its Google group.
	google("g-browser-1", "gail@gmail.example")
	require.Equal(t, "Google_g-browser-1", b.Text("#who"))
	assert.Equal(t, ta.base+"/", b.Location())
	assert.Equal(t, "gail@gmail.example", b.Text("#email"))
	assert.Contains(t, b.Text("#groups"), "_Google")
	b.Click("#call-api")
	assert.Contains(t, b.Text("#api-result"), "HTTP 200")
	b.SaveArtifacts("signed-in-google")
	signOut()

	// SAML: the fake IdP's login page, then its signed Response posted
	// to the hosted UI.
	b.Click("#sign-in-corpsaml")
	b.WaitURL(emu + "/_emulator/saml/corp-idp/sso?")
	b.Type("#saml-username", demoSAMLUser)
	b.SaveArtifacts("saml-login")
	b.Click("#saml-signin")
	require.Equal(t, demoSAML+"_"+demoSAMLUser, b.Text("#who"))
	assert.Equal(t, demoSAMLUser, b.Text("#email"))
	assert.Contains(t, b.Text("#groups"), "_"+demoSAML)
	b.SaveArtifacts("signed-in-saml")
	signOut()

	// A user the IdP does not know is refused on its page.
	b.Click("#sign-in-corpsaml")
	b.WaitURL(emu + "/_emulator/saml/corp-idp/sso?")
	b.Type("#saml-username", "mallory@corp.example")
	b.Click("#saml-signin")
	b.WaitVisible("#saml-error")
	assert.NotContains(t, b.HTML(), `id="who"`)

	// A Google login linked to alice signs in as alice, not as a new
	// Google user.
	ta.demo.srv.MustLinkProviderForUser(ta.demo.settings.UserPoolID, "alice", "Google", "g-alice")
	google("g-alice", "alice@gmail.example")
	require.Equal(t, "alice", b.Text("#who"))
	// Cognito writes the provider's mapped attributes to the linked user
	// at each sign-in.
	assert.Equal(t, "alice@gmail.example", b.Text("#email"))
	assert.NotContains(t, b.HTML(), `id="groups"`, "a linked sign-in joins no provider group")
	b.SaveArtifacts("signed-in-linked-google")
	signOut()

	// An unlinked Google login is still a user of its own.
	google("g-browser-2", "gus@gmail.example")
	require.Equal(t, "Google_g-browser-2", b.Text("#who"))
	signOut()
}
