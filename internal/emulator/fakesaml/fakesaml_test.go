package fakesaml

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/fakeoauth/oauthtest"
	"github.com/crewjam/saml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	poolSP = "urn:amazon:cognito:sp:us-east-1_TEST"
	acs    = "https://auth.example.com/saml2/idpresponse"
	role   = "arn:aws:iam::123456789012:role/SAMLUser,arn:aws:iam::123456789012:saml-provider/Fake"
)

var (
	keysOnce sync.Once
	keys     [2]*rsa.PrivateKey
)

func testKey(i int) *rsa.PrivateKey {
	keysOnce.Do(func() {
		for j := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[j] = k
		}
	})
	return keys[i]
}

type fixture struct {
	idp *IdP
	ts  *httptest.Server
	clk *oauthtest.Clock
	md  []byte
}

// newFixture starts an IdP signing with key i, with the pool registered
// and one user.
func newFixture(t *testing.T, i int) *fixture {
	t.Helper()
	clk := oauthtest.NewClock(time.Now().UTC().Truncate(time.Second))
	ts := httptest.NewUnstartedServer(nil)
	idp, err := NewIdP(IdPConfig{BaseURL: "http://" + ts.Listener.Addr().String(), Prefix: "/_emulator/saml/",
		Key: testKey(i), Now: clk.Now})
	require.NoError(t, err)
	ts.Config.Handler = idp
	ts.Start()
	t.Cleanup(ts.Close)
	require.NoError(t, idp.RegisterServiceProvider(poolSP, acs))
	require.NoError(t, idp.PutUser(User{NameID: "ann@example.com", NameIDFormat: string(saml.EmailAddressNameIDFormat),
		Attributes: map[string][]string{"email": {"ann@example.com"}, "groups": {"admins", "devs"}, AttrRole: {role}}}))
	status, md := oauthtest.Get(t, http.DefaultClient, ts.URL+"/_emulator/saml/metadata")
	require.Equal(t, 200, status)
	return &fixture{idp: idp, ts: ts, clk: clk, md: []byte(md)}
}

func (f *fixture) sp(t *testing.T, entityID, acsURL string, idpInitiated bool) *SP {
	t.Helper()
	sp, err := NewSP(SPConfig{EntityID: entityID, ACSURL: acsURL, IdPMetadata: f.md, Now: f.clk.Now, AllowIDPInitiated: idpInitiated})
	require.NoError(t, err)
	return sp
}

func TestBrowserLogin(t *testing.T) {
	f := newFixture(t, 0)
	sp := f.sp(t, poolSP, acs, false)
	loginURL, reqID, err := sp.AuthnRequestURL("state-123")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(loginURL, f.ts.URL+"/_emulator/saml/sso?SAMLRequest="), loginURL)

	c := oauthtest.Browser(t)
	resp := oauthtest.Consent(t, c, loginURL, f.ts.URL+"/_emulator/saml/sso",
		url.Values{"username": {"ann@example.com"}, "fakesaml_action": {"allow"}})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(body))
	assert.Contains(t, string(body), `action="`+acs+`"`)
	form := oauthtest.HiddenFields(string(body))
	assert.Equal(t, "state-123", form.Get("RelayState"))

	a, err := sp.VerifyResponse(form.Get("SAMLResponse"), []string{reqID})
	require.NoError(t, err)
	assert.Equal(t, "ann@example.com", a.NameID)
	assert.Equal(t, string(saml.EmailAddressNameIDFormat), a.NameIDFormat)
	assert.Equal(t, f.idp.EntityID(), a.Issuer)
	assert.Equal(t, []string{"admins", "devs"}, a.Attributes["groups"])
	assert.Equal(t, []string{role}, a.Attributes[AttrRole])
	assert.Equal(t, []string{"ann@example.com"}, a.Attributes["email"])

	// The same response posted again is a replay.
	_, err = sp.VerifyResponse(form.Get("SAMLResponse"), []string{reqID})
	require.ErrorIs(t, err, ErrInvalidResponse)
	assert.ErrorIs(t, err, saml.ErrAssertionReplayed)
}

