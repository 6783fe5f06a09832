package fakefb

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMintLookupExpire(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	changes := 0
	f := New(func() time.Time { return now }, nil, func() { changes++ })
	tok, err := f.Mint("app1", User{ID: "u1", Name: "Una"}, time.Hour)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(tok, "EAA"))
	assert.Equal(t, 1, changes)
	rec, err := f.Lookup(tok)
	require.NoError(t, err)
	assert.Equal(t, "app1", rec.AppID)
	assert.Equal(t, "u1", rec.User.ID)

	_, err = f.Lookup(tok + "x")
	assert.ErrorIs(t, err, ErrUnknownToken)
	_, err = f.Mint("", User{ID: "u"}, 0)
	assert.Error(t, err)

	// Persisted as hashes only, and restorable.
	snap := f.Snapshot()
	b, _ := json.Marshal(snap)
	assert.NotContains(t, string(b), tok)
	g := New(func() time.Time { return now }, nil, nil)
	g.Restore(snap)
	_, err = g.Lookup(tok)
	require.NoError(t, err)

	now = now.Add(time.Hour)
	_, err = f.Lookup(tok)
	assert.ErrorIs(t, err, ErrExpiredToken)
}

func TestHTTP(t *testing.T) {
	f := New(nil, nil, nil)
	ts := httptest.NewServer(f)
	defer ts.Close()

	resp, err := http.Post(ts.URL+PathPrefix+"tokens", "application/json", strings.NewReader(`{"app_id":"a","user_id":"42","name":"Ann","email":"ann@example.com"}`))
	require.NoError(t, err)
	var minted struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&minted))
	resp.Body.Close()
	require.NotEmpty(t, minted.AccessToken)
	assert.InDelta(t, DefaultTokenLifetime.Seconds(), minted.ExpiresIn, 2)

	resp, err = http.Get(ts.URL + PathPrefix + "me?access_token=" + minted.AccessToken)
	require.NoError(t, err)
	var me User
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&me))
	resp.Body.Close()
	assert.Equal(t, User{ID: "42", Name: "Ann", Email: "ann@example.com"}, me)

	resp, err = http.Get(ts.URL + PathPrefix + "debug_token?input_token=" + minted.AccessToken)
	require.NoError(t, err)
	var dbg struct {
		Data struct {
			AppID   string `json:"app_id"`
			IsValid bool   `json:"is_valid"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&dbg))
	resp.Body.Close()
	assert.True(t, dbg.Data.IsValid)
	assert.Equal(t, "a", dbg.Data.AppID)

	for _, path := range []string{"me?access_token=bogus", "nothing"} {
		resp, err := http.Get(ts.URL + PathPrefix + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.GreaterOrEqual(t, resp.StatusCode, 400, path)
	}
	resp, err = http.Post(ts.URL+PathPrefix+"tokens", "application/json", strings.NewReader(`not json`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}
