package userpool

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// newPersistEnv is newUnlockedEnv's setup (a pool, a client with flows,
// alice) on a host whose state lives in the database at path.
func newPersistEnv(t *testing.T, path string, flows ...string) *unlockedEnv {
	e := openPersistEnv(t, path)
	var err error
	e.pool, err = e.s.CreatePool(PoolOptions{})
	require.NoError(t, err)
	e.cl, err = e.s.NewClient(e.pool, ClientOptions{ExplicitAuthFlows: flows})
	require.NoError(t, err)
	_, err = e.s.AddUser(e.pool, "alice", "Passw0rd!", nil)
	require.NoError(t, err)
	return e
}

// openPersistEnv serves the state database at path as it is.
func openPersistEnv(t *testing.T, path string) *unlockedEnv {
	host := emulator.MustNew(emulator.Config{AllowUnsigned: true, StatePath: path})
	s := New(host, Options{})
	require.NoError(t, host.Load())
	t.Cleanup(func() { _ = host.Close() })
	return &unlockedEnv{t: t, host: host, s: s}
}

// stateJSON is the whole in-memory state of s, as JSON.
func stateJSON(t *testing.T, s *Server) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(s.st.Pools)
	require.NoError(t, err)
	return string(b)
}

// reloaded closes e's host and returns the state a new host loads from
// the same file.
func reloaded(t *testing.T, e *unlockedEnv, path string) string {
	require.NoError(t, e.host.Close())
	e2 := openPersistEnv(t, path)
	defer e2.host.Close()
	return stateJSON(t, e2.s)
}

// TestPersistEntities: after a run of mutations of every kind the
// tracker follows (users created, changed, moved between groups, signed
// in and out, deleted; a group and a pool deleted), the state reloaded
// from the database is the state in memory, entity for entity.
func TestPersistEntities(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := newPersistEnv(t, path, "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
	other, err := e.s.CreatePool(PoolOptions{})
	require.NoError(t, err)
	pool := map[string]any{"UserPoolId": e.pool}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range pool {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	for i := range 5 {
		_, et := e.call("AdminCreateUser", with("Username", fmt.Sprintf("user%d", i), "MessageAction", "SUPPRESS",
			"UserAttributes", []map[string]string{{"Name": "email", "Value": fmt.Sprintf("u%d@example.com", i)}}))
		require.Empty(t, et)
	}
	steps := []struct {
		op string
		in map[string]any
	}{
		{"AdminUpdateUserAttributes", with("Username", "user1", "UserAttributes", []map[string]string{{"Name": "name", "Value": "One"}})},
		{"CreateGroup", with("GroupName", "admins")},
		{"CreateGroup", with("GroupName", "staff")},
		{"AdminAddUserToGroup", with("Username", "user2", "GroupName", "admins")},
		{"AdminAddUserToGroup", with("Username", "user3", "GroupName", "staff")},
		{"DeleteGroup", with("GroupName", "staff")},
		{"AdminSetUserPassword", with("Username", "user4", "Password", "Passw0rd!4", "Permanent", true)},
		{"AdminDisableUser", with("Username", "user0")},
		{"AdminDeleteUser", with("Username", "user1")},
		{"DeleteUserPool", map[string]any{"UserPoolId": other}},
		{"AdminCreateUser", with("Username", "invited", "DesiredDeliveryMediums", []string{"EMAIL"},
			"UserAttributes", []map[string]string{{"Name": "email", "Value": "invited@example.com"}})},
	}
	for _, st := range steps {
		_, et := e.call(st.op, st.in)
		require.Empty(t, et, st.op)
	}
	out, et := e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "user4", "PASSWORD": "Passw0rd!4"}})
	require.Empty(t, et)
	res := out["AuthenticationResult"].(map[string]any)
	_, et = e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "user4", "PASSWORD": "wrong"}})
	require.NotEmpty(t, et, "a failed sign-in (counted on the user)")
	_, et = e.call("AdminUserGlobalSignOut", with("Username", "user4"))
	require.Empty(t, et)
	_, et = e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "REFRESH_TOKEN_AUTH",
		"AuthParameters": map[string]string{"REFRESH_TOKEN": res["RefreshToken"].(string)}})
	require.NotEmpty(t, et, "the signed-out refresh token is refused")

	want := stateJSON(t, e.s)
	assert.Contains(t, want, "invited@example.com", "an invitation is in the outbox")
	got := reloaded(t, e, path)
	assert.JSONEq(t, want, got)
	assert.NotContains(t, got, other, "the deleted pool is gone from the file")
	assert.NotContains(t, got, `"user1"`, "the deleted user is gone from the file")
}

