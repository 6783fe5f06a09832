package jwks

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The fuzz key is a throwaway test key checked in under testdata so that
// the seed corpus holds tokens that really verify.
func fuzzKey(tb testing.TB) *testKey {
	b, err := os.ReadFile(filepath.Join("testdata", "fuzz-test-key.pem"))
	if err != nil {
		tb.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	var k *rsa.PrivateKey
	if k, err = x509.ParsePKCS1PrivateKey(blk.Bytes); err != nil {
		pk, err2 := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err2 != nil {
			tb.Fatal(err, err2)
		}
		k = pk.(*rsa.PrivateKey)
	}
	return &testKey{priv: k, kid: "fuzz"}
}

// fuzzNow is the fixed clock of the fuzz verifier; corpus tokens are valid
// at it.
var fuzzNow = time.Unix(1767225600, 0) // 2026-01-01T00:00:00Z

func fuzzVerifier(tb testing.TB, k *testKey) *Verifier {
	v, err := NewMultiPoolVerifier([]Pool{{UserPoolID: testPool, JWKS: jwksJSON(k.jwk(nil))}}, func(o *Options) {
		o.ClientIDs = []string{testClient}
		o.TokenUse = TokenUseAny
		o.Clock = func() time.Time { return fuzzNow }
	})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func fuzzSeeds(k *testKey) []string {
	ac := accessClaims(fuzzNow)
	return []string{
		k.mint(ac),
		k.mint(idClaims(fuzzNow)),
		k.mint(with(ac, "exp", 1)),
		k.signParts([]byte(`{"alg":"RS256","kid":"fuzz","x":[1,{"a":null}]}`), []byte(`{"iss":"\u0068ttps://x","a":[true,false,-1.5e3]}`)),
		rawToken(`{"alg":"none"}`, `{}`, ""),
		"a.b.c",
		"..",
		"eyJ.eyJ.",
	}
}

// FuzzVerify feeds arbitrary tokens to the whole verify path: it must
// never panic, and whatever it accepts must carry the checked claims.
func FuzzVerify(f *testing.F) {
	k := fuzzKey(f)
	for _, s := range fuzzSeeds(k) {
		f.Add(s)
	}
	v := fuzzVerifier(f, k)
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(context.Background(), token)
		if refused(t, c != nil, err) {
			return
		}
		if c.Issuer != testIss || c.Subject == "" || c.ExpiresAt.IsZero() || (c.TokenUse != TokenUseID && c.TokenUse != TokenUseAccess) || c.ClientID != testClient {
			t.Fatalf("accepted token with claims %+v", c)
		}
	})
}

// refused reports whether a fuzzed token was refused, failing t unless a
// refusal is a *ValidationError without claims.
func refused(t *testing.T, gotClaims bool, err error) bool {
	if err == nil {
		return false
	}
	if gotClaims {
		t.Fatal("claims returned with an error")
	}
	if _, ok := err.(*ValidationError); !ok {
		t.Fatalf("error is %T, not *ValidationError", err)
	}
	return true
}

// FuzzVerifySigned signs arbitrary header and payload JSON with the fuzz
// key, so that the checks after the signature and the claim decoding see
// inputs that pass the cryptography. (Slower per input: RSA signing.)
func FuzzVerifySigned(f *testing.F) {
	k := fuzzKey(f)
	f.Add(`{"alg":"RS256","kid":"fuzz"}`, string(mustJSON(accessClaims(fuzzNow))))
	f.Add(`{"alg":"RS256","kid":"fuzz"}`, string(mustJSON(idClaims(fuzzNow))))
	f.Add(`{"alg":"RS256","kid":"fuzz","crit":[]}`, `{"iss":"`+testIss+`"}`)
	f.Add(`{"kid":"fuzz","alg":"RS256"}`, `{"iss":"`+testIss+`","exp":1e15,"sub":"s","token_use":"id","aud":["`+testClient+`","x"]}`)
	v := fuzzVerifier(f, k)
	f.Fuzz(func(t *testing.T, header, payload string) {
		tok := k.signParts([]byte(header), []byte(payload))
		c, err := v.Verify(context.Background(), tok)
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("error is %T, not *ValidationError", err)
			}
			return
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(payload), &m); err != nil {
			t.Fatalf("accepted a payload encoding/json refuses: %v", err)
		}
		if m["iss"] != testIss || c.Issuer != testIss || c.Subject == "" || m["sub"] != c.Subject {
			t.Fatalf("accepted token with claims %+v", c)
		}
		if exp, ok := m["exp"].(float64); !ok || time.Unix(int64(exp), 0).Add(DefaultLeeway).Before(fuzzNow) {
			t.Fatalf("accepted exp %v", m["exp"])
		}
		switch c.TokenUse {
		case TokenUseAccess:
			if m["client_id"] != testClient {
				t.Fatalf("accepted client_id %v", m["client_id"])
			}
		case TokenUseID:
			if c.ClientID != testClient {
				t.Fatalf("accepted aud %v", m["aud"])
			}
		default:
			t.Fatalf("accepted token_use %q", c.TokenUse)
		}
	})
}

// FuzzDecodeClaims checks the claims reader against encoding/json: what it
// accepts must be a valid JSON object, with the same iss and exp.
func FuzzDecodeClaims(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"iss":"a","exp":1}`, `{"iss":"\u00e9\ud83d\ude00","exp":1.5}`,
		`{"aud":["a","b"],"cognito:groups":[]}`, `{"x":{"y":[1,2,{"z":"\n"}]}}`,
		`{"email_verified":"true"}`, ` { "sub" : "s" } `, `{"a":1}x`, `{"iss":"a\"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		var rc rawClaims
		if e := decodeClaims(payload, &rc); e != nil {
			return
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(payload), &m); err != nil {
			t.Fatalf("accepted %q, encoding/json says %v", payload, err)
		}
		if rc.present&hasIss != 0 && m["iss"] != rc.Issuer {
			t.Fatalf("iss %q, encoding/json %q", rc.Issuer, m["iss"])
		}
		if rc.present&hasExp != 0 {
			want, _ := m["exp"].(float64)
			if float64(rc.exp) > want || float64(rc.exp) < want-1 {
				t.Fatalf("exp %d, encoding/json %v", rc.exp, want)
			}
		}
	})
}

// TestWriteFuzzCorpus regenerates testdata/fuzz/FuzzVerify from the seeds
// (run with JWKS_WRITE_CORPUS=1 after changing fuzzSeeds).
func TestWriteFuzzCorpus(t *testing.T) {
	writeSeedCorpus(t, "FuzzVerify", fuzzSeeds(fuzzKey(t)))
}

// writeSeedCorpus writes seeds as testdata/fuzz/<fuzzName>/seed-NN, when
// JWKS_WRITE_CORPUS=1.
func writeSeedCorpus(t *testing.T, fuzzName string, seeds []string) {
	if os.Getenv("JWKS_WRITE_CORPUS") != "1" {
		t.Skip("set JWKS_WRITE_CORPUS=1 to regenerate the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", fuzzName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range seeds {
		body := "go test fuzz v1\nstring(" + strconv.Quote(s) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFuzzSeedsVerify(t *testing.T) {
	k := fuzzKey(t)
	v := fuzzVerifier(t, k)
	seeds := fuzzSeeds(k)
	_, err := v.Verify(context.Background(), seeds[0])
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(context.Background(), seeds[1])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), seeds[2]); err == nil {
		t.Fatal("expired seed verified")
	}
}
