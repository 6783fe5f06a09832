package userpool

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// errType is the error type of call's second result ("" on success).
func errType(et string) string {
	code, _, _ := strings.Cut(et, ":")
	return code
}

// input is base with the keys and values of kv (key, value, key, …) set.
func input(base map[string]any, kv ...any) map[string]any {
	m := map[string]any{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// refusal is a call that must fail with the error type want.
type refusal struct {
	name, op string
	in       map[string]any
	want     string
}

// refuses runs each refusal as a subtest.
func (e *unlockedEnv) refuses(t *testing.T, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, et := e.call(tc.op, tc.in)
			assert.Equal(t, tc.want, errType(et), et)
		})
	}
}

// claimsOf decodes a JWT's payload.
func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	return m
}

const (
	roleA = "arn:aws:iam::123456789012:role/admins"
	roleB = "arn:aws:iam::123456789012:role/staff"
	roleC = "arn:aws:iam::123456789012:role/staff-v2"
)

// TestUpdateGroup: an update changes what it is given and keeps the rest;
// GetGroup, ListGroups and the members' next tokens show it at once.
func TestUpdateGroup(t *testing.T) {
	e := newUnlockedEnv(t)
	pool := map[string]any{"UserPoolId": e.pool}
	with := func(kv ...any) map[string]any { return input(map[string]any{"UserPoolId": e.pool}, kv...) }
	e.ok("CreateGroup", with("GroupName", "admins", "Description", "the admins", "RoleArn", roleA, "Precedence", 5))
	e.ok("CreateGroup", with("GroupName", "staff", "RoleArn", roleB, "Precedence", 1))
	for _, g := range []string{"admins", "staff"} {
		e.ok("AdminAddUserToGroup", with("Username", "alice", "GroupName", g))
	}
	id, _ := e.signIn()
	assert.Equal(t, roleB, claimsOf(t, id)["cognito:preferred_role"], "staff comes first")

	out := e.ok("UpdateGroup", with("GroupName", "admins", "Precedence", 0))
	g := out["Group"].(map[string]any)
	assert.Equal(t, "the admins", g["Description"], "a description left out stays")
	assert.Equal(t, roleA, g["RoleArn"])
	assert.EqualValues(t, 0, g["Precedence"])
	assert.Equal(t, e.pool, g["UserPoolId"])
	for _, k := range []string{"GroupName", "CreationDate", "LastModifiedDate"} {
		assert.Contains(t, g, k)
	}

	out = e.ok("UpdateGroup", with("GroupName", "staff", "RoleArn", roleC, "Description", "the staff"))
	assert.Equal(t, "the staff", out["Group"].(map[string]any)["Description"])
	got := e.ok("GetGroup", with("GroupName", "staff"))["Group"].(map[string]any)
	assert.Equal(t, roleC, got["RoleArn"])
	assert.EqualValues(t, 1, got["Precedence"], "a precedence left out stays")
	list := e.ok("ListGroups", pool)["Groups"].([]any)
	require.Len(t, list, 2)
	assert.EqualValues(t, 0, list[0].(map[string]any)["Precedence"])

	claims := claimsOf(t, mustID(e))
	assert.Equal(t, roleA, claims["cognito:preferred_role"], "admins now come first")
	assert.Equal(t, []any{roleA, roleC}, claims["cognito:roles"])
	assert.Equal(t, []any{"admins", "staff"}, claims["cognito:groups"])

	e.refuses(t, []refusal{
		{"unknown group", "UpdateGroup", with("GroupName", "nobody", "Precedence", 2), "ResourceNotFoundException"},
		{"unknown pool", "UpdateGroup", map[string]any{"UserPoolId": "us-east-1_nothere", "GroupName": "admins"}, "ResourceNotFoundException"},
		{"negative precedence", "UpdateGroup", with("GroupName", "admins", "Precedence", -1), "InvalidParameterException"},
		{"no group name", "UpdateGroup", with("Description", "x"), "InvalidParameterException"},
		{"role not an ARN", "UpdateGroup", with("GroupName", "admins", "RoleArn", "not-an-arn-but-long-enough"), "InvalidParameterException"},
	})
	assert.EqualValues(t, 0, e.ok("GetGroup", with("GroupName", "admins"))["Group"].(map[string]any)["Precedence"], "a refused update changed nothing")
}

func mustID(e *unlockedEnv) string { id, _ := e.signIn(); return id }

// scopes builds a resource server's Scopes input.
func scopes(names ...string) []map[string]string {
	out := []map[string]string{}
	for _, n := range names {
		out = append(out, map[string]string{"ScopeName": n, "ScopeDescription": "may " + n})
	}
	return out
}

