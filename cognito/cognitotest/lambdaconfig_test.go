package cognitotest_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

const fnARN = "arn:aws:lambda:us-east-1:123456789012:function:triggers"

// TestLambdaConfigStored: CreateUserPool's LambdaConfig comes back from
// DescribeUserPool and ListUserPools as sent (with Cognito's fill-in of
// the pre token generation pair), UpdateUserPool replaces it (leaving it
// out clears it, as every UpdateUserPool setting), and a restart with
// -state keeps it.
func TestLambdaConfigStored(t *testing.T) {
	ctx := context.Background()
	state := filepath.Join(t.TempDir(), "state.db")
	srv := cognitotest.NewServer(func(o *cognitotest.Options) { o.StatePath = state })
	idp := cip.NewFromConfig(srv.Config())
	out, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"),
		LambdaConfig: &types.LambdaConfigType{PreSignUp: aws.String(fnARN), PreTokenGeneration: aws.String(fnARN + ":live"),
			CustomMessage: aws.String(fnARN)}})
	require.NoError(t, err)
	id := out.UserPool.Id
	lc := out.UserPool.LambdaConfig
	require.NotNil(t, lc)
	assert.Equal(t, fnARN, aws.ToString(lc.PreSignUp))
	assert.Equal(t, fnARN, aws.ToString(lc.CustomMessage))
	require.NotNil(t, lc.PreTokenGenerationConfig)
	assert.Equal(t, fnARN+":live", aws.ToString(lc.PreTokenGenerationConfig.LambdaArn))
	assert.Equal(t, types.PreTokenGenerationLambdaVersionTypeV10, lc.PreTokenGenerationConfig.LambdaVersion)
	list, err := idp.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	require.NoError(t, err)
	require.Len(t, list.UserPools, 1)
	assert.Equal(t, fnARN, aws.ToString(list.UserPools[0].LambdaConfig.PreSignUp))

	_, err = idp.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id, LambdaConfig: &types.LambdaConfigType{
		PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{LambdaArn: aws.String(fnARN), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV30}}})
	require.NoError(t, err)
	srv.Close()

	srv = cognitotest.NewServer(func(o *cognitotest.Options) { o.StatePath = state })
	defer srv.Close()
	idp = cip.NewFromConfig(srv.Config())
	d, err := idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	require.NoError(t, err)
	lc = d.UserPool.LambdaConfig
	require.NotNil(t, lc)
	assert.Nil(t, lc.PreSignUp, "UpdateUserPool replaces the whole LambdaConfig")
	assert.Equal(t, fnARN, aws.ToString(lc.PreTokenGeneration))
	assert.Equal(t, types.PreTokenGenerationLambdaVersionTypeV30, lc.PreTokenGenerationConfig.LambdaVersion)

	_, err = idp.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id})
	require.NoError(t, err)
	d, err = idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	require.NoError(t, err)
	assert.Equal(t, &types.LambdaConfigType{}, d.UserPool.LambdaConfig)
}

// TestLambdaConfigRefused: what Cognito refuses in a LambdaConfig.
func TestLambdaConfigRefused(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	idp := cip.NewFromConfig(srv.Config())
	for name, lc := range map[string]*types.LambdaConfigType{
		"not a Lambda ARN": {PreSignUp: aws.String("arn:aws:sns:us-east-1:123456789012:topic")},
		"pre token pair disagrees": {PreTokenGeneration: aws.String(fnARN), PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{
			LambdaArn: aws.String(fnARN + "2"), LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20}},
		"custom sender without KMS key": {CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: aws.String(fnARN), LambdaVersion: "V1_0"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := idp.CreateUserPool(context.Background(), &cip.CreateUserPoolInput{PoolName: aws.String("p"), LambdaConfig: lc})
			var ipe *types.InvalidParameterException
			require.True(t, errors.As(err, &ipe), "%v", err)
		})
	}
	list, err := idp.ListUserPools(context.Background(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	require.NoError(t, err)
	assert.Empty(t, list.UserPools, "nothing stored")
}

// TestRegisterFunctionRefusesBadARN: the facade's registration checks the
// ARN and the handler's signature.
func TestRegisterFunctionRefusesBadARN(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	require.Error(t, srv.RegisterFunction("not-an-arn", func(context.Context, map[string]any) (map[string]any, error) { return nil, nil }))
	require.Error(t, srv.RegisterFunction(fnARN, 42))
	require.NoError(t, srv.RegisterFunction(fnARN, func(context.Context, map[string]any) (map[string]any, error) { return nil, nil }))
	require.Error(t, srv.AddFunction(fnARN+"=/does/not/exist"))
}
