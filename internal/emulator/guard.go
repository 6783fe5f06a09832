package emulator

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
)

// Who may call the emulator from a browser, and what an admin call must
// carry.
//
// Cross-origin (CORS) access is granted to loopback origins
// (http://localhost:*, http://127.0.0.1:*, http://[::1]:* and their https
// forms), to the origins in Options.CORSOrigins, and to the server's own
// origin when it is reached by an IP address. Any other Origin is foreign:
// it gets no CORS headers, its preflights are refused, and it may not call
// POST / (every JSON and query operation) or anything under /_emulator/.
// Pages that only navigate (the hosted UI, JWKS, the emulated APIs) are
// served to it as before, without CORS headers.
//
// Operations that need IAM credentials in Cognito need a well-formed SigV4
// Authorization header (see checkSigV4). The emulator holds no secret keys,
// so it cannot check the signature itself.

// corsAllowHeaders are the request headers a preflight may ask for: what the
// AWS SDKs, Amplify and a SigV4-signing browser send.
const corsAllowHeaders = "Authorization, Content-Type, X-Amz-Target, X-Amz-User-Agent, X-Amz-Date, " +
	"X-Amz-Security-Token, X-Amz-Content-Sha256, Amz-Sdk-Invocation-Id, Amz-Sdk-Request, Cache-Control, X-Amz-Api-Version"

// maxClockSkew is how far X-Amz-Date may be from the emulator's clock, as
// in AWS.
const maxClockSkew = 15 * time.Minute

// canonicalOrigin parses an origin (scheme://host[:port], nothing else) and
// returns it lower-cased, or false.
func canonicalOrigin(o string) (*url.URL, bool) {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, false
	}
	u.Scheme, u.Host, u.Path = strings.ToLower(u.Scheme), strings.ToLower(u.Host), ""
	return u, true
}

// validateCORSOrigins checks Options.CORSOrigins and returns them in
// canonical form.
func validateCORSOrigins(list []string) (map[string]bool, error) {
	m := map[string]bool{}
	for _, o := range list {
		u, ok := canonicalOrigin(o)
		if !ok {
			return nil, fmt.Errorf("cognitotest: CORS origin %q is not scheme://host[:port] (\"*\" is not accepted)", o)
		}
		m[u.Scheme+"://"+u.Host] = true
	}
	return m, nil
}

// originAllowed reports whether a browser page of origin may call the
// emulator cross-origin.
func (s *Host) originAllowed(r *http.Request, origin string) bool {
	u, ok := canonicalOrigin(origin)
	if !ok {
		return false // includes "null"
	}
	switch u.Hostname() {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	if s.corsOrigins[u.Scheme+"://"+u.Host] {
		return true
	}
	// The emulator's own pages, when it is reached by an IP address (a host
	// name could be rebound to it by a foreign site).
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return u.Scheme == scheme && u.Host == strings.ToLower(r.Host) && net.ParseIP(strings.Trim(host, "[]")) != nil
}

// applyCORS sets the CORS answer for r and reports whether the request is
// finished (a preflight, or a foreign origin refused).
func (s *Host) applyCORS(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	h := w.Header()
	h.Add("Vary", "Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	allowed := origin != "" && s.originAllowed(r, origin)
	if allowed {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "X-Amzn-Errortype, X-Amzn-Requestid, X-Amzn-Errormessage, Date")
	}
	if preflight {
		if !allowed {
			awsproto.WriteError(w, awsproto.Errorf("AccessDeniedException", "cognitotest: cross-origin requests from this origin are not allowed (see Options.CORSOrigins, cognitoctl serve -cors-origin)"), http.StatusForbidden)
			return true
		}
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	if origin == "" || allowed {
		return false
	}
	if r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/_emulator/") {
		awsproto.WriteError(w, awsproto.Errorf("AccessDeniedException", "cognitotest: %s %s is not served to cross-origin pages", r.Method, r.URL.Path), http.StatusForbidden)
		return true
	}
	return false
}

var (
	sigV4Credential = regexp.MustCompile(`^[A-Za-z0-9_]{1,128}/([0-9]{8})/[a-z0-9-]{1,32}/([a-z0-9-]{1,32})/aws4_request$`)
	sigV4Headers    = regexp.MustCompile(`^[a-z0-9-]+(;[a-z0-9-]+)*$`)
	sigV4Signature  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// checkSigV4 checks that r carries a well-formed SigV4 Authorization header
// for service: "AWS4-HMAC-SHA256 Credential=AKID/YYYYMMDD/region/service/
// aws4_request, SignedHeaders=host;..., Signature=<64 hex>", with an
// X-Amz-Date on the date of the scope and within 15 minutes of the
// emulator's clock (or of the wall clock, for tests that move the
// emulator's clock). The emulator holds no secret keys, so the signature
// itself is not verified. It returns nil or the APIError Cognito answers.
func checkSigV4(r *http.Request, service string, now time.Time) error {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		return awsproto.Errorf("MissingAuthenticationTokenException", "Missing Authentication Token: this operation requires AWS credentials (a SigV4-signed request)")
	}
	rest, ok := strings.CutPrefix(authz, "AWS4-HMAC-SHA256 ")
	if !ok {
		return awsproto.Errorf("IncompleteSignatureException", "Authorization header requires the AWS4-HMAC-SHA256 algorithm")
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || fields[k] != "" {
			return awsproto.Errorf("IncompleteSignatureException", "Authorization header is malformed")
		}
		fields[k] = v
	}
	if len(fields) != 3 {
		return awsproto.Errorf("IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders and Signature, and nothing else")
	}
	m := sigV4Credential.FindStringSubmatch(fields["Credential"])
	if m == nil {
		return awsproto.Errorf("IncompleteSignatureException", "Credential must be AKID/YYYYMMDD/region/service/aws4_request")
	}
	if service != "" && m[2] != service {
		return awsproto.Errorf("InvalidSignatureException", "Credential should be scoped to the correct service: '%s'", service)
	}
	signed := fields["SignedHeaders"]
	if !sigV4Headers.MatchString(signed) || !slices.Contains(strings.Split(signed, ";"), "host") {
		return awsproto.Errorf("IncompleteSignatureException", "SignedHeaders must be a ;-separated list of lower-case header names including host")
	}
	if !sigV4Signature.MatchString(fields["Signature"]) {
		return awsproto.Errorf("IncompleteSignatureException", "Signature must be 64 lower-case hex digits")
	}
	xd := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", xd)
	if err != nil {
		return awsproto.Errorf("IncompleteSignatureException", "X-Amz-Date must be set as YYYYMMDDTHHMMSSZ")
	}
	if xd[:8] != m[1] {
		return awsproto.Errorf("InvalidSignatureException", "Credential should be scoped to a valid date: '%s'", xd[:8])
	}
	if !withinSkew(t, now) && !withinSkew(t, time.Now()) {
		return awsproto.Errorf("InvalidSignatureException", "Signature expired: %s is not within 15 minutes of the server's time %s", xd, now.UTC().Format("20060102T150405Z"))
	}
	return nil
}

func withinSkew(t, now time.Time) bool {
	d := t.Sub(now)
	return d <= maxClockSkew && d >= -maxClockSkew
}
