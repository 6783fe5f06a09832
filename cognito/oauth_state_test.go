package cognito_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/cognito"
)

// TestSecurityReview8_StateDestinationsResolved: with "/account/" allowed,
// "/account/..?x", "/account/%2e%2e/admin" and the like were accepted by a
// prefix match although browsers resolve them outside /account/. Every
// destination is now refused unless it names itself once resolved, and
// absolute destinations are matched by exact origin.
func TestSecurityReview8_StateDestinationsResolved(t *testing.T) {
	sc, err := cognito.NewStateCodec(bytes.Repeat([]byte{7}, 32), func(o *cognito.StateOptions) {
		o.AllowedDestinations = []string{"/", "/orders", "/account/", "https://other.example/app/", "http://127.0.0.1:8080/cb", "https://Shop.Example"}
	})
	require.NoError(t, err)
	cases := []struct {
		dest    string
		allowed bool
	}{
		// Allowed.
		{"/", true},
		{"/?next=1", true},
		{"/orders", true},
		{"/orders?x=1#top", true},
		{"/account/", true},
		{"/account/keys", true},
		{"/account/a/b?tab=2", true},
		{"/account/a%20b", true},
		{"/account/..x", true},              // not a dot segment
		{"/account/x/..%2Fy", false},        // "%2F" hides a ".." segment from the browser but not from a server
		{"/account/x?next=/../admin", true}, // the query is not resolved
		{"https://other.example/app/", true},
		{"https://other.example/app/page?x=1", true},
		{"HTTPS://OTHER.EXAMPLE/app/page", true},
		{"https://other.example:443/app/page", true},
		{"http://127.0.0.1:8080/cb", true},
		{"http://127.0.0.1:8080/cb?code=x", true},
		{"https://shop.example", true},
		{"https://shop.example/", true},

		// The review's bypasses.
		{"/account/..?x", false},
		{"/account/..#x", false},
		{"/account/%2e%2e/admin", false},
		{"/account/.%2e/admin", false},
		// More of the same family.
		{"/account/%2E%2E/admin", false},
		{"/account/%2e./admin", false},
		{"/account/%2E/admin", false},
		{"/account/./admin", false},
		{"/account/..", false},
		{"/account/../admin", false},
		{"/account/%2F..", false},
		{"/account/%2f..%2fadmin", false},
		{"/account/x/%2e%2e/%2e%2e/admin", false},
		{"/account/%252e%252e/admin", true}, // double-encoded: one decode leaves "%2e%2e", a literal segment
		{"/account//evil.example", false},
		{"/account/%2F%2Fevil.example", false},
		{"/account/%5C..", false},
		{"/account/%5cevil", false},
		{"/account/%00", false},
		{"/account/%zz", false},
		{"/orders?q=%zz", false}, // a broken escape anywhere: not a URL
		{"/orders#%0", false},
		{"/orders?q=100%", false},
		{"/orders?q=100%25", true},
		// Backslashes, scheme-relative and other hosts.
		{"/\\evil.example", false},
		{"\\\\evil.example", false},
		{"/account/\\..\\admin", false},
		{"//evil.example", false},
		{"//evil.example/account/", false},
		{"///evil.example", false},
		{"https://evil.example/", false},
		{"https://other.example.evil.example/app/", false},
		{"https://other.example@evil.example/app/", false},
		{"https://evil.example@other.example/app/", false},
		{"https://other.example%2Eevil.example/app/", false},
		{"https://other.example:8443/app/", false},
		{"http://other.example/app/", false},
		{"https:other.example/app/", false},
		{"https:/other.example/app/", false},
		{"https://other.example/app", false},
		{"https://other.example/ap", false},
		{"https://other.example/app/../admin", false},
		{"https://other.example/app/%2e%2e/admin", false},
		{"https://other.example\\@evil.example/app/", false},
		{"http://127.0.0.1:8081/cb", false},
		{"http://localhost:8080/cb", false},
		{"https://shop.example/admin", false},
		{"javascript:alert(1)", false},
		{"data:text/html,x", false},
		{"evil", false},
		// Characters browsers strip or reject.
		{"/account/\t/../admin", false},
		{"/\t/evil.example", false},
		{"/\n/evil.example", false},
		{"/orders\r\nSet-Cookie: x", false},
		{" //evil.example", false},
		{"/orders ", false},
		{"/orders\x00", false},
	}
	assert.False(t, sc.Allowed(""), "empty is not a destination (New turns it into \"/\")")
	for _, tc := range cases {
		t.Run(strings.ToValidUTF8(tc.dest, "?"), func(t *testing.T) {
			assert.Equal(t, tc.allowed, sc.Allowed(tc.dest), "%q", tc.dest)
			state, nonce, err := sc.New(tc.dest)
			if !tc.allowed {
				assert.ErrorIs(t, err, cognito.ErrDestinationNotAllowed)
				return
			}
			require.NoError(t, err)
			got, err := sc.Verify(state, nonce)
			require.NoError(t, err)
			assert.Equal(t, tc.dest, got)
		})
	}
}

// TestStateVerifyRefusesLineBreaksInSignature: encoding/base64 skips CR
// and LF, so a state with them in its signature verified; one state now
// has one spelling.
func TestStateVerifyRefusesLineBreaksInSignature(t *testing.T) {
	sc, err := cognito.NewStateCodec(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	state, nonce, err := sc.New("/")
	require.NoError(t, err)
	_, err = sc.Verify(state, nonce)
	require.NoError(t, err)
	for _, s := range []string{state + "\n", state + "\r\n", state[:len(state)-4] + "\r" + state[len(state)-4:]} {
		_, err = sc.Verify(s, nonce)
		assert.ErrorIs(t, err, cognito.ErrInvalidState, "%q", s)
	}
}

// FuzzStateAllowedStaysInside: whatever Allowed accepts, once resolved
// against the site as a browser would (net/url's RFC 3986 resolution, then
// percent-decoding), stays on an allowed origin and under its allowed
// path, with no dot segment left.
func FuzzStateAllowedStaysInside(f *testing.F) {
	sc, err := cognito.NewStateCodec(bytes.Repeat([]byte{7}, 32), func(o *cognito.StateOptions) {
		o.AllowedDestinations = []string{"/", "/account/", "https://other.example/app/"}
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"/", "/account/x", "/account/..?x", "/account/%2e%2e/admin", "//evil", "/\\evil",
		"https://other.example/app/x", "https://other.example@evil/app/", "/account/%2F..", "/account/\t/../x"} {
		f.Add(s)
	}
	site, _ := url.Parse("https://site.example/start/page")
	f.Fuzz(func(t *testing.T, d string) {
		if !sc.Allowed(d) {
			return
		}
		u, err := url.Parse(d)
		require.NoError(t, err, "%q", d)
		r := site.ResolveReference(u)
		require.Nil(t, r.User, "%q", d)
		dec, err := url.PathUnescape(r.EscapedPath())
		require.NoError(t, err, "%q", d)
		for _, seg := range strings.Split(dec, "/") {
			require.NotContains(t, []string{".", ".."}, seg, "%q", d)
		}
		switch strings.ToLower(r.Host) { // browsers lower-case the host
		case "site.example":
			require.True(t, dec == "/" || strings.HasPrefix(dec, "/account/"), "%q resolves to %q", d, dec)
		case "other.example", "other.example:443":
			require.Equal(t, "https", strings.ToLower(r.Scheme))
			require.True(t, strings.HasPrefix(dec, "/app/"), "%q resolves to %q", d, dec)
		default:
			t.Fatalf("%q leaves the allowed origins: %s", d, r)
		}
	})
}
