package lambdafn

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// TestEndpointAgainstMoto checks the Invoke API client against an
// implementation we did not write: moto_server's Lambda (without Docker it
// answers an invocation with its payload, and does not check that the
// function exists), reached with SigV4-signed requests, as moto routes by
// the signature's service.
func TestEndpointAgainstMoto(t *testing.T) {
	base := interop.Moto(t)
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	signed := func(service string) *http.Client {
		return &http.Client{Transport: &sigv4client.Transport{Credentials: creds, Region: "us-east-1", Service: service}}
	}
	do := func(c *http.Client, method, u, contentType, body string) (int, string) {
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", contentType)
		resp, err := c.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := do(http.DefaultClient, http.MethodPost, base+"/moto-api/config", "application/json", `{"lambda":{"use_docker":false}}`)
	require.Less(t, status, 300, body)
	form := url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {"trigger"}, "AssumeRolePolicyDocument": {"{}"}}
	status, body = do(signed("iam"), http.MethodPost, base+"/", "application/x-www-form-urlencoded", form.Encode())
	require.Equal(t, 200, status, body)

	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	f, _ := zw.Create("h.py")
	_, _ = io.WriteString(f, "def h(event, context):\n    return event\n")
	require.NoError(t, zw.Close())
	create, _ := json.Marshal(map[string]any{"FunctionName": "my-fn", "Runtime": "python3.11", "Handler": "h.h",
		"Role": "arn:aws:iam::123456789012:role/trigger", "Code": map[string]string{"ZipFile": base64.StdEncoding.EncodeToString(zipped.Bytes())}})
	status, body = do(signed("lambda"), http.MethodPost, base+"/2015-03-31/functions", "application/json", string(create))
	require.Equal(t, 201, status, body)

	r := New(func(o *Options) { o.HTTPClient = signed("lambda") })
	defer r.Close()
	require.NoError(t, r.RegisterEndpoint(testARN, base))
	var out map[string]any
	require.NoError(t, r.InvokeJSON(context.Background(), testARN, map[string]any{"userName": "ann"}, &out))
	assert.Equal(t, map[string]any{"userName": "ann"}, out)

	// Unsigned, moto cannot tell the service and answers an HTML 500: an
	// *InvokeError with the status, never a panic or a function error.
	unsigned := New()
	defer unsigned.Close()
	require.NoError(t, unsigned.RegisterEndpoint(testARN, base))
	_, err := unsigned.Invoke(context.Background(), testARN, []byte(`{}`))
	var ie *InvokeError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 500, ie.StatusCode)
	assert.NotErrorIs(t, err, ErrFunction)
}