// TestResourceServerOps: update replaces the name and scopes, delete
// removes the server, list pages by 50 at most; scopes taken away leave
// the app clients' AllowedOAuthScopes.
func TestResourceServerOps(t *testing.T) {
	e := newUnlockedEnv(t)
	rs := func(id string, kv ...any) map[string]any {
		return input(map[string]any{"UserPoolId": e.pool, "Identifier": id}, kv...)
	}
	for i := range 3 {
		e.ok("CreateResourceServer", rs(fmt.Sprintf("api%d", i), "Name", fmt.Sprintf("API %d", i), "Scopes", scopes("read", "write")))
	}
	cl := e.ok("CreateUserPoolClient", map[string]any{"UserPoolId": e.pool, "ClientName": "m2m", "GenerateSecret": true,
		"AllowedOAuthFlows": []string{"client_credentials"}, "AllowedOAuthFlowsUserPoolClient": true,
		"AllowedOAuthScopes": []string{"api0/read", "api0/write", "api1/read"}})["UserPoolClient"].(map[string]any)
	clientScopes := func() []any {
		out := e.ok("DescribeUserPoolClient", map[string]any{"UserPoolId": e.pool, "ClientId": cl["ClientId"]})
		s, _ := out["UserPoolClient"].(map[string]any)["AllowedOAuthScopes"].([]any)
		return s
	}

	out := e.ok("UpdateResourceServer", rs("api0", "Name", "Orders", "Scopes", scopes("read", "admin")))
	want := map[string]any{"UserPoolId": e.pool, "Identifier": "api0", "Name": "Orders", "Scopes": []any{
		map[string]any{"ScopeName": "read", "ScopeDescription": "may read"}, map[string]any{"ScopeName": "admin", "ScopeDescription": "may admin"}}}
	assert.Equal(t, want, out["ResourceServer"])
	assert.Equal(t, want, e.ok("DescribeResourceServer", rs("api0"))["ResourceServer"])
	assert.Equal(t, []any{"api0/read", "api1/read"}, clientScopes(), "api0/write is gone")

	e.ok("UpdateResourceServer", rs("api2", "Name", "No scopes"))
	assert.Equal(t, []any{}, e.ok("DescribeResourceServer", rs("api2"))["ResourceServer"].(map[string]any)["Scopes"],
		"scopes left out are removed")

	e.ok("DeleteResourceServer", rs("api1"))
	assert.Equal(t, []any{"api0/read"}, clientScopes())
	_, et := e.call("DescribeResourceServer", rs("api1"))
	assert.Equal(t, "ResourceNotFoundException", errType(et))

	page1 := e.ok("ListResourceServers", map[string]any{"UserPoolId": e.pool, "MaxResults": 1})
	require.Len(t, page1["ResourceServers"], 1)
	assert.Equal(t, "api0", page1["ResourceServers"].([]any)[0].(map[string]any)["Identifier"])
	require.NotEmpty(t, page1["NextToken"])
	page2 := e.ok("ListResourceServers", map[string]any{"UserPoolId": e.pool, "MaxResults": 1, "NextToken": page1["NextToken"]})
	require.Len(t, page2["ResourceServers"], 1)
	assert.Equal(t, "api2", page2["ResourceServers"].([]any)[0].(map[string]any)["Identifier"])
	assert.NotContains(t, page2, "NextToken", "the last page")
	all := e.ok("ListResourceServers", map[string]any{"UserPoolId": e.pool, "MaxResults": 50})
	assert.Len(t, all["ResourceServers"], 2)

	e.refuses(t, []refusal{
		{"update unknown", "UpdateResourceServer", rs("nope", "Name", "x"), "ResourceNotFoundException"},
		{"update without name", "UpdateResourceServer", rs("api0"), "InvalidParameterException"},
		{"update duplicate scope", "UpdateResourceServer", rs("api0", "Name", "x", "Scopes", scopes("read", "read")), "InvalidParameterException"},
		{"update scope with slash", "UpdateResourceServer", rs("api0", "Name", "x", "Scopes", scopes("a/b")), "InvalidParameterException"},
		{"delete unknown", "DeleteResourceServer", rs("nope"), "ResourceNotFoundException"},
		{"delete in unknown pool", "DeleteResourceServer", map[string]any{"UserPoolId": "us-east-1_nothere", "Identifier": "api0"}, "ResourceNotFoundException"},
		{"list bad token", "ListResourceServers", map[string]any{"UserPoolId": e.pool, "NextToken": "zzz"}, "InvalidParameterException"},
		{"list too many", "ListResourceServers", map[string]any{"UserPoolId": e.pool, "MaxResults": 51}, "InvalidParameterException"},
		{"list unknown pool", "ListResourceServers", map[string]any{"UserPoolId": "us-east-1_nothere"}, "ResourceNotFoundException"},
	})
	assert.Equal(t, want, e.ok("DescribeResourceServer", rs("api0"))["ResourceServer"], "refused updates changed nothing")
}

