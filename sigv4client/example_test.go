package sigv4client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/cognitokit/cognitokit/sigv4client"
)

// newAPI starts a stand-in for an AWS_IAM-protected API Gateway: a
// Verifier that knows one access key, in front of a handler that greets
// the caller.
func newAPI() *httptest.Server {
	lookup := func(_ context.Context, accessKeyID string) (sigv4client.Credential, error) {
		if accessKeyID != "AKIDEXAMPLE" {
			return sigv4client.Credential{}, sigv4client.ErrInvalidToken
		}
		return sigv4client.Credential{SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Principal: "alice"}, nil
	}
	v := sigv4client.NewVerifier("us-east-1", lookup)
	return httptest.NewServer(v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, _ := sigv4client.CallerFromContext(r.Context())
		fmt.Fprintf(w, "hello %s, you called %s %s", caller.Principal, r.Method, r.URL.Path)
	})))
}

// A client whose every request is signed. Real code passes the
// CredentialsProvider of config.LoadDefaultConfig or of an identity pool,
// and calls https://{api}.execute-api.{region}.amazonaws.com/{stage}/…,
// from which the region is inferred.
func ExampleNewClient() {
	api := newAPI()
	defer api.Close()

	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "")
	client := sigv4client.NewClient(creds, func(t *sigv4client.Transport) {
		t.Region = "us-east-1" // a local server: nothing to infer it from
	})
	resp, err := client.Get(api.URL + "/prod/./pets//42")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 hello alice, you called GET /prod/pets/42
}

// Unsigned requests, and requests signed with the wrong secret, are
// answered as API Gateway answers them.
func ExampleVerifier_Middleware() {
	api := newAPI()
	defer api.Close()

	resp, err := http.Get(api.URL + "/prod/pets")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(body))

	wrong := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "not-the-secret", "")
	client := sigv4client.NewClient(wrong, func(t *sigv4client.Transport) { t.Region = "us-east-1" })
	resp, err = client.Get(api.URL + "/prod/pets")
	if err != nil {
		panic(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output:
	// 403 {"message":"Missing Authentication Token"}
	// 403 {"message":"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}
}

// A presigned URL for an API Gateway WebSocket API with AWS_IAM
// authorization: dial it with any WebSocket client.
func ExampleTransport_Presign() {
	t := sigv4client.NewTransport(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""))
	t.Clock = func() time.Time { return time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC) }
	u, err := t.Presign(context.Background(), "wss://abc123.execute-api.eu-west-1.amazonaws.com/prod", 5*time.Minute)
	if err != nil {
		panic(err)
	}
	fmt.Println(u)
	// Output: wss://abc123.execute-api.eu-west-1.amazonaws.com/prod?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261122%2Feu-west-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20261122T040000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=d51d29e4293563183fc8a25bcedbcdbd0d0d672666c9a57dcf50d8107b3ec0b9
}
