package cognito

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// Sentinel errors for the Cognito exceptions callers branch on. Every error
// that comes from a Cognito API response is an *Error whose Is method
// matches the sentinel of its exception code, so
//
//	errors.Is(err, cognito.ErrNotAuthorized)
//
// works whatever the operation. Errors the client detects itself (a
// malformed challenge, a missing attribute) wrap ErrInvalidResponse,
// ErrMissingAttribute or ErrWrongChallenge with %w. The sentinels' text has
// no "cognito: " prefix, because the package's errors always wrap them
// after one ("cognito: RespondNewPassword: invalid parameter: …").
var (
	// ErrNotAuthorized is NotAuthorizedException: wrong password, disabled
	// user, revoked or expired token, flow not enabled for the app client,
	// or a wrong SECRET_HASH.
	ErrNotAuthorized = errors.New("not authorized")
	// ErrUserNotFound is UserNotFoundException (only returned when the pool
	// does not hide user existence).
	ErrUserNotFound = errors.New("user not found")
	// ErrUserNotConfirmed is UserNotConfirmedException: the user signed up
	// but has not confirmed; call ConfirmSignUp or ResendConfirmationCode.
	ErrUserNotConfirmed = errors.New("user not confirmed")
	// ErrPasswordResetRequired is PasswordResetRequiredException: an
	// administrator reset the password; call ForgotPassword.
	ErrPasswordResetRequired = errors.New("password reset required")
	// ErrCodeMismatch is CodeMismatchException: a wrong confirmation or MFA
	// code.
	ErrCodeMismatch = errors.New("code mismatch")
	// ErrExpiredCode is ExpiredCodeException.
	ErrExpiredCode = errors.New("expired code")
	// ErrInvalidPassword is InvalidPasswordException: the password does not
	// meet the pool's policy or was used before.
	ErrInvalidPassword = errors.New("invalid password")
	// ErrUsernameExists is UsernameExistsException.
	ErrUsernameExists = errors.New("username exists")
	// ErrAliasExists is AliasExistsException.
	ErrAliasExists = errors.New("alias exists")
	// ErrTooManyRequests is TooManyRequestsException (throttling).
	ErrTooManyRequests = errors.New("too many requests")
	// ErrTooManyFailedAttempts is TooManyFailedAttemptsException.
	ErrTooManyFailedAttempts = errors.New("too many failed attempts")
	// ErrLimitExceeded is LimitExceededException (for example too many code
	// requests for one user).
	ErrLimitExceeded = errors.New("limit exceeded")
	// ErrInvalidParameter is InvalidParameterException; the client also
	// returns it, before calling Cognito, for arguments it can tell are
	// wrong (an empty password, an unknown flow).
	ErrInvalidParameter = errors.New("invalid parameter")
	// ErrResourceNotFound is ResourceNotFoundException (unknown pool, client
	// or device).
	ErrResourceNotFound = errors.New("resource not found")
	// ErrCodeDeliveryFailure is CodeDeliveryFailureException.
	ErrCodeDeliveryFailure = errors.New("code delivery failure")
	// ErrMFAMethodNotFound is MFAMethodNotFoundException.
	ErrMFAMethodNotFound = errors.New("MFA method not found")
	// ErrSoftwareTokenMFANotFound is SoftwareTokenMFANotFoundException.
	ErrSoftwareTokenMFANotFound = errors.New("software token MFA not found")
	// ErrEnableSoftwareTokenMFA is EnableSoftwareTokenMFAException: a wrong
	// TOTP code while verifying a new authenticator.
	ErrEnableSoftwareTokenMFA = errors.New("could not enable software token MFA")
	// ErrUserLambdaValidation is UserLambdaValidationException: a pool
	// trigger rejected the request.
	ErrUserLambdaValidation = errors.New("Lambda trigger validation failed")
	// ErrLambda is InvalidLambdaResponseException or
	// UnexpectedLambdaException.
	ErrLambda = errors.New("Lambda trigger failed")
	// ErrInvalidUserPoolConfiguration is
	// InvalidUserPoolConfigurationException.
	ErrInvalidUserPoolConfiguration = errors.New("invalid user pool configuration")
	// ErrUnauthorized is UnauthorizedException (RevokeToken with a wrong
	// client or secret).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrUnsupportedTokenType is UnsupportedTokenTypeException.
	ErrUnsupportedTokenType = errors.New("unsupported token type")
	// ErrGroupExists is GroupExistsException.
	ErrGroupExists = errors.New("group exists")
	// ErrInternal is InternalErrorException.
	ErrInternal = errors.New("internal error")
	// ErrForbidden is ForbiddenException (AWS WAF blocked the request).
	ErrForbidden = errors.New("forbidden")
	// ErrRefreshTokenReuse is RefreshTokenReuseException: the refresh
	// token was already rotated out (GetTokensFromRefreshToken) and its
	// grace period is over. Sign in again, or load the newer token.
	ErrRefreshTokenReuse = errors.New("refresh token already rotated")
	// ErrFeatureUnavailableInTier is FeatureUnavailableInTierException: the
	// pool's feature plan lacks the feature (for example passwordless
	// sign-in on the Lite plan).
	ErrFeatureUnavailableInTier = errors.New("feature unavailable in the pool's tier")
	// ErrWebAuthnNotEnabled is WebAuthnNotEnabledException: passkeys are
	// not enabled in the pool.
	ErrWebAuthnNotEnabled = errors.New("passkeys not enabled")
	// ErrWebAuthnConfigurationMissing is
	// WebAuthnConfigurationMissingException: the pool has neither a
	// relying-party ID nor a domain.
	ErrWebAuthnConfigurationMissing = errors.New("passkey configuration missing")
	// ErrWebAuthnRefused is any of the WebAuthn exceptions that refuse a
	// passkey registration: WebAuthnChallengeNotFoundException (expired
	// or unknown challenge), WebAuthnClientMismatchException,
	// WebAuthnOriginNotAllowedException,
	// WebAuthnRelyingPartyMismatchException and
	// WebAuthnCredentialNotSupportedException. Error.Code says which.
	ErrWebAuthnRefused = errors.New("passkey refused")

	// ErrInvalidResponse reports a response from Cognito that the client
	// cannot use: neither tokens nor a challenge, a challenge parameter that
	// is missing or malformed, or SRP values that fail the protocol's
	// checks.
	ErrInvalidResponse = errors.New("invalid response from Cognito")
	// ErrWrongChallenge reports an answer method called on a challenge of
	// another kind (for example RespondMFA on NEW_PASSWORD_REQUIRED).
	ErrWrongChallenge = errors.New("answer does not fit the challenge")
	// ErrMissingAttribute reports a required attribute the caller did not
	// give when answering NEW_PASSWORD_REQUIRED.
	ErrMissingAttribute = errors.New("missing required attribute")
	// ErrNoRefreshToken reports a refresh attempted without a refresh token.
	ErrNoRefreshToken = errors.New("no refresh token")
	// ErrUsernameRequired reports a call that needs the Cognito username
	// (for SECRET_HASH) when none is known.
	ErrUsernameRequired = errors.New("username required")
)

