package userpool

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPasswordHistoryEnforced is the regression test of the finding
// "PasswordHistorySize is stored, not enforced": with a history of n, a
// new password that matches one of the user's last n (the current one
// included) is refused with PasswordHistoryPolicyViolationException by
// AdminSetUserPassword, ChangePassword, ConfirmForgotPassword and
// RespondToAuthChallenge NEW_PASSWORD_REQUIRED; an older one, or any
// password in a pool without history, is taken. The history holds salts
// and verifiers only and survives a restart.
func TestPasswordHistoryEnforced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := openPersistEnv(t, path)
	mkPool := func(history int) (string, string) {
		in := map[string]any{"PoolName": "history", "AutoVerifiedAttributes": []string{"email"}}
		if history > 0 {
			in["Policies"] = map[string]any{"PasswordPolicy": map[string]any{"MinimumLength": 8, "PasswordHistorySize": history}}
		}
		pool := obj(t, e.ok("CreateUserPool", in), "UserPool")["Id"].(string)
		cl, err := e.s.NewClient(pool, ClientOptions{})
		require.NoError(t, err)
		_, err = e.s.AddUser(pool, "bob", "Passw0rd-1", map[string]string{"email": "bob@example.com", "email_verified": "true"})
		require.NoError(t, err)
		return pool, cl.ID
	}
	const violation = "PasswordHistoryPolicyViolationException"
	code := func(et string) string { return strings.SplitN(et, ":", 2)[0] }
	pool, client := mkPool(2) // the current password and the one before
	setPw := func(pw string) string {
		_, et := e.call("AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": "bob", "Password": pw, "Permanent": true})
		return code(et)
	}
	signIn := func(pw string) string {
		out := e.ok("InitiateAuth", map[string]any{"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
			"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": pw}})
		return obj(t, out, "AuthenticationResult")["AccessToken"].(string)
	}
	change := func(prev, pw string) string {
		_, et := e.call("ChangePassword", map[string]any{"AccessToken": signIn(prev), "PreviousPassword": prev, "ProposedPassword": pw})
		return code(et)
	}
	forgot := func(pw string) string {
		e.ok("ForgotPassword", map[string]any{"ClientId": client, "Username": "bob"})
		c, ok := e.s.LastCode(pool, "bob")
		require.True(t, ok)
		_, et := e.call("ConfirmForgotPassword", map[string]any{"ClientId": client, "Username": "bob", "ConfirmationCode": c, "Password": pw})
		return code(et)
	}

	assert.Equal(t, violation, setPw("Passw0rd-1"), "the current password")
	assert.Empty(t, setPw("Passw0rd-2"))
	assert.Equal(t, violation, change("Passw0rd-2", "Passw0rd-1"), "the one before")
	assert.Equal(t, violation, change("Passw0rd-2", "Passw0rd-2"), "the current one")
	assert.Empty(t, change("Passw0rd-2", "Passw0rd-3"))
	assert.Equal(t, violation, forgot("Passw0rd-2"))
	assert.Empty(t, forgot("Passw0rd-1"), "two passwords ago: outside a history of 2")
	signIn("Passw0rd-1")

	t.Run("NEW_PASSWORD_REQUIRED", func(t *testing.T) {
		e.t = t
		e.ok("AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": "carol", "TemporaryPassword": "Temp-Passw0rd", "MessageAction": "SUPPRESS"})
		respond := func(pw string) string {
			out := e.ok("InitiateAuth", map[string]any{"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
				"AuthParameters": map[string]string{"USERNAME": "carol", "PASSWORD": "Temp-Passw0rd"}})
			require.Equal(t, "NEW_PASSWORD_REQUIRED", out["ChallengeName"])
			_, et := e.call("RespondToAuthChallenge", map[string]any{"ClientId": client, "ChallengeName": "NEW_PASSWORD_REQUIRED",
				"Session": out["Session"], "ChallengeResponses": map[string]string{"USERNAME": "carol", "NEW_PASSWORD": pw}})
			return code(et)
		}
		assert.Equal(t, violation, respond("Temp-Passw0rd"))
		assert.Empty(t, respond("Carol-Passw0rd"))
	})

	t.Run("no history", func(t *testing.T) {
		e.t = t
		other, _ := mkPool(0)
		_, et := e.call("AdminSetUserPassword", map[string]any{"UserPoolId": other, "Username": "bob", "Password": "Passw0rd-1", "Permanent": true})
		assert.Empty(t, et)
	})

	t.Run("stored as verifiers, kept across a restart", func(t *testing.T) {
		e.t = t
		e.s.mu.Lock()
		u := e.s.st.Pools[pool].lookupUser("bob")
		require.Len(t, u.PasswordHistory, 1, "n-1 earlier passwords")
		raw, err := json.Marshal(u)
		e.s.mu.Unlock()
		require.NoError(t, err)
		for _, pw := range []string{"Passw0rd-1", "Passw0rd-2", "Passw0rd-3"} {
			assert.NotContains(t, string(raw), pw)
		}
		require.NoError(t, e.host.Close())
		e2 := openPersistEnv(t, path)
		_, et := e2.call("AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": "bob", "Password": "Passw0rd-3", "Permanent": true})
		assert.Equal(t, violation, code(et), "the one before, after a restart")
	})
}
