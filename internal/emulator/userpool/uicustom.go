package userpool

import (
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Classic hosted-UI customization (SetUICustomization, GetUICustomization):
// a CSS file restricted to the classes Cognito lets you style, and a logo
// image, for the whole pool (ClientId "ALL") or one app client, which
// overrides the pool's. The hosted UI's pages apply them, and the logo is
// served at the ImageUrl returned.

// uiAll is the ClientId of the pool-wide customization.
const uiAll = "ALL"

// uiCustomization is one UICustomizationType.
type uiCustomization struct {
	ClientID  string `json:"clientId"` // an app client ID, or "ALL"
	CSS       string `json:"css,omitempty"`
	Image     []byte `json:"image,omitempty"`
	ImageType string `json:"imageType,omitempty"` // image/png or image/jpeg
	Version   string `json:"version"`
	stamp
}

type uiCustomInput struct {
	UserPoolId string `json:"UserPoolId"`
	ClientId   string `json:"ClientId"`
	CSS        string `json:"CSS"`
	ImageFile  []byte `json:"ImageFile"`
}

func (in *uiCustomInput) poolID() string { return in.UserPoolId }

// uiClasses are the selectors Cognito's classic hosted UI lets CSS style
// (the developer guide, "Customizing hosted UI (classic) branding").
var uiClasses = []string{
	".background-customizable", ".banner-customizable", ".errorMessage-customizable",
	".idpButton-customizable", ".idpButton-customizable:hover", ".idpDescription-customizable",
	".inputField-customizable", ".inputField-customizable:focus", ".label-customizable",
	".legalText-customizable", ".logo-customizable", ".passwordCheck-valid-customizable",
	".passwordCheck-notValid-customizable", ".redirect-customizable", ".socialButton-customizable",
	".submitButton-customizable", ".submitButton-customizable:hover", ".textDescription-customizable",
}

var (
	cssComment  = regexp.MustCompile(`(?s)/\*.*?\*/`)
	cssProperty = regexp.MustCompile(`^-?[a-zA-Z][a-zA-Z-]*$`)
)

// checkCSS refuses CSS that styles anything but uiClasses, or holds what
// could reach outside the page's style: at-rules, url(), expression(),
// escapes and markup.
func checkCSS(css string) error {
	bad := func(format string, args ...any) error {
		return errInvalidParam("The CSS is not valid: "+format, args...)
	}
	body := cssComment.ReplaceAllString(css, " ")
	if strings.ContainsAny(body, "<>@\\") {
		return bad("it may not hold <, >, @ or \\.")
	}
	lower := strings.ToLower(body)
	for _, f := range []string{"url(", "expression(", "image-set(", "javascript:"} {
		if strings.Contains(lower, f) {
			return bad("%s is not allowed.", strings.TrimSuffix(f, "("))
		}
	}
	rules := strings.Split(body, "}")
	if strings.TrimSpace(rules[len(rules)-1]) != "" {
		return bad("a rule is not closed with }.")
	}
	for _, rule := range rules[:len(rules)-1] {
		sel, decls, ok := strings.Cut(rule, "{")
		if !ok || strings.Contains(decls, "{") {
			return bad("each rule must be selector { declarations }.")
		}
		for _, s := range strings.Split(sel, ",") {
			if s = strings.TrimSpace(s); !slices.Contains(uiClasses, s) {
				return bad("%q is not a class the hosted UI lets you customize.", s)
			}
		}
		for _, d := range strings.Split(decls, ";") {
			if strings.TrimSpace(d) == "" {
				continue
			}
			prop, val, ok := strings.Cut(d, ":")
			if !ok || !cssProperty.MatchString(strings.TrimSpace(prop)) || strings.TrimSpace(val) == "" {
				return bad("%q is not a declaration.", strings.TrimSpace(d))
			}
		}
	}
	return nil
}

// liveUICustom drops the customizations of deleted app clients and returns
// the rest.
func (p *pool) liveUICustom() []uiCustomization {
	if p.Extras == nil {
		return nil
	}
	p.Extras.UICustom = dropWhere(p.Extras.UICustom, func(u *uiCustomization) bool {
		return u.ClientID != uiAll && p.clientGone(u.ClientID)
	})
	return p.Extras.UICustom
}

// uiCustomFor returns the customization that applies to clientID: its own,
// else the pool's; nil when there is none.
func (p *pool) uiCustomFor(clientID string) *uiCustomization {
	l := p.liveUICustom()
	for _, id := range []string{clientID, uiAll} {
		if i := slices.IndexFunc(l, func(u uiCustomization) bool { return u.ClientID == id }); i >= 0 {
			return &l[i]
		}
	}
	return nil
}

func (s *Server) uiCustomWire(p *pool, clientID string, u *uiCustomization) map[string]any {
	m := map[string]any{"UserPoolId": p.ID, "ClientId": clientID}
	if u == nil {
		return m
	}
	m["ClientId"], m["CSSVersion"] = u.ClientID, u.Version
	m["CreationDate"], m["LastModifiedDate"] = ep(u.Created), ep(u.Modified)
	if u.CSS != "" {
		m["CSS"] = u.CSS
	}
	if len(u.Image) > 0 {
		m["ImageUrl"] = s.urlLocked() + uiImageURLPath(p.ID, u)
	}
	return m
}

// uiImageURLPath is the path the logo of u is served at; it changes with
// every SetUICustomization.
func uiImageURLPath(poolID string, u *uiCustomization) string {
	ext := "png"
	if u.ImageType == "image/jpeg" {
		ext = "jpg"
	}
	return "/ui-assets/" + poolID + "/" + u.ClientID + "/" + u.Version + "/image." + ext
}

// decodeUI decodes a UI customization input and finds its pool and its
// ClientId: "ALL" (the default when empty) or an app client of the pool.
func (s *Server) decodeUI(c *call, in *uiCustomInput) (*pool, string, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, "", err
	}
	if in.ClientId == "" || in.ClientId == uiAll {
		return p, uiAll, nil
	}
	if _, err := s.client(p, in.ClientId); err != nil {
		return nil, "", err
	}
	return p, in.ClientId, nil
}