// TestTagOps: TagResource, UntagResource and ListTagsForResource act on
// the pool DescribeUserPool's ARN names, and share their tags with
// CreateUserPool's and UpdateUserPool's UserPoolTags.
func TestTagOps(t *testing.T) {
	e := newUnlockedEnv(t)
	created := e.ok("CreateUserPool", map[string]any{"PoolName": "tagged", "UserPoolTags": map[string]string{"team": "id"}})
	up := created["UserPool"].(map[string]any)
	id, arn := up["Id"].(string), up["Arn"].(string)
	assert.Equal(t, "arn:aws:cognito-idp:"+e.s.opts.Region+":123456789012:userpool/"+id, arn)
	tags := func() any { return e.ok("ListTagsForResource", map[string]any{"ResourceArn": arn})["Tags"] }
	described := func() any {
		return e.ok("DescribeUserPool", map[string]any{"UserPoolId": id})["UserPool"].(map[string]any)["UserPoolTags"]
	}
	assert.Equal(t, map[string]any{"team": "id"}, tags())

	e.ok("TagResource", map[string]any{"ResourceArn": arn, "Tags": map[string]string{"env": "dev", "team": "auth"}})
	want := map[string]any{"env": "dev", "team": "auth"}
	assert.Equal(t, want, tags())
	assert.Equal(t, want, described())

	e.ok("UntagResource", map[string]any{"ResourceArn": arn, "TagKeys": []string{"team", "absent"}})
	assert.Equal(t, map[string]any{"env": "dev"}, tags())

	e.ok("UpdateUserPool", map[string]any{"UserPoolId": id, "UserPoolTags": map[string]string{"cost": "42"}})
	assert.Equal(t, map[string]any{"cost": "42"}, tags(), "UpdateUserPool's tags are the same tags")

	e.ok("UntagResource", map[string]any{"ResourceArn": arn, "TagKeys": []string{"cost"}})
	assert.Equal(t, map[string]any{}, tags())
	assert.Nil(t, described(), "no tags: DescribeUserPool leaves UserPoolTags out")

	fifty := map[string]string{}
	for i := range MaxTags {
		fifty[fmt.Sprintf("k%02d", i)] = "v"
	}
	e.ok("TagResource", map[string]any{"ResourceArn": arn, "Tags": fifty})
	fiftyOne := map[string]string{"k50": "v"}
	for k, v := range fifty {
		fiftyOne[k] = v
	}
	other := strings.Replace(arn, e.s.opts.Region, "eu-west-3", 1)
	e.refuses(t, []refusal{
		{"a 51st tag", "TagResource", map[string]any{"ResourceArn": arn, "Tags": map[string]string{"one-more": "v"}}, "InvalidParameterException"},
		{"reserved prefix", "TagResource", map[string]any{"ResourceArn": e.s.poolARN(e.pool), "Tags": map[string]string{"aws:owner": "me"}}, "InvalidParameterException"},
		{"value too long", "TagResource", map[string]any{"ResourceArn": e.s.poolARN(e.pool), "Tags": map[string]string{"k": strings.Repeat("v", 257)}}, "InvalidParameterException"},
		{"no tags", "TagResource", map[string]any{"ResourceArn": arn}, "InvalidParameterException"},
		{"unknown pool", "TagResource", map[string]any{"ResourceArn": e.s.poolARN("us-east-1_nothere"), "Tags": map[string]string{"a": "b"}}, "ResourceNotFoundException"},
		{"another region", "ListTagsForResource", map[string]any{"ResourceArn": other}, "ResourceNotFoundException"},
		{"another service", "ListTagsForResource", map[string]any{"ResourceArn": "arn:aws:cognito-identity:us-east-1:123456789012:identitypool/" + id}, "ResourceNotFoundException"},
		{"a user pool client ARN", "UntagResource", map[string]any{"ResourceArn": arn + "/client/abc", "TagKeys": []string{"k00"}}, "ResourceNotFoundException"},
		{"not an ARN", "ListTagsForResource", map[string]any{"ResourceArn": "userpool/" + id + "-and-more"}, "InvalidParameterException"},
		{"no keys", "UntagResource", map[string]any{"ResourceArn": arn}, "InvalidParameterException"},
		{"create with 51", "CreateUserPool", map[string]any{"PoolName": "big", "UserPoolTags": fiftyOne}, "InvalidParameterException"},
		{"update with 51", "UpdateUserPool", map[string]any{"UserPoolId": id, "UserPoolTags": fiftyOne}, "InvalidParameterException"},
	})
	assert.Len(t, tags(), MaxTags, "refused calls changed nothing")
}

