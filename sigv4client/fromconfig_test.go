package sigv4client_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/sigv4client"
)

// TestNewClientFromConfig signs with an aws.Config's credentials and
// region: the emulated API Gateway on 127.0.0.1 names no region in its host,
// which made NewClient fail with ErrNoRegion.
func TestNewClientFromConfig(t *testing.T) {
	g := newGateway(t)
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDGATEWAYCI", "gateway-ci-secret", "")}

	t.Run("region and credentials from the config", func(t *testing.T) {
		c := sigv4client.NewClientFromConfig(cfg, func(tr *sigv4client.Transport) { tr.Clock = g.s.Now })
		status, body := do(t, c, "GET", g.base+"/items/1", "")
		require.Equal(t, http.StatusOK, status, "%v", body)
		assert.Equal(t, "AKIDGATEWAYCI", identityOf(body)["accessKey"])
	})
	t.Run("NewClient without a region still fails for such hosts", func(t *testing.T) {
		c := sigv4client.NewClient(cfg.Credentials)
		_, err := c.Get(g.base + "/items/1")
		require.Error(t, err)
		assert.True(t, errors.Is(err, sigv4client.ErrNoRegion))
	})
	t.Run("an API Gateway host's own region wins over the config's", func(t *testing.T) {
		var signed string
		c := sigv4client.NewClientFromConfig(aws.Config{Region: "us-east-1", Credentials: cfg.Credentials}, func(tr *sigv4client.Transport) {
			tr.Base = roundTripFunc(func(r *http.Request) (*http.Response, error) {
				signed = r.Header.Get("Authorization")
				return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
			})
		})
		resp, err := c.Get("https://abc123.execute-api.eu-west-1.amazonaws.com/prod/x")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Contains(t, signed, "/eu-west-1/execute-api/aws4_request")
	})
	t.Run("the config's HTTP transport is used", func(t *testing.T) {
		tr := sigv4client.NewTransportFromConfig(aws.Config{HTTPClient: awshttp.NewBuildableClient()})
		_, ok := tr.Base.(*http.Transport)
		assert.True(t, ok, "the BuildableClient's *http.Transport")
		inner := &http.Transport{}
		tr = sigv4client.NewTransportFromConfig(aws.Config{HTTPClient: &http.Client{Transport: inner}})
		assert.Same(t, inner, tr.Base)
		assert.Nil(t, sigv4client.NewTransportFromConfig(aws.Config{}).Base)
	})
	t.Run("no credentials in the config", func(t *testing.T) {
		_, err := sigv4client.NewClientFromConfig(aws.Config{Region: "us-east-1"}).Get(g.base + "/items/1")
		require.ErrorIs(t, err, sigv4client.ErrNoCredentials)
	})
}
