package triggers

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// eventVersion is the "version" of every event but pre token generation
// V2_0/V3_0.
const eventVersion = "1"

// Common request inputs. Nil maps are sent as {} (validation data as
// null, as Cognito does when the client sent none).
type (
	// Attributes are the user's attributes as Cognito sends them: every
	// attribute (sub, email_verified, cognito:user_status where the
	// trigger gets it, …) as a string.
	Attributes = map[string]string
	// Metadata is the ClientMetadata of the API call.
	Metadata = map[string]string
)

// ---- pre sign-up ----

// NewPreSignUpEvent builds a pre sign-up event (SignUp, AdminCreateUser,
// or the first federated sign-in, by src).
func NewPreSignUpEvent(c Caller, src Source, attrs Attributes, validationData, clientMetadata Metadata) events.CognitoEventUserPoolsPreSignup {
	return events.CognitoEventUserPoolsPreSignup{
		CognitoEventUserPoolsHeader: c.header(eventVersion, src),
		Request: events.CognitoEventUserPoolsPreSignupRequest{
			UserAttributes: orEmpty(attrs), ValidationData: validationData, ClientMetadata: orEmpty(clientMetadata),
		},
	}
}

// InvokePreSignUp runs a pre sign-up trigger. The service applies
// AutoConfirmUser (confirm without a code), AutoVerifyEmail and
// AutoVerifyPhone (mark the attribute verified). Cognito refuses
// auto-verifying an attribute the user does not have.
func InvokePreSignUp(ctx context.Context, inv Invoker, arn string, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignupResponse, error) {
	var out events.CognitoEventUserPoolsPreSignup
	if err := invoke(ctx, inv, arn, PreSignUp, ev, &out); err != nil {
		return events.CognitoEventUserPoolsPreSignupResponse{}, err
	}
	r := out.Response
	if r.AutoVerifyEmail && ev.Request.UserAttributes["email"] == "" {
		return r, invalid(PreSignUp, "autoVerifyEmail without an email attribute")
	}
	if r.AutoVerifyPhone && ev.Request.UserAttributes["phone_number"] == "" {
		return r, invalid(PreSignUp, "autoVerifyPhone without a phone_number attribute")
	}
	return r, nil
}

// ---- post confirmation ----

// NewPostConfirmationEvent builds a post confirmation event
// (ConfirmSignUp/AdminConfirmSignUp, or ConfirmForgotPassword, by src).
func NewPostConfirmationEvent(c Caller, src Source, attrs Attributes, clientMetadata Metadata) events.CognitoEventUserPoolsPostConfirmation {
	return events.CognitoEventUserPoolsPostConfirmation{
		CognitoEventUserPoolsHeader: c.header(eventVersion, src),
		Request:                     events.CognitoEventUserPoolsPostConfirmationRequest{UserAttributes: orEmpty(attrs), ClientMetadata: orEmpty(clientMetadata)},
	}
}

// InvokePostConfirmation runs a post confirmation trigger; only its
// failure matters.
func InvokePostConfirmation(ctx context.Context, inv Invoker, arn string, ev events.CognitoEventUserPoolsPostConfirmation) error {
	return invoke(ctx, inv, arn, PostConfirmation, ev, &events.CognitoEventUserPoolsPostConfirmation{})
}

// ---- pre and post authentication ----

// PreAuthenticationEvent is the pre authentication event. aws-lambda-go's
// request type lacks userNotFound (sent when the app client prevents
// user-existence errors and the user does not exist); a handler taking
// events.CognitoEventUserPoolsPreAuthentication still decodes it. There is
// no clientMetadata: InitiateAuth's ClientMetadata arrives as
// validationData.
type PreAuthenticationEvent struct {
	events.CognitoEventUserPoolsHeader
	Request  PreAuthenticationRequest                              `json:"request"`
	Response events.CognitoEventUserPoolsPreAuthenticationResponse `json:"response"`
}

// PreAuthenticationRequest is the request part of PreAuthenticationEvent.
type PreAuthenticationRequest struct {
	UserAttributes map[string]string `json:"userAttributes"`
	UserNotFound   bool              `json:"userNotFound,omitempty"`
	ValidationData map[string]string `json:"validationData"`
}

// NewPreAuthenticationEvent builds a pre authentication event. attrs
// include cognito:user_status; userNotFound marks a sign-in attempt for a
// user who does not exist (only with PreventUserExistenceErrors);
// validationData is the (Admin)InitiateAuth request's ClientMetadata.
func NewPreAuthenticationEvent(c Caller, attrs Attributes, userNotFound bool, validationData Metadata) PreAuthenticationEvent {
	return PreAuthenticationEvent{
		CognitoEventUserPoolsHeader: c.header(eventVersion, SourcePreAuthentication),
		Request:                     PreAuthenticationRequest{UserAttributes: orEmpty(attrs), UserNotFound: userNotFound, ValidationData: validationData},
	}
}

