package userpool

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/store"
)

// storedPool is what the closed state file at path holds of a pool: its
// own value and its uploads by key; found is false when the pool's bucket
// is gone.
type storedPool struct {
	found bool
	rest  string
	blobs map[string]json.RawMessage
}

func readStoredPool(t *testing.T, path, poolID string) storedPool {
	t.Helper()
	db, err := store.Open(path, func(o *store.Options) { o.ReadOnly = true })
	require.NoError(t, err)
	defer db.Close()
	sp := storedPool{blobs: map[string]json.RawMessage{}}
	require.NoError(t, db.View(func(tx *store.Tx) error {
		raw, err := tx.GetRaw(store.Path{serviceBucket, poolID}, poolKey)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		sp.found, sp.rest = true, string(raw)
		return tx.ForEach(store.Path{serviceBucket, poolID, blobsBucket}, func(v store.Value) error {
			sp.blobs[v.Key] = v.Raw
			return nil
		})
	}))
	return sp
}

// inline reports whether the pool's value holds one of u's uploads.
func (sp storedPool) inline(u *uploadsEnv) bool {
	return strings.Contains(sp.rest, `"csv":`) || strings.Contains(sp.rest, `"image":`) ||
		strings.Contains(sp.rest, base64.StdEncoding.EncodeToString(u.image))
}

// uploadsEnv is a served pool, its state in the database at path, with
// one upload of each kind: a pending import job's CSV file (importing
// bob), a UI customization's logo and a branding style's image, all for
// the app client e.cl.
type uploadsEnv struct {
	*unlockedEnv
	path                string
	job, jobCSV, upload string
	logo, brandID       string
	image               []byte
}

func newUploadsEnv(t *testing.T) *uploadsEnv {
	path := filepath.Join(t.TempDir(), "state")
	u := &uploadsEnv{unlockedEnv: newPersistEnv(t, path), path: path, image: testImage(t, "png")}
	e := u.unlockedEnv
	u.job, u.upload = e.createJob(e.pool)
	// About 1 MiB of padding rows that fail the import (no verified
	// address) after bob's: big enough that a copy in the pool's value
	// would show.
	pad := strings.Repeat("x", 1000)
	var extra []map[string]string
	for range 1000 {
		extra = append(extra, map[string]string{"cognito:username": "pad", "name": pad})
	}
	u.jobCSV = e.csvFile(e.pool, append([]map[string]string{person("bob")}, extra...))
	require.Equal(t, http.StatusOK, e.put(u.upload, u.jobCSV).Code)
	ui := obj(t, e.ok("SetUICustomization", map[string]any{"UserPoolId": e.pool, "ClientId": e.cl.ID,
		"CSS": ".label-customizable{color:red}", "ImageFile": u.image}), "UICustomization")
	u.logo = ui["ImageUrl"].(string)
	b := obj(t, e.ok("CreateManagedLoginBranding", map[string]any{"UserPoolId": e.pool, "ClientId": e.cl.ID,
		"Assets": []any{map[string]any{"Category": "PAGE_HEADER_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": u.image}}}),
		"ManagedLoginBranding")
	u.brandID = b["ManagedLoginBrandingId"].(string)
	return u
}

// keys are the blob keys of u's three uploads.
func (u *uploadsEnv) keys() (job, ui, brand string) {
	return "import/" + u.job, "ui/" + u.cl.ID, "branding/" + u.brandID + "/0"
}

// reopen closes u's host and serves the same state file again.
func (u *uploadsEnv) reopen(t *testing.T) {
	require.NoError(t, u.host.Close())
	e := openPersistEnv(t, u.path)
	e.pool, e.cl = u.pool, u.cl
	u.unlockedEnv = e
}

