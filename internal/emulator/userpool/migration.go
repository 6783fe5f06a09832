package userpool

// The user migration trigger (issue 15): a sign-in with a password
// (InitiateAuth USER_PASSWORD_AUTH, AdminInitiateAuth
// ADMIN_USER_PASSWORD_AUTH, the hosted UI's password form) or a
// ForgotPassword for a username the pool does not have asks the pool's
// UserMigration function for the user; the user it answers is stored and
// the operation goes on as for a user that was there all along. The
// function is never asked about a user the pool has, so once migrated a
// user signs in with any flow (SRP too) without it.

import (
	"context"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// migration is a migrated user and, for ForgotPassword, the attribute its
// reset code goes to.
type migration struct {
	u        *user
	resetVia string
}

// migrateUser runs the pool's user migration trigger for name, a
// username the pool does not have, and stores the user it answers.
// password is the one typed (UserMigration_Authentication) or ""
// (UserMigration_ForgotPassword). It returns nil, nil when the pool has no
// user migration trigger. When a user of that name was created while the
// function ran, that user is returned.
func (s *Server) migrateUser(tc *trigCall, p *pool, name, password string, src triggers.Source, validation map[string]string, now time.Time) (*migration, error) {
	arn := p.functionARN(triggers.UserMigration)
	if arn == "" {
		return nil, nil
	}
	tc = s.trig(tc)
	ev := triggers.NewUserMigrationEvent(s.caller(p, tc.c, tc.clientID, name), src, password, validation, tc.meta)
	var resp triggers.UserMigrationResponse
	if err := s.invoke(tc.c, func(ctx context.Context, fns Functions) (err error) {
		resp, err = triggers.InvokeUserMigration(ctx, fns, arn, ev)
		return err
	}); err != nil {
		return nil, err
	}
	if !s.current(p) {
		return nil, errPoolGone(p.ID)
	}
	if u := p.findUser(name); u != nil {
		return &migration{u: u}, nil
	}
	if src == triggers.SourceUserMigrationAuthentication && resp.MessageAction == "RESEND" {
		return nil, &APIError{Code: triggers.CodeInvalidLambdaResponse, Message: triggers.InvalidResponseMessage(triggers.UserMigration)}
	}
	list := make([]attributeType, 0, len(resp.UserAttributes))
	for k, v := range resp.UserAttributes {
		if k == "username" || k == "sub" || strings.HasPrefix(k, "cognito:") {
			continue // not the function's to set
		}
		v := v
		list = append(list, attributeType{Name: k, Value: &v})
	}
	attrs, err := checkAttrs(p, list, true)
	if err != nil {
		return nil, err
	}
	if resp.ForceAliasCreation {
		takeAliases(p, attrs)
	}
	u, err := s.newUser(p, name, attrs, now)
	if err != nil {
		return nil, err
	}
	u.Status = statusConfirmed
	if resp.FinalUserStatus == statusReset || src == triggers.SourceUserMigrationForgotPassword {
		u.Status = statusReset
	}
	if password == "" {
		// No password yet (ForgotPassword): one nobody knows, until the
		// reset code sets one.
		password = s.randString(32, alnum) + "aA1!"
	}
	if err := s.setNewUserPassword(p, u, password); err != nil {
		return nil, err
	}
	if resp.EnableSMSMFA && u.Attrs["phone_number"] != "" {
		u.SMSEnabled = true
	}
	p.addUser(u)
	m := &migration{u: u, resetVia: deliveryAttr(u, resp.DesiredDeliveryMediums)}
	if src == triggers.SourceUserMigrationAuthentication && resp.MessageAction != "SUPPRESS" && m.resetVia != "" {
		// Cognito's welcome message to a migrated user; it carries no
		// code and does not go through the custom message trigger.
		s.deliver(p, u, m.resetVia, KindInvitation, "", "Welcome. Your username is "+u.Username+".", now)
	}
	return m, nil
}

// deliveryAttr is the attribute of u that desiredDeliveryMediums (EMAIL by
// default, else SMS) selects, "" when u has none of them.
func deliveryAttr(u *user, mediums []string) string {
	if len(mediums) == 0 {
		mediums = []string{"EMAIL"}
	}
	for _, m := range mediums {
		a := "email"
		if m == "SMS" {
			a = "phone_number"
		}
		if u.Attrs[a] != "" {
			return a
		}
	}
	return ""
}

// takeAliases gives the alias attributes in attrs (verified e-mail or
// phone number, preferred_username) to a migrated user: the users holding
// them lose them as aliases (forceAliasCreation).
func takeAliases(p *pool, attrs map[string]string) {
	for _, a := range p.AliasAttributes {
		v := attrs[a]
		if v == "" || (a != "preferred_username" && attrs[a+"_verified"] != "true") {
			continue
		}
		for _, o := range p.Users {
			if !strings.EqualFold(o.Attrs[a], v) {
				continue
			}
			p.touchUser(p.key(o.Username))
			if a == "preferred_username" {
				delete(o.Attrs, a)
			} else {
				o.Attrs[a+"_verified"] = "false"
			}
		}
	}
}

// migrateOnSignIn is the user migration of a password sign-in for name,
// which the pool does not have: the migrated user, or the error to answer
// (the unknown-user answer when the pool has no user migration trigger;
// with PreventUserExistenceErrors a failing function is answered as a
// wrong password, as Cognito does). validation is the sign-in's
// ClientMetadata (the event's validationData).
func (s *Server) migrateOnSignIn(c *call, p *pool, cl *client, name, password string, validation map[string]string, now time.Time) (*user, error) {
	m, err := s.migrateUser(&trigCall{c: c, clientID: cl.ID}, p, name, password, triggers.SourceUserMigrationAuthentication, validation, now)
	switch {
	case err != nil && cl.PreventUserExistence == "ENABLED":
		return nil, errIncorrectPassword
	case err != nil:
		return nil, err
	case m == nil:
		return nil, s.unknownUser(cl)
	}
	return m.u, nil
}

// forgotPasswordUser is clientUser for ForgotPassword: a username the
// pool does not have is asked of the user migration trigger. resetVia is
// where a migrated user's code goes ("" for a user the pool had).
func (s *Server) forgotPasswordUser(c *call, in *userInput) (p *pool, u *user, resetVia string, err error) {
	p, cl, err := s.decodeClient(c, in)
	if err != nil {
		return nil, nil, "", err
	}
	if in.Username != "" && p.findUser(in.Username) == nil {
		if err := checkSecretHash(cl, in.SecretHash, in.Username); err != nil {
			return nil, nil, "", err
		}
		tc := &trigCall{c: c, clientID: cl.ID, meta: in.ClientMetadata}
		m, err := s.migrateUser(tc, p, in.Username, "", triggers.SourceUserMigrationForgotPassword, nil, c.now)
		if err != nil {
			return nil, nil, "", err
		}
		if m != nil {
			return p, m.u, m.resetVia, nil
		}
	}
	if u, err = s.mustUser(p, in.Username); err != nil {
		return nil, nil, "", err
	}
	if err := checkSecretHash(cl, in.SecretHash, in.Username, u.Username); err != nil {
		return nil, nil, "", err
	}
	return p, u, "", nil
}
