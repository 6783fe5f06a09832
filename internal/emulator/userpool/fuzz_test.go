package userpool

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/stretchr/testify/require"
)

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`username = "bob"`, `email ^= "a"`, `name="x\"y"`, `status = "Enabled"`, `a`, `= ""`, `username ^= "\`, `""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseFilter(s)
		if err != nil {
			if code := errCode(err); code != "InvalidParameterException" {
				t.Fatalf("error code %s", code)
			}
			return
		}
		u := &user{Username: "bob", Attrs: map[string]string{"email": "bob@example.com"}, Enabled: true}
		_ = flt.match(u)
	})
}

// FuzzDispatch sends arbitrary bodies to every operation: the answer is
// always JSON 200 or 400, never a panic or a 5xx.
func FuzzDispatch(f *testing.F) {
	host := emulator.MustNew(emulator.Config{})
	s := New(host, Options{})
	pool, err := s.CreatePool(PoolOptions{})
	require.NoError(f, err)
	cl, err := s.NewClient(pool, ClientOptions{})
	require.NoError(f, err)
	_, err = s.AddUser(pool, "alice", "Passw0rd!", map[string]string{"email": "a@example.com"})
	require.NoError(f, err)
	var ops []string
	for name := range targets[idpTarget] {
		ops = append(ops, name)
	}
	seeds := []string{`{}`, `{"UserPoolId":"` + pool + `","ClientId":"` + cl.ID + `","Username":"alice"}`,
		`{"ClientId":"` + cl.ID + `","AuthFlow":"USER_SRP_AUTH","AuthParameters":{"USERNAME":"alice","SRP_A":"1"}}`,
		`{"ClientId":"` + cl.ID + `","ChallengeName":"PASSWORD_VERIFIER","ChallengeResponses":{"USERNAME":"alice","PASSWORD_CLAIM_SECRET_BLOCK":"x"}}`,
		`{"AccessToken":"a.b.c"}`, `{"UserPoolId":"` + pool + `","Filter":"username ^= \"a\""}`, `[`, `null`, `{"MaxResults":-1}`}
	for i, seed := range seeds {
		f.Add(uint16(i), seed)
	}
	h := host.Handler()
	f.Fuzz(func(t *testing.T, opIndex uint16, body string) {
		op := ops[int(opIndex)%len(ops)]
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", idpTarget+"."+op)
		fakeSign(req)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("%s: status %d: %s", op, rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "InternalErrorException") {
			t.Fatalf("%s: %s", op, rec.Body.String())
		}
	})
}

// fakeSign gives req a well-formed SigV4 Authorization header (the
// emulator checks its shape and date, not the signature) dated now.
func fakeSign(req *http.Request) {
	now := time.Now().UTC()
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDCOGNITOTEST/"+now.Format("20060102")+
		"/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
}