// InvokePreAuthentication runs a pre authentication trigger; an error
// blocks the sign-in.
func InvokePreAuthentication(ctx context.Context, inv Invoker, arn string, ev PreAuthenticationEvent) error {
	return invoke(ctx, inv, arn, PreAuthentication, ev, &PreAuthenticationEvent{})
}

// NewPostAuthenticationEvent builds a post authentication event.
func NewPostAuthenticationEvent(c Caller, attrs Attributes, newDeviceUsed bool, clientMetadata Metadata) events.CognitoEventUserPoolsPostAuthentication {
	return events.CognitoEventUserPoolsPostAuthentication{
		CognitoEventUserPoolsHeader: c.header(eventVersion, SourcePostAuthentication),
		Request:                     events.CognitoEventUserPoolsPostAuthenticationRequest{NewDeviceUsed: newDeviceUsed, UserAttributes: orEmpty(attrs), ClientMetadata: orEmpty(clientMetadata)},
	}
}

// InvokePostAuthentication runs a post authentication trigger; an error
// fails the sign-in after the credentials were checked.
func InvokePostAuthentication(ctx context.Context, inv Invoker, arn string, ev events.CognitoEventUserPoolsPostAuthentication) error {
	return invoke(ctx, inv, arn, PostAuthentication, ev, &events.CognitoEventUserPoolsPostAuthentication{})
}

// ---- user migration ----

// UserMigrationEvent is the user migration event. aws-lambda-go's response
// lacks enableSMSMFA; a handler taking
// events.CognitoEventUserPoolsMigrateUser still decodes it.
type UserMigrationEvent struct {
	events.CognitoEventUserPoolsHeader
	Request  events.CognitoEventUserPoolsMigrateUserRequest `json:"request"`
	Response UserMigrationResponse                          `json:"response"`
}

// UserMigrationResponse is what the function answers.
type UserMigrationResponse struct {
	UserAttributes         map[string]string `json:"userAttributes"`
	FinalUserStatus        string            `json:"finalUserStatus"`
	MessageAction          string            `json:"messageAction"`
	DesiredDeliveryMediums []string          `json:"desiredDeliveryMediums"`
	ForceAliasCreation     bool              `json:"forceAliasCreation"`
	EnableSMSMFA           bool              `json:"enableSMSMFA"`
}

// NewUserMigrationEvent builds a user migration event: src
// UserMigration_Authentication carries the password the user typed;
// UserMigration_ForgotPassword has none.
func NewUserMigrationEvent(c Caller, src Source, password string, validationData, clientMetadata Metadata) UserMigrationEvent {
	if src == SourceUserMigrationForgotPassword {
		password = ""
	}
	return UserMigrationEvent{
		CognitoEventUserPoolsHeader: c.header(eventVersion, src),
		Request:                     events.CognitoEventUserPoolsMigrateUserRequest{Password: password, ValidationData: validationData, ClientMetadata: orEmpty(clientMetadata)},
	}
}

// InvokeUserMigration runs a user migration trigger and checks the
// response as Cognito does: userAttributes is required;
// finalUserStatus is CONFIRMED, RESET_REQUIRED or empty; messageAction
// SUPPRESS, RESEND or empty; desiredDeliveryMediums EMAIL and/or SMS. The
// service then creates the user with those attributes (the password of
// the sign-in for UserMigration_Authentication) and status CONFIRMED by
// default.
func InvokeUserMigration(ctx context.Context, inv Invoker, arn string, ev UserMigrationEvent) (UserMigrationResponse, error) {
	var out UserMigrationEvent
	if err := invoke(ctx, inv, arn, UserMigration, ev, &out); err != nil {
		return UserMigrationResponse{}, err
	}
	r := out.Response
	if r.UserAttributes == nil {
		return r, invalid(UserMigration, "response.userAttributes is required")
	}
	if !slices.Contains([]string{"", "CONFIRMED", "RESET_REQUIRED"}, r.FinalUserStatus) {
		return r, invalid(UserMigration, "finalUserStatus %q", r.FinalUserStatus)
	}
	if !slices.Contains([]string{"", "SUPPRESS", "RESEND"}, r.MessageAction) {
		return r, invalid(UserMigration, "messageAction %q", r.MessageAction)
	}
	for _, m := range r.DesiredDeliveryMediums {
		if m != "EMAIL" && m != "SMS" {
			return r, invalid(UserMigration, "desiredDeliveryMediums %q", m)
		}
	}
	return r, nil
}

