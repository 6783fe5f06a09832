package userpool

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOriginAllowed(t *testing.T) {
	for _, tc := range []struct {
		rpID, origin string
		ok           bool
	}{
		{"auth.example.com", "https://auth.example.com", true},
		{"auth.example.com", "https://app.auth.example.com", true},
		{"auth.example.com", "https://auth.example.com:8443", true},
		{"auth.example.com", "https://AUTH.example.com", true},
		{"auth.example.com", "http://auth.example.com", false},
		{"auth.example.com", "https://example.com", false},
		{"auth.example.com", "https://evilauth.example.com", false},
		{"auth.example.com", "https://auth.example.com.evil.net", false},
		{"auth.example.com", "https://auth.example.com/path", false},
		{"auth.example.com", "https://user@auth.example.com", false},
		{"auth.example.com", "android:apk-key-hash:abc", false},
		{"auth.example.com", "", false},
		{"localhost", "http://localhost:3000", true},
		{"localhost", "https://localhost", true},
		{"127.0.0.1", "http://127.0.0.1:8080", true},
		{"example.com", "http://example.com", false},
	} {
		assert.Equal(t, tc.ok, originAllowed(tc.rpID, tc.origin), "%s from %s", tc.rpID, tc.origin)
	}
}

func TestSetSignInFactors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tier    string
		factors []string
		code    string
		want    []string
	}{
		{"all", "", []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"}, "", []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"}},
		{"duplicates dropped", "PLUS", []string{"PASSWORD", "PASSWORD"}, "", []string{"PASSWORD"}},
		{"password only on lite", "LITE", []string{"PASSWORD"}, "", []string{"PASSWORD"}},
		{"passwordless on lite", "LITE", []string{"PASSWORD", "EMAIL_OTP"}, "FeatureUnavailableInTierException", nil},
		{"no password", "", []string{"EMAIL_OTP"}, "InvalidParameterException", nil},
		{"empty", "", []string{}, "InvalidParameterException", nil},
		{"unknown", "", []string{"PASSWORD", "SOFTWARE_TOKEN"}, "InvalidParameterException", nil},
		{"too many", "", []string{"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN", "PASSWORD"}, "InvalidParameterException", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &pool{Tier: tc.tier}
			err := setSignInFactors(p, tc.factors)
			if tc.code != "" {
				require.Error(t, err)
				assert.Equal(t, tc.code, errCode(err))
				assert.Nil(t, p.SignInFactors, "nothing set")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.SignInFactors)
		})
	}
}

// TestPasskeyStateRoundTrip checks that a user's passkeys and pending
// registration survive the JSON of a state snapshot.
func TestPasskeyStateRoundTrip(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u := &user{Username: "nina", Sub: "s", Attrs: map[string]string{},
		Passkeys: []*passkey{{Cred: webauthn.Credential{ID: []byte{1, 2, 3}, PublicKey: []byte{4, 5},
			AttestationFormat: "packed", Authenticator: webauthn.Authenticator{SignCount: 7}}, RPID: "auth.example.com", Created: now}},
		PasskeyReg: &passkeyReg{ClientID: "c", Expires: now, Session: `{"challenge":"x"}`}}
	b, err := json.Marshal(u)
	require.NoError(t, err)
	var back user
	require.NoError(t, json.Unmarshal(b, &back))
	require.Len(t, back.Passkeys, 1)
	assert.Equal(t, []byte{1, 2, 3}, back.Passkeys[0].Cred.ID)
	assert.Equal(t, []byte{4, 5}, back.Passkeys[0].Cred.PublicKey)
	assert.Equal(t, uint32(7), back.Passkeys[0].Cred.Authenticator.SignCount)
	assert.Equal(t, "packed", back.Passkeys[0].Cred.AttestationFormat)
	assert.Equal(t, *u.PasskeyReg, *back.PasskeyReg)
}

func TestNullPasskeyInStateRefused(t *testing.T) {
	st := &state{Pools: map[string]*pool{"p": {Users: map[string]*user{"nina": {Passkeys: []*passkey{nil}}}}}}
	err := st.checkEntries()
	require.ErrorIs(t, err, ErrStateEntry)
	assert.Contains(t, err.Error(), "passkey")
}
