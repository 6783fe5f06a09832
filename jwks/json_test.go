package jwks

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONStrings(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{`"plain"`, "plain", true},
		{`""`, "", true},
		{`"a\"b\\c\/d"`, `a"b\c/d`, true},
		{`"\b\f\n\r\t"`, "\b\f\n\r\t", true},
		{`"caf\u00e9"`, "café", true},
		{`"\ud83d\ude00"`, "😀", true},
		{`"é"`, "é", true},
		{`"\ud83d"`, "", false},       // lone high surrogate
		{`"\ude00"`, "", false},       // lone low surrogate
		{`"\ud83d\u0041"`, "", false}, // high surrogate + non-surrogate
		{`"\x41"`, "", false},         // not a JSON escape
		{`"\u12"`, "", false},         // short \u
		{`"\u12G4"`, "", false},       // bad hex
		{"\"a\nb\"", "", false},       // raw control character
		{"\"\xff\"", "", false},       // invalid UTF-8
		{`"unterminated`, "", false},  // no closing quote
		{`"ends with backslash\`, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			r := jsonReader{s: tc.in}
			got, err := r.str()
			if !tc.ok {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			var std string
			require.NoError(t, json.Unmarshal([]byte(tc.in), &std))
			assert.Equal(t, std, got, "agrees with encoding/json")
		})
	}
}

func TestJSONClaimsObjects(t *testing.T) {
	cases := []struct {
		name string
		in   string
		ok   bool
	}{
		{"empty object", `{}`, true},
		{"whitespace", " \t\r\n{ \"iss\" : \"a\" , \"exp\" : 1 } \n", true},
		{"nested unknown claims", `{"x":{"y":[1,-2.5e-3,{"z":[true,false,null]}],"w":""}}`, true},
		{"deep nesting", `{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, false},
		{"trailing comma", `{"iss":"a",}`, false},
		{"missing colon", `{"iss" "a"}`, false},
		{"single quotes", `{'iss':'a'}`, false},
		{"bare word", `{"x":undefined}`, false},
		{"leading zero", `{"exp":01}`, false},
		{"plus sign", `{"exp":+1}`, false},
		{"dangling exponent", `{"exp":1e}`, false},
		{"dangling fraction", `{"exp":1.}`, false},
		{"trailing garbage", `{"iss":"a"} {}`, false},
		{"not an object", `"iss"`, false},
		{"unclosed", `{"iss":"a"`, false},
		{"groups not array", `{"cognito:groups":"admin"}`, false},
		{"groups with a number", `{"cognito:groups":["a",1]}`, false},
		{"aud number", `{"aud":5}`, false},
		{"iss number", `{"iss":5}`, false},
		{"exp huge", `{"exp":1e300}`, false},
		{"exp string", `{"exp":"1"}`, false},
		{"duplicate exp", `{"exp":1,"exp":2}`, false},
		{"duplicate username forms are fine", `{"username":"a","cognito:username":"b"}`, true},
		{"unknown duplicates are fine", `{"x":1,"x":2}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rc rawClaims
			e := decodeClaims(tc.in, &rc)
			if tc.ok {
				assert.Nil(t, e)
				assert.True(t, json.Valid([]byte(tc.in)))
			} else {
				require.NotNil(t, e)
				assert.ErrorIs(t, e, ErrMalformed)
			}
		})
	}
}

func TestUnknownKidWhenRefetchFails(t *testing.T) {
	f := newCacheFixture(t)
	require.NoError(t, f.verify(f.token(f.k1)))
	f.srv.set(500, nil)
	f.clock.Add(11 * time.Second)
	err := f.verify(f.token(f.k2))
	require.ErrorIs(t, err, ErrJWKSUnavailable, "an unknown kid with a failed refetch is not proof of forgery")
	require.NoError(t, f.verify(f.token(f.k1)), "cached keys keep serving")
	// Hydrate ignores the cooldown.
	f.srv.set(200, jwksJSON(f.k1.jwk(nil), f.k2.jwk(nil)))
	require.NoError(t, f.v.Hydrate(context.Background()))
	require.NoError(t, f.verify(f.token(f.k2)))
}

func TestLoggerGetsSkippedKeysAndFailures(t *testing.T) {
	var buf bytes.Buffer
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	logger := slog.New(slog.NewTextHandler(lockedWriter{&buf, mu}, nil))
	f := newCacheFixture(t, func(o *Options) { o.Logger = logger })
	f.srv.set(200, jwksJSON(map[string]any{"kty": "EC", "kid": "ec1"}, f.k1.jwk(nil)))
	tok := f.token(f.k1)
	require.NoError(t, f.verify(tok))
	require.Eventually(t, func() bool {
		<-mu
		defer func() { mu <- struct{}{} }()
		return strings.Contains(buf.String(), "JWK skipped")
	}, 2*time.Second, time.Millisecond)
	<-mu
	out := buf.String()
	mu <- struct{}{}
	assert.Contains(t, out, `kid=ec1`)
	assert.Contains(t, out, `not RSA`)
	assert.NotContains(t, out, tok)
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu chan struct{}
}

func (w lockedWriter) Write(p []byte) (int, error) {
	<-w.mu
	defer func() { w.mu <- struct{}{} }()
	return w.b.Write(p)
}
