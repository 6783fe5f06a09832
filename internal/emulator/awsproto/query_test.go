package awsproto

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteQueryResult(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteQueryResult(rec, NamespaceIAM, "GetRole", struct{ RoleName string }{"r<1>"})
	assert.Equal(t, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><RoleName>r&lt;1&gt;</RoleName></GetRoleResult><ResponseMetadata><RequestId>`+
		rec.Header().Get("X-Amzn-Requestid")+`</RequestId></ResponseMetadata></GetRoleResponse>`, rec.Body.String())
	assert.Equal(t, "text/xml", rec.Header().Get("Content-Type"))

	rec = httptest.NewRecorder()
	WriteQueryResult(rec, NamespaceIAM, "DeleteRole", nil)
	assert.NotContains(t, rec.Body.String(), "DeleteRoleResult", "no output, no Result element")
	assert.Contains(t, rec.Body.String(), "<ResponseMetadata><RequestId>")
}

func TestWriteQueryErr(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"query error", &QueryError{Status: 404, Code: "NoSuchEntity", Message: "m"}, 404, "NoSuchEntity"},
		{"default status", &QueryError{Code: "ValidationError", Message: "m"}, 400, "ValidationError"},
		{"api error", Errorf("InvalidAction", "m"), 400, "InvalidAction"},
		{"other error hides its text", errors.New("secret detail"), 500, "InternalFailure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteQueryErr(rec, NamespaceSTS, tc.err)
			assert.Equal(t, tc.status, rec.Code)
			assert.Contains(t, rec.Body.String(), "<Code>"+tc.code+"</Code>")
			assert.NotContains(t, rec.Body.String(), "secret detail")
		})
	}
}

func TestQueryForm(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/?Version=2010-05-08&Action=Ignored", strings.NewReader(
		"Action=TagRole&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&TagKeys.member.1=x&TagKeys.member.2=y&TagKeys.member.4=z"))
	form, err := ParseQueryForm(r)
	require.NoError(t, err)
	assert.Equal(t, "TagRole", form.Get("Action"), "the body wins over the URL")
	assert.Equal(t, "2010-05-08", form.Get("Version"))
	assert.Equal(t, []QueryPair{{"a", "1"}, {"b", ""}}, QueryPairs(form, "Tags"))
	assert.Equal(t, []string{"x", "y"}, QueryMembers(form, "TagKeys"), "stops at the first gap")
	assert.Empty(t, QueryMembers(url.Values{}, "TagKeys"))

	_, err = ParseQueryForm(httptest.NewRequest(http.MethodPost, "/", strings.NewReader("a=%zz")))
	var qe *QueryError
	require.ErrorAs(t, err, &qe)
	assert.Equal(t, "MalformedQueryString", qe.Code)
}

func TestScopeServiceAndNamespace(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	assert.Empty(t, ScopeService(r))
	assert.Equal(t, NamespaceSTS, QueryNamespace(r, nil))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00")
	assert.Equal(t, "iam", ScopeService(r))
	assert.Equal(t, NamespaceIAM, QueryNamespace(r, nil))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request")
	assert.Equal(t, NamespaceIAM, QueryNamespace(r, url.Values{"Version": {"2010-05-08"}}))
	r.Header.Set("Authorization", "Bearer x")
	assert.Empty(t, ScopeService(r))
}
