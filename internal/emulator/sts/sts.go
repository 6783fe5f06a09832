// Package sts is the emulator's AWS Security Token Service: the Query
// protocol (form-encoded requests, XML answers and XML errors) of
// AssumeRoleWithWebIdentity, the call of Cognito's basic (classic) flow,
// and GetCallerIdentity. AssumeRoleWithWebIdentity is checked as STS
// checks it, and an Issuer (the identity pools, which sign the OpenID
// tokens and know the roles) grants the credentials. GetCallerIdentity
// verifies the request's SigV4 signature with the secret that
// Options.Callers finds for its access key (an IAM user's, or credentials
// the identity pools issued) and reports the Caller.
package sts

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
	"github.com/cognitokit/cognitokit/internal/emulator/requestid"
	"github.com/cognitokit/cognitokit/sigv4client"
)

// Request is a checked AssumeRoleWithWebIdentity request.
type Request struct {
	RoleARN          string
	SessionName      string
	WebIdentityToken string
	Policy           string        // inline session policy (JSON), may be empty
	Duration         time.Duration // 15 minutes to 12 hours; default one hour
}

// Result is what an Issuer grants.
type Result struct {
	Subject, Audience string // of the web identity token
	AccessKeyID       string
	SecretAccessKey   string
	SessionToken      string
	Expires           time.Time
}

// Error is an answer STS gives instead of credentials: HTTP Status, error
// Code and Message.
type Error struct {
	Status  int
	Code    string
	Message string
}

// Error returns "sts: Code: Message".
func (e *Error) Error() string { return "sts: " + e.Code + ": " + e.Message }

// Issuer is what STS needs of the identity pools: to check a web identity
// token and grant credentials for a role. A refusal is an *Error.
type Issuer interface {
	AssumeRoleWithWebIdentity(req Request) (Result, error)
}

