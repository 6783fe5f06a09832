package sigv4client

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// API Gateway's messages for the failures the verifier answers.
const (
	MsgMissingAuthenticationToken = "Missing Authentication Token"
	MsgSignatureMismatch          = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	MsgInvalidToken               = "The security token included in the request is invalid."
	MsgExpiredToken               = "The security token included in the request is expired"
	MsgRequestTooLong             = "Request Too Long"
	// MsgNonCanonicalPath is the Verifier's answer to a path with an empty,
	// "." or ".." segment (see ErrNonCanonicalPath).
	MsgNonCanonicalPath = "The request path must be in canonical form: no empty, '.' or '..' segments (literal or percent-encoded)."
)

// ErrNonCanonicalPath: the request's path, as sent, has an empty segment
// ("//"), or a "." or ".." segment, literal or percent-encoded ("%2E").
// SigV4 signs such a path after removing those segments, so the one
// signature would hold for many spellings of the path, each of which a
// router may resolve to a different handler; the Verifier refuses them
// instead, with a 400 *AuthError. A request whose path is in canonical form
// is verified over exactly that path, which is what a router after the
// Verifier sees (r.URL.Path, decoded; r.URL.EscapedPath(), as sent).
var ErrNonCanonicalPath = errors.New("sigv4client: request path not in canonical form")

// Credential is what a CredentialLookup returns for an access key ID: the
// secret to check the signature with, and what the verifier checks the
// request's session token against.
type Credential struct {
	// SecretAccessKey is the secret the request must be signed with.
	SecretAccessKey string
	// SessionToken is the token issued with temporary credentials; empty
	// for long-term keys. A request must carry exactly this token (compared
	// in constant time), and none when it is empty.
	SessionToken string
	// Expires is when temporary credentials stop working; zero for never.
	Expires time.Time
	// Principal is the caller's identity as the lookup knows it (an IAM
	// user, a Cognito identity and its role...), handed to the next handler
	// in Caller.Principal. The verifier does not look inside.
	Principal any
}

// CredentialLookup finds the credential of an access key ID. It returns an
// error wrapping ErrInvalidToken for an unknown key and one wrapping
// ErrExpiredToken for revoked or expired credentials; any other error makes
// the verifier answer 500. It is called at most once per request.
type CredentialLookup func(ctx context.Context, accessKeyID string) (Credential, error)

// VerifierOptions configures a Verifier. Zero values mean the defaults.
type VerifierOptions struct {
	// Service is the service the credential scope must name; default
	// "execute-api".
	Service string
	// MaxSkew is how far the signing time may be from the verifier's clock,
	// either way; default 15 minutes, as AWS allows.
	MaxSkew time.Duration
	// MaxBodyBytes caps the body read to hash it; default 10 MiB (API
	// Gateway's payload limit). Larger bodies get 413.
	MaxBodyBytes int64
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// ExplainMismatch appends to a signature-mismatch message the canonical
	// request and string to sign the verifier expected, as API Gateway does
	// (with the session token's value, when signed, redacted). Off by
	// default: it tells a caller what the server computed.
	ExplainMismatch bool
}

// Verifier checks SigV4-signed requests the way API Gateway does for
// routes with AWS_IAM authorization: the Authorization header (or a
// presigned query), the credential scope (day, region, service,
// terminator), a ±15 minute window around the signing time, the session
// token, the payload hash and finally the signature itself, recomputed from
// the request as it arrived and compared in constant time. It refuses a
// path with empty, "." or ".." segments (ErrNonCanonicalPath), so that the
// path it verified is the path the next handler routes on.
//
// A Verifier is safe for concurrent use.
type Verifier struct {
	region string
	lookup CredentialLookup
	opts   VerifierOptions
	keys   [64]atomic.Pointer[signingKey] // derived keys, by access key hash
}

// key returns the signing key for a credential, derived or cached. The
// cache is a fixed set of slots; a slot is reused only when every input
// (secret included) matches.
func (v *Verifier) key(akid, secret, day, region, service string) *signingKey {
	h := fnv.New32a()
	h.Write([]byte(akid))
	slot := &v.keys[h.Sum32()%uint32(len(v.keys))]
	if k := slot.Load(); k != nil && k.akid == akid && k.secret == secret && k.day == day && k.region == region && k.service == service {
		return k
	}
	k := newSigningKey(akid, secret, day, region, service)
	slot.Store(k)
	return k
}

