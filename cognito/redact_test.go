package cognito

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/internal/redact"
)

// Recognisable secrets, one per secret field.
const (
	secClient   = "SECRET-client-9f3a"
	secID       = "SECRET-idtoken-71c2"
	secAccess   = "SECRET-access-55de"
	secRefresh  = "SECRET-refresh-0b8e"
	secSession  = "SECRET-session-c4d1"
	secVerifier = "SECRET-pkceverifier-6a7f"
	secTOTP     = "SECRET-totp-2e9b"
	secDevice   = "SECRET-devicepw-8d13"
	secTempPw   = "SECRET-temppw-3f6c"
	secStateKey = "SECRET-statekey-0123456789abcdef0123"
	secPassword = "SECRET-password-5a5a"
)

var allSecrets = []string{secClient, secID, secAccess, secRefresh, secSession, secVerifier, secTOTP, secDevice, secTempPw, secStateKey, secPassword}

// TestSecurityReview7_NoSecretInFmt formats every secret-bearing type of
// the package (and cognitotest.AppClient) with every verb, as value and as
// pointer, and finds no secret, neither as is nor hex-encoded.
func TestSecurityReview7_NoSecretInFmt(t *testing.T) {
	toks := Tokens{IDToken: secID, AccessToken: secAccess, RefreshToken: secRefresh, TokenType: "Bearer",
		Username: "alice", Expiry: time.Unix(1_800_000_000, 0), NewDevice: &NewDevice{Key: "dk", GroupKey: "gk"}}
	dev := Device{Key: "dk", GroupKey: "gk", Password: secDevice}
	store := NewMemoryDeviceStore()
	require.NoError(t, store.SaveDevice(context.Background(), "us-east-1_abc", "alice", dev))
	opts := Options{ClientSecret: secClient, DeviceStore: store}
	client := NewFromAPI(nil, "us-east-1_abc", "client1", func(o *Options) { *o = opts })
	session := client.NewSession(&toks)
	ui, err := NewHostedUI("http://127.0.0.1:9", "client1", "http://127.0.0.1:9/cb", func(o *HostedUIOptions) { o.ClientSecret = secClient })
	require.NoError(t, err)
	codec, err := NewStateCodec([]byte(secStateKey))
	require.NoError(t, err)
	st := authState{username: "alice", signInName: "alice", device: &dev}
	ch := &Challenge{Name: ChallengeSoftwareTokenMFA, Username: "alice", c: client, st: st, session: secSession}

	cases := []struct {
		name string
		v    any
	}{
		{"Client", client},
		{"Options", &opts},
		{"Session", session},
		{"HostedUI", ui},
		{"HostedUIOptions", &HostedUIOptions{ClientSecret: secClient, Scopes: []string{"openid"}}},
		{"PKCE", &PKCE{Verifier: secVerifier, Challenge: "chal"}},
		{"StateCodec", codec},
		{"Tokens", &toks},
		{"Result with tokens", &Result{Tokens: &toks}},
		{"Result with a challenge", &Result{Challenge: ch}},
		{"Challenge", ch},
		{"TOTPSetup", &TOTPSetup{Secret: secTOTP, URI: "otpauth://totp/x?secret=" + secTOTP}},
		{"Device", &dev},
		{"DeviceConfirmation", &DeviceConfirmation{Device: dev}},
		{"MemoryDeviceStore", store},
		{"AdminCreateUserOptions", &AdminCreateUserOptions{TemporaryPassword: secTempPw}},
		{"cognitotest.AppClient", &cognitotest.AppClient{ID: "client1", Secret: secClient}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Empty(t, redact.Leaks(tc.v, allSecrets...), "pointer")
			if s, ok := tc.v.(*Session); ok {
				// A Session holds a mutex and is never copied; its pointer is
				// what callers print.
				assert.Contains(t, fmt.Sprint(s), "alice")
				return
			}
			// The value the pointer points to.
			val := derefAny(tc.v)
			assert.Empty(t, redact.Leaks(val, allSecrets...), "value")
			// Nested in a struct and a slice, as a caller's log line would.
			assert.Empty(t, redact.Leaks(struct{ X, Y any }{val, tc.v}, allSecrets...), "nested")
			assert.Empty(t, redact.Leaks([]any{val, tc.v}, allSecrets...), "slice")
		})
	}
	// Nothing more is hidden than the secrets: the description is useful.
	assert.Contains(t, fmt.Sprintf("%+v", client), "client1")
	assert.Contains(t, fmt.Sprintf("%#v", toks), "alice")
	var nilTokens *Tokens
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", nilTokens))
}

// derefAny returns *p for a pointer p, through reflection-free type
// switches on the types the test uses.
func derefAny(v any) any {
	switch p := v.(type) {
	case *Client:
		return *p
	case *Options:
		return *p
	case *HostedUI:
		return *p
	case *HostedUIOptions:
		return *p
	case *PKCE:
		return *p
	case *StateCodec:
		return *p
	case *Tokens:
		return *p
	case *Result:
		return *p
	case *Challenge:
		return *p
	case *TOTPSetup:
		return *p
	case *Device:
		return *p
	case *DeviceConfirmation:
		return *p
	case *AdminCreateUserOptions:
		return *p
	case *cognitotest.AppClient:
		return *p
	case *MemoryDeviceStore:
		return p // holds a mutex: printed by pointer only
	}
	panic(fmt.Sprintf("derefAny: %T", v))
}
