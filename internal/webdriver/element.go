package webdriver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Element is a DOM element found in the page. It stays valid until the
// page navigates or the element is removed; then its methods fail with
// ErrStaleElement. Its methods fail the test on error; the Try… variants
// return the error.
type Element struct {
	b   *Browser
	id  string
	css string // the selector that found it; "" when a script returned it
}

// MarshalJSON encodes the element as a W3C web element reference, so that
// it can be passed to ExecuteScript.
func (e *Element) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{elementKey: e.id})
}

// String names the element by the selector that found it.
func (e *Element) String() string {
	if e.css == "" {
		return "element " + e.id
	}
	return fmt.Sprintf("element %q", e.css)
}

func (e *Element) path(rel string) string {
	return "/element/" + url.PathEscape(e.id) + rel
}

// interact runs an action that needs the element to be interactable,
// retrying up to the Browser's Timeout while it is not (hidden, covered,
// disabled for now), as a page still settling may make it.
func (e *Element) interact(what string, body any, rel string) error {
	deadline := time.Now().Add(e.b.timeout)
	for {
		err := e.b.s.cmd("POST", e.path(rel), body, nil)
		if err == nil {
			return nil
		}
		var we *Error
		retry := errors.As(err, &we) && (we.Code == "element not interactable" ||
			we.Code == "element click intercepted" || we.Code == "invalid element state")
		if !retry {
			return fmt.Errorf("webdriver: %s %s: %w", what, e, err)
		}
		if time.Now().After(deadline) {
			return newWaitError(err, "webdriver: %s %s: still not possible after %s", what, e, e.b.timeout)
		}
		time.Sleep(pollInterval)
	}
}

// TryClick clicks the element's centre, after scrolling it into view; a
// click that loads a page waits for the load.
func (e *Element) TryClick() error { return e.interact("click", nil, "/click") }

// Click is TryClick that fails the test on error.
func (e *Element) Click() {
	e.b.t.Helper()
	if err := e.TryClick(); err != nil {
		e.b.fail(err)
	}
}

// TrySendKeys types text into the element (appending to what is there);
// KeyEnter and the other Key… constants press those keys. The text never
// appears in errors.
func (e *Element) TrySendKeys(text string) error {
	return e.interact("send keys to", map[string]string{"text": text}, "/value")
}

// SendKeys is TrySendKeys that fails the test on error.
func (e *Element) SendKeys(text string) {
	e.b.t.Helper()
	if err := e.TrySendKeys(text); err != nil {
		e.b.fail(err)
	}
}

// TryClear empties an input or textarea.
func (e *Element) TryClear() error { return e.interact("clear", nil, "/clear") }

// Clear is TryClear that fails the test on error.
func (e *Element) Clear() {
	e.b.t.Helper()
	if err := e.TryClear(); err != nil {
		e.b.fail(err)
	}
}

// TryText returns the element's rendered text (as innerText would, so
// hidden parts are left out).
func (e *Element) TryText() (string, error) {
	var s string
	if err := e.b.s.cmd("GET", e.path("/text"), nil, &s); err != nil {
		return "", fmt.Errorf("webdriver: text of %s: %w", e, err)
	}
	return s, nil
}

// Text is TryText that fails the test on error.
func (e *Element) Text() string {
	e.b.t.Helper()
	s, err := e.TryText()
	if err != nil {
		e.b.fail(err)
	}
	return s
}

// TryAttribute returns the element's HTML attribute name and whether it
// has one. It is the attribute as written in the markup; for the current
// value of an input use Property("value").
func (e *Element) TryAttribute(name string) (value string, ok bool, err error) {
	var v *string
	if err := e.b.s.cmd("GET", e.path("/attribute/"+url.PathEscape(name)), nil, &v); err != nil {
		return "", false, fmt.Errorf("webdriver: attribute %q of %s: %w", name, e, err)
	}
	if v == nil {
		return "", false, nil
	}
	return *v, true, nil
}

// Attribute is TryAttribute that fails the test on error; a missing
// attribute is "".
func (e *Element) Attribute(name string) string {
	e.b.t.Helper()
	v, _, err := e.TryAttribute(name)
	if err != nil {
		e.b.fail(err)
	}
	return v
}

// TryProperty returns the element's DOM property name (for example
// "value" or "checked"), decoded from JSON; nil when it has none.
func (e *Element) TryProperty(name string) (any, error) {
	var v any
	if err := e.b.s.cmd("GET", e.path("/property/"+url.PathEscape(name)), nil, &v); err != nil {
		return nil, fmt.Errorf("webdriver: property %q of %s: %w", name, e, err)
	}
	return e.b.elements(v), nil
}

// Property is TryProperty that fails the test on error.
func (e *Element) Property(name string) any {
	e.b.t.Helper()
	v, err := e.TryProperty(name)
	if err != nil {
		e.b.fail(err)
	}
	return v
}

// TryDisplayed reports whether the element is visible.
func (e *Element) TryDisplayed() (bool, error) {
	var v bool
	if err := e.b.s.cmd("GET", e.path("/displayed"), nil, &v); err != nil {
		return false, fmt.Errorf("webdriver: displayed %s: %w", e, err)
	}
	return v, nil
}

// Displayed is TryDisplayed that fails the test on error.
func (e *Element) Displayed() bool {
	e.b.t.Helper()
	v, err := e.TryDisplayed()
	if err != nil {
		e.b.fail(err)
	}
	return v
}

// TryFind returns the first element under e matching the CSS selector,
// waiting like Browser.TryFind.
func (e *Element) TryFind(css string) (*Element, error) {
	return e.b.find(e.path(""), css)
}

// Find is TryFind that fails the test on error.
func (e *Element) Find(css string) *Element {
	e.b.t.Helper()
	el, err := e.TryFind(css)
	if err != nil {
		e.b.fail(err)
	}
	return el
}

// TryFindAll returns every element under e matching the CSS selector,
// without waiting.
func (e *Element) TryFindAll(css string) ([]*Element, error) {
	return e.b.findAll(e.path(""), css)
}

// FindAll is TryFindAll that fails the test on error.
func (e *Element) FindAll(css string) []*Element {
	e.b.t.Helper()
	els, err := e.TryFindAll(css)
	if err != nil {
		e.b.fail(err)
	}
	return els
}
