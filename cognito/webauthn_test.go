package cognito

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/document"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// creationOptions is what Cognito's StartWebAuthnRegistration returns.
const creationOptions = `{"challenge":"Y2hhbGxlbmdl","rp":{"id":"app.example.com","name":"Example"},` +
	`"user":{"id":"dXNlci1pZA","name":"nina","displayName":"Nina"},` +
	`"pubKeyCredParams":[{"type":"public-key","alg":-7},{"type":"public-key","alg":-257}],` +
	`"timeout":60000,"excludeCredentials":[],"authenticatorSelection":{"residentKey":"required","userVerification":"required"}}`

// registrationResponse is what navigator.credentials.create's toJSON() gives.
const registrationResponse = `{"id":"cred-1","rawId":"cred-1","type":"public-key","authenticatorAttachment":"platform",` +
	`"response":{"clientDataJSON":"eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0","attestationObject":"o2NmbXRkbm9uZQ",` +
	`"transports":["internal","hybrid"],"publicKeyAlgorithm":-7,"publicKey":"MFkw","authenticatorData":"SZYN"},` +
	`"clientExtensionResults":{"credProps":{"rk":true}}}`

// wireServer answers the cognito-idp JSON protocol for the operations in
// answers, recording each request body.
type wireServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies map[string]string
}

func newWireServer(t *testing.T, answers map[string]string) *wireServer {
	w := &wireServer{bodies: map[string]string{}}
	w.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
		b, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.bodies[op] = string(b)
		w.mu.Unlock()
		ans, ok := answers[op]
		rw.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if !ok {
			rw.Header().Set("X-Amzn-ErrorType", "UnsupportedOperationException")
			rw.WriteHeader(400)
			fmt.Fprintf(rw, `{"__type":"UnsupportedOperationException","message":"%s"}`, op)
			return
		}
		if strings.HasPrefix(ans, "!") { // an exception
			code, msg, _ := strings.Cut(ans[1:], ":")
			rw.Header().Set("X-Amzn-ErrorType", code)
			rw.WriteHeader(400)
			fmt.Fprintf(rw, `{"__type":%q,"message":%q}`, code, msg)
			return
		}
		io.WriteString(rw, ans)
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	w.Listener = l
	w.Start()
	t.Cleanup(w.Close)
	return w
}

func (w *wireServer) body(op string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bodies[op]
}

// wireClient is a Client over the real SDK client pointed at w.
func wireClient(w *wireServer) *Client {
	api := cip.New(cip.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(w.URL),
		Credentials:      aws.AnonymousCredentials{},
		HTTPClient:       w.Client(),
		RetryMaxAttempts: 1,
	})
	return newTestClient(api)
}

func TestPasskeyRegistrationWire(t *testing.T) {
	ctx := context.Background()
	w := newWireServer(t, map[string]string{
		"StartWebAuthnRegistration":    `{"CredentialCreationOptions":` + creationOptions + `}`,
		"CompleteWebAuthnRegistration": `{}`,
	})
	c := wireClient(w)
	o, err := c.StartPasskeyRegistration(ctx, "access-token")
	require.NoError(t, err)
	assert.JSONEq(t, `{"AccessToken":"access-token"}`, w.body("StartWebAuthnRegistration"))
	assert.Equal(t, "Y2hhbGxlbmdl", o.Challenge)
	assert.Equal(t, "app.example.com", o.RelyingPartyID)
	assert.Equal(t, "Example", o.RelyingPartyName)
	assert.Equal(t, "dXNlci1pZA", o.UserID)
	assert.Equal(t, "nina", o.UserName)
	assert.Equal(t, "Nina", o.UserDisplayName)
	assert.Equal(t, time.Minute, o.Timeout)
	// Through the SDK's document and back, numbers and all, unchanged.
	assert.JSONEq(t, creationOptions, string(o.JSON()))
	b, err := json.Marshal(o)
	require.NoError(t, err)
	assert.JSONEq(t, creationOptions, string(b))
	assert.NotContains(t, o.String(), o.Challenge)

	require.NoError(t, c.CompletePasskeyRegistration(ctx, "access-token", []byte(registrationResponse)))
	var sent struct {
		AccessToken string
		Credential  json.RawMessage
	}
	require.NoError(t, json.Unmarshal([]byte(w.body("CompleteWebAuthnRegistration")), &sent))
	assert.Equal(t, "access-token", sent.AccessToken)
	assert.JSONEq(t, registrationResponse, string(sent.Credential), "the credential is sent as a JSON object, numbers exact")
}

