package userpool

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// importCSV is a CSV file for pool of about size bytes: GetCSVHeader's
// columns and as many users as fit.
func (bp *benchPool) importCSV(b *testing.B, size int) string {
	var out struct{ CSVHeader []string }
	require.NoError(b, json.Unmarshal(bp.call(b, "GetCSVHeader", map[string]any{}), &out))
	var sb strings.Builder
	sb.Grow(size)
	sb.WriteString(strings.Join(out.CSVHeader, ",") + "\n")
	for i := 0; ; i++ {
		row := make([]string, len(out.CSVHeader))
		for j, h := range out.CSVHeader {
			switch h {
			case "cognito:username", "name":
				row[j] = fmt.Sprintf("imported%07d", i)
			case "email":
				row[j] = fmt.Sprintf("imported%07d@example.com", i)
			case "email_verified":
				row[j] = "TRUE"
			case "cognito:mfa_enabled":
				row[j] = "FALSE"
			}
		}
		line := strings.Join(row, ",") + "\n"
		if sb.Len()+len(line) > size {
			return sb.String()
		}
		sb.WriteString(line)
	}
}

// pendingUpload creates an import job in bp's pool and uploads a CSV file
// of about size bytes to it, leaving the job Created (not started).
func (bp *benchPool) pendingUpload(b *testing.B, size int) {
	var out struct{ UserImportJob struct{ PreSignedUrl string } }
	require.NoError(b, json.Unmarshal(bp.call(b, "CreateUserImportJob", map[string]any{
		"JobName": "pending", "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/CognitoImport"}), &out))
	u, err := url.Parse(out.UserImportJob.PreSignedUrl)
	require.NoError(b, err)
	req := httptest.NewRequest(http.MethodPut, u.Path, strings.NewReader(bp.importCSV(b, size)))
	rec := httptest.NewRecorder()
	bp.host.Handler().ServeHTTP(rec, req)
	require.Equal(b, http.StatusOK, rec.Code, rec.Body.String())
}

// BenchmarkStateMutationUpload: AdminUpdateUserAttributes with the state
// in the database, in a pool of 100 users and in one of 100 users that
// also holds a pending import upload of MaxImportCSVBytes (the metrics are
// named by the MiB uploaded: ns/op-0 and ns/op-16). The upload is stored
// under its own key, written once, so the second may cost at most 1.5×
// the first. Each answered request has committed and fsynced its change.
func BenchmarkStateMutationUpload(b *testing.B) {
	plain, loaded := newBenchPool(b, 100, b.TempDir()), newBenchPool(b, 100, b.TempDir())
	loaded.pendingUpload(b, MaxImportCSVBytes)
	interleave(b, plain, loaded, 0, MaxImportCSVBytes>>20, func(bp *benchPool, i int) {
		bp.call(b, "AdminUpdateUserAttributes", map[string]any{"Username": fmt.Sprintf("user%06d", i%100),
			"UserAttributes": []map[string]string{{"Name": "name", "Value": fmt.Sprint(i)}}})
	})
}
