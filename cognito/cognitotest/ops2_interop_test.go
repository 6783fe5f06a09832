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
// against its output shape in botocore's model with testdata/shapecheck.py.
const pyOps2Shapes = `
import base64, hashlib, hmac, json, os, sys, boto3
sys.path.insert(0, os.environ['SHAPECHECK_DIR'])
import shapecheck
c = boto3.client('cognito-idp', endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1',
                 aws_access_key_id='AKIDX', aws_secret_access_key='x')
pool, cid, secret, pw = os.environ['POOL'], os.environ['CLIENT'], os.environ['SECRET'], os.environ['PASSWORD']
problems, seen = [], []
shapecheck.watch(c, problems, seen)
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
print(json.dumps({'operations': sorted(set(seen)), 'problems': problems}))
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
		"SECRET="+f.client.Secret, "PASSWORD="+testPassword, shapecheckDir(t))
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
