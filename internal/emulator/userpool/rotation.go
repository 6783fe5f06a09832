package userpool

import (
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// Refresh-token rotation.
//
// An app client with RefreshTokenRotation {Feature: ENABLED} refreshes
// through GetTokensFromRefreshToken only: each call answers a new refresh
// token of the same sign-in, and the one it replaces keeps working for the
// client's RetryGracePeriodSeconds (0 to 60), then answers
// RefreshTokenReuseException. InitiateAuth REFRESH_TOKEN_AUTH is refused on
// such a client ("REFRESH_TOKEN_AUTH flow not enabled for this client"), and
// its ExplicitAuthFlows may not name ALLOW_REFRESH_TOKEN_AUTH. Rotation is
// a feature of the Essentials and Plus plans.

// maxRotateGrace is the longest RetryGracePeriodSeconds Cognito accepts.
const maxRotateGrace = 60

type rotationWire struct {
	Feature                 string `json:"Feature"`
	RetryGracePeriodSeconds *int64 `json:"RetryGracePeriodSeconds"`
}

var errRefreshReuse = &APIError{Code: "RefreshTokenReuseException", Message: "Refresh token has been rotated and can no longer be used."}

// applyRotation validates a client's RefreshTokenRotation and writes it
// into cl (create or update; absent means disabled).
func applyRotation(p *pool, cl *client, in *clientInput) error {
	cl.RotateRefresh, cl.RotateGrace = false, 0
	r := in.RefreshTokenRotation
	if r == nil {
		return nil
	}
	switch r.Feature {
	case "DISABLED":
		return nil
	case "ENABLED":
	default:
		return errInvalidParam("1 validation error detected: Value '%s' at 'refreshTokenRotation.feature' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]", r.Feature)
	}
	if p.tier() == "LITE" {
		return errTier("Refresh token rotation")
	}
	if r.RetryGracePeriodSeconds != nil {
		g := *r.RetryGracePeriodSeconds
		if g < 0 || g > maxRotateGrace {
			return errInvalidParam("1 validation error detected: Value '%d' at 'refreshTokenRotation.retryGracePeriodSeconds' failed to satisfy constraint: Member must have value between 0 and %d", g, maxRotateGrace)
		}
		cl.RotateGrace = g
	}
	if len(in.ExplicitAuthFlows) == 0 {
		cl.ExplicitAuthFlows = removeStr(cl.ExplicitAuthFlows, "ALLOW_REFRESH_TOKEN_AUTH")
	} else if contains(in.ExplicitAuthFlows, "ALLOW_REFRESH_TOKEN_AUTH") {
		return errInvalidParam("ALLOW_REFRESH_TOKEN_AUTH cannot be an explicit auth flow of a client with refresh token rotation enabled.")
	}
	cl.RotateRefresh = true
	return nil
}

// rotationOption carries ClientOptions' rotation into a client input; nil
// ExplicitAuthFlows then leave ALLOW_REFRESH_TOKEN_AUTH out.
func rotationOption(in *clientInput, o ClientOptions) {
	if !o.RotateRefreshTokens {
		return
	}
	g := int64(o.RetryGracePeriod / time.Second)
	in.RefreshTokenRotation = &rotationWire{Feature: "ENABLED", RetryGracePeriodSeconds: &g}
	if o.ExplicitAuthFlows == nil {
		in.ExplicitAuthFlows = removeStr(in.ExplicitAuthFlows, "ALLOW_REFRESH_TOKEN_AUTH")
	}
}

type getTokensInput struct {
	RefreshToken   string            `json:"RefreshToken"`
	ClientId       string            `json:"ClientId"`
	ClientSecret   string            `json:"ClientSecret"`
	DeviceKey      string            `json:"DeviceKey"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
}

func opGetTokensFromRefreshToken(s *Server, c *call) (any, error) {
	var in getTokensInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.RefreshToken == "" {
		return nil, required("refreshToken", "")
	}
	p, cl, err := s.clientByID(in.ClientId)
	if err != nil {
		return nil, err
	}
	if cl.Secret != "" && !matchSecret(cl, in.ClientSecret) {
		return nil, errNotAuthorized("Unable to verify secret for client " + cl.ID)
	} else if cl.Secret == "" && in.ClientSecret != "" {
		return nil, errNotAuthorized("Client " + cl.ID + " has no secret.")
	}
	rt, u, err := s.lookupRefresh(p, cl, in.RefreshToken, c.now)
	if err != nil {
		return nil, err
	}
	if !rt.RotatedAt.IsZero() && c.now.After(rt.RotatedAt.Add(time.Duration(cl.RotateGrace)*time.Second)) {
		return nil, errRefreshReuse
	}
	if unknownDevice(u, in.DeviceKey) {
		return nil, errDeviceNotFound()
	}
	res, err := s.issue(p, cl, u, c.now, rt, "", &tokenTrigger{c: c, source: triggers.SourceTokenRefresh, meta: in.ClientMetadata})
	if err != nil {
		return nil, err
	}
	if cl.RotateRefresh {
		res.RefreshToken = s.rotate(p, cl, u, rt, c.now)
	}
	return map[string]any{"AuthenticationResult": res}, nil
}

// rotate mints the refresh token that replaces rt (same sign-in, full
// validity from now) and starts rt's grace period, if not started.
func (s *Server) rotate(p *pool, cl *client, u *user, rt *refreshToken, now time.Time) string {
	tok := s.newRefreshToken()
	next := *rt
	next.Expires, next.RotatedAt = now.Add(cl.validity("refresh")), time.Time{}
	p.Refresh[hashToken(tok)] = &next
	p.touchRefresh(hashToken(tok)) // persisted with the operation (the old token and the user are marked by lookupRefresh)
	if u.Origins != nil && u.Origins[rt.OriginJTI].Before(next.Expires) {
		u.Origins[rt.OriginJTI] = next.Expires
	}
	if rt.RotatedAt.IsZero() {
		rt.RotatedAt = now
	}
	return tok
}
