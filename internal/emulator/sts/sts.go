// Package sts is the emulator's AWS Security Token Service: the Query
// protocol (form-encoded requests, XML answers) of
// AssumeRoleWithWebIdentity, the call of Cognito's basic (classic) flow.
// It checks the request as STS does and asks an Issuer (the identity
// pools, which sign the OpenID tokens and know the roles) for the
// credentials.
package sts

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cognitokit/cognitokit/internal/emulator"
	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
	"github.com/cognitokit/cognitokit/internal/emulator/requestid"
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

const namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Service answers STS requests for an Issuer.
type Service struct {
	issuer    Issuer
	accountID string
}

// New returns the STS of issuer, naming accountID in assumed-role ARNs.
func New(issuer Issuer, accountID string) *Service {
	return &Service{issuer: issuer, accountID: accountID}
}

// Register serves AssumeRoleWithWebIdentity on host. STS keeps no state.
func (s *Service) Register(host *emulator.Host) {
	host.HandleQueryAction("AssumeRoleWithWebIdentity", s)
}

// ServeHTTP answers an STS query-protocol request. Only
// AssumeRoleWithWebIdentity is implemented; it needs no signature, as in
// AWS.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidInput", "could not read the request body")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidInput", "malformed form body")
		return
	}
	for k, v := range r.URL.Query() {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	switch action := form.Get("Action"); action {
	case "AssumeRoleWithWebIdentity":
		s.assumeRoleWithWebIdentity(w, form)
	default:
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The emulator does not implement STS action %q; it implements AssumeRoleWithWebIdentity.", action))
	}
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
