package userpool

import (
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/srp"
)

// TestGapSRPStateWithB checks the session's stored SRP state: "<b>:<B>"
// resumes without recomputing B, a bare "<b>" (sessions persisted before)
// still resumes, and malformed state is refused.
func TestGapSRPStateWithB(t *testing.T) {
	salt, err := srp.NewSalt(nil)
	require.NoError(t, err)
	v := srp.ComputeVerifier("Pool", "alice", "Passw0rd!", salt)
	srv, err := srp.NewServer(v, nil)
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		state string
		ok    bool
	}{
		{"b and B", srpState(srv), true},
		{"b only (older sessions)", srv.Private().Text(16), true},
		{"empty", "", false},
		{"b not hex", "xyz:" + srv.SRPB(), false},
		{"B not hex", srv.Private().Text(16) + ":xyz", false},
		{"B zero", srv.Private().Text(16) + ":0", false},
		{"B = N", srv.Private().Text(16) + ":" + srp.N().Text(16), false},
		{"B negative", srv.Private().Text(16) + ":-5", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := restoreSRP(v, tc.state)
			if !tc.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, srv.SRPB(), got.SRPB())
			assert.Equal(t, 0, got.Private().Cmp(srv.Private()))
		})
	}
	// The stored B is the one verification uses: a wrong one fails a
	// correct proof.
	c, err := srp.NewClient(nil)
	require.NoError(t, err)
	block := "c2VjcmV0"
	sig, ts, err := c.PasswordClaim("Pool", "alice", "Passw0rd!", srv.SRPB(), salt.Text(16), block, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	require.NoError(t, err)
	good, err := restoreSRP(v, srpState(srv))
	require.NoError(t, err)
	require.NoError(t, good.VerifyClaim("Pool", "alice", c.SRPA(), salt, block, ts, sig))
	B, _ := new(big.Int).SetString(srv.SRPB(), 16)
	wrong, err := restoreSRP(v, srv.Private().Text(16)+":"+new(big.Int).Add(B, big.NewInt(2)).Text(16))
	require.NoError(t, err)
	require.ErrorIs(t, wrong.VerifyClaim("Pool", "alice", c.SRPA(), salt, block, ts, sig), srp.ErrProofMismatch)
}
