package idpool

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// FuzzCall: every operation, given any body, answers or returns an
// *APIError; it never panics. The pool FuzzCall's seeds name exists, so
// the fuzzer reaches past the pool lookup.
func FuzzCall(f *testing.F) {
	const pool = "us-east-1:00000000-0000-4000-8000-000000000001"
	seeds := []string{
		`{}`, `null`, `[]`, `{"IdentityPoolId":"` + pool + `"}`,
		`{"IdentityPoolId":"` + pool + `","Logins":{"graph.facebook.com":"x"}}`,
		`{"IdentityPoolId":"` + pool + `","Logins":{"cognito-idp.us-east-1.amazonaws.com/us-east-1_A":"a.b.c"}}`,
		`{"IdentityPoolId":"` + pool + `","Logins":{"cognito-identity.amazonaws.com":"e30.e30.e30"}}`,
		`{"IdentityPoolId":"` + pool + `","Logins":{"login.example.com":"u1"},"TokenDuration":0}`,
		`{"IdentityId":"us-east-1:x","Logins":{"":""},"CustomRoleArn":"arn"}`,
		`{"IdentityPoolId":"` + pool + `","MaxResults":60,"NextToken":"-1"}`,
		`{"IdentityPoolName":"p","AllowUnauthenticatedIdentities":true,"CognitoIdentityProviders":[{"ProviderName":"x"}]}`,
		`{"IdentityPoolId":"` + pool + `","Roles":{"authenticated":"arn:aws:iam::123456789012:role/R"},"RoleMappings":{"k":{"Type":"Token"}}}`,
		`{"IdentityIdsToDelete":["us-east-1:x"]}`,
	}
	ops := Operations()
	sort.Strings(ops)
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	// One OpenID signing key for all runs: generating one per run would
	// spend the fuzzing time in RSA key generation.
	keyed := New(Config{})
	keyed.mu.Lock()
	sig, err := keyed.signerLocked()
	keyed.mu.Unlock()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, opIndex uint8, body string) {
		s := New(Config{})
		s.sig = sig
		if _, err := s.Seed(SeedPool{ID: pool, Name: "fuzz", AllowUnauthenticatedIdentities: true, DeveloperProviderName: "login.example.com",
			SupportedLoginProviders: map[string]string{FacebookProvider: "1"},
			Roles:                   map[string]string{"authenticated": "arn:aws:iam::123456789012:role/A", "unauthenticated": "arn:aws:iam::123456789012:role/U"}}); err != nil {
			t.Fatal(err)
		}
		// A guest identity, so IdentityId-taking operations have one to find.
		if _, err := s.Call("GetId", []byte(`{"IdentityPoolId":"`+pool+`"}`)); err != nil {
			t.Fatal(err)
		}
		op := ops[int(opIndex)%len(ops)]
		if _, err := s.Call(op, []byte(body)); err != nil {
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("%s: %T %v", op, err, err)
			}
		}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		s.ServeSTS(httptest.NewRecorder(), req)
		// And a well-formed STS call carrying the fuzzed text as its token.
		form := "Action=AssumeRoleWithWebIdentity&RoleArn=arn:aws:iam::123456789012:role/R&RoleSessionName=s1&WebIdentityToken=" + url.QueryEscape(body)
		req = httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		s.ServeSTS(httptest.NewRecorder(), req)
	})
}
