package userpool

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/lambdafn"
	"github.com/cognitokit/cognitokit/internal/emulator/triggers"
)

// lambdaConfig is a pool's LambdaConfig, stored as CreateUserPool or
// UpdateUserPool sent it (validated) and returned as is by
// DescribeUserPool; the JSON names are the wire's, so the stored form and
// the answer are the same document.
type lambdaConfig struct {
	PreSignUp                   string         `json:"PreSignUp,omitempty"`
	CustomMessage               string         `json:"CustomMessage,omitempty"`
	PostConfirmation            string         `json:"PostConfirmation,omitempty"`
	PreAuthentication           string         `json:"PreAuthentication,omitempty"`
	PostAuthentication          string         `json:"PostAuthentication,omitempty"`
	DefineAuthChallenge         string         `json:"DefineAuthChallenge,omitempty"`
	CreateAuthChallenge         string         `json:"CreateAuthChallenge,omitempty"`
	VerifyAuthChallengeResponse string         `json:"VerifyAuthChallengeResponse,omitempty"`
	PreTokenGeneration          string         `json:"PreTokenGeneration,omitempty"`
	UserMigration               string         `json:"UserMigration,omitempty"`
	PreTokenGenerationConfig    *lambdaVersion `json:"PreTokenGenerationConfig,omitempty"`
	CustomSMSSender             *lambdaVersion `json:"CustomSMSSender,omitempty"`
	CustomEmailSender           *lambdaVersion `json:"CustomEmailSender,omitempty"`
	KMSKeyID                    string         `json:"KMSKeyID,omitempty"`
	InboundFederation           *lambdaVersion `json:"InboundFederation,omitempty"`
}

// lambdaVersion is LambdaConfig's {LambdaArn, LambdaVersion} pair.
type lambdaVersion struct {
	LambdaArn     string `json:"LambdaArn"`
	LambdaVersion string `json:"LambdaVersion"`
}

// kmsKeyARN is the shape Cognito accepts for KMSKeyID.
var kmsKeyARN = regexp.MustCompile(`^arn:[\w+=/,.@-]+:kms:[a-z0-9-]+:\d{12}:(key|alias)/[\w+=/,.@-]+$`)

// validate checks every function ARN (a Lambda function ARN, optionally
// with a version or alias) and the pre token generation version, with
// Cognito's rules: PreTokenGeneration and PreTokenGenerationConfig's ARN
// must agree, custom sender triggers need a KMS key. The functions need
// not be registered yet: Cognito does not invoke them at configuration
// time either (an unknown one fails when it is invoked).
func (lc *lambdaConfig) validate() error {
	if lc == nil {
		return nil
	}
	for name, arn := range map[string]string{
		"PreSignUp": lc.PreSignUp, "CustomMessage": lc.CustomMessage, "PostConfirmation": lc.PostConfirmation,
		"PreAuthentication": lc.PreAuthentication, "PostAuthentication": lc.PostAuthentication,
		"DefineAuthChallenge": lc.DefineAuthChallenge, "CreateAuthChallenge": lc.CreateAuthChallenge,
		"VerifyAuthChallengeResponse": lc.VerifyAuthChallengeResponse, "PreTokenGeneration": lc.PreTokenGeneration,
		"UserMigration": lc.UserMigration,
	} {
		if err := checkFunctionARN(name, arn); err != nil {
			return err
		}
	}
	if c := lc.PreTokenGenerationConfig; c != nil {
		if err := checkFunctionARN("PreTokenGenerationConfig.LambdaArn", c.LambdaArn); err != nil {
			return err
		}
		switch triggers.PreTokenVersion(c.LambdaVersion) {
		case triggers.PreTokenV1, triggers.PreTokenV2, triggers.PreTokenV3:
		default:
			return errInvalidParam("1 validation error detected: Value '%s' at 'lambdaConfig.preTokenGenerationConfig.lambdaVersion' failed to satisfy constraint: Member must satisfy enum value set: [V2_0, V3_0, V1_0]", c.LambdaVersion)
		}
		if lc.PreTokenGeneration != "" && lc.PreTokenGeneration != c.LambdaArn {
			return errInvalidParam("PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must have the same value.")
		}
	}
	for name, c := range map[string]*lambdaVersion{"CustomSMSSender": lc.CustomSMSSender,
		"CustomEmailSender": lc.CustomEmailSender, "InboundFederation": lc.InboundFederation} {
		if c == nil {
			continue
		}
		if err := checkFunctionARN(name+".LambdaArn", c.LambdaArn); err != nil {
			return err
		}
		if c.LambdaVersion != "V1_0" {
			return errInvalidParam("Invalid LambdaVersion %q for %s: it must be V1_0.", c.LambdaVersion, name)
		}
	}
	if (lc.CustomSMSSender != nil || lc.CustomEmailSender != nil) && lc.KMSKeyID == "" {
		return errInvalidParam("KMSKeyID must be provided when CustomSMSSender or CustomEmailSender is configured.")
	}
	if lc.KMSKeyID != "" && !kmsKeyARN.MatchString(lc.KMSKeyID) {
		return errInvalidParam("Invalid KMSKeyID: %s is not a KMS key ARN.", lc.KMSKeyID)
	}
	return nil
}

