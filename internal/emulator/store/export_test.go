package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fill(t *testing.T, s *Store) {
	t.Helper()
	require.NoError(t, s.Update(func(tx *Tx) error {
		for _, u := range []string{"bob", "alice"} {
			if err := tx.Put(users, u, testUser{Name: u, Attrs: map[string]string{"email": u + "@example.com"}}); err != nil {
				return err
			}
		}
		if err := tx.Put(Path{"userpool", "eu-west-1_abc"}, "pool", map[string]string{"name": "p"}); err != nil {
			return err
		}
		if _, err := tx.createBucket(Path{"userpool", "eu-west-1_abc", "groups"}); err != nil {
			return err
		}
		if err := tx.Put(Path{"identitypool"}, "us-east-1:1", map[string]int{"n": 1}); err != nil {
			return err
		}
		if err := tx.putLegacy("facebook", json.RawMessage(`{"tokens":{}}`)); err != nil {
			return err
		}
		return tx.SetSchemaVersion("userpool", 2)
	}))
}

func TestExportImportRoundTrip(t *testing.T) {
	src, _ := openTemp(t)
	fill(t, src)
	var out bytes.Buffer
	require.NoError(t, src.Export(&out))
	doc := out.String()
	for _, want := range []string{`"format": "cognitokit-emulator-state"`, `"schema": 2`, `"alice@example.com"`, `"facebook"`,
		`"path": [`, `"groups"`, `"us-east-1:1"`} {
		assert.Contains(t, doc, want)
	}
	assert.Less(t, strings.Index(doc, `"alice"`), strings.Index(doc, `"bob"`), "entries in key order")

	dst, _ := openTemp(t)
	require.NoError(t, dst.Update(func(tx *Tx) error { return tx.Put(Path{"stale"}, "k", 1) }))
	require.NoError(t, dst.Import(strings.NewReader(doc)))
	var again bytes.Buffer
	require.NoError(t, dst.Export(&again))
	assert.JSONEq(t, doc, again.String(), "export → import → export is the identity")
	err := dst.View(func(tx *Tx) error { return tx.Get(Path{"stale"}, "k", new(int)) })
	assert.ErrorIs(t, err, ErrNotFound, "import replaces the whole content")
	require.NoError(t, dst.View(func(tx *Tx) error {
		var u testUser
		if err := tx.Get(users, "alice", &u); err != nil {
			return err
		}
		assert.Equal(t, "alice@example.com", u.Attrs["email"])
		if err := tx.Get(Path{"identitypool"}, "us-east-1:1", &map[string]int{}); err != nil {
			return err
		}
		_, err := tx.LegacySection("facebook")
		return err
	}))
}

func TestImportRejects(t *testing.T) {
	tests := []struct {
		name, doc string
		want      error
	}{
		{"not JSON", `{`, ErrBadFormat},
		{"wrong format", `{"format":"other","version":1,"services":{}}`, ErrBadFormat},
		{"newer version", `{"format":"cognitokit-emulator-state","version":2,"services":{}}`, ErrBadFormat},
		{"unknown field", `{"format":"cognitokit-emulator-state","version":1,"services":{},"extra":1}`, ErrBadFormat},
		{"trailing data", `{"format":"cognitokit-emulator-state","version":1,"services":{}} {}`, ErrBadFormat},
		{"reserved service", `{"format":"cognitokit-emulator-state","version":1,"services":{"_meta":{"buckets":[]}}}`, ErrInvalidPath},
		{"null service", `{"format":"cognitokit-emulator-state","version":1,"services":{"s":null}}`, ErrBadFormat},
		{"empty bucket name", `{"format":"cognitokit-emulator-state","version":1,"services":{"s":{"buckets":[{"path":[""],"entries":{}}]}}}`, ErrInvalidPath},
		{"empty key", `{"format":"cognitokit-emulator-state","version":1,"services":{"s":{"buckets":[{"path":["b"],"entries":{"":1}}]}}}`, ErrInvalidPath},
		{"null entry", `{"format":"cognitokit-emulator-state","version":1,"services":{"s":{"buckets":[{"path":["b"],"entries":{"k":null}}]}}}`, ErrBadFormat},
		{"negative schema", `{"format":"cognitokit-emulator-state","version":1,"services":{"s":{"schema":-1,"buckets":[]}}}`, ErrBadFormat},
		{"null legacy", `{"format":"cognitokit-emulator-state","version":1,"services":{},"legacy":{"x":null}}`, ErrBadFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTemp(t)
			fill(t, s)
			var before bytes.Buffer
			require.NoError(t, s.Export(&before))
			err := s.Import(strings.NewReader(tc.doc))
			var ie *ImportError
			require.ErrorAs(t, err, &ie)
			assert.ErrorIs(t, err, tc.want)
			var after bytes.Buffer
			require.NoError(t, s.Export(&after))
			assert.Equal(t, before.String(), after.String(), "nothing changes on a refused import")
		})
	}
	// The positive counterpart: a minimal valid document.
	s, _ := openTemp(t)
	require.NoError(t, s.Import(strings.NewReader(`{"format":"cognitokit-emulator-state","version":1,"services":{"s":{"buckets":[{"path":["b"],"entries":{"k":1}}]}}}`)))
	require.NoError(t, s.View(func(tx *Tx) error { return tx.Get(Path{"s", "b"}, "k", new(int)) }))
}

func TestEmpty(t *testing.T) {
	s, _ := openTemp(t)
	empty, err := s.Empty()
	require.NoError(t, err)
	assert.True(t, empty)
	require.NoError(t, s.Update(func(tx *Tx) error { return tx.SetSchemaVersion("userpool", 1) }))
	empty, err = s.Empty()
	require.NoError(t, err)
	assert.True(t, empty, "a schema version alone is not data")

	fill(t, s)
	empty, err = s.Empty()
	require.NoError(t, err)
	assert.False(t, empty)

	legacyOnly, _ := openTemp(t)
	require.NoError(t, legacyOnly.Update(func(tx *Tx) error { return tx.putLegacy("facebook", json.RawMessage(`{}`)) }))
	empty, err = legacyOnly.Empty()
	require.NoError(t, err)
	assert.False(t, empty, "a legacy section is data")
}

// FuzzImport: any input is imported or refused with an *ImportError, never
// a panic, and a refused input changes nothing.
func FuzzImport(f *testing.F) {
	f.Add([]byte(`{"format":"cognitokit-emulator-state","version":1,"services":{"s":{"buckets":[{"path":["b"],"entries":{"k":1}}]}}}`))
	f.Add([]byte(`{"format":"cognitokit-emulator-state","version":1,"services":{"s":{"buckets":[{"path":[],"entries":{"k":{"a":[1,2]}}}]}},"legacy":{"x":{}}}`))
	f.Add([]byte(`{"format":"cognitokit-emulator-state","version":1,"services":{"_x":null}}`))
	f.Add([]byte(`null`))
	s, _ := openTemp(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		var before bytes.Buffer
		require.NoError(t, s.Export(&before))
		err := s.Import(bytes.NewReader(doc))
		if err != nil {
			var ie *ImportError
			require.ErrorAs(t, err, &ie)
			var after bytes.Buffer
			require.NoError(t, s.Export(&after))
			require.Equal(t, before.String(), after.String())
			return
		}
		var out bytes.Buffer
		require.NoError(t, s.Export(&out))
		require.NoError(t, s.Import(&out), "an export always imports")
	})
}