// checkServed checks that u's server has the three uploads: the logo at
// its URL, the branding image, and the CSV file (the job imports bob).
func (u *uploadsEnv) checkServed(t *testing.T) {
	t.Helper()
	rec := u.get(strings.TrimPrefix(u.logo, u.s.urlLocked()))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, u.image, rec.Body.Bytes())
	b := obj(t, u.ok("DescribeManagedLoginBranding", map[string]any{"UserPoolId": u.pool, "ManagedLoginBrandingId": u.brandID}),
		"ManagedLoginBranding")
	require.Len(t, b["Assets"], 1)
	assert.Equal(t, base64.StdEncoding.EncodeToString(u.image), b["Assets"].([]any)[0].(map[string]any)["Bytes"])
	u.ok("StartUserImportJob", map[string]any{"UserPoolId": u.pool, "JobId": u.job})
	j := u.waitJob(u.pool, u.job)
	assert.Equal(t, "Succeeded", j["Status"])
	assert.EqualValues(t, 1, j["ImportedUsers"])
	assert.EqualValues(t, 1000, j["FailedUsers"])
	assert.True(t, u.s.HasUser(u.pool, "bob"), "the uploaded file was imported")
}

// TestLargeUploadsSlowSaves is the regression test of the finding "large
// uploads slow saves under -state": the pool's own value, written again
// whenever anything in the pool changes, holds none of the uploads; each
// is stored under its own key, and written again only when it changes.
func TestLargeUploadsSlowSaves(t *testing.T) {
	u := newUploadsEnv(t)
	u.ok("AdminUpdateUserAttributes", map[string]any{"UserPoolId": u.pool, "Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "name", "Value": "Alice"}}})
	require.NoError(t, u.host.Close())
	sp := readStoredPool(t, u.path, u.pool)
	require.True(t, sp.found)
	assert.Less(t, len(sp.rest), 64<<10, "the pool's value is small")
	assert.False(t, sp.inline(u), "no upload is in the pool's value")
	var p pool
	require.NoError(t, json.Unmarshal([]byte(sp.rest), &p))
	require.NotNil(t, p.Extras)
	assert.Empty(t, p.Extras.ImportJobs[0].CSV)
	assert.True(t, p.Extras.ImportJobs[0].Uploaded)

	job, ui, brand := u.keys()
	require.Len(t, sp.blobs, 3)
	var csv string
	require.NoError(t, json.Unmarshal(sp.blobs[job], &csv))
	assert.Equal(t, u.jobCSV, csv)
	for _, k := range []string{ui, brand} {
		var img []byte
		require.NoError(t, json.Unmarshal(sp.blobs[k], &img), k)
		assert.Equal(t, u.image, img, k)
	}

	// An unchanged upload is not written again.
	u.reopen(t)
	var writes []entityWrite
	u.s.mu.Lock()
	writes, err := u.s.poolChanges(u.s.st.Pools[u.pool], false)
	u.s.mu.Unlock()
	require.NoError(t, err)
	assert.Empty(t, writes, "nothing changed since the load")
	u.ok("AdminUpdateUserAttributes", map[string]any{"UserPoolId": u.pool, "Username": "alice",
		"UserAttributes": []map[string]string{{"Name": "name", "Value": "Alice 2"}}})
	u.s.mu.Lock()
	p2 := u.s.st.Pools[u.pool]
	p2.touchUser("alice")
	writes, err = u.s.poolChanges(p2, false)
	u.s.mu.Unlock()
	require.NoError(t, err)
	require.NotEmpty(t, writes)
	for _, w := range writes {
		assert.NotContains(t, w.path, blobsBucket, "no upload is written again: %s %s", w.path, w.key)
	}
}

// TestUploadsSurviveRestart: after a restart the server serves the logo
// and the branding image, and imports the file uploaded before it.
func TestUploadsSurviveRestart(t *testing.T) {
	u := newUploadsEnv(t)
	u.reopen(t)
	u.checkServed(t)
}

// TestUploadsLeaveTheStore: an upload is deleted from the state file when
// its entry lets it go, and only then.
func TestUploadsLeaveTheStore(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(t *testing.T, u *uploadsEnv)
		gone func(u *uploadsEnv) []string // the keys that leave the store
		pool bool                         // the whole pool leaves it
	}{
		{name: "a restart and a user change keep them", do: func(t *testing.T, u *uploadsEnv) {
			u.reopen(t)
			u.ok("AdminUpdateUserAttributes", map[string]any{"UserPoolId": u.pool, "Username": "alice",
				"UserAttributes": []map[string]string{{"Name": "name", "Value": "Alice"}}})
		}, gone: func(*uploadsEnv) []string { return nil }},
		{name: "the job ends", do: func(t *testing.T, u *uploadsEnv) {
			u.ok("StartUserImportJob", map[string]any{"UserPoolId": u.pool, "JobId": u.job})
			u.waitJob(u.pool, u.job)
		}, gone: func(u *uploadsEnv) []string { j, _, _ := u.keys(); return []string{j} }},
		{name: "the job is stopped", do: func(t *testing.T, u *uploadsEnv) {
			release := make(chan struct{})
			testImportStart = func() { <-release }
			u.ok("StartUserImportJob", map[string]any{"UserPoolId": u.pool, "JobId": u.job})
			testImportStart = nil
			u.ok("StopUserImportJob", map[string]any{"UserPoolId": u.pool, "JobId": u.job})
			close(release)
			assert.Equal(t, "Stopped", u.waitJob(u.pool, u.job)["Status"])
		}, gone: func(u *uploadsEnv) []string { j, _, _ := u.keys(); return []string{j} }},
		{name: "the customization is removed", do: func(t *testing.T, u *uploadsEnv) {
			u.ok("SetUICustomization", map[string]any{"UserPoolId": u.pool, "ClientId": u.cl.ID})
		}, gone: func(u *uploadsEnv) []string { _, ui, _ := u.keys(); return []string{ui} }},
		{name: "the customization is set without an image", do: func(t *testing.T, u *uploadsEnv) {
			u.ok("SetUICustomization", map[string]any{"UserPoolId": u.pool, "ClientId": u.cl.ID, "CSS": ".label-customizable{color:blue}"})
		}, gone: func(u *uploadsEnv) []string { _, ui, _ := u.keys(); return []string{ui} }},
		{name: "the branding style is deleted", do: func(t *testing.T, u *uploadsEnv) {
			u.ok("DeleteManagedLoginBranding", map[string]any{"UserPoolId": u.pool, "ManagedLoginBrandingId": u.brandID})
		}, gone: func(u *uploadsEnv) []string { _, _, b := u.keys(); return []string{b} }},
		{name: "the app client is deleted", do: func(t *testing.T, u *uploadsEnv) {
			u.ok("DeleteUserPoolClient", map[string]any{"UserPoolId": u.pool, "ClientId": u.cl.ID})
		}, gone: func(u *uploadsEnv) []string { _, ui, b := u.keys(); return []string{ui, b} }},
		{name: "the pool is deleted", do: func(t *testing.T, u *uploadsEnv) {
			u.ok("DeleteUserPool", map[string]any{"UserPoolId": u.pool})
		}, pool: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUploadsEnv(t)
			u.t = t
			tc.do(t, u)
			require.NoError(t, u.host.Close())
			sp := readStoredPool(t, u.path, u.pool)
			if tc.pool {
				assert.False(t, sp.found, "the pool's bucket is gone")
				assert.Empty(t, sp.blobs)
				return
			}
			require.True(t, sp.found)
			gone := tc.gone(u)
			j, ui, b := u.keys()
			for _, k := range []string{j, ui, b} {
				if contains(gone, k) {
					assert.NotContains(t, sp.blobs, k)
				} else {
					assert.Contains(t, sp.blobs, k, "kept")
				}
			}
			assert.Len(t, sp.blobs, 3-len(gone))
			assert.False(t, sp.inline(u), "no upload is in the pool's value")
		})
	}
}

