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

// Amplify v6 signs in with USER_AUTH and EMAIL_OTP, the code taken from
// the emulator's outbox: once with EMAIL_OTP as the preferred challenge,
// once choosing it from SELECT_CHALLENGE; a wrong code is refused first.
const amplifyUserAuth = `
import { Amplify } from 'aws-amplify';
import { signIn, confirmSignIn, signOut, fetchAuthSession } from 'aws-amplify/auth';
Amplify.configure({ Auth: { Cognito: { userPoolId: process.env.POOL, userPoolClientId: process.env.CLIENT,
  userPoolEndpoint: process.env.ENDPOINT, loginWith: { username: true } } } });
async function lastCode() {
  const r = await fetch(process.env.ENDPOINT + '_emulator/messages?poolId=' + process.env.POOL + '&username=nina');
  const m = (await r.json()).messages;
  return m[m.length - 1].code;
}
const out = {};
try {
  const r1 = await signIn({ username: 'nina', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
  out.preferredStep = r1.nextStep.signInStep;
  try {
    await confirmSignIn({ challengeResponse: '00000000' === (await lastCode()) ? '11111111' : '00000000' });
    out.wrongCode = 'accepted';
  } catch (e) { out.wrongCode = e.name; }
  const r2 = await confirmSignIn({ challengeResponse: await lastCode() });
  out.preferredSignedIn = r2.isSignedIn;
  const s = await fetchAuthSession();
  out.username = s.tokens.accessToken.payload.username;
  await signOut();

  const r3 = await signIn({ username: 'nina', options: { authFlowType: 'USER_AUTH' } });
  out.choiceStep = r3.nextStep.signInStep;
  out.available = r3.nextStep.availableChallenges;
  const r4 = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
  out.chosenStep = r4.nextStep.signInStep;
  const r5 = await confirmSignIn({ challengeResponse: await lastCode() });
  out.chosenSignedIn = r5.isSignedIn;
} catch (e) {
  out.error = e.name + ': ' + e.message;
}
console.log(JSON.stringify(out));
`

func TestInteropAmplifyUserAuthEmailOTP(t *testing.T) {
	dir := interop.NPMInstall(t, "aws-amplify@6")
	s := newServer(t)
	out, err := idp(s).CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("amplify"),
		Policies: &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{
			AllowedFirstAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp}}}})
	require.NoError(t, err)
	pool := aws.ToString(out.UserPool.Id)
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{ExplicitAuthFlows: []string{"ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	s.MustCreateUser(pool, "nina", testPassword, map[string]string{"email": "nina@example.com"})

	stdout, err := interop.Node(t, dir, amplifyUserAuth, "POOL="+pool, "CLIENT="+cl.ID, "ENDPOINT="+s.URL+"/")
	require.NoError(t, err)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(stdout)), &res), stdout)
	require.Nil(t, res["error"], "%v", res)
	assert.Equal(t, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", res["preferredStep"])
	assert.Equal(t, "CodeMismatchException", res["wrongCode"])
	assert.Equal(t, true, res["preferredSignedIn"])
	assert.Equal(t, "nina", res["username"])
	assert.Equal(t, "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION", res["choiceStep"])
	assert.Equal(t, []any{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}, res["available"])
	assert.Equal(t, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", res["chosenStep"])
	assert.Equal(t, true, res["chosenSignedIn"])
}
