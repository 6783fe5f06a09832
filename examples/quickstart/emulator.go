package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// The names the usual Terraform tutorial gives its resources, in the
// emulator's account.
const (
	authRoleARN   = "arn:aws:iam::" + cognitotest.AccountID + ":role/Cognito_quickstartAuth_Role"
	unauthRoleARN = "arn:aws:iam::" + cognitotest.AccountID + ":role/Cognito_quickstartUnauth_Role"
	facebookAppID = "1234567890"
	apiID         = "quickstart"
)

// Emulator is the tutorial's setup running in an in-process emulator.
type Emulator struct {
	Server *cognitotest.Server
	Config Config
}

// Close stops the emulator.
func (e *Emulator) Close() { e.Server.Close() }

// StartEmulator starts the Cognito emulator on a loopback port and sets it
// up as the usual Terraform tutorial does: a user pool with an e-mail alias
// and a required nickname, an app client, an identity pool trusting the
// pool and a Facebook app, an authenticated role allowed execute-api:Invoke,
// an unauthenticated role denied everything, and an API with POST /test
// under AWS_IAM and GET /public open. The Config it returns targets that
// setup, with a new user to sign up (username, a random password).
func StartEmulator(username string, optFns ...func(*cognitotest.Options)) (*Emulator, error) {
	srv := cognitotest.NewServer(optFns...)
	e := &Emulator{Server: srv}
	if err := e.setup(username); err != nil {
		srv.Close()
		return nil, fmt.Errorf("setting up the emulator: %w", err)
	}
	return e, nil
}

func (e *Emulator) setup(username string) error {
	srv := e.Server
	pool, err := srv.CreateUserPool(cognitotest.PoolOptions{
		Name:               "quickstart",
		AliasAttributes:    []string{"email"},
		RequiredAttributes: []string{"nickname"},
	})
	if err != nil {
		return err
	}
	app, err := srv.CreateUserPoolClient(pool, cognitotest.ClientOptions{Name: "quickstart-app"})
	if err != nil {
		return err
	}
	if err := srv.PutAPI(cognitotest.API{ID: apiID, Name: "quickstart", Routes: []cognitotest.Route{
		{Method: "POST", Path: "/test", Authorization: cognitotest.AuthIAM, Message: "hello world"},
		{Method: "GET", Path: "/public", Message: "hello anyone"},
	}}); err != nil {
		return err
	}
	idPool, err := srv.CreateIdentityPool(cognitotest.IdentityPoolOptions{
		Name:                 "quickstart",
		AllowUnauthenticated: true,
		UserPools: []cognitotest.IdentityPoolUserPool{{
			UserPoolID: pool, ClientID: app.ID, ServerSideTokenCheck: true,
		}},
		FacebookAppID:       facebookAppID,
		AuthenticatedRole:   authRoleARN,
		UnauthenticatedRole: unauthRoleARN,
	})
	if err != nil {
		return err
	}
	srv.MustPutRole(cognitotest.Role{
		ARN: authRoleARN, TrustedIdentityPools: []string{idPool}, TrustedAMR: "authenticated",
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke",` +
			`"Resource":"arn:aws:execute-api:*:*:` + apiID + `/*"}]}`,
	})
	srv.MustPutRole(cognitotest.Role{
		ARN: unauthRoleARN, TrustedIdentityPools: []string{idPool}, TrustedAMR: "unauthenticated",
		Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`,
	})

	password, err := randomPassword()
	if err != nil {
		return err
	}
	region := srv.Config().Region
	e.Config = Config{
		Target:         "the in-process emulator at " + srv.URL,
		Emulator:       true,
		AWS:            srv.Config(),
		Region:         region,
		UserPoolID:     pool,
		ClientID:       app.ID,
		IdentityPoolID: idPool,
		APIURL:         srv.APIURL(apiID, ""),
		Issuers:        []string{srv.Issuer(pool)},
		JWKSURL:        srv.JWKSURL(pool),
		Username:       username,
		Password:       password,
		Email:          username + "@example.com",
		Nickname:       "Ali",
		CodeSource:     "the emulator's outbox",
		ReadCode: func(context.Context, string) (string, error) {
			code, ok := srv.LastCode(pool, username)
			if !ok {
				return "", fmt.Errorf("no message for %s in the emulator's outbox", username)
			}
			return code, nil
		},
		FacebookSource: "the emulator's fake Facebook",
		FacebookLogin: func(context.Context) (string, error) {
			return srv.FacebookToken(facebookAppID, cognitotest.FacebookUser{ID: "10001", Name: "Fay Book", Email: "fay@example.com"})
		},
		CheckPublic: true,
	}
	return nil
}

// randomPassword returns a fresh password that meets Cognito's default
// policy (upper and lower case, a digit, a symbol), so that none is
// written in the source.
func randomPassword() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "Qs-" + hex.EncodeToString(b) + "!7a", nil
}