// describedAttr is the DescribeUserPool entry of a schema attribute.
func describedAttr(e *unlockedEnv, poolID, name string) map[string]any {
	up := e.ok("DescribeUserPool", map[string]any{"UserPoolId": poolID})["UserPool"].(map[string]any)
	for _, a := range up["SchemaAttributes"].([]any) {
		if m := a.(map[string]any); m["Name"] == name {
			return m
		}
	}
	return nil
}

// TestAddCustomAttributes: added attributes show in DescribeUserPool as
// Cognito shows custom attributes and can be given to users; duplicates,
// required attributes, bad constraints and a 51st attribute are refused,
// and a refused call adds none of its attributes.
func TestAddCustomAttributes(t *testing.T) {
	e := newUnlockedEnv(t)
	add := func(attrs ...map[string]any) (map[string]any, string) {
		return e.call("AddCustomAttributes", map[string]any{"UserPoolId": e.pool, "CustomAttributes": attrs})
	}
	_, et := add(
		map[string]any{"Name": "tenant", "AttributeDataType": "String", "Mutable": false,
			"StringAttributeConstraints": map[string]string{"MinLength": "1", "MaxLength": "64"}},
		map[string]any{"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": map[string]string{"MinValue": "0", "MaxValue": "150"}},
		map[string]any{"Name": "plan", "DeveloperOnlyAttribute": true},
		map[string]any{"Name": "score", "AttributeDataType": "Number"},
	)
	require.Empty(t, et)
	assert.Equal(t, map[string]any{"Name": "custom:tenant", "AttributeDataType": "String", "DeveloperOnlyAttribute": false,
		"Mutable": false, "Required": false, "StringAttributeConstraints": map[string]any{"MinLength": "1", "MaxLength": "64"}},
		describedAttr(e, e.pool, "custom:tenant"))
	assert.Equal(t, map[string]any{"Name": "custom:age", "AttributeDataType": "Number", "DeveloperOnlyAttribute": false,
		"Mutable": true, "Required": false, "NumberAttributeConstraints": map[string]any{"MinValue": "0", "MaxValue": "150"}},
		describedAttr(e, e.pool, "custom:age"))
	assert.Equal(t, map[string]any{}, describedAttr(e, e.pool, "custom:score")["NumberAttributeConstraints"])
	assert.Equal(t, true, describedAttr(e, e.pool, "custom:plan")["DeveloperOnlyAttribute"])
	assert.Equal(t, "String", describedAttr(e, e.pool, "custom:plan")["AttributeDataType"])
	assert.Equal(t, map[string]any{"MinValue": "0"}, describedAttr(e, e.pool, "updated_at")["NumberAttributeConstraints"])

	// Users can be given the new attributes; a developer-only one by an
	// administrator only.
	e.ok("AdminUpdateUserAttributes", map[string]any{"UserPoolId": e.pool, "Username": "alice", "UserAttributes": []map[string]string{
		{"Name": "custom:tenant", "Value": "acme"}, {"Name": "custom:age", "Value": "33"}, {"Name": "custom:plan", "Value": "gold"}}})
	u := e.ok("AdminGetUser", map[string]any{"UserPoolId": e.pool, "Username": "alice"})
	assert.Contains(t, u["UserAttributes"], map[string]any{"Name": "custom:tenant", "Value": "acme"})
	assert.Contains(t, u["UserAttributes"], map[string]any{"Name": "custom:plan", "Value": "gold"})
	_, access := e.signIn()
	_, et = e.call("UpdateUserAttributes", map[string]any{"AccessToken": access, "UserAttributes": []map[string]string{{"Name": "custom:plan", "Value": "free"}}})
	assert.Equal(t, "InvalidParameterException", errType(et), "a developer-only attribute is not the user's to set")
	_, et = e.call("AdminUpdateUserAttributes", map[string]any{"UserPoolId": e.pool, "Username": "alice", "UserAttributes": []map[string]string{{"Name": "custom:tenant", "Value": "other"}}})
	assert.Equal(t, "InvalidParameterException", errType(et), "an immutable attribute keeps its value")

	for _, tc := range []struct {
		name  string
		attrs []map[string]any
	}{
		{"duplicate of the schema", []map[string]any{{"Name": "tenant"}}},
		{"duplicate in the call", []map[string]any{{"Name": "fresh"}, {"Name": "fresh"}}},
		{"required", []map[string]any{{"Name": "needed", "Required": true}}},
		{"bad length", []map[string]any{{"Name": "bad", "StringAttributeConstraints": map[string]string{"MaxLength": "2049"}}}},
		{"min above max", []map[string]any{{"Name": "bad", "StringAttributeConstraints": map[string]string{"MinLength": "9", "MaxLength": "3"}}}},
		{"not a number", []map[string]any{{"Name": "bad", "AttributeDataType": "Number", "NumberAttributeConstraints": map[string]string{"MinValue": "one"}}}},
		{"bad type", []map[string]any{{"Name": "bad", "AttributeDataType": "Date"}}},
		{"name too long", []map[string]any{{"Name": strings.Repeat("n", 21)}}},
		{"empty name", []map[string]any{{"Name": "custom:"}}},
		{"none", []map[string]any{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, et := add(tc.attrs...)
			assert.Equal(t, "InvalidParameterException", errType(et), et)
		})
	}
	assert.Nil(t, describedAttr(e, e.pool, "custom:fresh"), "a refused call adds nothing")
	_, et = e.call("AddCustomAttributes", map[string]any{"UserPoolId": "us-east-1_nothere", "CustomAttributes": []map[string]any{{"Name": "x"}}})
	assert.Equal(t, "ResourceNotFoundException", errType(et))

	// Up to 50 custom attributes (4 so far), never 51.
	var batch []map[string]any
	for i := range MaxCustomAttributes - 4 {
		batch = append(batch, map[string]any{"Name": fmt.Sprintf("a%02d", i)})
	}
	_, et = add(batch[:25]...)
	require.Empty(t, et)
	_, et = add(batch[25:]...)
	require.Empty(t, et)
	_, et = add(map[string]any{"Name": "fifty-one"})
	assert.Equal(t, "InvalidParameterException", errType(et), et)
}