func TestLoginPageRefusals(t *testing.T) {
	f := newFixture(t, 0)
	c := oauthtest.Browser(t)
	foreign := f.sp(t, "urn:amazon:cognito:sp:us-east-1_OTHER", acs, false)
	otherACS := f.sp(t, poolSP, "https://evil.example/saml2/idpresponse", false)
	good := f.sp(t, poolSP, acs, false)
	tests := []struct {
		name   string
		sp     *SP
		status int
	}{
		{"registered SP and ACS URL", good, 200},
		{"unknown SP", foreign, 400},
		{"unregistered ACS URL", otherACS, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, _, err := tc.sp.AuthnRequestURL("")
			require.NoError(t, err)
			status, page := oauthtest.Get(t, c, u)
			assert.Equal(t, tc.status, status, page)
			if tc.status == 200 {
				assert.Contains(t, page, `id="saml-signin"`)
			} else {
				assert.NotContains(t, page, "SAMLResponse")
			}
		})
	}

	u, reqID, err := good.AuthnRequestURL("")
	require.NoError(t, err)
	// An unknown user is asked again.
	resp := oauthtest.Consent(t, c, u, f.ts.URL+"/_emulator/saml/sso", url.Values{"username": {"mallory"}, "fakesaml_action": {"allow"}})
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	// Cancelling posts a SAML error Response, which the SP refuses.
	resp = oauthtest.Consent(t, c, u, f.ts.URL+"/_emulator/saml/sso", url.Values{"fakesaml_action": {"deny"}})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	_, err = good.VerifyResponse(oauthtest.HiddenFields(string(body)).Get("SAMLResponse"), []string{reqID})
	var bad saml.ErrBadStatus
	require.ErrorAs(t, err, &bad)
	assert.Equal(t, saml.StatusResponder, bad.Status)
}

func tamper(t *testing.T, resp, from, to string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(resp)
	require.NoError(t, err)
	require.Contains(t, string(raw), from)
	return base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(string(raw), from, to)))
}

