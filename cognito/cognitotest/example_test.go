package cognitotest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// A pool, an app client and a user in three lines, then a sign-in with
// the AWS SDK for Go v2 pointed at the emulator.
func Example() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{Name: "demo"})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", map[string]string{"email": "alice@example.com"})

	idp := cip.NewFromConfig(srv.Config())
	out, err := idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(app.ID),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.AuthenticationResult.ExpiresIn, *out.AuthenticationResult.TokenType)

	_, err = idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		ClientId:       aws.String(app.ID),
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "wrong"},
	})
	fmt.Println(err != nil)
	// Output:
	// 3600 Bearer
	// true
}

// Codes the pool "sent" are read from its outbox.
func ExampleServer_LastCode() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	idp := cip.NewFromConfig(srv.Config())
	ctx := context.Background()
	_, err := idp.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(app.ID), Username: aws.String("bob"),
		Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("bob@example.com")}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	code, _ := srv.LastCode(pool, "bob")
	_, err = idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(app.ID), Username: aws.String("bob"), ConfirmationCode: aws.String(code)})
	fmt.Println(len(code), err)
	// Output: 6 <nil>
}

// Tokens expire on the server's clock, which tests move with Advance.
func ExampleServer_Advance() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{AccessTokenValidity: 5 * time.Minute})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", nil)
	idp := cip.NewFromConfig(srv.Config())
	ctx := context.Background()
	out, err := idp.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(app.ID),
		AuthFlow:       types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = idp.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	fmt.Println("before:", err)
	srv.Advance(6 * time.Minute)
	_, err = idp.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	fmt.Println("after:", err != nil)
	// Output:
	// before: <nil>
	// after: true
}
