package requestid

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// UUIDv4 is the form of an AWS request ID.
var UUIDv4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := New()
		require.Regexp(t, UUIDv4, id)
		require.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
	}
	assert.NotRegexp(t, UUIDv4, "0123456789abcdef", "the old 16-hex-digit IDs are not UUIDs")
}

func TestHandler(t *testing.T) {
	var inCtx, inHandler string
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inCtx, inHandler = FromContext(r.Context()), Ensure(w)
		http.Error(w, "nope", http.StatusBadRequest)
	}))
	for _, status := range []int{http.StatusBadRequest} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
		assert.Equal(t, status, rec.Code)
		id := rec.Header().Get("x-amzn-RequestId")
		require.Regexp(t, UUIDv4, id, "errors carry an ID too")
		assert.Equal(t, id, inCtx)
		assert.Equal(t, id, inHandler, "Ensure keeps the ID Handler set")
	}
	assert.Empty(t, FromContext(httptest.NewRequest(http.MethodGet, "/", nil).Context()))
}

func TestEnsureWithoutHandler(t *testing.T) {
	rec := httptest.NewRecorder()
	id := Ensure(rec)
	require.Regexp(t, UUIDv4, id)
	assert.Equal(t, id, rec.Header().Get(Header))
	assert.Equal(t, id, Ensure(rec))
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = New()
	}
}
