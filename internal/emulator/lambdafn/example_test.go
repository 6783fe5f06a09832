package lambdafn_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cognitokit/cognitokit/internal/emulator/lambdafn"
)

// A Go handler registered under an ARN and invoked through JSON, as Lambda
// would; a returned error comes back as a *FunctionError.
func Example() {
	const arn = "arn:aws:lambda:us-east-1:123456789012:function:greeter"
	reg := lambdafn.New() // invocations time out after lambdafn.DefaultTimeout (5 s)
	defer reg.Close()

	type greeting struct {
		Name string `json:"name"`
	}
	_ = reg.RegisterHandler(arn, func(ctx context.Context, in greeting) (greeting, error) {
		if in.Name == "" {
			return greeting{}, errors.New("who are you?")
		}
		return greeting{Name: "hello " + in.Name}, nil
	})

	var out greeting
	err := reg.InvokeJSON(context.Background(), arn, greeting{Name: "ann"}, &out)
	fmt.Println(out.Name, err)

	err = reg.InvokeJSON(context.Background(), arn, greeting{}, &out)
	var fe *lambdafn.FunctionError
	fmt.Println(errors.As(err, &fe), fe.Type, fe.Message)
	// Output:
	// hello ann <nil>
	// true errorString who are you?
}
