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

// TestInteropBoto3ConfigOps runs testdata/configops_boto3.py: boto3 calls
// the user-pool configuration operations (tags, UpdateGroup, resource
// servers, AddCustomAttributes, UpdateIdentityProvider,
// GetIdentityProviderByIdentifier, GetSigningCertificate) against the
// emulator; every answer parses, fits its output shape in botocore's
// model, and each refusal is the error Cognito answers, one the
// operation declares.
func TestInteropBoto3ConfigOps(t *testing.T) {
	py := interop.Python(t, "boto3")
	s := newServer(t)
	cmd := exec.Command(py, "testdata/configops_boto3.py")
	cmd.Env = append(cmd.Environ(), "ENDPOINT="+s.URL, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	raw, err := cmd.Output()
	var stderr string
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = string(ee.Stderr)
	}
	require.NoError(t, err, "%s%s", raw, stderr)
	var out struct {
		Tags            map[string]string `json:"tags"`
		Group           map[string]any    `json:"group"`
		ResourceServers []string          `json:"resource_servers"`
		AfterDelete     []string          `json:"after_delete"`
		Custom          []map[string]any  `json:"custom"`
		IdPScopes       string            `json:"idp_scopes"`
		IdPClient       string            `json:"idp_client"`
		ByIdentifier    string            `json:"by_identifier"`
		CertBytes       int               `json:"certificate_der_bytes"`
		Errors          map[string]string `json:"errors"`
		Undeclared      []string          `json:"undeclared_errors"`
		ShapeProblems   []string          `json:"shape_problems"`
		Checked         []string          `json:"checked"`
	}
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(string(raw))), &out), "%s", raw)

	assert.Empty(t, out.ShapeProblems)
	for _, op := range []string{"TagResource", "UntagResource", "ListTagsForResource", "UpdateGroup", "UpdateResourceServer",
		"ListResourceServers", "DeleteResourceServer", "AddCustomAttributes", "UpdateIdentityProvider",
		"GetIdentityProviderByIdentifier", "GetSigningCertificate"} {
		assert.Contains(t, out.Checked, op)
	}
	assert.Equal(t, map[string]string{"env": "dev"}, out.Tags)
	assert.Equal(t, map[string]any{"Description": "Admins", "Precedence": 2.0, "RoleArn": "arn:aws:iam::123456789012:role/admins"}, out.Group)
	assert.Equal(t, []string{"Orders", "stock"}, out.ResourceServers, "two pages of one")
	assert.Equal(t, []string{"orders"}, out.AfterDelete)
	require.Len(t, out.Custom, 1)
	assert.Equal(t, map[string]any{"Name": "custom:tier", "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
		"Mutable": true, "Required": false, "StringAttributeConstraints": map[string]any{"MinLength": "1", "MaxLength": "16"}}, out.Custom[0])
	assert.Equal(t, "openid email", out.IdPScopes)
	assert.Equal(t, "c1", out.IdPClient)
	assert.Equal(t, "Corp", out.ByIdentifier)
	assert.Greater(t, out.CertBytes, 500)
	assert.Equal(t, map[string]string{
		"unknown arn":                    "ResourceNotFoundException",
		"duplicate attribute":            "InvalidParameterException",
		"unknown identifier":             "ResourceNotFoundException",
		"unknown group":                  "ResourceNotFoundException",
		"unknown resource server":        "ResourceNotFoundException",
		"identifier of another provider": "InvalidParameterException",
		"a 51st tag":                     "InvalidParameterException",
		"unknown pool certificate":       "ResourceNotFoundException",
	}, out.Errors)
	assert.Empty(t, out.Undeclared, "every error is one its operation declares in the model")
}
