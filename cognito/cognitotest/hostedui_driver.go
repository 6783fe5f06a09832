package cognitotest

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// HostedSignIn drives the hosted UI as a browser would, without one: it
// opens authorizeURL (from cognito.HostedUI.AuthorizeURL), submits
// username and password on the sign-in page and returns the URL the
// browser is finally sent to — the app's redirect URI with code and state,
// or with error. A page that shows an error instead (wrong password, a
// new-password or MFA step) is returned as an error carrying its message.
// For tests and examples.
func (s *Server) HostedSignIn(authorizeURL, username, password string) (callbackURL string, err error) {
	return s.drive(authorizeURL, func(body string) (url.Values, error) {
		if !strings.Contains(body, `id="signInFormUsername"`) {
			return nil, pageError(body)
		}
		return url.Values{"username": {username}, "password": {password}}, nil
	})
}

// HostedFacebookSignIn drives a "Continue with Facebook" sign-in as a
// browser would: it opens authorizeURL (which should name
// identity_provider=Facebook, or show the button), consents in the fake
// Facebook as user and returns the URL the browser is finally sent to.
// For tests and examples.
func (s *Server) HostedFacebookSignIn(authorizeURL string, user FacebookUser) (callbackURL string, err error) {
	return s.drive(authorizeURL, func(body string) (url.Values, error) {
		if strings.Contains(body, `id="fb-continue"`) {
			return url.Values{"user_id": {user.ID}, "name": {user.Name}, "email": {user.Email}, "action": {"allow"}}, nil
		}
		if m := fbButtonRe.FindStringSubmatch(body); m != nil {
			return url.Values{"_link": {html.UnescapeString(m[1])}}, nil
		}
		return nil, pageError(body)
	})
}

// MustHostedSignIn is HostedSignIn for tests and examples: it panics on
// error.
func (s *Server) MustHostedSignIn(authorizeURL, username, password string) (callbackURL string) {
	return must(s.HostedSignIn(authorizeURL, username, password))
}

// MustHostedFacebookSignIn is HostedFacebookSignIn for tests and examples:
// it panics on error.
func (s *Server) MustHostedFacebookSignIn(authorizeURL string, user FacebookUser) (callbackURL string) {
	return must(s.HostedFacebookSignIn(authorizeURL, user))
}

var (
	fbButtonRe    = regexp.MustCompile(`id="facebook-button" href="([^"]+)"`)
	formActionRe  = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenFieldRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"\s*/?>`)
	pageErrorRe   = regexp.MustCompile(`(?s)<(?:div class="err"[^>]*|p id="errorCode")>(.*?)</`)
)

func pageError(body string) error {
	if m := pageErrorRe.FindStringSubmatch(body); m != nil {
		return errors.New("cognitotest: hosted UI: " + html.UnescapeString(m[1]))
	}
	return errors.New("cognitotest: hosted UI: unexpected page")
}

// drive follows redirects inside the emulator, answers each page with
// fill (whose "_link" entry means "follow this link" instead of posting
// the form) and stops at the first redirect that leaves the emulator.
func (s *Server) drive(start string, fill func(body string) (url.Values, error)) (string, error) {
	base := s.url()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	abs := func(u string) string {
		if strings.HasPrefix(u, "/") {
			return base + u
		}
		return u
	}
	req, err := http.NewRequest(http.MethodGet, start, nil)
	if err != nil {
		return "", fmt.Errorf("cognitotest: hosted UI: %w", err)
	}
	for step := 0; step < 20; step++ {
		resp, err := c.Do(req)
		if err != nil {
			return "", fmt.Errorf("cognitotest: hosted UI: %w", err)
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		body := string(b)
		switch {
		case resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther:
			loc := abs(resp.Header.Get("Location"))
			if !strings.HasPrefix(loc, base+"/") {
				return loc, nil
			}
			req, _ = http.NewRequest(http.MethodGet, loc, nil)
			continue
		case resp.StatusCode != http.StatusOK:
			return "", pageError(body)
		}
		fields, err := fill(body)
		if err != nil {
			return "", err
		}
		if link := fields.Get("_link"); link != "" {
			req, _ = http.NewRequest(http.MethodGet, abs(link), nil)
			continue
		}
		m := formActionRe.FindStringSubmatch(body)
		if m == nil {
			return "", pageError(body)
		}
		form := url.Values{}
		for _, h := range hiddenFieldRe.FindAllStringSubmatch(body, -1) {
			form.Set(h[1], html.UnescapeString(h[2]))
		}
		for k, v := range fields {
			form[k] = v
		}
		req, _ = http.NewRequest(http.MethodPost, abs(html.UnescapeString(m[1])), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return "", errors.New("cognitotest: hosted UI: too many steps")
}
