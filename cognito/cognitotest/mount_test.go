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
)

// fakeService is a mounted service with its own lock and state, like the
// ones under internal/emulator.
type fakeService struct {
	s     *Server
	mu    sync.Mutex
	Count int `json:"count"`
}

func (f *fakeService) serve(w http.ResponseWriter, r *http.Request, op string) {
	body, _ := io.ReadAll(r.Body)
	var in struct{ Token string }
	_ = json.Unmarshal(body, &in)
	f.mu.Lock()
	// Verify while holding our own lock: the lock order must allow it.
	claims, err := f.s.verifyToken("", in.Token, "id", true)
	if err == nil {
		f.Count++
	}
	f.mu.Unlock()
	if err != nil {
		writeError(w, err, 400)
		return
	}
	f.s.persistNow()
	writeJSON(w, 200, map[string]any{"op": op, "sub": claims["sub"]})
}

func withFakeMount(t *testing.T) *[]*fakeService {
	var created []*fakeService
	registerMount(func(s *Server) {
		f := &fakeService{s: s}
		created = append(created, f)
		s.handleTarget("FakeService", f.serve)
		s.handleQueryAction("FakeAction", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<ok>"+r.PostForm.Get("Value")+"</ok>")
		}))
		s.addSection("fake", func() (any, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return map[string]int{"count": f.Count}, nil
		}, func(raw json.RawMessage) error {
			var v struct{ Count int }
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			f.Count = v.Count
			return nil
		})
	})
	t.Cleanup(func() { mounts = mounts[:len(mounts)-1] })
	return &created
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
	created := withFakeMount(t)
	path := filepath.Join(t.TempDir(), "state.json")
	f := setup(t, PoolOptions{}, ClientOptions{}, func(o *Options) { o.StatePath = path })
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
	s2 := NewServer(func(o *Options) { o.StatePath = path })
	defer s2.Close()
	require.Len(t, *created, 2)
	assert.Equal(t, 21, (*created)[1].Count)
}

func TestVerifyToken(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	tok := mustTokens(t, f, "alice")
	c, err := f.s.verifyToken(f.pool, *tok.IdToken, "id", true)
	require.NoError(t, err)
	assert.Equal(t, "alice", c["cognito:username"])
	_, err = f.s.verifyToken(f.pool, *tok.AccessToken, "", false)
	require.NoError(t, err)
	_, err = f.s.verifyToken("us-east-1_other", *tok.IdToken, "id", false)
	assert.Error(t, err)
	_, err = f.s.verifyToken(f.pool, "x.y.z", "id", false)
	assert.Error(t, err)
	f.s.Advance(2 * 3600e9)
	_, err = f.s.verifyToken(f.pool, *tok.IdToken, "id", false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Token expired")
	assert.Equal(t, f.pool, poolIDFromProvider("cognito-idp.us-east-1.amazonaws.com/"+f.pool))
}
