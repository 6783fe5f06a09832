package idpool

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatchClaim(t *testing.T) {
	tests := []struct {
		match  string
		values []string
		want   string
		ok     bool
	}{
		{"Equals", []string{"admins"}, "admins", true},
		{"Equals", []string{"admin"}, "admins", false},
		{"Equals", []string{"staff", "admins"}, "admins", true},
		{"Contains", []string{"ann@corp.example"}, "@corp.example", true},
		{"Contains", []string{"ann@example.com"}, "@corp.example", false},
		{"StartsWith", []string{"arn:aws:iam::1:role/x"}, "arn:aws:iam::1:", true},
		{"StartsWith", []string{"xarn"}, "arn", false},
		{"NotEqual", []string{"staff"}, "admins", true},
		{"NotEqual", []string{"staff", "admins"}, "admins", false},
		{"Unknown", []string{"admins"}, "admins", false},
	}
	for _, tc := range tests {
		t.Run(tc.match+"/"+tc.want, func(t *testing.T) {
			assert.Equal(t, tc.ok, matchClaim(tc.match, tc.values, tc.want), "%v", tc.values)
		})
	}
}

func TestClaimValues(t *testing.T) {
	assert.Equal(t, []string{"a"}, claimValues("a"))
	assert.Equal(t, []string{"a", "b"}, claimValues([]string{"a", "b"}))
	assert.Equal(t, []string{"a", "true"}, claimValues([]any{"a", true}))
	assert.Equal(t, []string{"false"}, claimValues(false))
	assert.Equal(t, []string{"42"}, claimValues(float64(42)))
}

func TestSAMLRoles(t *testing.T) {
	const prov = "arn:aws:iam::123456789012:saml-provider/corp"
	const role = "arn:aws:iam::123456789012:role/A"
	pairs := []string{
		role + "," + prov,
		prov + ", arn:aws:iam::123456789012:role/B", // either order, spaces
		"arn:aws:iam::123456789012:role/C,arn:aws:iam::123456789012:saml-provider/other",
		"not a pair",
		"nonsense," + prov,
		role + "," + prov, // twice
	}
	assert.Equal(t, []string{role, "arn:aws:iam::123456789012:role/B"}, samlRoles(pairs, prov))
	assert.Empty(t, samlRoles(nil, prov))
}

func TestCheckRoleMapping(t *testing.T) {
	rules := func(rs ...MappingRule) RoleMapping {
		m := RoleMapping{Type: mappingRules, AmbiguousRoleResolution: ambiguousDeny}
		m.RulesConfiguration = &RulesConfiguration{Rules: rs}
		return m
	}
	good := MappingRule{Claim: "email", MatchType: "Equals", Value: "a@b", RoleARN: "arn:aws:iam::123456789012:role/R"}
	bad := good
	bad.MatchType = "Regex"
	noRole := good
	noRole.RoleARN = "role/R"
	tests := []struct {
		name string
		m    RoleMapping
		ok   bool
	}{
		{"token deny", RoleMapping{Type: mappingToken, AmbiguousRoleResolution: ambiguousDeny}, true},
		{"token default", RoleMapping{Type: mappingToken, AmbiguousRoleResolution: ambiguousDefault}, true},
		{"token without resolution", RoleMapping{Type: mappingToken}, false},
		{"unknown type", RoleMapping{Type: "Groups", AmbiguousRoleResolution: ambiguousDeny}, false},
		{"rules", rules(good), true},
		{"rules without rules", rules(), false},
		{"rules with a bad match type", rules(good, bad), false},
		{"rules with a bad role", rules(noRole), false},
		{"token with rules", func() RoleMapping { m := rules(good); m.Type = mappingToken; return m }(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkRoleMapping("accounts.google.com", tc.m)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}
