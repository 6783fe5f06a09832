package userpool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/store"
)

// Persistence: the user pools live in the state database entity by entity
// (store's package doc), under the service bucket "userpool":
//
//	userpool/<poolID>/ "pool"         → the pool without its users, refresh tokens, messages and uploads
//	userpool/<poolID>/users/    <key> → one user (key: the username, lower-cased unless CaseSensitive)
//	userpool/<poolID>/refresh/  <SHA-256 of the token> → one refresh token
//	userpool/<poolID>/messages/ <sequence number, 20 digits> → one message of the outbox (the last 1,000)
//	userpool/<poolID>/blobs/    <kind/ID> → one upload: an import CSV file, a logo, a branding image (blobs.go)
//
// A mutation marks the users and refresh tokens it reaches (tracker), and
// deliver counts the messages it sends; after it, Save writes those, the
// new messages, the uploads that changed, and the pool's own value when it
// differs from what was written last, so its cost grows neither with the
// number of users nor with the size of the uploads.

// serviceBucket is the top-level bucket of the user pools.
const serviceBucket = "userpool"

const (
	poolKey        = "pool"
	messagesBucket = "messages"
	usersBucket    = "users"
	refreshKind    = "refresh"
)

// tracker is the persistence bookkeeping of one pool, guarded by Server.mu.
type tracker struct {
	users   map[string]struct{} // keys of users reached since the last Save
	refresh map[string]struct{} // hashes of refresh tokens reached
	// order is every username, sorted (ListUsers pages without sorting the
	// pool); nil until first needed.
	order []string
	// msgSeq numbers the last message in the outbox; msgWritten the last
	// one stored, msgOldest the first one stored.
	msgSeq, msgWritten, msgOldest int64
}

// sent records that deliver appended a message to the outbox.
func (p *pool) sent() { p.tr().msgSeq++ }

func messageKey(seq int64) string { return fmt.Sprintf("%020d", seq) }

// written is what Save last wrote of a pool.
type written struct {
	rest  []byte
	blobs map[string]blobVal // by key in the blobs bucket
}

func (p *pool) tr() *tracker {
	if p.track == nil {
		p.track = &tracker{msgOldest: 1}
	}
	return p.track
}

// touchUser marks the user under key as changed.
func (p *pool) touchUser(key string) {
	t := p.tr()
	if t.users == nil {
		t.users = map[string]struct{}{}
	}
	t.users[key] = struct{}{}
}

// touchRefresh marks the refresh token under hash as changed.
func (p *pool) touchRefresh(hash string) {
	t := p.tr()
	if t.refresh == nil {
		t.refresh = map[string]struct{}{}
	}
	t.refresh[hash] = struct{}{}
}

// user returns the user stored under name's key, marking it: a caller of
// a mutating operation may change it.
func (p *pool) user(name string) *user {
	k := p.key(name)
	u := p.Users[k]
	if u != nil {
		p.touchUser(k)
	}
	return u
}

// findUser is lookupUser, marking the user found.
func (p *pool) findUser(name string) *user {
	u := p.lookupUser(name)
	if u != nil {
		p.touchUser(p.key(u.Username))
	}
	return u
}

// addUser stores a new user.
func (p *pool) addUser(u *user) {
	k := p.key(u.Username)
	p.Users[k] = u
	p.touchUser(k)
	t := p.tr()
	if t.order != nil {
		i := sort.SearchStrings(t.order, u.Username)
		t.order = append(t.order, "")
		copy(t.order[i+1:], t.order[i:])
		t.order[i] = u.Username
	}
}

// removeUser deletes u from the pool.
func (p *pool) removeUser(u *user) {
	k := p.key(u.Username)
	delete(p.Users, k)
	p.touchUser(k)
	t := p.tr()
	if t.order != nil {
		i := sort.SearchStrings(t.order, u.Username)
		if i < len(t.order) && t.order[i] == u.Username {
			t.order = append(t.order[:i], t.order[i+1:]...)
		} else {
			t.order = nil // out of step: rebuilt when next needed
		}
	}
}

// usernames returns every username in sorted order (do not modify it).
func (p *pool) usernames() []string {
	t := p.tr()
	if t.order == nil || len(t.order) != len(p.Users) {
		t.order = make([]string, 0, len(p.Users))
		for _, u := range p.Users {
			t.order = append(t.order, u.Username)
		}
		sort.Strings(t.order)
	}
	return t.order
}

// userAt returns the user of the sorted username list's entry.
func (p *pool) userAt(name string) *user { return p.Users[p.key(name)] }

// persistence registers the user pools' section on host.
func (s *Server) persistence() emulator.Section {
	return emulator.Section{Entities: &emulator.Entities{Load: s.load, Save: s.save, Import: ImportLegacy}}
}

