// Package requestid gives every response of the emulator an AWS request
// ID, as AWS does: a random UUID (version 4) in the x-amzn-RequestId
// header of every answer, error or not, which the SDKs expose (the JS
// SDK's $metadata.requestId, aws-sdk-go-v2's
// middleware.GetRequestIDMetadata). Wrap the emulator's top handler with
// Handler; writers of bodies that also carry the ID (STS's XML
// RequestId) read it back with Ensure.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Header is the response header that carries the request ID, in Go's
// canonical form of AWS's x-amzn-RequestId.
const Header = "X-Amzn-Requestid"

type ctxKey struct{}

// New returns a random version 4 UUID, e.g.
// "3f1c2b8e-9d4a-4c1e-8b7f-2a6d5e4c3b1a". It reads crypto/rand, never a
// test's deterministic source: request IDs are not state.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// Handler returns h with a fresh request ID set on every response before
// h runs, and stored in the request's context (FromContext).
func Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := New()
		w.Header().Set(Header, id)
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, id)))
	})
}

// FromContext returns the request ID Handler gave the request, or "".
func FromContext(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Ensure returns the request ID already set on w's header, setting a new
// one first when there is none (a handler served without Handler).
func Ensure(w http.ResponseWriter) string {
	if id := w.Header().Get(Header); id != "" {
		return id
	}
	id := New()
	w.Header().Set(Header, id)
	return id
}
