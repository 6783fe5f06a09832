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

// pyRotateSecret rotates an app client's secret with boto3: adds a
// second, signs in with the SECRET_HASH of each, deletes the first, signs
// in with each again and tries to delete the last one.
const pyRotateSecret = `
import base64, hashlib, hmac, json, os, boto3, botocore
c = boto3.client('cognito-idp', endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1',
                 aws_access_key_id='AKIDX', aws_secret_access_key='x')
pool, cid, first, pw = os.environ['POOL'], os.environ['CLIENT'], os.environ['SECRET'], os.environ['PASSWORD']
def code(f):
    try:
        f()
        return 'ok'
    except botocore.exceptions.ClientError as e:
        return e.response['Error']['Code']
def signin(secret):
    h = base64.b64encode(hmac.new(secret.encode(), ('alice' + cid).encode(), hashlib.sha256).digest()).decode()
    return code(lambda: c.initiate_auth(ClientId=cid, AuthFlow='USER_PASSWORD_AUTH',
        AuthParameters={'USERNAME': 'alice', 'PASSWORD': pw, 'SECRET_HASH': h})['AuthenticationResult']['IdToken'])
out = {}
d = c.add_user_pool_client_secret(UserPoolId=pool, ClientId=cid)['ClientSecretDescriptor']
second = d['ClientSecretValue']
listed = c.list_user_pool_client_secrets(UserPoolId=pool, ClientId=cid)['ClientSecrets']
out['listed'] = len(listed)
out['values_listed'] = any('ClientSecretValue' in s for s in listed)
out['new_id_listed'] = d['ClientSecretId'] == listed[1]['ClientSecretId']
out['first'], out['second'] = signin(first), signin(second)
c.delete_user_pool_client_secret(UserPoolId=pool, ClientId=cid, ClientSecretId=listed[0]['ClientSecretId'])
out['first_after'], out['second_after'] = signin(first), signin(second)
out['delete_last'] = code(lambda: c.delete_user_pool_client_secret(UserPoolId=pool, ClientId=cid,
    ClientSecretId=d['ClientSecretId']))
out['primary_is_second'] = c.describe_user_pool_client(UserPoolId=pool, ClientId=cid)['UserPoolClient']['ClientSecret'] == second
print(json.dumps(out))
`

// TestInteropBoto3RotateClientSecret: boto3 rotates an app client's
// secret: while both are valid, a SECRET_HASH of either signs in; once the
// old one is deleted, it is refused and the new one is the client's.
func TestInteropBoto3RotateClientSecret(t *testing.T) {
	py := interop.Python(t, "boto3")
	f := setup(t, PoolOptions{}, ClientOptions{GenerateSecret: true})
	cmd := exec.Command(py, "-c", pyRotateSecret)
	cmd.Env = append(cmd.Environ(), "ENDPOINT="+f.s.URL, "POOL="+f.pool, "CLIENT="+f.client.ID,
		"SECRET="+f.client.Secret, "PASSWORD="+testPassword)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(string(out))), &res), "%s", out)
	assert.Equal(t, map[string]any{"listed": float64(2), "values_listed": false, "new_id_listed": true,
		"first": "ok", "second": "ok", "first_after": "NotAuthorizedException", "second_after": "ok",
		"delete_last": "InvalidParameterException", "primary_is_second": true}, res)
}
