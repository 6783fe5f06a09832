package apigw

import (
	"github.com/cognitokit/cognitokit/internal/emulator"
)

// Register serves the gateway on host under PathPrefix and persists its
// state as the "apiGateway" section.
func (g *Gateway) Register(host *emulator.Host) {
	host.HandlePrefix(PathPrefix, g)
	host.AddSection("apiGateway", emulator.JSONSection(
		func() (any, error) { return g.Snapshot() },
		func(st *State) error { g.Restore(st); return nil }))
}