// NewVerifier returns a Verifier for requests signed for region, looking
// secrets up with lookup.
func NewVerifier(region string, lookup CredentialLookup, optFns ...func(*VerifierOptions)) *Verifier {
	o := VerifierOptions{}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Service == "" {
		o.Service = DefaultService
	}
	if o.MaxSkew <= 0 {
		o.MaxSkew = 15 * time.Minute
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBufferedBody
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return &Verifier{region: region, lookup: lookup, opts: o}
}

// Caller is who signed a verified request. The Middleware puts it in the
// request's context; read it with CallerFromContext.
type Caller struct {
	// AccessKeyID is the key the request was signed with.
	AccessKeyID string
	// Principal is Credential.Principal from the lookup.
	Principal any
	// HasSessionToken reports whether temporary credentials were used.
	HasSessionToken bool
	// SignedAt is the signing time the request declared.
	SignedAt time.Time
	// Presigned reports whether the signature came in the query string.
	Presigned bool
	// Region and Service are those of the credential scope.
	Region, Service string
	// Path is the request's path as it was sent (percent-encoded, from
	// RequestURI for a server request), which the signature covers byte for
	// byte. It is always in canonical form (see ErrNonCanonicalPath).
	Path string
}

type callerKey struct{}

// CallerFromContext returns the Caller the Middleware verified.
func CallerFromContext(ctx context.Context) (*Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(*Caller)
	return c, ok
}

// ContextWithCaller returns ctx carrying c (for handlers tested without the
// middleware, or a server that calls Verify itself).
func ContextWithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// Middleware returns a handler that verifies each request and answers
// failures as API Gateway does (see WriteError); verified requests reach
// next with the Caller in their context and their body readable again.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := v.Verify(r)
		if err != nil {
			WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(ContextWithCaller(r.Context(), c)))
	})
}

