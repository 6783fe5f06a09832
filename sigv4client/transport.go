package sigv4client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// DefaultMaxBufferedBody is the default Transport.MaxBufferedBody: 10 MiB,
// API Gateway's payload limit.
const DefaultMaxBufferedBody = 10 << 20

// Transport is an http.RoundTripper that signs every request with AWS
// Signature Version 4 before handing it to Base.
//
// The request it sends is a clone of the caller's (which it never
// modifies) whose path has its dot segments and duplicate slashes removed
// and whose query is re-encoded the way it is signed, so that what goes on
// the wire is exactly what was signed. The body is hashed by streaming when
// it can be replayed (Request.GetBody, as http.NewRequest sets for bytes,
// strings and buffers) or rewound (an io.Seeker such as *os.File), and
// buffered otherwise, up to MaxBufferedBody.
//
// Each call to RoundTrip signs afresh (new time, credentials retrieved
// again), so retries by a client above it are signed anew. When a server
// answers 403 "Signature expired" or "Signature not yet current" with a
// Date header, the Transport learns the clock offset, keeps it for later
// requests, and retries that request once if its body can be replayed.
//
// A Transport is safe for concurrent use once configured; do not copy one
// after first use. The zero value of every optional field means something
// sensible.
type Transport struct {
	// Base sends the signed requests; nil means http.DefaultTransport.
	Base http.RoundTripper

	// Credentials supplies the keys (and session token) each request is
	// signed with. Required. Retrieve is called for every request: wrap
	// providers that make network calls in aws.NewCredentialsCache (the
	// SDK's config.LoadDefaultConfig already does).
	Credentials aws.CredentialsProvider

	// Region is the signing region. Empty means: inferred from an API
	// Gateway host ({api}.execute-api.{region}.amazonaws.com), else
	// DefaultRegion; the request fails with ErrNoRegion when neither gives
	// one.
	Region string

	// DefaultRegion is the signing region for hosts that name none (custom
	// domains, emulators) when Region is empty. NewClientFromConfig sets it
	// from the aws.Config.
	DefaultRegion string

	// Service is the signing service name. Empty means "execute-api"
	// (DefaultService). Set it for other services.
	Service string

	// MaxBufferedBody caps how much of a body that can be neither replayed
	// nor rewound is read into memory to hash it. Zero means
	// DefaultMaxBufferedBody; a negative value refuses such bodies. Above
	// the cap RoundTrip fails with a *BodyTooLargeError.
	MaxBufferedBody int64

	// SendContentSHA256 adds an X-Amz-Content-Sha256 header (signed) with
	// the payload hash, as S3 requires. API Gateway does not need it.
	SendContentSHA256 bool

	// DisableClockSkewCorrection turns off learning the clock offset from a
	// server's "Signature expired"/"not yet current" answer.
	DisableClockSkewCorrection bool

	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time

	skew atomic.Int64 // learned server-minus-local offset, nanoseconds
	keys atomic.Pointer[signingKey]

	// onSign, when set (tests), sees every signature computed.
	onSign func(*Signed)
}

var _ http.RoundTripper = (*Transport)(nil)

// NewClient returns an *http.Client whose Transport signs every request
// with creds. The optional functions configure the Transport (region,
// service, base transport...).
func NewClient(creds aws.CredentialsProvider, optFns ...func(*Transport)) *http.Client {
	return &http.Client{Transport: NewTransport(creds, optFns...)}
}

// NewClientFromConfig is NewClient with the credentials and region of an
// aws.Config, as config.LoadDefaultConfig returns it: requests are signed
// with cfg.Credentials, in the region an API Gateway host names or else in
// cfg.Region (so custom domains and emulators need no Region option), and
// sent through cfg.HTTPClient's transport when it has one (an
// *http.Client, or the SDK's *awshttp.BuildableClient with its timeouts).
func NewClientFromConfig(cfg aws.Config, optFns ...func(*Transport)) *http.Client {
	return &http.Client{Transport: NewTransportFromConfig(cfg, optFns...)}
}

// NewTransportFromConfig is NewTransport with the credentials, region and
// HTTP transport of an aws.Config; see NewClientFromConfig.
func NewTransportFromConfig(cfg aws.Config, optFns ...func(*Transport)) *Transport {
	t := &Transport{Credentials: cfg.Credentials, DefaultRegion: cfg.Region, Base: roundTripperOf(cfg.HTTPClient)}
	for _, fn := range optFns {
		fn(t)
	}
	return t
}

