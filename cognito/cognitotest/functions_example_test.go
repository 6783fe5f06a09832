package cognitotest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// A pre sign-up trigger, the handler you deploy to Lambda, registered under
// the ARN the pool's LambdaConfig names: it confirms users of one domain
// and refuses another, and the emulator answers as Cognito would.
func ExampleServer_RegisterFunction() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:presignup"
	srv.MustRegisterFunction(arn, func(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		email := ev.Request.UserAttributes["email"]
		if strings.HasSuffix(email, "@blocked.example") {
			return ev, errors.New("sign-ups from this domain are closed")
		}
		ev.Response.AutoConfirmUser = strings.HasSuffix(email, "@example.com")
		return ev, nil
	})
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{LambdaConfig: &cognitotest.LambdaConfig{PreSignUp: arn}})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})

	idp := cip.NewFromConfig(srv.Config())
	for _, email := range []string{"ann@example.com", "bob@other.example", "eve@blocked.example"} {
		out, err := idp.SignUp(context.Background(), &cip.SignUpInput{
			ClientId: aws.String(app.ID), Username: aws.String(strings.Split(email, "@")[0]), Password: aws.String("Passw0rd!"),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}},
		})
		var lve *types.UserLambdaValidationException
		switch {
		case errors.As(err, &lve):
			fmt.Println(email, "refused:", aws.ToString(lve.Message))
		case err != nil:
			fmt.Println(email, err)
		default:
			fmt.Println(email, "confirmed:", out.UserConfirmed)
		}
	}
	// Output:
	// ann@example.com confirmed: true
	// bob@other.example confirmed: false
	// eve@blocked.example refused: PreSignUp failed with error sign-ups from this domain are closed.
}
