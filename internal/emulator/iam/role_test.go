package iam

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrustOf(t *testing.T) {
	const fed = `"Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"`
	tests := []struct {
		name  string
		doc   string
		pools []string
		amr   string
	}{
		{"any pool, any amr", `{"Statement":[{"Effect":"Allow",` + fed + `}]}`, nil, ""},
		{"one pool, authenticated", `{"Statement":{"Effect":"Allow",` + fed + `,"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:p"},"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"authenticated"}}}}`, []string{"us-east-1:p"}, "authenticated"},
		{"both amr values", `{"Statement":[{"Effect":"Allow",` + fed + `,"Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":["authenticated","unauthenticated"]}}}]}`, nil, ""},
		{"two statements, two pools", `{"Statement":[{"Effect":"Allow",` + fed + `,"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"b"}}},{"Effect":"Allow",` + fed + `,"Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"a"}}}]}`, []string{"a", "b"}, ""},
		{"wildcard action", `{"Statement":[{"Effect":"Allow","Principal":{"Federated":["cognito-identity.amazonaws.com"]},"Action":"sts:*"}]}`, nil, ""},
		{"lambda only", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, nil, untrusted},
		{"deny only", `{"Statement":[{"Effect":"Deny",` + fed + `}]}`, nil, untrusted},
		{"other amr", `{"Statement":[{"Effect":"Allow",` + fed + `,"Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"graph.facebook.com"}}}]}`, nil, untrusted},
		{"not json", `{`, nil, untrusted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pools, amr := trustOf(tc.doc)
			assert.Equal(t, tc.pools, pools)
			assert.Equal(t, tc.amr, amr)
		})
	}
}

func TestUnionPolicy(t *testing.T) {
	got, err := unionPolicy(map[string]string{
		"b": `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"x"}}`,
		"a": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`,
	})
	require.NoError(t, err)
	var doc struct{ Statement []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(got), &doc))
	require.Len(t, doc.Statement, 2)
	assert.Equal(t, "Allow", doc.Statement[0]["Effect"], "ordered by policy name")
	empty, err := unionPolicy(nil)
	require.NoError(t, err)
	assert.Empty(t, empty, "no inline policy allows nothing")
	_, err = unionPolicy(map[string]string{"x": `{"Statement":"no"}`})
	assert.Error(t, err)
}

func TestFromStoreDerivesRolesDeclaredElsewhere(t *testing.T) {
	r := Role{ARN: "arn:aws:iam::123456789012:role/a/b/Name", TrustedIdentityPools: []string{"us-east-1:p"}, TrustedAMR: "authenticated", Policy: `{"Statement":[]}`}
	rec, ok := fromStore(r)
	require.True(t, ok)
	assert.Equal(t, "/a/b/", rec.Path)
	assert.Equal(t, "Name", rec.Name)
	assert.Regexp(t, `^AROA[A-Z2-7]{17}$`, rec.ID)
	again, _ := fromStore(r)
	assert.Equal(t, rec.ID, again.ID, "the derived ID is stable")
	assert.Equal(t, r.Policy, rec.Inline["policy"])
	pools, amr := trustOf(rec.AssumeRolePolicy)
	assert.Equal(t, r.TrustedIdentityPools, pools)
	assert.Equal(t, "authenticated", amr)

	top, ok := fromStore(Role{ARN: "arn:aws:iam::123456789012:role/Top"})
	require.True(t, ok)
	assert.Equal(t, "/", top.Path)
	assert.Empty(t, top.Inline)
	_, ok = fromStore(Role{ARN: "arn:aws:iam::123456789012:user/u"})
	assert.False(t, ok, "not a role ARN")
}

func TestEncodeDocument(t *testing.T) {
	for _, doc := range []string{`{"a": "b+c/d"}`, "", `ü %`} {
		enc := encodeDocument(doc)
		assert.NotContains(t, enc, "+")
		assert.NotContains(t, enc, " ")
		dec, err := url.QueryUnescape(enc)
		require.NoError(t, err)
		assert.Equal(t, doc, dec)
		dec, err = url.PathUnescape(enc)
		require.NoError(t, err)
		assert.Equal(t, doc, dec)
	}
}
