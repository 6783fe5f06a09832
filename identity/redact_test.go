package identity

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cognitokit/cognitokit/internal/redact"
)

// TestSecurityReview7_NoSecretInFmt: OpenIDToken hid its token from %v and
// %#v only; %d printed it. Every verb now prints the redacted String.
func TestSecurityReview7_NoSecretInFmt(t *testing.T) {
	const token = "SECRET-openid-eyJraWQi"
	tok := OpenIDToken{IdentityID: "us-east-1:abc", Token: token}
	login := Login{Key: KeyFacebook, Token: func(context.Context) (string, error) { return token, nil }}
	for name, v := range map[string]any{
		"OpenIDToken":  tok,
		"*OpenIDToken": &tok,
		"Login":        login,
		"*Login":       &login,
		"nested":       struct{ T OpenIDToken }{tok},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Empty(t, redact.Leaks(v, token))
		})
	}
	assert.Empty(t, redact.Leaks(tok, token))
}
