package cognitotest

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
	"github.com/cognitokit/cognitokit/internal/srp"
)

// Tests reuse a small ring of RSA keys: generating RSA-2048 under the race
// detector is slow. The ring holds several keys so that pools of one
// server still get distinct keys; the product generates one per pool.
var (
	keyMu   sync.Mutex
	keyRing []*rsa.PrivateKey
	keyNext int
)

const keyRingSize = 4

func TestMain(m *testing.M) {
	if os.Getenv(stormChildEnv) != "" {
		os.Exit(runStormChild()) // a server process of TestKillStormServer
	}
	real := userpool.GenerateKey
	userpool.GenerateKey = func(r io.Reader) (*rsa.PrivateKey, error) {
		keyMu.Lock()
		defer keyMu.Unlock()
		if len(keyRing) < keyRingSize {
			k, err := real(r)
			if err != nil {
				return nil, err
			}
			keyRing = append(keyRing, k)
			return k, nil
		}
		k := keyRing[keyNext%keyRingSize]
		keyNext++
		return k, nil
	}
	os.Exit(m.Run())
}

const testPassword = "Passw0rd!"

// Limits of the user-pool service the tests count up to.
const (
	lockoutThreshold     = userpool.LockoutThreshold
	maxChallengeFailures = userpool.MaxChallengeFailures
	idpTarget            = userpool.Target
	maxCodeFailures      = userpool.MaxCodeFailures
)

type fixture struct {
	s      *Server
	c      *cip.Client
	pool   string
	client AppClient
}

func newServer(t testing.TB, optFns ...func(*Options)) *Server {
	t.Helper()
	s := NewServer(optFns...)
	t.Cleanup(s.Close)
	return s
}

func idp(s *Server) *cip.Client { return cip.NewFromConfig(s.Config()) }

// setup makes a server, a pool, a client and the user alice.
func setup(t testing.TB, po PoolOptions, co ClientOptions, optFns ...func(*Options)) *fixture {
	t.Helper()
	s := newServer(t, optFns...)
	pool := s.MustCreateUserPool(po)
	cl := s.MustCreateUserPoolClient(pool, co)
	s.MustCreateUser(pool, "alice", testPassword, map[string]string{"email": "alice@example.com"})
	return &fixture{s: s, c: idp(s), pool: pool, client: cl}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err == nil {
		return ""
	}
	return "not an API error: " + err.Error()
}

func message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func requireCode(t testing.TB, err error, want string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, want, code(err), "error: %v", err)
}

func ctx() context.Context { return context.Background() }

func secretHash(cl AppClient, username string) *string {
	if cl.Secret == "" {
		return nil
	}
	return aws.String(srp.SecretHash(username, cl.ID, cl.Secret))
}

// srpStart runs InitiateAuth USER_SRP_AUTH and returns the SRP client and
// the PASSWORD_VERIFIER challenge.
func srpStart(t testing.TB, f *fixture, username string, extra map[string]string) (*srp.Client, *cip.InitiateAuthOutput, error) {
	t.Helper()
	sc, err := srp.NewClient(nil)
	require.NoError(t, err)
	params := map[string]string{"USERNAME": username, "SRP_A": sc.SRPA()}
	if f.client.Secret != "" {
		params["SECRET_HASH"] = *secretHash(f.client, username)
	}
	for k, v := range extra {
		params[k] = v
	}
	out, err := f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &f.client.ID, AuthParameters: params})
	return sc, out, err
}

// srpAnswer answers a PASSWORD_VERIFIER challenge with password.
func srpAnswer(t testing.TB, f *fixture, sc *srp.Client, ch *cip.InitiateAuthOutput, password string, now time.Time, extra map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	require.Equal(t, types.ChallengeNameTypePasswordVerifier, ch.ChallengeName)
	p := ch.ChallengeParameters
	userID := p["USER_ID_FOR_SRP"]
	sig, ts, err := sc.PasswordClaim(srp.PoolName(f.pool), userID, password, p["SRP_B"], p["SALT"], p["SECRET_BLOCK"], now)
	require.NoError(t, err)
	resp := map[string]string{"USERNAME": userID, "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}
	if f.client.Secret != "" {
		resp["SECRET_HASH"] = *secretHash(f.client, userID)
	}
	for k, v := range extra {
		resp[k] = v
	}
	return f.c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypePasswordVerifier,
		ClientId: &f.client.ID, ChallengeResponses: resp, Session: ch.Session})
}

