package userpool

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
)

// Managed-login branding (CreateManagedLoginBranding,
// DescribeManagedLoginBranding, DescribeManagedLoginBrandingByClient,
// UpdateManagedLoginBranding, DeleteManagedLoginBranding): one style per
// app client, made of a Settings document and image assets, or Cognito's
// own values (UseCognitoProvidedValues). An update merges what it is given
// into what is stored; ReturnMergedResources answers the style laid over
// Cognito's defaults.

// branding is one ManagedLoginBrandingType.
type branding struct {
	ID       string          `json:"id"`
	ClientID string          `json:"clientId"`
	Cognito  bool            `json:"cognito,omitempty"` // UseCognitoProvidedValues
	Settings json.RawMessage `json:"settings,omitempty"`
	Assets   []brandAsset    `json:"assets,omitempty"`
	stamp
}

// brandAsset is one AssetType.
type brandAsset struct {
	Category   string `json:"Category"`
	ColorMode  string `json:"ColorMode"`
	Extension  string `json:"Extension"`
	Bytes      []byte `json:"Bytes,omitempty"`
	ResourceId string `json:"ResourceId,omitempty"`
}

type brandingInput struct {
	UserPoolId               string          `json:"UserPoolId"`
	ClientId                 string          `json:"ClientId"`
	ManagedLoginBrandingId   string          `json:"ManagedLoginBrandingId"`
	UseCognitoProvidedValues bool            `json:"UseCognitoProvidedValues"`
	Settings                 json.RawMessage `json:"Settings"`
	Assets                   []brandAsset    `json:"Assets"`
	ReturnMergedResources    bool            `json:"ReturnMergedResources"`
}

func (in *brandingInput) poolID() string { return in.UserPoolId }

// hasSettings reports whether the input carries a Settings document.
func (in *brandingInput) hasSettings() bool {
	t := bytes.TrimSpace(in.Settings)
	return len(t) > 0 && string(t) != "null"
}

// brandingDefaults are Cognito's default managed-login settings, as far as
// the emulator knows them (the categories and the main components); they
// are what ReturnMergedResources lays a style over.
const brandingDefaults = `{
"categories":{
 "auth":{"authMethodOrder":[[{"display":"BUTTON","type":"FEDERATED"},{"display":"INPUT","type":"USERNAME_PASSWORD"}]],"federation":{"interfaceStyle":"BUTTON_LIST","order":[]}},
 "form":{"displayGraphics":true,"instructions":{"enabled":false},"languageSelector":{"enabled":false},"location":{"horizontal":"CENTER","vertical":"CENTER"},"sessionTimerDisplay":"NONE"},
 "global":{"colorSchemeMode":"LIGHT","pageFooter":{"enabled":false},"pageHeader":{"enabled":false},"spacingDensity":"REGULAR"},
 "signUp":{"acceptanceElements":[{"enforcement":"NONE","textKey":"en"}]}},
"componentClasses":{
 "buttons":{"borderRadius":8.0},
 "focusState":{"darkMode":{"borderColor":"539fe5ff"},"lightMode":{"borderColor":"0972d3ff"}},
 "input":{"borderRadius":8.0,"darkMode":{"defaults":{"backgroundColor":"0f1b2aff","borderColor":"5f6b7aff"},"placeholderColor":"8d99a8ff"},"lightMode":{"defaults":{"backgroundColor":"ffffffff","borderColor":"7d8998ff"},"placeholderColor":"5f6b7aff"}},
 "link":{"darkMode":{"defaults":{"textColor":"539fe5ff"},"hover":{"textColor":"89bdeeff"}},"lightMode":{"defaults":{"textColor":"0972d3ff"},"hover":{"textColor":"033160ff"}}}},
"components":{
 "form":{"borderRadius":8.0,"darkMode":{"backgroundColor":"0f1b2aff","borderColor":"424650ff"},"lightMode":{"backgroundColor":"ffffffff","borderColor":"c6c6cdff"}},
 "pageBackground":{"darkMode":{"color":"0f1b2aff"},"image":{"enabled":true},"lightMode":{"color":"ffffffff"}},
 "pageText":{"darkMode":{"bodyColor":"b6bec9ff","descriptionColor":"b6bec9ff","headingColor":"d1d5dbff"},"lightMode":{"bodyColor":"414d5cff","descriptionColor":"414d5cff","headingColor":"000716ff"}},
 "primaryButton":{"darkMode":{"defaults":{"backgroundColor":"539fe5ff","textColor":"000716ff"}},"lightMode":{"defaults":{"backgroundColor":"0972d3ff","textColor":"ffffffff"}}}}
}`

// brandingSections are the top-level members a Settings document may have.
var brandingSections = []string{"categories", "componentClasses", "components"}

// parseSettings reads a Settings document: a JSON object whose members are
// brandingSections.
func parseSettings(raw json.RawMessage) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, errInvalidParam("Settings must be a JSON object.")
	}
	for k := range m {
		if !slices.Contains(brandingSections, k) {
			return nil, errInvalidParam("Settings has an unknown section %q; the sections are categories, componentClasses and components.", k)
		}
	}
	return m, nil
}

