package cognitotest

// AuthEventFeedbackToken returns the feedback token of one of a user's
// auth events (an EventId of AdminListUserAuthEvents), which
// UpdateAuthEventFeedback takes. Cognito sends it only in its risk
// notification e-mails; the emulator records auth events in pools with
// threat protection on (see PoolOptions.ThreatProtection). It fails when the pool, the user or
// the event does not exist.
func (s *Server) AuthEventFeedbackToken(poolID, username, eventID string) (string, error) {
	return s.up.AuthEventFeedbackToken(poolID, username, eventID)
}

// MustAuthEventFeedbackToken is AuthEventFeedbackToken for tests: it
// panics on error.
func (s *Server) MustAuthEventFeedbackToken(poolID, username, eventID string) string {
	return must(s.AuthEventFeedbackToken(poolID, username, eventID))
}
