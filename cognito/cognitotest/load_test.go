package cognitotest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// TestLoad runs 50 concurrent clients that sign in with SRP, refresh,
// call GetUser and sign out, for a bounded time, against one server.
func TestLoad(t *testing.T) {
	const clients = 50
	duration := 3 * time.Second
	if testing.Short() {
		duration = time.Second
	}
	s := newServer(t)
	pool := s.MustCreateUserPool(PoolOptions{})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{GenerateSecret: true})
	c := idp(s)
	for i := 0; i < clients; i++ {
		s.MustCreateUser(pool, fmt.Sprintf("user%02d", i), testPassword, nil)
	}
	var signIns, failures atomic.Int64
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) {
		failures.Add(1)
		errOnce.Do(func() { firstErr = err })
	}
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			for first := true; first || time.Now().Before(deadline); first = false {
				sc, err := srp.NewClient(nil)
				if err != nil {
					fail(err)
					return
				}
				ch, err := c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &cl.ID,
					AuthParameters: map[string]string{"USERNAME": name, "SRP_A": sc.SRPA(), "SECRET_HASH": *secretHash(cl, name)}})
				if err != nil {
					fail(err)
					return
				}
				p := ch.ChallengeParameters
				sig, ts, err := sc.PasswordClaim(srp.PoolName(pool), p["USER_ID_FOR_SRP"], testPassword, p["SRP_B"], p["SALT"], p["SECRET_BLOCK"], s.Now())
				if err != nil {
					fail(err)
					return
				}
				out, err := c.RespondToAuthChallenge(ctx(), &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypePasswordVerifier,
					ClientId: &cl.ID, Session: ch.Session, ChallengeResponses: map[string]string{"USERNAME": name,
						"PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"], "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts,
						"SECRET_HASH": *secretHash(cl, name)}})
				if err != nil || out.AuthenticationResult == nil {
					fail(fmt.Errorf("respond: %v", err))
					return
				}
				signIns.Add(1)
				res := out.AuthenticationResult
				r, err := c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &cl.ID,
					AuthParameters: map[string]string{"REFRESH_TOKEN": *res.RefreshToken, "SECRET_HASH": *secretHash(cl, name)}})
				if err != nil {
					fail(fmt.Errorf("refresh: %v", err))
					return
				}
				if _, err := c.GetUser(ctx(), &cip.GetUserInput{AccessToken: r.AuthenticationResult.AccessToken}); err != nil {
					fail(fmt.Errorf("get user: %v", err))
					return
				}
				if _, err := c.GlobalSignOut(ctx(), &cip.GlobalSignOutInput{AccessToken: res.AccessToken}); err != nil {
					fail(fmt.Errorf("sign out: %v", err))
					return
				}
				// After sign-out, the refresh token must fail.
				_, err = c.InitiateAuth(ctx(), &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &cl.ID,
					AuthParameters: map[string]string{"REFRESH_TOKEN": *res.RefreshToken, "SECRET_HASH": *secretHash(cl, name)}})
				if code(err) != "NotAuthorizedException" {
					fail(fmt.Errorf("refresh after sign-out: %v", err))
					return
				}
			}
		}(fmt.Sprintf("user%02d", i))
	}
	wg.Wait()
	require.NoError(t, firstErr)
	require.Zero(t, failures.Load())
	require.GreaterOrEqual(t, signIns.Load(), int64(clients))
	t.Logf("%d clients: %d SRP sign-ins (+refresh, GetUser, sign-out each) in %v", clients, signIns.Load(), duration)
}

// BenchmarkSignIn measures whole sign-ins against the in-process server,
// beside the floor of the same work without HTTP or state: the SRP math of
// both halves plus signing two RS256 tokens.
func BenchmarkSignIn(b *testing.B) {
	s := newServer(b)
	pool := s.MustCreateUserPool(PoolOptions{})
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
	s.MustCreateUser(pool, "alice", testPassword, nil)
	f := &fixture{s: s, c: idp(s), pool: pool, client: cl}
	if _, err := passwordSignIn(f, "alice", testPassword); err != nil { // generate the pool key
		b.Fatal(err)
	}
	b.Run("srp-http", func(b *testing.B) {
		b.ReportAllocs()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			out, err := srpSignIn(b, f, "alice", testPassword)
			if err != nil || out.AuthenticationResult == nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
	})
	// Concurrent SRP sign-ins (four per core): run with -cpu 1,2 to see
	// whether the server's cryptography uses a second core.
	b.Run("srp-http-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(4)
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				out, err := srpSignIn(b, f, "alice", testPassword)
				if err != nil || out.AuthenticationResult == nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
	})
	b.Run("password-http", func(b *testing.B) {
		b.ReportAllocs()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			if _, err := passwordSignIn(f, "alice", testPassword); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
	})
	b.Run("srp-floor", func(b *testing.B) {
		salt, _ := srp.NewSalt(nil)
		v := srp.ComputeVerifier(srp.PoolName(pool), "alice", testPassword, salt)
		key, _ := rsa.GenerateKey(rand.Reader, 2048)
		block := "c2VjcmV0LWJsb2NrLWZvci1iZW5jaG1hcmstb25seQ=="
		b.ReportAllocs()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			sc, _ := srp.NewClient(nil)
			srv, _ := srp.NewServer(v, nil)
			sig, ts, err := sc.PasswordClaim(srp.PoolName(pool), "alice", testPassword, srv.SRPB(), salt.Text(16), block, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			if err := srv.VerifyClaim(srp.PoolName(pool), "alice", sc.SRPA(), salt, block, ts, sig); err != nil {
				b.Fatal(err)
			}
			for j := 0; j < 2; j++ {
				sum := sha256.Sum256([]byte(aws.ToString(&ts)))
				if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
	})
}
