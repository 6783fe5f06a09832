package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cid "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/identity"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// tfStackConfig is the Cognito and IAM part of the usual tutorial stack:
// a user pool with optional TOTP MFA, a password policy, a custom
// attribute with constraints and verification messages; an app client
// with the OAuth code flow; a domain; a group; an identity pool trusting
// the user pool and Facebook, with its roles; two IAM roles whose trust
// policies name the identity pool, and inline policies letting signed-in
// users call one route of the emulated API "demoapi".
const tfStackConfig = tfProvider + `
resource "aws_cognito_user_pool" "pool" {
  name                     = "tutorial"
  auto_verified_attributes = ["email"]
  username_attributes      = ["email"]
  mfa_configuration        = "OPTIONAL"
  software_token_mfa_configuration {
    enabled = true
  }
  password_policy {
    minimum_length                   = 10
    require_lowercase                = true
    require_numbers                  = true
    require_symbols                  = false
    require_uppercase                = true
    temporary_password_validity_days = 3
  }
  schema {
    name                     = "team"
    attribute_data_type      = "String"
    mutable                  = true
    developer_only_attribute = false
    required                 = false
    string_attribute_constraints {
      min_length = 1
      max_length = 64
    }
  }
  verification_message_template {
    default_email_option = "CONFIRM_WITH_CODE"
    email_subject        = "Your tutorial code"
    email_message        = "Your code is {####}"
    sms_message          = "Your code is {####}"
  }
  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }
}

resource "aws_cognito_user_pool_client" "web" {
  name                                 = "web"
  user_pool_id                         = aws_cognito_user_pool.pool.id
  explicit_auth_flows                  = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"]
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
  callback_urls                        = ["http://localhost:3000/callback"]
  logout_urls                          = ["http://localhost:3000/"]
  supported_identity_providers         = ["COGNITO"]
  access_token_validity                = 60
  id_token_validity                    = 60
  refresh_token_validity               = 30
  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
  prevent_user_existence_errors = "ENABLED"
}

resource "aws_cognito_user_pool_client" "cli" {
  name                  = "cli"
  user_pool_id          = aws_cognito_user_pool.pool.id
  explicit_auth_flows   = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  access_token_validity = 2
  token_validity_units {
    access_token = "hours"
  }
}

resource "aws_cognito_user_pool_domain" "domain" {
  domain       = "tutorial-stack-demo"
  user_pool_id = aws_cognito_user_pool.pool.id
}

resource "aws_cognito_user_group" "admins" {
  name         = "admins"
  user_pool_id = aws_cognito_user_pool.pool.id
  description  = "Administrators"
  precedence   = 1
  role_arn     = aws_iam_role.identity["authenticated"].arn
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "tutorial identities"
  allow_unauthenticated_identities = true
  cognito_identity_providers {
    client_id               = aws_cognito_user_pool_client.web.id
    provider_name           = aws_cognito_user_pool.pool.endpoint
    server_side_token_check = false
  }
  supported_login_providers = {
    "graph.facebook.com" = "1234567890"
  }
}

locals {
  # What each kind of identity may invoke on the emulated API.
  invoke = {
    authenticated   = { effect = "Allow", resource = "arn:aws:execute-api:*:*:demoapi/*/POST/test" }
    unauthenticated = { effect = "Deny", resource = "*" }
  }
}

resource "aws_iam_role" "identity" {
  for_each = local.invoke
  name     = "tutorial_${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = each.key }
      }
    }]
  })
}

resource "aws_iam_role_policy" "identity" {
  for_each = local.invoke
  name     = "invoke"
  role     = aws_iam_role.identity[each.key].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = each.value.effect, Action = "execute-api:Invoke", Resource = each.value.resource }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.identity["authenticated"].arn
    unauthenticated = aws_iam_role.identity["unauthenticated"].arn
  }
}

output "user_pool_id" { value = aws_cognito_user_pool.pool.id }
output "client_id" { value = aws_cognito_user_pool_client.web.id }
output "identity_pool_id" { value = aws_cognito_identity_pool.main.id }
`

// tfStackSeed declares the emulated API the Terraform-made roles decide
// about: /test is what the authenticated role may invoke, /admin is not.
const tfStackSeed = `{"apis": [{"id": "demoapi", "routes": [
  {"method": "POST", "path": "/test", "authorization": "AWS_IAM", "message": "hello world"},
  {"method": "POST", "path": "/admin", "authorization": "AWS_IAM", "message": "secret"}]}]}`