// TestUpdateIdentityProvider: ProviderDetails are merged into the
// provider's, the attribute mapping and the identifiers replaced when
// given; the dates follow; a refused update changes nothing.
func TestUpdateIdentityProvider(t *testing.T) {
	e := newUnlockedEnv(t)
	idp := func(name string, kv ...any) map[string]any {
		return input(map[string]any{"UserPoolId": e.pool, "ProviderName": name}, kv...)
	}
	created := e.ok("CreateIdentityProvider", idp("Corp", "ProviderType", "OIDC", "IdpIdentifiers", []string{"corp.example"},
		"ProviderDetails", map[string]string{"client_id": "c1", "client_secret": "s1", "oidc_issuer": "https://idp.corp.example",
			"authorize_scopes": "openid email", "attributes_request_method": "GET"},
		"AttributeMapping", map[string]string{"email": "email"}))["IdentityProvider"].(map[string]any)
	require.Contains(t, created, "CreationDate")
	e.ok("CreateIdentityProvider", idp("Other", "ProviderType", "Google", "IdpIdentifiers", []string{"other.example"},
		"ProviderDetails", map[string]string{"client_id": "g", "client_secret": "gs", "authorize_scopes": "openid"}))
	e.host.Advance(time.Minute)

	out := e.ok("UpdateIdentityProvider", idp("Corp", "ProviderDetails", map[string]string{"authorize_scopes": "openid email profile",
		"attributes_request_method": "POST", "attributes_url_add_attributes": "true"},
		"AttributeMapping", map[string]string{"name": "name", "given_name": "given_name"}))["IdentityProvider"].(map[string]any)
	d := out["ProviderDetails"].(map[string]any)
	assert.Equal(t, "c1", d["client_id"], "a detail left out stays")
	assert.Equal(t, "https://idp.corp.example", d["oidc_issuer"])
	assert.Equal(t, "openid email profile", d["authorize_scopes"])
	assert.Equal(t, "POST", d["attributes_request_method"])
	assert.NotContains(t, d, "attributes_url_add_attributes", "a detail Cognito fills is not taken")
	assert.Equal(t, map[string]any{"username": "sub", "name": "name", "given_name": "given_name"}, out["AttributeMapping"], "the mapping is replaced")
	assert.Equal(t, []any{"corp.example"}, out["IdpIdentifiers"], "identifiers left out stay")
	assert.Equal(t, created["CreationDate"], out["CreationDate"])
	assert.Greater(t, out["LastModifiedDate"].(float64), created["LastModifiedDate"].(float64))
	e.s.mu.Lock()
	assert.Equal(t, "s1", e.s.st.Pools[e.pool].Hosted.IdPs["Corp"].AppSecret, "the secret stays")
	e.s.mu.Unlock()

	out = e.ok("UpdateIdentityProvider", idp("Corp", "IdpIdentifiers", []string{"corp.example", "corp.test"}))["IdentityProvider"].(map[string]any)
	assert.Equal(t, []any{"corp.example", "corp.test"}, out["IdpIdentifiers"])
	got := e.ok("GetIdentityProviderByIdentifier", map[string]any{"UserPoolId": e.pool, "IdpIdentifier": "CORP.test"})["IdentityProvider"]
	assert.Equal(t, out, got, "found by any identifier, without regard to case")
	assert.Equal(t, out, e.ok("DescribeIdentityProvider", idp("Corp"))["IdentityProvider"])

	e.refuses(t, []refusal{
		{"unknown provider", "UpdateIdentityProvider", idp("Nobody", "AttributeMapping", map[string]string{"email": "email"}), "ResourceNotFoundException"},
		{"unknown pool", "UpdateIdentityProvider", map[string]any{"UserPoolId": "us-east-1_nothere", "ProviderName": "Corp"}, "ResourceNotFoundException"},
		{"issuer not a URL", "UpdateIdentityProvider", idp("Corp", "ProviderDetails", map[string]string{"oidc_issuer": "ftp:/x"}), "InvalidParameterException"},
		{"client_id removed", "UpdateIdentityProvider", idp("Corp", "ProviderDetails", map[string]string{"client_id": ""}), "InvalidParameterException"},
		{"scopes without openid", "UpdateIdentityProvider", idp("Corp", "ProviderDetails", map[string]string{"authorize_scopes": "email"}), "InvalidParameterException"},
		{"mapping to no attribute", "UpdateIdentityProvider", idp("Corp", "AttributeMapping", map[string]string{"custom:nothere": "x"}), "InvalidParameterException"},
		{"identifier of another", "UpdateIdentityProvider", idp("Corp", "IdpIdentifiers", []string{"Other.Example"}), "InvalidParameterException"},
		{"unknown identifier", "GetIdentityProviderByIdentifier", map[string]any{"UserPoolId": e.pool, "IdpIdentifier": "nobody.example"}, "ResourceNotFoundException"},
		{"identifier in unknown pool", "GetIdentityProviderByIdentifier", map[string]any{"UserPoolId": "us-east-1_nothere", "IdpIdentifier": "corp.example"}, "ResourceNotFoundException"},
		{"no identifier", "GetIdentityProviderByIdentifier", map[string]any{"UserPoolId": e.pool}, "InvalidParameterException"},
	})
	assert.Equal(t, out, e.ok("DescribeIdentityProvider", idp("Corp"))["IdentityProvider"], "refused updates changed nothing")
}

