package cognitotest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/redact"
)

// Every helper X returns the emulated service's refusal as an *APIError,
// and MustX panics with it.
func TestHelperErrorForms(t *testing.T) {
	s := newServer(t)
	pool, err := s.CreateUserPool(PoolOptions{})
	require.NoError(t, err)
	_, err = s.CreateUser(pool, "alice", testPassword, nil)
	require.NoError(t, err)
	require.NoError(t, s.CreateGroup(pool, "admins", "", 1))

	tests := []struct {
		name string
		err  error
		code string // empty: any error
		must func()
	}{
		{"CreateUserPool bad ID", second(s.CreateUserPool(PoolOptions{ID: "nope"})), "",
			func() { s.MustCreateUserPool(PoolOptions{ID: "nope"}) }},
		{"CreateUserPoolClient unknown pool", second(s.CreateUserPoolClient("us-east-1_none", ClientOptions{})), "ResourceNotFoundException",
			func() { s.MustCreateUserPoolClient("us-east-1_none", ClientOptions{}) }},
		{"CreateUser weak password", second(s.CreateUser(pool, "bob", "x", nil)), "InvalidPasswordException",
			func() { s.MustCreateUser(pool, "bob", "x", nil) }},
		{"CreateUser existing", second(s.CreateUser(pool, "alice", testPassword, nil)), "UsernameExistsException",
			func() { s.MustCreateUser(pool, "alice", testPassword, nil) }},
		{"CreateGroup existing", s.CreateGroup(pool, "admins", "", 1), "GroupExistsException",
			func() { s.MustCreateGroup(pool, "admins", "", 1) }},
		{"AddUserToGroup unknown user", s.AddUserToGroup(pool, "nobody", "admins"), "UserNotFoundException",
			func() { s.MustAddUserToGroup(pool, "nobody", "admins") }},
		{"CreateIdentityProvider bad type", s.CreateIdentityProvider(pool, IdentityProviderOptions{Type: "SAML", AppID: "x"}), "InvalidParameterException",
			func() { s.MustCreateIdentityProvider(pool, IdentityProviderOptions{Type: "SAML", AppID: "x"}) }},
		{"CreateResourceServer bad identifier", s.CreateResourceServer(pool, ResourceServerOptions{Identifier: "a b"}), "",
			func() { s.MustCreateResourceServer(pool, ResourceServerOptions{Identifier: "a b"}) }},
		{"CreateIdentityPool bad name", second(s.CreateIdentityPool(IdentityPoolOptions{Name: "bad name!*"})), "",
			func() { s.MustCreateIdentityPool(IdentityPoolOptions{Name: "bad name!*"}) }},
		{"PutRole without ARN", s.PutRole(Role{}), "", func() { s.MustPutRole(Role{}) }},
		{"PutAPI bad ID", s.PutAPI(API{ID: "Bad ID"}), "", func() { s.MustPutAPI(API{ID: "Bad ID"}) }},
		{"PutIAMUser without keys", s.PutIAMUser(IAMUser{}), "", func() { s.MustPutIAMUser(IAMUser{}) }},
		{"FacebookToken without app", second(s.FacebookToken("", FacebookUser{ID: "1"})), "",
			func() { s.MustFacebookToken("", FacebookUser{ID: "1"}) }},
		{"TOTP not base32", second(s.TOTP("not base32!")), "", func() { s.MustTOTP("not base32!") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Error(t, tc.err)
			if tc.code != "" {
				var ae *APIError
				require.True(t, errors.As(tc.err, &ae), "%v", tc.err)
				assert.Equal(t, tc.code, ae.Code)
				assert.NotEmpty(t, ae.Message)
			}
			assert.Panics(t, tc.must)
		})
	}

	// The positive forms.
	cl := s.MustCreateUserPoolClient(pool, ClientOptions{})
	assert.NotEmpty(t, cl.ID)
	assert.NotPanics(t, func() { s.MustAddUserToGroup(pool, "alice", "admins") })
	assert.NoError(t, s.PutRole(Role{ARN: "arn:aws:iam::123456789012:role/R"}))
	code, err := s.TOTP("JBSWY3DPEHPK3PXP")
	require.NoError(t, err)
	assert.Len(t, code, 6)
}

func second[T any](_ T, err error) error { return err }

func TestIAMUserRedacted(t *testing.T) {
	u := IAMUser{ARN: "arn:aws:iam::123456789012:user/ci", AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI-secret"}
	assert.Empty(t, redact.Leaks(u, u.SecretAccessKey))
	assert.Empty(t, redact.Leaks(&u, u.SecretAccessKey))
	assert.Contains(t, u.String(), "AKIDEXAMPLE")
	assert.Contains(t, IAMUser{}.String(), "SecretAccessKey: none")
}