// ---- custom message ----

// The placeholders Cognito puts in a custom message event.
const (
	CodeParameter     = "{####}"
	UsernameParameter = "{username}"
	LinkParameter     = "{##Click Here##}"
)

// CustomMessageEvent is the custom message event. aws-lambda-go's request
// sends usernameParameter as "" where Cognito sends null and lacks
// linkParameter; a handler taking events.CognitoEventUserPoolsCustomMessage
// still decodes it.
type CustomMessageEvent struct {
	events.CognitoEventUserPoolsHeader
	Request  CustomMessageRequest                              `json:"request"`
	Response events.CognitoEventUserPoolsCustomMessageResponse `json:"response"`
}

// CustomMessageRequest is the request part of CustomMessageEvent.
type CustomMessageRequest struct {
	UserAttributes    map[string]string `json:"userAttributes"`
	CodeParameter     string            `json:"codeParameter"`
	LinkParameter     *string           `json:"linkParameter,omitempty"`
	UsernameParameter *string           `json:"usernameParameter"`
	ClientMetadata    map[string]string `json:"clientMetadata"`
}

// NewCustomMessageEvent builds a custom message event for src. The
// username placeholder is sent for AdminCreateUser only; withLink adds the
// link placeholder (sign-up and resend-code with link verification).
func NewCustomMessageEvent(c Caller, src Source, attrs Attributes, withLink bool, clientMetadata Metadata) CustomMessageEvent {
	req := CustomMessageRequest{UserAttributes: orEmpty(attrs), CodeParameter: CodeParameter, ClientMetadata: orEmpty(clientMetadata)}
	if src == SourceCustomMessageAdminCreateUser {
		u := UsernameParameter
		req.UsernameParameter = &u
	}
	if withLink {
		l := LinkParameter
		req.LinkParameter = &l
	}
	return CustomMessageEvent{CognitoEventUserPoolsHeader: c.header(eventVersion, src), Request: req}
}

// Message is a message after the custom message trigger: empty fields
// mean "use the pool's own template"; placeholders are still to be
// replaced (RenderMessage).
type Message = events.CognitoEventUserPoolsCustomMessageResponse

// InvokeCustomMessage runs a custom message trigger and refuses a message
// that drops a placeholder the recipient needs: every non-empty
// smsMessage and emailMessage must contain the code placeholder (or, with
// link verification, the link placeholder), and for AdminCreateUser also
// the username placeholder.
func InvokeCustomMessage(ctx context.Context, inv Invoker, arn string, ev CustomMessageEvent) (Message, error) {
	var out CustomMessageEvent
	if err := invoke(ctx, inv, arn, CustomMessage, ev, &out); err != nil {
		return Message{}, err
	}
	r := out.Response
	for field, msg := range map[string]string{"smsMessage": r.SMSMessage, "emailMessage": r.EmailMessage} {
		if msg == "" {
			continue
		}
		hasCode := strings.Contains(msg, ev.Request.CodeParameter)
		if ev.Request.LinkParameter != nil && strings.Contains(msg, *ev.Request.LinkParameter) {
			hasCode = true
		}
		if !hasCode {
			return r, invalid(CustomMessage, "%s lacks the code placeholder %s", field, ev.Request.CodeParameter)
		}
		if u := ev.Request.UsernameParameter; u != nil && !strings.Contains(msg, *u) {
			return r, invalid(CustomMessage, "%s lacks the username placeholder %s", field, *u)
		}
	}
	return r, nil
}

// RenderMessage replaces the placeholders of a custom message.
func RenderMessage(msg, code, username, link string) string {
	return strings.NewReplacer(CodeParameter, code, UsernameParameter, username, LinkParameter, link).Replace(msg)
}

// ---- custom authentication challenges ----

// ChallengeResult is one step of a custom-auth session.
type ChallengeResult = events.CognitoEventUserPoolsChallengeResult

// NewDefineAuthChallengeEvent builds a define auth challenge event.
func NewDefineAuthChallengeEvent(c Caller, attrs Attributes, session []*ChallengeResult, userNotFound bool, clientMetadata Metadata) events.CognitoEventUserPoolsDefineAuthChallenge {
	if session == nil {
		session = []*ChallengeResult{}
	}
	return events.CognitoEventUserPoolsDefineAuthChallenge{
		CognitoEventUserPoolsHeader: c.header(eventVersion, SourceDefineAuthChallenge),
		Request:                     events.CognitoEventUserPoolsDefineAuthChallengeRequest{UserAttributes: orEmpty(attrs), Session: session, ClientMetadata: orEmpty(clientMetadata), UserNotFound: userNotFound},
	}
}

