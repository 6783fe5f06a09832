package cognitotest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// amplifyJourney drives aws-amplify v6 through a user's whole life
// against the emulator (POOL, CLIENT, IDPOOL, ENDPOINT): sign-up and
// confirmation with the e-mailed code, SRP sign-in, identity-pool
// credentials, attribute and password changes, a forced refresh,
// deleteUserAttributes, TOTP setup and a TOTP sign-in (codes computed
// here with node's crypto), a global sign-out whose access token is then
// refused, and guest credentials. It prints each step's result as JSON.
const amplifyJourney = `import { createHmac } from 'node:crypto';
import { Amplify } from 'aws-amplify';
import { signUp, confirmSignUp, signIn, confirmSignIn, fetchAuthSession, updateUserAttributes, fetchUserAttributes,
  updatePassword, deleteUserAttributes, setUpTOTP, verifyTOTPSetup, updateMFAPreference, fetchMFAPreference,
  signOut } from 'aws-amplify/auth';

const env = process.env;
Amplify.configure({ Auth: { Cognito: { userPoolId: env.POOL, userPoolClientId: env.CLIENT,
  userPoolEndpoint: env.ENDPOINT, identityPoolId: env.IDPOOL, identityPoolEndpoint: env.ENDPOINT,
  allowGuestAccess: true, loginWith: { username: true } } } });

// RFC 6238 (HMAC-SHA1, 30-second steps, 6 digits) of a base32 secret.
function totp(secret, offset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const step = Math.floor(Date.now() / 1000 / 30) + offset;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

async function lastCode(username) {
  const r = await fetch(env.ENDPOINT + '_emulator/messages?poolId=' + env.POOL + '&username=' + username);
  const m = (await r.json()).messages;
  return m[m.length - 1].code;
}

const out = { steps: {} };
async function step(name, fn) {
  try {
    out.steps[name] = (await fn()) ?? 'ok';
  } catch (e) {
    out.steps[name] = 'ERROR ' + e.name + ': ' + e.message;
    out.failed = out.failed || name;
  }
}

const username = 'amy', password = 'Passw0rd!amy', password2 = 'N3w-Passw0rd!';
let idA, secret;
await step('signUp', async () => {
  const r = await signUp({ username, password, options: { userAttributes: { email: 'amy@example.com', nickname: 'Amy' } } });
  return r.nextStep.signUpStep;
});
await step('confirmSignUp', async () => (await confirmSignUp({ username, confirmationCode: await lastCode(username) })).nextStep.signUpStep);
await step('signIn', async () => (await signIn({ username, password })).nextStep.signInStep);
await step('fetchAuthSession', async () => {
  const s = await fetchAuthSession();
  idA = s.identityId;
  return { user: s.tokens.accessToken.payload.username, identityId: !!s.identityId,
    credentials: !!(s.credentials && s.credentials.accessKeyId && s.credentials.sessionToken) };
});
await step('updateUserAttributes', async () => {
  const r = await updateUserAttributes({ userAttributes: { nickname: 'Ames', given_name: 'Amy' } });
  const a = await fetchUserAttributes();
  return { nickname: r.nickname.isUpdated, stored: a.nickname + '/' + a.given_name };
});
await step('updatePassword', async () => { await updatePassword({ oldPassword: password, newPassword: password2 }); });
await step('forceRefresh', async () => {
  const before = (await fetchAuthSession()).tokens.accessToken.toString();
  const s = await fetchAuthSession({ forceRefresh: true });
  return { newToken: s.tokens.accessToken.toString() !== before, sameIdentity: s.identityId === idA,
    credentials: !!(s.credentials && s.credentials.accessKeyId) };
});
await step('deleteUserAttributes', async () => {
  await deleteUserAttributes({ userAttributeKeys: ['given_name'] });
  const a = await fetchUserAttributes();
  return { given_name: a.given_name === undefined ? 'deleted' : a.given_name };
});
await step('setUpTOTP', async () => { secret = (await setUpTOTP()).sharedSecret; return secret.length > 0; });
await step('verifyTOTPSetup', async () => { await verifyTOTPSetup({ code: totp(secret) }); });
await step('updateMFAPreference', async () => {
  await updateMFAPreference({ totp: 'PREFERRED' });
  return await fetchMFAPreference();
});
await step('signOut', async () => { await signOut(); });
await step('totpSignIn', async () => {
  const r = await signIn({ username, password: password2 });
  if (r.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_TOTP_CODE') return r.nextStep.signInStep;
  // The setup's code is spent: the next step's code is accepted.
  const r2 = await confirmSignIn({ challengeResponse: totp(secret, 1) });
  return { challenge: r.nextStep.signInStep, signedIn: r2.isSignedIn };
});
await step('globalSignOut', async () => {
  const access = (await fetchAuthSession()).tokens.accessToken.toString();
  await signOut({ global: true });
  // The access token of the signed-out session is refused from now on.
  const r = await fetch(env.ENDPOINT, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1',
    'X-Amz-Target': 'AWSCognitoIdentityProviderService.GetUser' }, body: JSON.stringify({ AccessToken: access }) });
  return { oldAccessToken: r.status + ' ' + (await r.json()).__type };
});
await step('guest', async () => {
  const s = await fetchAuthSession();
  return { tokens: s.tokens === undefined, identityId: !!s.identityId, other: s.identityId !== idA,
    credentials: !!(s.credentials && s.credentials.accessKeyId) };
});
console.log(JSON.stringify(out));
`

