package cognitotest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorShape(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name, target, body string
		status             int
		wantType           string
	}{
		{"unknown operation", "AWSCognitoIdentityProviderService.FlyToTheMoon", "{}", 400, "UnknownOperationException"},
		{"unknown service", "NoSuchService.Op", "{}", 400, "UnknownOperationException"},
		{"malformed json", "AWSCognitoIdentityProviderService.DescribeUserPool", "{", 400, "SerializationException"},
		{"missing pool", "AWSCognitoIdentityProviderService.DescribeUserPool", `{"UserPoolId":"us-east-1_nope"}`, 400, "ResourceNotFoundException"},
		{"ok", "AWSCognitoIdentityProviderService.ListUserPools", `{"MaxResults":10}`, 200, ""},
		{"unsigned admin operation", "AWSCognitoIdentityProviderService.ListUserPools", `{"MaxResults":10}`, 400, "MissingAuthenticationTokenException"},
		{"unsigned public operation", "AWSCognitoIdentityProviderService.GetUser", `{"AccessToken":"x"}`, 400, "NotAuthorizedException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", s.URL+"/", strings.NewReader(tc.body))
			req.Header.Set("X-Amz-Target", tc.target)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			if !strings.HasPrefix(tc.name, "unsigned") {
				fakeSign(req)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			assert.Equal(t, tc.status, resp.StatusCode)
			b, _ := io.ReadAll(resp.Body)
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m), "body %s", b)
			if tc.wantType != "" {
				assert.Equal(t, tc.wantType, resp.Header.Get("X-Amzn-ErrorType"))
				assert.Equal(t, tc.wantType, m["__type"])
				assert.NotEmpty(t, m["message"])
			}
			if tc.name == "unknown operation" {
				assert.Contains(t, m["message"], "FlyToTheMoon")
			}
		})
	}
	resp, err := http.Get(s.URL + "/nothing/here")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "application/x-amz-json-1.1", resp.Header.Get("Content-Type"))
}

func TestClock(t *testing.T) {
	base := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s := newServer(t, func(o *Options) { o.Clock = func() time.Time { return base } })
	assert.Equal(t, base, s.Now())
	s.Advance(time.Hour)
	assert.Equal(t, base.Add(time.Hour), s.Now())
	assert.Equal(t, s.URL+"/us-east-1_x", s.Issuer("us-east-1_x"))
	assert.Equal(t, s.URL+"/us-east-1_x/.well-known/jwks.json", s.JWKSURL("us-east-1_x"))
}

func TestUnstartedServer(t *testing.T) {
	s := NewUnstartedServer(func(o *Options) { o.Region = "eu-west-1" })
	assert.Empty(t, s.URL)
	s.Start()
	defer s.Close()
	assert.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:"))
	pool := s.MustCreateUserPool(PoolOptions{})
	assert.True(t, strings.HasPrefix(pool, "eu-west-1_"))
	assert.Len(t, pool, len("eu-west-1_")+9)
	assert.Panics(t, s.Start)
	s.Close()
	s.Close() // idempotent
}

