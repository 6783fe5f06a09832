package secret_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/examples/internal/secret"
)

func TestFlagValue(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	pw := file("pw", "s3cret-Pw!\n")
	crlf := file("crlf", "s3cret-Pw!\r\n")
	two := file("two", "s3cret-Pw!\n\n")
	spaces := file("spaces", "  s3cret-Pw! \n")
	empty := file("empty", "\n")
	big := file("big", strings.Repeat("x", secret.MaxBytes+1))
	tests := []struct {
		name    string
		args    []string
		stdin   string
		env     map[string]string
		want    string
		wantErr string
	}{
		{"literal", []string{"-password", "lit-Pw"}, "", nil, "lit-Pw", ""},
		{"file", []string{"-password", "@" + pw}, "", nil, "s3cret-Pw!", ""},
		{"file with CRLF", []string{"-password", "@" + crlf}, "", nil, "s3cret-Pw!", ""},
		{"only one newline trimmed", []string{"-password", "@" + two}, "", nil, "s3cret-Pw!\n", ""},
		{"spaces kept", []string{"-password", "@" + spaces}, "", nil, "  s3cret-Pw! ", ""},
		{"stdin", []string{"-password", "@-"}, "from-stdin\n", nil, "from-stdin", ""},
		{"env", nil, "", map[string]string{"TEST_PW": "from-env"}, "from-env", ""},
		{"flag wins over env", []string{"-password", "lit-Pw"}, "", map[string]string{"TEST_PW": "from-env"}, "lit-Pw", ""},
		{"env is literal, not a file", nil, "", map[string]string{"TEST_PW": "@" + pw}, "@" + pw, ""},
		{"nothing", nil, "", nil, "", ""},
		{"missing file", []string{"-password", "@" + filepath.Join(dir, "nope")}, "", nil, "", "-password: open "},
		{"empty file", []string{"-password", "@" + empty}, "", nil, "", "-password: " + empty + ": empty"},
		{"empty stdin", []string{"-password", "@-"}, "", nil, "", "-password: stdin: empty"},
		{"empty literal", []string{"-password", ""}, "", nil, "", "-password: empty"},
		{"too big", []string{"-password", "@" + big}, "", nil, "", "holds more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			var out bytes.Buffer
			fs.SetOutput(&out)
			f := secret.Define(fs, "password", "TEST_PW", "the password")
			require.NoError(t, fs.Parse(tt.args))
			getenv := func(k string) string { return tt.env[k] }
			got, err := f.Value(strings.NewReader(tt.stdin), getenv)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "s3cret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := f.Value(strings.NewReader("other"), getenv)
			require.NoError(t, err)
			assert.Equal(t, got, again, "read once")
			assert.Equal(t, tt.want != "", f.Given(getenv))
			fs.PrintDefaults()
			assert.NotContains(t, out.String(), "lit-Pw", "the usage never shows the value")
			assert.Contains(t, out.String(), "$TEST_PW")
			assert.Contains(t, out.String(), "visible in ps")
		})
	}
	t.Run("empty is ErrEmpty", func(t *testing.T) {
		_, err := secret.Read(strings.NewReader("\r\n"), "@-")
		assert.True(t, errors.Is(err, secret.ErrEmpty))
	})
}

func TestOneStdin(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	a := secret.Define(fs, "a", "", "a")
	b := secret.Define(fs, "b", "", "b")
	c := secret.Define(fs, "c", "", "c")
	require.NoError(t, fs.Parse([]string{"-a", "@-", "-c", "lit"}))
	assert.NoError(t, secret.OneStdin(a, b, c, nil))
	require.NoError(t, fs.Parse([]string{"-b", "@-"}))
	assert.EqualError(t, secret.OneStdin(a, b, c), "-a @- and -b @- cannot both read stdin")
}
