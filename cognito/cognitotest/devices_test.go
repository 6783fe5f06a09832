package cognitotest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawOp calls a cognito-idp operation with a JSON body the SDKs would
// refuse to send (missing required members), and returns the decoded
// answer and the error type ("" on success).
func rawOp(t *testing.T, s *Server, op string, body map[string]any) (map[string]any, string) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req := httptest.NewRequest("POST", "/", strings.NewReader(string(b)))
	req.Header.Set("X-Amz-Target", idpTarget+"."+op)
	fakeSign(req)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), "body %s", rec.Body.String())
	if rec.Code == http.StatusOK {
		return m, ""
	}
	typ, _ := m["__type"].(string)
	return m, typ
}

// unknownDeviceKey is a device key of the model's form
// ([\w-]+_[0-9a-f-]+) that no device has.
const unknownDeviceKey = "us-east-1_00000000-0000-4000-8000-000000000000"

// TestSubjectOrderOfChecks pins the order in which the device and MFA
// preference operations check their input: the model's constraints
// first (as AWS does, before the operation runs: a missing DeviceKey is
// refused whatever the token), then the user (access token, or pool and
// username), then DeviceKey.
func TestSubjectOrderOfChecks(t *testing.T) {
	f := setup(t, PoolOptions{DeviceTracking: true}, ClientOptions{})
	tok := mustTokens(t, f, "alice")
	at := aws.ToString(tok.AccessToken)
	key := aws.ToString(tok.NewDeviceMetadata.DeviceKey)
	admin := func(extra map[string]any) map[string]any {
		m := map[string]any{"UserPoolId": f.pool, "Username": "alice"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name, op string
		body     map[string]any
		wantType string
		wantMsg  string
	}{
		{"no token, no key: model first", "GetDevice", map[string]any{}, "InvalidParameterException", "1 validation error detected: Value null at 'deviceKey' failed to satisfy constraint: Member must not be null"},
		{"no token", "GetDevice", map[string]any{"DeviceKey": unknownDeviceKey}, "InvalidParameterException", "accessToken"},
		{"bad token before unknown key", "GetDevice", map[string]any{"AccessToken": "a.b.c", "DeviceKey": unknownDeviceKey}, "NotAuthorizedException", ""},
		{"malformed key", "GetDevice", map[string]any{"AccessToken": at, "DeviceKey": "us-east-1_nope"}, "InvalidParameterException", "at 'deviceKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-f-]+"},
		{"no key", "GetDevice", map[string]any{"AccessToken": at}, "InvalidParameterException", "deviceKey"},
		{"unknown key", "GetDevice", map[string]any{"AccessToken": at, "DeviceKey": unknownDeviceKey}, "ResourceNotFoundException", "Device does not exist."},
		{"known key", "GetDevice", map[string]any{"AccessToken": at, "DeviceKey": key}, "", ""},
		{"admin no pool", "AdminGetDevice", map[string]any{"Username": "alice"}, "InvalidParameterException", "userPoolId"},
		{"admin unknown pool", "AdminGetDevice", map[string]any{"UserPoolId": "us-east-1_nope", "Username": "alice", "DeviceKey": unknownDeviceKey}, "ResourceNotFoundException", "User pool us-east-1_nope does not exist."},
		{"admin unknown user before unknown key", "AdminGetDevice", map[string]any{"UserPoolId": f.pool, "Username": "bob", "DeviceKey": unknownDeviceKey}, "UserNotFoundException", ""},
		{"admin no key", "AdminForgetDevice", admin(nil), "InvalidParameterException", "deviceKey"},
		{"admin known key", "AdminGetDevice", admin(map[string]any{"DeviceKey": key}), "", ""},
		{"update no key", "UpdateDeviceStatus", map[string]any{"AccessToken": at, "DeviceRememberedStatus": "remembered"}, "InvalidParameterException", "deviceKey"},
		{"update bad status", "AdminUpdateDeviceStatus", admin(map[string]any{"DeviceKey": key, "DeviceRememberedStatus": "maybe"}), "InvalidParameterException", "deviceRememberedStatus"},
		{"confirm no key", "ConfirmDevice", map[string]any{"AccessToken": at}, "InvalidParameterException", "deviceKey"},
		{"confirm no verifier", "ConfirmDevice", map[string]any{"AccessToken": at, "DeviceKey": key}, "InvalidParameterException", "DeviceSecretVerifierConfig"},
		{"list with unknown key", "ListDevices", map[string]any{"AccessToken": at, "DeviceKey": unknownDeviceKey}, "ResourceNotFoundException", "Device does not exist."},
		{"list bad page token", "AdminListDevices", admin(map[string]any{"PaginationToken": "x"}), "InvalidParameterException", "Invalid pagination token"},
		{"mfa no token", "SetUserMFAPreference", map[string]any{}, "InvalidParameterException", "accessToken"},
		{"mfa ok", "SetUserMFAPreference", map[string]any{"AccessToken": at, "EmailMfaSettings": map[string]any{"Enabled": true}}, "", ""},
		{"admin mfa unknown user", "AdminSetUserMFAPreference", map[string]any{"UserPoolId": f.pool, "Username": "bob"}, "UserNotFoundException", ""},
		{"admin mfa refused setting", "AdminSetUserMFAPreference", admin(map[string]any{"SMSMfaSettings": map[string]any{"Enabled": true}}), "InvalidParameterException", "phone number"},
		{"admin mfa ok", "AdminSetUserMFAPreference", admin(map[string]any{"EmailMfaSettings": map[string]any{"Enabled": false}}), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, typ := rawOp(t, f.s, tc.op, tc.body)
			assert.Equal(t, tc.wantType, typ, "answer %v", m)
			if tc.wantMsg != "" {
				assert.Contains(t, m["message"], tc.wantMsg)
			}
		})
	}
}

