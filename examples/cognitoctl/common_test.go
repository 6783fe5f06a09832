package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/examples/internal/deadline"
	"github.com/cognitokit/cognitokit/examples/internal/secret"
)

// exitCode returns the exit code and message runCLI would use for err.
func exitCode(t *testing.T, err error) (int, string) {
	t.Helper()
	if err == nil {
		return 0, ""
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code, ee.msg
	}
	return 1, err.Error()
}

func TestNewFlagSetUsage(t *testing.T) {
	tests := []struct {
		name, cmd, usage, want string
	}{
		{"custom usage", "x", "usage: x [-n N]\n", "usage: x [-n N]\n\nflags:\n  -n string\n    \tname\n"},
		{"usage ending in flags:", "x", "usage: x\n\nflags:\n", "usage: x\n\nflags:\n  -n string\n    \tname\n"},
		{"no usage", "x", "", "usage: cognitoctl x [flags]\n\nflags:\n  -n string\n    \tname\n"},
		{"a command's summary first", "refresh", "usage: r\n", "cognitoctl refresh: " + commands["refresh"].summary + "\n\nusage: r\n\nflags:\n  -n string\n    \tname\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			fs := newFlagSet(&cliEnv{stderr: &errb}, tt.cmd, tt.usage)
			fs.String("n", "", "name")
			fs.Usage()
			assert.Equal(t, tt.want, errb.String())
			assert.Equal(t, tt.cmd, fs.Name())
		})
	}
}

