package faketwitter

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth/oauthtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignKnownAnswer checks the signer against Twitter's documented
// example ("Creating a signature", developer.twitter.com).
func TestSignKnownAnswer(t *testing.T) {
	body := "status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21"
	req := httptest.NewRequest(http.MethodPost, "https://api.twitter.com/1.1/statuses/update.json?include_entities=true", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	require.NoError(t, Sign(req, "xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
		"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
		"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", time.Unix(1318622958, 0)))
	assert.Contains(t, req.Header.Get("Authorization"), `oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"`)
}

func newFake(t *testing.T) (*Fake, *oauthtest.Clock) {
	t.Helper()
	clk := oauthtest.NewClock(time.Now().Truncate(time.Second))
	f, err := New("/_emulator/twitter/", clk.Now, nil)
	require.NoError(t, err)
	require.NoError(t, f.PutConsumer("ck1", "cs1"))
	require.NoError(t, f.PutConsumer("ck2", "cs2"))
	return f, clk
}

func TestVerifyCredentials(t *testing.T) {
	f, _ := newFake(t)
	tok, sec, err := f.MintToken("ck1", User{ID: "783214", ScreenName: "twitterdev"})
	require.NoError(t, err)
	tok2, sec2, err := f.MintToken("ck2", User{ID: "42"})
	require.NoError(t, err)
	tests := []struct {
		name, ck, cs, login string
		want                error
	}{
		{"valid", "ck1", "cs1", tok + ";" + sec, nil},
		{"wrong token secret", "ck1", "cs1", tok + ";" + sec + "x", ErrInvalidToken},
		{"unknown token", "ck1", "cs1", "783214-forged;" + sec, ErrInvalidToken},
		{"token of another app", "ck1", "cs1", tok2 + ";" + sec2, ErrInvalidToken},
		{"foreign consumer key", "ck9", "cs1", tok + ";" + sec, ErrInvalidConsumer},
		{"wrong consumer secret", "ck1", "cs2", tok + ";" + sec, ErrInvalidConsumer},
		{"no separator", "ck1", "cs1", tok + sec, ErrMalformedLogin},
		{"empty secret", "ck1", "cs1", tok + ";", ErrMalformedLogin},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := f.VerifyLogin(tc.ck, tc.cs, tc.login)
			require.ErrorIs(t, err, tc.want)
			if tc.want == nil {
				assert.Equal(t, "783214", u.ID)
			} else {
				assert.NotContains(t, err.Error(), sec)
			}
		})
	}
	_, _, err = f.MintToken("ck9", User{ID: "1"})
	assert.ErrorIs(t, err, ErrInvalidConsumer)
	_, _, err = f.MintToken("ck1", User{ID: "not-numeric"})
	assert.Error(t, err)
}

func TestVerifyCredentialsOverHTTP(t *testing.T) {
	f, clk := newFake(t)
	ts := httptest.NewServer(f)
	defer ts.Close()

	// Mint over HTTP, as a test in another language would.
	resp, err := http.Post(ts.URL+"/_emulator/twitter/tokens", "application/json",
		strings.NewReader(`{"consumer_key":"ck1","user_id":"783214","screen_name":"twitterdev","name":"Twitter Dev"}`))
	require.NoError(t, err)
	var minted map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&minted))
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	tok, sec := minted["oauth_token"], minted["oauth_token_secret"]

	call := func(ck, cs, tok, sec, nonce string, at time.Time) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/_emulator/twitter/1.1/account/verify_credentials.json?skip_status=true", nil)
		require.NoError(t, Sign(req, ck, cs, tok, sec, nonce, at))
		return oauthtest.DoJSON(t, req)
	}
	now := clk.Now()
	tests := []struct {
		name, ck, cs, tok, sec, nonce string
		at                            time.Time
		status                        int
		code                          float64
	}{
		{"valid", "ck1", "cs1", tok, sec, "n1", now, 200, 0},
		{"replayed nonce", "ck1", "cs1", tok, sec, "n1", now, 401, 32},
		{"wrong token secret", "ck1", "cs1", tok, "x" + sec, "n2", now, 401, 32},
		{"wrong consumer secret", "ck1", "csX", tok, sec, "n3", now, 401, 32},
		{"foreign consumer key", "ck2", "cs2", tok, sec, "n4", now, 401, 89},
		{"unknown token", "ck1", "cs1", "1-forged", sec, "n5", now, 401, 89},
		{"stale timestamp", "ck1", "cs1", tok, sec, "n6", now.Add(-MaxSkew - time.Second), 401, 32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, m := call(tc.ck, tc.cs, tc.tok, tc.sec, tc.nonce, tc.at)
			require.Equal(t, tc.status, status, m)
			if status == 200 {
				assert.Equal(t, "783214", m["id_str"])
				assert.Equal(t, "twitterdev", m["screen_name"])
				return
			}
			assert.Equal(t, tc.code, m["errors"].([]any)[0].(map[string]any)["code"])
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		name, h string
		ok      bool
	}{
		{"valid", `OAuth realm="x", oauth_token="a%20b", oauth_nonce="n"`, true},
		{"not OAuth", `Bearer x`, false},
		{"unquoted", `OAuth oauth_token=a`, false},
		{"duplicate", `OAuth oauth_token="a", oauth_token="b"`, false},
		{"bad escape", `OAuth oauth_token="%zz"`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseAuthorization(tc.h)
			if !tc.ok {
				require.ErrorIs(t, err, ErrBadSignature)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "a b", m["oauth_token"])
			assert.NotContains(t, m, "realm")
		})
	}
}
