package cognito_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// BenchmarkStateCodec makes and verifies one state, as a sign-in does.
func BenchmarkStateCodec(b *testing.B) {
	sc, err := cognito.NewStateCodec(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		st, nonce, err := sc.New("/")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sc.Verify(st, nonce); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStateFloor is the cryptography a state cannot avoid: 32 random
// bytes and two HMAC-SHA256 over a payload of the same size.
func BenchmarkStateFloor(b *testing.B) {
	key := bytes.Repeat([]byte{1}, 32)
	payload := []byte(base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte("x"), 80)))
	nonce := make([]byte, 32)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := cognito.NewPKCE(); err != nil { // reads 32 random bytes (and one SHA-256)
			b.Fatal(err)
		}
		for j := 0; j < 2; j++ {
			m := hmac.New(sha256.New, key)
			m.Write(payload)
			nonce = m.Sum(nonce[:0])
		}
	}
}

// BenchmarkHostedUICodeFlow is one sign-in of a browser that already has a
// hosted-UI session, as the app sees it: AuthorizeURL with a fresh PKCE,
// /oauth2/authorize answering with a code (from the session cookie),
// ParseCallback, and Exchange through the HostedUI — over loopback HTTP
// against the emulator. Compare with BenchmarkHostedUICodeFlowFloor.
func BenchmarkHostedUICodeFlow(b *testing.B) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{CallbackURLs: []string{hCallback},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email"}})
	srv.MustCreateUser(pool, "alice", "Correct-Horse-9!", map[string]string{"email": "alice@example.com"})
	ui, err := cognito.NewHostedUI(srv.HostedUIURL(), app.ID, hCallback)
	if err != nil {
		b.Fatal(err)
	}
	browser := signedInBrowser(b, srv, ui)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := cognito.NewPKCE()
		if err != nil {
			b.Fatal(err)
		}
		u, err := ui.AuthorizeURL(cognito.AuthorizeOptions{State: "s", CodeChallenge: p.Challenge})
		if err != nil {
			b.Fatal(err)
		}
		resp, err := browser.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		cb, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			b.Fatal(err)
		}
		code, _, err := cognito.ParseCallback(cb.Query())
		if err != nil {
			b.Fatal(resp.StatusCode, err)
		}
		if _, err := ui.Exchange(ctx, code, p.Verifier); err != nil {
			b.Fatal(err)
		}
	}
}

// signedInBrowser signs alice in on the hosted UI's page once and returns
// a cookie-keeping client that does not follow redirects.
func signedInBrowser(b *testing.B, srv *cognitotest.Server, ui *cognito.HostedUI) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	p, _ := cognito.NewPKCE()
	u, _ := ui.AuthorizeURL(cognito.AuthorizeOptions{State: "s", CodeChallenge: p.Challenge})
	for step := 0; step < 10; step++ {
		resp, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "" {
			if strings.HasPrefix(loc, hCallback) {
				return c
			}
			u = srv.HostedUIURL() + loc
			continue
		}
		m := regexp.MustCompile(`<form method="post" action="([^"]*)"`).FindSubmatch(body)
		if m == nil {
			b.Fatalf("no sign-in form: %d %s", resp.StatusCode, body)
		}
		form := url.Values{"username": {"alice"}, "password": {"Correct-Horse-9!"}}
		for _, h := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllSubmatch(body, -1) {
			form.Set(string(h[1]), html.UnescapeString(string(h[2])))
		}
		resp, err = c.PostForm(srv.HostedUIURL()+html.UnescapeString(string(m[1])), form)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, hCallback) {
			return c
		}
		b.Fatalf("sign-in failed: %d", resp.StatusCode)
	}
	b.Fatal("sign-in: too many steps")
	return nil
}

// BenchmarkHostedUICodeFlowFloor is the cryptography the code flow cannot
// avoid: the emulator's two RS256 signatures (RSA-2048) of the ID and
// access tokens.
func BenchmarkHostedUICodeFlowFloor(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(strings.Repeat("x", 900))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 2; j++ {
			sum := sha256.Sum256(payload)
			if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:]); err != nil {
				b.Fatal(err)
			}
		}
	}
}