// WriteError answers err as API Gateway does: an *AuthError as its Status
// with an X-Amzn-ErrorType header and the JSON body {"message": …}; any
// other error as 500 {"message": "Internal server error"}.
func WriteError(w http.ResponseWriter, err error) {
	var ae *AuthError
	if !errors.As(err, &ae) {
		ae = &AuthError{Status: http.StatusInternalServerError, Type: "InternalServerErrorException", Message: "Internal server error"}
	}
	w.Header().Set("Content-Type", "application/json")
	if ae.Type != "" {
		w.Header().Set("X-Amzn-ErrorType", ae.Type)
	}
	w.WriteHeader(ae.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": ae.Message})
}

func authErr(kind error, typ, msg string) *AuthError {
	return &AuthError{Status: http.StatusForbidden, Type: typ, Message: msg, kind: kind}
}

func incomplete(msg string) *AuthError {
	return authErr(ErrIncompleteSignature, "IncompleteSignatureException", msg)
}

func invalidSig(kind error, msg string) *AuthError {
	return authErr(kind, "InvalidSignatureException", msg)
}

// authInput is what the Authorization header or the presigned query says.
type authInput struct {
	credential    string
	signedHeaders string
	signature     string
	amzDate       string // as sent
	signedAt      time.Time
	token         string
	presigned     bool
	expires       time.Duration
}

// Verify checks r's signature. On success it returns the Caller and leaves
// r.Body readable from the start (the body is read, up to MaxBodyBytes, to
// hash it). On failure it returns an *AuthError.
func (v *Verifier) Verify(r *http.Request) (*Caller, error) {
	now := v.opts.Clock().UTC()
	rawPath, rawQuery := wireTarget(r)
	if !isCanonicalPath(rawPath) {
		// The signature would cover the path with its dot and empty segments
		// removed, not the path a router sees: refuse rather than verify one
		// path and hand another to the next handler.
		return nil, &AuthError{Status: http.StatusBadRequest, Type: "BadRequestException", Message: MsgNonCanonicalPath, kind: ErrNonCanonicalPath}
	}

	in, err := v.parseAuth(r, rawQuery)
	if err != nil {
		return nil, err
	}

	// Credential scope.
	parts := strings.Split(in.credential, "/")
	if len(parts) != 5 || parts[0] == "" {
		return nil, incomplete(fmt.Sprintf("Credential should be a five-part slash-separated value 'AKID/YYYYMMDD/region/service/aws4_request', got %d parts.", len(parts)))
	}
	akid, day, region, service, term := parts[0], parts[1], parts[2], parts[3], parts[4]
	if day != in.signedAt.Format(scopeDayFormat) {
		return nil, invalidSig(ErrInvalidScope, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", day, in.signedAt.Format(scopeDayFormat), in.amzDate))
	}
	if region != v.region {
		return nil, invalidSig(ErrInvalidScope, fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", region))
	}
	if service != v.opts.Service {
		return nil, invalidSig(ErrInvalidScope, fmt.Sprintf("Credential should be scoped to correct service: '%s'. ", v.opts.Service))
	}
	if term != terminator {
		return nil, invalidSig(ErrInvalidScope, fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. ", term))
	}

	// Time window.
	skew := v.opts.MaxSkew
	if in.signedAt.After(now.Add(skew)) {
		return nil, invalidSig(ErrSignatureNotYetCurrent, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)",
			in.amzDate, now.Add(skew).Format(amzDateFormat), now.Format(amzDateFormat), int(skew/time.Minute)))
	}
	if in.presigned {
		if end := in.signedAt.Add(in.expires); now.After(end) {
			return nil, invalidSig(ErrSignatureExpired, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d sec.)",
				end.Format(amzDateFormat), now.Format(amzDateFormat), now.Format(amzDateFormat), int(in.expires/time.Second)))
		}
	} else if in.signedAt.Before(now.Add(-skew)) {
		return nil, invalidSig(ErrSignatureExpired, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)",
			in.amzDate, now.Add(-skew).Format(amzDateFormat), now.Format(amzDateFormat), int(skew/time.Minute)))
	}

	// Signed headers must be a sorted, lower-case list that includes host.
	names := strings.Split(in.signedHeaders, ";")
	hasHost := false
	for i, n := range names {
		if n == "" || n != lowerASCII(n) || (i > 0 && names[i-1] >= n) {
			return nil, incomplete("SignedHeaders must be a ';'-separated list of lower-case header names in ascending order.")
		}
		if n == "host" {
			hasHost = true
		}
	}
	if !hasHost {
		return nil, invalidSig(ErrSignatureMismatch, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}

	// Credentials and session token.
	cred, err := v.lookup(r.Context(), akid)
	if err != nil {
		switch {
		case errors.Is(err, ErrExpiredToken):
			return nil, authErr(ErrExpiredToken, "ExpiredTokenException", MsgExpiredToken)
		case errors.Is(err, ErrInvalidToken):
			return nil, authErr(ErrInvalidToken, "UnrecognizedClientException", MsgInvalidToken)
		default:
			return nil, &AuthError{Status: http.StatusInternalServerError, Type: "InternalServerErrorException", Message: "Internal server error", kind: err}
		}
	}
	if cred.SecretAccessKey == "" {
		return nil, authErr(ErrInvalidToken, "UnrecognizedClientException", MsgInvalidToken)
	}
	if cred.SessionToken != "" || in.token != "" {
		if subtle.ConstantTimeCompare([]byte(cred.SessionToken), []byte(in.token)) != 1 {
			return nil, authErr(ErrInvalidToken, "UnrecognizedClientException", MsgInvalidToken)
		}
	}
	if !cred.Expires.IsZero() && !now.Before(cred.Expires) {
		return nil, authErr(ErrExpiredToken, "ExpiredTokenException", MsgExpiredToken)
	}

	// Payload.
	payloadHash, err := v.hashBody(r)
	if err != nil {
		return nil, err
	}
	if !in.presigned {
		if declared := headerValue(r, "x-amz-content-sha256"); declared != "" && declared != payloadHash {
			return nil, invalidSig(ErrSignatureMismatch, MsgSignatureMismatch)
		}
	}

	// Canonical request.
	query := rawQuery
	if in.presigned {
		query = withoutParam(rawQuery, "X-Amz-Signature")
	}
	cquery, err := canonicalQueryString(query)
	if err != nil {
		return nil, invalidSig(ErrSignatureMismatch, MsgSignatureMismatch)
	}
	headers := make([]signedHeader, len(names))
	for i, n := range names {
		headers[i] = signedHeader{name: n, values: requestHeaderValues(r, n)}
	}
	uri := canonicalURI(rawPath) // in canonical form: NormalizePath would not change it
	scope := day + "/" + region + "/" + service + "/" + terminator
	key := v.key(akid, cred.SecretAccessKey, day, region, service)
	sig := computeSignature(key, r.Method, uri, cquery, headers, payloadHash, in.amzDate, scope, v.opts.ExplainMismatch)
	if !hmac.Equal(sig.hex[:], []byte(in.signature)) {
		msg := MsgSignatureMismatch
		if v.opts.ExplainMismatch {
			msg += "\n\nThe Canonical String for this request should have been\n'" + redactToken(sig.creq) +
				"'\n\nThe String-to-Sign should have been\n'" + sig.sts + "'\n"
		}
		return nil, invalidSig(ErrSignatureMismatch, msg)
	}
	if rawPath == "" {
		rawPath = "/"
	}
	return &Caller{
		Path:            rawPath,
		AccessKeyID:     akid,
		Principal:       cred.Principal,
		HasSessionToken: in.token != "",
		SignedAt:        in.signedAt,
		Presigned:       in.presigned,
		Region:          region,
		Service:         service,
	}, nil
}

