package cognito

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErrorPrefixOnce is the regression test for doubled prefixes such as
// "cognito: RespondNewPassword: cognito: invalid parameter: empty
// password": errors the client makes itself say "cognito: " once, and
// still match their sentinel.
func TestErrorPrefixOnce(t *testing.T) {
	ch := &Challenge{Name: ChallengeNewPasswordRequired}
	h := &HostedUI{}
	tests := []struct {
		name     string
		call     func() error
		sentinel error
		want     string
	}{
		{"RespondNewPassword empty password", func() error { _, err := ch.RespondNewPassword(context.Background(), "", nil); return err },
			ErrInvalidParameter, "cognito: RespondNewPassword: invalid parameter: empty password"},
		{"RespondMFA on the wrong challenge", func() error { _, err := ch.RespondMFA(context.Background(), "123456"); return err },
			ErrWrongChallenge, "cognito: RespondMFA: answer does not fit the challenge: the challenge is NEW_PASSWORD_REQUIRED"},
		{"hosted UI refresh without a token", func() error { _, err := h.Refresh(context.Background(), ""); return err },
			ErrNoRefreshToken, "cognito: oauth token: no refresh token"},
		{"hosted UI revoke without a token", func() error { return h.Revoke(context.Background(), "") },
			ErrNoRefreshToken, "cognito: oauth revoke: no refresh token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.sentinel))
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, 1, strings.Count(err.Error(), "cognito: "), err.Error())
		})
	}
	t.Run("every sentinel is wrapped after the prefix", func(t *testing.T) {
		for code, s := range codeSentinels {
			assert.False(t, strings.HasPrefix(s.Error(), "cognito: "), code)
		}
	})
}