func TestListDevicesPages(t *testing.T) {
	f := setup(t, PoolOptions{DeviceTracking: true}, ClientOptions{})
	var at *string
	var keys []string
	for range 3 {
		tok := mustTokens(t, f, "alice")
		at = tok.AccessToken
		keys = append(keys, aws.ToString(tok.NewDeviceMetadata.DeviceKey))
	}
	// Only confirmed devices are listed: confirm two of the three.
	for _, k := range keys[:2] {
		_, err := f.c.ConfirmDevice(ctx(), &cip.ConfirmDeviceInput{AccessToken: at, DeviceKey: aws.String(k),
			DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: aws.String("AQID"), Salt: aws.String("BAUG")}})
		require.NoError(t, err)
	}
	tests := []struct {
		name  string
		admin bool
	}{{"self", false}, {"admin", true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var next *string
			pages := 0
			for {
				var devs []types.DeviceType
				if tc.admin {
					out, err := f.c.AdminListDevices(ctx(), &cip.AdminListDevicesInput{UserPoolId: &f.pool, Username: aws.String("alice"), Limit: aws.Int32(1), PaginationToken: next})
					require.NoError(t, err)
					devs, next = out.Devices, out.PaginationToken
				} else {
					out, err := f.c.ListDevices(ctx(), &cip.ListDevicesInput{AccessToken: at, Limit: aws.Int32(1), PaginationToken: next})
					require.NoError(t, err)
					devs, next = out.Devices, out.PaginationToken
				}
				pages++
				require.Len(t, devs, 1)
				got = append(got, aws.ToString(devs[0].DeviceKey))
				if next == nil {
					break
				}
				require.Less(t, pages, 3, "more pages than devices")
			}
			assert.ElementsMatch(t, keys[:2], got)
			assert.NotContains(t, got, keys[2], "an unconfirmed device is not listed")
		})
	}
}

func TestRevokeTokenOfAnotherClient(t *testing.T) {
	f := setup(t, PoolOptions{}, ClientOptions{})
	other := f.s.MustCreateUserPoolClient(f.pool, ClientOptions{})
	tok := mustTokens(t, f, "alice")
	tests := []struct {
		name, client, token string
		wantType, wantMsg   string
	}{
		{"another client's token", other.ID, aws.ToString(tok.RefreshToken), "NotAuthorizedException", "The token was not issued to this client."},
		{"unknown token", other.ID, "not-a-token", "", ""},
		{"own token", f.client.ID, aws.ToString(tok.RefreshToken), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, typ := rawOp(t, f.s, "RevokeToken", map[string]any{"ClientId": tc.client, "Token": tc.token})
			assert.Equal(t, tc.wantType, typ, "answer %v", m)
			if tc.wantMsg != "" {
				assert.Equal(t, tc.wantMsg, m["message"])
			}
		})
	}
	_, err := f.c.GetUser(ctx(), &cip.GetUserInput{AccessToken: tok.AccessToken})
	requireCode(t, err, "NotAuthorizedException")
}
