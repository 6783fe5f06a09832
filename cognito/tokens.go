package cognito

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Tokens is the result of a successful sign-in or refresh. Its String and
// GoString methods never print the tokens themselves, so a Tokens value is
// safe to log.
//
// The tokens are not verified by this package: verify an ID or access token
// with package jwks before trusting its claims in a server.
type Tokens struct {
	// IDToken is the OpenID Connect ID token (a JWT).
	IDToken string
	// AccessToken is the OAuth 2.0 access token (a JWT) for the
	// self-service calls (GetUser, ChangePassword, …).
	AccessToken string
	// RefreshToken is the refresh token. After a refresh it is the one
	// Cognito returned, or the previous one when Cognito returned none.
	RefreshToken string
	// TokenType is "Bearer".
	TokenType string
	// ExpiresIn is the access and ID tokens' lifetime as Cognito stated it.
	ExpiresIn time.Duration
	// Expiry is when the access and ID tokens expire, by the Client's clock
	// at the time they were received.
	Expiry time.Time
	// Username is the Cognito username (the ID token's cognito:username, or
	// USER_ID_FOR_SRP), which is what SECRET_HASH needs at refresh time. It
	// may differ from the alias or e-mail address the user typed.
	Username string
	// NewDevice is set when Cognito started tracking a new device at this
	// sign-in. Pass the Tokens to Client.ConfirmDevice to remember it.
	NewDevice *NewDevice

	// signInName is what the caller typed at sign-in, used as a second key
	// for the device store.
	signInName string
}

// NewDevice is a device Cognito began tracking at sign-in
// (NewDeviceMetadata). It is confirmed with Client.ConfirmDevice.
type NewDevice struct {
	// Key is the device key, e.g. "us-east-1_0a1b2c3d-…".
	Key string
	// GroupKey is the device group key.
	GroupKey string
}

// String describes t without its tokens.
func (t Tokens) String() string {
	var b strings.Builder
	b.WriteString("cognito.Tokens{")
	fmt.Fprintf(&b, "Username: %q, TokenType: %q, Expiry: %s", t.Username, t.TokenType, t.Expiry.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, ", IDToken: %s, AccessToken: %s, RefreshToken: %s", redacted(t.IDToken), redacted(t.AccessToken), redacted(t.RefreshToken))
	if t.NewDevice != nil {
		fmt.Fprintf(&b, ", NewDevice: %q", t.NewDevice.Key)
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so that %#v does not print the tokens either.
func (t Tokens) GoString() string { return t.String() }

func redacted(s string) string {
	if s == "" {
		return "none"
	}
	return "[redacted]"
}

// Expired reports whether the tokens have expired at now.
func (t *Tokens) Expired(now time.Time) bool {
	return t.Expiry.IsZero() || !now.Before(t.Expiry)
}

// Claims are the unverified claims of a Cognito ID or access token that the
// client reads. They come from a token as issued; do not authorise on them
// without verifying the token (package jwks).
type Claims struct {
	// Subject is "sub", the user's immutable ID.
	Subject string `json:"sub"`
	// Username is the ID token's "cognito:username".
	Username string `json:"cognito:username"`
	// AccessUsername is the access token's "username" claim.
	AccessUsername string `json:"username"`
	// TokenUse is "id" or "access".
	TokenUse string `json:"token_use"`
	// Issuer is "iss": https://cognito-idp.<region>.amazonaws.com/<pool ID>.
	Issuer string `json:"iss"`
	// ClientID is the access token's "client_id".
	ClientID string `json:"client_id"`
	// Audience is the ID token's "aud" (the app client ID).
	Audience Audience `json:"aud"`
	// Expires, IssuedAt and AuthTime are "exp", "iat" and "auth_time" in
	// seconds since the Unix epoch.
	Expires  int64 `json:"exp"`
	IssuedAt int64 `json:"iat"`
	AuthTime int64 `json:"auth_time"`
	// Groups is "cognito:groups".
	Groups []string `json:"cognito:groups"`
	// Email is the ID token's "email".
	Email string `json:"email"`
	// DeviceKey is the access token's "device_key", for a tracked device.
	DeviceKey string `json:"device_key"`
}

// Audience is a JWT "aud" claim, which is a string or an array of strings.
type Audience []string

// UnmarshalJSON accepts a string or an array of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*a = []string{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	*a = l
	return nil
}

// CognitoUsername returns the username claim: cognito:username in an ID
// token, username in an access token.
func (c *Claims) CognitoUsername() string {
	if c.Username != "" {
		return c.Username
	}
	return c.AccessUsername
}

// ParseClaims decodes the payload of a JWT without verifying it. It returns
// an error wrapping ErrInvalidResponse for anything that is not a JWT with
// a JSON object payload; it never panics, whatever the input.
func ParseClaims(token string) (*Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: token is not a JWT (want 3 dot-separated parts, got %d)", ErrInvalidResponse, len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("%w: JWT payload is not base64url", ErrInvalidResponse)
	}
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, fmt.Errorf("%w: JWT payload is not a JSON object of claims", ErrInvalidResponse)
	}
	return &c, nil
}

// tokensFrom builds Tokens from an AuthenticationResult. username is the
// best known Cognito username; the ID token's cognito:username wins.
func (c *Client) tokensFrom(r *types.AuthenticationResultType, username, signInName string) (*Tokens, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: no AuthenticationResult", ErrInvalidResponse)
	}
	t := &Tokens{
		IDToken:      aws.ToString(r.IdToken),
		AccessToken:  aws.ToString(r.AccessToken),
		RefreshToken: aws.ToString(r.RefreshToken),
		TokenType:    aws.ToString(r.TokenType),
		ExpiresIn:    time.Duration(r.ExpiresIn) * time.Second,
		Username:     username,
		signInName:   signInName,
	}
	if t.AccessToken == "" {
		return nil, fmt.Errorf("%w: AuthenticationResult without an access token", ErrInvalidResponse)
	}
	t.Expiry = c.clock().Add(t.ExpiresIn)
	if t.IDToken != "" {
		if cl, err := ParseClaims(t.IDToken); err == nil && cl.CognitoUsername() != "" {
			t.Username = cl.CognitoUsername()
		}
	} else if cl, err := ParseClaims(t.AccessToken); err == nil && cl.CognitoUsername() != "" {
		t.Username = cl.CognitoUsername()
	}
	if m := r.NewDeviceMetadata; m != nil && aws.ToString(m.DeviceKey) != "" {
		t.NewDevice = &NewDevice{Key: aws.ToString(m.DeviceKey), GroupKey: aws.ToString(m.DeviceGroupKey)}
	}
	return t, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
