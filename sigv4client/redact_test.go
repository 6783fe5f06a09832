package sigv4client

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/redact"
)

// TestSecurityReview7_NoSecretInFmt: Credential printed its secret key and
// session token with every verb, and a Transport its static credentials.
// Every verb, as value and pointer, and nested in a caller's struct, now
// prints neither (nor their hex encoding).
func TestSecurityReview7_NoSecretInFmt(t *testing.T) {
	const (
		akid   = "AKIDEXAMPLE"
		secret = "SECRET-sak-wJalrXUtnFEMI"
		token  = "SECRET-sessiontoken-IQoJb3Jp"
	)
	cred := Credential{SecretAccessKey: secret, SessionToken: token, Expires: time.Unix(1_800_000_000, 0), Principal: "alice"}
	tr := NewTransport(credentials.NewStaticCredentialsProvider(akid, secret, token), func(t *Transport) { t.Region = "us-east-1" })
	// Sign one request so the derived signing key is cached too.
	tr.Base = okTransport{}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://abc.execute-api.us-east-1.amazonaws.com/x", nil)
	require.NoError(t, err)
	resp, err := tr.RoundTrip(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	for name, v := range map[string]any{
		"Credential":             cred,
		"*Credential":            &cred,
		"*Transport":             tr,
		"nested Credential":      struct{ C Credential }{cred},
		"nested *Transport":      struct{ T *Transport }{tr},
		"slice of *Transport":    []any{tr, &cred},
		"Credential with no tok": Credential{SecretAccessKey: secret},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Empty(t, redact.Leaks(v, secret, token))
		})
	}
	assert.Contains(t, fmt.Sprintf("%+v", tr), "us-east-1")
	assert.Contains(t, fmt.Sprintf("%#v", cred), "[redacted]")
	assert.Contains(t, fmt.Sprintf("%v", Credential{}), "SecretAccessKey: none")
}

// okTransport answers 200 to every request.
type okTransport struct{}

func (okTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Header: http.Header{}}, nil
}
