// Package triggers is the Cognito side of user-pool Lambda triggers that
// does not depend on the user pool's internals: the event JSON Amazon
// Cognito sends for every trigger source, the parsing and validation of
// each response, and Cognito's mapping of function failures to API errors.
//
// A user-pool service builds an event with one of the New…Event functions
// (plain inputs in, an aws-lambda-go events.CognitoEventUserPools… value
// out, or this package's struct where aws-lambda-go has none), runs it
// with the matching Invoke… function against a function registry
// (lambdafn.Registry satisfies Invoker), and applies the returned response
// fields. Every error Invoke… returns is an *Error carrying the Cognito
// error code (UserLambdaValidationException, InvalidLambdaResponseException,
// UnexpectedLambdaException) and message that the service must answer.
//
// Sources: "Customizing user pool workflows with Lambda triggers" and the
// per-trigger pages of the Amazon Cognito developer guide; the reference
// events in testdata/ say where each comes from.
package triggers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitokit/cognitokit/internal/emulator/lambdafn"
)

// Trigger names a LambdaConfig trigger. Cognito's error messages start
// with it ("PreSignUp failed with error …").
type Trigger string

// The user-pool triggers.
const (
	PreSignUp                   Trigger = "PreSignUp"
	PostConfirmation            Trigger = "PostConfirmation"
	PreAuthentication           Trigger = "PreAuthentication"
	PostAuthentication          Trigger = "PostAuthentication"
	PreTokenGeneration          Trigger = "PreTokenGeneration"
	UserMigration               Trigger = "UserMigration"
	CustomMessage               Trigger = "CustomMessage"
	DefineAuthChallenge         Trigger = "DefineAuthChallenge"
	CreateAuthChallenge         Trigger = "CreateAuthChallenge"
	VerifyAuthChallengeResponse Trigger = "VerifyAuthChallengeResponse"
)

// Source is an event's triggerSource.
type Source string

// Every triggerSource Cognito sends for the triggers above.
const (
	SourcePreSignUpSignUp          Source = "PreSignUp_SignUp"
	SourcePreSignUpAdminCreateUser Source = "PreSignUp_AdminCreateUser"
	SourcePreSignUpExternal        Source = "PreSignUp_ExternalProvider"

	SourcePostConfirmationSignUp         Source = "PostConfirmation_ConfirmSignUp"
	SourcePostConfirmationForgotPassword Source = "PostConfirmation_ConfirmForgotPassword"

	SourcePreAuthentication  Source = "PreAuthentication_Authentication"
	SourcePostAuthentication Source = "PostAuthentication_Authentication"

	SourceTokenHostedAuth         Source = "TokenGeneration_HostedAuth"
	SourceTokenAuthentication     Source = "TokenGeneration_Authentication"
	SourceTokenNewPassword        Source = "TokenGeneration_NewPasswordChallenge"
	SourceTokenAuthenticateDevice Source = "TokenGeneration_AuthenticateDevice"
	SourceTokenRefresh            Source = "TokenGeneration_RefreshTokens"
	SourceTokenClientCredentials  Source = "TokenGeneration_ClientCredentials"

	SourceUserMigrationAuthentication Source = "UserMigration_Authentication"
	SourceUserMigrationForgotPassword Source = "UserMigration_ForgotPassword"

	SourceCustomMessageSignUp              Source = "CustomMessage_SignUp"
	SourceCustomMessageAdminCreateUser     Source = "CustomMessage_AdminCreateUser"
	SourceCustomMessageResendCode          Source = "CustomMessage_ResendCode"
	SourceCustomMessageForgotPassword      Source = "CustomMessage_ForgotPassword"
	SourceCustomMessageUpdateUserAttribute Source = "CustomMessage_UpdateUserAttribute"
	SourceCustomMessageVerifyUserAttribute Source = "CustomMessage_VerifyUserAttribute"
	SourceCustomMessageAuthentication      Source = "CustomMessage_Authentication"

	SourceDefineAuthChallenge Source = "DefineAuthChallenge_Authentication"
	SourceCreateAuthChallenge Source = "CreateAuthChallenge_Authentication"
	SourceVerifyAuthChallenge Source = "VerifyAuthChallengeResponse_Authentication"
)

