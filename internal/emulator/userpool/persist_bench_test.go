package userpool

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// benchPool is a served user pool of n users, with its state in a
// database under dir when dir is not empty.
type benchPool struct {
	host *emulator.Host
	s    *Server
	pool string
}

// newBenchPool makes the pool's n users in bulk: straight into the state
// (no password, so no SRP verifier to compute), then one write of them
// all to the database. What is measured afterwards goes through the
// emulator's HTTP handler like any request.
func newBenchPool(b *testing.B, n int, dir string) *benchPool {
	cfg := emulator.Config{AllowUnsigned: true}
	if dir != "" {
		cfg.StatePath = filepath.Join(dir, fmt.Sprintf("state-%d", n))
	}
	host := emulator.MustNew(cfg)
	s := New(host, Options{})
	require.NoError(b, host.Load())
	b.Cleanup(func() { _ = host.Close() })
	pool, err := s.CreatePool(PoolOptions{})
	require.NoError(b, err)
	s.mu.Lock()
	p := s.st.Pools[pool]
	now := s.now()
	for i := range n {
		name := fmt.Sprintf("user%06d", i)
		u, err := s.newUser(p, name, map[string]string{"email": name + "@example.com", "email_verified": "true"}, now)
		require.NoError(b, err)
		u.Status = statusConfirmed
		p.addUser(u)
	}
	s.mu.Unlock()
	require.NoError(b, host.Persist())
	return &benchPool{host: host, s: s, pool: pool}
}

func (bp *benchPool) call(b *testing.B, op string, in map[string]any) []byte {
	in["UserPoolId"] = bp.pool
	body, _ := json.Marshal(in)
	req := httptest.NewRequest("POST", "/", strings.NewReader(string(body)))
	req.Header.Set("X-Amz-Target", Target+"."+op)
	rec := httptest.NewRecorder()
	bp.host.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", op, rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// interleave runs step on the small and the big pool in turn, b.N times
// each, and reports each one's time per operation and their ratio (so a
// change in the machine's load during the run falls on both alike).
func interleave(b *testing.B, small, big *benchPool, smallN, bigN int, step func(bp *benchPool, i int)) {
	b.ReportAllocs()
	var ts, tb time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		step(small, i)
		t1 := time.Now()
		step(big, i)
		ts, tb = ts+t1.Sub(t0), tb+time.Since(t1)
	}
	b.ReportMetric(float64(ts.Nanoseconds())/float64(b.N), fmt.Sprintf("ns/op-%d", smallN))
	b.ReportMetric(float64(tb.Nanoseconds())/float64(b.N), fmt.Sprintf("ns/op-%d", bigN))
	b.ReportMetric(float64(tb)/float64(ts), "ratio")
}

// BenchmarkStateMutation: AdminUpdateUserAttributes with the state in the
// database, in a pool of 100 users and one of 50,000 (issue 13: the big
// one may cost at most 1.5× the small one). Each answered request has
// committed and fsynced its change.
func BenchmarkStateMutation(b *testing.B) {
	dir := b.TempDir()
	small, big := newBenchPool(b, 100, dir), newBenchPool(b, 50_000, dir)
	b.Run("AdminUpdateUserAttributes", func(b *testing.B) {
		interleave(b, small, big, 100, 50_000, func(bp *benchPool, i int) {
			bp.call(b, "AdminUpdateUserAttributes", map[string]any{"Username": fmt.Sprintf("user%06d", i%100),
				"UserAttributes": []map[string]string{{"Name": "name", "Value": fmt.Sprint(i)}}})
		})
	})
	seq := map[*benchPool]int{} // b.Run runs the function more than once
	b.Run("AdminCreateUser", func(b *testing.B) {
		interleave(b, small, big, 100, 50_000, func(bp *benchPool, _ int) {
			seq[bp]++
			bp.call(b, "AdminCreateUser", map[string]any{"Username": fmt.Sprintf("new%09d", seq[bp]), "MessageAction": "SUPPRESS"})
		})
	})
}

// BenchmarkListUsers: one ListUsers page of 60, in a pool of 500 users
// and one of 50,000 (issue 13: at most 2× apart), unfiltered and
// filtered, first page and a page reached by a token.
func BenchmarkListUsers(b *testing.B) {
	small, big := newBenchPool(b, 500, ""), newBenchPool(b, 50_000, "")
	for _, tc := range []struct {
		name, filter string
		deep         bool
	}{
		{"unfiltered", "", false},
		{"unfiltered-token", "", true},
		{"filtered", `email ^= "user"`, false},
		{"filtered-token", `email ^= "user"`, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			tokens := map[*benchPool]string{}
			for _, bp := range []*benchPool{small, big} {
				if tc.deep { // the token of the fifth page
					in := map[string]any{"Limit": 60}
					for range 4 {
						if tc.filter != "" {
							in["Filter"] = tc.filter
						}
						var out struct{ PaginationToken string }
						require.NoError(b, json.Unmarshal(bp.call(b, "ListUsers", in), &out))
						in["PaginationToken"] = out.PaginationToken
					}
					tokens[bp] = in["PaginationToken"].(string)
				}
			}
			interleave(b, small, big, 500, 50_000, func(bp *benchPool, _ int) {
				in := map[string]any{"Limit": 60}
				if tc.filter != "" {
					in["Filter"] = tc.filter
				}
				if tok := tokens[bp]; tok != "" {
					in["PaginationToken"] = tok
				}
				bp.call(b, "ListUsers", in)
			})
		})
	}
}
