package cognitotest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// TestInteropAWSCLIIAMAndSTS drives STS and IAM with the AWS CLI (botocore's
// Query/XML parsers): get-caller-identity with an IAM user's keys and with
// unknown ones, and a role's life through aws iam.
func TestInteropAWSCLIIAMAndSTS(t *testing.T) {
	awsBin := interop.LookPath(t, "aws")
	s := newServer(t)
	s.MustPutIAMUser(IAMUser{ARN: "arn:aws:iam::123456789012:user/cli", AccessKeyID: "AKIACLIEXAMPLE000001", SecretAccessKey: "cli-secret"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := func(akid, secret string, args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, awsBin, append([]string{"--endpoint-url", s.URL, "--region", "us-east-1", "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+akid, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_PAGER=",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
		return cmd.CombinedOutput()
	}

	out, err := run("AKIACLIEXAMPLE000001", "cli-secret", "sts", "get-caller-identity")
	require.NoError(t, err, "%s", out)
	var who struct{ UserId, Account, Arn string }
	require.NoError(t, json.Unmarshal(out, &who), "%s", out)
	assert.Equal(t, "arn:aws:iam::123456789012:user/cli", who.Arn)
	assert.Equal(t, AccountID, who.Account)

	out, err = run("AKIAUNKNOWN000000000", "x", "sts", "get-caller-identity")
	require.Error(t, err)
	assert.Contains(t, string(out), "InvalidClientTokenId", "the CLI parsed the XML error")

	out, err = run("AKIAANY", "any", "iam", "create-role", "--role-name", "cli-role", "--path", "/cli/",
		"--assume-role-policy-document", tfTrust, "--tags", "Key=team,Value=auth")
	require.NoError(t, err, "%s", out)
	out, err = run("AKIAANY", "any", "iam", "put-role-policy", "--role-name", "cli-role", "--policy-name", "invoke", "--policy-document", allowPOST)
	require.NoError(t, err, "%s", out)
	out, err = run("AKIAANY", "any", "iam", "get-role", "--role-name", "cli-role")
	require.NoError(t, err, "%s", out)
	var got struct {
		Role struct {
			RoleName, Arn, RoleId, Path string
			AssumeRolePolicyDocument    map[string]any // botocore decodes it
			Tags                        []struct{ Key, Value string }
		}
	}
	require.NoError(t, json.Unmarshal(out, &got), "%s", out)
	assert.Equal(t, "arn:aws:iam::123456789012:role/cli/cli-role", got.Role.Arn)
	assert.Len(t, got.Role.RoleId, 21)
	assert.Equal(t, "2012-10-17", got.Role.AssumeRolePolicyDocument["Version"])
	assert.Equal(t, []struct{ Key, Value string }{{"team", "auth"}}, got.Role.Tags)
	out, err = run("AKIAANY", "any", "iam", "get-role-policy", "--role-name", "cli-role", "--policy-name", "invoke")
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "execute-api:Invoke")

	out, err = run("AKIAANY", "any", "iam", "delete-role", "--role-name", "cli-role")
	require.Error(t, err)
	assert.Contains(t, string(out), "DeleteConflict")
	out, err = run("AKIAANY", "any", "iam", "get-role", "--role-name", "nope")
	require.Error(t, err)
	assert.Contains(t, string(out), "NoSuchEntity")
}