// mergeJSON lays over on top of base: objects merge member by member,
// anything else in over replaces what base has.
func mergeJSON(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		bo, ok1 := out[k].(map[string]any)
		vo, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			out[k] = mergeJSON(bo, vo)
		} else {
			out[k] = v
		}
	}
	return out
}

// assetMagic tells whether an asset's bytes are of its declared Extension.
func assetMagic(ext string, b []byte) bool {
	switch ext {
	case "PNG":
		return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n"))
	case "JPEG":
		return bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff})
	case "ICO":
		return bytes.HasPrefix(b, []byte{0, 0, 1, 0})
	case "WEBP":
		return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
	case "SVG":
		return bytes.Contains(b[:min(len(b), 1024)], []byte("<svg"))
	}
	return false
}

// checkAssets refuses assets without bytes, whose bytes are not of their
// extension, favicons of the wrong type, and two assets for one category
// and color mode.
func checkAssets(assets []brandAsset) error {
	seen := map[string]bool{}
	for _, a := range assets {
		if len(a.Bytes) == 0 {
			return errInvalidParam("Asset %s (%s) has no Bytes.", a.Category, a.ColorMode)
		}
		if !assetMagic(a.Extension, a.Bytes) {
			return errInvalidParam("Asset %s (%s) is not a valid %s file.", a.Category, a.ColorMode, a.Extension)
		}
		if (a.Category == "FAVICON_ICO" && a.Extension != "ICO") || (a.Category == "FAVICON_SVG" && a.Extension != "SVG") {
			return errInvalidParam("Asset %s must have the extension %s.", a.Category, a.Category[len("FAVICON_"):])
		}
		k := a.Category + "/" + a.ColorMode
		if seen[k] {
			return errInvalidParam("Assets has more than one %s asset for color mode %s.", a.Category, a.ColorMode)
		}
		seen[k] = true
	}
	return nil
}

// checkBrandingInput checks what Create and Update both take.
func checkBrandingInput(in *brandingInput) (map[string]any, error) {
	if in.UseCognitoProvidedValues && (in.hasSettings() || len(in.Assets) > 0) {
		return nil, errInvalidParam("When UseCognitoProvidedValues is true, Settings and Assets must be omitted.")
	}
	var settings map[string]any
	if in.hasSettings() {
		var err error
		if settings, err = parseSettings(in.Settings); err != nil {
			return nil, err
		}
	}
	return settings, checkAssets(in.Assets)
}

// liveBrandings drops the styles of deleted app clients and returns the
// rest.
func (p *pool) liveBrandings() []branding {
	if p.Extras == nil {
		return nil
	}
	p.Extras.Brandings = dropWhere(p.Extras.Brandings, func(b *branding) bool { return p.clientGone(b.ClientID) })
	return p.Extras.Brandings
}

func (p *pool) brandingWhere(match func(*branding) bool) *branding {
	l := p.liveBrandings()
	for i := range l {
		if match(&l[i]) {
			return &l[i]
		}
	}
	return nil
}

func errBrandingNotFound(what string) error {
	return errorf("ResourceNotFoundException", "Managed login branding %s does not exist.", what)
}

// brandingByID finds a style by its ID.
func (p *pool) brandingByID(id string) (*branding, error) {
	if id == "" {
		return nil, required("managedLoginBrandingId", "")
	}
	if b := p.brandingWhere(func(b *branding) bool { return b.ID == id }); b != nil {
		return b, nil
	}
	return nil, errBrandingNotFound(id)
}

// poolBranding decodes an input naming a pool and a style ID and finds
// both.
func (s *Server) poolBranding(c *call, in *brandingInput) (*pool, *branding, error) {
	p, err := s.decodePool(c, in)
	if err != nil {
		return nil, nil, err
	}
	b, err := p.brandingByID(in.ManagedLoginBrandingId)
	return p, b, err
}

// clientBranding decodes an input naming a pool and one of its app
// clients, finds both, and returns the client's style (nil if none).
func (s *Server) clientBranding(c *call, in *brandingInput) (*pool, *branding, error) {
	if err := c.decode(in); err != nil {
		return nil, nil, err
	}
	p, _, err := s.clientIn(in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, nil, err
	}
	return p, p.brandingWhere(func(b *branding) bool { return b.ClientID == in.ClientId }), nil
}

