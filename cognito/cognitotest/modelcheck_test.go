package cognitotest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/awsmodel"
	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

var validationMessage = regexp.MustCompile(`^(1 validation error detected|[0-9]+ validation errors detected): Value `)

// postJSON sends one JSON 1.1 request as aws-sdk-go-v2 does (a SigV4
// header of the right shape for the target's service; the emulator checks
// its shape, not the signature).
func postJSON(t testing.TB, hc *http.Client, url, target string, body []byte) (int, http.Header, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	service := "cognito-idp"
	if strings.HasPrefix(target, "AWSCognitoIdentityService.") {
		service = "cognito-identity"
	}
	fakeSignFor(req, service)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]string
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, resp.Header, m
}

// TestModelConstraintsRefusedOverHTTP is issue 13's done-when test: for
// every operation of the cognito-idp and cognito-identity models,
// implemented by the emulator or not, an input breaking each constraint
// the model declares is sent to the running emulator over HTTP, and every
// one is refused with the service's validation error and AWS's wording.
// The constraints are the model's but for awsmodel's documented pattern
// exceptions: cognito-idp's DomainType pattern, broken here as the
// emulator has it, also allows dotted custom domains, as Cognito does.
func TestModelConstraintsRefusedOverHTTP(t *testing.T) {
	s := newServer(t)
	hc := &http.Client{}
	for _, prefix := range awsmodel.Targets() {
		svc := awsmodel.ForTarget(prefix)
		cases, total, err := svc.AllBrokenInputs()
		require.NoError(t, err)
		accepted := 0
		for _, c := range cases {
			body, err := json.Marshal(c.Input)
			require.NoError(t, err)
			status, h, m := postJSON(t, hc, s.URL, prefix+"."+c.Operation, body)
			if status == http.StatusOK || m["__type"] != svc.ErrorCode {
				accepted++
				t.Errorf("%s %s: answered %d %s %q to %.200s", c.Operation, c.Name, status, m["__type"], m["message"], body)
				continue
			}
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, svc.ErrorCode, h.Get("X-Amzn-ErrorType"))
			assert.Regexp(t, validationMessage, m["message"], "%s %s", c.Operation, c.Name)
			assert.Contains(t, m["message"], c.Want, "%s %s", c.Operation, c.Name)
			if c.Secret != "" {
				assert.NotContains(t, m["message"], c.Secret, "%s %s leaks a sensitive value", c.Operation, c.Name)
			}
		}
		t.Logf("%s: %d operations, %d constraints broken, %d cases sent, %d accepted, %d constraints no input can break or too large to send",
			svc.Name, total.Operations, total.Constraints, total.Cases, accepted, total.Skipped)
		assert.Zero(t, accepted)
	}
}

