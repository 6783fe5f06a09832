package userpool

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// opCase is one call of a table-driven test of the extras: the operation,
// its input, and the error code expected ("" for success).
type opCase struct {
	name string
	op   string
	in   map[string]any
	code string
	// check, when set, looks at a successful answer.
	check func(t *testing.T, out map[string]any)
}

// runCases runs cases in order on e (later cases may rely on earlier
// ones). A top-level string input equal to a key of ids (optional) is
// replaced, when its case runs, by the value the key points to then (an
// ID an earlier case learnt).
func (e *unlockedEnv) runCases(t *testing.T, cases []opCase, ids ...map[string]*string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			in := map[string]any{}
			for k, v := range tc.in {
				if s, ok := v.(string); ok && len(ids) > 0 && ids[0][s] != nil {
					v = *ids[0][s]
				}
				in[k] = v
			}
			out, errType := e.call(tc.op, in)
			if tc.code == "" {
				require.Empty(t, errType, "%s", tc.op)
				if tc.check != nil {
					tc.check(t, out)
				}
				return
			}
			code, _, _ := strings.Cut(errType, ":")
			assert.Equal(t, tc.code, code, "%s answered %q", tc.op, errType)
		})
	}
}

// ok runs an operation that must succeed.
func (e *unlockedEnv) ok(op string, in map[string]any) map[string]any {
	e.t.Helper()
	out, errType := e.call(op, in)
	require.Empty(e.t, errType, "%s", op)
	return out
}

// obj returns the member key of m as an object.
func obj(t *testing.T, m map[string]any, key string) map[string]any {
	t.Helper()
	v, ok := m[key].(map[string]any)
	require.True(t, ok, "%s is not an object in %v", key, m)
	return v
}