func TestUserPoolCRUD(t *testing.T) {
	s := newServer(t)
	c := idp(s)
	created, err := c.CreateUserPool(ctx(), &cip.CreateUserPoolInput{
		PoolName:               aws.String("p1"),
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		MfaConfiguration:       types.UserPoolMfaTypeOptional,
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(10), RequireNumbers: true}},
		Schema: []types.SchemaAttributeType{{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}},
	})
	require.NoError(t, err)
	id := *created.UserPool.Id
	assert.Regexp(t, `^us-east-1_[0-9A-Za-z]{9}$`, id)
	assert.Equal(t, "p1", *created.UserPool.Name)
	assert.Equal(t, int32(10), *created.UserPool.Policies.PasswordPolicy.MinimumLength)
	assert.False(t, created.UserPool.CreationDate.IsZero())

	d, err := c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: &id})
	require.NoError(t, err)
	assert.Equal(t, types.UserPoolMfaTypeOptional, d.UserPool.MfaConfiguration)
	var names []string
	for _, a := range d.UserPool.SchemaAttributes {
		names = append(names, *a.Name)
	}
	assert.Contains(t, names, "custom:tenant")
	assert.Contains(t, names, "email")

	_, err = c.CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("p2")})
	require.NoError(t, err)
	l, err := c.ListUserPools(ctx(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(1)})
	require.NoError(t, err)
	assert.Len(t, l.UserPools, 1)
	require.NotNil(t, l.NextToken)
	l2, err := c.ListUserPools(ctx(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(1), NextToken: l.NextToken})
	require.NoError(t, err)
	assert.Len(t, l2.UserPools, 1)
	assert.Nil(t, l2.NextToken)
	assert.NotEqual(t, *l.UserPools[0].Id, *l2.UserPools[0].Id)

	_, err = c.ListUserPools(ctx(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(0)})
	requireCode(t, err, "InvalidParameterException")

	_, err = c.DeleteUserPool(ctx(), &cip.DeleteUserPoolInput{UserPoolId: &id})
	require.NoError(t, err)
	_, err = c.DescribeUserPool(ctx(), &cip.DescribeUserPoolInput{UserPoolId: &id})
	requireCode(t, err, "ResourceNotFoundException")

	bad := []struct {
		name string
		in   *cip.CreateUserPoolInput
	}{
		{"no name", &cip.CreateUserPoolInput{PoolName: aws.String("")}},
		{"both alias and username", &cip.CreateUserPoolInput{PoolName: aws.String("x"),
			AliasAttributes:    []types.AliasAttributeType{types.AliasAttributeTypeEmail},
			UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}}},
		{"short policy", &cip.CreateUserPoolInput{PoolName: aws.String("x"), Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(2)}}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateUserPool(ctx(), tc.in)
			requireCode(t, err, "InvalidParameterException")
		})
	}
}