func opSetUICustomization(s *Server, c *call) (any, error) {
	var in uiCustomInput
	p, id, err := s.decodeUI(c, &in)
	if err != nil {
		return nil, err
	}
	if err := checkCSS(in.CSS); err != nil {
		return nil, err
	}
	typ := ""
	if len(in.ImageFile) > 0 {
		typ = http.DetectContentType(in.ImageFile)
		if typ != "image/png" && typ != "image/jpeg" {
			return nil, errInvalidParam("The image file must be a PNG or JPEG image.")
		}
	}
	l := p.liveUICustom()
	i := slices.IndexFunc(l, func(u uiCustomization) bool { return u.ClientID == id })
	if strings.TrimSpace(in.CSS) == "" && len(in.ImageFile) == 0 {
		// Neither CSS nor image: the customization is removed.
		if i >= 0 {
			p.Extras.UICustom = slices.Delete(l, i, i+1)
		}
		return map[string]any{"UICustomization": s.uiCustomWire(p, id, nil)}, nil
	}
	u := uiCustomization{ClientID: id, CSS: in.CSS, Image: in.ImageFile, ImageType: typ, stamp: newStamp(c.now)}
	u.Version = uiVersion(c.now)
	if i >= 0 {
		u.Created = l[i].Created
		if u.Version <= l[i].Version { // two changes in one second
			u.Version = l[i].Version + "1"
		}
		l[i] = u
	} else {
		p.ext().UICustom = append(l, u)
	}
	return map[string]any{"UICustomization": s.uiCustomWire(p, id, &u)}, nil
}

// uiVersion is a CSSVersion as Cognito makes them: the time of the change.
func uiVersion(now time.Time) string { return now.UTC().Format("20060102150405") }

func opGetUICustomization(s *Server, c *call) (any, error) {
	var in uiCustomInput
	p, id, err := s.decodeUI(c, &in)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UICustomization": s.uiCustomWire(p, id, p.uiCustomFor(id))}, nil
}

// serveUIImage serves the logo of a UI customization at its ImageUrl.
func serveUIImage(s *Server, w http.ResponseWriter, r *http.Request) {
	l := s.lock()
	defer l.release()
	var img []byte
	var typ string
	if p := s.st.Pools[r.PathValue("pool")]; p != nil {
		for _, u := range p.liveUICustom() {
			if u.ClientID == r.PathValue("client") && u.Version == r.PathValue("version") && len(u.Image) > 0 &&
				uiImageURLPath(p.ID, &u) == r.URL.Path {
				img, typ = u.Image, u.ImageType
			}
		}
	}
	l.unlock()
	if img == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(img)
}

// hostedUIStyle returns the CSS and the logo URL path the hosted UI's pages
// apply for clientID (s.mu held). The CSS is checked again (a state file
// may have been edited by hand), so what goes inside the style element
// cannot close it.
func (p *pool) hostedUIStyle(clientID string) (css template.CSS, logo string) {
	u := p.uiCustomFor(clientID)
	if u == nil {
		return "", ""
	}
	if len(u.Image) > 0 {
		logo = uiImageURLPath(p.ID, u)
	}
	if checkCSS(u.CSS) != nil {
		return "", logo
	}
	return template.CSS(u.CSS), logo // #nosec G203 -- checked by checkCSS
}

func init() {
	registerTarget(idpTarget, map[string]op{
		"SetUICustomization": {fn: opSetUICustomization},
		"GetUICustomization": {fn: opGetUICustomization, readOnly: true},
	})
	registerPath("GET /ui-assets/{pool}/{client}/{version}/{file}", serveUIImage)
}
