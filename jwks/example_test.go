package jwks_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/jwks"
)

// The examples that stand for Cognito itself (NewVerifier, static JWKS)
// are self-contained: what an identity provider does, in a few lines, so
// that they run offline: an RSA key, its JWKS served over HTTP, and a signed token.
var exampleKey, _ = rsa.GenerateKey(rand.Reader, 2048)

func exampleJWKS() []byte {
	enc := base64.RawURLEncoding.EncodeToString
	b, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "kid": "key-1", "alg": "RS256", "use": "sig",
		"n": enc(exampleKey.N.Bytes()), "e": enc(big.NewInt(int64(exampleKey.E)).Bytes()),
	}}})
	return b
}

func exampleToken(claims map[string]any) string {
	enc := base64.RawURLEncoding.EncodeToString
	h, _ := json.Marshal(map[string]any{"kid": "key-1", "alg": "RS256"})
	p, _ := json.Marshal(claims)
	in := enc(h) + "." + enc(p)
	d := sha256.Sum256([]byte(in))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, exampleKey, crypto.SHA256, d[:])
	return in + "." + enc(sig)
}

func exampleAccessToken(iss string) string {
	return exampleToken(map[string]any{
		"iss": iss, "sub": "0f0e0d0c-0000-4000-8000-000000000001", "token_use": "access",
		"client_id": "app-client-1", "username": "alice", "cognito:groups": []string{"admins"},
		"scope": "openid orders/read", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
	})
}

// Verify tokens from cognitokit's emulator (or any custom setup) whose
// issuer is <server URL>/<pool ID> and whose keys are at
// <issuer>/.well-known/jwks.json. The tokens here come from a real SRP
// sign-in to the in-process emulator.
func ExampleNewMultiPoolVerifier() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", map[string]string{"email": "alice@example.com"})
	srv.MustCreateGroup(pool, "admins", "", 0)
	srv.MustAddUserToGroup(pool, "alice", "admins")
	ctx := context.Background()
	res, err := cognito.New(srv.Config(), pool, app.ID).SignIn(ctx, "alice", "Passw0rd!")
	if err != nil {
		panic(err)
	}

	v, err := jwks.NewMultiPoolVerifier([]jwks.Pool{{Issuers: []string{srv.Issuer(pool)}}}, func(o *jwks.Options) {
		o.ClientIDs = []string{app.ID}
		o.TokenUse = jwks.TokenUseAccess
	})
	if err != nil {
		panic(err)
	}
	if err := v.Hydrate(ctx); err != nil { // optional: fetch keys now
		panic(err)
	}
	claims, err := v.Verify(ctx, res.Tokens.AccessToken)
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	fmt.Println(claims.Username, claims.ClientID == app.ID, claims.Groups, claims.HasScope("aws.cognito.signin.user.admin"))

	// An ID token is refused by a verifier for access tokens, and a token
	// from another pool by its issuer.
	_, err = v.Verify(ctx, res.Tokens.IDToken)
	fmt.Println(errors.Is(err, jwks.ErrTokenUse))
	other := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	srv.MustCreateUser(other, "alice", "Passw0rd!", nil)
	res, err = cognito.New(srv.Config(), other, srv.MustCreateUserPoolClient(other, cognitotest.ClientOptions{}).ID).SignIn(ctx, "alice", "Passw0rd!")
	if err != nil {
		panic(err)
	}
	_, err = v.Verify(ctx, res.Tokens.AccessToken)
	fmt.Println(errors.Is(err, jwks.ErrIssuer))
	// Output:
	// alice true [admins] true
	// true
	// true
}

