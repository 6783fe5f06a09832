package lambdafn

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxResponse is Lambda's limit on a synchronous response payload (6 MB).
const maxResponse = 6 << 20

// endpoint invokes a function through the Lambda Invoke API
// (POST /2015-03-31/functions/{name}/invocations).
type endpoint struct {
	arn    string
	url    string // the invocation URL
	client *http.Client
}

var _ Function = (*endpoint)(nil)

// RegisterEndpoint registers arn as a function behind the Lambda Invoke
// API at baseURL (for example `sam local start-lambda`'s
// http://127.0.0.1:3001). The function is named by the ARN's function name
// (a local runner knows functions by name), with the ARN's qualifier as
// the Qualifier parameter. Requests are not SigV4-signed (local runners
// do not check signatures); for an endpoint that needs them (moto, real
// Lambda) give Options.HTTPClient a sigv4client.Transport with Service
// "lambda".
func (r *Registry) RegisterEndpoint(arn, baseURL string) error {
	a, err := ParseARN(arn)
	if err != nil {
		return err
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: endpoint %q is not an http(s) URL", ErrInvalidSpec, baseURL)
	}
	inv := strings.TrimRight(baseURL, "/") + "/2015-03-31/functions/" + url.PathEscape(a.Name) + "/invocations"
	if a.Qualifier != "" {
		inv += "?Qualifier=" + url.QueryEscape(a.Qualifier)
	}
	return r.Register(arn, &endpoint{arn: arn, url: inv, client: r.opts.HTTPClient})
}

func (e *endpoint) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(payload))
	if err != nil {
		return nil, &InvokeError{ARN: e.arn, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	resp, err := e.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &InvokeError{ARN: e.arn, Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &InvokeError{ARN: e.arn, Err: fmt.Errorf("reading response: %w", err)}
	}
	if len(body) > maxResponse {
		return nil, &ResponseError{ARN: e.arn, Err: errors.New("response exceeds 6 MB")}
	}
	if resp.StatusCode/100 != 2 {
		code, msg := apiError(resp, body)
		return nil, &InvokeError{ARN: e.arn, StatusCode: resp.StatusCode, Code: code, Err: errors.New(msg)}
	}
	if kind := resp.Header.Get("X-Amz-Function-Error"); kind != "" {
		return nil, parseFunctionError(e.arn, body, kind)
	}
	return body, nil
}

// parseFunctionError reads Lambda's {"errorMessage","errorType"} payload;
// fallbackType names the error when the payload does not.
func parseFunctionError(arn string, body []byte, fallbackType string) *FunctionError {
	var p struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	if err := json.Unmarshal(body, &p); err != nil || (p.Message == "" && p.Type == "") {
		p.Message = strings.TrimSpace(string(truncate(body, 1024)))
	}
	if p.Type == "" {
		p.Type = fallbackType
	}
	return &FunctionError{ARN: arn, Type: p.Type, Message: p.Message}
}

// apiError reads an AWS JSON error (X-Amzn-ErrorType, {"__type"|"Type",
// "message"|"Message"}).
func apiError(resp *http.Response, body []byte) (code, msg string) {
	var p struct {
		Type1 string `json:"__type"`
		Type2 string `json:"Type"`
		Msg1  string `json:"message"`
		Msg2  string `json:"Message"`
	}
	_ = json.Unmarshal(body, &p)
	code = resp.Header.Get("X-Amzn-ErrorType")
	if code == "" {
		code = p.Type1
	}
	if code == "" {
		code = p.Type2
	}
	code, _, _ = strings.Cut(code, ":")
	msg = p.Msg1
	if msg == "" {
		msg = p.Msg2
	}
	if msg == "" {
		msg = strings.TrimSpace(string(truncate(body, 256)))
	}
	if msg == "" {
		msg = resp.Status
	}
	return code, msg
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
