package jwks_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/jwks"
)

// Verify the ID tokens of an OpenID Connect issuer (here an in-process
// stand-in for Google or any other provider: discovery and a JWKS) in a
// service that accepts them directly. For Google itself, the issuer is
// jwks.GoogleIssuer and the client IDs are your OAuth client IDs.
func ExampleNewOIDCVerifier() {
	mux := http.NewServeMux()
	idp := httptest.NewServer(mux)
	defer idp.Close()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": idp.URL, "jwks_uri": idp.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(exampleJWKS()) })

	v, err := jwks.NewOIDCVerifier(idp.URL, func(o *jwks.OIDCOptions) {
		o.ClientIDs = []string{"web-client-1"}
	})
	if err != nil {
		panic(err)
	}
	// The provider's ID token, answering a sign-in request sent with a
	// nonce.
	idToken := exampleToken(map[string]any{
		"iss": idp.URL, "sub": "110169484474386276334", "aud": "web-client-1",
		"email": "alice@example.com", "email_verified": true, "nonce": "n-0S6_WzA2Mj",
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(),
	})
	ctx := context.Background()
	c, err := v.VerifyNonce(ctx, idToken, "n-0S6_WzA2Mj")
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Subject, c.Email, c.EmailVerified)

	// One character changed in the claims: refused.
	parts := strings.Split(idToken, ".")
	claims, _ := json.Marshal(map[string]any{"iss": idp.URL, "sub": "attacker", "aud": "web-client-1", "exp": time.Now().Add(time.Hour).Unix()})
	_, err = v.Verify(ctx, parts[0]+"."+base64.RawURLEncoding.EncodeToString(claims)+"."+parts[2])
	fmt.Println(errors.Is(err, jwks.ErrSignature))
	// A token for another client of the same provider: refused.
	_, err = v.Verify(ctx, exampleToken(map[string]any{
		"iss": idp.URL, "sub": "110169484474386276334", "aud": "someone-elses-app", "exp": time.Now().Add(time.Hour).Unix(),
	}))
	fmt.Println(errors.Is(err, jwks.ErrClientID))
	// Output:
	// 110169484474386276334 alice@example.com true
	// true
	// true
}

// Verify the OpenID tokens a Cognito identity pool issues
// (GetOpenIdToken), e.g. in a service called with one. Here the keys are a
// static JWKS so that the example runs offline; without it they are found
// by discovery at https://cognito-identity.amazonaws.com.
func ExampleNewCognitoIdentityVerifier() {
	const pool = "us-east-1:0f0e0d0c-0000-4000-8000-000000000001"
	v, err := jwks.NewCognitoIdentityVerifier([]string{pool}, func(o *jwks.OIDCOptions) {
		o.JWKS = exampleJWKS()
		o.Algorithms = []string{"RS256"} // the example key signs RS256; Cognito signs RS512
	})
	if err != nil {
		panic(err)
	}
	c, err := v.Verify(context.Background(), exampleToken(map[string]any{
		"iss": jwks.CognitoIdentityIssuer, "sub": "us-east-1:aaaaaaaa-0000-4000-8000-000000000002", "aud": pool,
		"amr": []string{"authenticated", "accounts.google.com", "accounts.google.com:110169484474386276334"},
		"exp": time.Now().Add(10 * time.Minute).Unix(), "iat": time.Now().Unix(),
	}))
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Subject)
	fmt.Println(c.AuthMethods()[0], c.AuthMethods()[1])
	// Output:
	// us-east-1:aaaaaaaa-0000-4000-8000-000000000002
	// authenticated accounts.google.com
}