// TestPersistUnlockedWindowChange: another request's write, made while a
// sign-in waits outside the state lock for its SRP proof, does not lose
// what the sign-in changes after the window (the user's sign-ins, its
// refresh token).
func TestPersistUnlockedWindowChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := newPersistEnv(t, path)
	_, err := e.s.AddUser(e.pool, "bob", "Passw0rd!", nil)
	require.NoError(t, err)
	_, et := e.srpSignIn(func() {
		_, et := e.call("AdminUpdateUserAttributes", map[string]any{"UserPoolId": e.pool, "Username": "bob",
			"UserAttributes": []map[string]string{{"Name": "name", "Value": "Bob"}}})
		assert.Empty(t, et)
	})
	require.Empty(t, et)
	want := stateJSON(t, e.s)
	assert.Contains(t, want, `"origins"`)
	assert.JSONEq(t, want, reloaded(t, e, path))
}

// TestPersistMarksKeptInUnlockedWindow: a save while an operation is in an
// unlocked window writes the marked entities but keeps their marks, since
// the operation may change them after the window without looking them up
// again; once no window is open, a save clears them.
func TestPersistMarksKeptInUnlockedWindow(t *testing.T) {
	s := &Server{st: newState(), written: map[string]*written{}}
	p := &pool{ID: "us-east-1_A"}
	p.fillMaps()
	s.st.Pools[p.ID] = p
	p.addUser(&user{Username: "alice", Attrs: map[string]string{}})
	writesUser := func() bool {
		w, err := s.poolChanges(p, false)
		require.NoError(t, err)
		for _, e := range w {
			if e.key == "alice" {
				return true
			}
		}
		return false
	}
	s.windows = 1
	assert.True(t, writesUser())
	assert.True(t, writesUser(), "kept while a window is open")
	s.windows = 0
	assert.True(t, writesUser())
	assert.False(t, writesUser(), "cleared once written with no window open")
}

// TestPersistOutbox: the outbox is stored message by message, numbered;
// past 1,000 the oldest are deleted as new ones come, and a reload gives
// the same outbox.
func TestPersistOutbox(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := newPersistEnv(t, path)
	_, err := e.s.AddUser(e.pool, "bob", "Passw0rd!", map[string]string{"email": "bob@example.com"})
	require.NoError(t, err)
	send := func(n int) {
		e.s.mu.Lock()
		p := e.s.st.Pools[e.pool]
		for i := range n {
			e.s.deliver(p, p.Users["bob"], "email", KindSignUp, fmt.Sprint(i), "code", e.s.now())
		}
		e.s.mu.Unlock()
		require.NoError(t, e.host.Persist())
	}
	send(3)
	send(998)
	send(5)
	e.s.mu.Lock()
	require.Len(t, e.s.st.Pools[e.pool].Messages, 1000)
	assert.Equal(t, "3", e.s.st.Pools[e.pool].Messages[0].Code, "the oldest six were dropped")
	e.s.mu.Unlock()
	want := stateJSON(t, e.s)
	got := reloaded(t, e, path)
	assert.JSONEq(t, want, got)

	// And the numbering goes on after the reload.
	pool := e.pool
	e = openPersistEnv(t, path)
	e.pool = pool
	send(2)
	assert.JSONEq(t, stateJSON(t, e.s), reloaded(t, e, path))
}
