package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"
)

type testUser struct {
	Name  string            `json:"name"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

func openTemp(t testing.TB, optFns ...func(*Options)) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, optFns...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

var users = Path{"userpool", "eu-west-1_abc", "users"}

func TestPutGetDelete(t *testing.T) {
	s, path := openTemp(t)
	require.NoError(t, s.Update(func(tx *Tx) error {
		return tx.Put(users, "bob", testUser{Name: "bob", Attrs: map[string]string{"email": "b@example.com"}})
	}))
	var got testUser
	require.NoError(t, s.View(func(tx *Tx) error { return tx.Get(users, "bob", &got) }))
	assert.Equal(t, "b@example.com", got.Attrs["email"])

	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	require.NoError(t, s.Update(func(tx *Tx) error { return tx.Delete(users, "bob") }))
	err = s.View(func(tx *Tx) error { return tx.Get(users, "bob", &got) })
	assert.ErrorIs(t, err, ErrNotFound)
	err = s.Update(func(tx *Tx) error { return tx.Delete(users, "bob") })
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestUpdateErrorRollsBack(t *testing.T) {
	s, _ := openTemp(t)
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		require.NoError(t, tx.Put(users, "bob", testUser{Name: "bob"}))
		return boom
	})
	require.ErrorIs(t, err, boom)
	err = s.View(func(tx *Tx) error { return tx.Get(users, "bob", &testUser{}) })
	assert.ErrorIs(t, err, ErrNotFound, "a failed Update keeps nothing")

	// A panic inside the transaction is an error, and also keeps nothing.
	err = s.Update(func(tx *Tx) error {
		require.NoError(t, tx.Put(users, "bob", testUser{Name: "bob"}))
		panic("bug")
	})
	require.Error(t, err)
	err = s.View(func(tx *Tx) error { return tx.Get(users, "bob", &testUser{}) })
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestArgumentErrors(t *testing.T) {
	s, _ := openTemp(t)
	long := string(make([]byte, MaxKeyLen+1))
	tests := []struct {
		name string
		fn   func(tx *Tx) error
		want error
	}{
		{"empty path", func(tx *Tx) error { return tx.Put(nil, "k", 1) }, ErrInvalidPath},
		{"reserved service", func(tx *Tx) error { return tx.Put(Path{"_meta"}, "format", 2) }, ErrInvalidPath},
		{"empty bucket name", func(tx *Tx) error { return tx.Put(Path{"svc", ""}, "k", 1) }, ErrInvalidPath},
		{"empty key", func(tx *Tx) error { return tx.Put(users, "", 1) }, ErrInvalidPath},
		{"key too long", func(tx *Tx) error { return tx.Put(users, long, 1) }, ErrInvalidPath},
		{"nil value", func(tx *Tx) error { return tx.Put(users, "k", nil) }, ErrInvalidValue},
		{"nil pointer", func(tx *Tx) error { return tx.Put(users, "k", (*testUser)(nil)) }, ErrInvalidValue},
		{"unencodable", func(tx *Tx) error { return tx.Put(users, "k", func() {}) }, ErrInvalidValue},
		{"raw not JSON", func(tx *Tx) error { return tx.PutRaw(users, "k", json.RawMessage("{")) }, ErrInvalidValue},
		{"raw null", func(tx *Tx) error { return tx.PutRaw(users, "k", json.RawMessage(" null ")) }, ErrInvalidValue},
		{"page limit 0", func(tx *Tx) error { _, err := tx.Page(users, "", 0); return err }, ErrInvalidArgument},
		{"negative schema", func(tx *Tx) error { return tx.SetSchemaVersion("svc", -1) }, ErrInvalidArgument},
		{"delete missing bucket", func(tx *Tx) error { return tx.DeleteBucket(Path{"nope", "x"}) }, ErrNotFound},
		{"delete missing service", func(tx *Tx) error { return tx.DeleteBucket(Path{"nope"}) }, ErrNotFound},
		{"get from missing bucket", func(tx *Tx) error { return tx.Get(Path{"nope"}, "k", new(int)) }, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Update(tc.fn)
			assert.ErrorIs(t, err, tc.want)
		})
	}
	// Positive counterparts: a valid raw value and a positive limit.
	require.NoError(t, s.Update(func(tx *Tx) error { return tx.PutRaw(users, "k", json.RawMessage(`{"name":"k"}`)) }))
	require.NoError(t, s.View(func(tx *Tx) error { _, err := tx.Page(users, "", 1); return err }))
}

func TestReadOnlyTransaction(t *testing.T) {
	s, _ := openTemp(t)
	for name, fn := range map[string]func(tx *Tx) error{
		"put":           func(tx *Tx) error { return tx.Put(users, "k", 1) },
		"delete bucket": func(tx *Tx) error { return tx.DeleteBucket(users) },
		"schema":        func(tx *Tx) error { return tx.SetSchemaVersion("userpool", 1) },
	} {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, s.View(fn), ErrReadOnly)
		})
	}
}

// corrupt writes raw bytes under key in the bucket at path, bypassing the
// checks, as a damaged or hand-edited file would hold them.
func corrupt(t *testing.T, s *Store, path Path, key string, raw []byte) {
	t.Helper()
	require.NoError(t, s.db.Update(func(btx *bolt.Tx) error {
		b, err := btx.CreateBucketIfNotExists([]byte(path[0]))
		for _, name := range path[1:] {
			if err != nil {
				return err
			}
			b, err = b.CreateBucketIfNotExists([]byte(name))
		}
		if err != nil {
			return err
		}
		return b.Put([]byte(key), raw)
	}))
}

func TestCorruptEntries(t *testing.T) {
	s, _ := openTemp(t)
	corrupt(t, s, users, "null", []byte("null"))
	corrupt(t, s, users, "garbage", []byte("{not json"))
	corrupt(t, s, users, "wrongtype", []byte(`{"name": 42}`))
	corrupt(t, s, Path{"userpool", "eu-west-1_abc"}, "clients", []byte(`{}`)) // an entry where a bucket belongs
	require.NoError(t, s.Update(func(tx *Tx) error { return tx.Put(users, "ok", testUser{Name: "ok"}) }))

	for _, key := range []string{"null", "garbage", "wrongtype"} {
		t.Run(key, func(t *testing.T) {
			var u testUser
			err := s.View(func(tx *Tx) error { return tx.Get(users, key, &u) })
			var ce *CorruptError
			require.ErrorAs(t, err, &ce)
			assert.ErrorIs(t, err, ErrCorrupt)
			assert.Equal(t, key, ce.Key)
			assert.Equal(t, users, ce.Path)
			assert.Contains(t, err.Error(), "userpool/eu-west-1_abc/users key \""+key+"\"")
		})
	}
	t.Run("walk names the bad entry", func(t *testing.T) {
		err := s.View(func(tx *Tx) error {
			return tx.ForEach(users, func(v Value) error {
				var u testUser
				return v.Decode(&u)
			})
		})
		var ce *CorruptError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "garbage", ce.Key, "the first bad key in order")
	})
	t.Run("entry where a bucket belongs", func(t *testing.T) {
		err := s.View(func(tx *Tx) error { return tx.Get(Path{"userpool", "eu-west-1_abc", "clients"}, "c", new(int)) })
		var ce *CorruptError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "clients", ce.Key)
		err = s.Update(func(tx *Tx) error { return tx.Put(Path{"userpool", "eu-west-1_abc", "clients"}, "c", 1) })
		require.ErrorAs(t, err, &ce)
	})
	t.Run("bucket where an entry belongs", func(t *testing.T) {
		err := s.View(func(tx *Tx) error { return tx.Get(Path{"userpool"}, "eu-west-1_abc", new(int)) })
		var ce *CorruptError
		require.ErrorAs(t, err, &ce)
	})
	t.Run("good entry still reads", func(t *testing.T) {
		var u testUser
		require.NoError(t, s.View(func(tx *Tx) error { return tx.Get(users, "ok", &u) }))
		assert.Equal(t, "ok", u.Name)
	})
}

func TestForEachBucketsAndDeleteBucket(t *testing.T) {
	s, _ := openTemp(t)
	require.NoError(t, s.Update(func(tx *Tx) error {
		for _, pool := range []string{"p2", "p1"} {
			if err := tx.Put(Path{"userpool", pool}, "pool", map[string]string{"id": pool}); err != nil {
				return err
			}
			for _, u := range []string{"carol", "alice", "bob"} {
				if err := tx.Put(Path{"userpool", pool, "users"}, u, testUser{Name: u}); err != nil {
					return err
				}
			}
		}
		return tx.Put(Path{"identitypool"}, "id1", 1)
	}))
	var services, pools, names []string
	require.NoError(t, s.View(func(tx *Tx) error {
		if err := tx.Buckets(nil, func(n string) error { services = append(services, n); return nil }); err != nil {
			return err
		}
		if err := tx.Buckets(Path{"userpool"}, func(n string) error { pools = append(pools, n); return nil }); err != nil {
			return err
		}
		return tx.ForEach(Path{"userpool", "p1", "users"}, func(v Value) error { names = append(names, v.Key); return nil })
	}))
	assert.Equal(t, []string{"identitypool", "userpool"}, services, "reserved _meta is not listed")
	assert.Equal(t, []string{"p1", "p2"}, pools)
	assert.Equal(t, []string{"alice", "bob", "carol"}, names)

	// ForEach skips nested buckets: the pool bucket has one entry.
	var poolEntries []string
	require.NoError(t, s.View(func(tx *Tx) error {
		return tx.ForEach(Path{"userpool", "p1"}, func(v Value) error { poolEntries = append(poolEntries, v.Key); return nil })
	}))
	assert.Equal(t, []string{"pool"}, poolEntries)

	// A missing bucket walks as empty.
	require.NoError(t, s.View(func(tx *Tx) error {
		return tx.ForEach(Path{"nope"}, func(Value) error { return errors.New("called") })
	}))

	// fn's error stops the walk.
	stop := errors.New("stop")
	n := 0
	err := s.View(func(tx *Tx) error {
		return tx.ForEach(Path{"userpool", "p1", "users"}, func(Value) error { n++; return stop })
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)

	require.NoError(t, s.Update(func(tx *Tx) error { return tx.DeleteBucket(Path{"userpool", "p1"}) }))
	err = s.View(func(tx *Tx) error { return tx.Get(Path{"userpool", "p1", "users"}, "alice", &testUser{}) })
	assert.ErrorIs(t, err, ErrNotFound, "deleting a pool deletes its users")
	require.NoError(t, s.View(func(tx *Tx) error { return tx.Get(Path{"userpool", "p2", "users"}, "alice", &testUser{}) }))
}

func TestPage(t *testing.T) {
	s, _ := openTemp(t)
	require.NoError(t, s.Update(func(tx *Tx) error {
		for i := range 25 {
			if err := tx.Put(users, fmt.Sprintf("user%03d", i), testUser{Name: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
		_, err := tx.createBucket(append(users[:len(users):len(users)], "user010x")) // a nested bucket is skipped
		return err
	}))
	var all []string
	after := ""
	pages := 0
	for {
		var p Page
		require.NoError(t, s.View(func(tx *Tx) (err error) { p, err = tx.Page(users, after, 10); return err }))
		pages++
		for _, e := range p.Entries {
			all = append(all, e.Key)
		}
		if !p.More {
			break
		}
		after = p.Entries[len(p.Entries)-1].Key
	}
	assert.Equal(t, 3, pages)
	require.Len(t, all, 25)
	assert.Equal(t, "user000", all[0])
	assert.Equal(t, "user024", all[24])

	tests := []struct {
		name, after string
		limit       int
		want        []string
		more        bool
	}{
		{"exact page end", "user019", 5, []string{"user020", "user021", "user022", "user023", "user024"}, false},
		{"after a missing key", "user0105", 2, []string{"user011", "user012"}, true},
		{"after the last", "user024", 5, nil, false},
		{"before the first", "a", 1, []string{"user000"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p Page
			require.NoError(t, s.View(func(tx *Tx) (err error) { p, err = tx.Page(users, tc.after, tc.limit); return err }))
			var keys []string
			for _, e := range p.Entries {
				keys = append(keys, e.Key)
			}
			assert.Equal(t, tc.want, keys)
			assert.Equal(t, tc.more, p.More)
		})
	}
	var p Page
	require.NoError(t, s.View(func(tx *Tx) (err error) { p, err = tx.Page(Path{"nope"}, "", 5); return err }))
	assert.Empty(t, p.Entries, "a missing bucket is an empty page")
}

func TestSchemaVersion(t *testing.T) {
	s, path := openTemp(t)
	require.NoError(t, s.View(func(tx *Tx) error {
		v, err := tx.SchemaVersion("userpool")
		assert.Equal(t, 0, v)
		return err
	}))
	require.NoError(t, s.Update(func(tx *Tx) error { return tx.SetSchemaVersion("userpool", 3) }))
	require.NoError(t, s.Close())
	s2, err := Open(path)
	require.NoError(t, err)
	defer s2.Close()
	require.NoError(t, s2.View(func(tx *Tx) error {
		v, err := tx.SchemaVersion("userpool")
		assert.Equal(t, 3, v)
		return err
	}))
	_, err = (&Tx{}).SchemaVersion("_x")
	assert.ErrorIs(t, err, ErrInvalidPath)
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	t.Run("newer format", func(t *testing.T) {
		p := filepath.Join(dir, "newer.db")
		s, err := Open(p)
		require.NoError(t, err)
		require.NoError(t, s.db.Update(func(btx *bolt.Tx) error { return btx.Bucket(metaBucket).Put(formatKey, []byte("99")) }))
		require.NoError(t, s.Close())
		_, err = Open(p)
		var ve *VersionError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, 99, ve.Found)
	})
	t.Run("corrupt format marker", func(t *testing.T) {
		p := filepath.Join(dir, "marker.db")
		s, err := Open(p)
		require.NoError(t, err)
		require.NoError(t, s.db.Update(func(btx *bolt.Tx) error { return btx.Bucket(metaBucket).Put(formatKey, []byte("x")) }))
		require.NoError(t, s.Close())
		_, err = Open(p)
		assert.ErrorIs(t, err, ErrCorrupt)
	})
	t.Run("not a database", func(t *testing.T) {
		p := filepath.Join(dir, "garbage.db")
		require.NoError(t, os.WriteFile(p, make([]byte, 8192), 0o600))
		_, err := Open(p)
		assert.ErrorIs(t, err, ErrCorrupt)
	})
	t.Run("closed store", func(t *testing.T) {
		s, err := Open(filepath.Join(dir, "closed.db"))
		require.NoError(t, err)
		require.NoError(t, s.Close())
		assert.Error(t, s.Update(func(*Tx) error { return nil }))
		assert.NoError(t, s.Close(), "a second Close is harmless")
	})
	t.Run("empty file is a new store", func(t *testing.T) {
		p := filepath.Join(dir, "empty.db")
		require.NoError(t, os.WriteFile(p, nil, 0o600))
		s, err := Open(p)
		require.NoError(t, err)
		require.NoError(t, s.Close())
	})
}

func TestLockedInProcess(t *testing.T) {
	s, path := openTemp(t)
	_ = s
	start := time.Now()
	_, err := Open(path, func(o *Options) { o.LockTimeout = 200 * time.Millisecond })
	assert.ErrorIs(t, err, ErrLocked)
	assert.Less(t, time.Since(start), 5*time.Second, "fails fast, never hangs")
	assert.Contains(t, err.Error(), path)
	require.NoError(t, s.Close())
	s2, err := Open(path)
	require.NoError(t, err, "free again once closed")
	require.NoError(t, s2.Close())
}

func TestReadOnlyStore(t *testing.T) {
	s, path := openTemp(t)
	require.NoError(t, s.Update(func(tx *Tx) error { return tx.Put(users, "bob", testUser{Name: "bob"}) }))
	require.NoError(t, s.Close())
	ro, err := Open(path, func(o *Options) { o.ReadOnly = true })
	require.NoError(t, err)
	defer ro.Close()
	require.NoError(t, ro.View(func(tx *Tx) error { return tx.Get(users, "bob", &testUser{}) }))
	assert.ErrorIs(t, ro.Update(func(tx *Tx) error { return nil }), ErrReadOnly)
	_, err = Open(path, func(o *Options) { o.LockTimeout = 100 * time.Millisecond })
	assert.ErrorIs(t, err, ErrLocked, "a reader blocks a writer")
}

func TestConcurrentUse(t *testing.T) {
	s, _ := openTemp(t)
	s.db.NoSync = true // test only: the race detector, not the disk, is the point here
	done := make(chan error, 8)
	for w := range 4 {
		go func() {
			var err error
			for i := 0; i < 25 && err == nil; i++ {
				err = s.Update(func(tx *Tx) error { return tx.Put(users, fmt.Sprintf("w%d-%02d", w, i), testUser{Name: "x"}) })
			}
			done <- err
		}()
		go func() {
			var err error
			for i := 0; i < 25 && err == nil; i++ {
				err = s.View(func(tx *Tx) error {
					_, err := tx.Page(users, "", 10)
					return err
				})
			}
			done <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-done)
	}
	n := 0
	require.NoError(t, s.View(func(tx *Tx) error { return tx.ForEach(users, func(Value) error { n++; return nil }) }))
	assert.Equal(t, 100, n)
}
