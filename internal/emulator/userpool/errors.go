package userpool

import (
	"net/http"

	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
)

// APIError is an error answered in AWS's shape (awsproto.APIError).
type APIError = awsproto.APIError

func errorf(code, format string, args ...any) *APIError {
	return awsproto.Errorf(code, format, args...)
}

func errCode(err error) string { return awsproto.ErrorCode(err) }

func writeError(w http.ResponseWriter, err error, status int) { awsproto.WriteError(w, err, status) }

// Errors Cognito answers, with its own messages.
func errInvalidParam(format string, args ...any) *APIError {
	return errorf("InvalidParameterException", format, args...)
}

func errNotAuthorized(msg string) *APIError { return errorf("NotAuthorizedException", "%s", msg) }

var (
	errIncorrectPassword  = &APIError{Code: "NotAuthorizedException", Message: "Incorrect username or password."}
	errUserNotFound       = &APIError{Code: "UserNotFoundException", Message: "User does not exist."}
	errUserNotConfirmed   = &APIError{Code: "UserNotConfirmedException", Message: "User is not confirmed."}
	errUserDisabled       = &APIError{Code: "NotAuthorizedException", Message: "User is disabled."}
	errPasswordReset      = &APIError{Code: "PasswordResetRequiredException", Message: "Password reset required for the user"}
	errCodeMismatch       = &APIError{Code: "CodeMismatchException", Message: "Invalid verification code provided, please try again."}
	errExpiredCode        = &APIError{Code: "ExpiredCodeException", Message: "Invalid code provided, please request a code again."}
	errTooManyCodes       = &APIError{Code: "TooManyFailedAttemptsException", Message: "Too many failed attempts."}
	errAttemptsExceeded   = &APIError{Code: "NotAuthorizedException", Message: "Password attempts exceeded"}
	errInvalidAccessToken = &APIError{Code: "NotAuthorizedException", Message: "Invalid Access Token"}
	errExpiredAccessToken = &APIError{Code: "NotAuthorizedException", Message: "Access Token has expired"}
	errRevokedAccessToken = &APIError{Code: "NotAuthorizedException", Message: "Access Token has been revoked"}
	errInvalidRefresh     = &APIError{Code: "NotAuthorizedException", Message: "Invalid Refresh Token"}
	errRevokedRefresh     = &APIError{Code: "NotAuthorizedException", Message: "Refresh Token has been revoked"}
	errSessionExpired     = &APIError{Code: "NotAuthorizedException", Message: "Invalid session for the user, session is expired."}
	errSessionUsed        = &APIError{Code: "NotAuthorizedException", Message: "Invalid session for the user, session can only be used once."}
	errUserExists         = &APIError{Code: "UsernameExistsException", Message: "User already exists"}
)

// apiMessage returns the message of an *APIError, or the error's text.
func apiMessage(err error) string { return awsproto.ErrorMessage(err) }
