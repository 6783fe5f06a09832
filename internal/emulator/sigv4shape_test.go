package emulator

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestCheckSigV4AcceptsTerraformMockKeys: Terraform configurations for
// local emulators sign with keys such as "mock_access_key"; the shape
// check refused the underscore (IncompleteSignature), so Terraform could
// not create a role. Real key IDs are alphanumeric; an underscore is
// accepted, anything else is still refused.
func TestCheckSigV4AcceptsTerraformMockKeys(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		akid string
		ok   bool
	}{
		{"AKIAEXAMPLE", true},
		{"mock_access_key", true},
		{"bad key", false},
		{"bad/key", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.akid, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+tc.akid+"/20260102/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("a", 64))
			err := checkSigV4(r, "iam", now)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}
