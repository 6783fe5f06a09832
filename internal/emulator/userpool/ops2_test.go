package userpool

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// newPlusEnv is a pool on the PLUS plan with threat protection (auth events)
// with a confidential client and alice (with a phone number), whose state
// lives in the database at path ("" for none).
func newPlusEnv(t *testing.T, path string) *unlockedEnv {
	e := openPersistEnv(t, path)
	var err error
	e.pool, err = e.s.CreatePool(PoolOptions{Tier: "PLUS", ThreatProtection: "AUDIT"})
	require.NoError(t, err)
	e.cl, err = e.s.NewClient(e.pool, ClientOptions{GenerateSecret: true})
	require.NoError(t, err)
	_, err = e.s.AddUser(e.pool, "alice", "Passw0rd!", map[string]string{"phone_number": "+15550100", "name": "Alice"})
	require.NoError(t, err)
	return e
}

// secretSignIn runs USER_PASSWORD_AUTH for alice with the SECRET_HASH of secret.
func (e *unlockedEnv) secretSignIn(secret, password string) string {
	_, et := e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": password,
			"SECRET_HASH": srp.SecretHash("alice", e.cl.ID, secret)}})
	return et
}

// TestPersistOps2State: what the client-secret, user-settings, attribute,
// auth-event and risk operations change is saved, and the state reloaded
// from the database is the state in memory.
func TestPersistOps2State(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := newPlusEnv(t, path)
	with := func(kv ...any) map[string]any {
		m := map[string]any{"UserPoolId": e.pool}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	out, et := e.call("AddUserPoolClientSecret", with("ClientId", e.cl.ID))
	require.Empty(t, et)
	second := out["ClientSecretDescriptor"].(map[string]any)["ClientSecretValue"].(string)
	require.Empty(t, e.secretSignIn(second, "Passw0rd!"))
	require.NotEmpty(t, e.secretSignIn(second, "wrong"))
	steps := []struct {
		op string
		in map[string]any
	}{
		{"AdminSetUserSettings", with("Username", "alice", "MFAOptions", []map[string]string{{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}})},
		{"AdminDeleteUserAttributes", with("Username", "alice", "UserAttributeNames", []string{"name"})},
		{"SetRiskConfiguration", with("RiskExceptionConfiguration", map[string]any{"BlockedIPRangeList": []string{"10.0.0.0/8"}})},
		{"SetRiskConfiguration", with("ClientId", e.cl.ID, "CompromisedCredentialsRiskConfiguration",
			map[string]any{"Actions": map[string]string{"EventAction": "BLOCK"}})},
	}
	for _, st := range steps {
		_, et := e.call(st.op, st.in)
		require.Empty(t, et, st.op)
	}
	ev, et := e.call("AdminListUserAuthEvents", with("Username", "alice"))
	require.Empty(t, et)
	events := ev["AuthEvents"].([]any)
	require.Len(t, events, 2)
	_, et = e.call("AdminUpdateAuthEventFeedback", with("Username", "alice",
		"EventId", events[0].(map[string]any)["EventId"], "FeedbackValue", "Invalid"))
	require.Empty(t, et)

	want := stateJSON(t, e.s)
	for _, s := range []string{`"secrets"`, `"events"`, `"risk"`, `"feedback"`, `"smsEnabled":true`} {
		assert.Contains(t, want, s)
	}
	assert.NotContains(t, want, `"Alice"`, "the deleted attribute")
	got := reloaded(t, e, path)
	assert.JSONEq(t, want, got)

	// And the reloaded server honours both secrets.
	pl, cl := e.pool, e.cl
	e = openPersistEnv(t, path)
	e.pool, e.cl = pl, cl
	assert.Empty(t, e.secretSignIn(cl.Secret, "Passw0rd!"))
	assert.Empty(t, e.secretSignIn(second, "Passw0rd!"))
}

// TestAuthEventsCapped: a user's history keeps the newest maxAuthEvents
// events; a pool without threat protection records none.
func TestAuthEventsCapped(t *testing.T) {
	e := newPlusEnv(t, "")
	c := &call{body: []byte(`{}`), now: e.s.now()}
	e.s.mu.Lock()
	p := e.s.st.Pools[e.pool]
	u := p.user("alice")
	for i := range maxAuthEvents + 5 {
		c.now = c.now.Add(1)
		require.NotNil(t, e.s.recordEvent(p, u, c, eventSignIn, fmt.Sprint(i)))
	}
	require.Len(t, u.Events, maxAuthEvents)
	assert.Equal(t, "5", u.Events[0].Response, "the oldest five were dropped")
	assert.Equal(t, fmt.Sprint(maxAuthEvents+4), u.Events[maxAuthEvents-1].Response)
	p.Tier = "ESSENTIALS"
	assert.Nil(t, e.s.recordEvent(p, u, c, eventSignIn, eventPass))
	assert.Len(t, u.Events, maxAuthEvents)
	e.s.mu.Unlock()
}

func TestDeviceName(t *testing.T) {
	for _, tc := range []struct{ ua, want string }{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "Chrome, Windows"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", "Safari, Mac OS X"},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox, Linux"},
		{"Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", "Edge, Windows"},
		{"aws-sdk-go-v2/1.30.0 os/linux lang/go#1.24", "aws-sdk-go-v2, Linux"},
		{"Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.1", "Boto3, Linux"},
		{"", ""},
	} {
		assert.Equal(t, tc.want, deviceName(tc.ua), tc.ua)
	}
}
