package cognitotest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ci "github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/identity"
)

// The identity-pool tutorial on the emulator: a Google login and a Twitter
// login get the authenticated role, a guest the unauthenticated one, and
// a Google token issued to another client is refused.
func ExampleServer_GoogleToken() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	const googleClient = "1234.apps.googleusercontent.com"
	srv.MustPutTwitterApp("consumer-key", "consumer-secret")
	pool := srv.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		AllowUnauthenticated: true,
		LoginProviders: map[string]string{
			cognitotest.GoogleProvider:  googleClient,
			cognitotest.TwitterProvider: "consumer-key;consumer-secret",
		},
		AuthenticatedRole:   "arn:aws:iam::123456789012:role/Auth",
		UnauthenticatedRole: "arn:aws:iam::123456789012:role/Guest",
	})
	client := ci.NewFromConfig(srv.Config())
	role := func(logins ...identity.Login) string {
		p := identity.NewProvider(client, pool, func(o *identity.Options) {
			if len(logins) > 0 {
				o.Logins = identity.Logins(logins...)
			}
		})
		if _, err := p.Retrieve(context.Background()); err != nil {
			return err.Error()
		}
		id := p.IdentityID()
		d, err := client.DescribeIdentity(context.Background(), &ci.DescribeIdentityInput{IdentityId: aws.String(id)})
		if err != nil {
			return err.Error()
		}
		return fmt.Sprint("credentials for an identity with logins ", d.Logins)
	}
	token, secret := srv.MustTwitterLogin("consumer-key", cognitotest.TwitterUser{ID: "42"})
	fmt.Println("google:", role(identity.GoogleLogin(srv.MustGoogleToken(googleClient, cognitotest.OIDCUser{Sub: "1"}))))
	fmt.Println("twitter:", role(identity.TwitterLogin(token, secret)))
	fmt.Println("guest:", role())

	_, err := client.GetId(context.Background(), &ci.GetIdInput{IdentityPoolId: aws.String(pool),
		Logins: map[string]string{cognitotest.GoogleProvider: srv.MustGoogleToken("other-client", cognitotest.OIDCUser{Sub: "1"})}})
	var refused *types.NotAuthorizedException
	if errors.As(err, &refused) {
		fmt.Println("refused:", *refused.Message)
	}
	// Output:
	// google: credentials for an identity with logins [accounts.google.com]
	// twitter: credentials for an identity with logins [api.twitter.com]
	// guest: credentials for an identity with logins []
	// refused: Invalid login token. Incorrect token audience.
}
