// Package awsproto is the AWS wire shared by the emulator's services: the
// JSON 1.1 protocol (request bodies, responses, errors in AWS's shape
// {"__type", "message"} with X-Amzn-ErrorType), the Query/XML protocol
// (STS and IAM: forms and their lists, results and errors in XML with the
// request ID of package requestid), the
// SigV4-presence check and CORS.
//
// It holds no state and knows no service; services and the emulator's core
// (package emulator) build on it.
package awsproto

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cognitokit/cognitokit/internal/emulator/requestid"
)

// APIError is an error answered in AWS's JSON shape: HTTP Status (400 when
// zero), header X-Amzn-ErrorType: Code, body {"__type": Code, "message":
// Message}.
type APIError struct {
	Code    string // e.g. "NotAuthorizedException"
	Message string // e.g. "Incorrect username or password."
	Status  int    // HTTP status; 0 means 400
}

// Error returns "Code: Message".
func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *APIError with a formatted message.
func Errorf(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the Code of the *APIError in err's chain, or
// "InternalErrorException".
func ErrorCode(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return "InternalErrorException"
}

// ErrorMessage returns the Message of the *APIError in err's chain, or
// err's text.
func ErrorMessage(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Message
	}
	return err.Error()
}

// ContentTypeJSON11 is the content type of JSON 1.1 answers.
const ContentTypeJSON11 = "application/x-amz-json-1.1"

// WriteError answers err in AWS's JSON shape. The status is the error's
// own when it sets one, else status. An error that is not an *APIError
// answers InternalErrorException with its text.
func WriteError(w http.ResponseWriter, err error, status int) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Code: "InternalErrorException", Message: err.Error()}
	}
	if ae.Status != 0 {
		status = ae.Status
	}
	b, _ := json.Marshal(map[string]string{"__type": ae.Code, "message": ae.Message})
	h := w.Header()
	h.Set("Content-Type", ContentTypeJSON11)
	h.Set("X-Amzn-ErrorType", ae.Code)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteJSON answers v as a JSON 1.1 response. (The request ID is set on
// every response by requestid.Handler, in front of the whole emulator.)
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		WriteError(w, Errorf("InternalErrorException", "encode response: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ContentTypeJSON11)
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// MaxBody is the largest request body the emulator reads.
const MaxBody = 1 << 20

// ReadBody reads a request body of at most MaxBody bytes:
// SerializationException when it cannot be read, a 413
// InvalidParameterException when it is larger.
func ReadBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, Errorf("SerializationException", "could not read the request body")
	}
	if len(body) > MaxBody {
		return nil, &APIError{Code: "InvalidParameterException", Message: fmt.Sprintf("request body larger than %d bytes", MaxBody), Status: http.StatusRequestEntityTooLarge}
	}
	return body, nil
}

// Decode unmarshals a JSON 1.1 request body into v; an empty body leaves v
// as it is. Malformed JSON answers SerializationException naming op.
func Decode(body []byte, op string, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		// encoding/json errors never contain the input itself beyond a
		// type name and offset, so they are safe to echo.
		return Errorf("SerializationException", "could not parse the %s request body: %v", op, err)
	}
	return nil
}

// HasSigV4 reports whether r carries a SigV4 Authorization header. The
// emulator checks that administrative calls were signed, as AWS does, not
// the signature itself.
func HasSigV4(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ")
}

// CORS wraps h so that every response allows cross-origin use
// (Access-Control-Allow-Origin: *) and OPTIONS preflights are answered,
// so that browser code such as amazon-cognito-identity-js can talk to the
// emulator as it does to AWS.
func CORS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Access-Control-Expose-Headers", "X-Amzn-Errortype, X-Amzn-Requestid, X-Amzn-Errormessage, Date")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			hd.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				hd.Set("Access-Control-Allow-Headers", req)
			}
			hd.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// WriteXML answers v as a Query-protocol XML document.
func WriteXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte("<ErrorResponse/>")
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), b...))
}

// WriteQueryError answers a Query-protocol error (STS's shape):
// <ErrorResponse xmlns=ns><Error><Type>Sender|Receiver</Type><Code/>
// <Message/></Error><RequestId/></ErrorResponse>.
func WriteQueryError(w http.ResponseWriter, ns string, status int, code, msg string) {
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	type errBody struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	WriteXML(w, status, struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		NS        string   `xml:"xmlns,attr"`
		Error     errBody  `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}{NS: ns, Error: errBody{typ, code, msg}, RequestID: requestid.Ensure(w)})
}