func brandingWire(p *pool, b *branding, merged bool) (map[string]any, error) {
	m := map[string]any{"ManagedLoginBrandingId": b.ID, "UserPoolId": p.ID, "UseCognitoProvidedValues": b.Cognito,
		"CreationDate": ep(b.Created), "LastModifiedDate": ep(b.Modified)}
	assets := slices.Clone(b.Assets)
	if assets == nil {
		assets = []brandAsset{}
	}
	sort.SliceStable(assets, func(i, j int) bool {
		return assets[i].Category+assets[i].ColorMode < assets[j].Category+assets[j].ColorMode
	})
	m["Assets"] = assets
	var settings map[string]any
	if len(b.Settings) > 0 {
		if err := json.Unmarshal(b.Settings, &settings); err != nil {
			return nil, errorf("InternalErrorException", "cognitotest: stored branding settings: %v", err)
		}
	}
	if merged {
		var defaults map[string]any
		if err := json.Unmarshal([]byte(brandingDefaults), &defaults); err != nil {
			return nil, errorf("InternalErrorException", "cognitotest: branding defaults: %v", err)
		}
		settings = mergeJSON(defaults, settings)
	}
	if settings != nil {
		m["Settings"] = settings
	}
	return map[string]any{"ManagedLoginBranding": m}, nil
}

func encodeSettings(m map[string]any) (json.RawMessage, error) {
	if m == nil {
		return nil, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, errInvalidParam("Settings cannot be encoded: %v", err)
	}
	return b, nil
}

func opCreateManagedLoginBranding(s *Server, c *call) (any, error) {
	var in brandingInput
	p, old, err := s.clientBranding(c, &in)
	if err != nil {
		return nil, err
	}
	settings, err := checkBrandingInput(&in)
	if err != nil {
		return nil, err
	}
	if old != nil {
		return nil, errorf("ManagedLoginBrandingExistsException", "A managed login branding style already exists for app client %s.", in.ClientId)
	}
	raw, err := encodeSettings(settings)
	if err != nil {
		return nil, err
	}
	b := branding{ID: s.uuid(), ClientID: in.ClientId, Cognito: in.UseCognitoProvidedValues, Settings: raw,
		Assets: in.Assets, stamp: newStamp(c.now)}
	p.ext().Brandings = append(p.liveBrandings(), b)
	return brandingWire(p, &b, false)
}

func opDescribeManagedLoginBranding(s *Server, c *call) (any, error) {
	var in brandingInput
	p, b, err := s.poolBranding(c, &in)
	if err != nil {
		return nil, err
	}
	return brandingWire(p, b, in.ReturnMergedResources)
}

func opDescribeManagedLoginBrandingByClient(s *Server, c *call) (any, error) {
	var in brandingInput
	p, b, err := s.clientBranding(c, &in)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, errorf("ResourceNotFoundException", "App client %s has no managed login branding style.", in.ClientId)
	}
	return brandingWire(p, b, in.ReturnMergedResources)
}

func opUpdateManagedLoginBranding(s *Server, c *call) (any, error) {
	var in brandingInput
	p, b, err := s.poolBranding(c, &in)
	if err != nil {
		return nil, err
	}
	over, err := checkBrandingInput(&in)
	if err != nil {
		return nil, err
	}
	upd := *b
	upd.Assets = slices.Clone(b.Assets)
	switch {
	case in.UseCognitoProvidedValues:
		upd.Cognito, upd.Settings, upd.Assets = true, nil, nil
	case over != nil || len(in.Assets) > 0:
		upd.Cognito = false
		if over != nil {
			base := map[string]any{}
			if len(b.Settings) > 0 {
				if err := json.Unmarshal(b.Settings, &base); err != nil {
					return nil, errorf("InternalErrorException", "cognitotest: stored branding settings: %v", err)
				}
			}
			if upd.Settings, err = encodeSettings(mergeJSON(base, over)); err != nil {
				return nil, err
			}
		}
		for _, a := range in.Assets {
			i := slices.IndexFunc(upd.Assets, func(x brandAsset) bool { return x.Category == a.Category && x.ColorMode == a.ColorMode })
			if i >= 0 {
				upd.Assets[i] = a
			} else {
				upd.Assets = append(upd.Assets, a)
			}
		}
		if len(upd.Assets) > 40 {
			return nil, errorf("LimitExceededException", "A branding style can have at most 40 assets.")
		}
	}
	upd.Modified = c.now
	*b = upd
	return brandingWire(p, b, false)
}

func opDeleteManagedLoginBranding(s *Server, c *call) (any, error) {
	var in brandingInput
	p, _, err := s.poolBranding(c, &in)
	if err != nil {
		return nil, err
	}
	p.Extras.Brandings = slices.DeleteFunc(p.Extras.Brandings, func(b branding) bool { return b.ID == in.ManagedLoginBrandingId })
	return nil, nil
}

func init() {
	registerTarget(idpTarget, map[string]op{
		"CreateManagedLoginBranding":           {fn: opCreateManagedLoginBranding},
		"DescribeManagedLoginBranding":         {fn: opDescribeManagedLoginBranding, readOnly: true},
		"DescribeManagedLoginBrandingByClient": {fn: opDescribeManagedLoginBrandingByClient, readOnly: true},
		"UpdateManagedLoginBranding":           {fn: opUpdateManagedLoginBranding},
		"DeleteManagedLoginBranding":           {fn: opDeleteManagedLoginBranding},
	})
}