// parseAuth reads the Authorization header or the presigned query.
func (v *Verifier) parseAuth(r *http.Request, rawQuery string) (*authInput, error) {
	authz := r.Header.Get(headerAuthorization)
	if authz == "" {
		if strings.Contains(rawQuery, "X-Amz-Algorithm=") || strings.Contains(rawQuery, "X-Amz-Signature=") {
			return parsePresigned(rawQuery)
		}
		return nil, authErr(ErrMissingAuthentication, "MissingAuthenticationTokenException", MsgMissingAuthenticationToken)
	}
	in := &authInput{}
	rest, ok := strings.CutPrefix(authz, Algorithm+" ")
	if ok {
		for field := range strings.SplitSeq(rest, ",") {
			k, val, _ := strings.Cut(strings.TrimSpace(field), "=")
			switch k {
			case "Credential":
				in.credential = val
			case "SignedHeaders":
				in.signedHeaders = val
			case "Signature":
				in.signature = val
			}
		}
	}
	var missing []string
	if in.credential == "" {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if in.signature == "" {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if in.signedHeaders == "" {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	in.amzDate = r.Header.Get(headerAmzDate)
	var err error
	if in.amzDate != "" {
		in.signedAt, err = time.Parse(amzDateFormat, in.amzDate)
	} else if d := r.Header.Get("Date"); d != "" {
		in.signedAt, err = http.ParseTime(d)
		in.amzDate = in.signedAt.UTC().Format(amzDateFormat)
	} else {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, incomplete(strings.Join(missing, " "))
	}
	if err != nil {
		return nil, incomplete(fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", in.amzDate))
	}
	if !validSignature(in.signature) {
		return nil, invalidSig(ErrSignatureMismatch, MsgSignatureMismatch)
	}
	in.signedAt = in.signedAt.UTC()
	in.token = r.Header.Get(headerSecurityToken)
	return in, nil
}

// parsePresigned reads the X-Amz-* parameters of a presigned URL.
func parsePresigned(rawQuery string) (*authInput, error) {
	pairs, err := parseQuery(rawQuery)
	if err != nil {
		return nil, incomplete("Malformed query string.")
	}
	get := func(name string) string {
		for _, p := range pairs {
			if p.name == name {
				return p.value
			}
		}
		return ""
	}
	in := &authInput{presigned: true}
	var missing []string
	if alg := get("X-Amz-Algorithm"); alg != Algorithm {
		missing = append(missing, "AWS query-string parameters must include 'X-Amz-Algorithm' with value 'AWS4-HMAC-SHA256'.")
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"X-Amz-Credential", &in.credential},
		{"X-Amz-SignedHeaders", &in.signedHeaders},
		{"X-Amz-Signature", &in.signature},
		{"X-Amz-Date", &in.amzDate},
	} {
		if *f.dst = get(f.name); *f.dst == "" {
			missing = append(missing, fmt.Sprintf("AWS query-string parameters must include '%s'.", f.name))
		}
	}
	exp := get("X-Amz-Expires")
	if exp == "" {
		missing = append(missing, "AWS query-string parameters must include 'X-Amz-Expires'.")
	}
	if len(missing) > 0 {
		return nil, incomplete(strings.Join(missing, " ") + " Re-examine the query-string parameters.")
	}
	in.signedAt, err = time.Parse(amzDateFormat, in.amzDate)
	if err != nil {
		return nil, incomplete(fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", in.amzDate))
	}
	secs, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || secs < 1 || secs > int64(MaxPresignExpiry/time.Second) {
		return nil, incomplete("X-Amz-Expires must be a whole number of seconds between 1 and 604800 (a week).")
	}
	in.expires = time.Duration(secs) * time.Second
	if !validSignature(in.signature) {
		return nil, invalidSig(ErrSignatureMismatch, MsgSignatureMismatch)
	}
	in.token = get("X-Amz-Security-Token")
	return in, nil
}

func validSignature(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// hashBody reads the body (bounded), hashes it and puts it back.
func (v *Verifier) hashBody(r *http.Request) (string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return EmptyPayloadHash, nil
	}
	limit := v.opts.MaxBodyBytes
	if r.ContentLength > limit {
		return "", &AuthError{Status: http.StatusRequestEntityTooLarge, Message: MsgRequestTooLong, kind: ErrRequestTooLarge}
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	_ = r.Body.Close()
	if err != nil {
		return "", incomplete("Could not read the request body.")
	}
	if int64(len(buf)) > limit {
		return "", &AuthError{Status: http.StatusRequestEntityTooLarge, Message: MsgRequestTooLong, kind: ErrRequestTooLarge}
	}
	r.Body = io.NopCloser(bytes.NewReader(buf))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]), nil
}

// wireTarget returns the path and query of the request as they came on the
// wire: from RequestURI for server requests (so that a StripPrefix or a
// router rewriting URL.Path does not change what is verified), from the URL
// otherwise.
func wireTarget(r *http.Request) (path, query string) {
	if ru := r.RequestURI; ru != "" && ru != "*" {
		if i := strings.Index(ru, "://"); i >= 0 && !strings.Contains(ru[:i], "/") {
			// absolute-form: scheme://authority/path?query
			rest := ru[i+3:]
			j := strings.IndexAny(rest, "/?")
			if j < 0 {
				return "/", ""
			}
			ru = rest[j:]
		}
		path, query, _ = strings.Cut(ru, "?")
		return path, query
	}
	if r.URL == nil {
		return "/", ""
	}
	if r.URL.Opaque != "" {
		p := r.URL.Opaque
		if strings.HasPrefix(p, "//") {
			if i := strings.IndexByte(p[2:], '/'); i >= 0 {
				p = p[2+i:]
			} else {
				p = "/"
			}
		}
		return p, r.URL.RawQuery
	}
	return r.URL.EscapedPath(), r.URL.RawQuery
}

// isCanonicalPath reports whether p, a path as sent, is one SigV4's path
// normalization leaves alone: it starts with '/' (or is empty, meaning
// "/") and has no empty, "." or ".." segment, even percent-encoded, except
// that it may end with one '/'.
func isCanonicalPath(p string) bool {
	if p == "" {
		return true
	}
	if NormalizePath(p) != p {
		return false
	}
	if !strings.Contains(p, "%") {
		return true
	}
	for seg := range strings.SplitSeq(p, "/") {
		if len(seg) > 6 || !strings.Contains(seg, "%") {
			continue // "%2E%2E" is the longest spelling of a dot segment
		}
		if u := strings.ToLower(seg); u == "%2e" || u == "%2e%2e" || u == ".%2e" || u == "%2e." {
			return false
		}
	}
	return true
}

// requestHeaderValues returns the values of a signed header as received.
func requestHeaderValues(r *http.Request, name string) []string {
	switch name {
	case "host":
		h := r.Host
		if h == "" && r.URL != nil {
			h = r.URL.Host
		}
		return []string{h}
	case "content-length":
		if vs := r.Header.Values("Content-Length"); len(vs) > 0 {
			return vs
		}
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	case "transfer-encoding":
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
	}
	if vs, ok := r.Header[canonicalHeaderKey(name)]; ok {
		return vs
	}
	var out []string
	for k, vs := range r.Header {
		if strings.EqualFold(k, name) {
			out = append(out, vs...)
		}
	}
	return out
}

func headerValue(r *http.Request, name string) string {
	vs := requestHeaderValues(r, name)
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// withoutParam drops every name=value part whose raw name is name.
func withoutParam(raw, name string) string {
	var sb strings.Builder
	for part := range strings.SplitSeq(raw, "&") {
		k, _, _ := strings.Cut(part, "=")
		if k == name || part == "" {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(part)
	}
	return sb.String()
}

// redactToken hides the value of a signed x-amz-security-token line.
func redactToken(creq string) string {
	lines := strings.Split(creq, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "x-amz-security-token:") {
			lines[i] = "x-amz-security-token:<redacted>"
		}
	}
	return strings.Join(lines, "\n")
}

// StaticCredentials returns a CredentialLookup over a fixed map of access
// key IDs, e.g. the IAM users of an emulator's configuration file. Unknown
// keys get ErrInvalidToken. The map must not change afterwards.
func StaticCredentials(creds map[string]Credential) CredentialLookup {
	return func(_ context.Context, accessKeyID string) (Credential, error) {
		c, ok := creds[accessKeyID]
		if !ok {
			return Credential{}, ErrInvalidToken
		}
		return c, nil
	}
}
