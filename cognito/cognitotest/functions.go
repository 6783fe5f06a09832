package cognitotest

import (
	"context"
	"fmt"
	"sync"

	"github.com/cognitokit/cognitokit/internal/emulator/lambdafn"
)

// Lambda triggers: a pool's LambdaConfig (CreateUserPool, UpdateUserPool,
// Terraform, PoolOptions.LambdaConfig, the seed config's lambdaConfig)
// names function ARNs; the server invokes whatever is registered under
// each ARN, with Cognito's event for the trigger source, within five
// seconds (Options.FunctionTimeout), with its state lock released (a
// function may call the server back).
//
// Where they fire, as in Cognito:
//
//   - pre sign-up: SignUp, AdminCreateUser and a federated user's first
//     hosted-UI sign-in, before the user is stored (a failure stores
//     nothing); autoConfirmUser confirms a SignUp without a code,
//     autoVerifyEmail/autoVerifyPhone mark the attributes verified;
//   - post confirmation: ConfirmSignUp, AdminConfirmSignUp, a sign-up
//     pre sign-up confirmed, a first federated sign-in, and
//     ConfirmForgotPassword; the confirmation or new password stays when
//     it fails;
//   - custom message: every code or invitation the pool sends (sign-up,
//     resend, AdminCreateUser, forgot password, attribute update and
//     verification, SMS/e-mail sign-in codes); Messages (and
//     /_emulator/messages) hold the function's text with the placeholders
//     filled in, its e-mail subject, and the code. A user stored before its
//     message failed (SignUp, AdminCreateUser) stays, so that
//     ResendConfirmationCode or AdminCreateUser RESEND recovers;
//   - user migration: a USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH
//     sign-in, or a hosted-UI password sign-in, of a username the pool
//     does not have, and ForgotPassword for one; the user is stored and the
//     operation goes on. Unless messageAction is SUPPRESS, a migrated
//     sign-in sends a welcome message (no code) to desiredDeliveryMediums.
//
// Admin operations without an app client send callerContext.clientId
// "CLIENT_ID_NOT_APPLICABLE", as Cognito does. Facade helpers that seed
// state (CreateUser, Seed) fire no trigger.

// RegisterFunction registers a Go Lambda handler under a function ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME). handler is any function
// that github.com/aws/aws-lambda-go/lambda.NewHandler accepts, typically
// taking and returning one of the events.CognitoEventUserPools… types: the
// server marshals Cognito's event to JSON and decodes the answer, exactly
// as Lambda would, so what passes here passes in Lambda. Registering an
// ARN again replaces its function.
func (s *Server) RegisterFunction(arn string, handler any) error {
	r, err := s.functions.registry(s)
	if err != nil {
		return err
	}
	return r.RegisterHandler(arn, handler)
}

// MustRegisterFunction is RegisterFunction that panics on error.
func (s *Server) MustRegisterFunction(arn string, handler any) {
	mustDo(s.RegisterFunction(arn, handler))
}

// AddFunction registers a function given as "ARN=PATH" (a compiled Lambda
// program, such as a Go `bootstrap`, started unmodified with
// AWS_LAMBDA_RUNTIME_API pointing at a Lambda Runtime API the server
// serves for it, and AWS_ENDPOINT_URL at the server) or "ARN=URL" (a
// Lambda Invoke API endpoint, such as `sam local start-lambda`'s) — the
// form of `cognitoctl serve -function`. Add programs after Start (or
// SetURL) so that they learn the server's URL.
func (s *Server) AddFunction(spec string) error {
	sp, err := lambdafn.ParseSpec(spec)
	if err != nil {
		return err
	}
	r, err := s.functions.registry(s)
	if err != nil {
		return err
	}
	return r.Add(sp)
}

// MustAddFunction is AddFunction that panics on error.
func (s *Server) MustAddFunction(spec string) { mustDo(s.AddFunction(spec)) }

// functionSet is the server's Lambda functions, created at the first
// registration (so that programs get the server's URL then). It is the
// user pools' userpool.Functions.
type functionSet struct {
	mu  sync.Mutex
	reg *lambdafn.Registry
}

func (f *functionSet) registry(s *Server) (*lambdafn.Registry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reg == nil {
		f.reg = lambdafn.New(func(o *lambdafn.Options) {
			o.Region = s.opts.Region
			o.Timeout = s.opts.FunctionTimeout
			o.Output = s.opts.FunctionOutput
			if s.URL != "" {
				o.Env = []string{"AWS_ENDPOINT_URL=" + s.URL}
			}
		})
	}
	return f.reg, nil
}

// InvokeJSON invokes the function registered under arn; an unknown ARN
// fails as Lambda's ResourceNotFoundException.
func (f *functionSet) InvokeJSON(ctx context.Context, arn string, event, out any) error {
	f.mu.Lock()
	r := f.reg
	f.mu.Unlock()
	if r == nil {
		return &lambdafn.InvokeError{ARN: arn, Code: "ResourceNotFoundException", Err: lambdafn.ErrFunctionNotFound}
	}
	return r.InvokeJSON(ctx, arn, event, out)
}

// close stops the programs the functions started.
func (f *functionSet) close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reg == nil {
		return nil
	}
	err := f.reg.Close()
	f.reg = nil
	if err != nil {
		return fmt.Errorf("cognitotest: stop the Lambda functions: %w", err)
	}
	return nil
}

// LambdaConfig is a pool's LambdaConfig: the function ARN of each trigger
// ("" for none), with the wire's (and the seed config's) field names.
// PreTokenGenerationConfig, when set, gives the pre token generation
// function with its event version ("V1_0", "V2_0", "V3_0") and wins over
// PreTokenGeneration, which alone means version V1_0.
type LambdaConfig struct {
	PreSignUp                   string               `json:"PreSignUp,omitempty"`
	CustomMessage               string               `json:"CustomMessage,omitempty"`
	PostConfirmation            string               `json:"PostConfirmation,omitempty"`
	PreAuthentication           string               `json:"PreAuthentication,omitempty"`
	PostAuthentication          string               `json:"PostAuthentication,omitempty"`
	DefineAuthChallenge         string               `json:"DefineAuthChallenge,omitempty"`
	CreateAuthChallenge         string               `json:"CreateAuthChallenge,omitempty"`
	VerifyAuthChallengeResponse string               `json:"VerifyAuthChallengeResponse,omitempty"`
	PreTokenGeneration          string               `json:"PreTokenGeneration,omitempty"`
	UserMigration               string               `json:"UserMigration,omitempty"`
	PreTokenGenerationConfig    *LambdaVersionConfig `json:"PreTokenGenerationConfig,omitempty"`
}

// LambdaVersionConfig is a trigger function with its event version.
type LambdaVersionConfig struct {
	LambdaArn     string `json:"LambdaArn"`
	LambdaVersion string `json:"LambdaVersion"`
}
