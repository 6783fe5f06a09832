package cognitotest

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"

	"github.com/cognitokit/cognitokit/internal/emulator/iam"
	"github.com/cognitokit/cognitokit/internal/emulator/idpool"
	"github.com/cognitokit/cognitokit/internal/emulator/sts"
	"github.com/cognitokit/cognitokit/sigv4client"
	"github.com/cognitokit/cognitokit/sigv4client/iampolicy"
)

// mountIAMAndSTS registers the IAM role API over the identity pools' roles
// and STS (AssumeRoleWithWebIdentity through the identity pools,
// GetCallerIdentity for the gateway's IAM users and the identity pools'
// credentials). Called by mountServices after the identity pools exist.
func (s *Server) mountIAMAndSTS() {
	h := s.host
	roles := iam.New(iam.Config{AccountID: AccountID, Now: h.Now, Rand: h.Rand(), Roles: roleStore{s.ids}})
	roles.Register(h)
	sts.New(s.ids, AccountID, func(o *sts.Options) {
		o.Region, o.Now = s.opts.Region, h.Now
		o.Callers = func(_ context.Context, akid string) (sigv4client.Credential, error) {
			return s.stsCaller(roles, akid)
		}
	}).Register(h)
}

// stsCaller finds who owns an access key ID, for GetCallerIdentity: an IAM
// user of the gateway, or credentials the identity pools issued.
func (s *Server) stsCaller(roles *iam.Service, akid string) (sigv4client.Credential, error) {
	if s.gw != nil {
		if u, ok := s.gw.User(akid); ok {
			sum := sha256.Sum256([]byte(u.ARN))
			id := "AIDA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
			return sigv4client.Credential{SecretAccessKey: u.SecretAccessKey, Principal: sts.Caller{ARN: u.ARN, UserID: id}}, nil
		}
	}
	c, ok := s.ids.LookupCredentials(akid)
	if !ok {
		return sigv4client.Credential{}, fmt.Errorf("cognitotest: %w", sigv4client.ErrInvalidToken)
	}
	if !s.host.Now().Before(c.Expires) {
		return sigv4client.Credential{}, fmt.Errorf("cognitotest: %w", sigv4client.ErrExpiredToken)
	}
	session := c.SessionName
	if session == "" {
		session = "CognitoIdentityCredentials"
	}
	roleID, ok := roles.RoleID(c.RoleARN)
	if !ok {
		// A role that has been deleted since: AWS keeps its ID; the
		// emulator derives one from the ARN.
		sum := sha256.Sum256([]byte(c.RoleARN))
		roleID = "AROA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
	}
	return sigv4client.Credential{SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expires,
		Principal: sts.Caller{ARN: iampolicy.AssumedRoleARN(c.RoleARN, session), UserID: roleID + ":" + session}}, nil
}

// roleStore is the identity pools as IAM's role owner.
type roleStore struct{ ids *idpool.Service }

var _ iam.RoleStore = roleStore{}

func (r roleStore) Roles() []iam.Role {
	in := r.ids.Roles()
	out := make([]iam.Role, len(in))
	for i, role := range in {
		out[i] = iam.Role(role)
	}
	return out
}

func (r roleStore) PutRole(role iam.Role)      { r.ids.PutRole(idpool.Role(role)) }
func (r roleStore) DeleteRole(arn string) bool { return r.ids.DeleteRole(arn) }
