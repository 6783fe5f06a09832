package sigv4client

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cognitokit/cognitokit/internal/interop"
)

// botocoreScript signs requests with botocore's SigV4Auth, an independent
// SigV4 implementation, at a fixed time (when given) and optionally sends
// them with urllib. Input and output are JSON.
const botocoreScript = `
import json, sys, datetime, urllib.request, urllib.error
from unittest import mock
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

job = json.load(sys.stdin)
creds = Credentials(job["akid"], job["secret"], job.get("token") or None)
out = []
for r in job["requests"]:
    req = AWSRequest(method=r["method"], url=r["url"], headers=dict(r.get("headers") or []),
                     data=r["body"].encode() if r["body"] else None,
                     params=[tuple(p) for p in r["params"]] if r.get("params") else None)
    auth = SigV4Auth(creds, job["service"], job["region"])
    if job.get("time"):
        fixed = datetime.datetime.strptime(job["time"], "%Y%m%dT%H%M%SZ")
        with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: fixed):
            auth.add_auth(req)
    else:
        auth.add_auth(req)
    authz = req.headers["Authorization"]
    del req.headers["Authorization"]
    creq = auth.canonical_request(req)
    res = {"authorization": authz, "creq": creq, "sts": auth.string_to_sign(req, creq)}
    req.headers["Authorization"] = authz
    res["headers"] = {k: v for k, v in req.headers.items()}
    if job.get("send"):
        p = req.prepare()
        hreq = urllib.request.Request(p.url, data=p.body, headers=dict(p.headers), method=p.method)
        try:
            with urllib.request.urlopen(hreq) as resp:
                res["status"], res["body"] = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            res["status"], res["body"] = e.code, e.read().decode()
        res["url"] = p.url
    out.append(res)
json.dump(out, sys.stdout)
`

type botoRequest struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
	Body    string      `json:"body"`
	Params  [][2]string `json:"params,omitempty"`
}

type botoJob struct {
	AKID     string        `json:"akid"`
	Secret   string        `json:"secret"`
	Token    string        `json:"token"`
	Region   string        `json:"region"`
	Service  string        `json:"service"`
	Time     string        `json:"time,omitempty"`
	Send     bool          `json:"send"`
	Requests []botoRequest `json:"requests"`
}

type botoResult struct {
	Authorization string            `json:"authorization"`
	Creq          string            `json:"creq"`
	Sts           string            `json:"sts"`
	Headers       map[string]string `json:"headers"`
	Status        int               `json:"status"`
	Body          string            `json:"body"`
	URL           string            `json:"url"`
}

func runBotocore(t *testing.T, job botoJob) []botoResult {
	t.Helper()
	py := interop.Python(t, "botocore")
	in, err := json.Marshal(job)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", botocoreScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var res []botoResult
	require.NoError(t, json.Unmarshal(out, &res), string(out))
	require.Len(t, res, len(job.Requests))
	return res
}

var interopTargets = []struct {
	method, target, body string
}{
	{"GET", "/prod/pets", ""},
	{"GET", "/prod/a%20b/%E1%88%B4/$x/@y=z", ""},
	{"GET", "/prod//a/./b/../c//", ""},
	{"GET", "/prod/items?limit=10&b=x%20y&a=1&a=0&u=%E1%88%B4&e=", ""},
	{"POST", "/prod/items", `{"name":"widget","tags":["a b","ሴ"]}`},
	{"PUT", "/prod/items/42?force=true", strings.Repeat("payload ", 1000)},
	{"DELETE", "/", ""},
}

