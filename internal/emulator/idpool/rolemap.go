package idpool

import (
	"fmt"
	"strings"
)

// Role-mapping types and resolutions of SetIdentityPoolRoles' RoleMappings.
const (
	mappingToken     = "Token"
	mappingRules     = "Rules"
	ambiguousDefault = "AuthenticatedRole"
	ambiguousDeny    = "Deny"
)

// mappingKey is the RoleMappings key of a login: the provider key, and for
// a user pool "{provider}:{app client ID}", as Cognito names them.
func mappingKey(l login) string {
	if strings.HasPrefix(l.key, "cognito-idp.") {
		return l.key + ":" + l.audience
	}
	return l.key
}

// authenticatedRole picks the role of an authenticated identity with the
// verified logins, as Cognito does: the first login (in key order) whose
// provider has a role mapping decides, by its token's roles (Type Token:
// CustomRoleArn when the token grants it, else cognito:preferred_role, else
// the only role) or by the first rule its claims match (Type Rules); when
// that finds no role, AmbiguousRoleResolution applies (the pool's
// authenticated role, or NotAuthorizedException). Without a mapping, the
// pool's authenticated role, or custom when a login's token grants it.
func authenticatedRole(p *Pool, logins []login, custom string) (string, error) {
	for _, l := range logins {
		key := mappingKey(l)
		m, ok := p.RoleMappings[key]
		if !ok {
			continue
		}
		switch m.Type {
		case mappingToken:
			switch {
			case custom != "" && contains(l.roles, custom):
				return custom, nil
			case custom != "":
				return "", errCustomRole(custom)
			case l.preferredRole != "":
				return l.preferredRole, nil
			case len(l.roles) == 1:
				return l.roles[0], nil
			}
		case mappingRules:
			if role, ok := m.match(l.claims); ok {
				if custom != "" && custom != role {
					return "", errCustomRole(custom)
				}
				return role, nil
			}
		}
		if m.AmbiguousRoleResolution != ambiguousDefault {
			return "", notAuthorized("The ambiguous role mapping rules for: %s denied this request.", key)
		}
		break
	}
	if custom != "" {
		if !tokenGrantsRole(logins, custom) {
			return "", errCustomRole(custom)
		}
		return custom, nil
	}
	return p.Roles["authenticated"], nil
}

func errCustomRole(arn string) error {
	return notAuthorized("The CustomRoleArn %s is not one of the roles the login token grants (cognito:roles).", arn)
}

// match returns the role of the first rule the claims satisfy.
func (m RoleMapping) match(claims map[string]any) (string, bool) {
	if m.RulesConfiguration == nil {
		return "", false
	}
	for _, r := range m.RulesConfiguration.Rules {
		v, ok := claims[r.Claim]
		if !ok {
			continue
		}
		if matchClaim(r.MatchType, claimValues(v), r.Value) {
			return r.RoleARN, true
		}
	}
	return "", false
}

// claimValues renders a claim as the strings a rule compares: each value
// of a list (SAML attributes, group lists), or the one value.
func claimValues(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	default:
		return []string{fmt.Sprint(x)}
	}
}

// matchClaim applies a rule's MatchType (Equals, Contains, StartsWith,
// NotEqual) to a claim's values: a multi-valued claim matches when one of
// its values does (NotEqual: when none equals).
func matchClaim(matchType string, values []string, want string) bool {
	if matchType == "NotEqual" {
		return !contains(values, want)
	}
	for _, v := range values {
		switch {
		case matchType == "Equals" && v == want,
			matchType == "Contains" && strings.Contains(v, want),
			matchType == "StartsWith" && strings.HasPrefix(v, want):
			return true
		}
	}
	return false
}

// checkRoleMapping validates one RoleMappings entry as Cognito does.
func checkRoleMapping(key string, m RoleMapping) error {
	if m.Type != mappingToken && m.Type != mappingRules {
		return invalidParam("Invalid role mapping type %q for %s: use Token or Rules.", m.Type, key)
	}
	if m.AmbiguousRoleResolution != ambiguousDefault && m.AmbiguousRoleResolution != ambiguousDeny {
		return invalidParam("AmbiguousRoleResolution must be AuthenticatedRole or Deny when the role mapping type is %s (%s).", m.Type, key)
	}
	if m.Type == mappingToken {
		if m.RulesConfiguration != nil {
			return invalidParam("RulesConfiguration must not be given for a role mapping of type Token (%s).", key)
		}
		return nil
	}
	if m.RulesConfiguration == nil || len(m.RulesConfiguration.Rules) == 0 || len(m.RulesConfiguration.Rules) > 25 {
		return invalidParam("A role mapping of type Rules needs a RulesConfiguration of 1 to 25 rules (%s).", key)
	}
	for i, r := range m.RulesConfiguration.Rules {
		switch {
		case r.Claim == "" || r.Value == "":
			return invalidParam("Rule %d of %s needs a Claim and a Value.", i+1, key)
		case r.MatchType != "Equals" && r.MatchType != "Contains" && r.MatchType != "StartsWith" && r.MatchType != "NotEqual":
			return invalidParam("Rule %d of %s has MatchType %q: use Equals, Contains, StartsWith or NotEqual.", i+1, key, r.MatchType)
		case !roleARNPattern.MatchString(r.RoleARN):
			return invalidParam("Rule %d of %s has an invalid RoleARN %q.", i+1, key, r.RoleARN)
		}
	}
	return nil
}
