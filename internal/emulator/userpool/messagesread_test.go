package userpool

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeMessagesMarksNothing is the regression test of the finding
// "GET /_emulator/messages marks users dirty": the read-only listing finds
// the user named in the query without marking it for the next save, and
// still lists that user's messages (by username or alias).
func TestServeMessagesMarksNothing(t *testing.T) {
	e := newPersistEnv(t, filepath.Join(t.TempDir(), "state"))
	_, err := e.s.AddUser(e.pool, "bob", "Passw0rd!", map[string]string{"email": "bob@example.com", "email_verified": "true"})
	require.NoError(t, err)
	e.ok("ForgotPassword", map[string]any{"ClientId": e.cl.ID, "Username": "bob"})
	marks := func() int {
		e.s.mu.Lock()
		defer e.s.mu.Unlock()
		return len(e.s.st.Pools[e.pool].tr().users)
	}
	require.Zero(t, marks(), "the operation's save cleared its marks")
	for _, tc := range []struct {
		name, user string
		n          int
	}{
		{"bob's messages", "bob", 1},
		{"alice has none", "alice", 0},
		{"an unknown user", "nobody", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.get("/_emulator/messages?" + url.Values{"poolId": {e.pool}, "username": {tc.user}}.Encode())
			require.Equal(t, 200, rec.Code)
			var out struct{ Messages []Message }
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
			assert.Len(t, out.Messages, tc.n)
			assert.Zero(t, marks(), "nothing is marked to be saved")
		})
	}
}