func TestLogDeliveryConfiguration(t *testing.T) {
	e := newUnlockedEnv(t)
	plus, err := e.s.CreatePool(PoolOptions{Tier: "PLUS"})
	require.NoError(t, err)
	cw := map[string]any{"LogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:cognito"}
	fh := map[string]any{"StreamArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/auth"}
	s3 := map[string]any{"BucketArn": "arn:aws:s3:::auth-logs"}
	set := func(pool string, confs ...map[string]any) map[string]any {
		if confs == nil {
			confs = []map[string]any{}
		}
		return map[string]any{"UserPoolId": pool, "LogConfigurations": confs}
	}
	notif := map[string]any{"EventSource": "userNotification", "LogLevel": "ERROR", "CloudWatchLogsConfiguration": cw}
	e.runCases(t, []opCase{
		{name: "unset answers an empty list", op: "GetLogDeliveryConfiguration", in: map[string]any{"UserPoolId": e.pool},
			check: func(t *testing.T, out map[string]any) {
				c := obj(t, out, "LogDeliveryConfiguration")
				assert.Equal(t, e.pool, c["UserPoolId"])
				assert.Equal(t, []any{}, c["LogConfigurations"])
			}},
		{name: "notifications to CloudWatch", op: "SetLogDeliveryConfiguration", in: set(e.pool, notif),
			check: func(t *testing.T, out map[string]any) {
				c := obj(t, out, "LogDeliveryConfiguration")
				assert.Equal(t, []any{notif}, c["LogConfigurations"])
			}},
		{name: "stored", op: "GetLogDeliveryConfiguration", in: map[string]any{"UserPoolId": e.pool},
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, []any{notif}, obj(t, out, "LogDeliveryConfiguration")["LogConfigurations"])
			}},
		{name: "notifications at INFO", op: "SetLogDeliveryConfiguration", code: "InvalidParameterException",
			in: set(e.pool, map[string]any{"EventSource": "userNotification", "LogLevel": "INFO", "CloudWatchLogsConfiguration": cw})},
		{name: "notifications to S3", op: "SetLogDeliveryConfiguration", code: "InvalidParameterException",
			in: set(e.pool, map[string]any{"EventSource": "userNotification", "LogLevel": "ERROR", "S3Configuration": s3})},
		{name: "two destinations", op: "SetLogDeliveryConfiguration", code: "InvalidParameterException",
			in: set(e.pool, map[string]any{"EventSource": "userNotification", "LogLevel": "ERROR", "CloudWatchLogsConfiguration": cw, "S3Configuration": s3})},
		{name: "no destination", op: "SetLogDeliveryConfiguration", code: "InvalidParameterException",
			in: set(e.pool, map[string]any{"EventSource": "userNotification", "LogLevel": "ERROR"})},
		{name: "log group ARN of another service", op: "SetLogDeliveryConfiguration", code: "InvalidParameterException",
			in: set(e.pool, map[string]any{"EventSource": "userNotification", "LogLevel": "ERROR",
				"CloudWatchLogsConfiguration": map[string]any{"LogGroupArn": "arn:aws:s3:us-east-1:123456789012:bucket/x"}})},
		{name: "event source twice", op: "SetLogDeliveryConfiguration", code: "InvalidParameterException", in: set(e.pool, notif, notif)},
		{name: "user activity below PLUS", op: "SetLogDeliveryConfiguration", code: "FeatureUnavailableInTierException",
			in: set(e.pool, map[string]any{"EventSource": "userAuthEvents", "LogLevel": "INFO", "FirehoseConfiguration": fh})},
		{name: "user activity on PLUS", op: "SetLogDeliveryConfiguration",
			in: set(plus, notif, map[string]any{"EventSource": "userAuthEvents", "LogLevel": "INFO", "FirehoseConfiguration": fh})},
		{name: "user activity at ERROR", op: "SetLogDeliveryConfiguration", code: "InvalidParameterException",
			in: set(plus, map[string]any{"EventSource": "userAuthEvents", "LogLevel": "ERROR", "S3Configuration": s3})},
		{name: "unknown level (model)", op: "SetLogDeliveryConfiguration", code: "InvalidParameterException",
			in: set(e.pool, map[string]any{"EventSource": "userNotification", "LogLevel": "DEBUG", "CloudWatchLogsConfiguration": cw})},
		{name: "unknown pool", op: "GetLogDeliveryConfiguration", code: "ResourceNotFoundException", in: map[string]any{"UserPoolId": "us-east-1_nope"}},
		{name: "a refused change keeps what is stored", op: "GetLogDeliveryConfiguration", in: map[string]any{"UserPoolId": e.pool},
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, []any{notif}, obj(t, out, "LogDeliveryConfiguration")["LogConfigurations"])
			}},
		{name: "an empty list clears", op: "SetLogDeliveryConfiguration", in: set(e.pool),
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, []any{}, obj(t, out, "LogDeliveryConfiguration")["LogConfigurations"])
			}},
	})
}