// TestEveryCommandHelp is the regression test for "signin -h" printing a
// bare "Usage of signin:": every command's -h exits 0 and prints what it
// does, its synopsis and its flags.
func TestEveryCommandHelp(t *testing.T) {
	require.NotEmpty(t, commands)
	for name, c := range commands {
		t.Run(name, func(t *testing.T) {
			for _, h := range []string{"-h", "--help"} {
				var out, errb bytes.Buffer
				code := runCLI(context.Background(), &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}, []string{name, h})
				assert.Equal(t, 0, code)
				assert.Empty(t, out.String(), "usage goes to stderr")
				got := errb.String()
				assert.True(t, strings.HasPrefix(got, "cognitoctl "+name+": "+c.summary+"\n\nusage: cognitoctl "+name), got)
				assert.Contains(t, got, "\nflags:\n  -")
				assert.NotContains(t, got, "Usage of")
			}
			// A bad flag prints the same usage and exits 2.
			var errb bytes.Buffer
			code := runCLI(context.Background(), &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &errb, getenv: func(string) string { return "" }}, []string{name, "-no-such-flag"})
			assert.Equal(t, 2, code)
			assert.Contains(t, errb.String(), "usage: cognitoctl "+name)
		})
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		noArgs   bool
		wantCode int
		wantMsg  string
		usage    bool // the usage was printed
	}{
		{"ok", []string{"-n", "v"}, false, 0, "", false},
		{"positional allowed", []string{"-n", "v", "pos"}, false, 0, "", false},
		{"ok without positional", []string{"-n", "v"}, true, 0, "", false},
		{"help exits 0 silently", []string{"-h"}, false, 0, "", true},
		{"help with noArgs", []string{"--help"}, true, 0, "", true},
		{"unknown flag exits 2", []string{"-nope"}, false, 2, "flag provided but not defined: -nope", true},
		{"missing value exits 2", []string{"-n"}, true, 2, "flag needs an argument: -n", true},
		{"positional rejected", []string{"-n", "v", "extra", "more"}, true, 2, `unexpected argument "extra"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			fs := newFlagSet(&cliEnv{stderr: &errb}, "x", "usage: x\n")
			fs.String("n", "", "name")
			parse := parseFlags
			if tt.noArgs {
				parse = parseFlagsNoArgs
			}
			err := parse(fs, tt.args)
			if tt.wantCode == 0 && !tt.usage {
				require.NoError(t, err)
			} else {
				require.Error(t, err, "a usage error or -h must stop the command")
			}
			code, msg := exitCode(t, err)
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantMsg, msg)
			assert.Equal(t, tt.usage, bytes.Contains(errb.Bytes(), []byte("usage: x\n")))
		})
	}
}

func TestRequireFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		vars    map[string]string
		wantMsg string
	}{
		{"all given", []string{"-a", "1", "-b", "2", "-s", "x"}, nil, ""},
		{"secret from its variable", []string{"-a", "1", "-b", "2"}, map[string]string{"TEST_S": "x"}, ""},
		{"one missing", []string{"-b", "2", "-s", "x"}, nil, "missing required flag: -a"},
		{"second missing", []string{"-a", "1", "-s", "x"}, nil, "missing required flag: -b"},
		{"all missing in one message", nil, nil, "missing required flags: -a, -b, -s (or $TEST_S)"},
		{"empty value is missing", []string{"-a", "", "-b", "2", "-s", "x"}, nil, "missing required flag: -a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.String("a", "", "")
			fs.String("b", "", "")
			secret.Define(fs, "s", "TEST_S", "a secret")
			require.NoError(t, fs.Parse(tt.args))
			env := &cliEnv{getenv: func(k string) string { return tt.vars[k] }}
			err := requireFlags(env, fs, "a", "b", "s")
			if tt.wantMsg == "" {
				require.NoError(t, err)
				return
			}
			code, msg := exitCode(t, err)
			assert.Equal(t, 2, code)
			assert.Equal(t, tt.wantMsg, msg)
		})
	}
	t.Run("undefined flag is a programming error", func(t *testing.T) {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		assert.Panics(t, func() { _ = requireFlags(&cliEnv{}, fs, "typo") })
	})
}

func TestParseFlow(t *testing.T) {
	tests := []struct {
		name string
		want cognito.Flow
		ok   bool
	}{
		{"srp", cognito.FlowUserSRP, true},
		{"password", cognito.FlowUserPassword, true},
		{"admin", cognito.FlowAdminUserPassword, true},
		{"SRP", "", false},
		{"", "", false},
		{"USER_SRP_AUTH", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFlow(tt.name)
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			code, msg := exitCode(t, err)
			assert.Equal(t, 2, code)
			assert.Equal(t, `-flow must be srp, password or admin, not "`+tt.name+`"`, msg)
		})
	}
}

func TestUserPoolRegion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"us-east-1_AbCdEf123", "us-east-1"},
		{"eu-west-2_X_Y", "eu-west-2"},
		{"_Abc", ""},
		{"nounderscore", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, userPoolRegion(tt.in))
		})
	}
}

// isolateAWSEnv keeps the process's AWS configuration out of a test.
func isolateAWSEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"} {
		t.Setenv(k, "")
	}
}

func TestLoadAWSConfig(t *testing.T) {
	isolateAWSEnv(t)
	tests := []struct {
		name         string
		vars         map[string]string
		region       string
		service      bool
		wantRegion   string
		wantEndpoint string
	}{
		{"region argument wins", map[string]string{"AWS_REGION": "eu-west-1"}, "ap-south-1", false, "ap-south-1", ""},
		{"command's AWS_REGION", map[string]string{"AWS_REGION": "eu-west-1"}, "", false, "eu-west-1", ""},
		{"no region", nil, "", false, "", ""},
		{"endpoint ignored outside serviceConfig", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:9229"}, "", false, "", ""},
		{"serviceConfig honours AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:9229", "AWS_REGION": "eu-west-1"}, "", true, "eu-west-1", "http://127.0.0.1:9229"},
		{"serviceConfig without endpoint", nil, "us-west-2", true, "us-west-2", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &cliEnv{getenv: func(k string) string { return tt.vars[k] }}
			load := loadAWSConfig
			if tt.service {
				load = func(ctx context.Context, env *cliEnv, dl *deadline.Client, region string, _ ...func(*config.LoadOptions) error) (aws.Config, error) {
					return serviceConfig(ctx, env, dl, region)
				}
			}
			dl := deadline.New(time.Second)
			cfg, err := load(context.Background(), env, dl, tt.region)
			require.NoError(t, err)
			assert.Equal(t, tt.wantRegion, cfg.Region)
			assert.Equal(t, tt.wantEndpoint, aws.ToString(cfg.BaseEndpoint))
			assert.IsType(t, dl.SDK, cfg.HTTPClient, "the SDK sends through the bounded client")
		})
	}
}

func TestPrintTokens(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, printTokens(&out, &cognito.Tokens{
		IDToken: "id<&>", AccessToken: "acc", RefreshToken: "ref", ExpiresIn: time.Hour, TokenType: "Bearer",
	}))
	assert.Equal(t, `{
  "IdToken": "id\u003c\u0026\u003e",
  "AccessToken": "acc",
  "RefreshToken": "ref",
  "ExpiresIn": 3600,
  "TokenType": "Bearer"
}
`, out.String())

	t.Run("unencodable value", func(t *testing.T) {
		var out bytes.Buffer
		require.Error(t, printJSON(&out, map[string]any{"f": func() {}}))
	})
}
