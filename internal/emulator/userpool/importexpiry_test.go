package userpool

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExpiredImportJobDropsItsFile is the regression test of the finding
// "an import job that expires unstarted keeps its CSV file until
// StartUserImportJob is called on it": once the job has expired, its file
// leaves memory and the store, whether the job is looked at or not (any
// save sweeps); the job stays, Expired. A job still within its day keeps
// its file.
func TestExpiredImportJobDropsItsFile(t *testing.T) {
	for _, tc := range []struct {
		name    string
		advance time.Duration
		do      func(u *uploadsEnv)
		kept    bool
	}{
		{name: "a save of something else, expired", advance: importJobTTL + time.Minute, do: func(u *uploadsEnv) {
			u.ok("AdminUpdateUserAttributes", map[string]any{"UserPoolId": u.pool, "Username": "alice",
				"UserAttributes": []map[string]string{{"Name": "name", "Value": "Alice"}}})
		}},
		{name: "the job listed, expired", advance: importJobTTL + time.Minute, do: func(u *uploadsEnv) {
			u.ok("ListUserImportJobs", map[string]any{"UserPoolId": u.pool, "MaxResults": 10})
			u.s.mu.Lock()
			assert.Empty(u.t, u.s.st.Pools[u.pool].job(u.job).CSV, "a read drops it from memory")
			u.s.mu.Unlock()
			u.ok("AdminUpdateUserAttributes", map[string]any{"UserPoolId": u.pool, "Username": "alice",
				"UserAttributes": []map[string]string{{"Name": "name", "Value": "Alice"}}})
		}},
		{name: "a save of something else, within the day", advance: importJobTTL - time.Minute, kept: true, do: func(u *uploadsEnv) {
			u.ok("AdminUpdateUserAttributes", map[string]any{"UserPoolId": u.pool, "Username": "alice",
				"UserAttributes": []map[string]string{{"Name": "name", "Value": "Alice"}}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := newUploadsEnv(t)
			u.t = t
			u.host.Advance(tc.advance)
			tc.do(u)
			u.s.mu.Lock()
			j := *u.s.st.Pools[u.pool].job(u.job)
			u.s.mu.Unlock()
			want := "Expired"
			if tc.kept {
				want = "Created"
			}
			assert.Equal(t, want, u.unlockedEnv.job(u.pool, u.job)["Status"])
			assert.Equal(t, tc.kept, j.CSV != "", "the file in memory")
			require.NoError(t, u.host.Close())
			sp := readStoredPool(t, u.path, u.pool)
			require.True(t, sp.found)
			key, ui, brand := u.keys()
			assert.Equal(t, tc.kept, sp.blobs[key] != nil, "the file in the store")
			assert.Contains(t, sp.blobs, ui, "the other uploads stay")
			assert.Contains(t, sp.blobs, brand)
			assert.Contains(t, sp.rest, u.job, "the job stays")
		})
	}
}