// roundTripperOf returns the transport under an SDK HTTP client, or nil
// (http.DefaultTransport) when it has none to offer.
func roundTripperOf(c aws.HTTPClient) http.RoundTripper {
	switch c := c.(type) {
	case *http.Client:
		return c.Transport
	case interface{ GetTransport() *http.Transport }:
		if tr := c.GetTransport(); tr != nil {
			return tr
		}
	}
	return nil
}

// scope returns the signing region and service for host: the Transport's
// own, else those an API Gateway host names, else DefaultRegion and
// DefaultService.
func (t *Transport) scope(host string) (region, service string, err error) {
	region, service = t.Region, t.Service
	if region == "" || service == "" {
		if r, s, ok := InferRegionService(host); ok {
			if region == "" {
				region = r
			}
			if service == "" {
				service = s
			}
		}
	}
	if region == "" {
		region = t.DefaultRegion
	}
	if region == "" {
		return "", "", ErrNoRegion
	}
	if service == "" {
		service = DefaultService
	}
	return region, service, nil
}

// NewTransport returns a Transport signing with creds, configured by optFns.
func NewTransport(creds aws.CredentialsProvider, optFns ...func(*Transport)) *Transport {
	t := &Transport{Credentials: creds}
	for _, fn := range optFns {
		fn(t)
	}
	return t
}

// Signed is the outcome of signing one request: the canonical request, the
// string to sign and the resulting values, for logging while debugging a
// mismatch. It holds no secret (the session token appears in
// CanonicalRequest only when it is signed as a header).
type Signed struct {
	CanonicalRequest string
	StringToSign     string
	// SignedHeaders is the ';'-separated list of signed header names.
	SignedHeaders string
	// Credential is "AKID/day/region/service/aws4_request".
	Credential string
	// Signature is the hex signature.
	Signature string
	// Authorization is the Authorization header value (empty when presigning).
	Authorization string
}

// ClockOffset returns the clock correction the Transport learned from the
// server (server time minus local time), zero if none.
func (t *Transport) ClockOffset() time.Duration { return time.Duration(t.skew.Load()) }

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func (t *Transport) now() time.Time {
	var n time.Time
	if t.Clock != nil {
		n = t.Clock()
	} else {
		n = time.Now()
	}
	return n.Add(time.Duration(t.skew.Load())).UTC()
}

// CloseIdleConnections closes the idle connections of Base when it can.
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// prepared is a request cloned, normalized and hashed, ready to be signed
// (again, for a retry).
type prepared struct {
	out          *http.Request
	host         string
	region       string
	service      string
	uri          string // canonical URI
	query        string // canonical query
	payloadHash  string
	replay       func() (io.ReadCloser, error) // nil: not replayable
	callerSHA256 bool                          // the caller set X-Amz-Content-Sha256
}

// RoundTrip signs a clone of req and sends it through Base. It closes
// req.Body on every path, as http.RoundTripper requires.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	p, err := t.prepare(req)
	if err != nil {
		closeBody(req.Body)
		return nil, err
	}
	ctx := req.Context()
	if err := t.sign(ctx, p, p.out); err != nil {
		closeBody(p.out.Body)
		return nil, err
	}
	resp, err := t.base().RoundTrip(p.out)
	if err != nil || t.DisableClockSkewCorrection || p.replay == nil || resp.StatusCode != http.StatusForbidden {
		return resp, err
	}
	serverTime, ok := skewFromResponse(resp)
	if !ok {
		return resp, nil
	}
	body, err := p.replay()
	if err != nil {
		return resp, nil // cannot retry: hand back the 403 as it is
	}
	var localNow time.Time
	if t.Clock != nil {
		localNow = t.Clock()
	} else {
		localNow = time.Now()
	}
	t.skew.Store(int64(serverTime.Sub(localNow)))
	drainClose(resp.Body)

	retry := p.out.Clone(ctx)
	retry.Body = body
	if err := t.sign(ctx, p, retry); err != nil {
		closeBody(body)
		return nil, err
	}
	return t.base().RoundTrip(retry)
}