// IsRequest reports whether r is an STS query-protocol request: a
// form-encoded POST with no X-Amz-Target, or a GET with an Action query.
func IsRequest(r *http.Request) bool {
	if r.Method == http.MethodGet {
		return r.URL.Query().Get("Action") != ""
	}
	return r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") == "" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

var (
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	roleARNPattern     = regexp.MustCompile(`^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
)

const namespace = awsproto.NamespaceSTS

// Service answers STS requests for an Issuer.
type Service struct {
	issuer    Issuer
	accountID string
	opts      Options
	verifier  *sigv4client.Verifier
}

// Options configures a Service beyond its Issuer. Zero values mean the
// defaults.
type Options struct {
	// Callers finds the credentials behind an access key ID for
	// GetCallerIdentity; its Credential.Principal must be a Caller. Without
	// it, GetCallerIdentity knows no key (InvalidClientTokenId).
	Callers sigv4client.CredentialLookup
	// Region is the region a request's credential scope must name;
	// default "us-east-1".
	Region string
	// Now is the clock signatures are checked against; default time.Now.
	Now func() time.Time
}

// Caller is who GetCallerIdentity reports: the Principal a
// CredentialLookup given as Options.Callers returns.
type Caller struct {
	// ARN is the IAM user's ARN, or
	// "arn:aws:sts::{account}:assumed-role/{role}/{session}".
	ARN string
	// UserID is the user's ID ("AIDA…"), or "{roleID}:{session}".
	UserID string
}

// New returns the STS of issuer, naming accountID in assumed-role ARNs.
func New(issuer Issuer, accountID string, optFns ...func(*Options)) *Service {
	s := &Service{issuer: issuer, accountID: accountID}
	for _, fn := range optFns {
		fn(&s.opts)
	}
	if s.opts.Region == "" {
		s.opts.Region = "us-east-1"
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	lookup := s.opts.Callers
	if lookup == nil {
		lookup = func(context.Context, string) (sigv4client.Credential, error) {
			return sigv4client.Credential{}, sigv4client.ErrInvalidToken
		}
	}
	s.verifier = sigv4client.NewVerifier(s.opts.Region, lookup, func(o *sigv4client.VerifierOptions) {
		o.Service, o.Clock = "sts", s.opts.Now
	})
	return s
}

// Register serves AssumeRoleWithWebIdentity and GetCallerIdentity on host.
// STS keeps no state.
func (s *Service) Register(host *emulator.Host) {
	host.HandleQueryAction("AssumeRoleWithWebIdentity", s)
	host.HandleQueryAction("GetCallerIdentity", s)
}

// ServeHTTP answers an STS query-protocol request, in XML, errors
// included. AssumeRoleWithWebIdentity needs no signature, as in AWS;
// GetCallerIdentity checks the request's signature for real.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	form, err := awsproto.ParseQueryForm(r)
	if err != nil {
		awsproto.WriteQueryErr(w, namespace, err)
		return
	}
	switch action := form.Get("Action"); action {
	case "AssumeRoleWithWebIdentity":
		s.assumeRoleWithWebIdentity(w, form)
	case "GetCallerIdentity":
		s.getCallerIdentity(w, r)
	default:
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The emulator does not implement STS action %q; it implements AssumeRoleWithWebIdentity and GetCallerIdentity.", action))
	}
}

// getCallerIdentity verifies the request's SigV4 signature with the
// caller's secret and reports who signed it.
func (s *Service) getCallerIdentity(w http.ResponseWriter, r *http.Request) {
	c, err := s.verifier.Verify(r)
	if err != nil {
		status, code, msg := authErrorAnswer(err)
		writeError(w, status, code, msg)
		return
	}
	who, ok := c.Principal.(Caller)
	if !ok {
		writeError(w, http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error.")
		return
	}
	awsproto.WriteQueryResult(w, namespace, "GetCallerIdentity", struct {
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
		Arn     string `xml:"Arn"`
	}{who.UserID, s.accountID, who.ARN})
}

// authErrorAnswer turns a verifier's refusal into STS's error codes.
func authErrorAnswer(err error) (status int, code, msg string) {
	var ae *sigv4client.AuthError
	if errors.As(err, &ae) {
		msg = ae.Message
	} else {
		msg = err.Error()
	}
	switch {
	case errors.Is(err, sigv4client.ErrMissingAuthentication):
		return http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token"
	case errors.Is(err, sigv4client.ErrIncompleteSignature):
		return http.StatusBadRequest, "IncompleteSignature", msg
	case errors.Is(err, sigv4client.ErrInvalidToken):
		return http.StatusForbidden, "InvalidClientTokenId", sigv4client.MsgInvalidToken
	case errors.Is(err, sigv4client.ErrExpiredToken):
		return http.StatusBadRequest, "ExpiredToken", sigv4client.MsgExpiredToken
	case errors.Is(err, sigv4client.ErrSignatureExpired), errors.Is(err, sigv4client.ErrSignatureNotYetCurrent),
		errors.Is(err, sigv4client.ErrSignatureMismatch), errors.Is(err, sigv4client.ErrInvalidScope):
		return http.StatusForbidden, "SignatureDoesNotMatch", msg
	case ae != nil && ae.Status < 500:
		return ae.Status, strings.TrimSuffix(ae.Type, "Exception"), msg
	}
	return http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error."
}

func (s *Service) assumeRoleWithWebIdentity(w http.ResponseWriter, form url.Values) {
	req := Request{RoleARN: form.Get("RoleArn"), SessionName: form.Get("RoleSessionName"),
		WebIdentityToken: form.Get("WebIdentityToken"), Policy: form.Get("Policy"), Duration: time.Hour}
	switch {
	case !roleARNPattern.MatchString(req.RoleARN):
		writeError(w, http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: Member must be a role ARN", req.RoleARN))
		return
	case !sessionNamePattern.MatchString(req.SessionName):
		writeError(w, http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", req.SessionName))
		return
	case req.WebIdentityToken == "":
		writeError(w, http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null")
		return
	}
	if v := form.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 900 || n > 43200 {
			writeError(w, http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", v))
			return
		}
		req.Duration = time.Duration(n) * time.Second
	}
	if len(req.Policy) > 2048 {
		writeError(w, http.StatusBadRequest, "PackedPolicyTooLarge", "Packed size of the session policy exceeds the limit.")
		return
	}
	res, err := s.issuer.AssumeRoleWithWebIdentity(req)
	if err != nil {
		if e, ok := err.(*Error); ok {
			writeError(w, e.Status, e.Code, e.Message)
		} else {
			writeError(w, http.StatusInternalServerError, "InternalError", "could not issue credentials")
		}
		return
	}

	roleName := req.RoleARN[strings.LastIndex(req.RoleARN, "/")+1:]
	type credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	type result struct {
		SubjectFromWebIdentityToken string `xml:"SubjectFromWebIdentityToken"`
		Audience                    string `xml:"Audience"`
		AssumedRoleUser             struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
		Credentials credentials `xml:"Credentials"`
		Provider    string      `xml:"Provider"`
	}
	var out result
	out.SubjectFromWebIdentityToken, out.Audience, out.Provider = res.Subject, res.Audience, "cognito-identity.amazonaws.com"
	out.AssumedRoleUser.Arn = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", s.accountID, roleName, req.SessionName)
	akid := res.AccessKeyID
	if len(akid) > 4 {
		akid = akid[4:]
	}
	out.AssumedRoleUser.AssumedRoleID = "AROA" + akid + ":" + req.SessionName
	out.Credentials = credentials{res.AccessKeyID, res.SecretAccessKey, res.SessionToken, res.Expires.Format(time.RFC3339)}
	awsproto.WriteXML(w, http.StatusOK, struct {
		XMLName  xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
		NS       string   `xml:"xmlns,attr"`
		Result   result   `xml:"AssumeRoleWithWebIdentityResult"`
		Metadata struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}{NS: namespace, Result: out, Metadata: struct {
		RequestID string `xml:"RequestId"`
	}{requestid.Ensure(w)}})
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	awsproto.WriteQueryError(w, namespace, status, code, msg)
}
