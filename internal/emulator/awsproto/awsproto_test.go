package awsproto

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		wantStatus int
		wantCode   string
	}{
		{"api error", Errorf("NotAuthorizedException", "Incorrect username or password."), 400, 400, "NotAuthorizedException"},
		{"wrapped", fmt.Errorf("op: %w", Errorf("UserNotFoundException", "User does not exist.")), 400, 400, "UserNotFoundException"},
		{"own status", &APIError{Code: "MissingAuthenticationTokenException", Message: "m", Status: 403}, 400, 403, "MissingAuthenticationTokenException"},
		{"plain error", errors.New("boom"), 500, 500, "InternalErrorException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, tc.err, tc.status)
			assert.Equal(t, tc.wantStatus, rec.Code)
			assert.Equal(t, tc.wantCode, rec.Header().Get("X-Amzn-ErrorType"))
			assert.Equal(t, ContentTypeJSON11, rec.Header().Get("Content-Type"))
			assert.Contains(t, rec.Body.String(), `"__type":"`+tc.wantCode+`"`)
			assert.Equal(t, tc.wantCode, ErrorCode(tc.err))
		})
	}
	assert.Equal(t, "boom", ErrorMessage(errors.New("boom")))
	assert.Equal(t, "m", ErrorMessage(&APIError{Code: "X", Message: "m"}))
}

func TestDecodeAndReadBody(t *testing.T) {
	var v struct{ A int }
	require.NoError(t, Decode([]byte(" "), "Op", &v), "an empty body is an empty input")
	require.NoError(t, Decode([]byte(`{"A":1}`), "Op", &v))
	assert.Equal(t, 1, v.A)
	err := Decode([]byte(`{"A":`), "Op", &v)
	assert.Equal(t, "SerializationException", ErrorCode(err))
	assert.Contains(t, err.Error(), "Op request body")

	body, err := ReadBody(httptest.NewRequest("POST", "/", strings.NewReader("abc")))
	require.NoError(t, err)
	assert.Equal(t, "abc", string(body))
	_, err = ReadBody(httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", MaxBody+1))))
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusRequestEntityTooLarge, ae.Status)
}

func TestHasSigV4(t *testing.T) {
	r := httptest.NewRequest("POST", "/", nil)
	assert.False(t, HasSigV4(r))
	r.Header.Set("Authorization", "Bearer x")
	assert.False(t, HasSigV4(r))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20300101/us-east-1/cognito-idp/aws4_request")
	assert.True(t, HasSigV4(r))
}

func TestCORS(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := CORS(inner)
	pre := httptest.NewRequest(http.MethodOptions, "/", nil)
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "x-amz-target")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, pre)
	assert.Equal(t, http.StatusNoContent, rec.Code)
	assert.Equal(t, "x-amz-target", rec.Header().Get("Access-Control-Allow-Headers"))
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))

	// An OPTIONS request that is not a preflight reaches the handler.
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodOptions, "/", nil))
	assert.Equal(t, http.StatusTeapot, rec.Code)
	assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
}

func TestWriteQueryError(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteQueryError(rec, "urn:ns", 400, "ValidationError", "bad <input>")
	assert.Equal(t, 400, rec.Code)
	assert.Contains(t, rec.Body.String(), "<Type>Sender</Type><Code>ValidationError</Code><Message>bad &lt;input&gt;</Message>")
	rec = httptest.NewRecorder()
	WriteQueryError(rec, "urn:ns", 500, "InternalFailure", "x")
	assert.Contains(t, rec.Body.String(), "<Type>Receiver</Type>")
}