var sourceTrigger = map[Source]Trigger{
	SourcePreSignUpSignUp: PreSignUp, SourcePreSignUpAdminCreateUser: PreSignUp, SourcePreSignUpExternal: PreSignUp,
	SourcePostConfirmationSignUp: PostConfirmation, SourcePostConfirmationForgotPassword: PostConfirmation,
	SourcePreAuthentication: PreAuthentication, SourcePostAuthentication: PostAuthentication,
	SourceTokenHostedAuth: PreTokenGeneration, SourceTokenAuthentication: PreTokenGeneration,
	SourceTokenNewPassword: PreTokenGeneration, SourceTokenAuthenticateDevice: PreTokenGeneration,
	SourceTokenRefresh: PreTokenGeneration, SourceTokenClientCredentials: PreTokenGeneration,
	SourceUserMigrationAuthentication: UserMigration, SourceUserMigrationForgotPassword: UserMigration,
	SourceCustomMessageSignUp: CustomMessage, SourceCustomMessageAdminCreateUser: CustomMessage,
	SourceCustomMessageResendCode: CustomMessage, SourceCustomMessageForgotPassword: CustomMessage,
	SourceCustomMessageUpdateUserAttribute: CustomMessage, SourceCustomMessageVerifyUserAttribute: CustomMessage,
	SourceCustomMessageAuthentication: CustomMessage,
	SourceDefineAuthChallenge:         DefineAuthChallenge, SourceCreateAuthChallenge: CreateAuthChallenge,
	SourceVerifyAuthChallenge: VerifyAuthChallengeResponse,
}

// Trigger is the trigger a source belongs to, or "" for an unknown source.
func (s Source) Trigger() Trigger { return sourceTrigger[s] }

// DefaultSDKVersion is callerContext.awsSdkVersion when the caller's SDK
// is unknown, as Cognito reports it.
const DefaultSDKVersion = "aws-sdk-unknown-unknown"

// Caller holds the fields common to every event.
type Caller struct {
	Region     string // the pool's region
	UserPoolID string
	UserName   string // the user's username (for a pool with alias sign-in, the sub-like username)
	ClientID   string // the app client, "" when there is none (AdminCreateUser without one)
	// SDKVersion is callerContext.awsSdkVersion, derived from the
	// request's User-Agent (e.g. "aws-sdk-js-3.x"); "" means
	// DefaultSDKVersion.
	SDKVersion string
}

func (c Caller) header(version string, src Source) events.CognitoEventUserPoolsHeader {
	sdk := c.SDKVersion
	if sdk == "" {
		sdk = DefaultSDKVersion
	}
	return events.CognitoEventUserPoolsHeader{
		Version: version, TriggerSource: string(src), Region: c.Region, UserPoolID: c.UserPoolID,
		UserName: c.UserName, CallerContext: events.CognitoEventUserPoolsCallerContext{AWSSDKVersion: sdk, ClientID: c.ClientID},
	}
}

// Invoker runs a function by ARN: marshal the event, invoke, unmarshal the
// response into out. *lambdafn.Registry implements it; errors are
// lambdafn's typed errors.
type Invoker interface {
	InvokeJSON(ctx context.Context, arn string, event, out any) error
}

var _ Invoker = (*lambdafn.Registry)(nil)

// The Cognito error codes a trigger can produce.
const (
	CodeUserLambdaValidation  = "UserLambdaValidationException"
	CodeInvalidLambdaResponse = "InvalidLambdaResponseException"
	CodeUnexpectedLambda      = "UnexpectedLambdaException"
)

// Sentinels matched by errors.Is on an *Error with the same code.
var (
	ErrUserLambdaValidation  = errors.New(CodeUserLambdaValidation)
	ErrInvalidLambdaResponse = errors.New(CodeInvalidLambdaResponse)
	ErrUnexpectedLambda      = errors.New(CodeUnexpectedLambda)
)

// Error is the Cognito API error a trigger failure becomes: answer it with
// HTTP 400, __type Code and message Message. Err is the underlying cause
// (a lambdafn error or a validation error); it is not part of Message.
type Error struct {
	Trigger Trigger
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel for e.Code.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUserLambdaValidation:
		return e.Code == CodeUserLambdaValidation
	case ErrInvalidLambdaResponse:
		return e.Code == CodeInvalidLambdaResponse
	case ErrUnexpectedLambda:
		return e.Code == CodeUnexpectedLambda
	}
	return false
}

// InvalidResponseMessage is Cognito's message for an unusable response
// from t. Reports of Cognito's behaviour show "Unrecognizable lambda
// output" for triggers whose response Cognito reads (pre sign-up, pre
// authentication, the auth-challenge triggers…) and "Invalid lambda
// function output : Invalid JSON" for post confirmation, post
// authentication and user migration.
func InvalidResponseMessage(t Trigger) string {
	switch t {
	case PostConfirmation, PostAuthentication, UserMigration:
		return "Invalid lambda function output : Invalid JSON"
	}
	return "Unrecognizable lambda output"
}