func checkFunctionARN(field, arn string) error {
	if arn == "" {
		return nil
	}
	if _, err := lambdafn.ParseARN(arn); err != nil {
		return errInvalidParam("Invalid Lambda function ARN for %s: %s", field, arn)
	}
	return nil
}

// empty reports whether no trigger is configured.
func (lc *lambdaConfig) empty() bool {
	return lc == nil || *lc == (lambdaConfig{})
}

// wire is the LambdaConfig document DescribeUserPool and ListUserPools
// answer: {} when nothing is configured, as Cognito answers. When only
// PreTokenGeneration was sent, Cognito fills PreTokenGenerationConfig with
// version V1_0, and the other way round.
func (lc *lambdaConfig) wire() any {
	if lc.empty() {
		return struct{}{}
	}
	out := *lc
	if out.PreTokenGeneration != "" && out.PreTokenGenerationConfig == nil {
		out.PreTokenGenerationConfig = &lambdaVersion{LambdaArn: out.PreTokenGeneration, LambdaVersion: string(triggers.PreTokenV1)}
	}
	if out.PreTokenGenerationConfig != nil && out.PreTokenGeneration == "" {
		out.PreTokenGeneration = out.PreTokenGenerationConfig.LambdaArn
	}
	return &out
}

// functionARN returns the ARN of the function configured for t on the
// pool, "" when there is none.
func (p *pool) functionARN(t triggers.Trigger) string {
	lc := p.Lambda
	if lc == nil {
		return ""
	}
	switch t {
	case triggers.PreSignUp:
		return lc.PreSignUp
	case triggers.PostConfirmation:
		return lc.PostConfirmation
	case triggers.PreAuthentication:
		return lc.PreAuthentication
	case triggers.PostAuthentication:
		return lc.PostAuthentication
	case triggers.PreTokenGeneration:
		arn, _ := p.preTokenFunction()
		return arn
	case triggers.UserMigration:
		return lc.UserMigration
	case triggers.CustomMessage:
		return lc.CustomMessage
	case triggers.DefineAuthChallenge:
		return lc.DefineAuthChallenge
	case triggers.CreateAuthChallenge:
		return lc.CreateAuthChallenge
	case triggers.VerifyAuthChallengeResponse:
		return lc.VerifyAuthChallengeResponse
	}
	return ""
}

// preTokenFunction returns the pre token generation function and its
// event version: PreTokenGenerationConfig wins; PreTokenGeneration alone
// is version V1_0.
func (p *pool) preTokenFunction() (string, triggers.PreTokenVersion) {
	lc := p.Lambda
	if lc == nil {
		return "", ""
	}
	if c := lc.PreTokenGenerationConfig; c != nil && c.LambdaArn != "" {
		return c.LambdaArn, triggers.PreTokenVersion(c.LambdaVersion)
	}
	if lc.PreTokenGeneration != "" {
		return lc.PreTokenGeneration, triggers.PreTokenV1
	}
	return "", ""
}