// legacyRest is p's value as the state held it before the uploads moved
// out of it: with them inline.
func legacyRest(t *testing.T, p *pool) []byte {
	cp := *p
	cp.Users, cp.Refresh, cp.Messages, cp.track = nil, nil, nil, nil
	raw, err := json.Marshal(&cp)
	require.NoError(t, err)
	return raw
}

// TestUploadsInlineStateMigrates: a state whose pool value holds the
// uploads inline (written before they moved out), in the database or in a
// legacy JSON state file, loads with them; the first save moves them to
// their own keys.
func TestUploadsInlineStateMigrates(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, u *uploadsEnv)
	}{
		{name: "database", make: func(t *testing.T, u *uploadsEnv) {
			u.s.mu.Lock()
			raw := legacyRest(t, u.s.st.Pools[u.pool])
			u.s.mu.Unlock()
			require.NoError(t, u.host.Close())
			db, err := store.Open(u.path)
			require.NoError(t, err)
			require.NoError(t, db.Update(func(tx *store.Tx) error {
				if err := tx.DeleteBucket(store.Path{serviceBucket, u.pool, blobsBucket}); err != nil {
					return err
				}
				return tx.PutRaw(store.Path{serviceBucket, u.pool}, poolKey, raw)
			}))
			require.NoError(t, db.Close())
		}},
		{name: "JSON state file", make: func(t *testing.T, u *uploadsEnv) {
			pools := stateJSON(t, u.s)
			require.NoError(t, u.host.Close())
			require.NoError(t, os.Remove(u.path))
			require.NoError(t, os.WriteFile(u.path, []byte(`{"version":1,"pools":`+pools+`}`), 0o600))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUploadsEnv(t)
			u.t = t
			tc.make(t, u)
			if tc.name == "database" {
				before := readStoredPool(t, u.path, u.pool)
				require.True(t, before.found)
				assert.True(t, before.inline(u), "the old state holds the uploads inline")
				assert.Empty(t, before.blobs)
			}
			u.reopen(t)
			u.checkServed(t) // saves: the job's run, at least
			require.NoError(t, u.host.Close())
			after := readStoredPool(t, u.path, u.pool)
			assert.False(t, after.inline(u), "moved out of the pool's value")
			_, ui, b := u.keys()
			assert.Contains(t, after.blobs, ui)
			assert.Contains(t, after.blobs, b)
			assert.Len(t, after.blobs, 2, "the ended job's file is gone")
		})
	}
}

