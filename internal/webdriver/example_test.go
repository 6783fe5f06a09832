package webdriver_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cognitokit/cognitokit/internal/webdriver"
)

// Driving a sign-in form from a test. The example is compiled, not run:
// it needs a *testing.T.
func ExampleStart() {
	testSignIn := func(t *testing.T) {
		app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// ... the web app under test ...
		}))
		defer app.Close()

		b := webdriver.Start(t) // skipped without chromedriver, unless COGNITOKIT_INTEROP=1
		b.Navigate(app.URL + "/")
		b.Find("input[name=username]").SendKeys("alice")
		b.Find("input[name=password]").SendKeys("correct horse" + webdriver.KeyEnter)
		b.WaitURL(app.URL + "/home")
		if got := b.Find("#who").Text(); got != "alice" {
			t.Errorf("signed in as %q", got)
		}
		if c, ok := b.Cookie("session"); !ok || !c.HTTPOnly {
			t.Errorf("session cookie %v", c)
		}
		b.SaveArtifacts("signed-in") // evidence for CI, kept under $COGNITOKIT_ARTIFACTS
	}
	_ = testSignIn
}
