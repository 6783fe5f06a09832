package faketwitter_test

import (
	"fmt"
	"testing"

	"github.com/cognitokit/cognitokit/internal/emulator/faketwitter"
)

// A test registers the app an identity pool trusts and a user's token
// pair, then checks the api.twitter.com Logins value as the pool does.
func ExampleFake_VerifyLogin() {
	tw, _ := faketwitter.New("/_emulator/twitter/", nil, nil)
	_ = tw.PutConsumer("consumer-key", "consumer-secret")
	token, secret, _ := tw.MintToken("consumer-key", faketwitter.User{ID: "783214", ScreenName: "twitterdev"})

	u, err := tw.VerifyLogin("consumer-key", "consumer-secret", token+";"+secret)
	fmt.Println(u.ID, u.ScreenName, err)
	_, err = tw.VerifyLogin("consumer-key", "consumer-secret", token+";wrong")
	fmt.Println(err)
	// Output:
	// 783214 twitterdev <nil>
	// faketwitter: invalid or expired token
}

func BenchmarkVerifyLogin(b *testing.B) {
	tw, _ := faketwitter.New("/t/", nil, nil)
	_ = tw.PutConsumer("ck", "cs")
	token, secret, _ := tw.MintToken("ck", faketwitter.User{ID: "1"})
	login := token + ";" + secret
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tw.VerifyLogin("ck", "cs", login); err != nil {
			b.Fatal(err)
		}
	}
}