func TestClientCRUD(t *testing.T) {
	s := newServer(t)
	c := idp(s)
	pool := s.MustCreateUserPool(PoolOptions{})
	out, err := c.CreateUserPoolClient(ctx(), &cip.CreateUserPoolClientInput{
		UserPoolId: &pool, ClientName: aws.String("web"), GenerateSecret: true,
		ExplicitAuthFlows:    []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
		AccessTokenValidity:  aws.Int32(30),
		IdTokenValidity:      aws.Int32(2),
		RefreshTokenValidity: 7,
		TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes,
			IdToken: types.TimeUnitsTypeHours, RefreshToken: types.TimeUnitsTypeDays},
		ReadAttributes:                  []string{"email", "name"},
		WriteAttributes:                 []string{"name"},
		CallbackURLs:                    []string{"http://localhost:3000/cb"},
		LogoutURLs:                      []string{"http://localhost:3000/"},
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes:              []string{"openid", "email"},
		AllowedOAuthFlowsUserPoolClient: true,
		SupportedIdentityProviders:      []string{"COGNITO"},
	})
	require.NoError(t, err)
	cl := out.UserPoolClient
	assert.Len(t, *cl.ClientId, 26)
	assert.NotEmpty(t, *cl.ClientSecret)
	assert.Equal(t, int32(30), *cl.AccessTokenValidity)
	assert.Equal(t, types.TimeUnitsTypeHours, cl.TokenValidityUnits.IdToken)
	assert.Equal(t, []string{"http://localhost:3000/cb"}, cl.CallbackURLs)

	d, err := c.DescribeUserPoolClient(ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: &pool, ClientId: cl.ClientId})
	require.NoError(t, err)
	assert.Equal(t, *cl.ClientSecret, *d.UserPoolClient.ClientSecret)
	assert.Equal(t, []types.OAuthFlowType{types.OAuthFlowTypeCode}, d.UserPoolClient.AllowedOAuthFlows)

	up, err := c.UpdateUserPoolClient(ctx(), &cip.UpdateUserPoolClientInput{UserPoolId: &pool, ClientId: cl.ClientId, ClientName: aws.String("web2")})
	require.NoError(t, err)
	assert.Equal(t, "web2", *up.UserPoolClient.ClientName)

	l, err := c.ListUserPoolClients(ctx(), &cip.ListUserPoolClientsInput{UserPoolId: &pool})
	require.NoError(t, err)
	require.Len(t, l.UserPoolClients, 1)

	bad := []struct {
		name string
		in   *cip.CreateUserPoolClientInput
		code string
	}{
		{"unknown pool", &cip.CreateUserPoolClientInput{UserPoolId: aws.String("us-east-1_nope"), ClientName: aws.String("x")}, "ResourceNotFoundException"},
		{"validity out of range", &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String("x"), AccessTokenValidity: aws.Int32(2),
			TokenValidityUnits: &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeDays}}, "InvalidParameterException"},
		{"unknown attribute", &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String("x"), ReadAttributes: []string{"shoe_size"}}, "InvalidParameterException"},
		{"oauth without callback", &cip.CreateUserPoolClientInput{UserPoolId: &pool, ClientName: aws.String("x"),
			AllowedOAuthFlows: []types.OAuthFlowType{types.OAuthFlowTypeCode}}, "InvalidParameterException"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateUserPoolClient(ctx(), tc.in)
			requireCode(t, err, tc.code)
		})
	}

	_, err = c.DeleteUserPoolClient(ctx(), &cip.DeleteUserPoolClientInput{UserPoolId: &pool, ClientId: cl.ClientId})
	require.NoError(t, err)
	_, err = c.DescribeUserPoolClient(ctx(), &cip.DescribeUserPoolClientInput{UserPoolId: &pool, ClientId: cl.ClientId})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestGroups(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	c := f.c
	for i, g := range []string{"readers", "admins"} {
		out, err := c.CreateGroup(ctx(), &cip.CreateGroupInput{UserPoolId: &f.pool, GroupName: aws.String(g),
			Precedence: aws.Int32(int32(10 - i)), RoleArn: aws.String("arn:aws:iam::123456789012:role/" + g)})
		require.NoError(t, err)
		assert.Equal(t, g, *out.Group.GroupName)
	}
	_, err := c.CreateGroup(ctx(), &cip.CreateGroupInput{UserPoolId: &f.pool, GroupName: aws.String("admins")})
	requireCode(t, err, "GroupExistsException")

	l, err := c.ListGroups(ctx(), &cip.ListGroupsInput{UserPoolId: &f.pool})
	require.NoError(t, err)
	assert.Len(t, l.Groups, 2)

	for _, g := range []string{"readers", "admins"} {
		_, err = c.AdminAddUserToGroup(ctx(), &cip.AdminAddUserToGroupInput{UserPoolId: &f.pool, Username: aws.String("alice"), GroupName: aws.String(g)})
		require.NoError(t, err)
	}
	_, err = c.AdminAddUserToGroup(ctx(), &cip.AdminAddUserToGroupInput{UserPoolId: &f.pool, Username: aws.String("alice"), GroupName: aws.String("nope")})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.AdminAddUserToGroup(ctx(), &cip.AdminAddUserToGroupInput{UserPoolId: &f.pool, Username: aws.String("bob"), GroupName: aws.String("admins")})
	requireCode(t, err, "UserNotFoundException")

	g, err := c.AdminListGroupsForUser(ctx(), &cip.AdminListGroupsForUserInput{UserPoolId: &f.pool, Username: aws.String("alice")})
	require.NoError(t, err)
	require.Len(t, g.Groups, 2)
	assert.Equal(t, "admins", *g.Groups[0].GroupName, "lowest precedence first")

	tok := mustTokens(t, f, "alice")
	claims := decodeClaims(t, *tok.IdToken)
	assert.Equal(t, []any{"admins", "readers"}, claims["cognito:groups"])
	assert.Equal(t, "arn:aws:iam::123456789012:role/admins", claims["cognito:preferred_role"])

	_, err = c.AdminRemoveUserFromGroup(ctx(), &cip.AdminRemoveUserFromGroupInput{UserPoolId: &f.pool, Username: aws.String("alice"), GroupName: aws.String("admins")})
	require.NoError(t, err)
	g, err = c.AdminListGroupsForUser(ctx(), &cip.AdminListGroupsForUserInput{UserPoolId: &f.pool, Username: aws.String("alice")})
	require.NoError(t, err)
	assert.Len(t, g.Groups, 1)
}

func TestConcurrentAdmin(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := "user" + string(rune('a'+i))
			_, err := f.c.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &f.pool, Username: &name, MessageAction: types.MessageActionTypeSuppress})
			assert.NoError(t, err)
			_, err = f.c.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: &f.pool})
			assert.NoError(t, err)
		}(i)
	}
	wg.Wait()
	l, err := f.c.ListUsers(ctx(), &cip.ListUsersInput{UserPoolId: &f.pool})
	require.NoError(t, err)
	assert.Len(t, l.Users, 9)
}

