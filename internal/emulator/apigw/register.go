package apigw

import (
	"encoding/json"

	"github.com/cognitokit/cognitokit/internal/emulator"
)

// Register serves the gateway on host under PathPrefix and persists its
// state as the "apiGateway" section.
func (g *Gateway) Register(host *emulator.Host) {
	host.HandlePrefix(PathPrefix, g)
	host.AddSection("apiGateway", emulator.Section{
		Snapshot: func() (any, error) { return g.Snapshot() },
		Restore: func(raw json.RawMessage) error {
			var st State
			if err := json.Unmarshal(raw, &st); err != nil {
				return err
			}
			g.Restore(&st)
			return nil
		}})
}
