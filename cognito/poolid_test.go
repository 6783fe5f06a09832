package cognito_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

type countingClient struct{ n int }

func (c *countingClient) Do(*http.Request) (*http.Response, error) {
	c.n++
	return nil, errors.New("must not be sent")
}

// TestNewRefusesMalformedUserPoolID: a malformed pool ID used to surface
// as a wrong password at SRP time; now every call says what is wrong, and
// nothing reaches the network.
func TestNewRefusesMalformedUserPoolID(t *testing.T) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", nil)
	ctx := context.Background()

	for _, bad := range []string{"", "us-east-1", "us-east-1AbCdEf123", "us-east-1_AbC/def", "us east-1_Abc", "us-east-1_" + string(make([]byte, 60))} {
		cfg := srv.Config()
		hc := &countingClient{}
		cfg.HTTPClient = hc
		c := cognito.New(cfg, bad, app.ID)
		_, err := c.SignIn(ctx, "alice", "Passw0rd!")
		require.Error(t, err, "%q", bad)
		assert.ErrorIs(t, err, cognito.ErrInvalidUserPoolID)
		assert.ErrorIs(t, err, cognito.ErrInvalidParameter)
		assert.NotErrorIs(t, err, cognito.ErrNotAuthorized)
		var pe *cognito.UserPoolIDError
		require.ErrorAs(t, err, &pe)
		assert.Contains(t, err.Error(), "REGION_ID")
		_, err = c.SignUp(ctx, "bob", "Passw0rd!", nil)
		assert.ErrorIs(t, err, cognito.ErrInvalidUserPoolID)
		assert.Zero(t, hc.n, "nothing is sent for %q", bad)
	}

	// The well-formed ID of the same pool signs in.
	res, err := cognito.New(srv.Config(), pool, app.ID).SignIn(ctx, "alice", "Passw0rd!")
	require.NoError(t, err)
	assert.NotEmpty(t, res.Tokens.AccessToken)
}
