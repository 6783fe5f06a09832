package cognito

import (
	"fmt"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/redact"
)

// Every type here that holds a secret (client secret, tokens, session,
// passwords, PKCE verifier, state key) prints its String with every fmt
// verb through a Format method: String alone does not cover %#v, %d or a
// value whose String has a pointer receiver.

var (
	_ fmt.Formatter = Client{}
	_ fmt.Formatter = Options{}
	_ fmt.Formatter = (*Session)(nil)
	_ fmt.Formatter = HostedUI{}
	_ fmt.Formatter = HostedUIOptions{}
	_ fmt.Formatter = PKCE{}
	_ fmt.Formatter = StateCodec{}
	_ fmt.Formatter = Tokens{}
	_ fmt.Formatter = Result{}
	_ fmt.Formatter = Challenge{}
	_ fmt.Formatter = TOTPSetup{}
	_ fmt.Formatter = Device{}
	_ fmt.Formatter = DeviceConfirmation{}
	_ fmt.Formatter = AdminCreateUserOptions{}
)

// String describes the client without its secret.
func (c *Client) String() string {
	return "cognito.Client{UserPoolID: " + c.userPoolID + ", ClientID: " + c.clientID + ", ClientSecret: " + redact.Secret(c.clientSecret) + "}"
}

// Format prints String with every verb, so no verb shows the secret.
func (c Client) Format(f fmt.State, _ rune) { redact.Format(f, c.String()) }

// String describes the options without the client secret.
func (o Options) String() string {
	return "cognito.Options{ClientSecret: " + redact.Secret(o.ClientSecret) + "}"
}

// Format prints String with every verb.
func (o Options) Format(f fmt.State, _ rune) { redact.Format(f, o.String()) }

// String describes the session without its tokens.
func (s *Session) String() string {
	s.mu.Lock()
	t := s.tokens
	s.mu.Unlock()
	if t == nil {
		return "cognito.Session{}"
	}
	return "cognito.Session{Username: " + fmt.Sprintf("%q", t.Username) + ", Expiry: " + t.Expiry.UTC().Format(time.RFC3339) + "}"
}

// Format prints String with every verb. A Session must not be copied, so
// only *Session has it.
func (s *Session) Format(f fmt.State, _ rune) { redact.Format(f, s.String()) }

// Format prints String with every verb, so no verb shows the client secret.
func (h HostedUI) Format(f fmt.State, _ rune) { redact.Format(f, h.String()) }

// String describes the options without the client secret.
func (o HostedUIOptions) String() string {
	return "cognito.HostedUIOptions{ClientSecret: " + redact.Secret(o.ClientSecret) + ", Scopes: " + strings.Join(o.Scopes, " ") + "}"
}

// Format prints String with every verb.
func (o HostedUIOptions) Format(f fmt.State, _ rune) { redact.Format(f, o.String()) }

// Format prints String with every verb, so no verb shows the verifier.
func (p PKCE) Format(f fmt.State, _ rune) { redact.Format(f, p.String()) }

// String describes the codec without its key.
func (c *StateCodec) String() string {
	return "cognito.StateCodec{Key: [redacted], AllowedDestinations: " + fmt.Sprintf("%q", c.allowed) + ", MaxAge: " + c.maxAge.String() + "}"
}

// Format prints String with every verb, so no verb shows the key.
func (c StateCodec) Format(f fmt.State, _ rune) { redact.Format(f, c.String()) }

// Format prints String with every verb, so no verb shows a token.
func (t Tokens) Format(f fmt.State, _ rune) { redact.Format(f, t.String()) }

// Format prints String with every verb.
func (r Result) Format(f fmt.State, _ rune) { redact.Format(f, r.String()) }

// Format prints String with every verb, so no verb shows the session.
func (ch Challenge) Format(f fmt.State, _ rune) { redact.Format(f, ch.String()) }

// Format prints String with every verb, so no verb shows the secret.
func (s TOTPSetup) Format(f fmt.State, _ rune) { redact.Format(f, s.String()) }

// Format prints String with every verb, so no verb shows the password.
func (d Device) Format(f fmt.State, _ rune) { redact.Format(f, d.String()) }

// Format prints String with every verb.
func (d DeviceConfirmation) Format(f fmt.State, _ rune) { redact.Format(f, d.String()) }

// String describes the options without the temporary password.
func (o AdminCreateUserOptions) String() string {
	return fmt.Sprintf("cognito.AdminCreateUserOptions{TemporaryPassword: %s, Attributes: %d, SuppressMessage: %t, ResendInvitation: %t}",
		redact.Secret(o.TemporaryPassword), len(o.Attributes), o.SuppressMessage, o.ResendInvitation)
}

// Format prints String with every verb.
func (o AdminCreateUserOptions) Format(f fmt.State, _ rune) { redact.Format(f, o.String()) }

// String describes the store by its size, without any device.
func (s *MemoryDeviceStore) String() string {
	s.mu.Lock()
	n := len(s.devices)
	s.mu.Unlock()
	return fmt.Sprintf("cognito.MemoryDeviceStore{Devices: %d}", n)
}

// Format prints String with every verb, so no verb shows a device password.
func (s *MemoryDeviceStore) Format(f fmt.State, _ rune) { redact.Format(f, s.String()) }
