package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/internal/emulator/store"
)

type stateRun struct {
	code           int
	stdout, stderr string
}

func runStateCLI(t *testing.T, stdin string, args ...string) stateRun {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := runCLI(context.Background(), env, append([]string{"state"}, args...))
	return stateRun{code, out.String(), errb.String()}
}

const stateDoc = `{"format":"cognitokit-emulator-state","version":1,"services":{
  "userpool":{"schema":1,"buckets":[{"path":["eu-west-1_abc","users"],"entries":{"alice":{"name":"alice"},"bob":{"name":"bob"}}}]}}}`

func TestStateImportExport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")

	r := runStateCLI(t, stateDoc, "import", "-state", path)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "imported into")

	r = runStateCLI(t, "", "export", "-state", path)
	require.Equal(t, 0, r.code, r.stderr)
	var doc store.Document
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	require.Contains(t, doc.Services, "userpool")
	assert.Equal(t, 1, doc.Services["userpool"].Schema)
	var users map[string]json.RawMessage
	for _, b := range doc.Services["userpool"].Buckets {
		if strings.Join(b.Path, "/") == "eu-west-1_abc/users" {
			users = b.Entries
		}
	}
	assert.JSONEq(t, `{"name":"alice"}`, string(users["alice"]))

	// An import never silently replaces existing state.
	r = runStateCLI(t, `{"format":"cognitokit-emulator-state","version":1,"services":{}}`, "import", "-state", path)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "already holds state; pass -force")
	r = runStateCLI(t, "", "export", "-state", path)
	assert.Contains(t, r.stdout, `"alice"`, "nothing was lost")

	// -force replaces; -in and -o use files.
	in := filepath.Join(dir, "in.json")
	require.NoError(t, os.WriteFile(in, []byte(`{"format":"cognitokit-emulator-state","version":1,"services":{"s":{"buckets":[{"path":["b"],"entries":{"k":1}}]}}}`), 0o600))
	r = runStateCLI(t, "", "import", "-state", path, "-in", in, "-force")
	require.Equal(t, 0, r.code, r.stderr)
	out := filepath.Join(dir, "out.json")
	r = runStateCLI(t, "", "export", "-state", path, "-o", out)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"k": 1`)
	assert.NotContains(t, string(b), "alice")
	fi, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

func TestStateExportLegacyJSON(t *testing.T) {
	// A JSON state file written before the database (testdata, by the
	// emulator of that time) exports without being touched, each user under
	// its own key, as serve -state would import it.
	legacy, err := os.ReadFile("testdata/legacy-state.json")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(path, legacy, 0o600))

	r := runStateCLI(t, "", "export", "-state", path)
	require.Equal(t, 0, r.code, r.stderr)
	var doc store.Document
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	assert.Empty(t, doc.Legacy, "every section has an importer")
	require.Contains(t, doc.Services, "userpool")
	users := map[string]json.RawMessage{}
	for _, b := range doc.Services["userpool"].Buckets {
		if len(b.Path) == 2 && b.Path[1] == "users" {
			users = b.Entries
		}
	}
	require.Contains(t, users, "carol")
	assert.Contains(t, string(users["carol"]), "carol@example.com")
	assert.Contains(t, users, "dave")
	assert.NotContains(t, r.stdout, "Carol-Passw0rd!", "passwords are never stored")

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, legacy, after, "export leaves the file alone")
	entries, _ := os.ReadDir(filepath.Dir(path))
	assert.Len(t, entries, 1)

	// Exported and imported again, the state serves: carol signs in.
	doc2 := filepath.Join(t.TempDir(), "doc.json")
	require.NoError(t, os.WriteFile(doc2, []byte(r.stdout), 0o600))
	db := filepath.Join(t.TempDir(), "state.db")
	r = runStateCLI(t, "", "import", "-state", db, "-in", doc2)
	require.Equal(t, 0, r.code, r.stderr)
	srv := cognitotest.NewServer(func(o *cognitotest.Options) { o.StatePath = db })
	defer srv.Close()
	_, err = srv.CreateUser("us-east-1_5zxzTDiqn", "carol", "Carol-Passw0rd!", nil)
	assert.Error(t, err, "carol was imported")
	_, err = srv.CreateUser("us-east-1_5zxzTDiqn", "erin", "Erin-Passw0rd!", nil)
	assert.NoError(t, err, "erin was not")
}

func TestStateLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := store.Open(path)
	require.NoError(t, err)
	defer st.Close()
	for _, sub := range []string{"export", "import"} {
		r := runStateCLI(t, stateDoc, sub, "-state", path)
		assert.Equal(t, 1, r.code, sub)
		assert.Contains(t, r.stderr, "is in use by another process", sub)
	}
}

func TestStateUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"no subcommand", "", nil, 2, "usage: cognitoctl state export"},
		{"unknown subcommand", "", []string{"dump"}, 2, `unknown subcommand "dump"`},
		{"help", "", []string{"-h"}, 0, "usage: cognitoctl state"},
		{"export without -state", "", []string{"export"}, 2, "missing required flag: -state"},
		{"import without -state", "", []string{"import"}, 2, "missing required flag: -state"},
		{"stray argument", "", []string{"export", "-state", "x", "extra"}, 2, `unexpected argument "extra"`},
		{"export of a missing file", "", []string{"export", "-state", filepath.Join(dir, "missing.db")}, 1, "no such file"},
		{"import of a bad document", `{"format":"other"}`, []string{"import", "-state", filepath.Join(dir, "bad.db")}, 1, "bad state document"},
		{"import of a missing -in", "", []string{"import", "-state", filepath.Join(dir, "x.db"), "-in", filepath.Join(dir, "nope.json")}, 1, "no such file"},
		{"export of a damaged file", "", []string{"export", "-state", "state_test.go"}, 1, "not a readable state database"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runStateCLI(t, tc.stdin, tc.args...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, tc.want)
		})
	}
}
