package cognito

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Refresh-token rotation.
//
// An app client with RefreshTokenRotation enabled issues a new refresh token
// at every refresh, through GetTokensFromRefreshToken only: it has no
// ALLOW_REFRESH_TOKEN_AUTH, so InitiateAuth REFRESH_TOKEN_AUTH is refused
// with InvalidParameterException ("… flow not enabled for this client").
// The old refresh token keeps working for the client's grace period
// (RetryGracePeriodSeconds, 0 to 60 s), then answers
// RefreshTokenReuseException (ErrRefreshTokenReuse).
//
// The Client refreshes with REFRESH_TOKEN_AUTH unless
// Options.RotateRefreshTokens is set, and switches to
// GetTokensFromRefreshToken for good the first time Cognito refuses the
// flow that way. A Session keeps the newest refresh token, saves it to its
// Store, and lets one refresh run at a time, so that one rotation serves
// every caller.

// refreshDeviceKey is the DEVICE_KEY of a refresh: the options' or the
// device remembered for the username.
func (c *Client) refreshDeviceKey(ctx context.Context, o RefreshOptions) (string, error) {
	if o.DeviceKey != "" || o.Username == "" {
		return o.DeviceKey, nil
	}
	d, err := c.loadDevice(ctx, o.Username)
	if err != nil || d == nil {
		return "", err
	}
	return d.Key, nil
}

// rotatingClient reports whether err is Cognito refusing REFRESH_TOKEN_AUTH
// because the app client does not allow the flow (as with rotation on).
func rotatingClient(err error) bool {
	var ce *Error
	if !errors.As(err, &ce) {
		return false
	}
	switch ce.Code {
	case "UnsupportedOperationException":
		return true
	case "InvalidParameterException":
		return containsFold(ce.Message, "not enabled") || containsFold(ce.Message, "rotation")
	}
	return false
}

// refreshRotating refreshes through GetTokensFromRefreshToken, which takes
// the client secret itself (no SECRET_HASH, so no username is needed) and
// DEVICE_KEY as DeviceKey. A remembered device Cognito no longer knows is
// handled as by RefreshToken.
func (c *Client) refreshRotating(ctx context.Context, refreshToken string, o RefreshOptions, signInName string) (*Tokens, error) {
	deviceKey, err := c.refreshDeviceKey(ctx, o)
	if err != nil {
		return nil, err
	}
	in := &cip.GetTokensFromRefreshTokenInput{
		ClientId:       aws.String(c.clientID),
		RefreshToken:   aws.String(refreshToken),
		ClientMetadata: o.ClientMetadata,
	}
	if c.clientSecret != "" {
		in.ClientSecret = aws.String(c.clientSecret)
	}
	if deviceKey != "" {
		in.DeviceKey = aws.String(deviceKey)
	}
	resp, err := c.getTokensOnce(ctx, in)
	if err != nil && deviceKey != "" && isDeviceNotFound(err) {
		if ferr := c.forgetStaleDevice(ctx, deviceKey, o.Username, signInName); ferr != nil {
			return nil, ferr
		}
		retry := *in
		retry.DeviceKey = nil
		resp, err = c.getTokensOnce(ctx, &retry)
	}
	if err != nil {
		return nil, err
	}
	if resp.AuthenticationResult == nil {
		return nil, fmt.Errorf("cognito: GetTokensFromRefreshToken: %w: no tokens", ErrInvalidResponse)
	}
	return c.refreshed(resp.AuthenticationResult, o.Username, refreshToken)
}

func (c *Client) getTokensOnce(ctx context.Context, in *cip.GetTokensFromRefreshTokenInput) (*cip.GetTokensFromRefreshTokenOutput, error) {
	resp, err := c.api.GetTokensFromRefreshToken(ctx, in, c.apiOptions...)
	if err != nil {
		return nil, wrapErr("GetTokensFromRefreshToken", err)
	}
	return resp, nil
}

// refreshed builds the Tokens of a refresh from r, keeping refreshToken
// when Cognito sent no new one (a client that does not rotate).
func (c *Client) refreshed(r *types.AuthenticationResultType, username, refreshToken string) (*Tokens, error) {
	t, err := c.tokensFrom(r, username, "")
	if err != nil {
		return nil, err
	}
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return t, nil
}