// codeSentinels maps Cognito exception codes to sentinel errors.
var codeSentinels = map[string]error{
	"NotAuthorizedException":                  ErrNotAuthorized,
	"UserNotFoundException":                   ErrUserNotFound,
	"UserNotConfirmedException":               ErrUserNotConfirmed,
	"PasswordResetRequiredException":          ErrPasswordResetRequired,
	"CodeMismatchException":                   ErrCodeMismatch,
	"ExpiredCodeException":                    ErrExpiredCode,
	"InvalidPasswordException":                ErrInvalidPassword,
	"PasswordHistoryPolicyViolationException": ErrInvalidPassword,
	"UsernameExistsException":                 ErrUsernameExists,
	"AliasExistsException":                    ErrAliasExists,
	"TooManyRequestsException":                ErrTooManyRequests,
	"TooManyFailedAttemptsException":          ErrTooManyFailedAttempts,
	"LimitExceededException":                  ErrLimitExceeded,
	"InvalidParameterException":               ErrInvalidParameter,
	"ResourceNotFoundException":               ErrResourceNotFound,
	"CodeDeliveryFailureException":            ErrCodeDeliveryFailure,
	"MFAMethodNotFoundException":              ErrMFAMethodNotFound,
	"SoftwareTokenMFANotFoundException":       ErrSoftwareTokenMFANotFound,
	"EnableSoftwareTokenMFAException":         ErrEnableSoftwareTokenMFA,
	"UserLambdaValidationException":           ErrUserLambdaValidation,
	"InvalidLambdaResponseException":          ErrLambda,
	"UnexpectedLambdaException":               ErrLambda,
	"InvalidUserPoolConfigurationException":   ErrInvalidUserPoolConfiguration,
	"UnauthorizedException":                   ErrUnauthorized,
	"UnsupportedTokenTypeException":           ErrUnsupportedTokenType,
	"GroupExistsException":                    ErrGroupExists,
	"InternalErrorException":                  ErrInternal,
	"ForbiddenException":                      ErrForbidden,
	"RefreshTokenReuseException":              ErrRefreshTokenReuse,
	"FeatureUnavailableInTierException":       ErrFeatureUnavailableInTier,
	"WebAuthnNotEnabledException":             ErrWebAuthnNotEnabled,
	"WebAuthnConfigurationMissingException":   ErrWebAuthnConfigurationMissing,
	"WebAuthnChallengeNotFoundException":      ErrWebAuthnRefused,
	"WebAuthnClientMismatchException":         ErrWebAuthnRefused,
	"WebAuthnOriginNotAllowedException":       ErrWebAuthnRefused,
	"WebAuthnRelyingPartyMismatchException":   ErrWebAuthnRefused,
	"WebAuthnCredentialNotSupportedException": ErrWebAuthnRefused,
}