// TestUpdateSAMLProvider: a SAML provider's MetadataURL replaces its
// MetadataFile; RequestSigningAlgorithm takes rsa-sha256 only.
func TestUpdateSAMLProvider(t *testing.T) {
	e := newUnlockedEnv(t)
	e.ok("CreateIdentityProvider", map[string]any{"UserPoolId": e.pool, "ProviderName": "Entra", "ProviderType": "SAML",
		"ProviderDetails": map[string]string{"MetadataFile": "<md/>", "IDPSignout": "true"}})
	out := e.ok("UpdateIdentityProvider", map[string]any{"UserPoolId": e.pool, "ProviderName": "Entra",
		"ProviderDetails": map[string]string{"MetadataURL": "https://login.example/md", "RequestSigningAlgorithm": "rsa-sha256"}})
	assert.Equal(t, map[string]any{"MetadataURL": "https://login.example/md", "IDPSignout": "true", "RequestSigningAlgorithm": "rsa-sha256"},
		out["IdentityProvider"].(map[string]any)["ProviderDetails"])
	_, et := e.call("UpdateIdentityProvider", map[string]any{"UserPoolId": e.pool, "ProviderName": "Entra",
		"ProviderDetails": map[string]string{"RequestSigningAlgorithm": "rsa-sha1"}})
	assert.Equal(t, "InvalidParameterException", errType(et), et)
}

// signingCert fetches and parses a pool's signing certificate.
func signingCert(t *testing.T, e *unlockedEnv, poolID string) *x509.Certificate {
	t.Helper()
	out := e.ok("GetSigningCertificate", map[string]any{"UserPoolId": poolID})
	raw := out["Certificate"].(string)
	assert.NotContains(t, raw, "BEGIN", "no PEM headers")
	assert.NotContains(t, raw, "\n", "one line")
	der, err := base64.StdEncoding.DecodeString(raw)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert
}

