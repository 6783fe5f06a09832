package cognitotest

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The storm test re-executes the test binary as a server process, selected
// by stormChildEnv (TestMain): it serves the state file and makes
// mutations through the SDK until it is killed.
const (
	stormChildEnv = "COGNITOTEST_STORM_CHILD" // the state file
	stormPoolEnv  = "COGNITOTEST_STORM_POOL"
	stormStartEnv = "COGNITOTEST_STORM_START"
)

// runStormChild creates user i and then changes its "name" attribute to
// i, and prints i once both requests were answered: every printed number
// is an answered mutation.
func runStormChild() int {
	s, err := NewHandlerServer(func(o *Options) { o.StatePath = os.Getenv(stormChildEnv) })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s.Start()
	c := idp(s)
	pool := os.Getenv(stormPoolEnv)
	start, _ := strconv.Atoi(os.Getenv(stormStartEnv))
	fmt.Println("ready")
	for i := start; ; i++ {
		name := fmt.Sprintf("u%06d", i)
		if _, err := c.AdminCreateUser(ctx(), &cip.AdminCreateUserInput{UserPoolId: &pool, Username: &name,
			MessageAction: types.MessageActionTypeSuppress}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, err := c.AdminUpdateUserAttributes(ctx(), &cip.AdminUpdateUserAttributesInput{UserPoolId: &pool, Username: &name,
			UserAttributes: []types.AttributeType{attr("name", strconv.Itoa(i))}}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if _, err := fmt.Fprintln(os.Stdout, i); err != nil { // one write(2) per line
			return 1
		}
	}
}

// TestKillStormServer kills a server with SIGKILL at random moments while
// it answers mutations, several times, and checks after each kill that the
// state file opens and holds every answered mutation.
func TestKillStormServer(t *testing.T) {
	if testing.Short() {
		t.Skip("the storm test spawns processes")
	}
	path := filepath.Join(t.TempDir(), "state")
	s := NewServer(func(o *Options) { o.StatePath = path })
	pool := s.MustCreateUserPool(PoolOptions{})
	s.Close()
	exe, err := os.Executable()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	next, total := 0, 0
	for round := range 5 {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), stormChildEnv+"="+path, stormPoolEnv+"="+pool, stormStartEnv+"="+strconv.Itoa(next))
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		sc := bufio.NewScanner(stdout)
		require.True(t, sc.Scan(), "child started")
		require.Equal(t, "ready", sc.Text())
		acked := next - 1
		done := make(chan struct{})
		go func() {
			defer close(done)
			for sc.Scan() {
				if n, err := strconv.Atoi(sc.Text()); err == nil {
					acked = n
				}
			}
		}()
		time.Sleep(time.Duration(200+rng.IntN(400)) * time.Millisecond)
		require.NoError(t, cmd.Process.Kill())
		<-done
		_ = cmd.Wait()

		s, err := NewHandlerServer(func(o *Options) { o.StatePath = path })
		require.NoError(t, err, "round %d: the state opens after kill -9", round)
		s.Start()
		c := idp(s)
		for i := next; i <= acked; i++ {
			out, err := c.AdminGetUser(ctx(), &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String(fmt.Sprintf("u%06d", i))})
			require.NoError(t, err, "round %d: answered user %d survived", round, i)
			assert.Equal(t, strconv.Itoa(i), attrValue(out.UserAttributes, "name"), "round %d: answered update of user %d survived", round, i)
		}
		// The user being created when the kill came may be there: go on after it.
		n := acked + 1
		for ; s.up.HasUser(pool, fmt.Sprintf("u%06d", n)); n++ {
		}
		s.Close()
		total += acked - next + 1
		t.Logf("round %d: answered up to %d", round, acked)
		next = n
	}
	require.Positive(t, total, "the server made progress")
}

func attrValue(attrs []types.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
