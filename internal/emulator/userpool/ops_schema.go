package userpool

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AddCustomAttributes, as Cognito has it: custom attributes join the
// pool's schema as "custom:<name>", shown by DescribeUserPool as Cognito
// shows custom attributes, and users may then be given values for them
// (checkAttrs consults the schema). A developer-only attribute keeps the
// name custom:<name> here (Cognito lists it as dev:custom:<name>), as
// CreateUserPool's schema already does.

func init() {
	registerTarget(idpTarget, map[string]op{"AddCustomAttributes": {fn: opAddCustomAttributes}})
}

// MaxCustomAttributes is how many custom attributes a user pool may have.
const MaxCustomAttributes = 50

// maxStringAttrLength is the longest value a string attribute may hold.
const maxStringAttrLength = 2048

type customAttributesInput struct {
	UserPoolId       string       `json:"UserPoolId"`
	CustomAttributes []schemaWire `json:"CustomAttributes"`
}

func (in *customAttributesInput) poolID() string { return in.UserPoolId }

func opAddCustomAttributes(s *Server, c *call) (any, error) {
	var in customAttributesInput
	p, err := s.decodePool(c, &in)
	if err != nil {
		return nil, err
	}
	if len(in.CustomAttributes) == 0 {
		return nil, errInvalidParam("1 validation error detected: Value null at 'customAttributes' failed to satisfy constraint: Member must not be null")
	}
	n := 0
	for _, a := range p.Schema {
		if strings.HasPrefix(a.Name, "custom:") {
			n++
		}
	}
	if n+len(in.CustomAttributes) > MaxCustomAttributes {
		return nil, errInvalidParam("A user pool may have at most %d custom attributes; it has %d.", MaxCustomAttributes, n)
	}
	added := make([]schemaAttribute, 0, len(in.CustomAttributes))
	for _, w := range in.CustomAttributes {
		a, err := customAttribute(&w)
		if err != nil {
			return nil, err
		}
		taken := p.schemaAttr(a.Name) != nil
		for _, o := range added {
			taken = taken || o.Name == a.Name
		}
		if taken {
			return nil, errInvalidParam("%s: Existing attribute already has name %s.", a.Name, a.Name)
		}
		added = append(added, a)
	}
	p.Schema = append(p.Schema, added...)
	p.Modified = c.now
	return map[string]any{}, nil
}

// customAttribute validates one custom attribute of AddCustomAttributes
// or of CreateUserPool's Schema.
func customAttribute(w *schemaWire) (schemaAttribute, error) {
	bare := strings.TrimPrefix(w.Name, "custom:")
	if bare == "" || strings.TrimSpace(bare) != bare {
		return schemaAttribute{}, errInvalidParam("Invalid custom attribute name %q.", w.Name)
	}
	a := schemaAttribute{Name: "custom:" + bare, Type: orDefault(w.AttributeDataType, "String"), Mutable: true}
	switch a.Type {
	case "String", "Number", "DateTime", "Boolean":
	default:
		return a, errInvalidParam("1 validation error detected: Value '%s' at 'customAttributes.1.member.attributeDataType' failed to satisfy constraint: Member must satisfy enum value set: [Boolean, Number, String, DateTime]", a.Type)
	}
	if w.Required != nil && *w.Required {
		return a, errInvalidParam("Required custom attributes are not supported currently.")
	}
	if w.Mutable != nil {
		a.Mutable = *w.Mutable
	}
	if w.DeveloperOnlyAttribute != nil {
		a.DeveloperOnly = *w.DeveloperOnlyAttribute
	}
	if c := w.StringAttributeConstraints; c != nil && a.Type == "String" {
		lo, hi, err := bounds(a.Name, "length", str(c.MinLength), str(c.MaxLength), 0, maxStringAttrLength)
		if err != nil {
			return a, err
		}
		a.MinLength, a.MaxLength = lo, hi
	}
	if num := w.NumberAttributeConstraints; num != nil && a.Type == "Number" {
		lo, hi, err := bounds(a.Name, "value", str(num.MinValue), str(num.MaxValue), -1<<63, 1<<63-1)
		if err != nil {
			return a, err
		}
		a.MinValue, a.MaxValue = lo, hi
	}
	return a, nil
}