func TestVerifyResponseRefusals(t *testing.T) {
	f := newFixture(t, 0)
	// An IdP with the same entity ID and another key: a forger.
	forger, err := NewIdP(IdPConfig{BaseURL: strings.TrimSuffix(f.idp.idp.MetadataURL.String(), "/_emulator/saml/metadata"),
		Prefix: "/_emulator/saml/", Key: testKey(1), Now: f.clk.Now})
	require.NoError(t, err)
	require.NoError(t, forger.RegisterServiceProvider(poolSP, acs))
	require.NoError(t, forger.PutUser(User{NameID: "ann@example.com"}))

	tests := []struct {
		name string
		// issue returns the response to verify and the request IDs to pass.
		issue   func(t *testing.T, sp *SP) (string, []string)
		verify  *SP
		advance time.Duration
		want    error
	}{
		{"valid", nil, nil, 0, nil},
		{"tampered attribute", func(t *testing.T, sp *SP) (string, []string) {
			r, ids := respond(t, f.idp, sp)
			return tamper(t, r, "admins", "root"), ids
		}, nil, 0, saml.ErrInvalidSignature},
		{"tampered NameID", func(t *testing.T, sp *SP) (string, []string) {
			r, ids := respond(t, f.idp, sp)
			return tamper(t, r, ">ann@example.com<", ">bob@example.com<"), ids
		}, nil, 0, saml.ErrInvalidSignature},
		{"signed by another key", func(t *testing.T, sp *SP) (string, []string) { return respond(t, forger, sp) }, nil, 0, saml.ErrInvalidSignature},
		{"wrong audience", nil, f.sp(t, "urn:amazon:cognito:sp:us-east-1_OTHER", acs, false), 0, saml.ErrAudienceMismatch},
		{"wrong recipient", nil, f.sp(t, poolSP, "https://auth.example.com/other", false), 0, saml.ErrDestinationMismatch},
		{"expired", nil, nil, 10 * time.Minute, saml.ErrExpired},
		{"other request ID", func(t *testing.T, sp *SP) (string, []string) {
			r, _ := respond(t, f.idp, sp)
			return r, []string{"id-other"}
		}, nil, 0, saml.ErrRequestIDMismatch},
		{"unsolicited when not allowed", func(t *testing.T, sp *SP) (string, []string) {
			r, err := f.idp.RespondUnsolicited(poolSP, "ann@example.com", "")
			require.NoError(t, err)
			return r.SAMLResponse, nil
		}, nil, 0, saml.ErrRequestIDMismatch},
		{"not base64", func(*testing.T, *SP) (string, []string) { return "%%%", nil }, nil, 0, saml.ErrMalformedMessage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sp := f.sp(t, poolSP, acs, false)
			resp, ids := "", []string(nil)
			if tc.issue != nil {
				resp, ids = tc.issue(t, sp)
			} else {
				resp, ids = respond(t, f.idp, sp)
			}
			verifier := sp
			if tc.verify != nil {
				verifier = tc.verify
			}
			f.clk.Add(tc.advance)
			defer f.clk.Add(-tc.advance)
			a, err := verifier.VerifyResponse(resp, ids)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, "ann@example.com", a.NameID)
				return
			}
			require.ErrorIs(t, err, ErrInvalidResponse)
			require.ErrorIs(t, err, tc.want, "%v", errors.Unwrap(err))
		})
	}
}

// respond starts a login at sp and has Ann sign in at idp.
func respond(t *testing.T, idp *IdP, sp *SP) (string, []string) {
	t.Helper()
	u, id, err := sp.AuthnRequestURL("rs")
	require.NoError(t, err)
	r, err := idp.Respond(u, "ann@example.com")
	require.NoError(t, err)
	assert.Equal(t, acs, r.ACSURL)
	assert.Equal(t, "rs", r.RelayState)
	return r.SAMLResponse, []string{id}
}

func TestUnsolicitedAndHelpers(t *testing.T) {
	f := newFixture(t, 0)
	sp := f.sp(t, poolSP, acs, true)
	r, err := f.idp.RespondUnsolicited(poolSP, "ann@example.com", "")
	require.NoError(t, err)
	a, err := sp.VerifyResponse(r.SAMLResponse, nil)
	require.NoError(t, err)
	assert.Equal(t, "ann@example.com", a.NameID)

	_, err = f.idp.RespondUnsolicited("urn:nobody", "ann@example.com", "")
	assert.ErrorIs(t, err, ErrUnknownServiceProvider)
	_, err = f.idp.RespondUnsolicited(poolSP, "nobody", "")
	assert.ErrorIs(t, err, ErrUnknownUser)
	u, _, err := sp.AuthnRequestURL("")
	require.NoError(t, err)
	_, err = f.idp.Respond(u, "nobody")
	assert.ErrorIs(t, err, ErrUnknownUser)
	_, err = f.idp.Respond(u+"garbage", "ann@example.com")
	assert.Error(t, err)

	_, err = NewSP(SPConfig{EntityID: poolSP, ACSURL: acs, IdPMetadata: []byte("<nope/>")})
	assert.Error(t, err)
	_, err = NewSP(SPConfig{EntityID: poolSP, ACSURL: "/relative", IdPMetadata: f.md})
	assert.Error(t, err)
	_, err = NewIdP(IdPConfig{BaseURL: "not a url", Prefix: "/x/"})
	assert.Error(t, err)
	assert.Error(t, f.idp.RegisterServiceProvider(poolSP, "/relative"))
	assert.Error(t, f.idp.PutUser(User{}))
}
