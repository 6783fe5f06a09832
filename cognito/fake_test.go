package cognito

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

const (
	testPool     = "us-east-1_TestPool1"
	testClientID = "client123"
	testSecret   = "s3cr3t-client-secret"
)

var testNow = time.Date(2026, 11, 22, 4, 5, 6, 0, time.UTC)

// fakeAPI implements API with per-operation handlers registered by the
// test, and records every call.
type fakeAPI struct {
	mu       sync.Mutex
	handlers map[string]any
	calls    []fakeCall
	// Without a handler: failAll is returned when set, else a zero output
	// when zero is set, else UnsupportedOperationException.
	failAll error
	zero    bool
}

type fakeCall struct {
	op string
	in any
}

var _ API = (*fakeAPI)(nil)

func newFake() *fakeAPI { return &fakeAPI{handlers: map[string]any{}} }

// on registers the handler of op.
func on[I, O any](f *fakeAPI, op string, h func(context.Context, *I) (*O, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[op] = h
}

func dispatch[I, O any](f *fakeAPI, ctx context.Context, op string, in *I) (*O, error) {
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{op, in})
	h, ok := f.handlers[op]
	failAll, zero := f.failAll, f.zero
	f.mu.Unlock()
	if !ok {
		switch {
		case failAll != nil:
			return nil, failAll
		case zero:
			return new(O), nil
		}
		return nil, apiErr("UnsupportedOperationException", op+" not faked")
	}
	return h.(func(context.Context, *I) (*O, error))(ctx, in)
}

// callsTo returns the inputs of every call to op, in order.
func callsTo[I any](f *fakeAPI, op string) []*I {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*I
	for _, c := range f.calls {
		if c.op == op {
			out = append(out, c.in.(*I))
		}
	}
	return out
}

func (f *fakeAPI) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		out = append(out, c.op)
	}
	return out
}

// apiErr is a Cognito exception as the SDK returns it.
func apiErr(code, msg string) error {
	return &smithy.OperationError{
		ServiceID:     "Cognito Identity Provider",
		OperationName: "Op",
		Err:           &smithy.GenericAPIError{Code: code, Message: msg},
	}
}

func newTestClient(api API, optFns ...func(*Options)) *Client {
	fns := append([]func(*Options){func(o *Options) { o.Clock = func() time.Time { return testNow } }}, optFns...)
	return NewFromAPI(api, testPool, testClientID, fns...)
}

func withSecret(o *Options) { o.ClientSecret = testSecret }

// fakeJWT builds an unsigned token with the given claims.
func fakeJWT(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"k1"}`))
	b, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

// authResult is a successful AuthenticationResult for username.
func authResult(username string, withRefresh bool) *types.AuthenticationResultType {
	r := &types.AuthenticationResultType{
		IdToken:     aws.String(fakeJWT(map[string]any{"sub": "sub-" + username, "cognito:username": username, "token_use": "id", "exp": testNow.Add(time.Hour).Unix()})),
		AccessToken: aws.String(fakeJWT(map[string]any{"sub": "sub-" + username, "username": username, "token_use": "access", "exp": testNow.Add(time.Hour).Unix()})),
		ExpiresIn:   3600,
		TokenType:   aws.String("Bearer"),
	}
	if withRefresh {
		r.RefreshToken = aws.String("refresh-" + username)
	}
	return r
}

// srpVerifierUser is the server side of SRP for one user (or device): it
// issues PASSWORD_VERIFIER parameters and checks the client's claim for
// real with internal/srp's Server half.
type srpVerifierUser struct {
	realm, userID string
	salt          *big.Int
	verifier      *big.Int

	mu          sync.Mutex
	server      *srp.Server
	srpA        string
	secretBlock string
}

func newSRPUser(t testing.TB, realm, userID, password string) *srpVerifierUser {
	t.Helper()
	salt, err := srp.NewSalt(nil)
	require.NoError(t, err)
	return &srpVerifierUser{realm: realm, userID: userID, salt: salt, verifier: srp.ComputeVerifier(realm, userID, password, salt)}
}

// challenge starts a login from SRP_A and returns the challenge parameters.
func (u *srpVerifierUser) challenge(t testing.TB, srpA string) map[string]string {
	t.Helper()
	require.NotEmpty(t, srpA, "SRP_A")
	s, err := srp.NewServer(u.verifier, nil)
	require.NoError(t, err)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.server, u.srpA = s, srpA
	u.secretBlock = base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("block-%d", time.Now().UnixNano())))
	return map[string]string{
		"USER_ID_FOR_SRP": u.userID,
		"SRP_B":           s.SRPB(),
		"SALT":            u.salt.Text(16),
		"SECRET_BLOCK":    u.secretBlock,
	}
}

// verify checks a PASSWORD_VERIFIER answer as Cognito would.
func (u *srpVerifierUser) verify(r map[string]string) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.server == nil {
		return apiErr("NotAuthorizedException", "no login in progress")
	}
	if r["PASSWORD_CLAIM_SECRET_BLOCK"] != u.secretBlock {
		return apiErr("NotAuthorizedException", "wrong secret block")
	}
	ts, err := srp.ParseTimestamp(r["TIMESTAMP"])
	if err != nil || ts.Sub(testNow).Abs() > 5*time.Minute {
		return apiErr("NotAuthorizedException", "bad timestamp")
	}
	if err := u.server.VerifyClaim(u.realm, u.userID, u.srpA, u.salt, u.secretBlock, r["TIMESTAMP"], r["PASSWORD_CLAIM_SIGNATURE"]); err != nil {
		return apiErr("NotAuthorizedException", "Incorrect username or password.")
	}
	return nil
}

// onChallenges registers a RespondToAuthChallenge handler that dispatches
// on the challenge name and checks the session chain: every call must carry
// the session of the previous response.
type challengeHandlers map[types.ChallengeNameType]func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error)

func onChallenges(t testing.TB, f *fakeAPI, firstSession string, hs challengeHandlers) {
	var mu sync.Mutex
	want := firstSession
	n := 0
	on(f, "RespondToAuthChallenge", func(_ context.Context, in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
		mu.Lock()
		defer mu.Unlock()
		if got := aws.ToString(in.Session); got != want {
			return nil, apiErr("NotAuthorizedException", fmt.Sprintf("Invalid session: got %q, want %q", got, want))
		}
		if aws.ToString(in.ClientId) != testClientID {
			return nil, apiErr("ResourceNotFoundException", "bad client id")
		}
		h, ok := hs[in.ChallengeName]
		if !ok {
			return nil, apiErr("InvalidParameterException", "unexpected challenge "+string(in.ChallengeName))
		}
		out, err := h(in)
		if err != nil {
			return nil, err
		}
		n++
		if out.AuthenticationResult == nil && out.Session == nil {
			out.Session = aws.String(fmt.Sprintf("%s-next%d", firstSession, n))
		}
		want = aws.ToString(out.Session)
		return out, nil
	})
}

// checkSecretHash fails unless m carries the right SECRET_HASH for its
// USERNAME.
func checkSecretHash(m map[string]string) error {
	if m["SECRET_HASH"] != srp.SecretHash(m["USERNAME"], testClientID, testSecret) {
		return apiErr("NotAuthorizedException", "Client "+testClientID+" is configured with secret but SECRET_HASH was not received or is wrong")
	}
	return nil
}
