package main

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// tfProvider declares the AWS provider from the filesystem mirror, with
// mock credentials and every endpoint the emulator serves; ENDPOINT is
// replaced by the emulator's URL.
const tfProvider = `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "mock_access_key"
  secret_key                  = "mock_secret_key"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    cognitoidp      = "ENDPOINT"
    cognitoidentity = "ENDPOINT"
    iam             = "ENDPOINT"
    sts             = "ENDPOINT"
  }
}
`

// tfIAMConfig is a Terraform configuration with an IAM role for an
// identity pool's signed-in users and its inline policy; ENDPOINT is
// replaced by the emulator's URL.
const tfIAMConfig = tfProvider + `
resource "aws_iam_role" "auth" {
  name = "tf_auth"
  path = "/cognito/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "authenticated" } }
    }]
  })
  tags = { env = "test" }
}
resource "aws_iam_role_policy" "invoke" {
  name = "invoke"
  role = aws_iam_role.auth.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "execute-api:Invoke", Resource = "arn:aws:execute-api:*:*:demoapi/*/POST/test" }]
  })
}
`

// TestInteropTerraformIAMRole: Terraform's AWS provider (from a local
// filesystem mirror, COGNITOKIT_TF_MIRROR or /opt/tf-plugins) applies an
// aws_iam_role and an aws_iam_role_policy against cognitoctl serve; a
// second plan finds no drift; destroy removes both.
func TestInteropTerraformIAMRole(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	endpoint, run := terraformApplied(ctx, t, tfIAMConfig)

	// The role and its policy are there, through the IAM API.
	cl := iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")})
	role, err := cl.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("tf_auth")})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::123456789012:role/cognito/tf_auth", *role.Role.Arn)
	pol, err := cl.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("tf_auth"), PolicyName: aws.String("invoke")})
	require.NoError(t, err)
	doc, err := url.QueryUnescape(*pol.PolicyDocument)
	require.NoError(t, err)
	assert.Contains(t, doc, "demoapi/*/POST/test")

	out, code := run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	assert.Equal(t, 0, code, "a second plan finds no drift:\n%s", out)

	out, code = run("destroy", "-auto-approve", "-input=false", "-no-color")
	require.Equal(t, 0, code, out)
	_, err = cl.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("tf_auth")})
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "NoSuchEntity", ae.ErrorCode())
}

// terraformIn prepares a Terraform working directory holding config as
// main.tf, with a CLI configuration that installs the AWS provider from
// the local filesystem mirror (COGNITOKIT_TF_MIRROR or /opt/tf-plugins),
// and returns a function running terraform there with its output and exit
// code. It skips (or fails under COGNITOKIT_INTEROP=1) without Terraform
// or the provider.
func terraformIn(ctx context.Context, t *testing.T, config string) func(args ...string) (string, int) {
	t.Helper()
	tf := interop.LookPath(t, "terraform")
	mirror := os.Getenv("COGNITOKIT_TF_MIRROR")
	if mirror == "" {
		mirror = "/opt/tf-plugins"
	}
	if _, err := os.Stat(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "aws")); err != nil {
		interop.Unavailable(t, "no hashicorp/aws provider in the filesystem mirror %s (set COGNITOKIT_TF_MIRROR)", mirror)
	}
	dir := t.TempDir()
	rc := filepath.Join(dir, "terraform.rc")
	require.NoError(t, os.WriteFile(rc, []byte(`provider_installation {
  filesystem_mirror {
    path = "`+mirror+`"
  }
}
`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600))
	return func(args ...string) (string, int) {
		cmd := exec.CommandContext(ctx, tf, append([]string{"-chdir=" + dir}, args...)...)
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
			"TF_PLUGIN_CACHE_DIR=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), ee.ExitCode()
		}
		require.NoError(t, err, "%s", out)
		return string(out), 0
	}
}

// terraformApplied starts cognitoctl serve (with serveArgs), and applies
// config (ENDPOINT replaced by the server's URL) with terraformIn's
// runner, which it returns with the URL.
func terraformApplied(ctx context.Context, t *testing.T, config string, serveArgs ...string) (string, func(args ...string) (string, int)) {
	t.Helper()
	endpoint, _ := startServe(t, append([]string{"-addr", "127.0.0.1:0"}, serveArgs...)...)
	run := terraformIn(ctx, t, strings.ReplaceAll(config, "ENDPOINT", endpoint))
	out, code := run("init", "-input=false", "-no-color")
	require.Equal(t, 0, code, out)
	out, code = run("apply", "-auto-approve", "-input=false", "-no-color")
	require.Equal(t, 0, code, out)
	return endpoint, run
}