// TestInteropTerraformTutorialStack: Terraform's AWS provider applies the
// tutorial stack against cognitoctl serve; a second plan finds no drift; a
// user signs up, confirms, signs in with SRP, gets identity-pool
// credentials for the Terraform-made role and calls the emulated API,
// allowed on the route the role's inline policy names and refused on
// another; destroy removes everything, as the List operations show.
func TestInteropTerraformTutorialStack(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	require.NoError(t, os.WriteFile(seed, []byte(tfStackSeed), 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	endpoint, run := terraformApplied(ctx, t, tfStackConfig, "-config", seed)
	out, code := run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	require.Equal(t, 0, code, "a second plan finds no drift:\n%s", out)
	out, code = run("output", "-json")
	require.Equal(t, 0, code, out)
	var outputs map[string]struct{ Value string }
	require.NoError(t, json.Unmarshal([]byte(out), &outputs))
	poolID, clientID, idPoolID := outputs["user_pool_id"].Value, outputs["client_id"].Value, outputs["identity_pool_id"].Value
	require.NotEmpty(t, poolID)

	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} }}
	idp := cip.NewFromConfig(cfg)

	t.Run("what Terraform made is there", func(t *testing.T) {
		d, err := idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
		require.NoError(t, err)
		assert.Equal(t, "tutorial-stack-demo", aws.ToString(d.UserPool.Domain))
		assert.Equal(t, "Your code is {####}", aws.ToString(d.UserPool.VerificationMessageTemplate.EmailMessage))
		assert.EqualValues(t, 10, aws.ToInt32(d.UserPool.Policies.PasswordPolicy.MinimumLength))
		dom, err := idp.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("tutorial-stack-demo")})
		require.NoError(t, err)
		assert.Equal(t, poolID, aws.ToString(dom.DomainDescription.UserPoolId))
		assert.Equal(t, "ACTIVE", string(dom.DomainDescription.Status))
	})

	// A user signs up, confirms with the e-mailed code (the pool's own
	// message) and signs in with SRP.
	email, password := "ada@example.com", "Correct-Horse9"
	users := cognito.New(cfg, poolID, clientID)
	_, err := users.SignUp(ctx, email, password, map[string]string{"email": email, "custom:team": "blue"})
	require.NoError(t, err)
	msg := lastMessage(t, endpoint, poolID, email)
	require.Regexp(t, `^Your code is \d{6}$`, msg, "the pool's verification message, with the code in place")
	require.NoError(t, users.ConfirmSignUp(ctx, email, regexp.MustCompile(`\d{6}`).FindString(msg)))
	res, err := users.SignIn(ctx, email, password)
	require.NoError(t, err)
	require.NotNil(t, res.Tokens, "no MFA set up yet: signed in")

	// Identity-pool credentials for the Terraform-made role.
	idTok := res.Tokens.IDToken
	p := identity.NewProvider(cid.NewFromConfig(cfg), idPoolID, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.UserPoolLogin("", poolID, identity.IDTokenFunc(func(context.Context) (string, error) { return idTok, nil })))
	})
	creds, err := p.Retrieve(ctx)
	require.NoError(t, err)
	assert.True(t, creds.CanExpire)
	client := sigv4client.NewClient(aws.NewCredentialsCache(p), func(tr *sigv4client.Transport) { tr.Region = "us-east-1" })
	api := endpoint + "/apis/demoapi/prod"
	for _, tc := range []struct {
		path   string
		status int
	}{{"/test", http.StatusOK}, {"/admin", http.StatusForbidden}} {
		resp, err := client.Post(api+tc.path, "application/json", strings.NewReader(`{}`))
		require.NoError(t, err)
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		assert.Equal(t, tc.status, resp.StatusCode, "%s: %v", tc.path, body)
	}

	out, code = run("destroy", "-auto-approve", "-input=false", "-no-color")
	require.Equal(t, 0, code, out)
	pools, err := idp.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	require.NoError(t, err)
	assert.Empty(t, pools.UserPools)
	ids, err := cid.NewFromConfig(cfg).ListIdentityPools(ctx, &cid.ListIdentityPoolsInput{MaxResults: aws.Int32(60)})
	require.NoError(t, err)
	assert.Empty(t, ids.IdentityPools)
	roles, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
	require.NoError(t, err)
	for _, r := range roles.Roles {
		assert.NotContains(t, aws.ToString(r.RoleName), "tutorial_", "destroyed")
	}
	dom, err := idp.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("tutorial-stack-demo")})
	require.NoError(t, err)
	assert.Empty(t, aws.ToString(dom.DomainDescription.UserPoolId), "the domain is free again")
}

// lastMessage returns the body of the last message the emulator sent to
// a user of a pool.
func lastMessage(t *testing.T, endpoint, poolID, username string) string {
	t.Helper()
	resp, err := http.Get(endpoint + "/_emulator/messages?poolId=" + poolID + "&username=" + username)
	require.NoError(t, err)
	defer resp.Body.Close()
	var got struct{ Messages []struct{ Body string } }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	require.NotEmpty(t, got.Messages)
	return got.Messages[len(got.Messages)-1].Body
}