func TestPasskeyRegistrationErrors(t *testing.T) {
	ctx := context.Background()
	for code, sentinel := range map[string]error{
		"WebAuthnNotEnabledException":             ErrWebAuthnNotEnabled,
		"WebAuthnConfigurationMissingException":   ErrWebAuthnConfigurationMissing,
		"FeatureUnavailableInTierException":       ErrFeatureUnavailableInTier,
		"NotAuthorizedException":                  ErrNotAuthorized,
		"WebAuthnChallengeNotFoundException":      ErrWebAuthnRefused,
		"WebAuthnOriginNotAllowedException":       ErrWebAuthnRefused,
		"WebAuthnRelyingPartyMismatchException":   ErrWebAuthnRefused,
		"WebAuthnClientMismatchException":         ErrWebAuthnRefused,
		"WebAuthnCredentialNotSupportedException": ErrWebAuthnRefused,
	} {
		t.Run(code, func(t *testing.T) {
			w := newWireServer(t, map[string]string{"StartWebAuthnRegistration": "!" + code + ":no", "CompleteWebAuthnRegistration": "!" + code + ":no"})
			c := wireClient(w)
			_, err := c.StartPasskeyRegistration(ctx, "at")
			require.ErrorIs(t, err, sentinel)
			err = c.CompletePasskeyRegistration(ctx, "at", []byte(registrationResponse))
			require.ErrorIs(t, err, sentinel)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, code, ce.Code)
		})
	}
	t.Run("malformed options", func(t *testing.T) {
		for name, opts := range map[string]string{
			"no challenge":        `{"rp":{"id":"x"},"user":{"id":"u"},"pubKeyCredParams":[{"alg":-7}]}`,
			"no rp":               `{"challenge":"c","user":{"id":"u"},"pubKeyCredParams":[{"alg":-7}]}`,
			"no user id":          `{"challenge":"c","rp":{"id":"x"},"user":{},"pubKeyCredParams":[{"alg":-7}]}`,
			"no algorithms":       `{"challenge":"c","rp":{"id":"x"},"user":{"id":"u"}}`,
			"a string, not a map": `"{}"`,
			"missing":             `null`,
		} {
			w := newWireServer(t, map[string]string{"StartWebAuthnRegistration": `{"CredentialCreationOptions":` + opts + `}`})
			_, err := wireClient(w).StartPasskeyRegistration(ctx, "at")
			require.ErrorIs(t, err, ErrInvalidResponse, name)
		}
	})
	t.Run("bad credential is not sent", func(t *testing.T) {
		f := newFake()
		c := newTestClient(f)
		for _, cred := range []string{``, `x`, `{"id":"a","rawId":"a","type":"public-key","response":{"clientDataJSON":"c"}}`,
			`{"id":"a","rawId":"a","type":"public-key","response":{"attestationObject":"o"}}`} {
			require.ErrorIs(t, c.CompletePasskeyRegistration(ctx, "at", []byte(cred)), ErrInvalidParameter, cred)
		}
		require.ErrorIs(t, c.CompletePasskeyRegistration(ctx, "", []byte(registrationResponse)), ErrInvalidParameter)
		_, err := c.StartPasskeyRegistration(ctx, "")
		require.ErrorIs(t, err, ErrInvalidParameter)
		assert.Empty(t, f.ops())
	})
}