// InvokeDefineAuthChallenge runs a define auth challenge trigger. The
// service issues tokens (IssueTokens), fails the sign-in
// (FailAuthentication), or presents ChallengeName next; a response that
// does none of these is unusable.
func InvokeDefineAuthChallenge(ctx context.Context, inv Invoker, arn string, ev events.CognitoEventUserPoolsDefineAuthChallenge) (events.CognitoEventUserPoolsDefineAuthChallengeResponse, error) {
	var out events.CognitoEventUserPoolsDefineAuthChallenge
	if err := invoke(ctx, inv, arn, DefineAuthChallenge, ev, &out); err != nil {
		return events.CognitoEventUserPoolsDefineAuthChallengeResponse{}, err
	}
	r := out.Response
	if !r.IssueTokens && !r.FailAuthentication && r.ChallengeName == "" {
		return r, invalid(DefineAuthChallenge, "neither issueTokens, failAuthentication nor challengeName")
	}
	return r, nil
}

// NewCreateAuthChallengeEvent builds a create auth challenge event for
// challengeName (CUSTOM_CHALLENGE).
func NewCreateAuthChallengeEvent(c Caller, attrs Attributes, challengeName string, session []*ChallengeResult, clientMetadata Metadata) events.CognitoEventUserPoolsCreateAuthChallenge {
	if session == nil {
		session = []*ChallengeResult{}
	}
	return events.CognitoEventUserPoolsCreateAuthChallenge{
		CognitoEventUserPoolsHeader: c.header(eventVersion, SourceCreateAuthChallenge),
		Request:                     events.CognitoEventUserPoolsCreateAuthChallengeRequest{UserAttributes: orEmpty(attrs), ChallengeName: challengeName, Session: session, ClientMetadata: orEmpty(clientMetadata)},
	}
}

// InvokeCreateAuthChallenge runs a create auth challenge trigger: the
// public parameters go to the client as ChallengeParameters, the private
// ones and the metadata stay in the session for verification.
func InvokeCreateAuthChallenge(ctx context.Context, inv Invoker, arn string, ev events.CognitoEventUserPoolsCreateAuthChallenge) (events.CognitoEventUserPoolsCreateAuthChallengeResponse, error) {
	var out events.CognitoEventUserPoolsCreateAuthChallenge
	if err := invoke(ctx, inv, arn, CreateAuthChallenge, ev, &out); err != nil {
		return events.CognitoEventUserPoolsCreateAuthChallengeResponse{}, err
	}
	return out.Response, nil
}

// NewVerifyAuthChallengeEvent builds a verify auth challenge response
// event with the user's answer and the private parameters create auth
// challenge returned.
func NewVerifyAuthChallengeEvent(c Caller, attrs Attributes, private map[string]string, answer string, userNotFound bool, clientMetadata Metadata) VerifyAuthChallengeEvent {
	return VerifyAuthChallengeEvent{
		CognitoEventUserPoolsHeader: c.header(eventVersion, SourceVerifyAuthChallenge),
		Request: VerifyAuthChallengeRequest{
			UserAttributes: orEmpty(attrs), PrivateChallengeParameters: orEmpty(private), ChallengeAnswer: answer,
			ClientMetadata: orEmpty(clientMetadata), UserNotFound: userNotFound,
		},
	}
}

// VerifyAuthChallengeEvent is the verify auth challenge response event;
// aws-lambda-go's request lacks userNotFound.
type VerifyAuthChallengeEvent struct {
	events.CognitoEventUserPoolsHeader
	Request  VerifyAuthChallengeRequest                              `json:"request"`
	Response events.CognitoEventUserPoolsVerifyAuthChallengeResponse `json:"response"`
}

// VerifyAuthChallengeRequest is the request part of VerifyAuthChallengeEvent.
type VerifyAuthChallengeRequest struct {
	UserAttributes             map[string]string `json:"userAttributes"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeAnswer            string            `json:"challengeAnswer"`
	ClientMetadata             map[string]string `json:"clientMetadata"`
	UserNotFound               bool              `json:"userNotFound"`
}

// InvokeVerifyAuthChallenge runs a verify auth challenge response trigger
// and reports whether the answer is correct.
func InvokeVerifyAuthChallenge(ctx context.Context, inv Invoker, arn string, ev VerifyAuthChallengeEvent) (bool, error) {
	var out VerifyAuthChallengeEvent
	if err := invoke(ctx, inv, arn, VerifyAuthChallengeResponse, ev, &out); err != nil {
		return false, err
	}
	return out.Response.AnswerCorrect, nil
}
