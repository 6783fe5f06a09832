package identity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/identity"
)

// The examples run against the emulator, cognito/cognitotest, which checks
// every login token as Cognito does. In production, build the clients from
// config.LoadDefaultConfig instead of srv.Config().

const (
	exampleAuthRole   = "arn:aws:iam::123456789012:role/Cognito_Auth"
	exampleUnauthRole = "arn:aws:iam::123456789012:role/Cognito_Unauth"
	examplePassword   = "Corr3ct-Horse-Battery!"
)

// A signed-in user-pool user gets AWS credentials from an identity pool.
// The cognito session hands the provider a current ID token on every
// refresh, refreshing it first when it has expired.
func ExampleNewProvider() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	userPool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(userPool, cognitotest.ClientOptions{})
	srv.MustCreateUser(userPool, "alice", examplePassword, nil)
	identityPool := srv.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		UserPools:         []cognitotest.IdentityPoolUserPool{{UserPoolID: userPool, ClientID: app.ID}},
		AuthenticatedRole: exampleAuthRole,
	})
	ctx := context.Background()
	cfg := srv.Config()

	users := cognito.New(cfg, userPool, app.ID)
	res, err := users.SignIn(ctx, "alice", examplePassword)
	if err != nil {
		fmt.Println(err)
		return
	}
	session := users.NewSession(res.Tokens)

	provider := identity.NewProvider(cognitoidentity.NewFromConfig(cfg), identityPool, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.UserPoolLogin("", userPool, session))
	})
	creds := aws.NewCredentialsCache(provider) // cache, refresh once for all callers

	c, err := creds.Retrieve(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Source, c.CanExpire, c.Expires.Sub(srv.Now()).Round(time.Minute))
	fmt.Println(strings.HasPrefix(provider.IdentityID(), "us-east-1:"))
	// Output:
	// CognitoIdentityCredentials true 1h0m0s
	// true
}

// A guest (unauthenticated identity) has no Logins. When the user signs in
// later, the same provider's Logins function starts returning their token
// and Cognito links the login to the guest identity, which the user keeps.
func ExampleNewProvider_guest() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	identityPool := srv.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		AllowUnauthenticated: true,
		FacebookAppID:        "1234567890",
		AuthenticatedRole:    exampleAuthRole, UnauthenticatedRole: exampleUnauthRole,
	})
	ctx := context.Background()

	facebookToken := "" // empty until the user signs in with Facebook
	provider := identity.NewProvider(cognitoidentity.NewFromConfig(srv.Config()), identityPool, func(o *identity.Options) {
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
	guest := provider.IdentityID()

	facebookToken = srv.MustFacebookToken("1234567890", cognitotest.FacebookUser{ID: "10001", Name: "Fay"})
	if _, err := provider.Retrieve(ctx); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in, same identity:", provider.IdentityID() == guest)
	// Output: signed in, same identity: true
}

// The basic flow chooses the role itself: GetId, GetOpenIdToken, then STS
// AssumeRoleWithWebIdentity, here with a 15-minute session.
func ExampleNewBasicProvider() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	identityPool := srv.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		AllowClassicFlow: true,
		FacebookAppID:    "1234567890",
	})
	ctx := context.Background()
	cfg := srv.Config()

	provider := identity.NewBasicProvider(cognitoidentity.NewFromConfig(cfg), sts.NewFromConfig(cfg), identityPool, exampleAuthRole,
		func(o *identity.Options) {
			o.Logins = identity.Logins(identity.FacebookLogin(srv.MustFacebookToken("1234567890", cognitotest.FacebookUser{ID: "10001"})))
			o.RoleSessionName = "web-user"
			o.Duration = 15 * time.Minute
		})
	c, err := aws.NewCredentialsCache(provider).Retrieve(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Source, c.AccountID, c.Expires.Sub(srv.Now()).Round(time.Minute))
	// Output: CognitoIdentityBasicCredentials 123456789012 15m0s
}

// Developer-authenticated identities: the back end, holding IAM
// credentials, issues an OpenID token for a user it authenticated itself;
// the client trades it for credentials.
func ExampleNewDeveloperIssuer() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	identityPool := srv.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		DeveloperProviderName: "login.example.com",
		AuthenticatedRole:     exampleAuthRole,
	})
	ctx := context.Background()

	// Back end: a client with IAM credentials allowed
	// GetOpenIdTokenForDeveloperIdentity (srv.Config() has some).
	backend := cognitoidentity.NewFromConfig(srv.Config())
	issuer := identity.NewDeveloperIssuer(backend, identityPool, "login.example.com")
	tok, err := issuer.Issue(ctx, "user-42")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Replace(tok.String(), tok.IdentityID, "ID", 1)) // the token is never printed

	// Client: fetches tok from the back end on each refresh.
	provider := identity.NewDeveloperProvider(cognitoidentity.NewFromConfig(srv.Config()), identity.OpenIDTokenFunc(
		func(context.Context) (identity.OpenIDToken, error) {
			return tok, nil // e.g. GET https://api.example.com/cognito-token
		}))
	c, err := aws.NewCredentialsCache(provider).Retrieve(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Source, provider.IdentityID() == tok.IdentityID)
	// Output:
	// identity.OpenIDToken{IdentityID: ID, Token: [redacted]}
	// CognitoIdentityDeveloperCredentials true
}

// An expired login token is an error callers can branch on.
func ExampleAPIError() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	identityPool := srv.MustCreateIdentityPool(cognitotest.IdentityPoolOptions{
		FacebookAppID: "1234567890", AuthenticatedRole: exampleAuthRole,
	})
	token := srv.MustFacebookToken("1234567890", cognitotest.FacebookUser{ID: "10001"})
	srv.Advance(3 * time.Hour) // Facebook access tokens last two hours

	provider := identity.NewProvider(cognitoidentity.NewFromConfig(srv.Config()), identityPool, func(o *identity.Options) {
		o.Logins = identity.Logins(identity.FacebookLogin(token))
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
