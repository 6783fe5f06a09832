package sigv4client

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// MaxPresignExpiry is the longest validity SigV4 allows a presigned URL:
// seven days.
const MaxPresignExpiry = 7 * 24 * time.Hour

// Presign returns rawURL with a SigV4 signature in its query string
// (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders=host, X-Amz-Security-Token when the credentials have
// one, and X-Amz-Signature), valid for expires (at most seven days). It is
// how a client opens an API Gateway WebSocket API that uses AWS_IAM
// authorization: pass the wss:// URL of the stage, e.g.
// "wss://abc123.execute-api.us-east-1.amazonaws.com/prod", and dial the
// result. http(s) URLs work too (a GET with an empty body).
//
// The region, service and clock come from the Transport, as for RoundTrip.
// The path is normalized as RoundTrip does; existing query parameters are
// kept and signed.
func (t *Transport) Presign(ctx context.Context, rawURL string, expires time.Duration) (string, error) {
	if t.Credentials == nil {
		return "", ErrNoCredentials
	}
	if expires <= 0 || expires > MaxPresignExpiry || expires%time.Second != 0 {
		return "", fmt.Errorf("%w: expiry %v must be whole seconds between 1s and 7 days", ErrInvalidRequest, expires)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidRequest, err)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	default:
		return "", fmt.Errorf("%w: scheme %q (want wss, ws, https or http)", ErrInvalidRequest, u.Scheme)
	}
	host := stripDefaultPort(u.Scheme, u.Host)
	if host == "" {
		return "", fmt.Errorf("%w: URL has no host", ErrInvalidRequest)
	}
	region, service, err := t.scope(host)
	if err != nil {
		return "", err
	}
	u.Fragment, u.RawFragment = "", ""
	wire, err := setWirePath(u)
	if err != nil {
		return "", err
	}
	pairs, err := parseQuery(u.RawQuery)
	if err != nil {
		return "", err
	}
	for _, p := range pairs {
		if isPresignParam(p.name) {
			return "", fmt.Errorf("%w: URL already has %s", ErrInvalidRequest, p.name)
		}
	}
	creds, err := t.Credentials.Retrieve(ctx)
	if err != nil {
		return "", fmt.Errorf("sigv4client: retrieve credentials: %w", err)
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return "", fmt.Errorf("%w: the provider returned no access key", ErrNoCredentials)
	}
	now := t.now()
	scope := credentialScope(now, region, service)
	pairs = append(pairs,
		queryPair{"X-Amz-Algorithm", Algorithm},
		queryPair{"X-Amz-Credential", creds.AccessKeyID + "/" + scope},
		queryPair{"X-Amz-Date", now.Format(amzDateFormat)},
		queryPair{"X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10)},
		queryPair{"X-Amz-SignedHeaders", "host"},
	)
	if creds.SessionToken != "" {
		pairs = append(pairs, queryPair{"X-Amz-Security-Token", creds.SessionToken})
	}
	enc := encodePairs(pairs)
	query := canonicalQuery(enc)
	headers := []signedHeader{{name: "host", values: []string{host}}}
	_, s := t.signParts(creds, now, region, service, "GET", canonicalURI(wire), query, headers, EmptyPayloadHash, true)
	if t.onSign != nil {
		t.onSign(s)
	}
	u.RawQuery = query + "&X-Amz-Signature=" + s.Signature
	u.ForceQuery = false
	return u.String(), nil
}

func isPresignParam(name string) bool {
	switch name {
	case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
		"X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature":
		return true
	}
	return false
}
