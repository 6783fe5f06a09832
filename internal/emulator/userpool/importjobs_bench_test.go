package userpool

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkUserImport measures a job importing 1,000 users, from
// StartUserImportJob to Succeeded (each job into a fresh pool).
func BenchmarkUserImport(b *testing.B) {
	t := &testing.T{}
	e := newUnlockedEnv(t)
	var csv strings.Builder
	csv.WriteString("cognito:username,cognito:mfa_enabled,email,email_verified,name\n")
	for i := range 1000 {
		fmt.Fprintf(&csv, "user%d,FALSE,user%d@example.com,TRUE,User %d\n", i, i, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		pool, err := e.s.CreatePool(PoolOptions{})
		require.NoError(b, err)
		b.StartTimer()
		j := e.runImport(pool, csv.String())
		if j["Status"] != "Succeeded" || j["ImportedUsers"] != float64(1000) {
			b.Fatalf("job: %v", j)
		}
	}
}
