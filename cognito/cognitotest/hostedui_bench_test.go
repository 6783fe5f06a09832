package cognitotest

import (
	"net/url"
	"testing"
)

// BenchmarkHostedUICodeFlow measures one signed-in browser's round trip
// through the hosted UI: /oauth2/authorize answered from the session
// cookie with a code, then /oauth2/token exchanging it (PKCE) for ID,
// access and refresh tokens, over loopback HTTP.
func BenchmarkHostedUICodeFlow(b *testing.B) {
	t := b
	f := newUIFixture(t, PoolOptions{})
	a := newAgent(t, f.s.URL)
	callbackCode(t, passwordLogin(t, a, authorizeURL(f.s, f.client.ID, nil), "alice", testPassword))
	auth := authorizeURL(f.s, f.client.ID, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := a.get(auth)
		u, err := url.Parse(p.loc)
		if err != nil || u.Query().Get("code") == "" {
			b.Fatalf("no code: %d %s", p.status, p.loc)
		}
		status, _ := tokenCall(t, f.s, exchangeForm(f.client.ID, u.Query().Get("code"), uiVerifier), "")
		if status != 200 {
			b.Fatal(status)
		}
	}
}
