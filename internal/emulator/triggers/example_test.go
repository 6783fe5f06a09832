package triggers_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/internal/emulator/lambdafn"
	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// A pre sign-up trigger written with aws-lambda-go, registered under its
// ARN and run the way a user pool runs it during SignUp.
func Example() {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"
	reg := lambdafn.New()
	defer reg.Close()
	_ = reg.RegisterHandler(fn, func(e events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
		if !strings.HasSuffix(e.Request.UserAttributes["email"], "@example.com") {
			return e, errors.New("sign-up is by invitation only")
		}
		e.Response.AutoConfirmUser = true
		e.Response.AutoVerifyEmail = true
		return e, nil
	})
	c := triggers.Caller{Region: "us-east-1", UserPoolID: "us-east-1_EXAMPLE", UserName: "ann", ClientID: "1example23456789"}

	ev := triggers.NewPreSignUpEvent(c, triggers.SourcePreSignUpSignUp, triggers.Attributes{"email": "ann@example.com"}, nil, nil)
	resp, err := triggers.InvokePreSignUp(context.Background(), reg, fn, ev)
	fmt.Println(resp.AutoConfirmUser, resp.AutoVerifyEmail, err)

	ev = triggers.NewPreSignUpEvent(c, triggers.SourcePreSignUpSignUp, triggers.Attributes{"email": "bob@other.test"}, nil, nil)
	_, err = triggers.InvokePreSignUp(context.Background(), reg, fn, ev)
	fmt.Println(err)
	// Output:
	// true true <nil>
	// UserLambdaValidationException: PreSignUp failed with error sign-up is by invitation only.
}
