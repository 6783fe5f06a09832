package cognitotest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// The official amazon-cognito-identity-js signs in with USER_SRP_AUTH (its
// own SRP implementation, the reference for Cognito's) against the
// emulator; a wrong password is refused.
const jsSignIn = `
import pkg from 'amazon-cognito-identity-js';
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = pkg;
const pool = new CognitoUserPool({ UserPoolId: process.env.POOL, ClientId: process.env.CLIENT, endpoint: process.env.ENDPOINT });
function signIn(username, password) {
  return new Promise((resolve) => {
    const u = new CognitoUser({ Username: username, Pool: pool });
    u.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: (s) => resolve({ ok: true, username: s.getAccessToken().payload.username, sub: s.getIdToken().payload.sub }),
      onFailure: (e) => resolve({ ok: false, code: e.code, message: e.message }),
    });
  });
}
const out = {};
out.good = await signIn('alice', process.env.PASSWORD);
out.alias = await signIn('alice@example.com', process.env.PASSWORD);
out.bad = await signIn('alice', 'Wrong0Passw!');
out.unknown = await signIn('nobody', process.env.PASSWORD);
console.log(JSON.stringify(out));
`

type jsResult struct {
	OK       bool   `json:"ok"`
	Username string `json:"username"`
	Sub      string `json:"sub"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

func TestInteropAmazonCognitoIdentityJS(t *testing.T) {
	dir := interop.NPMInstall(t, "amazon-cognito-identity-js@6")
	s := newServer(t)
	pool := s.MustCreateUserPool(PoolOptions{AliasAttributes: []string{"email"}})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
	sub := s.MustCreateUser(pool, "alice", testPassword, map[string]string{"email": "alice@example.com"})

	out, err := interop.Node(t, dir, jsSignIn, "POOL="+pool, "CLIENT="+cl.ID, "ENDPOINT="+s.URL+"/", "PASSWORD="+testPassword)
	require.NoError(t, err)
	var res map[string]jsResult
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &res), out)

	assert.True(t, res["good"].OK, "%+v", res["good"])
	assert.Equal(t, "alice", res["good"].Username)
	assert.Equal(t, sub, res["good"].Sub)
	assert.True(t, res["alias"].OK, "alias sign-in with USER_ID_FOR_SRP: %+v", res["alias"])
	assert.False(t, res["bad"].OK)
	assert.Equal(t, "NotAuthorizedException", res["bad"].Code)
	assert.Equal(t, "Incorrect username or password.", res["bad"].Message)
	assert.False(t, res["unknown"].OK)
	assert.Equal(t, "UserNotFoundException", res["unknown"].Code)
}

// jsDeviceSignIn is the part the device interop scripts share: the user
// "sam" signs in with amazon-cognito-identity-js, answering SMS MFA with
// the code from the emulator's outbox; signIn() resolves to the outcome.
const jsDeviceSignIn = `
import pkg from 'amazon-cognito-identity-js';
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = pkg;
const pool = new CognitoUserPool({ UserPoolId: process.env.POOL, ClientId: process.env.CLIENT, endpoint: process.env.ENDPOINT });
async function lastCode() {
  const r = await fetch(process.env.ENDPOINT + '_emulator/messages?poolId=' + process.env.POOL + '&username=sam');
  const m = (await r.json()).messages;
  return m[m.length - 1].code;
}
function signIn() {
  return new Promise((resolve) => {
    const u = new CognitoUser({ Username: 'sam', Pool: pool });
    let mfa = false;
    const cb = {
      onSuccess: (s) => resolve({ ok: true, mfa, deviceKey: s.getAccessToken().payload.device_key, accessToken: s.getAccessToken().getJwtToken() }),
      onFailure: (e) => resolve({ ok: false, code: e.code, message: e.message }),
      mfaRequired: async () => { mfa = true; u.sendMFACode(await lastCode(), cb); },
    };
    u.authenticateUser(new AuthenticationDetails({ Username: 'sam', Password: process.env.PASSWORD }), cb);
  });
}
`

// The JS SDK's own device handling: after an SMS-MFA sign-in it confirms
// the new device with its own verifier; the next sign-in then does
// DEVICE_SRP_AUTH with it and, the device being remembered, skips MFA.
const jsDevice = jsDeviceSignIn + `
const first = await signIn();
const second = await signIn();
delete first.accessToken; delete second.accessToken;
console.log(JSON.stringify({ first, second }));
`

// runJSDevice runs script (which starts with jsDeviceSignIn) against a new
// pool with MFA ON and device tracking, and the user sam, and returns what
// it printed.
func runJSDevice(t *testing.T, script string) string {
	t.Helper()
	dir := interop.NPMInstall(t, "amazon-cognito-identity-js@6")
	s := newServer(t)
	pool := s.MustCreateUserPool(PoolOptions{MFA: "ON", DeviceTracking: true})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
	s.MustCreateUser(pool, "sam", testPassword, map[string]string{"phone_number": "+15555550123"})
	out, err := interop.Node(t, dir, script, "POOL="+pool, "CLIENT="+cl.ID, "ENDPOINT="+s.URL+"/", "PASSWORD="+testPassword)
	require.NoError(t, err)
	return strings.TrimSpace(out)
}

type jsDeviceResult struct {
	OK        bool   `json:"ok"`
	MFA       bool   `json:"mfa"`
	DeviceKey string `json:"deviceKey"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

func TestInteropAmazonCognitoIdentityJSDevice(t *testing.T) {
	out := runJSDevice(t, jsDevice)
	var res map[string]jsDeviceResult
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	first, second := res["first"], res["second"]
	require.True(t, first.OK, "%+v", first)
	assert.True(t, first.MFA, "first sign-in asks for the SMS code")
	require.True(t, second.OK, "%+v", second)
	assert.False(t, second.MFA, "the remembered device skips MFA")
	assert.NotEmpty(t, second.DeviceKey)
	assert.Equal(t, first.DeviceKey, second.DeviceKey)
}

// The JS SDK's account lifecycle: sign-up, confirmation, attributes,
// password change, refresh, sign-out (RevokeToken), global sign-out,
// forgot password, deletion. Each step's outcome is reported.
const jsLifecycle = `
import pkg from 'amazon-cognito-identity-js';
const { CognitoUserPool, CognitoUser, AuthenticationDetails, CognitoUserAttribute } = pkg;
const pool = new CognitoUserPool({ UserPoolId: process.env.POOL, ClientId: process.env.CLIENT, endpoint: process.env.ENDPOINT });
const out = {};
const cb = (resolve) => (err, res) => resolve(err ? 'ERR ' + err.code : 'ok');
const step = (name, fn) => new Promise(fn).then((r) => { out[name] = r; return r; });
async function lastCode(user) {
  const r = await fetch(process.env.ENDPOINT + '_emulator/messages?poolId=' + process.env.POOL + '&username=' + user);
  const m = (await r.json()).messages;
  return m[m.length - 1].code;
}
function signIn(user, password) {
  return new Promise((resolve) => user.authenticateUser(new AuthenticationDetails({ Username: 'carol', Password: password }), {
    onSuccess: (s) => resolve(s), onFailure: (e) => resolve(e),
  }));
}
await step('signUp', (res) => pool.signUp('carol', 'Passw0rd!', [new CognitoUserAttribute({ Name: 'email', Value: 'carol@example.com' })], null, cb(res)));
const carol = new CognitoUser({ Username: 'carol', Pool: pool });
await step('confirmWrong', (res) => carol.confirmRegistration('000000x', true, cb(res)));
const code = await lastCode('carol');
await step('confirm', (res) => carol.confirmRegistration(code, true, cb(res)));
let s = await signIn(carol, 'Passw0rd!');
out.signIn = s.getAccessToken ? 'ok' : 'ERR ' + s.code;
await step('getUserAttributes', (res) => carol.getUserAttributes((err, attrs) => res(err ? 'ERR ' + err.code : attrs.find((a) => a.Name === 'email').Value)));
await step('updateAttributes', (res) => carol.updateAttributes([new CognitoUserAttribute({ Name: 'name', Value: 'Carol' })], cb(res)));
await step('changePasswordWrong', (res) => carol.changePassword('Nope0Passw!', 'Passw0rd!2', cb(res)));
await step('changePassword', (res) => carol.changePassword('Passw0rd!', 'Passw0rd!2', cb(res)));
const refresh = s.getRefreshToken();
await step('refreshSession', (res) => carol.refreshSession(refresh, cb(res)));
await step('signOutRevoke', (res) => carol.signOut((err) => res(err ? 'ERR ' + err.code : 'ok')));
await step('refreshAfterRevoke', (res) => carol.refreshSession(refresh, cb(res)));
s = await signIn(carol, 'Passw0rd!2');
out.signIn2 = s.getAccessToken ? 'ok' : 'ERR ' + s.code;
await step('globalSignOut', (res) => carol.globalSignOut({ onSuccess: () => res('ok'), onFailure: (e) => res('ERR ' + e.code) }));
await step('forgotPassword', (res) => carol.forgotPassword({ onSuccess: () => res('ok'), onFailure: (e) => res('ERR ' + e.code) }));
const reset = await lastCode('carol');
await step('confirmPassword', (res) => carol.confirmPassword(reset, 'Passw0rd!3', { onSuccess: () => res('ok'), onFailure: (e) => res('ERR ' + e.code) }));
s = await signIn(carol, 'Passw0rd!3');
out.signIn3 = s.getAccessToken ? 'ok' : 'ERR ' + s.code;
await step('deleteUser', (res) => carol.deleteUser(cb(res)));
s = await signIn(carol, 'Passw0rd!3');
out.signInDeleted = s.getAccessToken ? 'ok' : 'ERR ' + s.code;
console.log(JSON.stringify(out));
`

func TestInteropAmazonCognitoIdentityJSLifecycle(t *testing.T) {
	dir := interop.NPMInstall(t, "amazon-cognito-identity-js@6")
	s := newServer(t)
	pool := s.MustCreateUserPool(PoolOptions{})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
	out, err := interop.Node(t, dir, jsLifecycle, "POOL="+pool, "CLIENT="+cl.ID, "ENDPOINT="+s.URL+"/")
	require.NoError(t, err)
	var res map[string]string
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &res), out)
	want := map[string]string{
		"signUp": "ok", "confirmWrong": "ERR CodeMismatchException", "confirm": "ok", "signIn": "ok",
		"getUserAttributes": "carol@example.com", "updateAttributes": "ok",
		"changePasswordWrong": "ERR NotAuthorizedException", "changePassword": "ok", "refreshSession": "ok",
		"signOutRevoke": "ok", "refreshAfterRevoke": "ERR NotAuthorizedException", "signIn2": "ok",
		"globalSignOut": "ok", "forgotPassword": "ok", "confirmPassword": "ok", "signIn3": "ok",
		"deleteUser": "ok", "signInDeleted": "ERR UserNotFoundException",
	}
	assert.Equal(t, want, res)
}