func TestTerms(t *testing.T) {
	e := newUnlockedEnv(t)
	other, err := e.s.NewClient(e.pool, ClientOptions{})
	require.NoError(t, err)
	links := map[string]any{"cognito:default": "https://example.com/terms", "cognito:french": "https://example.com/fr/terms"}
	create := func(client, name string, links any) map[string]any {
		m := map[string]any{"UserPoolId": e.pool, "ClientId": client, "TermsName": name, "TermsSource": "LINK", "Enforcement": "NONE"}
		if links != nil {
			m["Links"] = links
		}
		return m
	}
	var id, otherID string
	e.runCases(t, []opCase{
		{name: "create", op: "CreateTerms", in: create(e.cl.ID, "terms-of-use", links), check: func(t *testing.T, out map[string]any) {
			tm := obj(t, out, "Terms")
			id, _ = tm["TermsId"].(string)
			assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
			assert.Equal(t, e.cl.ID, tm["ClientId"])
			assert.Equal(t, links, tm["Links"])
			for _, k := range []string{"UserPoolId", "TermsName", "TermsSource", "Enforcement", "CreationDate", "LastModifiedDate"} {
				assert.Contains(t, tm, k)
			}
		}},
		{name: "the same name twice for a client", op: "CreateTerms", in: create(e.cl.ID, "terms-of-use", links), code: "TermsExistsException"},
		{name: "the same name for another client", op: "CreateTerms", in: create(other.ID, "terms-of-use", links),
			check: func(t *testing.T, out map[string]any) { otherID, _ = obj(t, out, "Terms")["TermsId"].(string) }},
		{name: "privacy policy beside terms of use", op: "CreateTerms", in: create(e.cl.ID, "privacy-policy", links)},
		{name: "unknown client", op: "CreateTerms", in: create("nosuchclient", "privacy-policy", links), code: "ResourceNotFoundException"},
		{name: "no links", op: "CreateTerms", in: create(other.ID, "privacy-policy", nil), code: "InvalidParameterException"},
		{name: "a link that is no URL", op: "CreateTerms", in: create(other.ID, "privacy-policy", map[string]any{"cognito:default": "not-a-url"}), code: "InvalidParameterException"},
		{name: "unknown language (model)", op: "CreateTerms", in: create(other.ID, "privacy-policy", map[string]any{"cognito:klingon": "https://example.com"}), code: "InvalidParameterException"},
		{name: "unknown name (model)", op: "CreateTerms", in: create(other.ID, "cookie-policy", links), code: "InvalidParameterException"},
		{name: "describe", op: "DescribeTerms", in: map[string]any{"UserPoolId": e.pool, "TermsId": "ID"}},
		{name: "describe unknown", op: "DescribeTerms", in: map[string]any{"UserPoolId": e.pool, "TermsId": "11111111-1111-4111-8111-111111111111"}, code: "ResourceNotFoundException"},
		{name: "rename onto an existing name", op: "UpdateTerms", in: map[string]any{"UserPoolId": e.pool, "TermsId": "ID", "TermsName": "privacy-policy"}, code: "TermsExistsException"},
		{name: "update links", op: "UpdateTerms", in: map[string]any{"UserPoolId": e.pool, "TermsId": "ID", "Links": map[string]any{"cognito:default": "https://example.com/v2"}},
			check: func(t *testing.T, out map[string]any) {
				assert.Equal(t, map[string]any{"cognito:default": "https://example.com/v2"}, obj(t, out, "Terms")["Links"])
				assert.Equal(t, "terms-of-use", obj(t, out, "Terms")["TermsName"])
			}},
		{name: "update with a bad link", op: "UpdateTerms", in: map[string]any{"UserPoolId": e.pool, "TermsId": "ID", "Links": map[string]any{"cognito:default": "ftp:/x"}}, code: "InvalidParameterException"},
		{name: "list pages", op: "ListTerms", in: map[string]any{"UserPoolId": e.pool, "MaxResults": 2}, check: func(t *testing.T, out map[string]any) {
			assert.Len(t, out["Terms"], 2)
			require.NotEmpty(t, out["NextToken"])
			first := out["Terms"].([]any)[0].(map[string]any)
			assert.ElementsMatch(t, []string{"TermsId", "TermsName", "Enforcement", "CreationDate", "LastModifiedDate"}, keys(first))
			rest := e.ok("ListTerms", map[string]any{"UserPoolId": e.pool, "MaxResults": 2, "NextToken": out["NextToken"]})
			assert.Len(t, rest["Terms"], 1)
			assert.NotContains(t, rest, "NextToken")
		}},
		{name: "list with a forged token", op: "ListTerms", in: map[string]any{"UserPoolId": e.pool, "NextToken": "99"}, code: "InvalidParameterException"},
		{name: "delete", op: "DeleteTerms", in: map[string]any{"UserPoolId": e.pool, "TermsId": "ID"}},
		{name: "deleted", op: "DescribeTerms", in: map[string]any{"UserPoolId": e.pool, "TermsId": "ID"}, code: "ResourceNotFoundException"},
		{name: "delete again", op: "DeleteTerms", in: map[string]any{"UserPoolId": e.pool, "TermsId": "ID"}, code: "ResourceNotFoundException"},
		{name: "deleting the client deletes its terms", op: "DeleteUserPoolClient", in: map[string]any{"UserPoolId": e.pool, "ClientId": other.ID}},
		{name: "the client's terms are gone", op: "DescribeTerms", in: map[string]any{"UserPoolId": e.pool, "TermsId": "OTHER"}, code: "ResourceNotFoundException"},
	}, map[string]*string{"ID": &id, "OTHER": &otherID})
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// testImage encodes a 2×2 image as PNG or JPEG.
func testImage(t *testing.T, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	var b bytes.Buffer
	if format == "png" {
		require.NoError(t, png.Encode(&b, img))
	} else {
		require.NoError(t, jpeg.Encode(&b, img, nil))
	}
	return b.Bytes()
}

// get fetches path from e's host.
func (e *unlockedEnv) get(path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.host.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}

// everyUIClass styles each class the classic hosted UI lets CSS style,
// in the manner of the console's CSS template.
const everyUIClass = `.logo-customizable { max-width: 60%; max-height: 30%; }
.banner-customizable { padding: 25px 0px 25px 0px; background-color: lightgray; }
.label-customizable { font-weight: 400; }
.textDescription-customizable { padding-top: 10px; padding-bottom: 10px; display: block; font-size: 16px; }
.idpDescription-customizable { padding-top: 10px; padding-bottom: 10px; display: block; font-size: 16px; }
.legalText-customizable { color: #747474; font-size: 11px; }
.submitButton-customizable { font-size: 14px; font-weight: bold; margin: 20px 0px 10px 0px; height: 40px; width: 100%; color: #fff; background-color: #337ab7; }
.submitButton-customizable:hover { color: #fff; background-color: #286090; }
.errorMessage-customizable { padding: 5px; font-size: 14px; width: 100%; background: #F5F5F5; border: 2px solid #D64958; color: #D64958; }
.inputField-customizable { width: 100%; height: 34px; color: #555; background-color: #fff; border: 1px solid rgba(36, 42, 47, 0.18); }
.inputField-customizable:focus { border-color: #66afe9; outline: 0; }
.idpButton-customizable { height: 40px; width: 100%; text-align: center; margin-bottom: 15px; color: #fff; background-color: #5bc0de; border-color: #46b8da; }
.idpButton-customizable:hover { color: #fff; background-color: #31b0d5; }
.socialButton-customizable { height: 40px; text-align: left; width: 100%; margin-bottom: 15px; }
.redirect-customizable { text-align: center; }
.passwordCheck-notValid-customizable { color: #DF3312; }
.passwordCheck-valid-customizable { color: #19BF00; }
.background-customizable { background-color: #fff; }
`

func TestUICustomization(t *testing.T) {
	e := newUnlockedEnv(t)
	cl2, err := e.s.NewClient(e.pool, ClientOptions{CallbackURLs: []string{"https://app.example.com/cb"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid"}})
	require.NoError(t, err)
	pngFile, jpgFile := testImage(t, "png"), testImage(t, "jpeg")
	const allCSS = ".submitButton-customizable { background-color: #123456; }\n.logo-customizable{max-width:60%}"
	const clientCSS = "/* client */ .banner-customizable, .label-customizable:not(x) { color: red }"
	set := func(client, css string, img []byte) map[string]any {
		m := map[string]any{"UserPoolId": e.pool, "CSS": css}
		if client != "" {
			m["ClientId"] = client
		}
		if img != nil {
			m["ImageFile"] = img
		}
		return m
	}
	get := func(client string) map[string]any {
		m := map[string]any{"UserPoolId": e.pool}
		if client != "" {
			m["ClientId"] = client
		}
		return m
	}
	var imageURL string
	e.runCases(t, []opCase{
		{name: "nothing set", op: "GetUICustomization", in: get(""), check: func(t *testing.T, out map[string]any) {
			assert.Equal(t, map[string]any{"UserPoolId": e.pool, "ClientId": "ALL"}, obj(t, out, "UICustomization"))
		}},
		{name: "pool-wide CSS and logo", op: "SetUICustomization", in: set("ALL", allCSS, pngFile), check: func(t *testing.T, out map[string]any) {
			u := obj(t, out, "UICustomization")
			assert.Equal(t, "ALL", u["ClientId"])
			assert.Equal(t, allCSS, u["CSS"])
			assert.Regexp(t, `^[0-9]{14}$`, u["CSSVersion"])
			assert.Contains(t, u, "CreationDate")
			assert.Contains(t, u, "LastModifiedDate")
			imageURL, _ = u["ImageUrl"].(string)
			assert.Regexp(t, `/ui-assets/`+e.pool+`/ALL/[0-9]+/image\.png$`, imageURL)
		}},
		{name: "a client without its own gets the pool's", op: "GetUICustomization", in: get(e.cl.ID), check: func(t *testing.T, out map[string]any) {
			assert.Equal(t, allCSS, obj(t, out, "UICustomization")["CSS"])
			assert.Equal(t, "ALL", obj(t, out, "UICustomization")["ClientId"])
		}},
		{name: "client CSS with a JPEG logo", op: "SetUICustomization", in: set(cl2.ID, "/* client */ .banner-customizable, .label-customizable { color: red }", jpgFile)},
		{name: "the client's own wins", op: "GetUICustomization", in: get(cl2.ID), check: func(t *testing.T, out map[string]any) {
			u := obj(t, out, "UICustomization")
			assert.Equal(t, cl2.ID, u["ClientId"])
			assert.Contains(t, u["ImageUrl"], "/image.jpg")
		}},
		{name: "every class Cognito lists", op: "SetUICustomization", in: set(e.cl.ID, everyUIClass, nil)},
		{name: "a class Cognito does not let you style", op: "SetUICustomization", in: set("ALL", ".modal { color: red }", nil), code: "InvalidParameterException"},
		{name: "a pseudo-class Cognito does not list", op: "SetUICustomization", in: set("ALL", clientCSS, nil), code: "InvalidParameterException"},
		{name: "url()", op: "SetUICustomization", in: set("ALL", ".background-customizable { background: URL(https://evil.example/x) }", nil), code: "InvalidParameterException"},
		{name: "markup", op: "SetUICustomization", in: set("ALL", ".background-customizable { color: red } </style><script>", nil), code: "InvalidParameterException"},
		{name: "an at-rule", op: "SetUICustomization", in: set("ALL", "@import 'x.css';", nil), code: "InvalidParameterException"},
		{name: "an unclosed rule", op: "SetUICustomization", in: set("ALL", ".background-customizable { color: red", nil), code: "InvalidParameterException"},
		{name: "a declaration without a value", op: "SetUICustomization", in: set("ALL", ".background-customizable { color }", nil), code: "InvalidParameterException"},
		{name: "an image that is not PNG or JPEG", op: "SetUICustomization", in: set("ALL", "", []byte("GIF89a....")), code: "InvalidParameterException"},
		{name: "unknown client", op: "SetUICustomization", in: set("nosuchclient", allCSS, nil), code: "ResourceNotFoundException"},
		{name: "unknown client on get", op: "GetUICustomization", in: get("nosuchclient"), code: "ResourceNotFoundException"},
		{name: "unknown pool", op: "GetUICustomization", in: map[string]any{"UserPoolId": "us-east-1_nope"}, code: "ResourceNotFoundException"},
		{name: "refused changes kept the pool's", op: "GetUICustomization", in: get("ALL"), check: func(t *testing.T, out map[string]any) {
			assert.Equal(t, allCSS, obj(t, out, "UICustomization")["CSS"])
		}},
	})

	t.Run("the logo is served at ImageUrl", func(t *testing.T) {
		u, err := url.Parse(imageURL)
		require.NoError(t, err)
		rec := e.get(u.Path)
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))
		assert.Equal(t, pngFile, rec.Body.Bytes())
		assert.Equal(t, http.StatusNotFound, e.get(strings.Replace(u.Path, "/ALL/", "/"+e.cl.ID+"/", 1)).Code)
		assert.Equal(t, http.StatusNotFound, e.get(strings.Replace(u.Path, "image.png", "image.jpg", 1)).Code)
	})

	t.Run("the hosted UI applies the client's style", func(t *testing.T) {
		e.t = t
		css := ".submitButton-customizable { background-color: #abcdef }"
		e.ok("SetUICustomization", set(cl2.ID, css, pngFile))
		rec := e.get("/login?" + url.Values{"client_id": {cl2.ID}, "response_type": {"code"},
			"redirect_uri": {"https://app.example.com/cb"}}.Encode())
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		body := rec.Body.String()
		assert.Contains(t, body, "<style>"+css+"</style>")
		assert.Contains(t, body, `class="logo-customizable" src="/ui-assets/`+e.pool+`/`+cl2.ID+`/`)
		assert.Contains(t, body, "submitButton-customizable")
		assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "img-src 'self'")
	})

	t.Run("a stored sheet that could close the style element is not applied", func(t *testing.T) {
		e.t = t
		e.s.mu.Lock()
		e.s.st.Pools[e.pool].uiCustomFor(cl2.ID).CSS = ".label-customizable { color: red } </style><script>alert(1)</script>"
		e.s.mu.Unlock()
		rec := e.get("/login?" + url.Values{"client_id": {cl2.ID}, "response_type": {"code"},
			"redirect_uri": {"https://app.example.com/cb"}}.Encode())
		require.Equal(t, http.StatusOK, rec.Code)
		assert.NotContains(t, rec.Body.String(), "<script>")
	})

	t.Run("neither CSS nor image removes the customization", func(t *testing.T) {
		e.t = t
		e.ok("SetUICustomization", set(cl2.ID, "", nil))
		out := e.ok("GetUICustomization", get(cl2.ID))
		assert.Equal(t, "ALL", obj(t, out, "UICustomization")["ClientId"])
	})

	t.Run("a deleted client's customization goes with it", func(t *testing.T) {
		e.t = t
		e.ok("SetUICustomization", set(e.cl.ID, allCSS, nil))
		e.ok("DeleteUserPoolClient", map[string]any{"UserPoolId": e.pool, "ClientId": e.cl.ID})
		e.s.mu.Lock()
		defer e.s.mu.Unlock()
		p := e.s.st.Pools[e.pool]
		assert.Equal(t, "ALL", p.uiCustomFor(e.cl.ID).ClientID, "the pool's applies")
		assert.Len(t, p.liveUICustom(), 1)
	})
}

func TestManagedLoginBranding(t *testing.T) {
	e := newUnlockedEnv(t)
	cl2, err := e.s.NewClient(e.pool, ClientOptions{})
	require.NoError(t, err)
	pngFile := testImage(t, "png")
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`)
	settings := map[string]any{"categories": map[string]any{"global": map[string]any{"colorSchemeMode": "DARK"}}}
	logo := map[string]any{"Category": "PAGE_HEADER_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": pngFile}
	create := func(client string, kv ...any) map[string]any {
		m := map[string]any{"UserPoolId": e.pool, "ClientId": client}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	byID := func(kv ...any) map[string]any {
		m := map[string]any{"UserPoolId": e.pool, "ManagedLoginBrandingId": "ID"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	var id, id2 string
	style := func(t *testing.T, out map[string]any) map[string]any { return obj(t, out, "ManagedLoginBranding") }
	e.runCases(t, []opCase{
		{name: "create with settings and a logo", op: "CreateManagedLoginBranding", in: create(e.cl.ID, "Settings", settings, "Assets", []any{logo}),
			check: func(t *testing.T, out map[string]any) {
				b := style(t, out)
				id, _ = b["ManagedLoginBrandingId"].(string)
				assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
				assert.Equal(t, settings, b["Settings"])
				assert.Equal(t, false, b["UseCognitoProvidedValues"])
				assert.NotContains(t, b, "ClientId", "the output shape has no ClientId")
				require.Len(t, b["Assets"], 1)
				assert.Contains(t, b, "CreationDate")
			}},
		{name: "a second style for the client", op: "CreateManagedLoginBranding", in: create(e.cl.ID, "UseCognitoProvidedValues", true), code: "ManagedLoginBrandingExistsException"},
		{name: "Cognito's values and settings at once", op: "CreateManagedLoginBranding", in: create(cl2.ID, "UseCognitoProvidedValues", true, "Settings", settings), code: "InvalidParameterException"},
		{name: "settings that are no object", op: "CreateManagedLoginBranding", in: create(cl2.ID, "Settings", []any{1}), code: "InvalidParameterException"},
		{name: "an unknown settings section", op: "CreateManagedLoginBranding", in: create(cl2.ID, "Settings", map[string]any{"colours": 1}), code: "InvalidParameterException"},
		{name: "an asset whose bytes are not its extension", op: "CreateManagedLoginBranding",
			in: create(cl2.ID, "Assets", []any{map[string]any{"Category": "FORM_LOGO", "ColorMode": "DARK", "Extension": "JPEG", "Bytes": pngFile}}), code: "InvalidParameterException"},
		{name: "an asset without bytes", op: "CreateManagedLoginBranding",
			in: create(cl2.ID, "Assets", []any{map[string]any{"Category": "FORM_LOGO", "ColorMode": "DARK", "Extension": "PNG"}}), code: "InvalidParameterException"},
		{name: "an ICO favicon that is SVG", op: "CreateManagedLoginBranding",
			in: create(cl2.ID, "Assets", []any{map[string]any{"Category": "FAVICON_ICO", "ColorMode": "DYNAMIC", "Extension": "SVG", "Bytes": svg}}), code: "InvalidParameterException"},
		{name: "two assets for one category and mode", op: "CreateManagedLoginBranding", in: create(cl2.ID, "Assets", []any{logo, logo}), code: "InvalidParameterException"},
		{name: "an unknown category (model)", op: "CreateManagedLoginBranding",
			in: create(cl2.ID, "Assets", []any{map[string]any{"Category": "BANNER", "ColorMode": "DARK", "Extension": "PNG", "Bytes": pngFile}}), code: "InvalidParameterException"},
		{name: "unknown client", op: "CreateManagedLoginBranding", in: create("nosuchclient", "UseCognitoProvidedValues", true), code: "ResourceNotFoundException"},
		{name: "Cognito's values for the other client", op: "CreateManagedLoginBranding", in: create(cl2.ID, "UseCognitoProvidedValues", true),
			check: func(t *testing.T, out map[string]any) {
				b := style(t, out)
				id2, _ = b["ManagedLoginBrandingId"].(string)
				assert.Equal(t, true, b["UseCognitoProvidedValues"])
				assert.NotContains(t, b, "Settings")
				assert.Equal(t, []any{}, b["Assets"])
			}},
		{name: "describe: only what was customized", op: "DescribeManagedLoginBranding", in: byID(), check: func(t *testing.T, out map[string]any) {
			assert.Equal(t, settings, style(t, out)["Settings"])
		}},
		{name: "describe merged with Cognito's defaults", op: "DescribeManagedLoginBranding", in: byID("ReturnMergedResources", true),
			check: func(t *testing.T, out map[string]any) {
				s := style(t, out)["Settings"].(map[string]any)
				global := s["categories"].(map[string]any)["global"].(map[string]any)
				assert.Equal(t, "DARK", global["colorSchemeMode"], "the style's own value")
				assert.Equal(t, "REGULAR", global["spacingDensity"], "a default")
				assert.Contains(t, s, "components")
			}},
		{name: "describe by client", op: "DescribeManagedLoginBrandingByClient", in: create(cl2.ID), check: func(t *testing.T, out map[string]any) {
			assert.Equal(t, id2, style(t, out)["ManagedLoginBrandingId"])
		}},
		{name: "describe unknown", op: "DescribeManagedLoginBranding", in: map[string]any{"UserPoolId": e.pool, "ManagedLoginBrandingId": "11111111-1111-4111-8111-111111111111"}, code: "ResourceNotFoundException"},
		{name: "describe by unknown client", op: "DescribeManagedLoginBrandingByClient", in: create("nosuchclient"), code: "ResourceNotFoundException"},
		{name: "update merges settings and assets", op: "UpdateManagedLoginBranding",
			in: byID("Settings", map[string]any{"categories": map[string]any{"global": map[string]any{"spacingDensity": "COMPACT"}}},
				"Assets", []any{map[string]any{"Category": "FAVICON_SVG", "ColorMode": "DYNAMIC", "Extension": "SVG", "Bytes": svg}}),
			check: func(t *testing.T, out map[string]any) {
				b := style(t, out)
				global := b["Settings"].(map[string]any)["categories"].(map[string]any)["global"].(map[string]any)
				assert.Equal(t, map[string]any{"colorSchemeMode": "DARK", "spacingDensity": "COMPACT"}, global)
				assert.Len(t, b["Assets"], 2, "the logo stays beside the new favicon")
			}},
		{name: "update without an ID", op: "UpdateManagedLoginBranding", in: map[string]any{"UserPoolId": e.pool, "UseCognitoProvidedValues": true}, code: "InvalidParameterException"},
		{name: "update with Cognito's values and assets", op: "UpdateManagedLoginBranding", in: byID("UseCognitoProvidedValues", true, "Assets", []any{logo}), code: "InvalidParameterException"},
		{name: "a refused update changes nothing", op: "DescribeManagedLoginBranding", in: byID(), check: func(t *testing.T, out map[string]any) {
			assert.Len(t, style(t, out)["Assets"], 2)
		}},
		{name: "back to Cognito's values", op: "UpdateManagedLoginBranding", in: byID("UseCognitoProvidedValues", true), check: func(t *testing.T, out map[string]any) {
			b := style(t, out)
			assert.Equal(t, true, b["UseCognitoProvidedValues"])
			assert.NotContains(t, b, "Settings")
			assert.Equal(t, []any{}, b["Assets"])
		}},
		{name: "delete", op: "DeleteManagedLoginBranding", in: byID()},
		{name: "deleted", op: "DescribeManagedLoginBranding", in: byID(), code: "ResourceNotFoundException"},
		{name: "delete again", op: "DeleteManagedLoginBranding", in: byID(), code: "ResourceNotFoundException"},
		{name: "a new style once the old is gone", op: "CreateManagedLoginBranding", in: create(e.cl.ID, "UseCognitoProvidedValues", true)},
	}, map[string]*string{"ID": &id})
}

// TestExtrasPersist: UI customization, branding, terms, log delivery and
// import jobs are saved with the pool and read back as they were.
func TestExtrasPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state")
	e := newPersistEnv(t, path)
	pool := map[string]any{"UserPoolId": e.pool}
	with := func(kv ...any) map[string]any {
		m := map[string]any{"UserPoolId": e.pool}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	e.ok("SetUICustomization", with("ClientId", e.cl.ID, "CSS", ".label-customizable{color:red}", "ImageFile", testImage(t, "png")))
	b := obj(t, e.ok("CreateManagedLoginBranding", with("ClientId", e.cl.ID, "Settings",
		map[string]any{"components": map[string]any{"form": map[string]any{"borderRadius": 2}}})), "ManagedLoginBranding")
	tm := obj(t, e.ok("CreateTerms", with("ClientId", e.cl.ID, "TermsName", "privacy-policy", "TermsSource", "LINK",
		"Enforcement", "NONE", "Links", map[string]any{"cognito:default": "https://example.com/p"})), "Terms")
	e.ok("SetLogDeliveryConfiguration", with("LogConfigurations", []any{map[string]any{"EventSource": "userNotification",
		"LogLevel": "ERROR", "CloudWatchLogsConfiguration": map[string]any{"LogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g"}}}))
	j := e.runImport(e.pool, e.csvFile(e.pool, []map[string]string{person("bob")}))
	require.Equal(t, "Succeeded", j["Status"])
	waiting, _ := e.createJob(e.pool)

	reads := []struct {
		op string
		in map[string]any
	}{
		{"GetUICustomization", with("ClientId", e.cl.ID)},
		{"DescribeManagedLoginBranding", with("ManagedLoginBrandingId", b["ManagedLoginBrandingId"])},
		{"DescribeTerms", with("TermsId", tm["TermsId"])},
		{"GetLogDeliveryConfiguration", pool},
		{"DescribeUserImportJob", with("JobId", j["JobId"])},
		{"DescribeUserImportJob", with("JobId", waiting)},
		{"AdminGetUser", with("Username", "bob")},
	}
	before := make([]map[string]any, len(reads))
	for i, r := range reads {
		before[i] = e.ok(r.op, r.in)
	}
	want := stateJSON(t, e.s)
	got := reloaded(t, e, path)
	assert.JSONEq(t, want, got)
	e2 := openPersistEnv(t, path)
	for i, r := range reads {
		e2.t = t
		assert.Equal(t, before[i], e2.ok(r.op, r.in), r.op)
	}
}
