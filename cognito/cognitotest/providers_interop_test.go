package cognitotest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// pyFederated runs boto3's cognito-identity client against the emulator:
// GetId and GetCredentialsForIdentity for each login given in LOGINS
// (name -> {key: token}), reporting the identity or the error.
const pyFederated = `
import json, os, boto3, botocore
c = boto3.client('cognito-identity', endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1',
                 aws_access_key_id='AKIDX', aws_secret_access_key='x')
out = {}
for name, logins in json.loads(os.environ['LOGINS']).items():
    try:
        iid = c.get_id(IdentityPoolId=os.environ['POOL'], Logins=logins)['IdentityId']
        creds = c.get_credentials_for_identity(IdentityId=iid, Logins=logins)['Credentials']
        out[name] = {'ok': True, 'key': creds['AccessKeyId']}
    except botocore.exceptions.ClientError as e:
        out[name] = {'ok': False, 'code': e.response['Error']['Code'], 'message': e.response['Error']['Message']}
print(json.dumps(out))
`

// TestInteropBoto3FederatedLogins: boto3 gets credentials for a Google,
// Twitter and SAML login, and gets Cognito's refusal for a wrong-audience
// and a forged one.
func TestInteropBoto3FederatedLogins(t *testing.T) {
	py := interop.Python(t, "boto3")
	e := newFedEnv(t)
	s := e.s
	user := OIDCUser{Sub: "5150"}
	twTok, twSecret := s.MustTwitterLogin(twitterKey, TwitterUser{ID: "3003"})
	google := s.MustGoogleToken(googleClient, user)
	logins := map[string]map[string]string{
		"google":         {GoogleProvider: google},
		"twitter":        {TwitterProvider: twTok + ";" + twSecret},
		"saml":           {e.saml.ARN: s.MustSAMLAssertion(e.saml.ARN, SAMLUser{NameID: "pat"})},
		"wrong audience": {GoogleProvider: s.MustGoogleToken("someone-else", user)},
		"forged":         {GoogleProvider: tamperJWT(t, google)},
	}
	b, err := json.Marshal(logins)
	require.NoError(t, err)
	cmd := exec.Command(py, "-c", pyFederated)
	cmd.Env = append(cmd.Environ(), "ENDPOINT="+s.URL, "POOL="+e.pool, "LOGINS="+string(b))
	out, err := cmd.Output()
	require.NoError(t, err, "%s", out)
	var res map[string]struct {
		OK      bool   `json:"ok"`
		Key     string `json:"key"`
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(string(out))), &res), "%s", out)
	for _, name := range []string{"google", "twitter", "saml"} {
		require.True(t, res[name].OK, "%s: %+v", name, res[name])
		rec, ok := s.ids.LookupCredentials(res[name].Key)
		require.True(t, ok)
		assert.Equal(t, idpAuthRole, rec.RoleARN, name)
	}
	assert.Equal(t, "NotAuthorizedException", res["wrong audience"].Code)
	assert.Equal(t, "Invalid login token. Incorrect token audience.", res["wrong audience"].Message)
	assert.Equal(t, "NotAuthorizedException", res["forged"].Code)
	assert.Equal(t, "Invalid login token. Couldn't verify signed token.", res["forged"].Message)
}
