package fakesaml_test

import (
	"fmt"
	"testing"

	"github.com/cognitokit/cognitokit/internal/emulator/fakesaml"
)

// A user pool's SAML sign-in, in Go: the SP starts the login, the fake
// IdP has a user sign in, and the SP verifies what the browser would post.
func Example() {
	idp, err := fakesaml.NewIdP(fakesaml.IdPConfig{BaseURL: "http://127.0.0.1:9229", Prefix: "/_emulator/saml/"})
	if err != nil {
		panic(err)
	}
	const pool, acs = "urn:amazon:cognito:sp:us-east-1_EXAMPLE", "https://auth.example.com/saml2/idpresponse"
	_ = idp.RegisterServiceProvider(pool, acs)
	_ = idp.PutUser(fakesaml.User{NameID: "ann", Attributes: map[string][]string{"email": {"ann@example.com"}}})
	md, _ := idp.Metadata()

	sp, err := fakesaml.NewSP(fakesaml.SPConfig{EntityID: pool, ACSURL: acs, IdPMetadata: md})
	if err != nil {
		panic(err)
	}
	loginURL, requestID, _ := sp.AuthnRequestURL("relay")
	resp, err := idp.Respond(loginURL, "ann")
	if err != nil {
		panic(err)
	}
	a, err := sp.VerifyResponse(resp.SAMLResponse, []string{requestID})
	fmt.Println(a.NameID, a.Attributes["email"], err)
	_, err = sp.VerifyResponse(resp.SAMLResponse, []string{requestID})
	fmt.Println(err != nil)
	// Output:
	// ann [ann@example.com] <nil>
	// true
}

func BenchmarkVerifyResponse(b *testing.B) {
	idp, err := fakesaml.NewIdP(fakesaml.IdPConfig{BaseURL: "http://127.0.0.1:9229", Prefix: "/_emulator/saml/"})
	if err != nil {
		b.Fatal(err)
	}
	_ = idp.RegisterServiceProvider(fakesaml.AWSEntityID, fakesaml.AWSACSURL)
	_ = idp.PutUser(fakesaml.User{NameID: "ann", Attributes: map[string][]string{fakesaml.AttrRole: {"r,p"}}})
	md, _ := idp.Metadata()
	sp, err := fakesaml.NewSP(fakesaml.SPConfig{EntityID: fakesaml.AWSEntityID, ACSURL: fakesaml.AWSACSURL, IdPMetadata: md,
		AllowIDPInitiated: true, SkipReplayCheck: true})
	if err != nil {
		b.Fatal(err)
	}
	resp, err := idp.RespondUnsolicited(fakesaml.AWSEntityID, "ann", "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sp.VerifyResponse(resp.SAMLResponse, nil); err != nil {
			b.Fatal(err)
		}
	}
}