// A verifier for a real user pool derives both issuer forms and the JWKS
// URL from the pool ID. (To run offline, this example's HTTP client answers
// the JWKS request itself.)
func ExampleNewVerifier() {
	fakeCognito := roundTripper(func(r *http.Request) (*http.Response, error) {
		fmt.Println("GET", r.URL)
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(exampleJWKS())), Request: r}, nil
	})
	v, err := jwks.NewVerifier("eu-west-1_AbCdEf123", func(o *jwks.Options) {
		o.ClientIDs = []string{"app-client-1"}
		o.HTTPClient = &http.Client{Transport: fakeCognito}
	})
	if err != nil {
		panic(err)
	}
	c, err := v.Verify(context.Background(), exampleAccessToken("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"))
	fmt.Println(c.Username, err)
	c, err = v.Verify(context.Background(), exampleAccessToken("https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"))
	fmt.Println(c.Username, err)
	// Output:
	// GET https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json
	// alice <nil>
	// alice <nil>
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// With the keys given as static JSON nothing is fetched, ever. Errors are
// told apart with errors.Is.
func ExamplePool_staticJWKS() {
	v, err := jwks.NewMultiPoolVerifier([]jwks.Pool{{UserPoolID: "eu-west-1_AbCdEf123", JWKS: exampleJWKS()}}, func(o *jwks.Options) {
		o.ClientIDs = []string{"app-client-1"}
	})
	if err != nil {
		panic(err)
	}
	expired := exampleToken(map[string]any{
		"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123", "sub": "u", "token_use": "access",
		"client_id": "app-client-1", "exp": time.Now().Add(-time.Hour).Unix(),
	})
	_, err = v.Verify(context.Background(), expired)
	switch {
	case errors.Is(err, jwks.ErrExpired):
		fmt.Println("expired: ask the client to refresh")
	case err != nil:
		fmt.Println("refused")
	}
	// Output:
	// expired: ask the client to refresh
}

// Protect an HTTP API: the middleware verifies the bearer token and puts
// the claims in the request context; RequireGroups answers 403 per route.
// The token comes from a sign-in to the in-process emulator.
func ExampleVerifier_Middleware() {
	emu := cognitotest.NewServer()
	defer emu.Close()
	pool := emu.MustCreateUserPool(cognitotest.PoolOptions{})
	app := emu.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	emu.MustCreateUser(pool, "alice", "Passw0rd!", nil)
	res, err := cognito.New(emu.Config(), pool, app.ID).SignIn(context.Background(), "alice", "Passw0rd!")
	if err != nil {
		panic(err)
	}
	token := res.Tokens.AccessToken

	v, err := jwks.NewMultiPoolVerifier([]jwks.Pool{{Issuers: []string{emu.Issuer(pool)}}}, func(o *jwks.Options) {
		o.ClientIDs = []string{app.ID}
	})
	if err != nil {
		panic(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := jwks.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", c.Username)
	})
	auth := v.Middleware()
	mux := http.NewServeMux()
	mux.Handle("/me", auth(hello))
	mux.Handle("/ops", auth(jwks.RequireGroups("operators")(hello)))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, c := range []struct{ path, token string }{{"/me", token}, {"/me", "forged"}, {"/ops", token}} {
		req, _ := http.NewRequest("GET", srv.URL+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s %d %q %q\n", c.path, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	// Output:
	// /me 200 "" "hello alice"
	// /me 401 "Bearer error=\"invalid_token\"" "jwks: malformed token\n"
	// /ops 403 "Bearer error=\"insufficient_scope\"" "jwks: required group missing\n"
}

// Custom attributes (custom:*) and any other claim are read from the
// verified payload of an ID token, here one the emulator issued.
func ExampleClaims_Custom() {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{CustomAttributes: []string{"tenant"}})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", map[string]string{"email": "alice@example.com", "custom:tenant": "acme"})
	ctx := context.Background()
	res, err := cognito.New(srv.Config(), pool, app.ID).SignIn(ctx, "alice", "Passw0rd!")
	if err != nil {
		panic(err)
	}

	v, _ := jwks.NewMultiPoolVerifier([]jwks.Pool{{Issuers: []string{srv.Issuer(pool)}}}, func(o *jwks.Options) {
		o.ClientIDs = []string{app.ID}
		o.TokenUse = jwks.TokenUseID
	})
	c, err := v.Verify(ctx, res.Tokens.IDToken)
	if err != nil {
		panic(err)
	}
	tenant, _ := c.Custom("tenant")
	fmt.Println(c.Username, c.Email, c.EmailVerified, tenant)
	// Output: alice alice@example.com true acme
}