func TestPasskeyListDelete(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pages := map[string]*cip.ListWebAuthnCredentialsOutput{
		"": {Credentials: []types.WebAuthnCredentialDescription{{CredentialId: aws.String("c1"), FriendlyCredentialName: aws.String("Laptop"),
			RelyingPartyId: aws.String("app.example.com"), AuthenticatorAttachment: aws.String("platform"),
			AuthenticatorTransports: []string{"internal"}, CreatedAt: &created}}, NextToken: aws.String("p2")},
		"p2": {Credentials: []types.WebAuthnCredentialDescription{{CredentialId: aws.String("c2"), FriendlyCredentialName: aws.String("Key"),
			RelyingPartyId: aws.String("app.example.com"), AuthenticatorTransports: []string{"usb", "nfc"}, CreatedAt: &created}}},
	}
	on(f, "ListWebAuthnCredentials", func(_ context.Context, in *cip.ListWebAuthnCredentialsInput) (*cip.ListWebAuthnCredentialsOutput, error) {
		if aws.ToString(in.AccessToken) != "at" {
			return nil, apiErr("NotAuthorizedException", "Invalid Access Token")
		}
		return pages[aws.ToString(in.NextToken)], nil
	})
	on(f, "DeleteWebAuthnCredential", func(_ context.Context, in *cip.DeleteWebAuthnCredentialInput) (*cip.DeleteWebAuthnCredentialOutput, error) {
		if aws.ToString(in.CredentialId) != "c1" {
			return nil, apiErr("ResourceNotFoundException", "credential not found")
		}
		return &cip.DeleteWebAuthnCredentialOutput{}, nil
	})
	on(f, "GetUserAuthFactors", func(_ context.Context, in *cip.GetUserAuthFactorsInput) (*cip.GetUserAuthFactorsOutput, error) {
		return &cip.GetUserAuthFactorsOutput{Username: aws.String("nina"),
			ConfiguredUserAuthFactors: []types.AuthFactorType{types.AuthFactorTypePassword, types.AuthFactorTypeWebAuthn},
			UserMFASettingList:        []string{"SOFTWARE_TOKEN_MFA"}, PreferredMfaSetting: aws.String("SOFTWARE_TOKEN_MFA")}, nil
	})
	c := newTestClient(f)

	l, err := c.ListPasskeys(ctx, "at")
	require.NoError(t, err)
	require.Len(t, l, 2)
	assert.Equal(t, Passkey{CredentialID: "c1", FriendlyName: "Laptop", RelyingPartyID: "app.example.com", Attachment: "platform",
		Transports: []string{"internal"}, Created: created}, l[0])
	assert.Equal(t, "c2", l[1].CredentialID)
	_, err = c.ListPasskeys(ctx, "other")
	require.ErrorIs(t, err, ErrNotAuthorized)

	require.NoError(t, c.DeletePasskey(ctx, "at", "c1"))
	require.ErrorIs(t, c.DeletePasskey(ctx, "at", "c9"), ErrResourceNotFound)
	require.ErrorIs(t, c.DeletePasskey(ctx, "at", ""), ErrInvalidParameter)

	fs, err := c.GetUserAuthFactors(ctx, "at")
	require.NoError(t, err)
	assert.Equal(t, &UserAuthFactors{Username: "nina", Factors: []Factor{FactorPassword, FactorWebAuthn},
		MFA: []string{"SOFTWARE_TOKEN_MFA"}, PreferredMFA: "SOFTWARE_TOKEN_MFA"}, fs)
	_, err = c.GetUserAuthFactors(ctx, "")
	require.ErrorIs(t, err, ErrInvalidParameter)
}

func TestJSONDocumentKeepsNumbers(t *testing.T) {
	d, err := jsonDocument([]byte(`{"a":-7,"b":[1.5,12345678901234567890],"c":{"d":true,"e":null}}`))
	require.NoError(t, err)
	b, err := d.MarshalSmithyDocument()
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":-7,"b":[1.5,12345678901234567890],"c":{"d":true,"e":null}}`, string(b))
	_, err = documentJSON(nil)
	require.Error(t, err)
	var _ document.Interface = d
}
