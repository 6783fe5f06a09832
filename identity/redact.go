package identity

import (
	"fmt"

	"github.com/cognitokit/cognitokit/internal/redact"
)

var (
	_ fmt.Formatter = OpenIDToken{}
	_ fmt.Formatter = Login{}
)

// Format prints String with every fmt verb, so that no verb (%d and %x
// included) shows the token.
func (t OpenIDToken) Format(f fmt.State, _ rune) { redact.Format(f, t.String()) }

// Format prints String with every fmt verb.
func (l Login) Format(f fmt.State, _ rune) { redact.Format(f, l.String()) }
