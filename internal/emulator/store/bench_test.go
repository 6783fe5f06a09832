package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// benchUser is about the size of an emulator user record.
type benchUser struct {
	Username string            `json:"username"`
	Sub      string            `json:"sub"`
	Attrs    map[string]string `json:"attrs"`
	Status   string            `json:"status"`
	Enabled  bool              `json:"enabled"`
	Salt     string            `json:"salt"`
	Verifier string            `json:"verifier"`
}

func newBenchUser(i int) benchUser {
	name := fmt.Sprintf("user%06d", i)
	return benchUser{
		Username: name, Sub: fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i),
		Attrs:  map[string]string{"email": name + "@example.com", "email_verified": "true"},
		Status: "CONFIRMED", Enabled: true,
		Salt: fmt.Sprintf("%032x", i), Verifier: fmt.Sprintf("%0768x", i),
	}
}

// populate opens a store in b's temp dir with n users in one bucket,
// written in batches.
func populate(b *testing.B, n int) *Store {
	b.Helper()
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	for lo := 0; lo < n; lo += 5000 {
		require.NoError(b, s.Update(func(tx *Tx) error {
			for i := lo; i < min(lo+5000, n); i++ {
				if err := tx.Put(users, fmt.Sprintf("user%06d", i), newBenchUser(i)); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	return s
}

// BenchmarkPut is one mutation: a transaction that rewrites one user and
// commits, in a bucket of 100 and of 50,000 users. The ratio of the two is
// the cost of pool size (target ≤ 1.5). With fsync=on (the store's only
// mode) the time is mostly the disk's flush, which a shared machine makes
// noisy: compare runs interleaved with -count, and pages/op (pages written
// per commit, which does not depend on the disk). fsync=off isolates the
// CPU cost of the transaction itself.
func BenchmarkPut(b *testing.B) {
	for _, sync := range []bool{true, false} {
		for _, n := range []int{100, 50_000} {
			b.Run(fmt.Sprintf("fsync=%s/entities=%d", map[bool]string{true: "on", false: "off"}[sync], n), func(b *testing.B) {
				s := populate(b, n)
				s.db.NoSync = !sync // test only: the store never turns fsync off
				before := s.db.Stats()
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if err := putOne(s, n, i); err != nil {
						b.Fatal(err)
					}
					i++
				}
				after := s.db.Stats()
				d := after.Sub(&before)
				b.ReportMetric(float64(d.TxStats.GetWrite())/float64(b.N), "pages/op")
			})
		}
	}
}

// BenchmarkPage reads one page of 60 users (ListUsers' maximum) starting
// in the middle of the bucket and decodes them, at 500 and 50,000 users
// (target ratio ≤ 2).
func BenchmarkPage(b *testing.B) {
	for _, n := range []int{500, 50_000} {
		b.Run(fmt.Sprintf("entities=%d", n), func(b *testing.B) {
			s := populate(b, n)
			b.ReportAllocs()
			for b.Loop() {
				if err := readPage(s, n, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// interleave times op on the small and the large store in alternation, so
// that the machine's changing load (other processes, the disk) falls on
// both alike, and reports each one's time per op and their ratio.
func interleave(b *testing.B, small, large *Store, op func(s *Store, n, i int) error, nSmall, nLarge int) {
	b.ReportAllocs()
	var tSmall, tLarge time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if err := op(small, nSmall, i); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := op(large, nLarge, i); err != nil {
			b.Fatal(err)
		}
		tLarge += time.Since(t1)
		tSmall += t1.Sub(t0)
		i++
	}
	b.ReportMetric(float64(tSmall.Nanoseconds())/float64(b.N), "small-ns/op")
	b.ReportMetric(float64(tLarge.Nanoseconds())/float64(b.N), "large-ns/op")
	b.ReportMetric(float64(tLarge)/float64(tSmall), "ratio")
}

func putOne(s *Store, n, i int) error {
	u := newBenchUser(i * 7919 % n)
	u.Status = "RESET_REQUIRED"
	return s.Update(func(tx *Tx) error { return tx.Put(users, u.Username, u) })
}

func readPage(s *Store, n, _ int) error {
	after := fmt.Sprintf("user%06d", n/2)
	return s.View(func(tx *Tx) error {
		p, err := tx.Page(users, after, 60)
		if err != nil {
			return err
		}
		for _, e := range p.Entries {
			var u benchUser
			if err := e.Decode(&u); err != nil {
				return err
			}
		}
		if len(p.Entries) != 60 || !p.More {
			return fmt.Errorf("page of %d", len(p.Entries))
		}
		return nil
	})
}

// BenchmarkPutRatio alternates one fsynced single-user Update at 100 and at
// 50,000 users; the "ratio" metric is large/small (target ≤ 1.5).
func BenchmarkPutRatio(b *testing.B) {
	interleave(b, populate(b, 100), populate(b, 50_000), putOne, 100, 50_000)
}

// BenchmarkPageRatio alternates a 60-user page read at 500 and at 50,000
// users; the "ratio" metric is large/small (target ≤ 2).
func BenchmarkPageRatio(b *testing.B) {
	interleave(b, populate(b, 500), populate(b, 50_000), readPage, 500, 50_000)
}