// srpSignIn is a whole USER_SRP_AUTH sign-in.
func srpSignIn(t testing.TB, f *fixture, username, password string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	sc, ch, err := srpStart(t, f, username, nil)
	if err != nil {
		return nil, err
	}
	return srpAnswer(t, f, sc, ch, password, f.s.Now(), nil)
}

// passwordSignIn is a USER_PASSWORD_AUTH sign-in.
func passwordSignIn(f *fixture, username, password string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	if f.client.Secret != "" {
		params["SECRET_HASH"] = srp.SecretHash(username, f.client.ID, f.client.Secret)
	}
	return f.c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &f.client.ID, AuthParameters: params})
}

// adminSignIn is an ADMIN_USER_PASSWORD_AUTH sign-in.
func adminSignIn(f *fixture, username, password string) (*cip.AdminInitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": username, "PASSWORD": password}
	if f.client.Secret != "" {
		params["SECRET_HASH"] = srp.SecretHash(username, f.client.ID, f.client.Secret)
	}
	return f.c.AdminInitiateAuth(ctx(), &cip.AdminInitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		ClientId: &f.client.ID, UserPoolId: &f.pool, AuthParameters: params})
}

func mustTokens(t testing.TB, f *fixture, username string) *types.AuthenticationResultType {
	t.Helper()
	out, err := passwordSignIn(f, username, testPassword)
	require.NoError(t, err)
	require.NotNil(t, out.AuthenticationResult, "challenge %s", out.ChallengeName)
	return out.AuthenticationResult
}

// decodeClaims returns a JWT's payload without verifying it.
func decodeClaims(t testing.TB, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

// fetchJWKS reads a JWKS into RSA public keys by kid.
func fetchJWKS(t testing.TB, url string) map[string]*rsa.PublicKey {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	var set struct {
		Keys []struct{ Kty, Kid, Alg, Use, N, E string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&set))
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		require.Equal(t, "RSA", k.Kty)
		require.Equal(t, "RS256", k.Alg)
		require.Equal(t, "sig", k.Use)
		n, err := base64.RawURLEncoding.DecodeString(k.N)
		require.NoError(t, err)
		e, err := base64.RawURLEncoding.DecodeString(k.E)
		require.NoError(t, err)
		out[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return out
}

// verifyRS256 checks a JWT's RS256 signature against a key set.
func verifyRS256(set map[string]*rsa.PublicKey, token string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return err
	}
	var hdr struct{ Alg, Kid string }
	if err := json.Unmarshal(hb, &hdr); err != nil {
		return err
	}
	if hdr.Alg != "RS256" {
		return errors.New("alg " + hdr.Alg)
	}
	k, ok := set[hdr.Kid]
	if !ok {
		return errors.New("unknown kid")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(k, crypto.SHA256, sum[:], sig)
}

func adminSignOutInput(pool, user string) *cip.AdminUserGlobalSignOutInput {
	return &cip.AdminUserGlobalSignOutInput{UserPoolId: &pool, Username: &user}
}

func basicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// fakeSign gives req a well-formed SigV4 Authorization header (the
// emulator checks its shape and date, not the signature) dated now.
func fakeSign(req *http.Request) { fakeSignFor(req, "cognito-idp") }

// fakeSignFor is fakeSign with the credential scoped to service.
func fakeSignFor(req *http.Request, service string) {
	now := time.Now().UTC()
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDCOGNITOTEST/"+now.Format("20060102")+
		"/us-east-1/"+service+"/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
}