// TestIssue13ModelValidationFindings replays the inputs issue 13 found
// accepted (6 of 11), through aws-sdk-go-v2: every one is now refused
// with Cognito's wording.
func TestIssue13ModelValidationFindings(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	c := f.c
	big := int32(100)
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"ListUsers Limit 100", func() error {
			_, err := c.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: &f.pool, Limit: &big})
			return err
		}, "1 validation error detected: Value '100' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"ListGroups Limit 100", func() error {
			_, err := c.ListGroups(ctx(), &cip.ListGroupsInput{UserPoolId: &f.pool, Limit: &big})
			return err
		}, "1 validation error detected: Value '100' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"ListUserPoolClients MaxResults 100", func() error {
			_, err := c.ListUserPoolClients(ctx(), &cip.ListUserPoolClientsInput{UserPoolId: &f.pool, MaxResults: &big})
			return err
		}, "1 validation error detected: Value '100' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"AdminListGroupsForUser Limit 100", func() error {
			_, err := c.AdminListGroupsForUser(ctx(), &cip.AdminListGroupsForUserInput{UserPoolId: &f.pool, Username: aws.String("alice"), Limit: &big})
			return err
		}, "1 validation error detected: Value '100' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"GroupName of 200 characters", func() error {
			_, err := c.CreateGroup(ctx(), &cip.CreateGroupInput{UserPoolId: &f.pool, GroupName: aws.String(strings.Repeat("g", 200))})
			return err
		}, "1 validation error detected: Value '" + strings.Repeat("g", 200) + "' at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"ClientName bad name!*", func() error {
			_, err := c.CreateUserPoolClient(ctx(), &cip.CreateUserPoolClientInput{UserPoolId: &f.pool, ClientName: aws.String("bad name!*")})
			return err
		}, `1 validation error detected: Value 'bad name!*' at 'clientName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`},
		{"sensitive password not echoed", func() error {
			_, err := c.SignUp(ctx(), &cip.SignUpInput{ClientId: &f.client.ID, Username: aws.String("bob"), Password: aws.String("has spaces in it")})
			return err
		}, `1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			requireCode(t, err, "InvalidParameterException")
			assert.Equal(t, tc.want, message(err))
		})
	}
	// The same inputs within the model's bounds still work.
	ok := int32(60)
	_, err := c.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: &f.pool, Limit: &ok})
	require.NoError(t, err)
	_, err = c.CreateUserPoolClient(ctx(), &cip.CreateUserPoolClientInput{UserPoolId: &f.pool, ClientName: aws.String("good name")})
	require.NoError(t, err)
}

// TestUnimplementedOperationValidatedFirst checks that an operation the
// emulator does not implement still has its input checked, then answers
// UnknownOperationException.
func TestUnimplementedOperationValidatedFirst(t *testing.T) {
	s := newServer(t)
	svc := awsmodel.ForTarget("AWSCognitoIdentityProviderService")
	var missing string
	for _, op := range svc.Operations() {
		if !userpool.Implemented(op) {
			missing = op
			break
		}
	}
	if missing == "" {
		t.Skip("the emulator implements every cognito-idp operation")
	}
	valid, err := svc.ValidInput(missing)
	require.NoError(t, err)
	body, err := json.Marshal(valid)
	require.NoError(t, err)
	status, _, m := postJSON(t, http.DefaultClient, s.URL, "AWSCognitoIdentityProviderService."+missing, body)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "UnknownOperationException", m["__type"], "%s: %v", missing, m)
	cases, _, err := svc.BrokenInputs(missing)
	require.NoError(t, err)
	if len(cases) > 0 {
		body, err := json.Marshal(cases[0].Input)
		require.NoError(t, err)
		_, _, m = postJSON(t, http.DefaultClient, s.URL, "AWSCognitoIdentityProviderService."+missing, body)
		assert.Equal(t, "InvalidParameterException", m["__type"], "%s: %v", missing, m)
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// errRequestID returns the request ID aws-sdk-go-v2 read from an error
// answer.
func errRequestID(t *testing.T, err error) string {
	t.Helper()
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "%v", err)
	return re.ServiceRequestID()
}

// TestRequestIDOnEveryResponse checks that every answer, success or
// error, of every service carries a UUID in x-amzn-RequestId, which the
// SDKs expose (issue 13: errors had none, and successes 16 hex digits).
func TestRequestIDOnEveryResponse(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	seen := map[string]bool{}
	check := func(t *testing.T, id string) {
		t.Helper()
		require.Regexp(t, uuidV4, id)
		require.False(t, seen[id], "request ID %s reused", id)
		seen[id] = true
	}
	t.Run("cognito-idp success", func(t *testing.T) {
		out, err := f.c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: &f.pool})
		require.NoError(t, err)
		id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		require.True(t, ok)
		check(t, id)
	})
	t.Run("cognito-idp error", func(t *testing.T) {
		_, err := f.c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_nope")})
		requireCode(t, err, "ResourceNotFoundException")
		check(t, errRequestID(t, err))
	})
	t.Run("cognito-idp validation error", func(t *testing.T) {
		_, err := f.c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: aws.String("nope")})
		requireCode(t, err, "InvalidParameterException")
		check(t, errRequestID(t, err))
	})
	ids := ci.NewFromConfig(f.s.Config())
	t.Run("cognito-identity success", func(t *testing.T) {
		out, err := ids.ListIdentityPools(ctx(), &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(10)})
		require.NoError(t, err)
		id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		require.True(t, ok)
		check(t, id)
	})
	t.Run("cognito-identity error", func(t *testing.T) {
		_, err := ids.DescribeIdentityPool(ctx(), &ci.DescribeIdentityPoolInput{IdentityPoolId: aws.String("us-east-1:00000000-0000-4000-8000-000000000000")})
		requireCode(t, err, "ResourceNotFoundException")
		check(t, errRequestID(t, err))
	})
	t.Run("cognito-identity validation error", func(t *testing.T) {
		_, err := ids.ListIdentityPools(ctx(), &ci.ListIdentityPoolsInput{MaxResults: aws.Int32(0)})
		requireCode(t, err, "ValidationException")
		assert.Equal(t, "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1", message(err))
		check(t, errRequestID(t, err))
	})
	t.Run("sts error, header and XML agree", func(t *testing.T) {
		_, err := sts.NewFromConfig(f.s.Config()).AssumeRoleWithWebIdentity(ctx(), &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String("arn:aws:iam::123456789012:role/x"), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String("not-a-token")})
		require.Error(t, err)
		check(t, errRequestID(t, err))

		form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {"arn:aws:iam::123456789012:role/x"},
			"RoleSessionName": {"s1"}, "WebIdentityToken": {"not-a-token"}}
		resp, err := http.Post(f.s.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		defer resp.Body.Close()
		var body struct {
			RequestID string `xml:"RequestId"`
		}
		require.NoError(t, xml.NewDecoder(resp.Body).Decode(&body))
		check(t, resp.Header.Get("x-amzn-RequestId"))
		assert.Equal(t, resp.Header.Get("x-amzn-RequestId"), body.RequestID)
	})
	t.Run("other paths", func(t *testing.T) {
		for _, req := range []struct{ method, path string }{
			{http.MethodGet, "/" + f.pool + "/.well-known/jwks.json"},
			{http.MethodGet, "/no/such/path"},
			{http.MethodOptions, "/"},
		} {
			r, err := http.NewRequest(req.method, f.s.URL+req.path, nil)
			require.NoError(t, err)
			r.Header.Set("Access-Control-Request-Method", "POST")
			resp, err := http.DefaultClient.Do(r)
			require.NoError(t, err)
			resp.Body.Close()
			check(t, resp.Header.Get("x-amzn-RequestId"))
		}
	})
}
