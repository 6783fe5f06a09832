package awsproto

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/requestid"
)

// Namespaces of the Query-protocol services the emulator answers, by API
// version (the form's Version).
const (
	NamespaceSTS = "https://sts.amazonaws.com/doc/2011-06-15/"
	NamespaceIAM = "https://iam.amazonaws.com/doc/2010-05-08/"
)

// QueryNamespace returns the XML namespace of a Query request: IAM's for
// API version 2010-05-08 or a credential scope naming iam, STS's
// otherwise.
func QueryNamespace(r *http.Request, form url.Values) string {
	if form.Get("Version") == "2010-05-08" || ScopeService(r) == "iam" {
		return NamespaceIAM
	}
	return NamespaceSTS
}

// ScopeService returns the service named by the credential scope of r's
// SigV4 Authorization header ("AKID/day/region/SERVICE/aws4_request"), or
// "" when there is none.
func ScopeService(r *http.Request) string {
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
	if !ok {
		return ""
	}
	for _, part := range strings.Split(rest, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
			if f := strings.Split(v, "/"); len(f) == 5 {
				return f[3]
			}
		}
	}
	return ""
}

// QueryError is an error answered in the Query protocol's XML shape
// (WriteQueryError): HTTP Status (400 when zero), Code and Message.
type QueryError struct {
	Status  int
	Code    string
	Message string
}

// Error returns "Code: Message".
func (e *QueryError) Error() string { return e.Code + ": " + e.Message }

// WriteQueryErr answers err in the Query protocol's XML shape under
// namespace ns: a *QueryError as it says, an *APIError with its code and
// status (400 when zero), anything else as a 500 InternalFailure whose
// text is not shown.
func WriteQueryErr(w http.ResponseWriter, ns string, err error) {
	var qe *QueryError
	var ae *APIError
	switch {
	case errors.As(err, &qe):
	case errors.As(err, &ae):
		qe = &QueryError{Status: ae.Status, Code: ae.Code, Message: ae.Message}
	default:
		qe = &QueryError{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "The request processing has failed because of an unknown error."}
	}
	status := qe.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	WriteQueryError(w, ns, status, qe.Code, qe.Message)
}

// ResponseMetadata is the <ResponseMetadata> of every Query-protocol
// answer.
type ResponseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// WriteQueryResult answers a successful Query-protocol action:
// <{action}Response xmlns=ns><{action}Result>result</{action}Result>
// <ResponseMetadata><RequestId/></ResponseMetadata></{action}Response>,
// the request ID being the one of the x-amzn-RequestId header. A nil
// result leaves the Result element out, as AWS does for actions without
// output.
func WriteQueryResult(w http.ResponseWriter, ns, action string, result any) {
	type response struct {
		XMLName  xml.Name
		NS       string           `xml:"xmlns,attr"`
		Result   any              `xml:",omitempty"`
		Metadata ResponseMetadata `xml:"ResponseMetadata"`
	}
	out := response{XMLName: xml.Name{Local: action + "Response"}, NS: ns,
		Metadata: ResponseMetadata{RequestID: requestid.Ensure(w)}}
	if result != nil {
		out.Result = resultElement{name: action + "Result", v: result}
	}
	WriteXML(w, http.StatusOK, out)
}

// resultElement marshals v under the element name.
type resultElement struct {
	name string
	v    any
}

// MarshalXML writes v as <name>…</name>.
func (e resultElement) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	return enc.EncodeElement(e.v, xml.StartElement{Name: xml.Name{Local: e.name}})
}

// ParseQueryForm returns the parameters of a Query request: the
// form-encoded body (read up to MaxBody) with the URL's query parameters
// beneath it. A malformed body is a 400 MalformedQueryString. r.Body is
// left readable from the start, for a signature check that hashes it.
func ParseQueryForm(r *http.Request) (url.Values, error) {
	body, err := ReadBody(r)
	if err != nil {
		return nil, &QueryError{Status: http.StatusBadRequest, Code: "MalformedQueryString", Message: ErrorMessage(err)}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, &QueryError{Status: http.StatusBadRequest, Code: "MalformedQueryString", Message: "The request body is not a well-formed form (application/x-www-form-urlencoded)."}
	}
	for k, v := range r.URL.Query() {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	return form, nil
}

// QueryMembers returns the members of a Query list parameter
// (name.member.1, name.member.2, …), in order, stopping at the first
// missing index.
func QueryMembers(form url.Values, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[name+".member."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// QueryPair is one member of a Query list of structures with Key and
// Value (tags).
type QueryPair struct{ Key, Value string }

// QueryPairs returns the members of a Query list of Key/Value structures
// (name.member.N.Key, name.member.N.Value), in order.
func QueryPairs(form url.Values, name string) []QueryPair {
	var out []QueryPair
	for i := 1; ; i++ {
		p := name + ".member." + strconv.Itoa(i) + "."
		k, ok := form[p+"Key"]
		if !ok || len(k) == 0 {
			return out
		}
		out = append(out, QueryPair{Key: k[0], Value: form.Get(p + "Value")})
	}
}
