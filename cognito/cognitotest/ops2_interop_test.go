package cognitotest

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// pyOps2Shapes calls, through boto3, the client-secret, user-settings,
// attribute, auth-event and risk operations and checks each raw answer
// against its output shape in botocore's model: every key a member, every
// required member present, at every depth.
const pyOps2Shapes = `
import base64, hashlib, hmac, json, os, boto3
c = boto3.client('cognito-idp', endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1',
                 aws_access_key_id='AKIDX', aws_secret_access_key='x')
pool, cid, secret, pw = os.environ['POOL'], os.environ['CLIENT'], os.environ['SECRET'], os.environ['PASSWORD']
raw = []
def keep(http_response, parsed, model, **kw):
    if http_response.status_code == 200:
        raw.append((model.name, json.loads(http_response.content or b'{}'), model.output_shape))
c.meta.events.register('after-call.cognito-idp', keep)
problems = []
def check(shape, v, path):
    if shape is None:
        return
    if shape.type_name == 'structure':
        if not isinstance(v, dict):
            problems.append(path + ': not an object'); return
        for k, x in v.items():
            if k not in shape.members:
                problems.append(path + '.' + k + ': not a member')
            else:
                check(shape.members[k], x, path + '.' + k)
        for r in shape.required_members:
            if r not in v:
                problems.append(path + '.' + r + ': required, missing')
    elif shape.type_name == 'list':
        for i, x in enumerate(v):
            check(shape.member, x, path + '[%d]' % i)
    elif shape.type_name == 'timestamp' and not isinstance(v, (int, float)):
        problems.append(path + ': not epoch seconds')
    elif shape.type_name == 'string' and shape.enum and v not in shape.enum:
        problems.append(path + ': %r not in the enum' % v)
h = base64.b64encode(hmac.new(secret.encode(), ('alice' + cid).encode(), hashlib.sha256).digest()).decode()
auth = dict(ClientId=cid, AuthFlow='USER_PASSWORD_AUTH', AuthParameters={'USERNAME': 'alice', 'PASSWORD': pw, 'SECRET_HASH': h})
at = c.initiate_auth(**auth)['AuthenticationResult']['AccessToken']
d = c.add_user_pool_client_secret(UserPoolId=pool, ClientId=cid)['ClientSecretDescriptor']
c.list_user_pool_client_secrets(UserPoolId=pool, ClientId=cid)
c.delete_user_pool_client_secret(UserPoolId=pool, ClientId=cid, ClientSecretId=d['ClientSecretId'])
c.set_user_settings(AccessToken=at, MFAOptions=[{'DeliveryMedium': 'SMS', 'AttributeName': 'phone_number'}])
c.admin_set_user_settings(UserPoolId=pool, Username='alice', MFAOptions=[])
c.get_user(AccessToken=at)
c.admin_get_user(UserPoolId=pool, Username='alice')
c.delete_user_attributes(AccessToken=at, UserAttributeNames=['name'])
c.admin_delete_user_attributes(UserPoolId=pool, Username='alice', UserAttributeNames=['locale'])
ev = c.admin_list_user_auth_events(UserPoolId=pool, Username='alice', MaxResults=1)['AuthEvents'][0]
c.admin_update_auth_event_feedback(UserPoolId=pool, Username='alice', EventId=ev['EventId'], FeedbackValue='Valid')
c.admin_list_user_auth_events(UserPoolId=pool, Username='alice')
try:
    c.update_auth_event_feedback(UserPoolId=pool, Username='alice', EventId=ev['EventId'], FeedbackToken='wrong', FeedbackValue='Invalid')
    problems.append('UpdateAuthEventFeedback took a wrong token')
except c.exceptions.NotAuthorizedException:
    pass
c.set_risk_configuration(UserPoolId=pool, ClientId=cid,
    AccountTakeoverRiskConfiguration={'Actions': {'HighAction': {'Notify': False, 'EventAction': 'BLOCK'}}},
    RiskExceptionConfiguration={'BlockedIPRangeList': ['192.0.2.0/24']})
c.describe_risk_configuration(UserPoolId=pool, ClientId=cid)
c.describe_risk_configuration(UserPoolId=pool)
for name, body, shape in raw:
    check(shape, body, name)
print(json.dumps({'operations': sorted(set(r[0] for r in raw)), 'problems': problems}))
`

// TestInteropBoto3Ops2Shapes: every answer of the client-secret,
// user-settings, attribute, auth-event and risk operations, as boto3
// receives it, fits its output shape in botocore's model.
func TestInteropBoto3Ops2Shapes(t *testing.T) {
	py := interop.Python(t, "boto3")
	f := setup(t, PoolOptions{Tier: "PLUS", ThreatProtection: "AUDIT"}, ClientOptions{GenerateSecret: true})
	_, err := f.c.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: &f.pool, Username: aws.String("alice"),
		UserAttributes: []types.AttributeType{attr("phone_number", "+15550100"), attr("name", "Alice"), attr("locale", "en")}})
	require.NoError(t, err)
	cmd := exec.Command(py, "-c", pyOps2Shapes)
	cmd.Env = append(cmd.Environ(), "ENDPOINT="+f.s.URL, "POOL="+f.pool, "CLIENT="+f.client.ID,
		"SECRET="+f.client.Secret, "PASSWORD="+testPassword)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var res struct {
		Operations []string `json:"operations"`
		Problems   []string `json:"problems"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(string(out))), &res), "%s", out)
	assert.Len(t, res.Operations, 14)
	assert.Empty(t, res.Problems)
}
