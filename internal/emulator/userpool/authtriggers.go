package userpool

// The pre and post authentication triggers (issue 15), for the API's
// sign-ins (auth.go) and the hosted UI's (hostedui_http.go).

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// preAuthentication runs the pool's pre authentication function for a
// sign-in of u (nil: the username typed, name, is no user's) through cl,
// before its credentials are checked. For an unknown user it runs only
// when the client prevents user-existence errors (userNotFound true);
// validation is the request's ClientMetadata (validationData). An error
// refuses the sign-in. The function runs with s.mu released: the caller
// must look the user up again afterwards.
func (s *Server) preAuthentication(c *call, p *pool, cl *client, u *user, name string, validation map[string]string) error {
	arn := p.functionARN(triggers.PreAuthentication)
	if arn == "" || (u == nil && cl.PreventUserExistence != "ENABLED") {
		return nil
	}
	if validation == nil {
		validation = map[string]string{} // Cognito sends {} for none
	}
	username, attrs := name, triggers.Attributes{}
	if u != nil {
		username, attrs = u.Username, triggerAttributes(u)
	}
	ev := triggers.NewPreAuthenticationEvent(s.caller(p, c, cl.ID, username), attrs, u == nil, validation)
	if err := s.invoke(c, func(ctx context.Context, fns Functions) error {
		return triggers.InvokePreAuthentication(ctx, fns, arn, ev)
	}); err != nil {
		return err
	}
	return s.clientStill(p, cl)
}

// clientStill checks, after s.mu was released and taken again, that p and
// its client cl still exist.
func (s *Server) clientStill(p *pool, cl *client) error {
	if !s.current(p) {
		return errPoolGone(p.ID)
	}
	if p.Clients[cl.ID] != cl {
		return errorf("ResourceNotFoundException", "User pool client %s does not exist.", cl.ID)
	}
	return nil
}

// postAuthEvent returns the pool's post authentication function and its
// event for a sign-in of u through cl that passed its credentials (and
// MFA); newDevice says that the sign-in issues a new device (device
// tracking on, no known device proven). arn is "" when the pool has none.
func (s *Server) postAuthEvent(c *call, p *pool, cl *client, u *user, newDevice bool, meta map[string]string) (string, events.CognitoEventUserPoolsPostAuthentication) {
	arn := p.functionARN(triggers.PostAuthentication)
	if arn == "" {
		return "", events.CognitoEventUserPoolsPostAuthentication{}
	}
	return arn, triggers.NewPostAuthenticationEvent(s.caller(p, c, cl.ID, u.Username), triggerAttributes(u), newDevice, meta)
}

// postAuthentication runs the pool's post authentication function for an
// API sign-in that ends with base, before its tokens are issued; an error
// fails the sign-in. The function runs with s.mu released; the sign-in is
// checked again afterwards.
func (s *Server) postAuthentication(p *pool, cl *client, u *user, base *authSession, newDevice bool) error {
	arn, ev := s.postAuthEvent(base.req, p, cl, u, newDevice, base.meta)
	if arn == "" {
		return nil
	}
	if err := s.invoke(base.req, func(ctx context.Context, fns Functions) error {
		return triggers.InvokePostAuthentication(ctx, fns, arn, ev)
	}); err != nil {
		return err
	}
	return s.stillSignedIn(p, cl, u, base)
}

// hostedPostAuth is a hosted-UI sign-in's post authentication function
// and event, built with s.mu held and run without it (loginOutcome's act,
// before the Go hook of HostedUITriggers).
type hostedPostAuth struct {
	arn string
	ev  events.CognitoEventUserPoolsPostAuthentication
}

// run invokes the function; the error is Cognito's (an *APIError).
func (h *hostedPostAuth) run(ctx context.Context, s *Server) error {
	if h == nil || h.arn == "" {
		return nil
	}
	fns := s.opts.Functions
	if fns == nil {
		fns = noFunctions{}
	}
	return triggerError(triggers.InvokePostAuthentication(ctx, fns, h.arn, h.ev))
}
