package fakefb

import (
	"encoding/json"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// Register serves the fake on host under PathPrefix and persists its
// state as the "facebook" section.
func (f *Fake) Register(host *emulator.Host) {
	host.HandlePrefix(PathPrefix, f)
	host.AddSection("facebook", emulator.Section{
		Snapshot: func() (any, error) { return f.Snapshot(), nil },
		Restore: func(raw json.RawMessage) error {
			var st State
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
			f.Restore(st)
			return nil
		}})
}
