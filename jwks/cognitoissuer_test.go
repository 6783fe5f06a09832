package jwks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/internal/interop"
	"github.com/cognitokit/cognitokit/jwks"
)

// cognitoIssuerServer is an emulator started with Options.CognitoIssuer,
// with a pool, an app client, alice's tokens and the pool's JWKS as served.
type cognitoIssuerServer struct {
	srv               *cognitotest.Server
	pool, client      string
	access, id, jwks_ string
}

func newCognitoIssuerServer(t *testing.T, cognitoIssuer bool) *cognitoIssuerServer {
	t.Helper()
	srv := cognitotest.NewServer(func(o *cognitotest.Options) { o.CognitoIssuer = cognitoIssuer })
	t.Cleanup(srv.Close)
	pool := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(pool, cognitotest.ClientOptions{})
	srv.MustCreateUser(pool, "alice", "Passw0rd!", nil)
	access, id := adminSignIn(t, srv, pool, app.ID, "alice", "Passw0rd!")
	resp, err := http.Get(srv.JWKSURL(pool))
	require.NoError(t, err)
	defer resp.Body.Close()
	doc, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, string(doc))
	return &cognitoIssuerServer{srv: srv, pool: pool, client: app.ID, access: access, id: id, jwks_: string(doc)}
}

// TestEndpointVerifiesCognitoIssuerTokens: tokens of a server started
// with CognitoIssuer carry Cognito's issuer, and a verifier with
// Options.Endpoint verifies them with the endpoint's keys; the keys of
// another endpoint do not.
func TestEndpointVerifiesCognitoIssuerTokens(t *testing.T) {
	e := newCognitoIssuerServer(t, true)
	other := newCognitoIssuerServer(t, true)
	want := "https://cognito-idp.us-east-1.amazonaws.com/" + e.pool
	require.Equal(t, want, e.srv.Issuer(e.pool))
	require.True(t, strings.HasPrefix(e.srv.JWKSURL(e.pool), e.srv.URL+"/"), "the keys stay local")

	for _, tc := range []struct {
		name     string
		endpoint string
		token    string
		use      jwks.TokenUse
		wantErr  error
	}{
		{"access token", e.srv.URL, e.access, jwks.TokenUseAccess, nil},
		{"ID token", e.srv.URL, e.id, jwks.TokenUseID, nil},
		{"another emulator's endpoint", other.srv.URL, e.access, jwks.TokenUseAccess, jwks.ErrJWKSUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := jwks.NewVerifier(e.pool, func(o *jwks.Options) {
				o.ClientIDs = []string{e.client}
				o.Endpoint = tc.endpoint
				o.TokenUse = tc.use
				o.Clock = e.srv.Now
			})
			require.NoError(t, err)
			c, err := v.Verify(context.Background(), tc.token)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, c.Issuer)
		})
	}

	t.Run("discovery names Cognito's issuer and the local keys", func(t *testing.T) {
		resp, err := http.Get(e.srv.URL + "/" + e.pool + "/.well-known/openid-configuration")
		require.NoError(t, err)
		defer resp.Body.Close()
		var d map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&d))
		assert.Equal(t, want, d["issuer"])
		assert.Equal(t, e.srv.JWKSURL(e.pool), d["jwks_uri"])
	})
}

// TestInteropAWSJWTVerifyCognitoIssuer: aws-jwt-verify's
// CognitoJwtVerifier, with the emulator's JWKS cached, verifies the tokens
// of a server started with CognitoIssuer, and still refuses those of a
// server without it (their issuer is the emulator's URL).
func TestInteropAWSJWTVerifyCognitoIssuer(t *testing.T) {
	dir := interop.NPMInstall(t, "aws-jwt-verify@5")
	e := newCognitoIssuerServer(t, true)
	plain := newCognitoIssuerServer(t, false)
	cases := []struct {
		name string
		e    *cognitoIssuerServer
		tok  string
		use  string
		ok   bool
	}{
		{"access token", e, e.access, "access", true},
		{"ID token", e, e.id, "id", true},
		{"ID token as access", e, e.id, "access", false},
		{"without the option", plain, plain.access, "access", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs, _ := json.Marshal([]map[string]string{{"token": c.tok, "tokenUse": c.use}})
			out, err := interop.Node(t, dir, jwks.AWSJWTVerifyScript,
				"CASES="+string(cs), "JWKS="+c.e.jwks_, "POOL="+c.e.pool, "CLIENT="+c.e.client)
			require.NoError(t, err)
			var res []struct {
				OK    bool   `json:"ok"`
				Error string `json:"error"`
			}
			require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(out)), &res), out)
			require.Len(t, res, 1)
			assert.Equal(t, c.ok, res[0].OK, "aws-jwt-verify: %s", res[0].Error)
			if !c.ok {
				t.Logf("aws-jwt-verify: %s", res[0].Error)
			}
		})
	}
}
