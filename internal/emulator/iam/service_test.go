package iam

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memStore is a RoleStore in memory.
type memStore struct {
	mu    sync.Mutex
	roles map[string]Role
}

func newMemStore() *memStore { return &memStore{roles: map[string]Role{}} }

func (m *memStore) Roles() []Role {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Role, 0, len(m.roles))
	for _, r := range m.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

func (m *memStore) PutRole(r Role) { m.mu.Lock(); m.roles[r.ARN] = r; m.mu.Unlock() }

func (m *memStore) DeleteRole(arn string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.roles[arn]
	delete(m.roles, arn)
	return ok
}

var _ RoleStore = (*memStore)(nil)

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`

func call(s *Service, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestServeHTTPActions(t *testing.T) {
	s := New(Config{Roles: newMemStore()})
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"create", url.Values{"Action": {"CreateRole"}, "Version": {"2010-05-08"}, "RoleName": {"r"}, "AssumeRolePolicyDocument": {trust}}, 200, "<CreateRoleResult><Role><Path>/</Path><RoleName>r</RoleName>"},
		{"other version", url.Values{"Action": {"GetRole"}, "Version": {"2011-06-15"}, "RoleName": {"r"}}, 400, "<Code>InvalidAction</Code>"},
		{"unknown action", url.Values{"Action": {"CreateUser"}, "UserName": {"u"}}, 400, "<Code>InvalidAction</Code>"},
		{"empty list", url.Values{"Action": {"ListRolePolicies"}, "RoleName": {"r"}}, 200, "<PolicyNames></PolicyNames><IsTruncated>false</IsTruncated>"},
		{"no output", url.Values{"Action": {"DeleteRole"}, "RoleName": {"r"}}, 200, "<DeleteRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata>"},
		{"gone", url.Values{"Action": {"GetRole"}, "RoleName": {"r"}}, 404, "<Code>NoSuchEntity</Code><Message>The role with name r cannot be found.</Message>"},
		{"bad max items", url.Values{"Action": {"ListRoles"}, "MaxItems": {"0"}}, 400, "<Code>ValidationError</Code>"},
		{"bad marker", url.Values{"Action": {"ListRoles"}, "Marker": {"zzz"}}, 400, "<Code>InvalidInput</Code>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(s, tc.form)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Contains(t, rec.Body.String(), tc.want)
		})
	}
}

// TestConcurrentInlinePolicies: concurrent PutRolePolicy calls on one
// role all land (IAM's read-modify-write is serialised).
func TestConcurrentInlinePolicies(t *testing.T) {
	s := New(Config{Roles: newMemStore()})
	require.Equal(t, 200, call(s, url.Values{"Action": {"CreateRole"}, "RoleName": {"r"}, "AssumeRolePolicyDocument": {trust}}).Code)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			call(s, url.Values{"Action": {"PutRolePolicy"}, "RoleName": {"r"}, "PolicyName": {"p" + string(rune('a'+i))},
				"PolicyDocument": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"execute-api:Invoke","Resource":"*"}]}`}})
		}(i)
	}
	wg.Wait()
	_, rec, err := s.find("r")
	require.NoError(t, err)
	assert.Len(t, rec.Inline, 16)
}

func BenchmarkGetRole(b *testing.B) {
	store := newMemStore()
	s := New(Config{Roles: store})
	for i := 0; i < 100; i++ {
		call(s, url.Values{"Action": {"CreateRole"}, "RoleName": {"r" + string(rune('a'+i%26)) + string(rune('a'+i/26))}, "AssumeRolePolicyDocument": {trust}})
	}
	form := url.Values{"Action": {"GetRole"}, "RoleName": {"rzc"}}.Encode()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Body.String())
		}
	}
}
