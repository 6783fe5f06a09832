package cognitotest

import (
	"errors"

	"github.com/cognitokit/cognitokit/internal/emulator/awsmodel"
)

// validateInput checks a JSON 1.1 request body against the published
// model of the service named by the X-Amz-Target prefix, before the
// operation runs (implemented or not), and returns Cognito's validation
// error (InvalidParameterException, "1 validation error detected: …")
// when it breaks a constraint. Services without an embedded model and
// operations the model lacks are not judged here.
func validateInput(prefix, op string, body []byte) error {
	svc := awsmodel.ForTarget(prefix)
	if svc == nil {
		return nil
	}
	var ve *awsmodel.ValidationError
	if err := svc.Validate(op, body); errors.As(err, &ve) {
		return &APIError{Code: ve.Code, Message: ve.Message()}
	}
	return nil
}
