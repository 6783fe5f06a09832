package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testPoolService is a stand-in for the user-pool service: its importer
// splits the legacy "pools" section into one entry per pool, user, client
// and group, as the real service will.
type legacyPool struct {
	ID      string                     `json:"id"`
	Users   map[string]json.RawMessage `json:"users"`
	Clients map[string]json.RawMessage `json:"clients"`
	Groups  map[string]json.RawMessage `json:"groups"`
}

func importPools(tx *Tx, raw json.RawMessage) error {
	var pools map[string]json.RawMessage
	if err := json.Unmarshal(raw, &pools); err != nil {
		return err
	}
	for id, praw := range pools {
		var p legacyPool
		if err := json.Unmarshal(praw, &p); err != nil {
			return err
		}
		// The pool's own settings, without the maps split out below.
		var settings map[string]json.RawMessage
		if err := json.Unmarshal(praw, &settings); err != nil {
			return err
		}
		for _, kind := range []string{"users", "clients", "groups"} {
			delete(settings, kind)
		}
		if err := tx.Put(Path{"userpool", id}, "pool", settings); err != nil {
			return err
		}
		for kind, m := range map[string]map[string]json.RawMessage{"users": p.Users, "clients": p.Clients, "groups": p.Groups} {
			for k, v := range m {
				if err := tx.PutRaw(Path{"userpool", id, kind}, k, v); err != nil {
					return err
				}
			}
		}
	}
	return tx.SetSchemaVersion("userpool", 1)
}

// importWhole keeps a section as one entry, as a small service may.
func importWhole(service string) Importer {
	return func(tx *Tx, raw json.RawMessage) error { return tx.PutRaw(Path{service}, "state", raw) }
}

func copyLegacy(t *testing.T) (path string, orig []byte) {
	t.Helper()
	orig, err := os.ReadFile("testdata/legacy-state.json")
	require.NoError(t, err)
	path = filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(path, orig, 0o600))
	return path, orig
}

func TestMigrateLegacyJSON(t *testing.T) {
	path, orig := copyLegacy(t)
	var logs []string
	s, err := Open(path, func(o *Options) {
		o.Importers = map[string]Importer{LegacyPoolsSection: importPools, "identityPools": importWhole("identitypool")}
		o.Logf = func(f string, a ...any) { logs = append(logs, f) }
	})
	require.NoError(t, err)

	// FILE is now a database; the JSON is kept byte for byte.
	backup, err := os.ReadFile(path + BackupSuffix)
	require.NoError(t, err)
	assert.Equal(t, orig, backup)
	head, _ := os.ReadFile(path)
	assert.NotEqual(t, byte('{'), head[0])
	_, err = os.Stat(path + migratingSuffix)
	assert.ErrorIs(t, err, os.ErrNotExist, "no leftover")
	assert.NotEmpty(t, logs)

	var names []string
	require.NoError(t, s.View(func(tx *Tx) error {
		if err := tx.ForEach(Path{"userpool", "eu-west-1_TestPool1", "users"}, func(v Value) error {
			var u struct {
				Username string            `json:"username"`
				Attrs    map[string]string `json:"attrs"`
			}
			names = append(names, v.Key)
			return v.Decode(&u)
		}); err != nil {
			return err
		}
		var settings map[string]any
		if err := tx.Get(Path{"userpool", "eu-west-1_TestPool1"}, "pool", &settings); err != nil {
			return err
		}
		assert.Equal(t, "legacy", settings["name"])
		assert.NotContains(t, settings, "users")
		if err := tx.Get(Path{"userpool", "eu-west-1_TestPool1", "clients"}, "3n4clientid0000000000000", &map[string]any{}); err != nil {
			return err
		}
		if err := tx.Get(Path{"userpool", "eu-west-1_TestPool1", "groups"}, "admins", &map[string]any{}); err != nil {
			return err
		}
		v, err := tx.SchemaVersion("userpool")
		assert.Equal(t, 1, v)
		if err != nil {
			return err
		}
		// Sections with no importer are kept verbatim.
		raw, err := tx.LegacySection("apiGateway")
		assert.True(t, json.Valid(raw))
		if err != nil {
			return err
		}
		_, err = tx.LegacySection("identityPools")
		assert.ErrorIs(t, err, ErrNotFound, "imported sections are not kept twice")
		return nil
	}))
	assert.Equal(t, []string{"alice", "bob"}, names)
	require.NoError(t, s.Close())

	// A later Open with an importer for a kept section imports it then.
	s, err = Open(path, func(o *Options) { o.Importers = map[string]Importer{"apiGateway": importWhole("apigw")} })
	require.NoError(t, err)
	require.NoError(t, s.View(func(tx *Tx) error {
		var st map[string]any
		if err := tx.Get(Path{"apigw"}, "state", &st); err != nil {
			return err
		}
		_, err := tx.LegacySection("apiGateway")
		assert.ErrorIs(t, err, ErrNotFound)
		_, err = tx.LegacySection("facebook")
		return err
	}))
	require.NoError(t, s.Close())
}

