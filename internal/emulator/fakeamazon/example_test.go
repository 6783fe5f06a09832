package fakeamazon_test

import (
	"fmt"
	"testing"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeamazon"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
)

// A test gets a www.amazon.com login and checks it as an identity pool
// does: whose token it is, and for which app.
func ExampleFake_VerifyAccessToken() {
	lwa, _ := fakeamazon.New("/_emulator/amazon/", nil, nil)
	_ = lwa.RegisterClient(fakeamazon.Client{Client: fakeoauth.Client{ID: "amzn1.application-oa2-client.example",
		Secret: "secret", RedirectURIs: []string{"https://app.example.com/cb"}}, AppID: "amzn1.application.example"})
	tok, _ := lwa.MintAccessToken("amzn1.application-oa2-client.example", fakeamazon.Profile{UserID: "amzn1.account.EXAMPLE", Name: "Ama"})

	info, err := lwa.VerifyAccessToken(tok)
	fmt.Println(info.Profile.UserID, info.AppID, err)
	_, err = lwa.VerifyAccessToken("Atza|forged")
	fmt.Println(err)
	// Output:
	// amzn1.account.EXAMPLE amzn1.application.example <nil>
	// fakeoauth: invalid access token: unknown token
}

func BenchmarkVerifyAccessToken(b *testing.B) {
	lwa, _ := fakeamazon.New("/a/", nil, nil)
	_ = lwa.RegisterClient(fakeamazon.Client{Client: fakeoauth.Client{ID: "c", Secret: "s", RedirectURIs: []string{"https://a.example/cb"}}, AppID: "app"})
	tok, _ := lwa.MintAccessToken("c", fakeamazon.Profile{UserID: "u"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lwa.VerifyAccessToken(tok); err != nil {
			b.Fatal(err)
		}
	}
}
