package userpool

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signIn signs alice in with USER_PASSWORD_AUTH and returns the ID and
// access tokens.
func (e *unlockedEnv) signIn() (id, access string) {
	out, et := e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
	require.Empty(e.t, et)
	res := out["AuthenticationResult"].(map[string]any)
	return res["IdToken"].(string), res["AccessToken"].(string)
}

// jwksKids are the kids of the pool's JWKS as served.
func (e *unlockedEnv) jwksKids() []string {
	rec := httptest.NewRecorder()
	e.host.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/"+e.pool+"/.well-known/jwks.json", nil))
	require.Equal(e.t, 200, rec.Code, rec.Body.String())
	var doc struct {
		Keys []struct{ Kid, Alg, Use string }
	}
	require.NoError(e.t, json.Unmarshal(rec.Body.Bytes(), &doc))
	var kids []string
	for _, k := range doc.Keys {
		assert.Equal(e.t, "RS256", k.Alg)
		kids = append(kids, k.Kid)
	}
	return kids
}

func headerKid(t *testing.T, tok string) string {
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	require.NoError(t, err)
	var h struct{ Kid string }
	require.NoError(t, json.Unmarshal(b, &h))
	return h.Kid
}

// TestSeparateSigningKeys: as Cognito, a pool signs ID tokens with one key
// and access tokens with another, its JWKS lists both, and the state
// database keeps both.
func TestSeparateSigningKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := newPersistEnv(t, path, "ALLOW_USER_PASSWORD_AUTH")
	id, access := e.signIn()
	idKid, accessKid := headerKid(t, id), headerKid(t, access)
	require.NotEqual(t, idKid, accessKid)
	assert.ElementsMatch(t, []string{idKid, accessKid}, e.jwksKids())

	_, et := e.call("GetUser", map[string]any{"AccessToken": access})
	require.Empty(t, et)
	// An access token whose kid names no key of the pool is refused.
	parts := strings.Split(access, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"kid":"nope","alg":"RS256"}`)) + "." + parts[1] + "." + parts[2]
	_, et = e.call("GetUser", map[string]any{"AccessToken": forged})
	assert.Equal(t, "NotAuthorizedException: Invalid Access Token", et)
	// The ID key's kid on the access token's signature does not verify.
	forged = base64.RawURLEncoding.EncodeToString([]byte(`{"kid":"`+idKid+`","alg":"RS256"}`)) + "." + parts[1] + "." + parts[2]
	_, et = e.call("GetUser", map[string]any{"AccessToken": forged})
	assert.Equal(t, "NotAuthorizedException: Invalid Access Token", et)

	require.NoError(t, e.host.Close())
	e2 := openPersistEnv(t, path)
	e2.pool, e2.cl = e.pool, e.cl
	assert.ElementsMatch(t, []string{idKid, accessKid}, e2.jwksKids(), "both keys survive a restart")
	_, et = e2.call("GetUser", map[string]any{"AccessToken": access})
	assert.Empty(t, et)
}

// TestOneKeyStateGetsAccessKey: a pool stored by an older version, with
// one key that signed both token types, keeps it for ID tokens (and its
// access tokens stay valid), gets a second key for new access tokens, and
// the state database then keeps both.
func TestOneKeyStateGetsAccessKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := newPersistEnv(t, path, "ALLOW_USER_PASSWORD_AUTH")
	_, access := e.signIn()
	// Make the pool what an older version stored, and its access token
	// one signed with the single key.
	e.s.mu.Lock()
	p := e.s.st.Pools[e.pool]
	oldKid := p.Kid
	p.AccessKeyDER, p.AccessKid, p.accessKey = nil, "", nil
	parts := strings.Split(access, ".")
	var claims map[string]any
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(body, &claims))
	oldAccess, err := signRS256(p.rsaKey, oldKid, claims)
	e.s.mu.Unlock()
	require.NoError(t, err)
	require.NoError(t, e.host.Persist())
	require.NoError(t, e.host.Close())

	e2 := openPersistEnv(t, path)
	e2.pool, e2.cl = e.pool, e.cl
	_, et := e2.call("GetUser", map[string]any{"AccessToken": oldAccess})
	require.Empty(t, et, "an access token signed with the one old key still verifies")
	id, access := e2.signIn()
	assert.Equal(t, oldKid, headerKid(t, id), "the old key keeps signing ID tokens")
	newKid := headerKid(t, access)
	assert.NotEqual(t, oldKid, newKid)
	assert.ElementsMatch(t, []string{oldKid, newKid}, e2.jwksKids())

	require.NoError(t, e2.host.Close())
	e3 := openPersistEnv(t, path)
	e3.pool = e.pool
	assert.ElementsMatch(t, []string{oldKid, newKid}, e3.jwksKids(), "the second key is stored")
}
