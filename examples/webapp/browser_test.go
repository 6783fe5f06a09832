package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/webdriver"
)

// TestBrowser signs in through the hosted UI in real headless Chromium —
// with a password, then with the fake Facebook — calls the IAM-protected
// API from the page and signs out, saving screenshots as artefacts under
// $COGNITOKIT_ARTIFACTS/TestBrowser (or a kept temporary directory). It
// skips without chromium and chromedriver, and fails instead under
// COGNITOKIT_INTEROP=1.
func TestBrowser(t *testing.T) {
	ta := startTestApp(t)
	b := webdriver.Start(t, func(o *webdriver.Options) { o.Timeout = 15 * time.Second })
	emu := ta.demo.srv.URL

	// Password sign-in.
	b.Navigate(ta.base + "/")
	b.Find("#sign-in").Click()
	b.WaitURL(emu + "/login?")
	b.Find("#signInFormUsername").SendKeys("alice")
	b.Find("#signInFormPassword").SendKeys(ta.demo.password)
	dir := b.SaveArtifacts("hosted-ui-login")
	b.Find("#signInSubmitButton").Click()
	require.Equal(t, "alice", b.Find("#who").Text())
	assert.Equal(t, ta.base+"/", b.CurrentURL())
	sid, ok := b.Cookie(sessionCookie)
	require.True(t, ok, "session cookie set")
	assert.True(t, sid.HTTPOnly)
	assert.True(t, sid.Secure)
	assert.Equal(t, "Lax", sid.SameSite)
	assert.Len(t, sid.Value, 43, "an opaque session ID, not tokens")
	b.SaveArtifacts("signed-in-password")

	b.Find("#call-api").Click()
	res := b.Find("#api-result").Text()
	assert.Contains(t, res, "HTTP 200")
	assert.Contains(t, res, "hello from the IAM-protected API")
	b.SaveArtifacts("api-answer-password")

	b.Find("#sign-out").Click()
	b.Find("#signed-out")
	assert.Equal(t, ta.base+"/", b.CurrentURL())
	_, ok = b.Cookie(sessionCookie)
	assert.False(t, ok, "session cookie cleared")
	// The hosted UI's session ended too: Sign in asks for the password.
	b.Find("#sign-in").Click()
	b.Find("#signInFormPassword")
	b.Navigate(ta.base + "/")

	// Facebook sign-in through the fake Facebook's consent page.
	b.Find("#sign-in-facebook").Click()
	b.WaitURL(emu + "/_emulator/facebook/dialog/oauth")
	id := b.Find("#fb-user-id")
	id.Clear()
	id.SendKeys("4242")
	name := b.Find("#fb-name")
	name.Clear()
	name.SendKeys("Fay Browser")
	b.SaveArtifacts("facebook-consent")
	b.Find("#fb-continue").Click()
	require.Equal(t, "Facebook_4242", b.Find("#who").Text())
	assert.Contains(t, b.Find("#groups").Text(), "_Facebook")
	b.Find("#call-api").Click()
	assert.Contains(t, b.Find("#api-result").Text(), "HTTP 200")
	b.SaveArtifacts("api-answer-facebook")
	b.Find("#sign-out").Click()
	b.Find("#signed-out")
	b.SaveArtifacts("signed-out")
	assert.False(t, strings.Contains(b.PageSource(), "Facebook_4242"))
	t.Logf("browser screenshots saved in %s", dir)
}