// prepare clones req and computes what every signing of it shares. It does
// not close req.Body; the caller does on error.
func (t *Transport) prepare(req *http.Request) (*prepared, error) {
	if t.Credentials == nil {
		return nil, ErrNoCredentials
	}
	if req.URL == nil {
		return nil, fmt.Errorf("%w: request has no URL", ErrInvalidRequest)
	}
	out := req.Clone(req.Context())
	if out.Header == nil {
		out.Header = make(http.Header)
	}
	for _, h := range []string{headerAuthorization, headerAmzDate, headerSecurityToken} {
		out.Header.Del(h)
	}

	p := &prepared{out: out}
	if err := cleanHeaders(out.Header); err != nil {
		return nil, err
	}

	// Host, without a default port.
	host := out.Host
	if host == "" {
		host = out.URL.Host
	}
	host = stripDefaultPort(out.URL.Scheme, host)
	if host == "" {
		return nil, fmt.Errorf("%w: request has no host", ErrInvalidRequest)
	}
	out.Host = host
	p.host = host

	region, service, err := t.scope(host)
	if err != nil {
		return nil, err
	}
	p.region, p.service = region, service

	// Path: normalized, sent as signed.
	wire, err := setWirePath(out.URL)
	if err != nil {
		return nil, err
	}
	p.uri = canonicalURI(wire)

	// Query: each name and value re-encoded as signed, order kept on the
	// wire, sorted in the canonical request.
	if out.URL.RawQuery != "" {
		pairs, err := parseQuery(out.URL.RawQuery)
		if err != nil {
			return nil, err
		}
		enc := encodePairs(pairs)
		out.URL.RawQuery = joinPairs(enc)
		p.query = canonicalQuery(enc)
	}

	if err := t.prepareBody(req, p); err != nil {
		return nil, err
	}
	return p, nil
}

// setWirePath normalizes u's path in place and returns the escaped path
// that will be sent.
func setWirePath(u *url.URL) (string, error) {
	if u.Opaque != "" {
		prefix, path := "", u.Opaque
		if strings.HasPrefix(path, "//") {
			rest := path[2:]
			i := strings.IndexByte(rest, '/')
			if i < 0 {
				prefix, path = path, "/"
			} else {
				prefix, path = "//"+rest[:i], rest[i:]
			}
		}
		n := NormalizePath(path)
		u.Opaque = prefix + n
		return n, nil
	}
	w := u.EscapedPath()
	n := NormalizePath(w)
	if n != w {
		dec, err := url.PathUnescape(n)
		if err != nil {
			return "", fmt.Errorf("%w: path %q: %v", ErrInvalidRequest, n, err)
		}
		u.Path, u.RawPath = dec, n
	}
	return n, nil
}

// prepareBody hashes the body and arranges for it to be sent (and replayed).
func (t *Transport) prepareBody(req *http.Request, p *prepared) error {
	out := p.out
	if v := req.Header.Get(headerContentSHA256); v != "" {
		// The caller vouches for the payload hash (or asks for
		// UNSIGNED-PAYLOAD): sign it as given, send the body untouched.
		p.payloadHash = v
		p.callerSHA256 = true
		p.replay = req.GetBody
		if req.Body == nil || req.Body == http.NoBody {
			p.replay = noBody
		}
		return nil
	}
	if req.Body == nil || req.Body == http.NoBody {
		p.payloadHash = EmptyPayloadHash
		p.replay = noBody
		return nil
	}
	declared := req.ContentLength

	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return fmt.Errorf("sigv4client: GetBody: %w", err)
		}
		n, sum, err := hashReader(rc)
		closeBody(rc)
		if err != nil {
			return fmt.Errorf("sigv4client: hash body: %w", err)
		}
		if err := checkLength(declared, n); err != nil {
			return err
		}
		send, err := req.GetBody()
		if err != nil {
			return fmt.Errorf("sigv4client: GetBody: %w", err)
		}
		closeBody(req.Body)
		out.Body = send
		out.ContentLength = n
		p.payloadHash = sum
		p.replay = req.GetBody
		return nil
	}

	if s, ok := req.Body.(io.Seeker); ok {
		start, err := s.Seek(0, io.SeekCurrent)
		if err == nil {
			n, sum, herr := hashReader(req.Body)
			if herr != nil {
				return fmt.Errorf("sigv4client: hash body: %w", herr)
			}
			if _, err := s.Seek(start, io.SeekStart); err != nil {
				return fmt.Errorf("sigv4client: rewind body: %w", err)
			}
			if err := checkLength(declared, n); err != nil {
				return err
			}
			out.ContentLength = n
			p.payloadHash = sum
			if n == 0 {
				closeBody(req.Body)
				out.Body = http.NoBody
				p.replay = noBody
			}
			return nil
		}
		// Not really seekable (a pipe): buffer it like any stream.
	}

	limit := t.MaxBufferedBody
	if limit == 0 {
		limit = DefaultMaxBufferedBody
	}
	if limit < 0 || declared > limit {
		return &BodyTooLargeError{Limit: max(limit, 0)}
	}
	buf, err := readBody(req.Body, declared, limit)
	if err != nil {
		return fmt.Errorf("sigv4client: read body: %w", err)
	}
	if int64(len(buf)) > limit {
		return &BodyTooLargeError{Limit: limit}
	}
	if err := checkLength(declared, int64(len(buf))); err != nil {
		return err
	}
	closeBody(req.Body)
	sum := sha256.Sum256(buf)
	p.payloadHash = hex.EncodeToString(sum[:])
	getBody := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
	out.Body, _ = getBody()
	out.GetBody = getBody
	out.ContentLength = int64(len(buf))
	p.replay = getBody
	return nil
}

