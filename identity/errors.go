package identity

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// Sentinel errors. Every error this package returns for a failed AWS call is
// an *APIError that wraps one of the sentinels below (when its code is one
// of those listed) and the SDK's own error, so that both
// errors.Is(err, identity.ErrNotAuthorized) and
// errors.As(err, &smithyAPIError) work.
var (
	// ErrNotAuthorized means the service refused the login: an expired or
	// forged token in Logins, Logins that do not match the identity, a pool
	// that does not allow guests, or a web identity token STS will not accept.
	// Codes: NotAuthorizedException, AccessDenied, InvalidIdentityToken,
	// IDPRejectedClaim, ExpiredTokenException.
	ErrNotAuthorized = errors.New("identity: not authorized")

	// ErrResourceNotFound means the identity pool or the identity ID does not
	// exist. Code: ResourceNotFoundException.
	ErrResourceNotFound = errors.New("identity: resource not found")

	// ErrInvalidParameter means a request parameter was refused.
	// Codes: InvalidParameterException, ValidationError,
	// MalformedPolicyDocument, PackedPolicyTooLarge.
	ErrInvalidParameter = errors.New("identity: invalid parameter")

	// ErrThrottled means the call was throttled or a limit was reached.
	// Codes: TooManyRequestsException, LimitExceededException, Throttling.
	ErrThrottled = errors.New("identity: throttled")

	// ErrExternalService means the identity provider behind a login could
	// not be reached. Codes: ExternalServiceException, IDPCommunicationError.
	ErrExternalService = errors.New("identity: external identity provider failed")

	// ErrInvalidPoolConfiguration means the identity pool's roles or trust
	// policies do not allow the exchange.
	// Code: InvalidIdentityPoolConfigurationException.
	ErrInvalidPoolConfiguration = errors.New("identity: invalid identity pool configuration")

	// ErrResourceConflict means the developer user or login is already linked
	// elsewhere. Codes: ResourceConflictException,
	// DeveloperUserAlreadyRegisteredException.
	ErrResourceConflict = errors.New("identity: resource conflict")

	// ErrNoCredentials means a response lacked credentials, an identity ID or
	// a token that the flow needs.
	ErrNoCredentials = errors.New("identity: response has no credentials")

	// ErrLogins means the Logins function failed or produced an unusable
	// entry (empty key or token). The function's own error is wrapped.
	ErrLogins = errors.New("identity: logins")

	// ErrConfig means the provider was built with a missing required value
	// (client, identity pool ID, role ARN, token source).
	ErrConfig = errors.New("identity: invalid configuration")
)

// APIError is a failed cognito-identity or STS call. It carries AWS's error
// code and message; it never carries the Logins tokens sent.
type APIError struct {
	// Operation is the AWS operation, e.g. "GetId" or
	// "AssumeRoleWithWebIdentity".
	Operation string
	// Code is AWS's error code, e.g. "NotAuthorizedException"; empty when
	// the call failed before an answer (network, cancelled context).
	Code string
	// Message is AWS's error message.
	Message string
	// Err is the SDK's error.
	Err error

	kind error
}

// Error implements error.
func (e *APIError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("identity: %s: %v", e.Operation, e.Err)
	}
	if e.Message == "" {
		return fmt.Sprintf("identity: %s: %s", e.Operation, e.Code)
	}
	return fmt.Sprintf("identity: %s: %s: %s", e.Operation, e.Code, e.Message)
}

// Unwrap returns the sentinel matching Code (if any) and the SDK's error.
func (e *APIError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.Err}
	}
	return []error{e.kind, e.Err}
}

var codeKinds = map[string]error{
	"NotAuthorizedException":                    ErrNotAuthorized,
	"AccessDenied":                              ErrNotAuthorized,
	"AccessDeniedException":                     ErrNotAuthorized,
	"InvalidIdentityToken":                      ErrNotAuthorized,
	"IDPRejectedClaim":                          ErrNotAuthorized,
	"ExpiredTokenException":                     ErrNotAuthorized,
	"ResourceNotFoundException":                 ErrResourceNotFound,
	"InvalidParameterException":                 ErrInvalidParameter,
	"ValidationError":                           ErrInvalidParameter,
	"MalformedPolicyDocument":                   ErrInvalidParameter,
	"PackedPolicyTooLarge":                      ErrInvalidParameter,
	"TooManyRequestsException":                  ErrThrottled,
	"LimitExceededException":                    ErrThrottled,
	"Throttling":                                ErrThrottled,
	"ExternalServiceException":                  ErrExternalService,
	"IDPCommunicationError":                     ErrExternalService,
	"InvalidIdentityPoolConfigurationException": ErrInvalidPoolConfiguration,
	"ResourceConflictException":                 ErrResourceConflict,
	"DeveloperUserAlreadyRegisteredException":   ErrResourceConflict,
}

// apiError wraps err, the result of calling op, in an *APIError. It maps
// smithy.APIError codes to the sentinels; it never matches message text.
func apiError(op string, err error) error {
	e := &APIError{Operation: op, Err: err}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code = ae.ErrorCode()
		e.Message = ae.ErrorMessage()
		e.kind = codeKinds[e.Code]
	}
	return e
}

// identityRejected reports whether err, from a cognito-identity call that
// used a cached identity ID, means that ID is no longer usable as is.
func identityRejected(err error) bool {
	var e *APIError
	if !errors.As(err, &e) || e.Operation == opAssumeRole {
		return false
	}
	return errors.Is(err, ErrNotAuthorized) || errors.Is(err, ErrResourceNotFound)
}
