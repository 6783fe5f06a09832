package cognitotest_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// TestAttributeConstraintsEnforcedOnMigration: the attributes a user
// migration trigger answers are held to the schema's constraints like any
// other attribute write; a value beyond them fails the sign-in and stores
// no user, a value within them migrates the user.
func TestAttributeConstraintsEnforcedOnMigration(t *testing.T) {
	for _, tc := range []struct {
		name, age, code, msg string
	}{
		{"within", "42", "", ""},
		{"beyond the maximum", "151", "InvalidParameterException", "Attributes did not conform to the schema: custom:age: Number must be no greater than 150"},
		{"not a number", "old", "InvalidParameterException", "Attributes did not conform to the schema: custom:age: Number must be an integer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTrigEnv(t, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, "UserMigration")
			_, err := e.idp.AddCustomAttributes(context.Background(), &cip.AddCustomAttributesInput{UserPoolId: &e.pool,
				CustomAttributes: []types.SchemaAttributeType{{Name: aws.String("age"), AttributeDataType: types.AttributeDataTypeNumber,
					NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("0"), MaxValue: aws.String("150")}}}})
			require.NoError(t, err)
			old := map[string]oldUser{"olduser": {password: "Old-Password-1", attrs: map[string]string{
				"email": "olduser@example.com", "email_verified": "true", "custom:age": tc.age}}}
			e.fns["UserMigration"].respond = migrator(old, map[string]any{"messageAction": "SUPPRESS"})
			_, err = e.passwordSignIn("olduser", "Old-Password-1", nil)
			if tc.code == "" {
				require.NoError(t, err)
				_, attrs, err := e.user("olduser")
				require.NoError(t, err)
				require.Equal(t, tc.age, attrs["custom:age"])
				return
			}
			apiErr(t, err, tc.code, tc.msg)
			_, _, err = e.user("olduser")
			apiErr(t, err, "UserNotFoundException", "")
		})
	}
}