// Functions is what the user pools invoke Lambda triggers through:
// *lambdafn.Registry implements it.
type Functions = triggers.Invoker

// invoke runs fn, which invokes one trigger through the server's
// functions, with s.mu released (a trigger may take seconds and may call
// back into the emulator); the caller holds s.mu and must re-check
// whatever it read before (s.current(p), the user still there). Without
// functions (Options.Functions nil) every invocation fails as an
// unregistered function does. A client that went away is reported as
// errClientGone.
//
//	var resp events.CognitoEventUserPoolsPreSignupResponse
//	err := s.invoke(c, func(ctx context.Context, fns Functions) (err error) {
//		resp, err = triggers.InvokePreSignUp(ctx, fns, arn, ev)
//		return err
//	})
func (s *Server) invoke(c *call, fn func(ctx context.Context, fns Functions) error) error {
	fns := s.opts.Functions
	if fns == nil {
		fns = noFunctions{}
	}
	ctx := context.Background()
	if c != nil && c.r != nil {
		ctx = c.r.Context()
	}
	var err error
	s.unlocked(func() { err = fn(ctx, fns) })
	return triggerError(err)
}

// errClientGone reports a trigger invocation abandoned because the caller
// went away; nothing is answered.
var errClientGone = errors.New("userpool: the client went away during a trigger")

// triggerError turns what a triggers.Invoke… function returned into the
// error the operation answers: a *triggers.Error becomes the Cognito error
// it carries (HTTP 400).
func triggerError(err error) error {
	if err == nil {
		return nil
	}
	var te *triggers.Error
	if errors.As(err, &te) {
		return &APIError{Code: te.Code, Message: te.Message}
	}
	if errors.Is(err, context.Canceled) {
		return errClientGone
	}
	return errorf("UnexpectedLambdaException", "%s", err.Error())
}

// noFunctions is the invoker of a server without functions: every ARN is
// unknown.
type noFunctions struct{}

func (noFunctions) InvokeJSON(_ context.Context, arn string, _, _ any) error {
	return &lambdafn.InvokeError{ARN: arn, Code: "ResourceNotFoundException", Err: lambdafn.ErrFunctionNotFound}
}

// caller returns the fields every trigger event carries for user u of
// pool p (its stored username, not what was typed), the app client
// clientID ("" for admin calls without one) and the request's SDK.
func (s *Server) caller(p *pool, c *call, clientID, username string) triggers.Caller {
	var ua string
	if c != nil && c.r != nil {
		ua = c.r.Header.Get("User-Agent")
	}
	return triggers.Caller{Region: s.opts.Region, UserPoolID: p.ID, UserName: username, ClientID: clientID,
		SDKVersion: sdkVersion(ua)}
}

// sdkVersion derives callerContext.awsSdkVersion from a User-Agent: the
// first product token of an AWS SDK ("aws-sdk-go-v2/1.30.0" →
// "aws-sdk-go-v2-1.30.0", "aws-sdk-js/3.600.0" → "aws-sdk-js-3.600.0",
// "Boto3/1.34.0" → "aws-sdk-python-1.34.0" …), "" when there is none.
func sdkVersion(ua string) string {
	for _, tok := range strings.Fields(ua) {
		name, ver, ok := strings.Cut(tok, "/")
		if !ok || ver == "" {
			continue
		}
		switch l := strings.ToLower(name); {
		case strings.HasPrefix(l, "aws-sdk-"):
			return l + "-" + ver
		case l == "boto3" || l == "botocore":
			return "aws-sdk-python-" + ver
		case l == "aws-cli":
			return "aws-cli-" + ver
		}
	}
	return ""
}

// triggerAttributes returns the userAttributes of u that the
// authentication and message triggers get: every stored attribute, sub,
// and cognito:user_status.
func triggerAttributes(u *user) triggers.Attributes {
	out := make(triggers.Attributes, len(u.Attrs)+2)
	for k, v := range u.Attrs {
		out[k] = v
	}
	out["sub"] = u.Sub
	if u.Status != "" {
		out["cognito:user_status"] = u.Status
	}
	return out
}
