package userpool

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/srp"
)

type unlockedEnv struct {
	t    *testing.T
	host *emulator.Host
	s    *Server
	pool string
	cl   AppClient
}

func newUnlockedEnv(t *testing.T) *unlockedEnv {
	host := emulator.MustNew(emulator.Config{AllowUnsigned: true})
	s := New(host, Options{})
	pool, err := s.CreatePool(PoolOptions{})
	require.NoError(t, err)
	cl, err := s.NewClient(pool, ClientOptions{})
	require.NoError(t, err)
	_, err = s.AddUser(pool, "alice", "Passw0rd!", nil)
	require.NoError(t, err)
	return &unlockedEnv{t: t, host: host, s: s, pool: pool, cl: cl}
}

// call runs one cognito-idp operation and returns the decoded answer and
// the error type ("" on success).
func (e *unlockedEnv) call(op string, in any) (map[string]any, string) {
	body, _ := json.Marshal(in)
	req := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
	req.Header.Set("X-Amz-Target", Target+"."+op)
	rec := httptest.NewRecorder()
	e.host.Handler().ServeHTTP(rec, req)
	var out map[string]any
	require.NoError(e.t, json.Unmarshal(rec.Body.Bytes(), &out))
	if msg, ok := out["message"].(string); ok {
		return out, rec.Header().Get("X-Amzn-ErrorType") + ": " + msg
	}
	return out, ""
}

