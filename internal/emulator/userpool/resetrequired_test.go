package userpool

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

const (
	wantResetRequired = "PasswordResetRequiredException: Password reset required for the user"
	wantWrongPassword = "NotAuthorizedException: Incorrect username or password."
)

// TestImportedUserSignInPasswordResetRequired is the regression test of
// the finding "imported users who sign in get NotAuthorizedException":
// a RESET_REQUIRED user — imported by a job (no usable password) or reset
// by AdminResetUserPassword — is answered PasswordResetRequiredException
// whatever the password, by the password flows and by USER_SRP_AUTH at
// InitiateAuth (where amazon-cognito-identity-js and the .NET extension
// surface it), as Cognito does. Unknown users, wrong passwords of other
// users and users who have reset their password are answered as before.
func TestImportedUserSignInPasswordResetRequired(t *testing.T) {
	e := newUnlockedEnv(t)
	prevent, err := e.s.NewClient(e.pool, ClientOptions{PreventUserExistenceErrors: true})
	require.NoError(t, err)
	j := e.runImport(e.pool, e.csvFile(e.pool, []map[string]string{person("bob")}))
	require.Equal(t, "Succeeded", j["Status"])
	verified := func(name string) map[string]string {
		return map[string]string{"email": name + "@example.com", "email_verified": "true"}
	}
	_, err = e.s.AddUser(e.pool, "carol", "Passw0rd!", verified("carol"))
	require.NoError(t, err)
	e.ok("AdminResetUserPassword", map[string]any{"UserPoolId": e.pool, "Username": "carol"})
	_, err = e.s.AddUser(e.pool, "dan", "Passw0rd!", verified("dan"))
	require.NoError(t, err)
	for _, name := range []string{"bob", "carol"} {
		u := e.ok("AdminGetUser", map[string]any{"UserPoolId": e.pool, "Username": name})
		require.Equal(t, "RESET_REQUIRED", u["UserStatus"], name)
	}
	srpA := func(t *testing.T) string {
		c, err := srp.NewClient(nil)
		require.NoError(t, err)
		return c.SRPA()
	}

	for _, tc := range []struct {
		name, client, flow, user, password string
		want                               string // "" : the sign-in goes on
	}{
		{name: "imported, USER_PASSWORD_AUTH", flow: "USER_PASSWORD_AUTH", user: "bob", password: "Passw0rd!", want: wantResetRequired},
		{name: "imported, ADMIN_USER_PASSWORD_AUTH", flow: "ADMIN_USER_PASSWORD_AUTH", user: "bob", password: "anything", want: wantResetRequired},
		{name: "imported, ADMIN_NO_SRP_AUTH", flow: "ADMIN_NO_SRP_AUTH", user: "bob", password: "anything", want: wantResetRequired},
		{name: "imported, USER_SRP_AUTH", flow: "USER_SRP_AUTH", user: "bob", want: wantResetRequired},
		{name: "imported, client preventing existence errors", client: prevent.ID, flow: "USER_PASSWORD_AUTH", user: "bob", password: "x", want: wantResetRequired},
		{name: "imported, client preventing existence errors, SRP", client: prevent.ID, flow: "USER_SRP_AUTH", user: "bob", want: wantResetRequired},
		{name: "reset, its old password", flow: "USER_PASSWORD_AUTH", user: "carol", password: "Passw0rd!", want: wantResetRequired},
		{name: "reset, a wrong password", flow: "USER_PASSWORD_AUTH", user: "carol", password: "wrong", want: wantResetRequired},
		{name: "reset, a wrong password, admin", flow: "ADMIN_USER_PASSWORD_AUTH", user: "carol", password: "wrong", want: wantResetRequired},
		{name: "reset, USER_SRP_AUTH", flow: "USER_SRP_AUTH", user: "carol", want: wantResetRequired},
		// Unchanged.
		{name: "confirmed, a wrong password", flow: "USER_PASSWORD_AUTH", user: "dan", password: "wrong", want: wantWrongPassword},
		{name: "confirmed, its password", flow: "USER_PASSWORD_AUTH", user: "dan", password: "Passw0rd!"},
		{name: "confirmed, USER_SRP_AUTH", flow: "USER_SRP_AUTH", user: "dan"},
		{name: "unknown", flow: "USER_PASSWORD_AUTH", user: "nobody", password: "x", want: "UserNotFoundException: User does not exist."},
		{name: "unknown, client preventing existence errors", client: prevent.ID, flow: "USER_PASSWORD_AUTH", user: "nobody", password: "x", want: wantWrongPassword},
		{name: "unknown, client preventing existence errors, admin", client: prevent.ID, flow: "ADMIN_USER_PASSWORD_AUTH", user: "nobody", password: "x", want: wantWrongPassword},
		{name: "unknown, client preventing existence errors, SRP", client: prevent.ID, flow: "USER_SRP_AUTH", user: "nobody"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			client := tc.client
			if client == "" {
				client = e.cl.ID
			}
			ap := map[string]string{"USERNAME": tc.user}
			if tc.flow == "USER_SRP_AUTH" {
				ap["SRP_A"] = srpA(t)
			} else {
				ap["PASSWORD"] = tc.password
			}
			op, in := "InitiateAuth", map[string]any{"ClientId": client, "AuthFlow": tc.flow, "AuthParameters": ap}
			if tc.flow == "ADMIN_USER_PASSWORD_AUTH" || tc.flow == "ADMIN_NO_SRP_AUTH" {
				op, in["UserPoolId"] = "AdminInitiateAuth", e.pool
			}
			out, et := e.call(op, in)
			assert.Equal(t, tc.want, et)
			if tc.want == "" {
				assert.True(t, out["AuthenticationResult"] != nil || out["ChallengeName"] == "PASSWORD_VERIFIER", out)
			}
		})
	}

	t.Run("reset between InitiateAuth and PASSWORD_VERIFIER", func(t *testing.T) {
		e.t = t
		c, err := srp.NewClient(nil)
		require.NoError(t, err)
		out, et := e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_SRP_AUTH",
			"AuthParameters": map[string]string{"USERNAME": "dan", "SRP_A": c.SRPA()}})
		require.Empty(t, et)
		e.ok("AdminResetUserPassword", map[string]any{"UserPoolId": e.pool, "Username": "dan"})
		p := out["ChallengeParameters"].(map[string]any)
		sig, ts, err := c.PasswordClaim(srp.PoolName(e.pool), p["USER_ID_FOR_SRP"].(string), "not the password",
			p["SRP_B"].(string), p["SALT"].(string), p["SECRET_BLOCK"].(string), e.host.Now())
		require.NoError(t, err)
		_, et = e.call("RespondToAuthChallenge", map[string]any{"ClientId": e.cl.ID, "ChallengeName": "PASSWORD_VERIFIER",
			"Session": out["Session"], "ChallengeResponses": map[string]string{"USERNAME": "dan",
				"PASSWORD_CLAIM_SIGNATURE": sig, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"].(string), "TIMESTAMP": ts}})
		assert.Equal(t, wantResetRequired, et)
	})

	t.Run("no failed sign-in is counted", func(t *testing.T) {
		e.t = t
		e.s.mu.Lock()
		failed := e.s.st.Pools[e.pool].Users["carol"].FailedLogins
		e.s.mu.Unlock()
		assert.Zero(t, failed)
	})

	t.Run("the imported user resets the password and signs in", func(t *testing.T) {
		e.t = t
		e.ok("ForgotPassword", map[string]any{"ClientId": e.cl.ID, "Username": "bob"})
		code, ok := e.s.LastCode(e.pool, "bob")
		require.True(t, ok)
		e.ok("ConfirmForgotPassword", map[string]any{"ClientId": e.cl.ID, "Username": "bob",
			"ConfirmationCode": code, "Password": "N3w-Passw0rd!"})
		_, et := e.call("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
			"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": "wrong"}})
		assert.Equal(t, wantWrongPassword, et, "CONFIRMED again: the password is checked")
		out := e.ok("InitiateAuth", map[string]any{"ClientId": e.cl.ID, "AuthFlow": "USER_PASSWORD_AUTH",
			"AuthParameters": map[string]string{"USERNAME": "bob", "PASSWORD": "N3w-Passw0rd!"}})
		assert.Contains(t, out, "AuthenticationResult")
	})
}
