package fakeoidc_test

import (
	"fmt"
	"testing"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoidc"
)

// A test gets a Google user's ID token and checks it as an identity pool
// trusting client "my-client" would.
func ExampleProvider_MintIDToken() {
	google, err := fakeoidc.New(fakeoidc.Config{Issuer: fakeoidc.GoogleIssuer, Prefix: "/_emulator/google/"})
	if err != nil {
		panic(err)
	}
	raw, err := google.MintIDToken("my-client", fakeoidc.User{Sub: "1001", Email: "gail@example.com", EmailVerified: true}, "")
	if err != nil {
		panic(err)
	}
	tok, err := google.VerifyIDToken(raw, "my-client")
	fmt.Println(tok.Issuer, tok.Subject, tok.Email, err)
	_, err = google.VerifyIDToken(raw, "another-client")
	fmt.Println(err)
	// Output:
	// https://accounts.google.com 1001 gail@example.com <nil>
	// fakeoidc: ID token was issued to another client
}

func BenchmarkVerifyIDToken(b *testing.B) {
	p, err := fakeoidc.New(fakeoidc.Config{Issuer: fakeoidc.GoogleIssuer, Prefix: "/g/"})
	if err != nil {
		b.Fatal(err)
	}
	raw, err := p.MintIDToken("c", fakeoidc.User{Sub: "s", Email: "e@example.com"}, "n")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.VerifyIDToken(raw, "c"); err != nil {
			b.Fatal(err)
		}
	}
}
