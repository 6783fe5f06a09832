package websession_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"

	"github.com/cognitokit/cognitokit/cognito"
	"github.com/cognitokit/cognitokit/cognito/cognitotest"
	"github.com/cognitokit/cognitokit/jwks"
	"github.com/cognitokit/cognitokit/websession"
)

// A web service whose pages need a signed-in user: the handlers and the
// protection take a dozen lines. The rest of the example sets up an
// emulated user pool and plays the browser.
func Example() {
	srv := cognitotest.NewServer() // stands for Cognito
	defer srv.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	appURL := "http://" + ln.Addr().String()
	poolID := srv.MustCreateUserPool(cognitotest.PoolOptions{})
	app := srv.MustCreateUserPoolClient(poolID, cognitotest.ClientOptions{CallbackURLs: []string{appURL + "/callback"},
		AllowedOAuthFlows: []string{"code"}, AllowedOAuthScopes: []string{"openid", "email"}})
	srv.MustCreateUser(poolID, "alice", "Correct-Horse-9!", map[string]string{"email": "alice@example.com"})

	// The service.
	ui, _ := cognito.NewHostedUI(srv.HostedUIURL(), app.ID, appURL+"/callback")
	v, _ := jwks.NewVerifier(poolID, func(o *jwks.Options) {
		o.Endpoint = srv.URL // omit against real Cognito
		o.TokenUse, o.ClientIDs = jwks.TokenUseID, []string{app.ID}
	})
	ws, _ := websession.New(websession.Config{HostedUI: ui, Verifier: v})
	mux := http.NewServeMux()
	mux.Handle("GET /login", ws.LoginHandler())
	mux.Handle("GET /callback", ws.CallbackHandler())
	mux.Handle("POST /logout", ws.LogoutHandler())
	mux.Handle("/", ws.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := jwks.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s", claims.Email)
	})))
	go http.Serve(ln, mux)

	// A browser: the page sends it to sign in, and back.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := browser.Get(appURL + "/")
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	resp, _ = browser.Get(appURL + resp.Header.Get("Location"))
	callback, _ := srv.HostedSignIn(resp.Header.Get("Location"), "alice", "Correct-Horse-9!")
	resp, _ = browser.Get(callback)
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	resp, _ = browser.Get(appURL + "/")
	page, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(page))
	// Output:
	// 302 /login?return=%2F
	// 302 /
	// 200 hello alice@example.com
}
