package userpool

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// listAll pages through ListUsers (limit per page, optional filter) and
// returns the usernames in order.
func listAll(t *testing.T, e *unlockedEnv, limit int, filter string) []string {
	var names []string
	tok := ""
	for range 100 {
		in := map[string]any{"UserPoolId": e.pool, "Limit": limit}
		if filter != "" {
			in["Filter"] = filter
		}
		if tok != "" {
			in["PaginationToken"] = tok
		}
		out, et := e.call("ListUsers", in)
		require.Empty(t, et)
		var page struct {
			Users           []struct{ Username string }
			PaginationToken string
		}
		b, _ := json.Marshal(out)
		require.NoError(t, json.Unmarshal(b, &page))
		for _, u := range page.Users {
			names = append(names, u.Username)
		}
		if tok = page.PaginationToken; tok == "" {
			return names
		}
	}
	t.Fatal("ListUsers never ends")
	return nil
}

// TestListUsersSortedIndex: ListUsers pages in username order from the
// index kept as users are created and deleted, filtered or not, and a
// token stays valid when the user it names is deleted.
func TestListUsersSortedIndex(t *testing.T) {
	e := &unlockedEnv{t: t, host: emulator.MustNew(emulator.Config{AllowUnsigned: true})}
	e.s = New(e.host, Options{})
	var err error
	e.pool, err = e.s.CreatePool(PoolOptions{})
	require.NoError(t, err)
	var want []string
	for _, i := range []int{5, 3, 9, 1, 7, 0, 8, 2, 6, 4} {
		_, et := e.call("AdminCreateUser", map[string]any{"UserPoolId": e.pool, "Username": fmt.Sprintf("u%d", i), "MessageAction": "SUPPRESS"})
		require.Empty(t, et)
	}
	for i := range 10 {
		want = append(want, fmt.Sprintf("u%d", i))
	}
	for _, limit := range []int{1, 3, 10, 60} {
		assert.Equal(t, want, listAll(t, e, limit, ""), "limit %d", limit)
	}
	assert.Equal(t, []string{"u3"}, listAll(t, e, 2, `username = "u3"`))
	assert.Empty(t, listAll(t, e, 2, `username = "nobody"`))

	// A page's token names its last user; deleting that user (and adding
	// one before it) does not disturb the next page.
	out, et := e.call("ListUsers", map[string]any{"UserPoolId": e.pool, "Limit": 3})
	require.Empty(t, et)
	tok := out["PaginationToken"].(string)
	_, et = e.call("AdminDeleteUser", map[string]any{"UserPoolId": e.pool, "Username": "u2"})
	require.Empty(t, et)
	_, et = e.call("AdminCreateUser", map[string]any{"UserPoolId": e.pool, "Username": "a0", "MessageAction": "SUPPRESS"})
	require.Empty(t, et)
	out, et = e.call("ListUsers", map[string]any{"UserPoolId": e.pool, "Limit": 2, "PaginationToken": tok})
	require.Empty(t, et)
	b, _ := json.Marshal(out["Users"])
	assert.Contains(t, string(b), `"Username":"u3"`)
	assert.Contains(t, string(b), `"Username":"u4"`)
	assert.Equal(t, append([]string{"a0"}, append(want[:2:2], want[3:]...)...), listAll(t, e, 4, ""))

	for _, bad := range []string{"x", "3", listToken("u1") + "!", "dXNlcnM"} {
		_, et = e.call("ListUsers", map[string]any{"UserPoolId": e.pool, "PaginationToken": bad})
		assert.Contains(t, et, "Invalid pagination token", bad)
	}
}
