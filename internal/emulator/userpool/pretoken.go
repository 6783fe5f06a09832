package userpool

// The pre token generation trigger (issue 15): fired by issueTokens just
// before tokens are built and signed, with the state lock released while
// the function runs.

import (
	"context"
	"errors"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// tokenTrigger is what fires pre token generation for one issue of
// tokens: the request (its context and User-Agent), the trigger source and
// the ClientMetadata the operation passes to the trigger (nil for
// InitiateAuth, per the API reference). A nil *tokenTrigger fires
// nothing.
type tokenTrigger struct {
	c      *call
	source triggers.Source
	meta   map[string]string
}

// claimGroups is how a token names u's groups: the group names by
// precedence (cognito:groups), their IAM roles in the same order
// (cognito:roles) and cognito:preferred_role ("" to leave it out), which
// follows GroupType.Precedence in the service model: the role of the
// group with the lowest precedence among those with a role (a group
// without a precedence comes after every group with one); when groups
// tied at that precedence have different roles, none.
func claimGroups(p *pool, u *user) (groups, roles []string, preferred string) {
	var top *group
	tied := false
	for _, g := range p.sortedGroups(u.Groups) {
		groups = append(groups, g.Name)
		if g.RoleArn == "" {
			continue
		}
		roles = append(roles, g.RoleArn)
		switch {
		case top == nil:
			top, preferred = g, g.RoleArn
		case samePrecedence(top, g) && g.RoleArn != preferred:
			tied = true
		}
	}
	if tied {
		preferred = ""
	}
	return groups, roles, preferred
}

// samePrecedence reports whether two groups have the same precedence
// (both without one counts as the same).
func samePrecedence(a, b *group) bool {
	if a.Precedence == nil || b.Precedence == nil {
		return a.Precedence == nil && b.Precedence == nil
	}
	return *a.Precedence == *b.Precedence
}

// preToken runs the pool's pre token generation function, when one is
// configured and its version fires for tt.source, for tokens of u (nil
// for client credentials) with the access token scope scope, and returns
// what it asked to override (nil when nothing ran). The function runs
// with s.mu released; afterwards the pool, the client, the user and the
// refresh token rt (for a refresh) must still be the ones the tokens are
// for, else the issue fails.
func (s *Server) preToken(tt *tokenTrigger, p *pool, cl *client, u *user, rt *refreshToken, scope string) (*triggers.TokenOverrides, error) {
	arn, v := p.preTokenFunction()
	if tt == nil || arn == "" || !v.Fires(tt.source) {
		return nil, nil
	}
	in := triggers.PreTokenInput{Source: tt.source, Scopes: strings.Fields(scope), ClientMetadata: tt.meta}
	if u != nil {
		in.Caller = s.caller(p, tt.c, cl.ID, u.Username)
		in.UserAttributes = triggerAttributes(u)
		var pref string
		in.Groups.Groups, in.Groups.IAMRoles, pref = claimGroups(p, u)
		if pref != "" {
			in.Groups.PreferredRole = &pref
		}
	} else {
		in.Caller = s.caller(p, tt.c, cl.ID, "")
	}
	ev := triggers.NewPreTokenGenerationEvent(v, in)
	var o triggers.TokenOverrides
	if err := s.invoke(tt.c, func(ctx context.Context, fns Functions) (err error) {
		o, err = triggers.InvokePreTokenGeneration(ctx, fns, arn, v, ev)
		return err
	}); err != nil {
		return nil, err
	}
	if !s.current(p) {
		return nil, errPoolGone(p.ID)
	}
	if p.Clients[cl.ID] != cl {
		return nil, errorf("ResourceNotFoundException", "User pool client %s does not exist.", cl.ID)
	}
	if u != nil {
		if p.sameUser(u.Username, u.Sub) != u {
			return nil, errUserNotFound
		}
		if !u.Enabled {
			return nil, errUserDisabled
		}
	}
	if rt != nil {
		if _, live := u.Origins[rt.OriginJTI]; rt.Revoked || !live {
			return nil, errRevokedRefresh
		}
	}
	return &o, nil
}

// signInTokenSource is the pre token generation source of a sign-in that
// ends with base: a device proven by device SRP, a new password set for
// NEW_PASSWORD_REQUIRED, or a plain authentication.
func signInTokenSource(base *authSession) triggers.Source {
	switch {
	case base.DeviceDone:
		return triggers.SourceTokenAuthenticateDevice
	case base.NewPassword:
		return triggers.SourceTokenNewPassword
	}
	return triggers.SourceTokenAuthentication
}

// tokenError is the token endpoint's answer when tokens could not be
// issued: a trigger's failure (or a user gone meanwhile) is the request's
// fault, invalid_request with Cognito's message; anything else is the
// server's.
func tokenError(err error) *oauthErr {
	var ae *APIError
	if errors.As(err, &ae) && ae.Code != "InternalErrorException" {
		return oerr("invalid_request", ae.Message)
	}
	return oerr("server_error", "")
}
