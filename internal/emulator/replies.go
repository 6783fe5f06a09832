package emulator

import (
	"bytes"
	"net/http"
	"sync"
)

// A retry of an AWS SDK call carries the same Amz-Sdk-Invocation-Id
// header as its first attempt. When the first attempt was carried out
// but its answer was lost on the way back (a keep-alive connection closed
// under the client: aws-sdk-go-v2 issue 2737), running the retry again
// would create a second pool or user. The server instead answers a retry
// of a mutating operation with the answer it gave to the first attempt,
// as AWS does for calls with an idempotency token.

// ReplyCacheSize bounds the answers remembered.
const ReplyCacheSize = 256

// replyCache holds the last replyCacheSize answers to mutating operations,
// by invocation ID and X-Amz-Target. Answers stay in memory only.
type replyCache struct {
	mu    sync.Mutex
	byKey map[string]*savedReply
	order []string // oldest first
}

type savedReply struct {
	status int
	header http.Header
	body   []byte
}

// replay writes the remembered answer for key and reports whether there
// was one.
func (c *replyCache) replay(w http.ResponseWriter, key string) bool {
	c.mu.Lock()
	rep := c.byKey[key]
	c.mu.Unlock()
	if rep == nil {
		return false
	}
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
	return true
}

// store remembers what tw saw written, evicting the oldest answer when
// full.
func (c *replyCache) store(key string, tw *teeWriter) {
	if tw.status == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[string]*savedReply{}
	}
	if _, ok := c.byKey[key]; !ok {
		c.order = append(c.order, key)
	}
	c.byKey[key] = &savedReply{status: tw.status, header: tw.Header().Clone(), body: bytes.Clone(tw.buf.Bytes())}
	for len(c.order) > ReplyCacheSize {
		delete(c.byKey, c.order[0])
		c.order = c.order[1:]
	}
}

// teeWriter passes an answer through and keeps a copy.
type teeWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (t *teeWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	t.buf.Write(b)
	return t.ResponseWriter.Write(b)
}

// RepliesCached returns how many answers the host remembers, and how many
// keys its eviction order holds (tests).
func (h *Host) RepliesCached() (answers, order int) {
	h.replies.mu.Lock()
	defer h.replies.mu.Unlock()
	return len(h.replies.byKey), len(h.replies.order)
}