func noBody() (io.ReadCloser, error) { return http.NoBody, nil }

// readBody reads at most limit+1 bytes of r, into a buffer of the declared
// size when it is known.
func readBody(r io.Reader, declared, limit int64) ([]byte, error) {
	if declared <= 0 {
		return io.ReadAll(io.LimitReader(r, limit+1))
	}
	buf := make([]byte, declared, declared+1)
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return buf[:n], nil // shorter than declared: checkLength reports it
	}
	if err != nil {
		return nil, err
	}
	// One more byte means longer than declared.
	var extra [1]byte
	m, err := io.ReadFull(r, extra[:])
	if m == 1 {
		return append(buf, extra[0]), nil
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	return buf, nil
}

func checkLength(declared, n int64) error {
	if declared > 0 && declared != n {
		return fmt.Errorf("%w: ContentLength is %d, body has %d bytes", ErrBodyLength, declared, n)
	}
	return nil
}

// hashReader streams r into SHA-256 and returns its length and hex digest.
func hashReader(r io.Reader) (int64, string, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return n, "", err
	}
	var sum [sha256.Size]byte
	return n, hex.EncodeToString(h.Sum(sum[:0])), nil
}

// sign sets the date, token and Authorization headers on out.
func (t *Transport) sign(ctx context.Context, p *prepared, out *http.Request) error {
	creds, err := t.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("sigv4client: retrieve credentials: %w", err)
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return fmt.Errorf("%w: the provider returned no access key", ErrNoCredentials)
	}
	now := t.now()
	h := out.Header
	h[headerAmzDate] = []string{now.Format(amzDateFormat)}
	if creds.SessionToken != "" {
		h[headerSecurityToken] = []string{creds.SessionToken}
	} else {
		delete(h, headerSecurityToken)
	}
	if t.SendContentSHA256 && !p.callerSHA256 {
		h[headerContentSHA256] = []string{p.payloadHash}
	}
	headers := headersToSign(h, p.host)
	authz, s := t.signParts(creds, now, p.region, p.service, out.Method, p.uri, p.query, headers, p.payloadHash, t.onSign != nil)
	h[headerAuthorization] = []string{authz}
	if s != nil {
		t.onSign(s)
	}
	return nil
}

func (t *Transport) key(creds aws.Credentials, day, region, service string) *signingKey {
	if k := t.keys.Load(); k != nil && k.akid == creds.AccessKeyID && k.secret == creds.SecretAccessKey &&
		k.day == day && k.region == region && k.service == service {
		return k
	}
	k := newSigningKey(creds.AccessKeyID, creds.SecretAccessKey, day, region, service)
	t.keys.Store(k)
	return k
}

// signParts signs and returns the Authorization value, and the details
// when a hook wants them.
func (t *Transport) signParts(creds aws.Credentials, now time.Time, region, service, method, uri, query string, headers []signedHeader, payloadHash string, keep bool) (string, *Signed) {
	if method == "" {
		method = http.MethodGet
	}
	var dateBuf [16]byte
	amzDate := string(now.AppendFormat(dateBuf[:0], amzDateFormat))
	day := amzDate[:8]
	var sb strings.Builder
	sb.Grow(len(creds.AccessKeyID) + len(region) + len(service) + 48)
	sb.WriteString(day)
	sb.WriteByte('/')
	sb.WriteString(region)
	sb.WriteByte('/')
	sb.WriteString(service)
	sb.WriteString("/" + terminator)
	scope := sb.String()
	sig := computeSignature(t.key(creds, day, region, service), method, uri, query, headers, payloadHash, amzDate, scope, keep)

	var ab strings.Builder
	ab.Grow(len(Algorithm) + len(creds.AccessKeyID) + len(scope) + len(sig.names) + 64 + 40)
	ab.WriteString(Algorithm)
	ab.WriteString(" Credential=")
	ab.WriteString(creds.AccessKeyID)
	ab.WriteByte('/')
	ab.WriteString(scope)
	ab.WriteString(", SignedHeaders=")
	ab.WriteString(sig.names)
	ab.WriteString(", Signature=")
	ab.Write(sig.hex[:])
	authz := ab.String()
	if !keep {
		return authz, nil
	}
	return authz, &Signed{
		CanonicalRequest: sig.creq,
		StringToSign:     sig.sts,
		SignedHeaders:    sig.names,
		Credential:       creds.AccessKeyID + "/" + scope,
		Signature:        string(sig.hex[:]),
		Authorization:    authz,
	}
}