// TestBotocoreSignaturesMatch signs the same requests with the Transport
// and with botocore's SigV4Auth at the same time, and compares the
// canonical request, the string to sign and the Authorization header;
// then our Verifier accepts botocore's signed requests.
func TestBotocoreSignaturesMatch(t *testing.T) {
	now := time.Date(2026, 11, 22, 4, 30, 0, 0, time.UTC)
	const host = "abc123.execute-api.us-east-1.amazonaws.com"
	job := botoJob{AKID: testAKID, Secret: testSecret, Token: testToken, Region: "us-east-1", Service: "execute-api", Time: now.Format(amzDateFormat)}
	var ours []*Signed
	var sent []*http.Request
	for _, tc := range interopTargets {
		rt := &captureRT{}
		var got *Signed
		tr := NewTransport(credentials.NewStaticCredentialsProvider(testAKID, testSecret, testToken), func(tr *Transport) {
			tr.Base = rt
			tr.Clock = func() time.Time { return now }
			tr.onSign = func(s *Signed) { got = s }
		})
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		req, err := http.NewRequest(tc.method, "https://"+host+tc.target, body)
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Custom", "a   b")
		_, err = tr.RoundTrip(req)
		require.NoError(t, err)
		ours = append(ours, got)
		sent = append(sent, rt.reqs[0])
		// botocore signs what we send: the same wire URL, headers, body.
		job.Requests = append(job.Requests, botoRequest{
			Method:  tc.method,
			URL:     "https://" + host + rt.reqs[0].URL.RequestURI(),
			Headers: [][2]string{{"Content-Type", "application/json"}, {"X-Custom", "a   b"}},
			Body:    tc.body,
		})
	}
	boto := runBotocore(t, job)
	v := NewVerifier("us-east-1", func(_ context.Context, akid string) (Credential, error) {
		return Credential{SecretAccessKey: testSecret, SessionToken: testToken}, nil
	}, func(o *VerifierOptions) { o.Clock = func() time.Time { return now } })
	for i, tc := range interopTargets {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			assert.Equal(t, boto[i].Creq, ours[i].CanonicalRequest)
			assert.Equal(t, boto[i].Sts, ours[i].StringToSign)
			assert.Equal(t, boto[i].Authorization, ours[i].Authorization)

			// Our verifier accepts botocore's signed request.
			r := httptest.NewRequest(tc.method, sent[i].URL.RequestURI(), strings.NewReader(tc.body))
			r.Host = host
			for k, v := range boto[i].Headers {
				r.Header.Set(k, v)
			}
			_, err := v.Verify(r)
			require.NoError(t, err)

			// Negative: botocore's signature on a changed body is refused.
			r = httptest.NewRequest(tc.method, sent[i].URL.RequestURI(), strings.NewReader(tc.body+"!"))
			r.Host = host
			for k, v := range boto[i].Headers {
				r.Header.Set(k, v)
			}
			_, err = v.Verify(r)
			require.ErrorIs(t, err, ErrSignatureMismatch)
		})
	}
}

