package userpool

import "time"

// extras is the configuration of a pool that Cognito stores and returns
// without it changing how users sign in: classic hosted-UI customization
// (uicustom.go), managed-login branding styles (branding.go), terms
// documents (terms.go), log delivery (logdelivery.go) and user import jobs
// (importjobs.go). It is part of the pool's own value in the state, so
// every change is saved with the pool, except the uploads (import CSV
// files, logos, branding images), stored under keys of their own
// (blobs.go). Entries are values, not pointers, so a state file cannot
// hold a null one.
type extras struct {
	UICustom    []uiCustomization `json:"uiCustom,omitempty"`
	Brandings   []branding        `json:"brandings,omitempty"`
	Terms       []termsDoc        `json:"terms,omitempty"`
	LogDelivery []logConfig       `json:"logDelivery,omitempty"`
	ImportJobs  []importJob       `json:"importJobs,omitempty"`
}

// ext returns p's extras, creating them.
func (p *pool) ext() *extras {
	if p.Extras == nil {
		p.Extras = &extras{}
	}
	return p.Extras
}

// clientGone reports whether an entry tied to app client id outlived the
// client: Cognito deletes a client's customization, branding and terms
// with it, so such entries are neither shown nor kept.
func (p *pool) clientGone(id string) bool {
	_, ok := p.Clients[id]
	return !ok
}

// dropWhere removes the entries of l for which gone is true, in place.
func dropWhere[T any](l []T, gone func(*T) bool) []T {
	out := l[:0]
	for i := range l {
		if !gone(&l[i]) {
			out = append(out, l[i])
		}
	}
	clear(l[len(out):])
	return out
}

// stamp is the creation and last-change time of an entry.
type stamp struct {
	Created  time.Time `json:"created"`
	Modified time.Time `json:"modified"`
}

func newStamp(now time.Time) stamp { return stamp{Created: now, Modified: now} }
