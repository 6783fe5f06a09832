package cognito

import (
	"testing"
)

// FuzzPasskeyJSON feeds arbitrary bytes to every parser of passkey JSON:
// none may panic, and what they accept must be a JSON object they return
// unchanged in meaning.
func FuzzPasskeyJSON(f *testing.F) {
	f.Add([]byte(creationOptions))
	f.Add([]byte(registrationResponse))
	f.Add(fakeAssertion("id", "c"))
	f.Add([]byte(`{"challenge":"c","rpId":"x","allowCredentials":[{"id":1}]}`))
	f.Add([]byte(`{"challenge":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if o, err := ParseCredentialCreationOptions(b); err == nil && len(o.JSON()) == 0 {
			t.Fatal("accepted creation options without JSON")
		}
		if o, err := ParseCredentialRequestOptions(b); err == nil && o.Challenge == "" {
			t.Fatal("accepted request options without a challenge")
		}
		_, _ = checkCredential("Fuzz", b, "clientDataJSON")
		if d, err := jsonDocument(b); err == nil {
			_, _ = d.MarshalSmithyDocument()
		}
	})
}

// BenchmarkUserAuthEmailOTP is a whole USER_AUTH sign-in with an e-mailed
// code (SELECT_CHALLENGE, EMAIL_OTP, tokens) against the in-memory fake:
// the client's own cost per sign-in.
func BenchmarkUserAuthEmailOTP(b *testing.B) {
	u := newUserAuthFake(b, true, FactorEmailOTP)
	u.addUser("nina", "", "nina@example.com", "", "")
	c := newTestClient(u.f, withSecret)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		u.f.mu.Lock()
		u.f.calls = u.f.calls[:0]
		u.f.mu.Unlock()
		res, err := c.SignIn(ctx, "nina", "", userAuth(""))
		if err != nil {
			b.Fatal(err)
		}
		res, err = res.Challenge.SelectFactor(ctx, FactorEmailOTP)
		if err != nil {
			b.Fatal(err)
		}
		res, err = res.Challenge.AnswerEmailOTP(ctx, u.code("nina"))
		if err != nil || res.Tokens == nil {
			b.Fatal(err)
		}
	}
}
