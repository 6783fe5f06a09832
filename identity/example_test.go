package identity_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cognitokit/cognitokit/identity"
)

// A signed-in user-pool user gets AWS credentials from an identity pool. The
// session stands in for a signed-in session of package cognito, whose
// IDToken method refreshes the ID token when it has expired.
func ExampleNewProvider() {
	srv := newExampleServer() // stands in for Cognito; use the default endpoint in production
	defer srv.Close()
	ctx := context.Background()

	client := cognitoidentity.New(cognitoidentity.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)})
	session := identity.IDTokenFunc(func(context.Context) (string, error) {
		return "eyJraWQiOi...", nil // session.IDToken(ctx) of a cognito session
	})
	provider := identity.NewProvider(client, "us-east-1:11111111-2222-3333-4444-555555555555", func(o *identity.Options) {
		o.Logins = identity.Logins(identity.UserPoolLogin("", "us-east-1_AbCdEf123", session))
	})
	creds := aws.NewCredentialsCache(provider) // cache, refresh once for all callers

	c, err := creds.Retrieve(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Source, c.AccessKeyID, c.CanExpire)
	fmt.Println(provider.IdentityID())
	// Output:
	// CognitoIdentityCredentials ASIAEXAMPLE true
	// us-east-1:00000000-0000-4000-8000-000000000001
}

// A guest (unauthenticated identity) has no Logins. When the user signs in
// later, the same provider's Logins function starts returning their token and
// Cognito links the login to the guest identity.
func ExampleNewProvider_guest() {
	srv := newExampleServer()
	defer srv.Close()
	ctx := context.Background()

	client := cognitoidentity.New(cognitoidentity.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)})
	facebookToken := "" // empty until the user signs in with Facebook
	provider := identity.NewProvider(client, "us-east-1:11111111-2222-3333-4444-555555555555", func(o *identity.Options) {
		o.Logins = func(context.Context) (map[string]string, error) {
			if facebookToken == "" {
				return nil, nil
			}
			return map[string]string{identity.KeyFacebook: facebookToken}, nil
		}
	})

	if _, err := provider.Retrieve(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("guest:", provider.IdentityID())

	facebookToken = "EAAB..."
	if _, err := provider.Retrieve(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in:", provider.IdentityID())
	// Output:
	// guest: us-east-1:00000000-0000-4000-8000-000000000001
	// signed in: us-east-1:00000000-0000-4000-8000-000000000001
}

// The basic flow chooses the role itself: GetId, GetOpenIdToken, then STS
// AssumeRoleWithWebIdentity.
func ExampleNewBasicProvider() {
	srv := newExampleServer()
	defer srv.Close()
	ctx := context.Background()

	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)}
	provider := identity.NewBasicProvider(cognitoidentity.NewFromConfig(cfg), sts.NewFromConfig(cfg),
		"us-east-1:11111111-2222-3333-4444-555555555555", "arn:aws:iam::123456789012:role/Cognito_Auth",
		func(o *identity.Options) {
			o.Logins = identity.Logins(identity.GoogleLogin("eyJhbGciOi..."))
			o.RoleSessionName = "web-user"
		})
	c, err := aws.NewCredentialsCache(provider).Retrieve(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Source, c.AccessKeyID, c.AccountID)
	// Output: CognitoIdentityBasicCredentials ASIASTSEXAMPLE 123456789012
}

// Developer-authenticated identities: the back end, holding IAM credentials,
// issues an OpenID token for a user it authenticated itself; the client
// trades it for credentials.
func ExampleNewDeveloperIssuer() {
	srv := newExampleServer()
	defer srv.Close()
	ctx := context.Background()

	// Back end: IAM credentials allowed GetOpenIdTokenForDeveloperIdentity.
	backend := cognitoidentity.New(cognitoidentity.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "example", ""),
	})
	issuer := identity.NewDeveloperIssuer(backend, "us-east-1:11111111-2222-3333-4444-555555555555", "login.example.com")
	tok, err := issuer.Issue(ctx, "user-42")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok) // the token is never printed

	// Client: fetches tok from the back end on each refresh.
	client := cognitoidentity.New(cognitoidentity.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)})
	provider := identity.NewDeveloperProvider(client, identity.OpenIDTokenFunc(func(context.Context) (identity.OpenIDToken, error) {
		return tok, nil // e.g. GET https://api.example.com/cognito-token
	}))
	c, err := aws.NewCredentialsCache(provider).Retrieve(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Source, c.AccessKeyID)
	// Output:
	// identity.OpenIDToken{IdentityID: us-east-1:00000000-0000-4000-8000-000000000001, Token: [redacted]}
	// CognitoIdentityDeveloperCredentials ASIAEXAMPLE
}

// An expired login token is an error callers can branch on.
func ExampleAPIError() {
	srv := newExampleServer()
	defer srv.Close()

	client := cognitoidentity.New(cognitoidentity.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL)})
	provider := identity.NewProvider(client, "us-east-1:11111111-2222-3333-4444-555555555555", func(o *identity.Options) {
		o.Logins = identity.Logins(identity.FacebookLogin("expired"))
	})
	_, err := provider.Retrieve(context.Background())
	fmt.Println(errors.Is(err, identity.ErrNotAuthorized))
	var ae *identity.APIError
	if errors.As(err, &ae) {
		fmt.Println(ae.Operation, ae.Code, ae.Message)
	}
	// Output:
	// true
	// GetId NotAuthorizedException Invalid login token. Token expired.
}

func ExampleUserPoolKey() {
	fmt.Println(identity.UserPoolKey("", "us-east-1_AbCdEf123"))
	fmt.Println(identity.OIDCKey("https://login.example.com/"))
	// Output:
	// cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123
	// login.example.com
}
