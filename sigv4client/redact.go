package sigv4client

import (
	"fmt"

	"github.com/cognitokit/cognitokit/internal/redact"
)

var (
	_ fmt.Formatter = Credential{}
	_ fmt.Formatter = (*Transport)(nil)
)

// String describes the credential without its secret key or session
// token.
func (c Credential) String() string {
	exp := "never"
	if !c.Expires.IsZero() {
		exp = c.Expires.UTC().Format("2006-01-02T15:04:05Z")
	}
	return fmt.Sprintf("sigv4client.Credential{SecretAccessKey: %s, SessionToken: %s, Expires: %s, Principal: %T}",
		redact.Secret(c.SecretAccessKey), redact.Secret(c.SessionToken), exp, c.Principal)
}

// Format prints String with every fmt verb, so that no verb (%#v and %x
// included) shows the secret key or session token.
func (c Credential) Format(f fmt.State, _ rune) { redact.Format(f, c.String()) }

// String describes the transport without its credentials, which may be
// static keys.
func (t *Transport) String() string {
	svc := t.Service
	if svc == "" {
		svc = DefaultService
	}
	return fmt.Sprintf("sigv4client.Transport{Region: %q, Service: %q, Credentials: %T}", t.Region, svc, t.Credentials)
}

// Format prints String with every fmt verb, so that no verb shows the
// credentials' keys. A Transport must not be copied, so only *Transport
// has it.
func (t *Transport) Format(f fmt.State, _ rune) { redact.Format(f, t.String()) }
