package cognitotest

import (
	"errors"

	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
	"github.com/cognitokit/cognitokit/internal/emulator/userpool"
)

// APIError is an error in Cognito's terms: the error code and message the
// emulator answers over HTTP (header X-Amzn-ErrorType: Code, body
// {"__type": Code, "message": Message}). The Server's Go helpers return
// it (wrapped) when the emulated service refuses their input, so that
// tests can branch on Code with errors.As.
type APIError struct {
	Code    string // e.g. "InvalidParameterException"
	Message string // e.g. "Password did not conform with policy: ..."
}

// Error returns "cognitotest: Code: Message".
func (e *APIError) Error() string { return "cognitotest: " + e.Code + ": " + e.Message }

// wrap turns an emulated service's answer into an *APIError; other errors
// are returned as they are.
func wrap(err error) error {
	var ae *awsproto.APIError
	if err == nil || !errors.As(err, &ae) {
		return err
	}
	return &APIError{Code: ae.Code, Message: ae.Message}
}

// ErrStateEntry is wrapped by the error of a state file holding an entry
// that is null or otherwise unusable (a hand-edited or damaged file).
var ErrStateEntry = userpool.ErrStateEntry
