package userpool

// Limits and names of the service that the emulator's facade tests count
// up to or address directly.
const (
	// Target is cognito-idp's X-Amz-Target prefix.
	Target = idpTarget
	// LockoutThreshold is the number of consecutive wrong passwords after
	// which sign-ins are refused for a while.
	LockoutThreshold = lockoutThreshold
	// MaxChallengeFailures is the number of wrong MFA codes a session
	// survives.
	MaxChallengeFailures = maxChallengeFailures
	// MaxCodeFailures is the number of wrong tries after which a
	// one-time code burns.
	MaxCodeFailures = maxCodeFailures
)

// Implemented reports whether the service implements the cognito-idp
// operation op.
func Implemented(op string) bool {
	_, ok := targets[idpTarget][op]
	return ok
}
