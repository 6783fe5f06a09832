package userpool

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/cognitokit/cognitokit/internal/emulator/store"
)

// Uploads (the CSV file of an import job, the logo of a UI customization,
// the images of a managed-login branding style) are kept out of the pool's
// own value, each under its own key:
//
//	userpool/<poolID>/blobs/ "import/<jobID>"        → the CSV file (a JSON string)
//	                         "ui/<clientID or ALL>"  → the logo (base64)
//	                         "branding/<styleID>/<n>" → the bytes of asset n (base64)
//
// A save writes an upload only when it changed, and deletes it when its
// entry let it go (a job that ended, a customization removed or set without
// an image, a style deleted, the app client deleted; a deleted pool takes
// its bucket along), so saving a pool after a user change costs the same
// with a 16 MiB upload pending or without (BenchmarkStateMutationUpload).
// A pool value that holds them inline (a state written before) loads as
// it is; the first save moves them to their keys.

// blobsBucket is the bucket of a pool's uploads.
const blobsBucket = "blobs"

// blobRef is where one upload of a pool lives in memory: exactly one of
// str and bin is set.
type blobRef struct {
	key string
	str *string
	bin *[]byte
}

// value returns the upload as last written would hold it.
func (r blobRef) value() blobVal {
	if r.str != nil {
		return blobVal{str: *r.str}
	}
	return blobVal{bin: *r.bin}
}

// blobVal is an upload as Save last wrote it. It shares the upload's
// memory, so that an unchanged upload compares equal without reading it
// (the runtime's memequal answers at once for one array); a replaced one
// is compared byte by byte.
type blobVal struct {
	str string
	bin []byte
}

func (v blobVal) empty() bool { return v.str == "" && len(v.bin) == 0 }

func (v blobVal) equal(o blobVal) bool { return v.str == o.str && bytes.Equal(v.bin, o.bin) }

// encode is the stored JSON of the upload.
func (v blobVal) encode() ([]byte, error) {
	if v.str != "" {
		return json.Marshal(v.str)
	}
	return json.Marshal(v.bin)
}

// blobRefs lists where p's uploads live, empty ones too, after dropping
// the customizations and styles of deleted app clients (so their images
// leave the store with them).
func (p *pool) blobRefs() []blobRef {
	if p.Extras == nil {
		return nil
	}
	var out []blobRef
	for i := range p.Extras.ImportJobs {
		j := &p.Extras.ImportJobs[i]
		out = append(out, blobRef{key: "import/" + j.ID, str: &j.CSV})
	}
	ui := p.liveUICustom()
	for i := range ui {
		out = append(out, blobRef{key: "ui/" + ui[i].ClientID, bin: &ui[i].Image})
	}
	brandings := p.liveBrandings()
	for i := range brandings {
		b := &brandings[i]
		for n := range b.Assets {
			out = append(out, blobRef{key: "branding/" + b.ID + "/" + strconv.Itoa(n), bin: &b.Assets[n].Bytes})
		}
	}
	return out
}

// withoutBlobs returns a copy of x whose uploads are empty, sharing what
// it can (x itself when it holds none).
func withoutBlobs(x *extras) *extras {
	if x == nil {
		return nil
	}
	cp := *x
	if slices.ContainsFunc(x.ImportJobs, func(j importJob) bool { return j.CSV != "" }) {
		cp.ImportJobs = slices.Clone(x.ImportJobs)
		for i := range cp.ImportJobs {
			cp.ImportJobs[i].CSV = ""
		}
	}
	if slices.ContainsFunc(x.UICustom, func(u uiCustomization) bool { return len(u.Image) > 0 }) {
		cp.UICustom = slices.Clone(x.UICustom)
		for i := range cp.UICustom {
			cp.UICustom[i].Image = nil
		}
	}
	if slices.ContainsFunc(x.Brandings, func(b branding) bool { return len(b.Assets) > 0 }) {
		cp.Brandings = slices.Clone(x.Brandings)
		for i := range cp.Brandings {
			assets := slices.Clone(cp.Brandings[i].Assets)
			for n := range assets {
				assets[n].Bytes = nil
			}
			cp.Brandings[i].Assets = assets
		}
	}
	return &cp
}

// blobChanges lists the writes that bring p's stored uploads up to date
// with p (all: every upload), and records them in w.
func blobChanges(p *pool, base store.Path, w *written, all bool) ([]entityWrite, error) {
	path := append(append(store.Path{}, base...), blobsBucket)
	cur := map[string]blobVal{}
	var out []entityWrite
	for _, r := range p.blobRefs() {
		v := r.value()
		if v.empty() {
			continue
		}
		cur[r.key] = v
		if old, ok := w.blobs[r.key]; ok && !all && old.equal(v) {
			continue
		}
		raw, err := v.encode()
		if err != nil {
			return nil, fmt.Errorf("userpool: encode upload %q: %w", r.key, err)
		}
		out = append(out, entityWrite{path: path, key: r.key, raw: raw})
	}
	if !all {
		for _, k := range sortedKeys(w.blobs) {
			if _, ok := cur[k]; !ok {
				out = append(out, entityWrite{path: path, key: k})
			}
		}
	}
	w.blobs = cur
	return out, nil
}

// loadBlobs reads the uploads of the pool p stored at base into p. It
// returns them as written, and whether p's own value held uploads inline
// (then the next save moves them out). An upload that no entry of p owns,
// or that does not decode, is a *store.CorruptError.
func loadBlobs(tx *store.Tx, base store.Path, p *pool) (map[string]blobVal, bool, error) {
	refs := map[string]blobRef{}
	inline := false
	for _, r := range p.blobRefs() {
		refs[r.key] = r
		inline = inline || !r.value().empty()
	}
	loaded := map[string]blobVal{}
	err := tx.ForEach(append(append(store.Path{}, base...), blobsBucket), func(v store.Value) error {
		r, ok := refs[v.Key]
		switch {
		case !ok:
			return &store.CorruptError{Path: v.Path, Key: v.Key, Err: errors.New("no entry of the user pool owns this upload")}
		case r.str != nil:
			if err := v.Decode(r.str); err != nil {
				return err
			}
		default:
			if err := v.Decode(r.bin); err != nil {
				return err
			}
		}
		if val := r.value(); !val.empty() {
			loaded[v.Key] = val
		}
		return nil
	})
	return loaded, inline, err
}
