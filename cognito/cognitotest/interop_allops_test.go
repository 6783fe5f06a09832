package cognitotest

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// allOpsPending lists operations that may still answer
// UnknownOperationException while they are being implemented elsewhere:
// their results are reported but do not fail
// TestInteropBoto3AllOperations. Every operation of both models is
// implemented now, so it is empty; every name put here must be an
// operation of the models, which the test checks.
var allOpsPending = map[string][]string{
	"cognito-idp":      {},
	"cognito-identity": {},
}

// allOpsResult is one call of testdata/allops/allops.py.
type allOpsResult struct {
	Service  string   `json:"service"`
	Op       string   `json:"op"`
	Status   string   `json:"status"` // ok, modeled-error, fail
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Problems []string `json:"problems"`
	Bytes    int      `json:"bytes"`  // the size of a successful answer's body
	Expect   string   `json:"expect"` // the error a negative case must answer
}

// TestInteropBoto3AllOperations is issue 14's "every operation" test:
// boto3 walks both service models (cognito-idp and cognito-identity) and
// calls each operation with a valid input, in an order where each finds
// what it needs; each must answer with a body whose keys belong to its
// output shape (botocore's own model), required members present, and no
// error but a modeled one where the script documents why (MAY_ERROR in
// allops.py). No operation may answer UnknownOperationException, except
// those still listed in allOpsPending.
func TestInteropBoto3AllOperations(t *testing.T) {
	py := interop.Python(t, "boto3")
	s := newServer(t)
	cmd := exec.Command(py, allOpsScript(t), s.URL)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "allops.py: %s", stderr.String())
	var res struct {
		Results  []allOpsResult      `json:"results"`
		Uncalled map[string][]string `json:"uncalled"`
	}
	require.NoError(t, json.Unmarshal(out, &res), "%s", out)

	pending := map[string]bool{}
	for svc, ops := range allOpsPending {
		for _, op := range ops {
			pending[svc+"."+op] = true
		}
	}
	for svc, ops := range res.Uncalled {
		var missing []string
		for _, op := range ops {
			if !pending[svc+"."+op] {
				missing = append(missing, op)
			}
		}
		assert.Empty(t, missing, "%s operations allops.py never calls", svc)
	}

	counts := map[string]int{}
	seen := map[string]bool{}
	var stillPending, nowWorking []string
	for _, r := range res.Results {
		key := r.Service + "." + r.Op
		seen[key] = true
		if pending[key] {
			t.Logf("%-62s %-13s %s (pending)", key, r.Status, r.Code)
			stillPending = append(stillPending, key)
			if r.Status == "ok" {
				nowWorking = append(nowWorking, key)
			}
			counts["pending"]++
			continue
		}
		counts[r.Status]++
		name := key
		if r.Expect != "" {
			name += " refused"
		}
		t.Logf("%-62s %-13s %s %d bytes", name, r.Status, r.Code, r.Bytes)
		t.Run(name, func(t *testing.T) {
			assert.NotEqual(t, "UnknownOperationException", r.Code, "%s is not implemented", key)
			assert.Equal(t, "ok", okOrModeled(r.Status), "%s: %s %s %v", key, r.Code, r.Message, r.Problems)
		})
	}
	for key := range pending {
		assert.True(t, seen[key] || contains(res.Uncalled[strings.SplitN(key, ".", 2)[0]], strings.SplitN(key, ".", 2)[1]),
			"allOpsPending names %s, which is no operation of the models", key)
	}
	sort.Strings(nowWorking)
	if len(nowWorking) > 0 {
		t.Logf("answer well now, remove from allOpsPending: %s", strings.Join(nowWorking, " "))
	}
	t.Logf("allops: %d calls: ok %d, modeled-error %d, fail %d, pending %d (%d operations still pending)",
		len(res.Results), counts["ok"], counts["modeled-error"], counts["fail"], counts["pending"], len(pending))
}

func allOpsScript(t *testing.T) string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "allops", "allops.py"))
	require.NoError(t, err)
	return script
}

// shapecheckDir is the SHAPECHECK_DIR=… environment entry an inline boto3
// script puts on sys.path to import testdata/shapecheck.py, the output-shape
// checker the boto3 tests share.
func shapecheckDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("testdata")
	require.NoError(t, err)
	return "SHAPECHECK_DIR=" + dir
}

// TestInteropBoto3AllOperationsChecker: the shape checker of allops.py
// finds each way a body can break its output shape (an unknown key, a
// missing required member, a wrong scalar type, a timestamp as text, a
// value outside its enum, a null, a bad nested list member or map value,
// an error body without __type or with a stray key) and passes valid
// bodies, so a green TestInteropBoto3AllOperations means something.
func TestInteropBoto3AllOperationsChecker(t *testing.T) {
	py := interop.Python(t, "boto3")
	out, err := exec.Command(py, allOpsScript(t), "--selftest").Output()
	require.NoError(t, err)
	var res map[string][]string
	require.NoError(t, json.Unmarshal(out, &res), "%s", out)
	for _, name := range []string{"valid", "valid error"} {
		require.Contains(t, res, name)
		assert.Empty(t, res[name], "%s passes", name)
	}
	for _, name := range []string{"unknown key", "unknown top-level key", "wrong type", "timestamp as text",
		"enum value", "null", "nested list member", "map value", "required member missing",
		"error without __type", "error with a stray key"} {
		assert.Len(t, res[name], 1, "%s: exactly one problem found", name)
	}
}

// okOrModeled folds a modeled error the script accepts into "ok".
func okOrModeled(status string) string {
	if status == "modeled-error" {
		return "ok"
	}
	return status
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
