package cognitotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawCall sends one request to s with the given headers and returns the
// status, the response headers and the body.
func rawCall(t *testing.T, s *Server, method, path, body string, hdr map[string]string, sign bool) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if sign {
		fakeSign(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func adminCreateBody(pool, user string) string {
	return fmt.Sprintf(`{"UserPoolId":%q,"Username":%q}`, pool, user)
}

// A page on a foreign origin created a user with AdminCreateUser and read
// its temporary password from /_emulator/messages.
func TestSecurityReview4_ForeignOriginCannotCallAdmin(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{}, func(o *Options) { o.CORSOrigins = []string{"https://App.Example:8443"} })
	admin := map[string]string{"X-Amz-Target": idpTarget + ".AdminCreateUser", "Content-Type": "application/x-amz-json-1.1"}
	with := func(h map[string]string, origin string) map[string]string {
		out := map[string]string{"Origin": origin}
		for k, v := range h {
			out[k] = v
		}
		return out
	}

	t.Run("preflights", func(t *testing.T) {
		tests := []struct {
			origin string
			ok     bool
		}{
			{"http://localhost:5173", true},
			{"http://127.0.0.1:3000", true},
			{"http://[::1]:8080", true},
			{"http://localhost", true},
			{"https://app.example:8443", true}, // configured (case-insensitive)
			{f.s.URL, true},                    // the emulator's own origin
			{"https://evil.example", false},
			{"http://localhost.evil.example", false},
			{"http://127.0.0.1.evil.example:3000", false},
			{"https://app.example", false}, // another port
			{"null", false},
			{"", false},
		}
		for _, tc := range tests {
			t.Run(tc.origin, func(t *testing.T) {
				status, h, _ := rawCall(t, f.s, "OPTIONS", "/", "", map[string]string{"Origin": tc.origin,
					"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-amz-target,x-evil"}, false)
				if !tc.ok {
					assert.Equal(t, http.StatusForbidden, status)
					assert.Empty(t, h.Get("Access-Control-Allow-Origin"))
					assert.Empty(t, h.Get("Access-Control-Allow-Headers"))
					return
				}
				assert.Equal(t, http.StatusNoContent, status)
				assert.Equal(t, tc.origin, h.Get("Access-Control-Allow-Origin"))
				assert.Contains(t, h.Get("Access-Control-Allow-Headers"), "X-Amz-Target")
				assert.NotContains(t, strings.ToLower(h.Get("Access-Control-Allow-Headers")), "x-evil", "a preflight allows a fixed list of headers")
			})
		}
	})

	t.Run("foreign origin refused on admin operations", func(t *testing.T) {
		status, h, body := rawCall(t, f.s, "POST", "/", adminCreateBody(f.pool, "mallory"), with(admin, "https://evil.example"), true)
		assert.Equal(t, http.StatusForbidden, status, body)
		assert.Contains(t, body, "AccessDeniedException")
		assert.Empty(t, h.Get("Access-Control-Allow-Origin"))
		_, err := f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("mallory")})
		requireCode(t, err, "UserNotFoundException")
	})
	t.Run("foreign origin refused on public operations", func(t *testing.T) {
		status, h, body := rawCall(t, f.s, "POST", "/", `{"ClientId":"`+f.client.ID+`","Username":"x","Password":"Passw0rd!"}`,
			with(map[string]string{"X-Amz-Target": idpTarget + ".SignUp"}, "https://evil.example"), false)
		assert.Equal(t, http.StatusForbidden, status, body)
		assert.Empty(t, h.Get("Access-Control-Allow-Origin"))
	})
	t.Run("foreign origin cannot read the outbox", func(t *testing.T) {
		for _, o := range []string{"https://evil.example", "null"} {
			status, h, body := rawCall(t, f.s, "GET", "/_emulator/messages", "", map[string]string{"Origin": o}, false)
			assert.Equal(t, http.StatusForbidden, status, body)
			assert.Empty(t, h.Get("Access-Control-Allow-Origin"))
			assert.NotContains(t, body, "[")
		}
	})
	t.Run("loopback origin reads the outbox", func(t *testing.T) {
		status, h, _ := rawCall(t, f.s, "GET", "/_emulator/messages", "", map[string]string{"Origin": "http://localhost:3000"}, false)
		assert.Equal(t, http.StatusOK, status)
		assert.Equal(t, "http://localhost:3000", h.Get("Access-Control-Allow-Origin"))
		assert.Contains(t, h.Values("Vary"), "Origin")
	})
	t.Run("loopback and configured origins use public operations", func(t *testing.T) {
		for i, o := range []string{"http://localhost:3000", "https://app.example:8443"} {
			status, h, body := rawCall(t, f.s, "POST", "/", fmt.Sprintf(`{"ClientId":%q,"Username":"web%d","Password":"Passw0rd!"}`, f.client.ID, i),
				with(map[string]string{"X-Amz-Target": idpTarget + ".SignUp", "Content-Type": "application/x-amz-json-1.1"}, o), false)
			assert.Equal(t, http.StatusOK, status, body)
			assert.Equal(t, o, h.Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("loopback origin still needs a signature for admin operations", func(t *testing.T) {
		status, _, body := rawCall(t, f.s, "POST", "/", adminCreateBody(f.pool, "eve"), with(admin, "http://localhost:3000"), false)
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, body, "MissingAuthenticationTokenException")
	})
	t.Run("no origin (SDK, CLI) with a signature", func(t *testing.T) {
		status, _, body := rawCall(t, f.s, "POST", "/", adminCreateBody(f.pool, "bob"), admin, true)
		assert.Equal(t, http.StatusOK, status, body)
	})
	t.Run("bad CORSOrigins", func(t *testing.T) {
		for _, o := range []string{"*", "evil.example", "https://x.example/path", "ftp://x.example", "https://user@x.example"} {
			_, err := NewHandlerServer(func(opt *Options) { opt.CORSOrigins = []string{o} })
			assert.Error(t, err, o)
		}
	})
}

// Admin operations only checked for an "AWS4-HMAC-SHA256 " prefix.
func TestSecurityReview4_AdminNeedsWellFormedSigV4(t *testing.T) {
	fixed := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	s := newServer(t, func(o *Options) { o.Clock = func() time.Time { return fixed } })
	pool := s.MustCreateUserPool(PoolOptions{})
	sig := strings.Repeat("ab", 32)
	authz := func(akid, date, region, service, signed, signature string) string {
		return "AWS4-HMAC-SHA256 Credential=" + akid + "/" + date + "/" + region + "/" + service + "/aws4_request, SignedHeaders=" + signed + ", Signature=" + signature
	}
	emu := fixed.Format("20060102T150405Z")
	wall := time.Now().UTC().Format("20060102T150405Z")
	tests := []struct {
		name, authz, date, want string
	}{
		{"well formed, emulator clock", authz("AKID", emu[:8], "us-east-1", "cognito-idp", "host;x-amz-date", sig), emu, ""},
		{"well formed, wall clock", authz("AKID", wall[:8], "eu-west-1", "cognito-idp", "content-type;host;x-amz-date", sig), wall, ""},
		{"prefix only", "AWS4-HMAC-SHA256 ", emu, "IncompleteSignatureException"},
		{"no header", "", emu, "MissingAuthenticationTokenException"},
		{"other algorithm", "AWS4-HMAC-SHA1 Credential=x", emu, "IncompleteSignatureException"},
		{"short scope", "AWS4-HMAC-SHA256 Credential=AKID/" + emu[:8] + "/us-east-1/cognito-idp, SignedHeaders=host, Signature=" + sig, emu, "IncompleteSignatureException"},
		{"other service", authz("AKID", emu[:8], "us-east-1", "s3", "host", sig), emu, "InvalidSignatureException"},
		{"host not signed", authz("AKID", emu[:8], "us-east-1", "cognito-idp", "x-amz-date", sig), emu, "IncompleteSignatureException"},
		{"signature not hex", authz("AKID", emu[:8], "us-east-1", "cognito-idp", "host", strings.Repeat("zz", 32)), emu, "IncompleteSignatureException"},
		{"short signature", authz("AKID", emu[:8], "us-east-1", "cognito-idp", "host", "00"), emu, "IncompleteSignatureException"},
		{"extra field", authz("AKID", emu[:8], "us-east-1", "cognito-idp", "host", sig) + ", Foo=bar", emu, "IncompleteSignatureException"},
		{"no X-Amz-Date", authz("AKID", emu[:8], "us-east-1", "cognito-idp", "host", sig), "", "IncompleteSignatureException"},
		{"scope date is not X-Amz-Date's", authz("AKID", "20300502", "us-east-1", "cognito-idp", "host", sig), emu, "InvalidSignatureException"},
		{"16 minutes early", authz("AKID", emu[:8], "us-east-1", "cognito-idp", "host", sig), fixed.Add(-16 * time.Minute).Format("20060102T150405Z"), "InvalidSignatureException"},
		{"16 minutes late", authz("AKID", emu[:8], "us-east-1", "cognito-idp", "host", sig), fixed.Add(16 * time.Minute).Format("20060102T150405Z"), "InvalidSignatureException"},
		{"14 minutes late", authz("AKID", emu[:8], "us-east-1", "cognito-idp", "host", sig), fixed.Add(14 * time.Minute).Format("20060102T150405Z"), ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{"X-Amz-Target": idpTarget + ".AdminCreateUser", "Authorization": tc.authz, "X-Amz-Date": tc.date}
			status, _, body := rawCall(t, s, "POST", "/", adminCreateBody(pool, fmt.Sprintf("u%d", i)), hdr, false)
			if tc.want == "" {
				assert.Equal(t, http.StatusOK, status, body)
				return
			}
			assert.Equal(t, http.StatusBadRequest, status, body)
			var m map[string]string
			require.NoError(t, json.Unmarshal([]byte(body), &m))
			assert.Equal(t, tc.want, m["__type"], m["message"])
		})
	}
}

// The identity-pool service decides which of its operations need a
// signature; one that is sent must be well formed and scoped to it.
func TestSecurityReview4_MountedServiceSigV4(t *testing.T) {
	s := newServer(t)
	now := time.Now().UTC()
	sig := strings.Repeat("0", 64)
	scope := func(service string) string {
		return "AWS4-HMAC-SHA256 Credential=AKID/" + now.Format("20060102") + "/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=" + sig
	}
	tests := []struct{ name, authz, want string }{
		{"well formed", scope("cognito-identity"), ""},
		{"prefix only", "AWS4-HMAC-SHA256 Credential=x", "IncompleteSignatureException"},
		{"other service", scope("cognito-idp"), "InvalidSignatureException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{"X-Amz-Target": "AWSCognitoIdentityService.ListIdentityPools", "Authorization": tc.authz,
				"X-Amz-Date": now.Format("20060102T150405Z"), "Content-Type": "application/x-amz-json-1.1"}
			status, _, body := rawCall(t, s, "POST", "/", `{"MaxResults":10}`, hdr, false)
			if tc.want == "" {
				assert.Equal(t, http.StatusOK, status, body)
				return
			}
			assert.Equal(t, http.StatusBadRequest, status, body)
			assert.Contains(t, body, tc.want)
		})
	}
}

