package idpool

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

	"github.com/cognitokit/cognitokit/internal/emulator/awsproto"
	"github.com/cognitokit/cognitokit/internal/emulator/requestid"
)

// IsSTSRequest reports whether r is an STS query-protocol request: a
// form-encoded POST with no X-Amz-Target, or a GET with an Action query.
func IsSTSRequest(r *http.Request) bool {
	if r.Method == http.MethodGet {
		return r.URL.Query().Get("Action") != ""
	}
	return r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") == "" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// ServeSTS answers an STS query-protocol request. Only
// AssumeRoleWithWebIdentity, the call of the basic (classic) flow, is
// implemented; it needs no signature, as in AWS.
func (s *Service) ServeSTS(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeSTSError(w, http.StatusBadRequest, "InvalidInput", "could not read the request body")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeSTSError(w, http.StatusBadRequest, "InvalidInput", "malformed form body")
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
		writeSTSError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The emulator does not implement STS action %q; it implements AssumeRoleWithWebIdentity.", action))
	}
}

func (s *Service) assumeRoleWithWebIdentity(w http.ResponseWriter, form url.Values) {
	roleARN, session, tok := form.Get("RoleArn"), form.Get("RoleSessionName"), form.Get("WebIdentityToken")
	switch {
	case !roleARNPattern.MatchString(roleARN):
		writeSTSError(w, http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'roleArn' failed to satisfy constraint: Member must be a role ARN", roleARN))
		return
	case !sessionNamePattern.MatchString(session):
		writeSTSError(w, http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", session))
		return
	case tok == "":
		writeSTSError(w, http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null")
		return
	}
	d := time.Hour
	if v := form.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 900 || n > 43200 {
			writeSTSError(w, http.StatusBadRequest, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", v))
			return
		}
		d = time.Duration(n) * time.Second
	}
	policy := form.Get("Policy")
	if len(policy) > 2048 {
		writeSTSError(w, http.StatusBadRequest, "PackedPolicyTooLarge", "Packed size of the session policy exceeds the limit.")
		return
	}

	s.mu.Lock()
	c, err := s.verifyOpenIDLocked(tok)
	if err != nil {
		s.mu.Unlock()
		if strings.HasPrefix(err.Error(), "Token expired") {
			writeSTSError(w, http.StatusBadRequest, "ExpiredTokenException", err.Error())
		} else {
			writeSTSError(w, http.StatusBadRequest, "InvalidIdentityToken", "Couldn't verify signed token.")
		}
		return
	}
	if _, ok := s.st.Pools[c.Aud]; !ok {
		s.mu.Unlock()
		writeSTSError(w, http.StatusBadRequest, "InvalidIdentityToken", "The token's audience is not an identity pool of this emulator.")
		return
	}
	authType := "unauthenticated"
	if contains(c.AMR, "authenticated") {
		authType = "authenticated"
	}
	if role, ok := s.st.Roles[roleARN]; ok {
		if len(role.TrustedIdentityPools) > 0 && !contains(role.TrustedIdentityPools, c.Aud) ||
			role.TrustedAMR != "" && role.TrustedAMR != authType {
			s.mu.Unlock()
			writeSTSError(w, http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
			return
		}
	}
	var providers []string // the amr after "authenticated": the login keys
	if len(c.AMR) > 1 {
		providers = c.AMR[1:]
	}
	cred, err := s.issueForLocked(c.Sub, c.Aud, roleARN, authType, providers, policy, session, d)
	s.mu.Unlock()
	if err != nil {
		writeSTSError(w, http.StatusInternalServerError, "InternalError", "could not issue credentials")
		return
	}
	s.changed()

	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
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
	var res result
	res.SubjectFromWebIdentityToken, res.Audience, res.Provider = c.Sub, c.Aud, "cognito-identity.amazonaws.com"
	res.AssumedRoleUser.Arn = fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", s.cfg.AccountID, roleName, session)
	res.AssumedRoleUser.AssumedRoleID = "AROA" + cred.AccessKeyID[4:] + ":" + session
	res.Credentials = credentials{cred.AccessKeyID, cred.SecretAccessKey, cred.SessionToken, cred.Expires.Format(time.RFC3339)}
	writeXML(w, http.StatusOK, struct {
		XMLName  xml.Name `xml:"AssumeRoleWithWebIdentityResponse"`
		NS       string   `xml:"xmlns,attr"`
		Result   result   `xml:"AssumeRoleWithWebIdentityResult"`
		Metadata struct {
			RequestID string `xml:"RequestId"`
		} `xml:"ResponseMetadata"`
	}{NS: stsNamespace, Result: res, Metadata: struct {
		RequestID string `xml:"RequestId"`
	}{requestid.Ensure(w)}})
}

func writeSTSError(w http.ResponseWriter, status int, code, msg string) {
	awsproto.WriteQueryError(w, stsNamespace, status, code, msg)
}

func writeXML(w http.ResponseWriter, status int, v any) { awsproto.WriteXML(w, status, v) }
