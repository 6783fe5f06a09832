package cognitotest_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// BenchmarkSignUpTriggers measures SignUp through the SDK without
// triggers and with Go pre sign-up (auto-confirm) and custom message
// functions: what the trigger round trips (event JSON, the handler, the
// unlocked window) add to a sign-up, whose SRP verifier dominates.
func BenchmarkSignUpTriggers(b *testing.B) {
	for _, tt := range []struct {
		name  string
		trigs []string
		resp  map[string]any
	}{
		{"none", nil, nil},
		{"PreSignUp", []string{"PreSignUp"}, map[string]any{"autoConfirmUser": true}},
		{"CustomMessage", []string{"CustomMessage"}, map[string]any{"emailMessage": "Code {####}"}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			e := newTrigEnv(b, cognitotest.PoolOptions{}, cognitotest.ClientOptions{}, tt.trigs...)
			for _, r := range e.fns {
				r.set(tt.resp)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				name := "user" + strconv.Itoa(i)
				if _, err := e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: &e.client, Username: aws.String(name), Password: aws.String(trigPassword),
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}}); err != nil {
					b.Fatal(err)
				}
				for _, r := range e.fns {
					r.take()
				}
			}
		})
	}
}