// A state file with a null pool or user entry panicked at start.
func TestSecurityReview9_NullStateEntry(t *testing.T) {
	pool := `{"id":"us-east-1_A","name":"a","clients":{},"users":%s,"groups":{},"refresh":{},"revoked":{},"sessions":{},"messages":[]}`
	tests := []struct {
		name, pools, want string
	}{
		{"null pool", `{"us-east-1_A":null}`, `user pool "us-east-1_A" is null`},
		{"null user", `{"us-east-1_A":` + fmt.Sprintf(pool, `{"alice":null}`) + `}`, `user pool us-east-1_A: user "alice" is null`},
		{"null client", `{"us-east-1_A":{"id":"us-east-1_A","clients":{"c1":null}}}`, `app client "c1" is null`},
		{"null device", `{"us-east-1_A":` + fmt.Sprintf(pool, `{"alice":{"username":"alice","devices":{"d1":null}}}`) + `}`, `user alice: device "d1" is null`},
		{"null code", `{"us-east-1_A":{"id":"us-east-1_A","hosted":{"codes":{"h":null}}}}`, `authorization code "h" is null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"pools":`+tc.pools+`}`), 0o600))
			_, err := NewHandlerServer(func(o *Options) { o.StatePath = path })
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrStateEntry), "%v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), path)
		})
	}
	t.Run("no null entry loads", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.json")
		require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"pools":{"us-east-1_A":`+fmt.Sprintf(pool, `{"alice":{"username":"alice"}}`)+`}}`), 0o600))
		_, err := NewHandlerServer(func(o *Options) { o.StatePath = path })
		require.NoError(t, err)
	})
}

// A panic inside a hosted-UI or OAuth handler left the global lock held
// and hung the server.
func TestSecurityReview9_PanicReleasesLock(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	tests := []struct {
		point, method, path, body, ctype string
		check                            func(t *testing.T, h http.Header, body string)
	}{
		{"authorize", "GET", "/oauth2/authorize?" + url.Values{"client_id": {f.client.ID}, "redirect_uri": {uiCallback}, "response_type": {"code"}}.Encode(), "", "",
			func(t *testing.T, h http.Header, body string) {
				assert.Contains(t, h.Get("Content-Type"), "text/html")
				assert.Contains(t, body, "server_error")
			}},
		{"oauth2/token", "POST", "/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {f.client.ID}, "code": {"x"}, "redirect_uri": {uiCallback}}.Encode(), "application/x-www-form-urlencoded",
			func(t *testing.T, h http.Header, body string) {
				var m map[string]string
				require.NoError(t, json.Unmarshal([]byte(body), &m))
				assert.Equal(t, "server_error", m["error"])
			}},
		{"op:GetUser", "POST", "/", `{"AccessToken":"x"}`, "application/x-amz-json-1.1",
			func(t *testing.T, h http.Header, body string) {
				var m map[string]string
				require.NoError(t, json.Unmarshal([]byte(body), &m))
				assert.Equal(t, "InternalErrorException", m["__type"])
			}},
	}
	for _, tc := range tests {
		t.Run(tc.point, func(t *testing.T) {
			var fired atomic.Bool
			f.s.up.SetTestPanic(func(point string) {
				if point == tc.point && fired.CompareAndSwap(false, true) {
					panic("injected panic at " + point)
				}
			})
			hdr := map[string]string{"Content-Type": tc.ctype}
			if tc.path == "/" {
				hdr["X-Amz-Target"] = idpTarget + ".GetUser"
			}
			status, h, body := rawCall(t, f.s, tc.method, tc.path, tc.body, hdr, false)
			assert.Equal(t, http.StatusInternalServerError, status, body)
			assert.True(t, fired.Load(), "the hook ran")
			tc.check(t, h, body)
			assert.NotContains(t, body, "injected", "the panic value is not shown")

			// The lock is free and the server keeps serving.
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, err := f.c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &f.pool, Username: aws.String("alice")})
				assert.NoError(t, err)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				f.s.up.UnlockLeaked() // the leaked lock, so that the server can close
				<-done
				t.Fatal("the server hangs after a panic: the lock was not released")
			}
			status, _, body = rawCall(t, f.s, tc.method, tc.path, tc.body, hdr, false)
			assert.NotEqual(t, http.StatusInternalServerError, status, body)
		})
	}
}

// .state.json.tmp-* files left by kill -9 were never removed.
func TestSecurityReview11_StaleTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	stale := []string{filepath.Join(dir, ".state.json.tmp-123"), filepath.Join(dir, ".state.json.tmp-abc")}
	other := []string{filepath.Join(dir, ".other.json.tmp-1"), filepath.Join(dir, "state.json.bak")}
	for _, p := range append(append([]string{}, stale...), other...) {
		require.NoError(t, os.WriteFile(p, []byte(`{"version":1,"pools":{`), 0o600))
	}
	s := newServer(t, func(o *Options) { o.StatePath = path })
	s.MustCreateUserPool(PoolOptions{})
	for _, p := range stale {
		assert.NoFileExists(t, p)
	}
	for _, p := range other {
		assert.FileExists(t, p, "files of other names are left alone")
	}
}

// Replaying an authorization code was refused, but the refresh token from
// its first exchange stayed valid.
func TestSecurityReview13_CodeReplayRevokesTokens(t *testing.T) {
	f := newUIFixture(t, PoolOptions{})
	a := newAgent(t, f.s.URL)
	signIn := func() (code string, tok map[string]any) {
		code = callbackCode(t, passwordLogin(t, a, authorizeURL(f.s, f.client.ID, url.Values{"prompt": {"login"},
			"scope": {"openid aws.cognito.signin.user.admin"}}), "alice", testPassword))
		status, tok := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
		require.Equal(t, 200, status, tok)
		return code, tok
	}
	refresh := func(tok map[string]any) int {
		status, _ := tokenCall(t, f.s, url.Values{"grant_type": {"refresh_token"}, "client_id": {f.client.ID}, "refresh_token": {tok["refresh_token"].(string)}}, "")
		return status
	}
	code, tok := signIn()
	_, other := signIn() // another sign-in, not replayed
	require.Equal(t, 200, refresh(tok))

	status, body := tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	assert.Equal(t, 400, status)
	assert.Equal(t, "invalid_grant", body["error"])

	assert.Equal(t, 400, refresh(tok), "the refresh token of the replayed code is revoked")
	_, err := f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: aws.String(tok["access_token"].(string))})
	requireCode(t, err, "NotAuthorizedException")

	assert.Equal(t, 200, refresh(other), "other sign-ins are untouched")
	_, err = f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: aws.String(other["access_token"].(string))})
	require.NoError(t, err)

	// A third use still fails and revokes nothing more.
	status, _ = tokenCall(t, f.s, exchangeForm(f.client.ID, code, uiVerifier), "")
	assert.Equal(t, 400, status)
	assert.Equal(t, 200, refresh(other))
}
