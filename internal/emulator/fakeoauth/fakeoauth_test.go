package fakeoauth

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth/oauthtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestS256KnownAnswer(t *testing.T) {
	// RFC 7636 Appendix B.
	assert.Equal(t, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", S256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
}

func TestClients(t *testing.T) {
	var cs Clients
	require.NoError(t, cs.Register(Client{ID: "c", Secret: "s", RedirectURIs: []string{"https://a.example/cb"}}))
	require.NoError(t, cs.Register(Client{ID: "pub", RedirectURIs: []string{"http://127.0.0.1:8080/cb"}}))
	assert.ErrorIs(t, cs.Register(Client{ID: "x"}), ErrInvalidRequest)
	assert.ErrorIs(t, cs.Register(Client{ID: "x", RedirectURIs: []string{"/relative"}}), ErrInvalidRequest)
	tests := []struct {
		name, id, secret, redirect string
		redirectErr, secretErr     error
	}{
		{"confidential", "c", "s", "https://a.example/cb", nil, nil},
		{"wrong secret", "c", "S", "https://a.example/cb", nil, ErrInvalidClient},
		{"no secret", "c", "", "https://a.example/cb", nil, ErrInvalidClient},
		{"public", "pub", "", "http://127.0.0.1:8080/cb", nil, nil},
		{"public with a secret", "pub", "s", "http://127.0.0.1:8080/cb", nil, ErrInvalidClient},
		{"unknown", "nobody", "", "https://a.example/cb", ErrInvalidClient, ErrInvalidClient},
		{"other redirect", "c", "s", "https://a.example/cb2", ErrInvalidRedirect, nil},
		{"redirect with a query", "c", "s", "https://a.example/cb?x=1", ErrInvalidRedirect, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, cs.CheckRedirect(tc.id, tc.redirect), tc.redirectErr)
			assert.ErrorIs(t, cs.CheckSecret(tc.id, tc.secret), tc.secretErr)
		})
	}
}

func TestCodes(t *testing.T) {
	clk := oauthtest.NewClock(time.Unix(1e9, 0))
	codes := Codes[string]{Now: clk.Now, Prefix: "c."}
	v := strings.Repeat("v", 43)
	issue := func(challenge string) string {
		c, err := codes.Issue(Grant[string]{ClientID: "c", RedirectURI: "https://a/cb", CodeChallenge: challenge, Data: "d"}, time.Minute)
		require.NoError(t, err)
		return c
	}
	tests := []struct {
		name, challenge, client, redirect, verifier string
		advance                                     time.Duration
		ok                                          bool
	}{
		{"pkce", S256(v), "c", "https://a/cb", v, 0, true},
		{"no pkce", "", "c", "https://a/cb", "", 0, true},
		{"wrong verifier", S256(v), "c", "https://a/cb", v + "x", 0, false},
		{"verifier without challenge", "", "c", "https://a/cb", v, 0, false},
		{"other client", "", "d", "https://a/cb", "", 0, false},
		{"other redirect", "", "c", "https://a/cb2", "", 0, false},
		{"expired", "", "c", "https://a/cb", "", time.Minute, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code := issue(tc.challenge)
			clk.Add(tc.advance)
			g, err := codes.Redeem(code, tc.client, tc.redirect, tc.verifier)
			if !tc.ok {
				require.ErrorIs(t, err, ErrInvalidGrant)
			} else {
				require.NoError(t, err)
				assert.Equal(t, "d", g.Data)
			}
			_, err = codes.Redeem(code, tc.client, tc.redirect, tc.verifier)
			assert.ErrorIs(t, err, ErrInvalidGrant, "a code is tried once only")
		})
	}
}

func TestTokens(t *testing.T) {
	clk := oauthtest.NewClock(time.Unix(1e9, 0))
	toks := Tokens[int]{Now: clk.Now, Prefix: "t."}
	tok, err := toks.Issue(7, time.Hour)
	require.NoError(t, err)
	d, _, err := toks.Lookup(tok)
	require.NoError(t, err)
	assert.Equal(t, 7, d)
	_, _, err = toks.Lookup(tok + "x")
	assert.ErrorIs(t, err, ErrInvalidToken)
	_, _, err = toks.Lookup("")
	assert.ErrorIs(t, err, ErrInvalidToken)
	clk.Add(time.Hour)
	_, _, err = toks.Lookup(tok)
	assert.ErrorIs(t, err, ErrInvalidToken)
}

func TestClientCredentials(t *testing.T) {
	tests := []struct {
		name, basicID, basicSecret string
		form                       url.Values
		id, secret                 string
		wantErr                    error
	}{
		{"post", "", "", url.Values{"client_id": {"a"}, "client_secret": {"b"}}, "a", "b", nil},
		{"basic, form-encoded", "a%3Ab", "s%26", url.Values{}, "a:b", "s&", nil},
		{"both", "a", "b", url.Values{"client_secret": {"b"}}, "", "", ErrInvalidRequest},
		{"basic id differs from form", "a", "b", url.Values{"client_id": {"z"}}, "", "", ErrInvalidRequest},
		{"malformed basic", "%zz", "b", url.Values{}, "", "", ErrInvalidClient},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/token", strings.NewReader(tc.form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basicID != "" {
				r.SetBasicAuth(tc.basicID, tc.basicSecret)
			}
			require.NoError(t, r.ParseForm())
			id, secret, err := ClientCredentials(r)
			require.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, tc.id, id)
			assert.Equal(t, tc.secret, secret)
		})
	}
}