// TestGetSigningCertificate: a real X.509 certificate, the same at each
// call, one per pool, for the key that signs the pool's SAML requests.
func TestGetSigningCertificate(t *testing.T) {
	e := newUnlockedEnv(t)
	cert := signingCert(t, e, e.pool)
	assert.Equal(t, SAMLEntityID(e.pool), cert.Subject.CommonName)
	assert.Equal(t, x509.SHA256WithRSA, cert.SignatureAlgorithm)
	require.NoError(t, cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature), "self-signed")
	now := e.host.Now()
	assert.True(t, cert.NotBefore.Before(now) && cert.NotAfter.After(now.AddDate(9, 11, 0)), "valid for ten years")
	assert.Equal(t, cert.Raw, signingCert(t, e, e.pool).Raw, "made once")

	other := e.ok("CreateUserPool", map[string]any{"PoolName": "other"})["UserPool"].(map[string]any)["Id"].(string)
	assert.False(t, cert.PublicKey.(*rsa.PublicKey).Equal(signingCert(t, e, other).PublicKey), "one key per pool")

	// The key behind it signs the pool's AuthnRequests.
	e.s.mu.Lock()
	key, kcert, err := e.s.samlSigningKey(e.s.st.Pools[e.pool], now)
	e.s.mu.Unlock()
	require.NoError(t, err)
	assert.Equal(t, cert.Raw, kcert.Raw)
	signed, err := signRedirect("https://idp.example/sso?SAMLRequest=abc%2B%3D&RelayState=st%20ate", key)
	require.NoError(t, err)
	require.NoError(t, verifyRedirect(signed, cert))
	tampered := strings.Replace(signed, "RelayState=st%20ate", "RelayState=other", 1)
	assert.Error(t, verifyRedirect(tampered, cert), "a changed RelayState breaks the signature")
	_, err = signRedirect(signed, key)
	assert.ErrorIs(t, err, errAlreadySigned)
	_, err = signRedirect("https://idp.example/sso", key)
	assert.Error(t, err)

	e.refuses(t, []refusal{
		{"unknown pool", "GetSigningCertificate", map[string]any{"UserPoolId": "us-east-1_nothere"}, "ResourceNotFoundException"},
		{"no pool", "GetSigningCertificate", map[string]any{}, "InvalidParameterException"},
	})
}

// verifyRedirect checks the HTTP-Redirect binding signature of a URL
// (SAML 2.0 Bindings, 3.4.4.1) with cert's key, as an identity provider
// does.
func verifyRedirect(loc string, cert *x509.Certificate) error {
	_, query, _ := strings.Cut(loc, "?")
	raw := map[string]string{}
	for _, part := range strings.Split(query, "&") {
		k, _, _ := strings.Cut(part, "=")
		raw[k] = part
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return err
	}
	if q.Get("SigAlg") != sigAlgRSASHA256 {
		return fmt.Errorf("SigAlg %q", q.Get("SigAlg"))
	}
	sig, err := base64.StdEncoding.DecodeString(q.Get("Signature"))
	if err != nil {
		return err
	}
	signed := raw["SAMLRequest"] + "&" + raw["RelayState"] + "&" + raw["SigAlg"]
	sum := sha256.Sum256([]byte(signed))
	return rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig)
}

// TestPersistConfigOps: what the configuration operations store survives
// a restart from the state database: an updated group, resource servers,
// tags, custom attributes, an updated identity provider and the signing
// certificate.
func TestPersistConfigOps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := newPersistEnv(t, path)
	with := func(kv ...any) map[string]any { return input(map[string]any{"UserPoolId": e.pool}, kv...) }
	e.ok("CreateGroup", with("GroupName", "admins"))
	e.ok("UpdateGroup", with("GroupName", "admins", "RoleArn", roleA, "Precedence", 3, "Description", "d"))
	e.ok("CreateResourceServer", with("Identifier", "api", "Name", "API", "Scopes", scopes("read")))
	e.ok("CreateResourceServer", with("Identifier", "gone", "Name", "Gone", "Scopes", scopes("x")))
	e.ok("UpdateResourceServer", with("Identifier", "api", "Name", "Orders", "Scopes", scopes("read", "write")))
	e.ok("DeleteResourceServer", with("Identifier", "gone"))
	e.ok("TagResource", map[string]any{"ResourceArn": e.s.poolARN(e.pool), "Tags": map[string]string{"env": "dev"}})
	e.ok("AddCustomAttributes", with("CustomAttributes", []map[string]any{{"Name": "age", "AttributeDataType": "Number",
		"NumberAttributeConstraints": map[string]string{"MinValue": "1"}}}))
	e.ok("CreateIdentityProvider", with("ProviderName", "Corp", "ProviderType", "OIDC", "ProviderDetails", map[string]string{
		"client_id": "c", "client_secret": "s", "oidc_issuer": "https://idp.example", "authorize_scopes": "openid"}))
	e.ok("UpdateIdentityProvider", with("ProviderName", "Corp", "IdpIdentifiers", []string{"corp.example"}))
	cert := signingCert(t, e, e.pool)

	want := stateJSON(t, e.s)
	for _, s := range []string{`"descriptions"`, `"env":"dev"`, `"custom:age"`, `"minValue":"1"`, `"corp.example"`, `"samlCert"`, roleA} {
		assert.Contains(t, want, s)
	}
	assert.JSONEq(t, want, reloaded(t, e, path))

	pool := e.pool
	e = openPersistEnv(t, path)
	assert.Equal(t, cert.Raw, signingCert(t, e, pool).Raw, "the same certificate after a restart")
	assert.Equal(t, map[string]any{"env": "dev"}, e.ok("ListTagsForResource", map[string]any{"ResourceArn": e.s.poolARN(pool)})["Tags"])
}

