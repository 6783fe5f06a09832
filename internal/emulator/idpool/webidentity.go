package idpool

import (
	"net/http"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/sts"
)

var _ sts.Issuer = (*Service)(nil)

// AssumeRoleWithWebIdentity checks an OpenID token this service signed
// (GetOpenIdToken) and the role's trust (TrustedIdentityPools, TrustedAMR)
// and issues the role's credentials for the identity: what STS asks of the
// identity pools in the basic (classic) flow. Refusals are *sts.Error.
func (s *Service) AssumeRoleWithWebIdentity(req sts.Request) (sts.Result, error) {
	s.mu.Lock()
	c, err := s.verifyOpenIDLocked(req.WebIdentityToken)
	if err != nil {
		s.mu.Unlock()
		if strings.HasPrefix(err.Error(), "Token expired") {
			return sts.Result{}, &sts.Error{Status: http.StatusBadRequest, Code: "ExpiredTokenException", Message: err.Error()}
		}
		return sts.Result{}, &sts.Error{Status: http.StatusBadRequest, Code: "InvalidIdentityToken", Message: "Couldn't verify signed token."}
	}
	if _, ok := s.st.Pools[c.Aud]; !ok {
		s.mu.Unlock()
		return sts.Result{}, &sts.Error{Status: http.StatusBadRequest, Code: "InvalidIdentityToken", Message: "The token's audience is not an identity pool of this emulator."}
	}
	authType := "unauthenticated"
	if contains(c.AMR, "authenticated") {
		authType = "authenticated"
	}
	if role, ok := s.st.Roles[req.RoleARN]; ok {
		if !role.trusts(c.Aud, authType) {
			s.mu.Unlock()
			return sts.Result{}, &sts.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Not authorized to perform sts:AssumeRoleWithWebIdentity"}
		}
	}
	var providers []string // the amr after "authenticated": the login keys
	if len(c.AMR) > 1 {
		providers = c.AMR[1:]
	}
	cred, err := s.issueForLocked(Credential{IdentityID: c.Sub, IdentityPoolID: c.Aud, RoleARN: req.RoleARN,
		AuthType: authType, AuthProvider: providers, SessionPolicy: req.Policy, SessionName: req.SessionName,
		PrincipalTags: c.Tags.tags()}, req.Duration)
	s.mu.Unlock()
	if err != nil {
		return sts.Result{}, err
	}
	s.changed()
	return sts.Result{Subject: c.Sub, Audience: c.Aud, AccessKeyID: cred.AccessKeyID, SecretAccessKey: cred.SecretAccessKey,
		SessionToken: cred.SessionToken, Expires: cred.Expires}, nil
}

// ServeSTS answers an STS query-protocol request against this service
// (package sts over it), for hosts that serve identity pools alone.
func (s *Service) ServeSTS(w http.ResponseWriter, r *http.Request) {
	sts.New(s, s.cfg.AccountID).ServeHTTP(w, r)
}

// IsSTSRequest reports whether r is an STS query-protocol request
// (sts.IsRequest).
func IsSTSRequest(r *http.Request) bool { return sts.IsRequest(r) }
