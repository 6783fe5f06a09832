package cognitotest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

// fakeService is a service with its own lock and state, like the ones
// under internal/emulator, registered on the server's host.
type fakeService struct {
	s     *Server
	mu    sync.Mutex
	Count int `json:"count"`
}

func (f *fakeService) incr(c *emulator.Call) (any, error) {
	var in struct{ Token string }
	_ = json.Unmarshal(c.Body, &in)
	f.mu.Lock()
	defer f.mu.Unlock()
	// Verify while holding our own lock: the lock order must allow it.
	claims, err := f.s.up.VerifyToken("", in.Token, "id", true)
	if err != nil {
		return nil, err
	}
	f.Count++
	return map[string]any{"op": c.Name, "sub": claims["sub"]}, nil
}

// mountFake registers a fakeService on an unstarted server's host, as a
// service of the emulator registers itself, and reloads the state so that
// its section is restored.
func mountFake(t *testing.T, s *Server) *fakeService {
	f := &fakeService{s: s}
	h := s.host
	h.HandleTarget(emulator.Target{Prefix: "FakeService", Operations: map[string]emulator.Operation{
		"Incr": {Run: f.incr, Public: true}}})
	h.HandleQueryAction("FakeAction", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "<ok>"+r.PostForm.Get("Value")+"</ok>")
	}))
	h.AddSection("fake", emulator.Section{Snapshot: func() (any, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return map[string]int{"count": f.Count}, nil
	}, Restore: func(raw json.RawMessage) error {
		var v struct{ Count int }
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		f.Count = v.Count
		return nil
	}})
	require.NoError(t, h.Load())
	return f
}

func callFake(t *testing.T, s *Server, token string) (int, string) {
	body, _ := json.Marshal(map[string]string{"Token": token})
	req, _ := http.NewRequest("POST", s.URL+"/", strings.NewReader(string(body)))
	req.Header.Set("X-Amz-Target", "FakeService.Incr")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMountedService(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s := NewUnstartedServer(func(o *Options) { o.StatePath = path })
	mountFake(t, s)
	s.Start()
	t.Cleanup(s.Close)
	pool := s.MustCreateUserPool(PoolOptions{})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
	s.MustCreateUser(pool, "alice", testPassword, map[string]string{"email": "alice@example.com"})
	f := &fixture{s: s, c: idp(s), pool: pool, client: cl}
	tok := mustTokens(t, f, "alice")

	status, body := callFake(t, f.s, *tok.IdToken)
	require.Equal(t, 200, status, body)
	assert.Contains(t, body, `"op":"Incr"`)
	status, body = callFake(t, f.s, *tok.AccessToken)
	assert.Equal(t, 400, status, "an access token is not an ID token")
	assert.Contains(t, body, "NotAuthorizedException")

	// Concurrent user-pool writes and mounted-service calls: no deadlock.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				st, b := callFake(t, f.s, *tok.IdToken)
				assert.Equal(t, 200, st, b)
			}
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 5; j++ {
				_, err := passwordSignIn(f, "alice", testPassword)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()

	resp, err := http.PostForm(f.s.URL+"/", url.Values{"Action": {"FakeAction"}, "Value": {"x"}})
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "<ok>x</ok>", string(b))

	// Revocation is visible to mounted services.
	_, err = f.c.AdminUserGlobalSignOut(ctx(), adminSignOutInput(f.pool, "alice"))
	require.NoError(t, err)
	status, body = callFake(t, f.s, *tok.IdToken)
	assert.Equal(t, 400, status)
	assert.Contains(t, body, "revoked")

	// The section is persisted and restored.
	s.Close()
	s2 := NewUnstartedServer(func(o *Options) { o.StatePath = path })
	defer s2.Close()
	assert.Equal(t, 21, mountFake(t, s2).Count)
}

func TestVerifyToken(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	tok := mustTokens(t, f, "alice")
	c, err := f.s.up.VerifyToken(f.pool, *tok.IdToken, "id", true)
	require.NoError(t, err)
	assert.Equal(t, "alice", c["cognito:username"])
	_, err = f.s.up.VerifyToken(f.pool, *tok.AccessToken, "", false)
	require.NoError(t, err)
	_, err = f.s.up.VerifyToken("us-east-1_other", *tok.IdToken, "id", false)
	assert.Error(t, err)
	_, err = f.s.up.VerifyToken(f.pool, "x.y.z", "id", false)
	assert.Error(t, err)
	f.s.Advance(2 * 3600e9)
	_, err = f.s.up.VerifyToken(f.pool, *tok.IdToken, "id", false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Token expired")
	assert.Equal(t, f.pool, userpool.PoolIDFromProvider("cognito-idp.us-east-1.amazonaws.com/"+f.pool))
}
