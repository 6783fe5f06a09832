package cognito_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
)

// refreshCounter counts the refresh calls a client makes to the emulator.
type refreshCounter struct {
	base aws.HTTPClient
	n    atomic.Int64
}

func (c *refreshCounter) Do(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".InitiateAuth") {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		if bytes.Contains(raw, []byte("REFRESH_TOKEN_AUTH")) {
			c.n.Add(1)
		}
	}
	return c.base.Do(r)
}

// bearerFixture signs alice in against an emulator whose API has a
// COGNITO_USER_POOLS route that wants the access token.
func bearerFixture(t *testing.T) (*cognitotest.Server, *cognito.Session, *refreshCounter, string) {
	t.Helper()
	srv := cognitotest.NewServer()
	t.Cleanup(srv.Close)
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", nil)
	srv.MustPutAPI(cognitotest.API{ID: "jwtapi", Routes: []cognitotest.Route{
		{Method: "GET", Path: "/me", Authorization: cognitotest.AuthUserPools, UserPoolID: pool,
			Scopes: []string{"aws.cognito.signin.user.admin"}, Message: "hello"},
	}})
	cfg := srv.Config()
	counter := &refreshCounter{base: cfg.HTTPClient}
	if counter.base == nil {
		counter.base = http.DefaultClient
	}
	cfg.HTTPClient = counter
	c := cognito.New(cfg, pool, app.ID, func(o *cognito.Options) { o.Clock = srv.Now })
	res, err := c.SignIn(context.Background(), "alice", "Passw0rd!")
	require.NoError(t, err)
	return srv, c.NewSession(res.Tokens), counter, srv.APIURL("jwtapi", "") + "/me"
}

func get(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestSessionTokenSource calls a JWT-protected route through x/oauth2 and
// shows 1,000 goroutines at expiry sharing one refresh.
func TestSessionTokenSource(t *testing.T) {
	srv, session, counter, url := bearerFixture(t)
	ctx := context.Background()
	client := oauth2.NewClient(ctx, session.TokenSource())
	require.Equal(t, http.StatusOK, get(t, client, url))
	require.Equal(t, http.StatusUnauthorized, get(t, http.DefaultClient, url), "the route refuses requests without a token")

	tok, err := session.TokenSource().Token()
	require.NoError(t, err)
	assert.Equal(t, "Bearer", tok.TokenType)
	assert.Empty(t, tok.RefreshToken, "the refresh token stays in the session")
	assert.Equal(t, session.Current().IDToken, tok.Extra("id_token"))
	idTok, err := session.IDTokenSource().Token()
	require.NoError(t, err)
	assert.Equal(t, session.Current().IDToken, idTok.AccessToken)

	srv.Advance(57 * time.Minute) // inside the five-minute refresh window
	before := session.Current().AccessToken
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := session.TokenSource().Token()
			if err == nil && tok.AccessToken != before {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1000, ok.Load(), "every goroutine got the refreshed token")
	assert.EqualValues(t, 1, counter.n.Load(), "one refresh for 1,000 goroutines")
	require.Equal(t, http.StatusOK, get(t, client, url))
	assert.EqualValues(t, 1, counter.n.Load())
}

// TestBearerTransportRetriesOnce: a 401 with a replayable body gets one
// forced refresh and one retry; never a loop, never a retry of a body that
// cannot be sent again.
func TestBearerTransportRetriesOnce(t *testing.T) {
	_, session, counter, _ := bearerFixture(t)
	first := session.Current().AccessToken
	var mu sync.Mutex
	var seen []string
	alwaysRefuse := false
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+string(body))
		refuse := alwaysRefuse
		mu.Unlock()
		if refuse || r.Header.Get("Authorization") == "Bearer "+first {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	defer api.Close()
	client := session.Client()

	resp, err := client.Post(api.URL, "text/plain", strings.NewReader("payload"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{"POST payload", "POST payload"}, seen, "the body is sent again intact")
	assert.EqualValues(t, 1, counter.n.Load())
	assert.NotEqual(t, first, session.Current().AccessToken)

	mu.Lock()
	seen, alwaysRefuse = nil, true
	mu.Unlock()
	resp, err = client.Get(api.URL)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the server's 401 stands after one retry")
	assert.Len(t, seen, 2)
	assert.EqualValues(t, 2, counter.n.Load())

	mu.Lock()
	seen = nil
	mu.Unlock()
	req, err := http.NewRequest("POST", api.URL, io.NopCloser(strings.NewReader("once"))) // no GetBody
	require.NoError(t, err)
	resp, err = client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Len(t, seen, 1, "a body that cannot be replayed is not sent twice")
	assert.EqualValues(t, 2, counter.n.Load(), "and no refresh is forced for it")

	_, err = (&cognito.BearerTransport{}).RoundTrip(req)
	assert.ErrorIs(t, err, cognito.ErrNoSession)
}
