package emulator

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const modulePrefix = "github.com/cognitokit/cognitokit/"

// imports returns the module-internal packages the non-test files of dir
// import, without the module prefix.
func imports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	set := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range af.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.HasPrefix(p, modulePrefix) {
				set[strings.TrimPrefix(p, modulePrefix)] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// TestLayoutImports pins the direction of the emulator's dependencies: the
// core and the wire know no service; a service knows the core, the wire
// and the model, and another service only where this table says so (the
// gateway reads the identity pools' credential records, the identity pools
// answer STS's Issuer interface with its types); nothing under
// internal/emulator imports the cognitotest facade.
func TestLayoutImports(t *testing.T) {
	shared := map[string]bool{"internal/emulator": true, "internal/emulator/awsproto": true,
		"internal/emulator/awsmodel": true, "internal/emulator/requestid": true,
		"internal/emulator/store": true}
	allowed := map[string][]string{
		".":         {"internal/emulator/awsmodel", "internal/emulator/awsproto", "internal/emulator/requestid", "internal/emulator/store"},
		"awsproto":  {"internal/emulator/requestid"},
		"awsmodel":  nil,
		"requestid": nil,
		"store":     nil,
		"userpool": {"internal/srp", "internal/emulator/fakeamazon", "internal/emulator/fakeoidc",
			"internal/emulator/fakesaml",                                // the hosted UI's federation
			"internal/emulator/lambdafn", "internal/emulator/triggers"}, // Lambda triggers
		"idpool": {"internal/emulator/sts"},
		"sts":    {"sigv4client"},
		"iam":    {"sigv4client/iampolicy"},
		"fakefb": nil,
		// The fake identity providers and what consumes them.
		"fakeoauth":   nil,
		"fakeoidc":    {"internal/emulator/fakeoauth"},
		"fakeamazon":  {"internal/emulator/fakeoauth"},
		"faketwitter": {"internal/emulator/fakeoauth"},
		"fakesaml":    nil,
		"federation": {"internal/emulator/fakeamazon", "internal/emulator/fakeoidc", "internal/emulator/fakesaml",
			"internal/emulator/faketwitter", "internal/emulator/fakefb"},
		"apigw": {"internal/emulator/idpool", "internal/redact", "sigv4client", "sigv4client/iampolicy"},
		// Lambda functions and the Cognito trigger events sent to them.
		"lambdafn": nil,
		"triggers": {"internal/emulator/lambdafn"},
	}
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() && e.Name() != "testdata" {
			if _, ok := allowed[e.Name()]; !ok {
				t.Errorf("package %s is not in the layout table of this test", e.Name())
			}
		}
	}
	for dir, extra := range allowed {
		ok := map[string]bool{}
		for _, p := range extra {
			ok[p] = true
		}
		for _, p := range imports(t, dir) {
			if dir == "." || dir == "awsproto" || dir == "awsmodel" || dir == "requestid" {
				assert.True(t, ok[p], "%s imports %s", dir, p)
				continue
			}
			assert.True(t, shared[p] || ok[p], "service %s imports %s", dir, p)
		}
	}
}