// TestInteropAmplifyJourney: every step of amplifyJourney passes.
func TestInteropAmplifyJourney(t *testing.T) {
	dir := interop.NPMInstall(t, "aws-amplify@6")
	s := newServer(t)
	out, err := idp(s).CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("amplify"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		MfaConfiguration:       types.UserPoolMfaTypeOptional})
	require.NoError(t, err)
	pool := aws.ToString(out.UserPool.Id)
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
	auth, guest := "arn:aws:iam::123456789012:role/AmplifyAuth", "arn:aws:iam::123456789012:role/AmplifyGuest"
	s.MustPutRole(Role{ARN: auth, TrustedAMR: "authenticated", Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`})
	s.MustPutRole(Role{ARN: guest, TrustedAMR: "unauthenticated", Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`})
	idPool := s.MustCreateIdentityPool(IdentityPoolOptions{AllowUnauthenticated: true,
		UserPools:         []IdentityPoolUserPool{{UserPoolID: pool, ClientID: cl.ID, ServerSideTokenCheck: true}},
		AuthenticatedRole: auth, UnauthenticatedRole: guest})

	stdout, err := interop.Node(t, dir, amplifyJourney, "POOL="+pool, "CLIENT="+cl.ID, "IDPOOL="+idPool, "ENDPOINT="+s.URL+"/")
	require.NoError(t, err)
	var res struct {
		Steps  map[string]any
		Failed string
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(stdout)), &res), stdout)
	assert.Empty(t, res.Failed, "first failing step; all: %v", res.Steps)
	for step, want := range map[string]string{
		"signUp":               `"CONFIRM_SIGN_UP"`,
		"confirmSignUp":        `"DONE"`,
		"signIn":               `"DONE"`,
		"fetchAuthSession":     `{"user":"amy","identityId":true,"credentials":true}`,
		"updateUserAttributes": `{"nickname":true,"stored":"Ames/Amy"}`,
		"updatePassword":       `"ok"`,
		"forceRefresh":         `{"newToken":true,"sameIdentity":true,"credentials":true}`,
		"deleteUserAttributes": `{"given_name":"deleted"}`,
		"setUpTOTP":            `true`,
		"verifyTOTPSetup":      `"ok"`,
		"updateMFAPreference":  `{"preferred":"TOTP","enabled":["TOTP"]}`,
		"signOut":              `"ok"`,
		"totpSignIn":           `{"challenge":"CONFIRM_SIGN_IN_WITH_TOTP_CODE","signedIn":true}`,
		"globalSignOut":        `{"oldAccessToken":"400 NotAuthorizedException"}`,
		"guest":                `{"tokens":true,"identityId":true,"other":true,"credentials":true}`,
	} {
		got, err := json.Marshal(res.Steps[step])
		require.NoError(t, err)
		assert.JSONEq(t, want, string(got), step)
	}
}