type entityWrite struct {
	path store.Path
	key  string
	raw  []byte // nil: delete
	drop bool   // delete the bucket at path
}

// save writes what changed since the last save (all: everything, over
// whatever the bucket holds).
func (s *Server) save(tx *store.Tx, all bool) error {
	var writes []entityWrite
	var gone []string
	s.mu.Lock()
	if s.written == nil || all {
		s.written = map[string]*written{}
	}
	now := s.now()
	for _, id := range sortedKeys(s.st.Pools) {
		p := s.st.Pools[id]
		p.expireImports(now) // an expired job's file leaves the store now
		w, err := s.poolChanges(p, all)
		if err != nil {
			s.mu.Unlock()
			return err
		}
		writes = append(writes, w...)
	}
	if !all {
		for id := range s.written {
			if s.st.Pools[id] == nil {
				gone = append(gone, id)
				delete(s.written, id)
			}
		}
	}
	s.mu.Unlock()
	if all {
		if err := tx.DeleteBucket(store.Path{serviceBucket}); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	for _, id := range gone {
		if err := tx.DeleteBucket(store.Path{serviceBucket, id}); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return applyWrites(tx, writes)
}

func applyWrites(tx *store.Tx, writes []entityWrite) error {
	for _, w := range writes {
		var err error
		if w.drop {
			err = tx.DeleteBucket(w.path)
		} else if w.raw == nil {
			err = tx.Delete(w.path, w.key)
		} else {
			err = tx.PutRaw(w.path, w.key, w.raw)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) { // deleting what was never stored
			return err
		}
	}
	return nil
}

// poolChanges lists the writes that bring the stored pool p up to date
// (all: every entity), with s.mu held, and clears p's marks unless an
// operation is in an unlocked window (it may still change what it marked).
func (s *Server) poolChanges(p *pool, all bool) ([]entityWrite, error) {
	base := store.Path{serviceBucket, p.ID}
	w := s.written[p.ID]
	if w == nil {
		w = &written{}
		s.written[p.ID] = w
	}
	// The uploads first: listing them drops the entries of deleted app
	// clients, which changes the pool's own value.
	out, err := blobChanges(p, base, w, all)
	if err != nil {
		return nil, err
	}
	rest, err := poolRest(p)
	if err != nil {
		return nil, err
	}
	if all || !bytes.Equal(rest, w.rest) {
		out = append(out, entityWrite{path: base, key: poolKey, raw: rest})
		w.rest = rest
	}
	msgs, err := messageChanges(p, base, all)
	if err != nil {
		return nil, err
	}
	out = append(out, msgs...)
	users, refresh := p.tr().users, p.tr().refresh
	if all {
		users, refresh = map[string]struct{}{}, map[string]struct{}{}
		for k := range p.Users {
			users[k] = struct{}{}
		}
		for k := range p.Refresh {
			refresh[k] = struct{}{}
		}
	}
	for _, k := range sortedKeys(users) {
		e, err := entity(base, usersBucket, k, p.Users[k])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	for _, k := range sortedKeys(refresh) {
		e, err := entity(base, refreshKind, k, p.Refresh[k])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if s.windows == 0 {
		p.tr().users, p.tr().refresh = nil, nil
	}
	return out, nil
}

// entity is the write of v under key in base/bucket; a nil v deletes.
func entity[T any](base store.Path, bucket, key string, v *T) (entityWrite, error) {
	path := append(append(store.Path{}, base...), bucket)
	if v == nil {
		return entityWrite{path: path, key: key}, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return entityWrite{}, fmt.Errorf("userpool: encode %s %q: %w", bucket, key, err)
	}
	return entityWrite{path: path, key: key, raw: raw}, nil
}

// poolRest is p's own value: p without its users, refresh tokens, outbox
// and uploads, which are stored on their own.
func poolRest(p *pool) ([]byte, error) {
	cp := *p
	cp.Users, cp.Refresh, cp.Messages, cp.track = nil, nil, nil, nil
	cp.Extras = withoutBlobs(p.Extras)
	return json.Marshal(&cp)
}

// messageChanges lists the writes of the messages sent since the last
// save and the deletes of those the outbox dropped (all, or an outbox
// changed other than by deliver: the whole outbox again).
func messageChanges(p *pool, base store.Path, all bool) ([]entityWrite, error) {
	t := p.tr()
	path := append(append(store.Path{}, base...), messagesBucket)
	n := int64(len(p.Messages))
	var out []entityWrite
	from := t.msgWritten + 1 // the first message to write
	if all || t.msgSeq-n+1 < t.msgOldest || (n > 0 && t.msgOldest > t.msgSeq) || t.msgSeq < n {
		if t.msgSeq < n {
			t.msgSeq = n
		}
		out = append(out, entityWrite{path: path, drop: true})
		from, t.msgOldest = t.msgSeq-n+1, t.msgSeq-n+1
	}
	first := t.msgSeq - n + 1 // the sequence number of p.Messages[0]
	for seq := max(from, first); seq <= t.msgSeq; seq++ {
		raw, err := json.Marshal(&p.Messages[seq-first])
		if err != nil {
			return nil, err
		}
		out = append(out, entityWrite{path: path, key: messageKey(seq), raw: raw})
	}
	for seq := t.msgOldest; seq < first; seq++ {
		out = append(out, entityWrite{path: path, key: messageKey(seq)})
	}
	t.msgOldest, t.msgWritten = first, t.msgSeq
	return out, nil
}

// load reads the user pools from the store (at start).
func (s *Server) load(tx *store.Tx) error {
	st := newState()
	ws := map[string]*written{}
	inline := map[string]bool{} // pools whose value holds uploads (rewritten at the next save)
	err := tx.Buckets(store.Path{serviceBucket}, func(id string) error {
		base := store.Path{serviceBucket, id}
		p := &pool{}
		if err := tx.Get(base, poolKey, p); err != nil {
			return err
		}
		p.Users, p.Refresh = map[string]*user{}, map[string]*refreshToken{}
		t := p.tr()
		if err := tx.ForEach(append(append(store.Path{}, base...), messagesBucket), func(v store.Value) error {
			seq, err := strconv.ParseInt(v.Key, 10, 64)
			if err != nil || seq < 1 {
				return &store.CorruptError{Path: v.Path, Key: v.Key, Err: errors.New("not a message number")}
			}
			var m Message
			if err := v.Decode(&m); err != nil {
				return err
			}
			if len(p.Messages) == 0 {
				t.msgOldest = seq
			}
			p.Messages = append(p.Messages, m)
			t.msgSeq, t.msgWritten = seq, seq
			return nil
		}); err != nil {
			return err
		}
		if n := int64(len(p.Messages)); n > 0 && t.msgSeq-t.msgOldest+1 != n {
			return &store.CorruptError{Path: append(append(store.Path{}, base...), messagesBucket), Key: messageKey(t.msgOldest),
				Err: errors.New("the message numbers are not consecutive")}
		}
		if err := loadBucket(tx, base, usersBucket, p.Users); err != nil {
			return err
		}
		if err := loadBucket(tx, base, refreshKind, p.Refresh); err != nil {
			return err
		}
		blobs, in, err := loadBlobs(tx, base, p)
		if err != nil {
			return err
		}
		ws[id], inline[id] = &written{blobs: blobs}, in
		if p.ID != id {
			return fmt.Errorf("%w: user pool bucket %q holds pool %q", ErrStateEntry, id, p.ID)
		}
		st.Pools[id] = p
		return nil
	})
	if err != nil {
		return err
	}
	if err := st.checkEntries(); err != nil {
		return err
	}
	for id, p := range st.Pools {
		p.fillMaps()
		if inline[id] {
			continue // w.rest stays nil: the next save writes the value without them
		}
		if ws[id].rest, err = poolRest(p); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.st, s.written = st, ws
	s.mu.Unlock()
	return nil
}

// loadBucket decodes every entry of base/bucket into m, by key.
func loadBucket[T any](tx *store.Tx, base store.Path, bucket string, m map[string]*T) error {
	return tx.ForEach(append(append(store.Path{}, base...), bucket), func(v store.Value) error {
		e := new(T)
		m[v.Key] = e
		return v.Decode(e)
	})
}

// ImportLegacy is the store.Importer of the user pools' section of a JSON
// state file from before the store (the file's top-level "pools"): it
// checks the pools as loading such a file did, and writes each entity
// under its own key.
func ImportLegacy(tx *store.Tx, raw json.RawMessage) error {
	st := newState()
	if t := bytes.TrimSpace(raw); len(t) > 0 && string(t) != "null" {
		if err := json.Unmarshal(raw, &st.Pools); err != nil {
			return err
		}
	}
	if st.Pools == nil {
		st.Pools = map[string]*pool{}
	}
	if err := st.checkEntries(); err != nil {
		return err
	}
	s := &Server{st: st, written: map[string]*written{}}
	for _, id := range sortedKeys(st.Pools) {
		p := st.Pools[id]
		if p.ID != id {
			return fmt.Errorf("%w: user pool %q has the ID %q", ErrStateEntry, id, p.ID)
		}
		p.fillMaps()
		w, err := s.poolChanges(p, true)
		if err != nil {
			return err
		}
		if err := applyWrites(tx, w); err != nil {
			return err
		}
	}
	return nil
}
