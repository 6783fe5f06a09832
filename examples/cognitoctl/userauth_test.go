package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// userAuthServer speaks cognito-idp's JSON protocol for a USER_AUTH pool
// (neither moto nor cognitotest has USER_AUTH yet): nina may sign in with
// her password ("pw") or an e-mailed code ("123456").
func userAuthServer(t *testing.T) {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			AuthFlow           string
			AuthParameters     map[string]string
			ChallengeName      string
			ChallengeResponses map[string]string
			Session            string
		}
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fail := func(code, msg string) {
			w.Header().Set("X-Amzn-ErrorType", code)
			w.WriteHeader(400)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
		}
		tokens := map[string]any{"AuthenticationResult": map[string]any{"IdToken": "h.eyJjb2duaXRvOnVzZXJuYW1lIjoibmluYSJ9.s",
			"AccessToken": "h.eyJ1c2VybmFtZSI6Im5pbmEifQ.s", "RefreshToken": "rt", "ExpiresIn": 3600, "TokenType": "Bearer"}}
		emailOTP := map[string]any{"ChallengeName": "EMAIL_OTP", "Session": "s-otp",
			"ChallengeParameters": map[string]string{"CODE_DELIVERY_DESTINATION": "n***@e***", "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}}
		var out any
		switch r.Header.Get("X-Amz-Target") {
		case "AWSCognitoIdentityProviderService.InitiateAuth":
			if in.AuthFlow != "USER_AUTH" || in.AuthParameters["USERNAME"] != "nina" {
				fail("NotAuthorizedException", "Incorrect username or password.")
				return
			}
			switch in.AuthParameters["PREFERRED_CHALLENGE"] {
			case "":
				out = map[string]any{"ChallengeName": "SELECT_CHALLENGE", "Session": "s-select", "AvailableChallenges": []string{"PASSWORD", "EMAIL_OTP"}}
			case "EMAIL_OTP":
				out = emailOTP
			case "PASSWORD":
				if in.AuthParameters["PASSWORD"] != "pw" {
					fail("NotAuthorizedException", "Incorrect username or password.")
					return
				}
				out = tokens
			default:
				out = map[string]any{"ChallengeName": "SELECT_CHALLENGE", "Session": "s-select", "AvailableChallenges": []string{"PASSWORD", "EMAIL_OTP"}}
			}
		case "AWSCognitoIdentityProviderService.RespondToAuthChallenge":
			switch {
			case in.ChallengeName == "SELECT_CHALLENGE" && in.Session == "s-select" && in.ChallengeResponses["ANSWER"] == "EMAIL_OTP":
				out = emailOTP
			case in.ChallengeName == "SELECT_CHALLENGE" && in.Session == "s-select" && in.ChallengeResponses["ANSWER"] == "PASSWORD" && in.ChallengeResponses["PASSWORD"] == "pw":
				out = tokens
			case in.ChallengeName == "EMAIL_OTP" && in.Session == "s-otp" && in.ChallengeResponses["EMAIL_OTP_CODE"] == "123456":
				out = tokens
			case in.ChallengeName == "EMAIL_OTP":
				fail("CodeMismatchException", "Invalid code or auth state for the user.")
				return
			default:
				fail("NotAuthorizedException", "Invalid session for the user.")
				return
			}
		default:
			fail("UnsupportedOperationException", "not here")
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": srv.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "COGNITO_PASSWORD": "", "COGNITO_CODE": "",
	} {
		t.Setenv(k, v)
	}
}

func userAuthArgs(extra ...string) []string {
	return append([]string{"signin", "-user-pool-id", "us-east-1_Pool1", "-client-id", "c1", "-username", "nina", "-flow", "user-auth"}, extra...)
}

func TestSigninUserAuth(t *testing.T) {
	userAuthServer(t)
	codeFile := filepath.Join(t.TempDir(), "code")
	require.NoError(t, os.WriteFile(codeFile, []byte("123456\n"), 0o600))

	t.Run("email-otp with the code from a file", func(t *testing.T) {
		r := signinRun(t, "", false, userAuthArgs("-factor", "email-otp", "-code", "@"+codeFile)...)
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "rt", signinDecodeTokens(t, r.stdout)["RefreshToken"])
	})
	t.Run("email-otp with the code from stdin", func(t *testing.T) {
		r := signinRun(t, "123456\n", false, userAuthArgs("-factor", "email-otp", "-code", "@-")...)
		require.Equal(t, 0, r.code, r.stderr)
	})
	t.Run("password factor", func(t *testing.T) {
		t.Setenv("COGNITO_PASSWORD", "pw")
		r := signinRun(t, "", false, userAuthArgs("-factor", "password")...)
		require.Equal(t, 0, r.code, r.stderr)
	})
	t.Run("no factor and no terminal: the offered factors", func(t *testing.T) {
		r := signinRun(t, "", false, userAuthArgs()...)
		assert.Equal(t, 2, r.code)
		assert.Contains(t, r.stderr, "offered: password, email-otp")
		assert.Empty(t, r.stdout)
	})
	t.Run("no factor on a terminal: asks", func(t *testing.T) {
		r := signinRun(t, "email-otp\n123456\n", true, userAuthArgs()...)
		require.Equal(t, 0, r.code, r.stderr)
		assert.Contains(t, r.stderr, "First factor (password, email-otp)")
		assert.Contains(t, r.stderr, "sent to n***@e***")
	})
	t.Run("chosen password asked for on the terminal", func(t *testing.T) {
		r := signinRun(t, "password\n", true, userAuthArgs()...)
		// No password reader in tests: the CLI says how to give one.
		assert.Equal(t, 2, r.code)
		assert.Contains(t, r.stderr, "-password @FILE")
	})
	t.Run("chosen password from the environment", func(t *testing.T) {
		t.Setenv("COGNITO_PASSWORD", "pw")
		r := signinRun(t, "password\n", true, userAuthArgs()...)
		require.Equal(t, 0, r.code, r.stderr)
	})
	t.Run("wrong code", func(t *testing.T) {
		r := signinRun(t, "000000\n", false, userAuthArgs("-factor", "email-otp", "-code", "@-")...)
		assert.NotEqual(t, 0, r.code)
		assert.Contains(t, r.stderr, "CodeMismatchException")
		assert.NotContains(t, r.stderr, "000000")
	})
	t.Run("code needed but stdin is not a terminal", func(t *testing.T) {
		r := signinRun(t, "", false, userAuthArgs("-factor", "email-otp")...)
		assert.Equal(t, 2, r.code)
		assert.Contains(t, r.stderr, "-code")
	})
	t.Run("unknown factor", func(t *testing.T) {
		r := signinRun(t, "", false, userAuthArgs("-factor", "magic-link")...)
		assert.Equal(t, 2, r.code)
		assert.Contains(t, r.stderr, "-factor must be one of password, password-srp, email-otp, sms-otp, web-authn")
	})
	t.Run("help names the flow", func(t *testing.T) {
		r := signinRun(t, "", false, "signin", "-h")
		assert.True(t, strings.Contains(r.stderr, "-flow user-auth") || strings.Contains(r.stdout, "-flow user-auth"))
	})
}
