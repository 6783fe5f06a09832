package cognitotest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// spyFS records the calls writeFileAtomic makes and can make a temporary
// file's writes fail after a number of bytes (a crash mid-write).
type spyFS struct {
	osFS
	mu        sync.Mutex
	calls     []string
	failAfter int // bytes; < 0: never fail
}

func (f *spyFS) note(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func (f *spyFS) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *spyFS) CreateTemp(dir, pattern string) (tempFile, error) {
	t, err := f.osFS.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	f.note("create %s", filepath.Base(t.Name()))
	return &spyFile{tempFile: t, fs: f}, nil
}

func (f *spyFS) Rename(oldpath, newpath string) error {
	f.note("rename %s %s", filepath.Base(oldpath), filepath.Base(newpath))
	return f.osFS.Rename(oldpath, newpath)
}

func (f *spyFS) SyncDir(dir string) error {
	f.note("syncdir")
	return f.osFS.SyncDir(dir)
}

type spyFile struct {
	tempFile
	fs      *spyFS
	written int
}

var errDiskGone = errors.New("disk gone")

func (t *spyFile) Write(b []byte) (int, error) {
	if t.fs.failAfter >= 0 && t.written+len(b) > t.fs.failAfter {
		n, _ := t.tempFile.Write(b[:t.fs.failAfter-t.written])
		t.written += n
		t.fs.note("write fails after %d", t.written)
		return n, errDiskGone
	}
	n, err := t.tempFile.Write(b)
	t.written += n
	t.fs.note("write")
	return n, err
}

func (t *spyFile) Sync() error  { t.fs.note("sync"); return t.tempFile.Sync() }
func (t *spyFile) Close() error { t.fs.note("close"); return t.tempFile.Close() }

func newSpyServer(t *testing.T, path string, fsys *spyFS) *Server {
	s := NewUnstartedServer(func(o *Options) { o.StatePath = path })
	s.host.SetStateFS(fsys)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// TestStateWriteIsAtomic kills the mutation "state file written in place,
// without a temporary file, fsync or rename" (issue 11 part 8): the
// write goes to a temporary file in the same directory, is fsynced and
// closed before it is renamed over the state file, and the directory is
// fsynced after.
func TestStateWriteIsAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	fsys := &spyFS{failAfter: -1}
	s := newSpyServer(t, path, fsys)
	s.MustCreateUserPool(PoolOptions{})
	calls := fsys.log()
	require.NotEmpty(t, calls, "the state is written through the file-system hook")
	require.True(t, strings.HasPrefix(calls[0], "create .state.json.tmp-"), "%q", calls)
	tmp := strings.TrimPrefix(calls[0], "create ")
	var seq []string // consecutive writes as one
	for _, c := range calls[1:] {
		if c == "write" && len(seq) > 0 && seq[len(seq)-1] == "write" {
			continue
		}
		seq = append(seq, c)
	}
	assert.Equal(t, []string{"write", "sync", "close", "rename " + tmp + " state.json", "syncdir"}, seq, "%q", calls)
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the state file is left")
	assert.Equal(t, "state.json", entries[0].Name())
}

// TestStateWriteCrashKeepsPreviousState: a write that fails part way (a
// full disk, a crash simulated by a writer failing after N bytes) leaves
// the previous state file whole and no partial file behind, and the
// request that caused it is told.
func TestStateWriteCrashKeepsPreviousState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	fsys := &spyFS{failAfter: -1}
	s := newSpyServer(t, path, fsys)
	pool := s.MustCreateUserPool(PoolOptions{})
	before, err := os.ReadFile(path)
	require.NoError(t, err)

	unlock := s.host.LockPersist()
	fsys.failAfter = 100
	unlock()
	_, err = idp(s).AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &pool, Username: aws.String("bob")})
	requireCode(t, err, "InternalErrorException")
	assert.Contains(t, fsys.log(), "write fails after 100")

	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "the previous state is intact")
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	require.Len(t, entries, 1, "no partial file is left")

	// The previous state loads.
	s2, err := NewHandlerServer(func(o *Options) { o.StatePath = path })
	require.NoError(t, err)
	assert.True(t, s2.up.HasPool(pool))
}

// The state file's file system lives in the emulator's core.
type (
	osFS     = emulator.OSFS
	tempFile = emulator.TempFile
)