// TestUploadsCorruptStore: an upload that no entry owns, or that does not
// decode, makes the load fail with a *store.CorruptError naming it.
func TestUploadsCorruptStore(t *testing.T) {
	for _, tc := range []struct {
		name, key, raw string
		ok             bool
	}{
		{name: "the stored upload loads", key: "ui/CLIENT", raw: `"` + base64.StdEncoding.EncodeToString([]byte("logo")) + `"`, ok: true},
		{name: "no owner", key: "import/nosuchjob", raw: `"a,b\n"`},
		{name: "unknown kind", key: "video/x", raw: `"x"`},
		{name: "not a string", key: "ui/CLIENT", raw: `{"bytes":1}`},
		{name: "not base64", key: "ui/CLIENT", raw: `"!!"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUploadsEnv(t)
			require.NoError(t, u.host.Close())
			key := strings.ReplaceAll(tc.key, "CLIENT", u.cl.ID)
			db, err := store.Open(u.path)
			require.NoError(t, err)
			require.NoError(t, db.Update(func(tx *store.Tx) error {
				return tx.PutRaw(store.Path{serviceBucket, u.pool, blobsBucket}, key, json.RawMessage(tc.raw))
			}))
			require.NoError(t, db.Close())
			e := openPersistEnvErr(t, u.path)
			if tc.ok {
				require.NoError(t, e)
				return
			}
			var ce *store.CorruptError
			require.ErrorAs(t, e, &ce)
			assert.Equal(t, key, ce.Key)
			assert.ErrorIs(t, e, store.ErrCorrupt)
		})
	}
}

// openPersistEnvErr loads the state database at path into a new server
// and returns Load's error.
func openPersistEnvErr(t *testing.T, path string) error {
	host := emulator.MustNew(emulator.Config{AllowUnsigned: true, StatePath: path})
	New(host, Options{})
	err := host.Load()
	require.NoError(t, host.Close())
	return err
}