// MapError turns an invocation error into Cognito's error for trigger t:
//
//   - the function reported an error → UserLambdaValidationException,
//     "<Trigger> failed with error <errorMessage>.";
//   - its response is unusable → InvalidLambdaResponseException;
//   - it took longer than the timeout → UnexpectedLambdaException,
//     "<Trigger> invocation failed due to error Socket timeout while
//     invoking Lambda function.";
//   - it could not be invoked → UnexpectedLambdaException,
//     "<Trigger> invocation failed due to error <code>.".
//
// An *Error passes through; nil stays nil; a cancelled caller's context
// error is returned as is.
func MapError(t Trigger, err error) error {
	if err == nil {
		return nil
	}
	var te *Error
	if errors.As(err, &te) {
		return err
	}
	var fe *lambdafn.FunctionError
	var ie *lambdafn.InvokeError
	switch {
	case errors.As(err, &fe):
		return &Error{Trigger: t, Code: CodeUserLambdaValidation, Message: fmt.Sprintf("%s failed with error %s.", t, fe.Message), Err: err}
	case errors.Is(err, lambdafn.ErrInvalidResponse):
		return &Error{Trigger: t, Code: CodeInvalidLambdaResponse, Message: InvalidResponseMessage(t), Err: err}
	case errors.Is(err, lambdafn.ErrTimeout):
		return &Error{Trigger: t, Code: CodeUnexpectedLambda, Message: fmt.Sprintf("%s invocation failed due to error Socket timeout while invoking Lambda function.", t), Err: err}
	case errors.Is(err, lambdafn.ErrFunctionNotFound):
		return &Error{Trigger: t, Code: CodeUnexpectedLambda, Message: fmt.Sprintf("%s invocation failed due to error ResourceNotFoundException.", t), Err: err}
	case errors.As(err, &ie) && ie.Code != "":
		return &Error{Trigger: t, Code: CodeUnexpectedLambda, Message: fmt.Sprintf("%s invocation failed due to error %s.", t, ie.Code), Err: err}
	case errors.Is(err, context.Canceled):
		return err
	default:
		return &Error{Trigger: t, Code: CodeUnexpectedLambda, Message: fmt.Sprintf("%s invocation failed due to error ServiceException.", t), Err: err}
	}
}

// invalid is an InvalidLambdaResponseException for a response that
// decoded but breaks Cognito's rules.
func invalid(t Trigger, format string, args ...any) *Error {
	return &Error{Trigger: t, Code: CodeInvalidLambdaResponse, Message: InvalidResponseMessage(t), Err: fmt.Errorf(format, args...)}
}

// invoke sends event as Cognito does (Payload) and decodes the whole
// returned event into out, mapping every failure to Cognito's error.
func invoke(ctx context.Context, inv Invoker, arn string, t Trigger, event, out any) error {
	payload, err := Payload(event)
	if err != nil {
		return err
	}
	return MapError(t, inv.InvokeJSON(ctx, arn, payload, out))
}

// initialResponse is the "response" member Cognito puts in each event: the
// fields the function may set, unset.
func initialResponse(t Trigger, version string) string {
	switch t {
	case PreSignUp:
		return `{"autoConfirmUser":false,"autoVerifyEmail":false,"autoVerifyPhone":false}`
	case PreTokenGeneration:
		if version == "1" {
			return `{"claimsOverrideDetails":null}`
		}
		return `{"claimsAndScopeOverrideDetails":null}`
	case UserMigration:
		return `{"userAttributes":null,"forceAliasCreation":null,"enableSMSMFA":null,"finalUserStatus":null,"messageAction":null,"desiredDeliveryMediums":null}`
	case CustomMessage:
		return `{"smsMessage":null,"emailMessage":null,"emailSubject":null}`
	case DefineAuthChallenge:
		return `{"challengeName":null,"issueTokens":null,"failAuthentication":null}`
	case CreateAuthChallenge:
		return `{"publicChallengeParameters":null,"privateChallengeParameters":null,"challengeMetadata":null}`
	case VerifyAuthChallengeResponse:
		return `{"answerCorrect":null}`
	}
	return `{}`
}

// Payload is the JSON Cognito sends for an event built by this package:
// the event with its "response" member as Cognito fills it before the
// function runs (unset fields null, where aws-lambda-go's types would
// send zero values). The trigger is read from the event's triggerSource.
func Payload(event any) (json.RawMessage, error) {
	b, err := json.Marshal(event)
	if err != nil {
		return nil, fmt.Errorf("triggers: encoding event: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("triggers: event is not an object: %w", err)
	}
	var hdr struct {
		Version       string `json:"version"`
		TriggerSource Source `json:"triggerSource"`
	}
	_ = json.Unmarshal(b, &hdr)
	t := hdr.TriggerSource.Trigger()
	if t == "" {
		return nil, fmt.Errorf("triggers: unknown triggerSource %q", hdr.TriggerSource)
	}
	m["response"] = json.RawMessage(initialResponse(t, hdr.Version))
	return json.Marshal(m)
}

// orEmpty makes a nil map an empty one: Cognito sends {} rather than null
// for an absent attribute or metadata map.
func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
