package store

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests below re-execute the test binary as a child process, selected
// by childEnv: "writer" does acknowledged writes until killed, "holder"
// keeps the store open until its stdin closes.
const (
	childEnv      = "COGNITOKIT_STORE_CHILD"
	childPathEnv  = "COGNITOKIT_STORE_CHILD_PATH"
	childStartEnv = "COGNITOKIT_STORE_CHILD_START"
)

var stormPath = Path{"storm", "entries"}

type stormEntry struct {
	I   int    `json:"i"`
	Pad string `json:"pad"`
}

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "writer":
		os.Exit(runWriter())
	case "holder":
		os.Exit(runHolder())
	default:
		fmt.Fprintln(os.Stderr, "unknown child mode")
		os.Exit(2)
	}
}

// runWriter commits entry i (with a varying-size value, and the counter
// "last" = i in the same transaction) and prints i once Update has returned:
// every printed number is an acknowledged write.
func runWriter() int {
	s, err := Open(os.Getenv(childPathEnv), func(o *Options) { o.LockTimeout = 10 * time.Second })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	start, _ := strconv.Atoi(os.Getenv(childStartEnv))
	fmt.Println("ready")
	for i := start; ; i++ {
		err := s.Update(func(tx *Tx) error {
			pad := strings.Repeat("x", (i*7919)%6000) // sometimes an overflow page
			if err := tx.Put(stormPath, fmt.Sprintf("%09d", i), stormEntry{I: i, Pad: pad}); err != nil {
				return err
			}
			return tx.Put(Path{"storm"}, "last", i)
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		// One write(2) per line, no buffering: printed means acknowledged.
		if _, err := fmt.Fprintln(os.Stdout, i); err != nil {
			return 1
		}
	}
}

func runHolder() int {
	s, err := Open(os.Getenv(childPathEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = s.Close()
	return 0
}

func child(t *testing.T, mode, path string, start int) (*exec.Cmd, *bufio.Scanner, io.WriteCloser) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childPathEnv+"="+path, childStartEnv+"="+strconv.Itoa(start))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stdout)
	require.True(t, sc.Scan(), "child started")
	require.Equal(t, "ready", sc.Text())
	return cmd, sc, stdin
}

// TestKillStorm kills a writer with SIGKILL at random moments, several
// times, and checks after each kill that the file opens cleanly and holds
// every acknowledged write, and that each transaction is whole (the counter
// and the entries agree).
func TestKillStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("storm test spawns processes")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	next := 0
	totalAcked := 0
	for round := range 6 {
		cmd, sc, stdin := child(t, "writer", path, next)
		acked := -1
		done := make(chan struct{})
		go func() {
			defer close(done)
			for sc.Scan() {
				n, err := strconv.Atoi(sc.Text())
				if err == nil {
					acked = n
				}
			}
		}()
		time.Sleep(time.Duration(20+rng.IntN(200)) * time.Millisecond)
		require.NoError(t, cmd.Process.Kill())
		<-done // everything the child printed before dying is read
		_ = cmd.Wait()
		stdin.Close()

		s, err := Open(path)
		require.NoError(t, err, "round %d: the file opens cleanly after kill -9", round)
		var last, count int
		err = s.View(func(tx *Tx) error {
			if err := tx.Get(Path{"storm"}, "last", &last); err != nil {
				return err
			}
			want := 0
			return tx.ForEach(stormPath, func(v Value) error {
				var e stormEntry
				if err := v.Decode(&e); err != nil {
					return err
				}
				if e.I != want {
					return fmt.Errorf("entry %d where %d was expected", e.I, want)
				}
				want++
				count++
				return nil
			})
		})
		require.NoError(t, err, "round %d", round)
		require.NoError(t, s.Close())
		assert.Equal(t, last+1, count, "round %d: each transaction is all there or not at all", round)
		require.GreaterOrEqual(t, last, acked, "round %d: every acknowledged write survived kill -9", round)
		totalAcked += acked - next + 1
		t.Logf("round %d: acknowledged up to %d, found up to %d", round, acked, last)
		next = last + 1
	}
	require.Positive(t, totalAcked, "the writer made progress")
}

// TestLockedByAnotherProcess: a second process opening the same state fails
// fast with ErrLocked instead of hanging, and succeeds once the first has
// gone (even when it was killed).
func TestLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	for _, how := range []string{"close", "kill"} {
		t.Run(how, func(t *testing.T) {
			cmd, _, stdin := child(t, "holder", path, 0)
			start := time.Now()
			_, err := Open(path, func(o *Options) { o.LockTimeout = 300 * time.Millisecond })
			require.ErrorIs(t, err, ErrLocked)
			assert.Contains(t, err.Error(), "in use by another process")
			assert.Less(t, time.Since(start), 5*time.Second)
			_, err = Open(path, func(o *Options) { o.ReadOnly = true; o.LockTimeout = 100 * time.Millisecond })
			require.ErrorIs(t, err, ErrLocked, "a reader also waits for a writer")
			if how == "close" {
				stdin.Close()
			} else {
				require.NoError(t, cmd.Process.Kill())
			}
			_ = cmd.Wait()
			s, err := Open(path)
			require.NoError(t, err)
			require.NoError(t, s.Close())
		})
	}
}
