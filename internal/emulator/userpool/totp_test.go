package userpool

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTOTPKnownAnswer(t *testing.T) {
	// RFC 6238 appendix B, SHA-1 key "12345678901234567890", truncated to 6 digits.
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	tests := []struct {
		t    int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {2000000000, "279037"}}
	for _, tc := range tests {
		got, err := totpAt(secret, tc.t/30)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
	_, err := totpAt("not base32!", 1)
	assert.Error(t, err)
}