// Error is an exception returned by Cognito. Use errors.Is with the Err…
// sentinels to branch on its kind, or errors.As to read the exception code
// and message:
//
//	var ce *cognito.Error
//	if errors.As(err, &ce) { log.Print(ce.Code) }
//
// Message is Cognito's own message, which never contains the password,
// token or secret that was sent.
type Error struct {
	// Op is the Cognito operation, e.g. "InitiateAuth".
	Op string
	// Code is the exception name, e.g. "NotAuthorizedException".
	Code string
	// Message is Cognito's message, e.g. "Incorrect username or password.".
	Message string

	sentinel error
	cause    error
}

// Error returns "cognito: Op: Code: Message".
func (e *Error) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("cognito: %s: %s", e.Op, e.Code)
	}
	return fmt.Sprintf("cognito: %s: %s: %s", e.Op, e.Code, e.Message)
}

// Is reports whether target is the sentinel for e's exception code.
func (e *Error) Is(target error) bool {
	return e.sentinel != nil && target == e.sentinel
}

// Unwrap returns the SDK error the Error was made from (a
// *smithy.OperationError wrapping a smithy.APIError), so errors.As also
// finds the SDK's typed exceptions.
func (e *Error) Unwrap() error { return e.cause }

// Sentinel returns the Err… value e's code maps to, or nil for a code
// without one.
func (e *Error) Sentinel() error { return e.sentinel }

// wrapErr turns an error from the API into an *Error when it carries a
// Cognito exception, or wraps it with the operation name otherwise.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return &Error{
			Op:       op,
			Code:     ae.ErrorCode(),
			Message:  ae.ErrorMessage(),
			sentinel: codeSentinels[ae.ErrorCode()],
			cause:    err,
		}
	}
	return fmt.Errorf("cognito: %s: %w", op, err)
}

// isDeviceNotFound reports whether err is Cognito saying a remembered device
// no longer exists (it was forgotten server-side).
func isDeviceNotFound(err error) bool {
	var ce *Error
	if !errors.As(err, &ce) {
		return false
	}
	if ce.Code != "ResourceNotFoundException" {
		return false
	}
	return containsFold(ce.Message, "device")
}
