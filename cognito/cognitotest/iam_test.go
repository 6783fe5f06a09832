package cognitotest

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	tfTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}]}`
	allowPOST = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:demoapi/*/POST/test"}]}`
	allowGET  = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:*:*:demoapi/*/GET/*"}}`
)

// httpStatus returns the HTTP status of an SDK error.
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// TestIAMRoleDecidesWhoMayCallTheAPI: a role made through the IAM API,
// with an inline policy, is the one an identity pool hands out and the
// one the gateway evaluates; changing the inline policy changes what the
// credentials may call.
func TestIAMRoleDecidesWhoMayCallTheAPI(t *testing.T) {
	f := setup(t, PoolOptions{Name: "tf"}, ClientOptions{Name: "web"})
	f.s.MustPutAPI(API{ID: "demoapi", Routes: []Route{
		{Method: "POST", Path: "/test", Authorization: AuthIAM, Message: "hello world"},
		{Method: "GET", Path: "/items", Authorization: AuthIAM, Message: "items"},
	}})
	cl := iam.NewFromConfig(f.s.Config())
	created, err := cl.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String("tf_auth"), AssumeRolePolicyDocument: aws.String(tfTrust),
		Path: aws.String("/cognito/"), Description: aws.String("authenticated users"), Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("test")}}})
	require.NoError(t, err)
	role := created.Role
	assert.Equal(t, "arn:aws:iam::123456789012:role/cognito/tf_auth", *role.Arn)
	assert.Regexp(t, `^AROA[A-Z2-7]{17}$`, *role.RoleId)
	_, err = cl.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: aws.String("tf_auth"), PolicyName: aws.String("invoke"), PolicyDocument: aws.String(allowPOST)})
	require.NoError(t, err)

	pool := f.s.MustCreateIdentityPool(IdentityPoolOptions{
		UserPools:         []IdentityPoolUserPool{{UserPoolID: f.pool, ClientID: f.client.ID}},
		AuthenticatedRole: *role.Arn,
	})
	ff := &fedFixture{fixture: f, ids: ci.NewFromConfig(f.s.Config()), identity: pool}
	tok := mustTokens(t, f, "alice")
	creds, _, err := ff.credentialsFor(t, map[string]string{f.s.IdentityProviderName(f.pool): *tok.IdToken})
	require.NoError(t, err)
	api := f.s.APIURL("demoapi", "")

	status, body := callAPI(t, signer(f.s, creds), "POST", api+"/test", "")
	require.Equal(t, http.StatusOK, status, body)
	status, _ = callAPI(t, signer(f.s, creds), "GET", api+"/items", "")
	assert.Equal(t, http.StatusForbidden, status, "the inline policy allows POST /test only")

	// The caller is the assumed role, with the role's ID.
	who, err := sts.NewFromConfig(f.s.Config(), func(o *sts.Options) { o.Credentials = creds }).GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/tf_auth/CognitoIdentityCredentials", *who.Arn)
	assert.Equal(t, *role.RoleId+":CognitoIdentityCredentials", *who.UserId)
	assert.Equal(t, AccountID, *who.Account)

	// Replacing the inline policy: POST is denied, GET allowed.
	_, err = cl.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: aws.String("tf_auth"), PolicyName: aws.String("invoke"), PolicyDocument: aws.String(allowGET)})
	require.NoError(t, err)
	status, _ = callAPI(t, signer(f.s, creds), "POST", api+"/test", "")
	assert.Equal(t, http.StatusForbidden, status)
	status, _ = callAPI(t, signer(f.s, creds), "GET", api+"/items", "")
	assert.Equal(t, http.StatusOK, status)
	// A second inline policy adds to the first: the union is evaluated.
	_, err = cl.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: aws.String("tf_auth"), PolicyName: aws.String("post"), PolicyDocument: aws.String(allowPOST)})
	require.NoError(t, err)
	status, _ = callAPI(t, signer(f.s, creds), "POST", api+"/test", "")
	assert.Equal(t, http.StatusOK, status)

	// A role with inline policies cannot be deleted, as in IAM.
	_, err = cl.DeleteRole(ctx(), &iam.DeleteRoleInput{RoleName: aws.String("tf_auth")})
	requireCode(t, err, "DeleteConflict")
	assert.Equal(t, http.StatusConflict, httpStatus(err))
	for _, p := range []string{"invoke", "post"} {
		_, err = cl.DeleteRolePolicy(ctx(), &iam.DeleteRolePolicyInput{RoleName: aws.String("tf_auth"), PolicyName: aws.String(p)})
		require.NoError(t, err)
	}
	status, _ = callAPI(t, signer(f.s, creds), "GET", api+"/items", "")
	assert.Equal(t, http.StatusForbidden, status, "no inline policy: nothing is allowed")
	_, err = cl.DeleteRole(ctx(), &iam.DeleteRoleInput{RoleName: aws.String("tf_auth")})
	require.NoError(t, err)
	_, err = cl.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("tf_auth")})
	requireCode(t, err, "NoSuchEntity")
	assert.Equal(t, http.StatusNotFound, httpStatus(err))
}

// TestIAMRoleAPI walks the role API the way Terraform's aws_iam_role and
// aws_iam_role_policy do, each success beside the refusal IAM gives.
func TestIAMRoleAPI(t *testing.T) {
	s := newServer(t)
	cl := iam.NewFromConfig(s.Config())
	name := aws.String("app")
	_, err := cl.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: aws.String(tfTrust), MaxSessionDuration: aws.Int32(7200),
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})
	require.NoError(t, err)

	t.Run("GetRole", func(t *testing.T) {
		out, err := cl.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("APP")})
		require.NoError(t, err, "role names are case-insensitive")
		r := out.Role
		assert.Equal(t, "app", *r.RoleName)
		assert.Equal(t, "/", *r.Path)
		assert.Equal(t, int32(7200), *r.MaxSessionDuration)
		assert.Equal(t, "arn:aws:iam::aws:policy/PowerUserAccess", *r.PermissionsBoundary.PermissionsBoundaryArn)
		doc, err := url.QueryUnescape(*r.AssumeRolePolicyDocument)
		require.NoError(t, err)
		assert.JSONEq(t, tfTrust, doc, "the trust policy comes back URL-encoded")
		assert.WithinDuration(t, s.Now(), *r.CreateDate, 2*time.Second)
		assert.NotNil(t, r.RoleLastUsed)
		_, err = cl.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("nope")})
		requireCode(t, err, "NoSuchEntity")
	})
	t.Run("CreateRole refusals", func(t *testing.T) {
		tests := []struct {
			name string
			in   iam.CreateRoleInput
			code string
		}{
			{"exists", iam.CreateRoleInput{RoleName: aws.String("App"), AssumeRolePolicyDocument: aws.String(tfTrust)}, "EntityAlreadyExists"},
			{"bad name", iam.CreateRoleInput{RoleName: aws.String("a b"), AssumeRolePolicyDocument: aws.String(tfTrust)}, "ValidationError"},
			{"bad path", iam.CreateRoleInput{RoleName: aws.String("p"), Path: aws.String("nopath"), AssumeRolePolicyDocument: aws.String(tfTrust)}, "ValidationError"},
			{"empty trust", iam.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String("")}, "ValidationError"},
			{"trust not json", iam.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String("{")}, "MalformedPolicyDocument"},
			{"trust without principal", iam.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)}, "MalformedPolicyDocument"},
			{"short session", iam.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String(tfTrust), MaxSessionDuration: aws.Int32(60)}, "ValidationError"},
			{"aws: tag", iam.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String(tfTrust), Tags: []iamtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("")}}}, "InvalidInput"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := cl.CreateRole(ctx(), &tc.in)
				requireCode(t, err, tc.code)
			})
		}
	})
	t.Run("inline policies", func(t *testing.T) {
		_, err := cl.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: name, PolicyName: aws.String("p1"), PolicyDocument: aws.String(allowGET)})
		require.NoError(t, err)
		got, err := cl.GetRolePolicy(ctx(), &iam.GetRolePolicyInput{RoleName: name, PolicyName: aws.String("p1")})
		require.NoError(t, err)
		doc, err := url.QueryUnescape(*got.PolicyDocument)
		require.NoError(t, err)
		assert.Equal(t, allowGET, doc)
		list, err := cl.ListRolePolicies(ctx(), &iam.ListRolePoliciesInput{RoleName: name})
		require.NoError(t, err)
		assert.Equal(t, []string{"p1"}, list.PolicyNames)

		_, err = cl.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: name, PolicyName: aws.String("p2"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Boolean":{"aws:SecureTransport":"true"}}}]}`)})
		requireCode(t, err, "MalformedPolicyDocument")
		assert.Contains(t, message(err), "Condition")
		_, err = cl.GetRolePolicy(ctx(), &iam.GetRolePolicyInput{RoleName: name, PolicyName: aws.String("p2")})
		requireCode(t, err, "NoSuchEntity")
		_, err = cl.DeleteRolePolicy(ctx(), &iam.DeleteRolePolicyInput{RoleName: name, PolicyName: aws.String("p2")})
		requireCode(t, err, "NoSuchEntity")
		_, err = cl.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowGET)})
		requireCode(t, err, "NoSuchEntity")
	})
	t.Run("attached policies and instance profiles", func(t *testing.T) {
		_, err := cl.AttachRolePolicy(ctx(), &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
		require.NoError(t, err)
		_, err = cl.AttachRolePolicy(ctx(), &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: aws.String("arn:aws:iam::123456789012:policy/mine")})
		requireCode(t, err, "NoSuchEntity")
		att, err := cl.ListAttachedRolePolicies(ctx(), &iam.ListAttachedRolePoliciesInput{RoleName: name})
		require.NoError(t, err)
		require.Len(t, att.AttachedPolicies, 1)
		assert.Equal(t, "ReadOnlyAccess", *att.AttachedPolicies[0].PolicyName)
		_, err = cl.DetachRolePolicy(ctx(), &iam.DetachRolePolicyInput{RoleName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
		require.NoError(t, err)
		_, err = cl.DetachRolePolicy(ctx(), &iam.DetachRolePolicyInput{RoleName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
		requireCode(t, err, "NoSuchEntity")
		att, err = cl.ListAttachedRolePolicies(ctx(), &iam.ListAttachedRolePoliciesInput{RoleName: name})
		require.NoError(t, err)
		assert.Empty(t, att.AttachedPolicies)
		ip, err := cl.ListInstanceProfilesForRole(ctx(), &iam.ListInstanceProfilesForRoleInput{RoleName: name})
		require.NoError(t, err)
		assert.Empty(t, ip.InstanceProfiles)
		assert.False(t, ip.IsTruncated)
		_, err = cl.ListInstanceProfilesForRole(ctx(), &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("ghost")})
		requireCode(t, err, "NoSuchEntity")
	})
	t.Run("tags", func(t *testing.T) {
		_, err := cl.TagRole(ctx(), &iam.TagRoleInput{RoleName: name, Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}})
		require.NoError(t, err)
		_, err = cl.UntagRole(ctx(), &iam.UntagRoleInput{RoleName: name, TagKeys: []string{"a"}})
		require.NoError(t, err)
		tags, err := cl.ListRoleTags(ctx(), &iam.ListRoleTagsInput{RoleName: name})
		require.NoError(t, err)
		require.Len(t, tags.Tags, 1)
		assert.Equal(t, "b", *tags.Tags[0].Key)
		got, err := cl.GetRole(ctx(), &iam.GetRoleInput{RoleName: name})
		require.NoError(t, err)
		require.Len(t, got.Role.Tags, 1)
		many := make([]iamtypes.Tag, 50)
		for i := range many {
			many[i] = iamtypes.Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("")}
		}
		_, err = cl.TagRole(ctx(), &iam.TagRoleInput{RoleName: name, Tags: many})
		requireCode(t, err, "LimitExceeded")
	})
	t.Run("updates", func(t *testing.T) {
		newTrust := strings.Replace(tfTrust, `"authenticated"`, `"unauthenticated"`, 1)
		_, err := cl.UpdateAssumeRolePolicy(ctx(), &iam.UpdateAssumeRolePolicyInput{RoleName: name, PolicyDocument: aws.String(newTrust)})
		require.NoError(t, err)
		r, ok := s.ids.Role("arn:aws:iam::123456789012:role/app")
		require.True(t, ok)
		assert.Equal(t, "unauthenticated", r.TrustedAMR, "the identity pools' trust follows the trust policy")
		_, err = cl.UpdateAssumeRolePolicy(ctx(), &iam.UpdateAssumeRolePolicyInput{RoleName: name, PolicyDocument: aws.String("nope")})
		requireCode(t, err, "MalformedPolicyDocument")
		_, err = cl.UpdateRole(ctx(), &iam.UpdateRoleInput{RoleName: name, Description: aws.String("d1"), MaxSessionDuration: aws.Int32(3600)})
		require.NoError(t, err)
		_, err = cl.UpdateRole(ctx(), &iam.UpdateRoleInput{RoleName: name, MaxSessionDuration: aws.Int32(99999)})
		requireCode(t, err, "ValidationError")
		d, err := cl.UpdateRoleDescription(ctx(), &iam.UpdateRoleDescriptionInput{RoleName: name, Description: aws.String("d2")})
		require.NoError(t, err)
		assert.Equal(t, "d2", *d.Role.Description)
		assert.Equal(t, int32(3600), *d.Role.MaxSessionDuration)
		_, err = cl.UpdateRoleDescription(ctx(), &iam.UpdateRoleDescriptionInput{RoleName: aws.String("ghost"), Description: aws.String("d")})
		requireCode(t, err, "NoSuchEntity")
	})
	t.Run("ListRoles shows roles declared outside IAM", func(t *testing.T) {
		s.MustPutRole(Role{ARN: "arn:aws:iam::123456789012:role/service/Legacy", TrustedIdentityPools: []string{"us-east-1:p"}, Policy: allowPOST})
		out, err := cl.ListRoles(ctx(), &iam.ListRolesInput{})
		require.NoError(t, err)
		var names []string
		for _, r := range out.Roles {
			names = append(names, *r.RoleName)
		}
		assert.Equal(t, []string{"Legacy", "app"}, names)
		page, err := cl.ListRoles(ctx(), &iam.ListRolesInput{MaxItems: aws.Int32(1)})
		require.NoError(t, err)
		assert.True(t, page.IsTruncated)
		page, err = cl.ListRoles(ctx(), &iam.ListRolesInput{MaxItems: aws.Int32(1), Marker: page.Marker})
		require.NoError(t, err)
		assert.False(t, page.IsTruncated)
		assert.Equal(t, "app", *page.Roles[0].RoleName)
		filtered, err := cl.ListRoles(ctx(), &iam.ListRolesInput{PathPrefix: aws.String("/service/")})
		require.NoError(t, err)
		require.Len(t, filtered.Roles, 1)

		legacy, err := cl.GetRolePolicy(ctx(), &iam.GetRolePolicyInput{RoleName: aws.String("Legacy"), PolicyName: aws.String("policy")})
		require.NoError(t, err, "PutRole's policy is the role's one inline policy")
		doc, _ := url.QueryUnescape(*legacy.PolicyDocument)
		assert.Equal(t, allowPOST, doc)
		got, err := cl.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("Legacy")})
		require.NoError(t, err)
		assert.Equal(t, "/service/", *got.Role.Path)
		trust, _ := url.QueryUnescape(*got.Role.AssumeRolePolicyDocument)
		assert.Contains(t, trust, `"us-east-1:p"`)
	})
}

// TestQueryClientsGetXML is the regression test for the finding "aws sts
// get-caller-identity gets a JSON body for an XML (Query-protocol)
// client": every Query answer, errors included, is XML in AWS's shape
// with the request ID of the x-amzn-RequestId header.
func TestQueryClientsGetXML(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, form, auth, code, typ string
		status                      int
	}{
		{"unknown STS action", "Action=GetSessionToken&Version=2011-06-15", "", "InvalidAction", "Sender", 400},
		{"GetCallerIdentity unsigned", "Action=GetCallerIdentity&Version=2011-06-15", "", "MissingAuthenticationToken", "Sender", 403},
		{"GetCallerIdentity unknown key", "Action=GetCallerIdentity&Version=2011-06-15", "sts", "InvalidClientTokenId", "Sender", 403},
		{"IAM unsigned", "Action=GetRole&RoleName=x&Version=2010-05-08", "", "MissingAuthenticationToken", "Sender", 403},
		{"IAM no such role", "Action=GetRole&RoleName=x&Version=2010-05-08", "iam", "NoSuchEntity", "Sender", 404},
		{"IAM signed for sts", "Action=GetRole&RoleName=x&Version=2010-05-08", "sts", "InvalidSignature", "Sender", 403},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", s.URL+"/", strings.NewReader(tc.form))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			if tc.auth != "" {
				fakeSignFor(req, tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			body := string(raw)
			assert.Equal(t, tc.status, resp.StatusCode, body)
			assert.Equal(t, "text/xml", resp.Header.Get("Content-Type"))
			assert.Regexp(t, regexp.MustCompile(`^<\?xml[^>]*\?>\s*<ErrorResponse xmlns="https://(sts|iam)\.amazonaws\.com/doc/[0-9-]+/"><Error><Type>`+tc.typ+
				`</Type><Code>`+tc.code+`</Code><Message>[^<]+</Message></Error><RequestId>`+resp.Header.Get("X-Amzn-Requestid")+`</RequestId></ErrorResponse>$`), body)
			assert.NotEmpty(t, resp.Header.Get("X-Amzn-Requestid"))
		})
	}
	// A JSON client without X-Amz-Target still gets JSON.
	resp, err := http.Post(s.URL+"/", "application/x-amz-json-1.1", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "UnknownOperationException", resp.Header.Get("X-Amzn-ErrorType"))
}

// TestGetCallerIdentity: the caller of an IAM user's keys is the user;
// the signature is checked with the user's secret.
func TestGetCallerIdentity(t *testing.T) {
	s := newServer(t)
	s.MustPutIAMUser(IAMUser{ARN: "arn:aws:iam::123456789012:user/dev", AccessKeyID: "AKIADEVEXAMPLE000001", SecretAccessKey: "dev-secret"})
	client := func(secret string) *sts.Client {
		return sts.NewFromConfig(s.Config(), func(o *sts.Options) {
			o.Credentials = credentials.NewStaticCredentialsProvider("AKIADEVEXAMPLE000001", secret, "")
		})
	}
	out, err := client("dev-secret").GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::123456789012:user/dev", *out.Arn)
	assert.Regexp(t, `^AIDA[A-Z2-7]{17}$`, *out.UserId)
	assert.Equal(t, AccountID, *out.Account)

	_, err = client("wrong-secret").GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
	requireCode(t, err, "SignatureDoesNotMatch")
	_, err = sts.NewFromConfig(s.Config()).GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
	requireCode(t, err, "InvalidClientTokenId")
}

// TestIAMRolesPersist: a role made through IAM, with its ID, inline
// policies and tags, survives a restart from the state file; a role
// deleted through IAM stays deleted.
func TestIAMRolesPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s1 := NewServer(func(o *Options) { o.StatePath = path })
	cl := iam.NewFromConfig(s1.Config())
	created, err := cl.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String("kept"), AssumeRolePolicyDocument: aws.String(tfTrust),
		Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	require.NoError(t, err)
	_, err = cl.PutRolePolicy(ctx(), &iam.PutRolePolicyInput{RoleName: aws.String("kept"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowGET)})
	require.NoError(t, err)
	_, err = cl.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String("gone"), AssumeRolePolicyDocument: aws.String(tfTrust)})
	require.NoError(t, err)
	_, err = cl.DeleteRole(ctx(), &iam.DeleteRoleInput{RoleName: aws.String("gone")})
	require.NoError(t, err)
	s1.Close()

	s2 := NewServer(func(o *Options) { o.StatePath = path })
	defer s2.Close()
	cl = iam.NewFromConfig(s2.Config())
	got, err := cl.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("kept")})
	require.NoError(t, err)
	assert.Equal(t, *created.Role.RoleId, *got.Role.RoleId)
	assert.Equal(t, created.Role.CreateDate.Unix(), got.Role.CreateDate.Unix())
	require.Len(t, got.Role.Tags, 1)
	pol, err := cl.ListRolePolicies(ctx(), &iam.ListRolePoliciesInput{RoleName: aws.String("kept")})
	require.NoError(t, err)
	assert.Equal(t, []string{"p"}, pol.PolicyNames)
	r, ok := s2.ids.Role(*got.Role.Arn)
	require.True(t, ok)
	assert.Contains(t, r.Policy, "GET", "the gateway's policy is restored with the role")
	_, err = cl.GetRole(ctx(), &iam.GetRoleInput{RoleName: aws.String("gone")})
	requireCode(t, err, "NoSuchEntity")
}

// TestIAMTrustPolicyDecidesTheBasicFlow: the trust policy set through IAM
// is what AssumeRoleWithWebIdentity checks: a role trusting another
// identity pool, or no Cognito principal, is refused; trusting this pool
// it is granted, and GetCallerIdentity names the session.
func TestIAMTrustPolicyDecidesTheBasicFlow(t *testing.T) {
	f := newFedFixture(t)
	cl := iam.NewFromConfig(f.s.Config())
	trustPool := func(pool string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},` +
			`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"` + pool + `"}}}]}`
	}
	created, err := cl.CreateRole(ctx(), &iam.CreateRoleInput{RoleName: aws.String("basic"), AssumeRolePolicyDocument: aws.String(trustPool("us-east-1:00000000-0000-4000-8000-000000000000"))})
	require.NoError(t, err)
	tok := mustTokens(t, f.fixture, "alice")
	logins := map[string]string{f.s.IdentityProviderName(f.pool): *tok.IdToken}
	id, err := f.ids.GetId(ctx(), &ci.GetIdInput{IdentityPoolId: &f.identity, Logins: logins})
	require.NoError(t, err)
	assume := func() (*sts.AssumeRoleWithWebIdentityOutput, error) {
		oid, err := f.ids.GetOpenIdToken(ctx(), &ci.GetOpenIdTokenInput{IdentityId: id.IdentityId, Logins: logins})
		require.NoError(t, err)
		return sts.NewFromConfig(f.s.Config()).AssumeRoleWithWebIdentity(ctx(), &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: created.Role.Arn, RoleSessionName: aws.String("alice"), WebIdentityToken: oid.Token})
	}
	_, err = assume()
	requireCode(t, err, "AccessDenied")

	_, err = cl.UpdateAssumeRolePolicy(ctx(), &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("basic"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	require.NoError(t, err)
	_, err = assume()
	requireCode(t, err, "AccessDenied")

	_, err = cl.UpdateAssumeRolePolicy(ctx(), &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("basic"), PolicyDocument: aws.String(trustPool(f.identity))})
	require.NoError(t, err)
	out, err := assume()
	require.NoError(t, err)
	creds := credentials.NewStaticCredentialsProvider(*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	who, err := sts.NewFromConfig(f.s.Config(), func(o *sts.Options) { o.Credentials = creds }).GetCallerIdentity(ctx(), &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sts::123456789012:assumed-role/basic/alice", *who.Arn)
	assert.Equal(t, *created.Role.RoleId+":alice", *who.UserId)
}