// skewFromResponse reports whether a 403 says the signing time was off,
// and the server's time from its Date header. It peeks at most 4 KiB of the
// body and puts it back.
func skewFromResponse(resp *http.Response) (time.Time, bool) {
	date := resp.Header.Get("Date")
	if date == "" || resp.Body == nil {
		return time.Time{}, false
	}
	serverTime, err := http.ParseTime(date)
	if err != nil {
		return time.Time{}, false
	}
	peek, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body = &peekedBody{Reader: io.MultiReader(bytes.NewReader(peek), resp.Body), Closer: resp.Body}
	if err != nil {
		return time.Time{}, false
	}
	if bytes.Contains(peek, []byte("Signature expired")) || bytes.Contains(peek, []byte("Signature not yet current")) {
		return serverTime, true
	}
	return time.Time{}, false
}

type peekedBody struct {
	io.Reader
	io.Closer
}

func closeBody(b io.ReadCloser) {
	if b != nil {
		_ = b.Close()
	}
}

func drainClose(b io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(b, 64<<10))
	_ = b.Close()
}

// stripDefaultPort removes ":80" from http/ws hosts and ":443" from
// https/wss hosts, as clients leave them out of the Host header.
func stripDefaultPort(scheme, host string) string {
	if !strings.HasSuffix(host, ":80") && !strings.HasSuffix(host, ":443") {
		return host
	}
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return host
	}
	switch {
	case port == "80" && (scheme == "http" || scheme == "ws"),
		port == "443" && (scheme == "https" || scheme == "wss"):
		if strings.Contains(h, ":") {
			return "[" + h + "]"
		}
		return h
	}
	return host
}

// InferRegionService returns the region and service ("execute-api") of an
// API Gateway host: {api}.execute-api.{region}.amazonaws.com (also
// .amazonaws.com.cn, and VPC endpoint names
// {api}-{vpce}.execute-api.{region}.vpce.amazonaws.com). A port is ignored.
// It reports false for any other host (custom domains, emulators, other
// services), whose region must then be set explicitly.
func InferRegionService(host string) (region, service string, ok bool) {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	host = strings.TrimSuffix(host, ".")
	const label = ".execute-api."
	i := indexFold(host, label)
	if i <= 0 {
		return "", "", false
	}
	rest := host[i+len(label):]
	dot := strings.IndexByte(rest, '.')
	if dot <= 0 {
		return "", "", false
	}
	switch suffix := rest[dot+1:]; {
	case strings.EqualFold(suffix, "amazonaws.com"), strings.EqualFold(suffix, "amazonaws.com.cn"),
		strings.EqualFold(suffix, "vpce.amazonaws.com"):
		return lowerASCII(rest[:dot]), "execute-api", true
	}
	return "", "", false
}

// indexFold is strings.Index for an ASCII lower-case needle, ignoring case.
func indexFold(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// cleanHeaders checks that every header can be sent as it is signed: names
// must be RFC 9110 tokens and values free of control characters. A value
// folded over several lines (obsolete line folding) is unfolded, each fold
// becoming one space, as RFC 9112 tells receivers to do.
func cleanHeaders(h http.Header) error {
	for k, vs := range h {
		if !validHeaderName(k) {
			return fmt.Errorf("%w: invalid header name %q", ErrInvalidRequest, k)
		}
		for i, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				v = unfold(v)
				vs[i] = v
			}
			for j := 0; j < len(v); j++ {
				if c := v[j]; c < ' ' && c != '\t' || c == 0x7f {
					return fmt.Errorf("%w: invalid value for header %q", ErrInvalidRequest, k)
				}
			}
		}
	}
	return nil
}

// unfold replaces every run of spaces, tabs, CRs and LFs that contains a
// line break with a single space.
func unfold(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); {
		c := v[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			j, brk := i, false
			for j < len(v) && (v[j] == ' ' || v[j] == '\t' || v[j] == '\r' || v[j] == '\n') {
				brk = brk || v[j] == '\r' || v[j] == '\n'
				j++
			}
			if brk {
				b.WriteByte(' ')
			} else {
				b.WriteString(v[i:j])
			}
			i = j
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}
