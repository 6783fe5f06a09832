package cognitotest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// TestSeedLambdaConfig: a seed config's lambdaConfig becomes the pool's
// LambdaConfig and its functions are registered (here an Invoke API
// endpoint nobody listens on: the trigger fails as an unreachable
// function does); a bad ARN or an unknown lambdaConfig field is refused.
func TestSeedLambdaConfig(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:triggers"
	seed := func(lc, fns string) string {
		return `{"userPools": [{"id": "us-east-1_Seeded1", "name": "p", "lambdaConfig": ` + lc + `,
		  "clients": [{"id": "seededclient00000000000001", "name": "web"}]}], "functions": ` + fns + `}`
	}
	cfg, err := cognitotest.ParseSeedConfig(strings.NewReader(seed(`{"PreSignUp": "`+arn+`",
	  "PreTokenGenerationConfig": {"LambdaArn": "`+arn+`", "LambdaVersion": "V2_0"}}`, `{"`+arn+`": "http://127.0.0.1:9"}`)))
	require.NoError(t, err)
	srv := cognitotest.NewServer()
	defer srv.Close()
	require.NoError(t, srv.Seed(cfg))
	idp := cip.NewFromConfig(srv.Config())
	ctx := context.Background()
	d, err := idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_Seeded1")})
	require.NoError(t, err)
	assert.Equal(t, arn, aws.ToString(d.UserPool.LambdaConfig.PreSignUp))
	assert.Equal(t, "V2_0", string(d.UserPool.LambdaConfig.PreTokenGenerationConfig.LambdaVersion))
	_, err = idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String("seededclient00000000000001"), Username: aws.String("ann"),
		Password: aws.String(trigPassword)})
	apiErr(t, err, "UnexpectedLambdaException", "")
	require.NoError(t, srv.Seed(cfg), "seeding again is a no-op for the pool and registers the functions again")

	t.Run("bad ARN", func(t *testing.T) {
		cfg, err := cognitotest.ParseSeedConfig(strings.NewReader(seed(`{"PreSignUp": "arn:aws:sns:us-east-1:123456789012:topic"}`, `{}`)))
		require.NoError(t, err)
		srv := cognitotest.NewServer()
		defer srv.Close()
		require.Error(t, srv.Seed(cfg))
		require.Error(t, srv.Seed(&cognitotest.SeedConfig{Functions: map[string]string{"not-an-arn": "http://127.0.0.1:9"}}))
	})
	t.Run("unknown field", func(t *testing.T) {
		_, err := cognitotest.ParseSeedConfig(strings.NewReader(seed(`{"PreSignIn": "`+arn+`"}`, `{}`)))
		require.Error(t, err)
	})
}
