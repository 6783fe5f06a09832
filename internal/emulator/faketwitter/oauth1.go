package faketwitter

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrBadSignature reports an OAuth 1.0a request whose Authorization header
// is missing, malformed, stale, replayed, or whose signature does not
// verify.
var ErrBadSignature = errors.New("faketwitter: could not authenticate the request")

// percentEncode encodes s as RFC 5849 §3.6 requires: everything but the
// unreserved characters, with upper-case hex.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// baseURL is RFC 5849 §3.4.1.2's base string URI.
func baseURL(u *url.URL) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if (scheme == "http" && strings.HasSuffix(host, ":80")) || (scheme == "https" && strings.HasSuffix(host, ":443")) {
		host = host[:strings.LastIndexByte(host, ':')]
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path
}

// signatureBase is RFC 5849 §3.4.1's signature base string of a request
// to u with method, the query and body parameters params, and the
// protocol parameters oauth (without oauth_signature).
func signatureBase(method string, u *url.URL, params url.Values, oauth map[string]string) string {
	type kv struct{ k, v string }
	var all []kv
	for k, vs := range u.Query() {
		for _, v := range vs {
			all = append(all, kv{percentEncode(k), percentEncode(v)})
		}
	}
	for k, vs := range params {
		for _, v := range vs {
			all = append(all, kv{percentEncode(k), percentEncode(v)})
		}
	}
	for k, v := range oauth {
		all = append(all, kv{percentEncode(k), percentEncode(v)})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].k != all[j].k {
			return all[i].k < all[j].k
		}
		return all[i].v < all[j].v
	})
	pairs := make([]string, len(all))
	for i, p := range all {
		pairs[i] = p.k + "=" + p.v
	}
	return strings.ToUpper(method) + "&" + percentEncode(baseURL(u)) + "&" + percentEncode(strings.Join(pairs, "&"))
}

func hmacSHA1(base, consumerSecret, tokenSecret string) string {
	m := hmac.New(sha1.New, []byte(percentEncode(consumerSecret)+"&"+percentEncode(tokenSecret)))
	m.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Sign adds an OAuth 1.0a HMAC-SHA1 Authorization header (RFC 5849 §3.5.1)
// to req, as a client of consumerKey acting with the user's token does.
// Form parameters are signed when the body is
// application/x-www-form-urlencoded (the body is read and restored).
// nonce must be unique per request; now is the signing time.
func Sign(req *http.Request, consumerKey, consumerSecret, token, tokenSecret, nonce string, now time.Time) error {
	params, err := formParams(req)
	if err != nil {
		return err
	}
	oauth := map[string]string{"oauth_consumer_key": consumerKey, "oauth_token": token, "oauth_nonce": nonce,
		"oauth_signature_method": "HMAC-SHA1", "oauth_timestamp": strconv.FormatInt(now.Unix(), 10), "oauth_version": "1.0"}
	oauth["oauth_signature"] = hmacSHA1(signatureBase(req.Method, req.URL, params, oauth), consumerSecret, tokenSecret)
	keys := make([]string, 0, len(oauth))
	for k := range oauth {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = percentEncode(k) + `="` + percentEncode(oauth[k]) + `"`
	}
	req.Header.Set("Authorization", "OAuth "+strings.Join(parts, ", "))
	return nil
}

// formParams returns a form-encoded body's parameters, restoring the body.
func formParams(req *http.Request) (url.Values, error) {
	if req.Body == nil || !strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return url.Values{}, nil
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("faketwitter: reading the form: %w", err)
	}
	req.Body = io.NopCloser(strings.NewReader(string(b)))
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w: malformed form", ErrBadSignature)
	}
	return v, nil
}

// parseAuthorization parses an "Authorization: OAuth …" header (RFC 5849
// §3.5.1).
func parseAuthorization(h string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		return nil, fmt.Errorf("%w: no OAuth Authorization header", ErrBadSignature)
	}
	out := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("%w: malformed Authorization header", ErrBadSignature)
		}
		ku, err1 := url.PathUnescape(k)
		vu, err2 := url.PathUnescape(v[1 : len(v)-1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%w: malformed Authorization header", ErrBadSignature)
		}
		if _, dup := out[ku]; dup {
			return nil, fmt.Errorf("%w: parameter %s given twice", ErrBadSignature, ku)
		}
		if ku != "realm" {
			out[ku] = vu
		}
	}
	return out, nil
}
