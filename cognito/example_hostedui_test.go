package cognito_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// Build the hosted UI's authorize URL with PKCE, a tamper-proof state and
// an identity provider. Against AWS, the domain is
// cognito.HostedUIDomain("myapp", "eu-west-1").
func ExampleHostedUI_AuthorizeURL() {
	ui, err := cognito.NewHostedUI("https://myapp.auth.eu-west-1.amazoncognito.com", "1example23456789",
		"https://app.example.com/callback", func(o *cognito.HostedUIOptions) { o.Scopes = []string{"openid", "email"} })
	if err != nil {
		fmt.Println(err)
		return
	}
	states, err := cognito.NewStateCodec([]byte("0123456789abcdef0123456789abcdef"), func(o *cognito.StateOptions) {
		o.AllowedDestinations = []string{"/", "/orders"}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	pkce, _ := cognito.NewPKCE()
	state, nonce, _ := states.New("/orders") // keep nonce and pkce.Verifier for this browser
	u, _ := ui.AuthorizeURL(cognito.AuthorizeOptions{State: state, CodeChallenge: pkce.Challenge,
		IdentityProvider: cognito.IdentityProviderFacebook})
	parsed, _ := url.Parse(u)
	q := parsed.Query()
	fmt.Println(parsed.Host + parsed.Path)
	fmt.Println(q.Get("response_type"), q.Get("scope"), q.Get("identity_provider"), q.Get("code_challenge_method"))

	// At the callback: the state proves this browser started the sign-in.
	dest, err := states.Verify(q.Get("state"), nonce)
	fmt.Println(dest, err)
	_, err = states.Verify(q.Get("state"), "another browser's nonce")
	fmt.Println(errors.Is(err, cognito.ErrStateMismatch))
	_, _, err = states.New("https://evil.example/")
	fmt.Println(errors.Is(err, cognito.ErrDestinationNotAllowed))
	// Output:
	// myapp.auth.eu-west-1.amazoncognito.com/oauth2/authorize
	// code openid email Facebook S256
	// /orders <nil>
	// true
	// true
}

// Sign in through the emulator's hosted UI and exchange the code at the
// token endpoint, as a web app's callback does.
func ExampleHostedUI_Exchange() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{CallbackURLs: []string{"http://127.0.0.1:8080/callback"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email"}})
	srv.MustCreateUser(pool, "alice", "Correct-Horse-9!", map[string]string{"email": "alice@example.com"})

	ui, _ := cognito.NewHostedUI(srv.HostedUIURL(), app.ID, "http://127.0.0.1:8080/callback")
	pkce, _ := cognito.NewPKCE()
	authorize, _ := ui.AuthorizeURL(cognito.AuthorizeOptions{State: "xyz", CodeChallenge: pkce.Challenge})

	// A browser would show the sign-in page here; HostedSignIn fills it in.
	callback, err := srv.HostedSignIn(authorize, "alice", "Correct-Horse-9!")
	if err != nil {
		fmt.Println(err)
		return
	}
	cb, _ := url.Parse(callback)
	code, state, err := cognito.ParseCallback(cb.Query())
	fmt.Println(state, err)

	ctx := context.Background()
	tokens, err := ui.Exchange(ctx, code, pkce.Verifier)
	if err != nil {
		fmt.Println(err)
		return
	}
	info, _ := ui.UserInfo(ctx, tokens.AccessToken)
	fmt.Println(tokens.Username, tokens.TokenType, tokens.ExpiresIn, info["email"])

	_, err = ui.Exchange(ctx, code, pkce.Verifier)
	fmt.Println(errors.Is(err, cognito.ErrInvalidGrant))
	// Output:
	// xyz <nil>
	// alice Bearer 1h0m0s alice@example.com
	// true
}

// Hand the HostedUI's configuration to code that speaks
// golang.org/x/oauth2: its own PKCE options, Exchange and an
// oauth2.NewClient that sends the access token (here to userInfo).
func ExampleHostedUI_OAuth2Config() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{CallbackURLs: []string{"http://127.0.0.1:8080/callback"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email"}})
	srv.MustCreateUser(pool, "alice", "Correct-Horse-9!", map[string]string{"email": "alice@example.com"})
	ui, _ := cognito.NewHostedUI(srv.HostedUIURL(), app.ID, "http://127.0.0.1:8080/callback")

	cfg := ui.OAuth2Config()
	verifier := oauth2.GenerateVerifier()
	callback, err := srv.HostedSignIn(cfg.AuthCodeURL("xyz", oauth2.S256ChallengeOption(verifier)), "alice", "Correct-Horse-9!")
	if err != nil {
		fmt.Println(err)
		return
	}
	cb, _ := url.Parse(callback)
	code, _, _ := cognito.ParseCallback(cb.Query())

	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: 10 * time.Second})
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.Type(), tok.Extra("id_token") != nil, tok.RefreshToken != "")

	resp, err := oauth2.NewClient(ctx, cfg.TokenSource(ctx, tok)).Get(ui.Domain() + "/oauth2/userInfo")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var info map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&info)
	fmt.Println(resp.StatusCode, info["email"])
	// Output:
	// Bearer true true
	// 200 alice@example.com
}
