package cognitotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// APIError is an error the emulator answers in AWS's shape: HTTP 400,
// header X-Amzn-ErrorType: Code, body {"__type": Code, "message": Message}.
// The Go helpers of Server never return it; it is exported so that code
// mounting the Handler can recognise the codes in tests.
type APIError struct {
	Code    string // e.g. "NotAuthorizedException"
	Message string // e.g. "Incorrect username or password."
}

// Error returns "cognitotest: Code: Message".
func (e *APIError) Error() string { return "cognitotest: " + e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func errCode(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return "InternalErrorException"
}

func writeError(w http.ResponseWriter, err error, status int) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Code: "InternalErrorException", Message: err.Error()}
	}
	b, _ := json.Marshal(map[string]string{"__type": ae.Code, "message": ae.Message})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", ae.Code)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Errors Cognito answers, with its own messages.
func errInvalidParam(format string, args ...any) *APIError {
	return errorf("InvalidParameterException", format, args...)
}

func errNotAuthorized(msg string) *APIError { return errorf("NotAuthorizedException", "%s", msg) }

var (
	errIncorrectPassword  = &APIError{"NotAuthorizedException", "Incorrect username or password."}
	errUserNotFound       = &APIError{"UserNotFoundException", "User does not exist."}
	errUserNotConfirmed   = &APIError{"UserNotConfirmedException", "User is not confirmed."}
	errUserDisabled       = &APIError{"NotAuthorizedException", "User is disabled."}
	errPasswordReset      = &APIError{"PasswordResetRequiredException", "Password reset required for the user"}
	errCodeMismatch       = &APIError{"CodeMismatchException", "Invalid verification code provided, please try again."}
	errExpiredCode        = &APIError{"ExpiredCodeException", "Invalid code provided, please request a code again."}
	errTooManyCodes       = &APIError{"TooManyFailedAttemptsException", "Too many failed attempts."}
	errAttemptsExceeded   = &APIError{"NotAuthorizedException", "Password attempts exceeded"}
	errInvalidAccessToken = &APIError{"NotAuthorizedException", "Invalid Access Token"}
	errExpiredAccessToken = &APIError{"NotAuthorizedException", "Access Token has expired"}
	errRevokedAccessToken = &APIError{"NotAuthorizedException", "Access Token has been revoked"}
	errInvalidRefresh     = &APIError{"NotAuthorizedException", "Invalid Refresh Token"}
	errRevokedRefresh     = &APIError{"NotAuthorizedException", "Refresh Token has been revoked"}
	errSessionExpired     = &APIError{"NotAuthorizedException", "Invalid session for the user, session is expired."}
	errSessionUsed        = &APIError{"NotAuthorizedException", "Invalid session for the user, session can only be used once."}
	errUserExists         = &APIError{"UsernameExistsException", "User already exists"}
)
