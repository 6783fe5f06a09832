package userpool

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThreatProtectionFromAddOns: auth events follow the pool's
// UserPoolAddOns, not its tier alone. A PLUS pool without threat
// protection records nothing and answers UserPoolAddOnNotEnabledException;
// AUDIT or ENFORCED (PLUS only: FeatureUnavailableInTierException below)
// turns recording on, and OFF turns it off again.
func TestThreatProtectionFromAddOns(t *testing.T) {
	e := newUnlockedEnv(t)
	code := func(et string) string { return strings.SplitN(et, ":", 2)[0] }
	create := func(tier, mode string) (string, string) {
		in := map[string]any{"PoolName": "tp"}
		if tier != "" {
			in["UserPoolTier"] = tier
		}
		if mode != "" {
			in["UserPoolAddOns"] = map[string]string{"AdvancedSecurityMode": mode}
		}
		out, et := e.call("CreateUserPool", in)
		if et != "" {
			return "", code(et)
		}
		return out["UserPool"].(map[string]any)["Id"].(string), ""
	}
	for _, tc := range []struct{ tier, mode, code string }{
		{"PLUS", "AUDIT", ""},
		{"PLUS", "ENFORCED", ""},
		{"PLUS", "OFF", ""},
		{"PLUS", "", ""},
		{"ESSENTIALS", "OFF", ""},
		{"ESSENTIALS", "AUDIT", "FeatureUnavailableInTierException"},
		{"", "ENFORCED", "FeatureUnavailableInTierException"},
		{"LITE", "AUDIT", "FeatureUnavailableInTierException"},
	} {
		t.Run(tc.tier+"/"+tc.mode, func(t *testing.T) {
			_, got := create(tc.tier, tc.mode)
			assert.Equal(t, tc.code, got)
		})
	}

	events := func(pool string) (int, string) {
		out, et := e.call("AdminListUserAuthEvents", map[string]any{"UserPoolId": pool, "Username": "alice"})
		if et != "" {
			return 0, code(et)
		}
		return len(out["AuthEvents"].([]any)), ""
	}
	signIn := func(pool string) {
		cl, err := e.s.NewClient(pool, ClientOptions{})
		require.NoError(t, err)
		_, et := e.call("InitiateAuth", map[string]any{"ClientId": cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
			"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
		require.Empty(t, et)
	}
	update := func(pool, tier, mode string) string {
		in := map[string]any{"UserPoolId": pool, "UserPoolTier": tier}
		if mode != "" {
			in["UserPoolAddOns"] = map[string]string{"AdvancedSecurityMode": mode}
		}
		_, et := e.call("UpdateUserPool", in)
		return code(et)
	}

	pool, et := create("PLUS", "")
	require.Empty(t, et)
	_, err := e.s.AddUser(pool, "alice", "Passw0rd!", nil)
	require.NoError(t, err)
	signIn(pool)
	_, got := events(pool)
	assert.Equal(t, "UserPoolAddOnNotEnabledException", got, "PLUS without threat protection")

	assert.Equal(t, "FeatureUnavailableInTierException", update(pool, "ESSENTIALS", "AUDIT"))
	require.Empty(t, update(pool, "PLUS", "AUDIT"))
	n, got := events(pool)
	require.Empty(t, got)
	assert.Zero(t, n, "nothing was recorded while threat protection was off")
	signIn(pool)
	n, _ = events(pool)
	assert.Equal(t, 1, n)

	require.Empty(t, update(pool, "PLUS", "OFF"))
	signIn(pool)
	_, got = events(pool)
	assert.Equal(t, "UserPoolAddOnNotEnabledException", got)
	require.Empty(t, update(pool, "PLUS", "ENFORCED"))
	n, _ = events(pool)
	assert.Equal(t, 1, n, "the sign-in while it was off is not recorded")
}
