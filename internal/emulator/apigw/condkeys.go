package apigw

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// conditionKeys is the request context the caller's policies' conditions
// and policy variables are evaluated against, as IAM fills it in for a
// call to API Gateway:
//
//   - every caller: aws:SourceIp, aws:SecureTransport, aws:CurrentTime,
//     aws:EpochTime, aws:PrincipalArn, aws:PrincipalAccount and
//     aws:PrincipalType;
//   - an IAM user: aws:username (the last part of its ARN);
//   - identity-pool credentials: aws:PrincipalTag/{key} for each of their
//     principal tags, aws:TokenIssueTime, and
//     cognito-identity.amazonaws.com:sub (the identity ID), :aud (the
//     identity pool) and :amr ("authenticated" or "unauthenticated", then
//     the providers the identity signed in with).
//
// aws:userid is not set: the gateway does not know the unique IDs of the
// emulator's users and roles.
func (g *Gateway) conditionKeys(p principal, r *http.Request) map[string][]string {
	now := g.cfg.Now().UTC()
	keys := map[string][]string{
		"aws:SourceIp":         {sourceIP(r)},
		"aws:SecureTransport":  {strconv.FormatBool(r.TLS != nil)},
		"aws:CurrentTime":      {now.Format(time.RFC3339)},
		"aws:EpochTime":        {strconv.FormatInt(now.Unix(), 10)},
		"aws:PrincipalAccount": {g.cfg.AccountID},
	}
	switch {
	case p.user != nil:
		keys["aws:PrincipalArn"] = []string{p.user.ARN}
		keys["aws:PrincipalType"] = []string{"User"}
		if i := strings.LastIndexByte(p.user.ARN, '/'); i >= 0 && strings.Contains(p.user.ARN, ":user/") {
			keys["aws:username"] = []string{p.user.ARN[i+1:]}
		}
	case p.cognito != nil:
		c := p.cognito
		keys["aws:PrincipalArn"] = []string{c.RoleARN}
		keys["aws:PrincipalType"] = []string{"AssumedRole"}
		if !c.Issued.IsZero() {
			keys["aws:TokenIssueTime"] = []string{c.Issued.UTC().Format(time.RFC3339)}
		}
		for k, v := range c.PrincipalTags {
			keys["aws:PrincipalTag/"+k] = []string{v}
		}
		if c.IdentityID != "" {
			keys["cognito-identity.amazonaws.com:sub"] = []string{c.IdentityID}
			keys["cognito-identity.amazonaws.com:aud"] = []string{c.IdentityPoolID}
			keys["cognito-identity.amazonaws.com:amr"] = append([]string{c.AuthType}, c.AuthProvider...)
		}
	}
	return keys
}
