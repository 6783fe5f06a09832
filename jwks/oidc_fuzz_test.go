package jwks

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

const fuzzOIDCIssuer = "https://idp.example.com"

func fuzzOIDCVerifier(tb testing.TB, k *testKey) *OIDCVerifier {
	v, err := NewOIDCVerifier(fuzzOIDCIssuer, func(o *OIDCOptions) {
		o.ClientIDs = []string{oidcClient}
		o.JWKS = jwksJSON(k.jwk(nil))
		o.Clock = func() time.Time { return fuzzNow }
	})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func fuzzOIDCClaims() map[string]any {
	return map[string]any{
		"iss": fuzzOIDCIssuer, "sub": "110169484474386276334", "aud": oidcClient, "azp": oidcClient,
		"exp": fuzzNow.Add(time.Hour).Unix(), "iat": fuzzNow.Unix(), "nonce": "n", "email": "a@example.com",
		"email_verified": true, "name": "A",
	}
}

func fuzzOIDCSeeds(k *testKey) []string {
	c := fuzzOIDCClaims()
	return []string{
		k.mint(c),
		k.mint(with(c, "aud", []string{"other", oidcClient})),
		k.mint(with(c, "aud", []string{"other", oidcClient}, "azp", nil)),
		k.mint(with(c, "exp", fuzzNow.Add(-time.Hour).Unix())),
		k.mint(with(c, "email_verified", "true", "nbf", fuzzNow.Unix())),
		k.signParts([]byte(`{"alg":"RS256","kid":"fuzz","jku":"https://evil"}`), mustJSON(c)),
		rawToken(`{"alg":"ES256","kid":"fuzz"}`, string(mustJSON(c)), "AAAA"),
		rawToken(`{"alg":"none"}`, string(mustJSON(c)), ""),
	}
}

// checkAcceptedOIDC fails unless claims c (from payload) satisfy every
// check the verifier promises.
func checkAcceptedOIDC(t *testing.T, c *OIDCClaims, payload []byte) {
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatalf("accepted a payload encoding/json refuses: %v", err)
	}
	if m["iss"] != fuzzOIDCIssuer || c.Issuer != fuzzOIDCIssuer || c.Subject == "" || m["sub"] != c.Subject {
		t.Fatalf("accepted token with claims %+v", c)
	}
	if exp, ok := m["exp"].(float64); !ok || !fuzzNow.Before(time.Unix(int64(exp), 0).Add(DefaultLeeway+time.Second)) {
		t.Fatalf("accepted exp %v", m["exp"])
	}
	if !slices.Contains(c.Audience, oidcClient) || (len(c.Audience) > 1 && c.AuthorizedParty != oidcClient) {
		t.Fatalf("accepted aud %v azp %q", c.Audience, c.AuthorizedParty)
	}
}

// FuzzOIDCVerify feeds arbitrary tokens to the OIDC verify path: it must
// never panic, and whatever it accepts must carry the checked claims.
func FuzzOIDCVerify(f *testing.F) {
	k := fuzzKey(f)
	for _, s := range fuzzOIDCSeeds(k) {
		f.Add(s)
	}
	v := fuzzOIDCVerifier(f, k)
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(context.Background(), token)
		if refused(t, c != nil, err) {
			return
		}
		checkAcceptedOIDC(t, c, c.Payload())
	})
}

// FuzzOIDCVerifySigned signs arbitrary header and payload JSON with the
// fuzz key, so that the claim checks see inputs that pass the
// cryptography.
func FuzzOIDCVerifySigned(f *testing.F) {
	k := fuzzKey(f)
	f.Add(`{"alg":"RS256","kid":"fuzz"}`, string(mustJSON(fuzzOIDCClaims())))
	f.Add(`{"alg":"RS256","kid":"fuzz","typ":"JWS"}`, `{"iss":"`+fuzzOIDCIssuer+`","exp":1e15,"sub":"s","aud":["`+oidcClient+`","x"],"azp":"x"}`)
	f.Add(`{"alg":"RS256","kid":"fuzz"}`, `{"iss":"`+fuzzOIDCIssuer+`","exp":1e15,"sub":"s","aud":"`+oidcClient+`","aud":"x"}`)
	v := fuzzOIDCVerifier(f, k)
	f.Fuzz(func(t *testing.T, header, payload string) {
		c, err := v.Verify(context.Background(), k.signParts([]byte(header), []byte(payload)))
		if refused(t, c != nil, err) {
			return
		}
		checkAcceptedOIDC(t, c, []byte(payload))
	})
}

// TestWriteOIDCFuzzCorpus regenerates testdata/fuzz/FuzzOIDCVerify from
// the seeds (run with JWKS_WRITE_CORPUS=1 after changing fuzzOIDCSeeds).
func TestWriteOIDCFuzzCorpus(t *testing.T) {
	writeSeedCorpus(t, "FuzzOIDCVerify", fuzzOIDCSeeds(fuzzKey(t)))
}

func TestOIDCFuzzSeeds(t *testing.T) {
	k := fuzzKey(t)
	v := fuzzOIDCVerifier(t, k)
	seeds := fuzzOIDCSeeds(k)
	for i, ok := range []bool{true, true, false, false, true, true, false, false} {
		_, err := v.Verify(context.Background(), seeds[i])
		if ok != (err == nil) {
			t.Fatalf("seed %d: err %v, want ok=%v", i, err, ok)
		}
	}
}
