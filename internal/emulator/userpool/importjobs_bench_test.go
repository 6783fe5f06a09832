package userpool

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkUserImport measures a job importing 1,000 users, from
// StartUserImportJob to Succeeded (each job into a fresh pool).
func BenchmarkUserImport(b *testing.B) {
	t := &testing.T{}
	e := newUnlockedEnv(t)
	e.t = t
	pool0, err := e.s.CreatePool(PoolOptions{})
	require.NoError(b, err)
	rows := make([]map[string]string, 1000)
	for i := range rows {
		rows[i] = person(fmt.Sprintf("user%d", i))
	}
	file := e.csvFile(pool0, rows)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		pool, err := e.s.CreatePool(PoolOptions{})
		require.NoError(b, err)
		b.StartTimer()
		j := e.runImport(pool, file)
		if j["Status"] != "Succeeded" || j["ImportedUsers"] != float64(1000) {
			b.Fatalf("job: %v", j)
		}
	}
}
