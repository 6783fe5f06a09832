package fakefb

import (
	"errors"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// Register serves the fake on host under PathPrefix and persists its
// state as the "facebook" section.
func (f *Fake) Register(host *emulator.Host) {
	host.HandlePrefix(PathPrefix, f)
	host.AddSection("facebook", emulator.JSONSection(
		func() (any, error) { return f.Snapshot(), nil },
		func(st *State) error { f.Restore(*st); return nil }))
}

// TokenOwner returns the app a valid access token was issued to and its
// user's ID; expired reports a token that was minted but has expired (err
// is then ErrExpiredToken). It is what identity pools ask of Facebook.
func (f *Fake) TokenOwner(token string) (appID, userID string, expired bool, err error) {
	rec, err := f.Lookup(token)
	if err != nil {
		return "", "", errors.Is(err, ErrExpiredToken), err
	}
	return rec.AppID, rec.User.ID, false, nil
}