// TestBotocoreLive: botocore signs with the real clock and sends over HTTP
// (its own URL preparation, params encoded its way) to a server running our
// Verifier, which accepts; a wrong secret is refused.
func TestBotocoreLive(t *testing.T) {
	srv := echoServer(t, nil, testToken)
	var reqs []botoRequest
	for _, tc := range interopTargets {
		reqs = append(reqs, botoRequest{Method: tc.method, URL: srv.URL + tc.target, Body: tc.body,
			Headers: [][2]string{{"Content-Type", "application/json"}}})
	}
	// botocore's usual way: params encoded by botocore itself (spaces as '+').
	reqs = append(reqs, botoRequest{Method: "GET", URL: srv.URL + "/prod/search",
		Params: [][2]string{{"q", "red shoes"}, {"tag", "a+b"}, {"u", "ሴ"}, {"q", "blue"}}})
	job := botoJob{AKID: testAKID, Secret: testSecret, Token: testToken, Region: "us-east-1", Service: "execute-api", Send: true, Requests: reqs}
	res := runBotocore(t, job)
	for i, r := range res {
		t.Run(reqs[i].Method+" "+strings.TrimPrefix(reqs[i].URL, srv.URL), func(t *testing.T) {
			if strings.Contains(reqs[i].URL, "/./") {
				// botocore signs the normalized path but sends the path as
				// given: refused, as the signature does not cover what a
				// router would see (ErrNonCanonicalPath).
				require.Equal(t, 400, r.Status, "%s\n%s", r.Body, r.Creq)
				assert.JSONEq(t, `{"message":"`+MsgNonCanonicalPath+`"}`, r.Body)
				return
			}
			require.Equal(t, 200, r.Status, "%s\n%s", r.Body, r.Creq)
			var e echo
			require.NoError(t, json.Unmarshal([]byte(r.Body), &e))
			assert.Equal(t, reqs[i].Body, e.Body)
			assert.True(t, e.Token)
		})
	}
	t.Run("params decoded", func(t *testing.T) {
		var e echo
		require.NoError(t, json.Unmarshal([]byte(res[len(res)-1].Body), &e))
		assert.Equal(t, []string{"red shoes", "blue"}, e.Query["q"])
		assert.Equal(t, []string{"a+b"}, e.Query["tag"])
	})

	t.Run("negative: wrong secret", func(t *testing.T) {
		bad := job
		bad.Secret = "not-the-secret"
		bad.Requests = reqs[:1]
		res := runBotocore(t, bad)
		assert.Equal(t, 403, res[0].Status)
		assert.JSONEq(t, `{"message":"`+MsgSignatureMismatch+`"}`, res[0].Body)
	})
}

const botocorePresignScript = `
import json, sys, datetime
from unittest import mock
import botocore.auth
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
job = json.load(sys.stdin)
fixed = datetime.datetime.strptime(job["time"], "%Y%m%dT%H%M%SZ")
out = []
for u in job["urls"]:
    req = AWSRequest(method="GET", url=u)
    with mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: fixed):
        SigV4QueryAuth(Credentials(job["akid"], job["secret"], job.get("token") or None),
                       "execute-api", job["region"], expires=job["expires"]).add_auth(req)
    out.append(req.url)
json.dump(out, sys.stdout)
`

// TestBotocorePresignMatches: our presigned WebSocket URLs carry the same
// signature as botocore's SigV4QueryAuth (the scheme is not signed, so
// botocore is given the https:// form of the wss:// URL).
func TestBotocorePresignMatches(t *testing.T) {
	py := interop.Python(t, "botocore")
	now := time.Date(2026, 11, 22, 4, 0, 0, 0, time.UTC)
	const base = "abc123.execute-api.eu-west-1.amazonaws.com"
	paths := []string{"/prod", "/prod/a%20b", "/prod?room=lobby"}
	for _, token := range []string{"", testToken} {
		tr := NewTransport(credentials.NewStaticCredentialsProvider(testAKID, testSecret, token), func(tr *Transport) {
			tr.Clock = func() time.Time { return now }
		})
		var ours, urls []string
		for _, p := range paths {
			u, err := tr.Presign(context.Background(), "wss://"+base+p, 300*time.Second)
			require.NoError(t, err)
			ours = append(ours, u)
			urls = append(urls, "https://"+base+p)
		}
		in, _ := json.Marshal(map[string]any{"akid": testAKID, "secret": testSecret, "token": token, "region": "eu-west-1",
			"expires": 300, "time": now.Format(amzDateFormat), "urls": urls})
		cmd := exec.Command(py, "-c", botocorePresignScript)
		cmd.Stdin = bytes.NewReader(in)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, stderr.String())
		var boto []string
		require.NoError(t, json.Unmarshal(out, &boto))
		for i := range paths {
			sig := func(s string) string { return s[strings.Index(s, "X-Amz-Signature=")+len("X-Amz-Signature="):] }
			assert.Equal(t, sig(boto[i]), sig(ours[i]), "%s token=%q", paths[i], token)
			bu, _ := url.Parse(boto[i])
			ou, _ := url.Parse(ours[i])
			assert.Equal(t, bu.Query(), ou.Query())
			assert.Equal(t, bu.EscapedPath(), ou.EscapedPath())
		}
	}
}
