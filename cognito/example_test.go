package cognito_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// Sign a user in with USER_SRP_AUTH against the emulator. Against AWS,
// pass the aws.Config from config.LoadDefaultConfig instead.
func ExampleClient_SignIn() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{GenerateSecret: true})
	srv.MustCreateUser(pool, "alice", "Correct-Horse-9!", map[string]string{"email": "alice@example.com"})

	c := cognito.New(srv.Config(), pool, app.ID, func(o *cognito.Options) { o.ClientSecret = app.Secret })
	ctx := context.Background()
	res, err := c.SignIn(ctx, "alice", "Correct-Horse-9!")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Tokens.Username, res.Tokens.TokenType, res.Tokens.ExpiresIn)

	_, err = c.SignIn(ctx, "alice", "wrong password")
	fmt.Println(errors.Is(err, cognito.ErrNotAuthorized))
	// Output:
	// alice Bearer 1h0m0s
	// true
}

// A user created by an administrator with a temporary password sets a new
// one at the first sign-in.
func ExampleChallenge_RespondNewPassword() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{RequiredAttributes: []string{"name"}})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	c := cognito.New(srv.Config(), pool, app.ID)
	ctx := context.Background()

	_, err := c.AdminCreateUser(ctx, "bob", func(o *cognito.AdminCreateUserOptions) {
		o.TemporaryPassword = "Temp-Passw0rd!"
		o.SuppressMessage = true
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.SignIn(ctx, "bob", "Temp-Passw0rd!")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Challenge.Name, res.Challenge.RequiredAttributes)
	res, err = res.Challenge.RespondNewPassword(ctx, "Perm-Passw0rd!", map[string]string{"name": "Bob"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Tokens != nil)
	// Output:
	// NEW_PASSWORD_REQUIRED [name]
	// true
}

// In a pool that requires MFA, a user without a factor sets up an
// authenticator app during sign-in.
func ExampleChallenge_VerifyTOTP() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{MFA: "ON"})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "carol", "Correct-Horse-9!", nil)
	c := cognito.New(srv.Config(), pool, app.ID)
	ctx := context.Background()

	res, err := c.SignIn(ctx, "carol", "Correct-Horse-9!")
	if err != nil {
		fmt.Println(err)
		return
	}
	ch := res.Challenge
	fmt.Println(ch.Name, ch.MFAOptions)
	setup, err := ch.SetupTOTP(ctx, "Example")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(setup.URI[:len("otpauth://totp/Example:carol?")])
	code := srv.MustTOTP(setup.Secret) // the user reads it from the app
	res, err = ch.VerifyTOTP(ctx, code, "phone")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Tokens != nil)
	// Output:
	// MFA_SETUP [SOFTWARE_TOKEN_MFA]
	// otpauth://totp/Example:carol?
	// true
}

// A Session keeps tokens fresh: it refreshes shortly before they expire.
func ExampleSession() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "dan", "Correct-Horse-9!", nil)
	c := cognito.New(srv.Config(), pool, app.ID, func(o *cognito.Options) { o.Clock = srv.Now })
	ctx := context.Background()

	res, err := c.SignIn(ctx, "dan", "Correct-Horse-9!")
	if err != nil {
		fmt.Println(err)
		return
	}
	sess := c.NewSession(res.Tokens)
	first, _ := sess.AccessToken(ctx)
	srv.Advance(58 * time.Minute) // inside the 5-minute refresh window
	second, err := sess.AccessToken(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(first != second)
	// Output:
	// true
}

// Remembering a device lets later sign-ins skip MFA.
func ExampleClient_ConfirmDevice() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{MFA: "ON", DeviceTracking: true})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "erin", "Correct-Horse-9!", map[string]string{"phone_number": "+15555550123"})
	c := cognito.New(srv.Config(), pool, app.ID) // devices kept in memory
	ctx := context.Background()

	res, err := c.SignIn(ctx, "erin", "Correct-Horse-9!")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Challenge.Name)
	code, _ := srv.LastCode(pool, "erin") // the SMS the user received
	res, err = res.Challenge.RespondMFA(ctx, code)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.ConfirmDevice(ctx, res.Tokens, "laptop"); err != nil {
		fmt.Println(err)
		return
	}

	res, err = c.SignIn(ctx, "erin", "Correct-Horse-9!")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Challenge == nil, res.Tokens != nil)
	// Output:
	// SMS_MFA
	// true true
}

// Tokens print without the tokens themselves.
func ExampleTokens_String() {
	t := cognito.Tokens{
		IDToken: "eyJ...", AccessToken: "eyJ...", RefreshToken: "eyJ...",
		TokenType: "Bearer", Username: "alice",
		Expiry: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	fmt.Println(t)
	// Output:
	// cognito.Tokens{Username: "alice", TokenType: "Bearer", Expiry: 2026-01-02T03:04:05Z, IDToken: [redacted], AccessToken: [redacted], RefreshToken: [redacted]}
}

// Cognito's exceptions are *cognito.Error values that match the sentinels.
func ExampleError() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	c := cognito.New(srv.Config(), pool, app.ID)
	ctx := context.Background()

	_, err := c.SignUp(ctx, "fay", "Correct-Horse-9!", map[string]string{"email": "fay@example.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = c.ConfirmSignUp(ctx, "fay", "000000")
	var ce *cognito.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Op, ce.Code, errors.Is(err, cognito.ErrCodeMismatch))
	}
	// Output:
	// ConfirmSignUp CodeMismatchException true
}