// srpSignIn runs USER_SRP_AUTH; during the proof's unlocked window it
// runs meanwhile (when not nil).
func (e *unlockedEnv) srpSignIn(meanwhile func()) (map[string]any, string) {
	c, err := srp.NewClient(nil)
	require.NoError(e.t, err)
	out, errType := e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_SRP_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "SRP_A": c.SRPA()}})
	require.Empty(e.t, errType)
	p := out["ChallengeParameters"].(map[string]any)
	sig, ts, err := c.PasswordClaim(srp.PoolName(e.pool), p["USER_ID_FOR_SRP"].(string), "Passw0rd!",
		p["SRP_B"].(string), p["SALT"].(string), p["SECRET_BLOCK"].(string), e.host.Now())
	require.NoError(e.t, err)
	once := sync.Once{}
	if meanwhile != nil {
		e.s.whileUnlocked = func() { once.Do(meanwhile) }
		defer func() { e.s.whileUnlocked = nil }()
	}
	return e.call("RespondToAuthChallenge", map[string]any{"ClientId": e.cl.ID, "ChallengeName": "PASSWORD_VERIFIER",
		"Session": out["Session"], "ChallengeResponses": map[string]string{"USERNAME": "alice",
			"PASSWORD_CLAIM_SIGNATURE": sig, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"].(string), "TIMESTAMP": ts}})
}

// The proof of an SRP sign-in, a password check and token signing run with
// the state lock released; what the sign-in read before is checked again
// afterwards, so a change made meanwhile is honoured.
func TestSignInCryptoOutsideLock(t *testing.T) {
	t.Run("nothing changes meanwhile", func(t *testing.T) {
		e := newUnlockedEnv(t)
		out, errType := e.srpSignIn(nil)
		require.Empty(t, errType)
		assert.NotEmpty(t, out["AuthenticationResult"].(map[string]any)["IdToken"])
	})
	tests := []struct {
		name      string
		meanwhile func(e *unlockedEnv)
		want      string
	}{
		{"user disabled", func(e *unlockedEnv) {
			_, et := e.call("AdminDisableUser", map[string]string{"UserPoolId": e.pool, "Username": "alice"})
			require.Empty(e.t, et)
		}, "NotAuthorizedException: User is disabled."},
		{"user deleted", func(e *unlockedEnv) {
			_, et := e.call("AdminDeleteUser", map[string]string{"UserPoolId": e.pool, "Username": "alice"})
			require.Empty(e.t, et)
		}, "UserNotFoundException: User does not exist."},
		{"client deleted", func(e *unlockedEnv) {
			_, et := e.call("DeleteUserPoolClient", map[string]string{"UserPoolId": e.pool, "ClientId": e.cl.ID})
			require.Empty(e.t, et)
		}, "ResourceNotFoundException"},
		{"pool deleted", func(e *unlockedEnv) {
			_, et := e.call("DeleteUserPool", map[string]string{"UserPoolId": e.pool})
			require.Empty(e.t, et)
		}, "ResourceNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newUnlockedEnv(t)
			_, errType := e.srpSignIn(func() { tc.meanwhile(e) })
			assert.Contains(t, errType, tc.want)
		})
	}
	t.Run("password sign-in, user disabled meanwhile", func(t *testing.T) {
		e := newUnlockedEnv(t)
		in := map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
			"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}
		_, errType := e.call("InitiateAuth", in)
		require.Empty(t, errType)
		e.s.whileUnlocked = func() {
			e.s.whileUnlocked = nil
			_, et := e.call("AdminDisableUser", map[string]string{"UserPoolId": e.pool, "Username": "alice"})
			require.Empty(t, et)
		}
		_, errType = e.call("InitiateAuth", in)
		assert.Equal(t, "NotAuthorizedException: User is disabled.", errType)
	})
}

// A user created while another creation of the same name computed its
// password verifier unlocked: the second one is refused, and the first
// user is kept.
func TestCreateUserHashOutsideLock(t *testing.T) {
	for _, op := range []string{"SignUp", "AdminCreateUser"} {
		t.Run(op, func(t *testing.T) {
			e := newUnlockedEnv(t)
			var in map[string]any
			if op == "SignUp" {
				in = map[string]any{"ClientId": e.cl.ID, "Username": "bob", "Password": "Passw0rd!"}
			} else {
				in = map[string]any{"UserPoolId": e.pool, "Username": "bob", "TemporaryPassword": "Passw0rd!", "MessageAction": "SUPPRESS"}
			}
			var sub string
			e.s.whileUnlocked = func() {
				e.s.whileUnlocked = nil
				var err error
				sub, err = e.s.AddUser(e.pool, "bob", "Other-Passw0rd!", nil)
				require.NoError(t, err)
			}
			_, errType := e.call(op, in)
			assert.Equal(t, "UsernameExistsException: User already exists", errType)
			out, errType := e.call("AdminGetUser", map[string]string{"UserPoolId": e.pool, "Username": "bob"})
			require.Empty(t, errType)
			assert.Equal(t, "CONFIRMED", out["UserStatus"], "the user created meanwhile is kept")
			assert.NotEmpty(t, sub)

			// Without a concurrent creation, the same call succeeds.
			in["Username"] = "carol"
			_, errType = e.call(op, in)
			assert.Empty(t, errType)
		})
	}
}

// A password set while its user is deleted meanwhile answers
// UserNotFoundException and brings nothing back.
func TestSetPasswordHashOutsideLock(t *testing.T) {
	e := newUnlockedEnv(t)
	e.s.whileUnlocked = func() {
		e.s.whileUnlocked = nil
		_, et := e.call("AdminDeleteUser", map[string]string{"UserPoolId": e.pool, "Username": "alice"})
		require.Empty(t, et)
	}
	_, errType := e.call("AdminSetUserPassword", map[string]any{"UserPoolId": e.pool, "Username": "alice",
		"Password": "New-Passw0rd!", "Permanent": true})
	assert.Equal(t, "UserNotFoundException: User does not exist.", errType)
	_, errType = e.call("AdminGetUser", map[string]string{"UserPoolId": e.pool, "Username": "alice"})
	assert.Contains(t, errType, "UserNotFoundException")

	// Nothing meanwhile: the new password signs in.
	e = newUnlockedEnv(t)
	_, errType = e.call("AdminSetUserPassword", map[string]any{"UserPoolId": e.pool, "Username": "alice",
		"Password": "New-Passw0rd!", "Permanent": true})
	require.Empty(t, errType)
	_, errType = e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": "New-Passw0rd!"}})
	assert.Empty(t, errType)
}

// NEW_PASSWORD_REQUIRED computes the new verifier unlocked: a user disabled
// meanwhile is refused and keeps its temporary password and attributes.
func TestNewPasswordHashOutsideLock(t *testing.T) {
	for _, disable := range []bool{true, false} {
		e := newUnlockedEnv(t)
		_, et := e.call("AdminCreateUser", map[string]any{"UserPoolId": e.pool, "Username": "bob",
			"TemporaryPassword": "Temp-Passw0rd!", "MessageAction": "SUPPRESS"})
		require.Empty(t, et)
		out, et := e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
			"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": "Temp-Passw0rd!"}})
		require.Empty(t, et)
		require.Equal(t, "NEW_PASSWORD_REQUIRED", out["ChallengeName"])
		if disable {
			e.s.whileUnlocked = func() {
				e.s.whileUnlocked = nil
				_, et := e.call("AdminDisableUser", map[string]string{"UserPoolId": e.pool, "Username": "bob"})
				require.Empty(t, et)
			}
		}
		_, et = e.call("RespondToAuthChallenge", map[string]any{"ClientId": e.cl.ID, "ChallengeName": "NEW_PASSWORD_REQUIRED",
			"Session": out["Session"], "ChallengeResponses": map[string]string{"USERNAME": "bob", "NEW_PASSWORD": "New-Passw0rd!",
				"userAttributes.name": "Bob"}})
		got, _ := e.call("AdminGetUser", map[string]string{"UserPoolId": e.pool, "Username": "bob"})
		if disable {
			assert.Equal(t, "NotAuthorizedException: User is disabled.", et)
			assert.Equal(t, "FORCE_CHANGE_PASSWORD", got["UserStatus"], "the password did not change")
			assert.NotContains(t, got["UserAttributes"], map[string]any{"Name": "name", "Value": "Bob"})
		} else {
			assert.Empty(t, et)
			assert.Equal(t, "CONFIRMED", got["UserStatus"])
		}
	}
}
