package userpool

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRegisteredProviderHidesSecrets(t *testing.T) {
	r := registeredProvider("us-east-1_X", "http://127.0.0.1:1", &identityProvider{Name: "SignInWithApple", Type: typeApple,
		AppID: "com.example", AppSecret: "the-secret", Details: map[string]string{"private_key": "the-key"}})
	assert.Equal(t, "http://127.0.0.1:1/oauth2/idpresponse", r.RedirectURI)
	assert.Equal(t, "urn:amazon:cognito:sp:us-east-1_X", r.SAMLEntityID)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, r)
		assert.NotContains(t, out, "the-secret", verb)
		assert.NotContains(t, out, "the-key", verb)
		assert.NotContains(t, out, fmt.Sprintf("%x", "the-secret"), verb)
	}
	assert.Contains(t, r.String(), "com.example")
}

func TestMappedAttrs(t *testing.T) {
	idp := &identityProvider{AttributeMapping: map[string]string{"email": "email", "email_verified": "email_verified",
		"name": "name", "custom:groups": "groups", "custom:n": "n"}}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		want   map[string]string
	}{
		{"values", map[string]any{"email": "a@example.com", "email_verified": true, "name": "A", "groups": []string{"x", "y"}, "n": 3.0},
			map[string]string{"email": "a@example.com", "email_verified": "true", "name": "A", "custom:groups": "x,y", "custom:n": "3"}},
		{"bad e-mail and verified dropped", map[string]any{"email": "not-an-email", "email_verified": "maybe"}, map[string]string{}},
		{"other types dropped", map[string]any{"name": map[string]any{"x": 1}}, map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, mappedAttrs(idp, externalUser{Subject: "s", Claims: tc.claims}))
		})
	}
}
