package benchmarks

import (
	"context"
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth/oauthtest"
	"github.com/cognitokit/cognitokit/internal/emulator/fakeoidc"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

// startFakeOIDC serves a fake OIDC provider whose issuer is its own URL,
// as when the emulator mounts it.
func startFakeOIDC(t *testing.T) (*fakeoidc.Provider, *httptest.Server, string) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	issuer := "http://" + ts.Listener.Addr().String() + "/_emulator/oidc"
	p, err := fakeoidc.New(fakeoidc.Config{Issuer: issuer, Prefix: "/_emulator/oidc/"})
	require.NoError(t, err)
	ts.Config.Handler = p
	ts.Start()
	t.Cleanup(ts.Close)
	return p, ts, issuer
}

// TestFakeOIDCVerifiedByGoOIDC cross-checks the emulator's fake OpenID
// Connect provider against an independent relying party, go-oidc: it
// discovers the fake (its issuer is its own URL, as when mounted in the
// emulator), verifies an ID token the fake minted for a client, and
// refuses a tampered token, one for another client and one from a
// provider configured as Google whose keys it was not given.
func TestFakeOIDCVerifiedByGoOIDC(t *testing.T) {
	p, ts, issuer := startFakeOIDC(t)

	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, issuer)
	require.NoError(t, err, "go-oidc discovers the fake")
	verifier := provider.Verifier(&oidc.Config{ClientID: "web"})

	raw, err := p.MintIDToken("web", fakeoidc.User{Sub: "u-1", Email: "u1@example.com", EmailVerified: true, Name: "U One"}, "n-1")
	require.NoError(t, err)
	tok, err := verifier.Verify(ctx, raw)
	require.NoError(t, err)
	assert.Equal(t, "u-1", tok.Subject)
	assert.Equal(t, "n-1", tok.Nonce)
	var claims struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
	}
	require.NoError(t, tok.Claims(&claims))
	assert.Equal(t, "u1@example.com", claims.Email)
	assert.True(t, claims.EmailVerified)

	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "u-1", "u-2", 1))) + "." + parts[2]
	otherAud, err := p.MintIDToken("someone-else", fakeoidc.User{Sub: "u-1"}, "")
	require.NoError(t, err)

	// A fake configured as Google, on its own keys: go-oidc, pointed at the
	// first fake's keys with Google's issuer, refuses its tokens.
	google, err := fakeoidc.New(fakeoidc.Config{Issuer: fakeoidc.GoogleIssuer, Prefix: "/_emulator/google/"})
	require.NoError(t, err)
	foreign, err := google.MintIDToken("web", fakeoidc.User{Sub: "u-1"}, "")
	require.NoError(t, err)
	googleVerifier := oidc.NewVerifier(fakeoidc.GoogleIssuer, oidc.NewRemoteKeySet(ctx, ts.URL+"/_emulator/oidc/jwks"), &oidc.Config{ClientID: "web"})

	for name, bad := range map[string]string{"tampered": tampered, "other audience": otherAud} {
		_, err := verifier.Verify(ctx, bad)
		assert.Error(t, err, name)
	}
	_, err = googleVerifier.Verify(ctx, foreign)
	assert.Error(t, err, "signed by keys go-oidc was not given")

	// The positive beside it: Google's tokens verify against Google's own JWKS.
	gts := httptest.NewServer(google)
	defer gts.Close()
	googleOwn := oidc.NewVerifier(fakeoidc.GoogleIssuer, oidc.NewRemoteKeySet(ctx, gts.URL+"/_emulator/google/jwks"), &oidc.Config{ClientID: "web"})
	_, err = googleOwn.Verify(ctx, foreign)
	require.NoError(t, err)
}

// TestFakeOIDCCodeFlowWithXOAuth2 runs the authorization code flow with
// PKCE against the fake with golang.org/x/oauth2 as the client (the
// consent page submitted as a browser would) and verifies the ID token
// with go-oidc, nonce included.
func TestFakeOIDCCodeFlowWithXOAuth2(t *testing.T) {
	p, ts, issuer := startFakeOIDC(t)
	const redirect = "http://127.0.0.1:1/callback"
	require.NoError(t, p.RegisterClient(fakeoidc.Client{Client: fakeoauth.Client{ID: "web", Secret: "s3cret", RedirectURIs: []string{redirect}}}))

	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, issuer)
	require.NoError(t, err)
	cfg := oauth2.Config{ClientID: "web", ClientSecret: "s3cret", Endpoint: provider.Endpoint(), RedirectURL: redirect,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("st", oidc.Nonce("nonce-1"), oauth2.S256ChallengeOption(verifier))

	c := oauthtest.Browser(t)
	resp := oauthtest.Consent(t, c, authURL, ts.URL+"/_emulator/oidc/authorize", map[string][]string{
		"sub": {"u-9"}, "email": {"nine@example.com"}, "email_verified": {"true"}, "action": {"allow"}})
	resp.Body.Close()
	loc := oauthtest.Location(t, resp)
	require.Equal(t, "st", loc.Query().Get("state"))

	// A wrong verifier is refused; the code is then spent.
	_, err = cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier()))
	require.Error(t, err)

	resp = oauthtest.Consent(t, c, authURL, ts.URL+"/_emulator/oidc/authorize", map[string][]string{
		"sub": {"u-9"}, "email": {"nine@example.com"}, "email_verified": {"true"}, "action": {"allow"}})
	resp.Body.Close()
	tok, err := cfg.Exchange(ctx, oauthtest.Location(t, resp).Query().Get("code"), oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: "web"}).Verify(ctx, rawID)
	require.NoError(t, err)
	assert.Equal(t, "u-9", idt.Subject)
	assert.Equal(t, "nonce-1", idt.Nonce)
	require.NoError(t, idt.VerifyAccessToken(tok.AccessToken), "at_hash matches")
	ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	require.NoError(t, err)
	assert.Equal(t, "nine@example.com", ui.Email)
}