func TestMigrateFailureLeavesJSON(t *testing.T) {
	boom := errors.New("bad pool")
	tests := []struct {
		name    string
		content string
		imp     Importer
		check   func(t *testing.T, err error)
	}{
		{"importer fails", "", func(*Tx, json.RawMessage) error { return boom }, func(t *testing.T, err error) {
			var ie *ImportError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, LegacyPoolsSection, ie.Section)
			assert.ErrorIs(t, err, boom)
		}},
		{"not JSON", "{garbage", importPools, func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrBadFormat) }},
		{"wrong version", `{"version": 7, "pools": {}}`, importPools, func(t *testing.T, err error) {
			var ve *VersionError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, 7, ve.Found)
		}},
		{"section named pools", `{"version": 1, "pools": {}, "sections": {"pools": {}}}`, importPools, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, ErrBadFormat)
		}},
		{"importer writes null", "", func(tx *Tx, _ json.RawMessage) error { return tx.PutRaw(Path{"x"}, "k", json.RawMessage("null")) },
			func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrInvalidValue) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, orig := copyLegacy(t)
			if tc.content != "" {
				orig = []byte(tc.content)
				require.NoError(t, os.WriteFile(path, orig, 0o600))
			}
			_, err := Open(path, func(o *Options) { o.Importers = map[string]Importer{LegacyPoolsSection: tc.imp} })
			tc.check(t, err)
			now, rerr := os.ReadFile(path)
			require.NoError(t, rerr)
			assert.Equal(t, orig, now, "the JSON file is untouched")
			entries, _ := os.ReadDir(filepath.Dir(path))
			assert.Len(t, entries, 1, "no backup or leftover")
		})
	}
}

func TestMigrateInterrupted(t *testing.T) {
	// A crash mid-migration leaves a partial FILE.migrating beside the
	// intact JSON; the next Open rebuilds it.
	path, orig := copyLegacy(t)
	require.NoError(t, os.WriteFile(path+migratingSuffix, []byte("half a database"), 0o600))
	// ... and possibly a backup already written.
	require.NoError(t, os.WriteFile(path+BackupSuffix, orig, 0o600))
	s, err := Open(path, func(o *Options) { o.Importers = map[string]Importer{LegacyPoolsSection: importPools} })
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.View(func(tx *Tx) error {
		return tx.Get(Path{"userpool", "eu-west-1_TestPool1", "users"}, "alice", &map[string]any{})
	}))
}

func TestMigrateRefusesOtherBackup(t *testing.T) {
	path, orig := copyLegacy(t)
	require.NoError(t, os.WriteFile(path+BackupSuffix, []byte(`{"version":1}`), 0o600))
	_, err := Open(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already exists")
	now, _ := os.ReadFile(path)
	assert.Equal(t, orig, now)
	old, _ := os.ReadFile(path + BackupSuffix)
	assert.Equal(t, `{"version":1}`, string(old), "an older backup is never overwritten")
}

func TestMigrateReadOnlyLeavesFile(t *testing.T) {
	path, orig := copyLegacy(t)
	s, err := Open(path, func(o *Options) {
		o.ReadOnly = true
		o.Importers = map[string]Importer{LegacyPoolsSection: importPools}
	})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, s.Export(&buf))
	assert.Contains(t, buf.String(), `"alice"`)
	tmp := s.tmpPath
	require.NotEmpty(t, tmp)
	require.NoError(t, s.Close())
	_, err = os.Stat(tmp)
	assert.ErrorIs(t, err, os.ErrNotExist, "the temporary database is removed")
	now, _ := os.ReadFile(path)
	assert.Equal(t, orig, now)
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1)
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content []byte
		want    fileKind
	}{
		{"empty", []byte{}, kindNew},
		{"json", []byte(`{"version":1}`), kindLegacyJSON},
		{"json after BOM and space", []byte("\xef\xbb\xbf \n\t{}"), kindLegacyJSON},
		{"bbolt magic", append(make([]byte, 16), 0xED, 0xDA, 0x0C, 0xED, 0), kindBolt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			require.NoError(t, os.WriteFile(p, tc.content, 0o600))
			k, err := detect(p)
			require.NoError(t, err)
			assert.Equal(t, tc.want, k)
		})
	}
	for name, content := range map[string][]byte{"binary": {0, 0, 0, 1, 2}, "array": []byte(`[1]`), "zeros": make([]byte, 64)} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, content, 0o600))
		_, err := detect(p)
		assert.ErrorIs(t, err, ErrCorrupt, name)
	}
	k, err := detect(filepath.Join(dir, "missing"))
	require.NoError(t, err)
	assert.Equal(t, kindNew, k)
}