func TestCORS(t *testing.T) {
	s := newServer(t)
	req, _ := http.NewRequest("OPTIONS", s.URL+"/", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type,x-amz-target,x-amz-user-agent")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 204, resp.StatusCode)
	assert.Equal(t, "http://localhost:3000", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), "X-Amz-Target")

	// A plain OPTIONS (no preflight) is not special.
	req, _ = http.NewRequest("OPTIONS", s.URL+"/", nil)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
}

func TestAppClientString(t *testing.T) {
	c := AppClient{ID: "abc", Secret: "topsecret"}
	for _, s := range []string{c.String(), fmt.Sprint(c), fmt.Sprintf("%+v", c)} {
		assert.NotContains(t, s, "topsecret")
		assert.Contains(t, s, "abc")
	}
	assert.Equal(t, "AppClient{ID: abc}", AppClient{ID: "abc"}.String())
}

func TestAPIDefaults(t *testing.T) {
	s := newServer(t)
	c := idp(s)
	p, err := c.CreateUserPool(ctx(), &cip.CreateUserPoolInput{PoolName: aws.String("api")})
	require.NoError(t, err)
	assert.True(t, *p.UserPool.UsernameConfiguration.CaseSensitive, "Cognito's API default")
	cl, err := c.CreateUserPoolClient(ctx(), &cip.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: aws.String("c")})
	require.NoError(t, err)
	assert.ElementsMatch(t, []types.ExplicitAuthFlowsType{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}, cl.UserPoolClient.ExplicitAuthFlows)
	assert.Nil(t, cl.UserPoolClient.ClientSecret)
	assert.Equal(t, int32(60), *cl.UserPoolClient.AccessTokenValidity)
	assert.Equal(t, types.TimeUnitsTypeMinutes, cl.UserPoolClient.TokenValidityUnits.AccessToken)
	assert.Equal(t, types.TimeUnitsTypeDays, cl.UserPoolClient.TokenValidityUnits.RefreshToken)
	_, err = c.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: p.UserPool.Id, Username: aws.String("Bob"), MessageAction: types.MessageActionTypeSuppress})
	require.NoError(t, err)
	_, err = c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: p.UserPool.Id, Username: aws.String("bob")})
	requireCode(t, err, "UserNotFoundException")
	_, err = c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: p.UserPool.Id, Username: aws.String("Bob")})
	require.NoError(t, err)
}

type countingReader struct{ n byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		r.n = r.n*31 + 7
		p[i] = r.n
	}
	return len(p), nil
}

func TestDeterministicRand(t *testing.T) {
	ids := make([]string, 2)
	for i := range ids {
		s := newServer(t, func(o *Options) { o.Rand = &countingReader{} })
		pool := s.MustCreateUserPool(PoolOptions{})
		ids[i] = pool + "/" + s.MustCreateUserPoolClient(pool, ClientOptions{}).ID
	}
	assert.Equal(t, ids[0], ids[1])
}

func TestLogsHoldNoSecrets(t *testing.T) {
	var mu sync.Mutex
	var logs strings.Builder
	f := setup(t, PoolOptions{}, ClientOptions{GenerateSecret: true}, func(o *Options) {
		o.Logf = func(format string, args ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(&logs, format+"\n", args...)
		}
	})
	out, err := srpSignIn(t, f, "alice", testPassword)
	require.NoError(t, err)
	_, err = srpSignIn(t, f, "alice", "Wrong0Passw!")
	require.Error(t, err)
	mu.Lock()
	defer mu.Unlock()
	text := logs.String()
	assert.Contains(t, text, "POST cognito-idp.InitiateAuth 200 ")
	assert.Contains(t, text, "POST cognito-idp.RespondToAuthChallenge 400 NotAuthorizedException ")
	for _, secret := range []string{testPassword, "Wrong0Passw!", f.client.Secret, *out.AuthenticationResult.RefreshToken, *out.AuthenticationResult.AccessToken} {
		assert.NotContains(t, text, secret)
	}
}

func TestAllowUnsigned(t *testing.T) {
	for _, allow := range []bool{false, true} {
		s := newServer(t, func(o *Options) { o.AllowUnsigned = allow })
		req, _ := http.NewRequest("POST", s.URL+"/", strings.NewReader(`{"MaxResults": 5}`))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		if allow {
			assert.Equal(t, 200, resp.StatusCode)
		} else {
			assert.Equal(t, 400, resp.StatusCode)
			assert.Equal(t, "MissingAuthenticationTokenException", resp.Header.Get("X-Amzn-ErrorType"))
		}
	}
}