// bounds validates a constraint's minimum and maximum (each may be
// empty): integers within [floor, ceil], the minimum not above the
// maximum. It returns them in canonical form.
func bounds(attr, what, lo, hi string, floor, ceil int64) (string, string, error) {
	parse := func(v string) (int64, bool, error) {
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < floor || n > ceil {
			return 0, false, errInvalidParam("%s: the %s constraint %q is not an integer between %d and %d.", attr, what, v, floor, ceil)
		}
		return n, true, nil
	}
	l, hasL, err := parse(lo)
	if err != nil {
		return "", "", err
	}
	h, hasH, err := parse(hi)
	if err != nil {
		return "", "", err
	}
	if hasL && hasH && l > h {
		return "", "", errInvalidParam("%s: the minimum %s %d is greater than the maximum %d.", attr, what, l, h)
	}
	out := func(n int64, ok bool) string {
		if !ok {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	return out(l, hasL), out(h, hasH), nil
}

// numberConstraintsWire adds a Number attribute's
// NumberAttributeConstraints to its DescribeUserPool entry m, as Cognito
// shows them: the bounds that are set (an empty object for none;
// the standard updated_at has MinValue 0).
func numberConstraintsWire(m map[string]any, a schemaAttribute) {
	if a.Type != "Number" {
		return
	}
	c := map[string]any{}
	if a.Name == "updated_at" && a.MinValue == "" {
		c["MinValue"] = "0" // the standard attribute's bound
	}
	if a.MinValue != "" {
		c["MinValue"] = a.MinValue
	}
	if a.MaxValue != "" {
		c["MaxValue"] = a.MaxValue
	}
	m["NumberAttributeConstraints"] = c
}

// schemaRefusal begins the message of a value the schema refuses, as
// the attribute operations word it.
const schemaRefusal = "Attributes did not conform to the schema: "

// shownBounds are the attribute's bounds as DescribeUserPool shows them
// (wire: what it was given, else Cognito's own for a standard attribute,
// such as birthdate's 10 characters or updated_at's minimum 0), so what is
// enforced is what is shown. block is StringAttributeConstraints or
// NumberAttributeConstraints; bound reads one of them.
func (a *schemaAttribute) shownBounds(block string) map[string]any {
	c, _ := a.wire()[block].(map[string]any)
	return c
}

// bound is the bound key of shown bounds c; ok is false when none is
// shown.
func bound(c map[string]any, key string) (n int64, ok bool) {
	v, _ := c[key].(string)
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// checkValue checks a value given to the attribute against its schema
// entry, as every attribute write does (checkAttrs), with the message
// "Attributes did not conform to the schema: <name>: <why>" (valueProblem).
func (a *schemaAttribute) checkValue(v string) error {
	if why := a.valueProblem(v); why != "" {
		return errInvalidParam("%s%s", schemaRefusal, why)
	}
	return nil
}

// valueProblem says what is wrong with a value for the attribute
// ("<name>: <why>"), "" when nothing is: a String must be within its
// length bounds (at most 2048 characters when none is shown), a Number an
// integer within its bounds (shownBounds for both), a Boolean true or
// false. An empty value
// (the attribute removed) always passes. A DateTime value is not checked:
// Cognito documents no form for it. The length wording is Cognito's; the
// others are the emulator's own (no published example was found).
func (a *schemaAttribute) valueProblem(v string) string {
	if v == "" {
		return ""
	}
	switch a.Type {
	case "String":
		c := a.shownBounds("StringAttributeConstraints")
		n := int64(utf8.RuneCountInString(v))
		if lo, ok := bound(c, "MinLength"); ok && n < lo {
			return fmt.Sprintf("%s: String must be no shorter than %d characters", a.Name, lo)
		}
		hi, ok := bound(c, "MaxLength")
		if !ok {
			hi = maxStringAttrLength
		}
		if n > hi {
			return fmt.Sprintf("%s: String must be no longer than %d characters", a.Name, hi)
		}
	case "Number":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Sprintf("%s: Number must be an integer", a.Name)
		}
		c := a.shownBounds("NumberAttributeConstraints")
		if lo, ok := bound(c, "MinValue"); ok && n < lo {
			return fmt.Sprintf("%s: Number must be no less than %d", a.Name, lo)
		}
		if hi, ok := bound(c, "MaxValue"); ok && n > hi {
			return fmt.Sprintf("%s: Number must be no greater than %d", a.Name, hi)
		}
	case "Boolean":
		if v != "true" && v != "false" {
			return fmt.Sprintf("%s: Boolean must be true or false", a.Name)
		}
	}
	return ""
}

// checkMapped checks the attributes an identity provider's sign-in maps
// (hosted UI federation) against the schema before the user is created or
// updated, and words a refusal as Cognito's federation errors do:
// "Invalid user attributes: <name>: <why>".
func checkMapped(p *pool, attrs map[string]string) error {
	for _, n := range sortedKeys(attrs) {
		if sa := p.schemaAttr(n); sa != nil {
			if why := sa.valueProblem(attrs[n]); why != "" {
				return errInvalidParam("Invalid user attributes: %s", why)
			}
		}
	}
	return nil
}
