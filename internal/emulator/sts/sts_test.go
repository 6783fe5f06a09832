package sts

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeIssuer struct {
	got Request
	err error
}

func (f *fakeIssuer) AssumeRoleWithWebIdentity(req Request) (Result, error) {
	f.got = req
	if f.err != nil {
		return Result{}, f.err
	}
	return Result{Subject: "us-east-1:sub", Audience: "us-east-1:pool", AccessKeyID: "ASIAEXAMPLE1234",
		SecretAccessKey: "secret", SessionToken: "token", Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}, nil
}

func post(t *testing.T, s *Service, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	require.True(t, IsRequest(req))
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	good := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "RoleArn": {"arn:aws:iam::123456789012:role/R"},
		"RoleSessionName": {"s1"}, "WebIdentityToken": {"tok"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = vv
		}
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name   string
		form   url.Values
		err    error
		status int
		code   string
	}{
		{"ok", good, nil, 200, ""},
		{"bad role", with("RoleArn", "role/R"), nil, 400, "ValidationError"},
		{"bad session", with("RoleSessionName", "a"), nil, 400, "ValidationError"},
		{"no token", with("WebIdentityToken", ""), nil, 400, "ValidationError"},
		{"short duration", with("DurationSeconds", "60"), nil, 400, "ValidationError"},
		{"big policy", with("Policy", strings.Repeat("x", 2049)), nil, 400, "PackedPolicyTooLarge"},
		{"other action", with("Action", "AssumeRole"), nil, 400, "InvalidAction"},
		{"refused", good, &Error{Status: 403, Code: "AccessDenied", Message: "no"}, 403, "AccessDenied"},
		{"issuer failure", good, errors.New("boom"), 500, "InternalError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			iss := &fakeIssuer{err: tc.err}
			rec := post(t, New(iss, "123456789012"), tc.form)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.code != "" {
				assert.Contains(t, rec.Body.String(), "<Code>"+tc.code+"</Code>")
				assert.NotContains(t, rec.Body.String(), "boom")
				return
			}
			body := rec.Body.String()
			assert.Contains(t, body, "<AccessKeyId>ASIAEXAMPLE1234</AccessKeyId>")
			assert.Contains(t, body, "<Arn>arn:aws:sts::123456789012:assumed-role/R/s1</Arn>")
			assert.Contains(t, body, "<Expiration>2030-01-02T03:04:05Z</Expiration>")
			assert.Equal(t, time.Hour, iss.got.Duration)
			assert.Equal(t, "tok", iss.got.WebIdentityToken)
		})
	}
	assert.False(t, IsRequest(httptest.NewRequest(http.MethodPost, "/", nil)), "no form content type")
}
