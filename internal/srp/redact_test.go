package srp

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cognitokit/cognitokit/internal/redact"
)

// TestSecurityReview7_NoSecretInFmt: DeviceVerifier hid its password from
// %v and %s only; %#v and %d printed it.
func TestSecurityReview7_NoSecretInFmt(t *testing.T) {
	const pw = "SECRET-devicepw-QUJDRA"
	d := DeviceVerifier{Password: pw, Salt: "c2FsdA==", PasswordVerifier: "dmVy"}
	assert.Empty(t, redact.Leaks(d, pw))
	assert.Empty(t, redact.Leaks(&d, pw))
	assert.Empty(t, redact.Leaks(struct{ D DeviceVerifier }{d}, pw))
	assert.Contains(t, redact.Leaks(struct{ P string }{pw}, pw), "%v: {"+pw+"}", "the check itself finds a plain leak")
}
