package cognito

import (
	"context"
	"errors"
	"regexp"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/middleware"
)

// ErrInvalidUserPoolID is returned by every call of a Client made with a
// malformed user pool ID (Cognito's are REGION_ID, such as
// "us-east-1_AbCdEf123"). The SRP proof is computed over the ID's part
// after the underscore, so without this check a mistyped ID would surface
// as a wrong password. Such errors also match ErrInvalidParameter.
var ErrInvalidUserPoolID = errors.New("cognito: malformed user pool ID")

// userPoolIDRe is the UserPoolIdType pattern of Cognito's service model,
// anchored, with its length limit checked beside it.
var userPoolIDRe = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

const maxUserPoolIDLen = 55

// UserPoolIDError is the error for a malformed user pool ID. It names the
// ID, which is not a secret.
type UserPoolIDError struct{ ID string }

func (e *UserPoolIDError) Error() string {
	return "user pool ID " + quoteID(e.ID) + " is malformed: want REGION_ID, such as us-east-1_AbCdEf123"
}

// Is matches ErrInvalidUserPoolID and ErrInvalidParameter.
func (e *UserPoolIDError) Is(target error) bool {
	return target == ErrInvalidUserPoolID || target == ErrInvalidParameter
}

func quoteID(id string) string {
	if len(id) > 64 {
		id = id[:64] + "…"
	}
	return `"` + id + `"`
}

// checkUserPoolID returns a *UserPoolIDError for an ID that cannot be
// Cognito's.
func checkUserPoolID(id string) error {
	if len(id) > maxUserPoolIDLen || !userPoolIDRe.MatchString(id) {
		return &UserPoolIDError{ID: id}
	}
	return nil
}

// refuseEveryCall returns an API option that fails each operation with
// err before anything is sent.
func refuseEveryCall(err error) func(*cip.Options) {
	return func(o *cip.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("cognitokitRefuseUserPoolID",
				func(context.Context, middleware.InitializeInput, middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					return middleware.InitializeOutput{}, middleware.Metadata{}, err
				}), middleware.Before)
		})
	}
}