// TestSchemaAttributeCheckValue: a value is checked against the
// constraints AddCustomAttributes stored.
func TestSchemaAttributeCheckValue(t *testing.T) {
	tier := schemaAttribute{Name: "custom:tier", Type: "String", MinLength: "2", MaxLength: "4"}
	age := schemaAttribute{Name: "custom:age", Type: "Number", MinValue: "0", MaxValue: "150"}
	free := schemaAttribute{Name: "custom:any", Type: "Number"}
	for _, tc := range []struct {
		name string
		a    schemaAttribute
		v    string
		ok   bool
	}{
		{"string within", tier, "gold", true},
		{"string too short", tier, "g", false},
		{"string too long", tier, "golden", false},
		{"runes, not bytes", tier, "äöü", true},
		{"empty removes", tier, "", true},
		{"number within", age, "42", true},
		{"number below", age, "-1", false},
		{"number above", age, "151", false},
		{"not a number", age, "forty", false},
		{"number without bounds", free, "-99999", true},
		{"decimal", free, "1.5", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.checkValue(tc.v)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, "InvalidParameterException", errCode(err), "%v", err)
		})
	}
}

// TestIdentityProviderDates: a provider has a CreationDate from when it
// was first made, however it was made, and a LastModifiedDate from its
// last change.
func TestIdentityProviderDates(t *testing.T) {
	e := newUnlockedEnv(t)
	o := IdentityProviderOptions{Type: "Google", Details: map[string]string{"client_id": "g", "client_secret": "s"}}
	require.NoError(t, e.s.AddIdentityProvider(e.pool, o))
	first := e.ok("DescribeIdentityProvider", map[string]any{"UserPoolId": e.pool, "ProviderName": "Google"})["IdentityProvider"].(map[string]any)
	require.Contains(t, first, "CreationDate")
	assert.Equal(t, first["CreationDate"], first["LastModifiedDate"])
	e.host.Advance(time.Hour)
	o.Details["client_secret"] = "s2"
	require.NoError(t, e.s.AddIdentityProvider(e.pool, o))
	again := e.ok("DescribeIdentityProvider", map[string]any{"UserPoolId": e.pool, "ProviderName": "Google"})["IdentityProvider"].(map[string]any)
	assert.Equal(t, first["CreationDate"], again["CreationDate"], "replaced, not made anew")
	assert.InDelta(t, first["LastModifiedDate"].(float64)+3600, again["LastModifiedDate"], 1)
}

// TestUpdateIdentityProviderUndeclaredDuplicateError is the regression
// test of an update taking another provider's IdP identifier: it answered
// DuplicateProviderException, which UpdateIdentityProvider does not
// declare in the model (CreateIdentityProvider does); it answers
// InvalidParameterException.
func TestUpdateIdentityProviderUndeclaredDuplicateError(t *testing.T) {
	e := newUnlockedEnv(t)
	for _, name := range []string{"Alpha", "Beta"} {
		e.ok("CreateIdentityProvider", map[string]any{"UserPoolId": e.pool, "ProviderName": name, "ProviderType": "Google",
			"IdpIdentifiers":  []string{strings.ToLower(name) + ".example"},
			"ProviderDetails": map[string]string{"client_id": "g" + name, "client_secret": "s", "authorize_scopes": "openid"}})
	}
	_, et := e.call("UpdateIdentityProvider", map[string]any{"UserPoolId": e.pool, "ProviderName": "Beta", "IdpIdentifiers": []string{"alpha.example"}})
	assert.Equal(t, "InvalidParameterException", errType(et), et)
	_, et = e.call("CreateIdentityProvider", map[string]any{"UserPoolId": e.pool, "ProviderName": "Gamma", "ProviderType": "Google",
		"IdpIdentifiers":  []string{"alpha.example"},
		"ProviderDetails": map[string]string{"client_id": "gGamma", "client_secret": "s", "authorize_scopes": "openid"}})
	assert.Equal(t, "DuplicateProviderException", errType(et), "CreateIdentityProvider declares it")
}
