package iampolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Condition is a statement's Condition element: condition operator →
// context key → values, as in
//
//	"Condition": {"StringEquals": {"aws:PrincipalTag/department": "sales"}}
//
// Every operator must hold and, within one operator, every key (AND);
// a key holds when the request's value matches one of the policy's values
// (OR; for a negated operator such as StringNotEquals, when it matches
// none of them). Context key names compare without regard to case, values
// as the operator says (see Request for the supported operators and the
// rules for a key missing from the request).
type Condition map[string]map[string]ConditionValues

// ConditionValues are the values of one condition key: IAM writes them as
// a JSON string, number or boolean, or an array of those; numbers and
// booleans are kept as their JSON text ("3600", "true").
type ConditionValues []string

// UnmarshalJSON accepts a string, number or boolean, or an array of them.
func (v *ConditionValues) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var many []json.RawMessage
		if err := json.Unmarshal(b, &many); err != nil {
			return err
		}
		out := make(ConditionValues, 0, len(many))
		for _, m := range many {
			s, err := scalar(m)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		*v = out
		return nil
	}
	s, err := scalar(b)
	if err != nil {
		return err
	}
	*v = ConditionValues{s}
	return nil
}

// scalar reads a JSON string, number or boolean as text.
func scalar(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		err := json.Unmarshal(b, &s)
		return s, err
	}
	var x any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&x); err != nil {
		return "", err
	}
	switch x := x.(type) {
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("a condition value is a string, number or boolean, not %s", b)
}

// opKind is a condition operator without its IfExists suffix, set
// qualifier or negation.
type opKind uint8

const (
	opStringEquals opKind = iota
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opIPAddress
	opArnLike
	opNull
)

// operators maps each operator name IAM defines (without IfExists and
// set qualifiers) to its kind and whether it is the negated form.
var operators = map[string]struct {
	kind   opKind
	negate bool
}{
	"StringEquals":              {opStringEquals, false},
	"StringNotEquals":           {opStringEquals, true},
	"StringEqualsIgnoreCase":    {opStringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringEqualsIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"NumericEquals":             {opNumericEquals, false},
	"NumericNotEquals":          {opNumericEquals, true},
	"NumericLessThan":           {opNumericLessThan, false},
	"NumericLessThanEquals":     {opNumericLessThanEquals, false},
	"NumericGreaterThan":        {opNumericGreaterThan, false},
	"NumericGreaterThanEquals":  {opNumericGreaterThanEquals, false},
	"DateEquals":                {opDateEquals, false},
	"DateNotEquals":             {opDateEquals, true},
	"DateLessThan":              {opDateLessThan, false},
	"DateLessThanEquals":        {opDateLessThanEquals, false},
	"DateGreaterThan":           {opDateGreaterThan, false},
	"DateGreaterThanEquals":     {opDateGreaterThanEquals, false},
	"Bool":                      {opBool, false},
	"IpAddress":                 {opIPAddress, false},
	"NotIpAddress":              {opIPAddress, true},
	"ArnEquals":                 {opArnLike, false},
	"ArnLike":                   {opArnLike, false},
	"ArnNotEquals":              {opArnLike, true},
	"ArnNotLike":                {opArnLike, true},
	"Null":                      {opNull, false},
}

// setKind is a condition operator's set qualifier.
type setKind uint8

const (
	setNone setKind = iota
	setAnyValue
	setAllValues
)

// clause is one key of one operator, compiled: policy values parsed once.
type clause struct {
	kind     opKind
	negate   bool
	ifExists bool
	set      setKind
	key      string // as the policy writes it
	lower    string // lower case
	values   []string
	nums     []float64
	times    []time.Time
	prefixes []netip.Prefix
}

// compileCondition checks a Condition and compiles it. Keys are sorted so
// that evaluation and error messages do not depend on map order.
func compileCondition(c Condition) ([]clause, error) {
	ops := make([]string, 0, len(c))
	for op := range c {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var out []clause
	for _, op := range ops {
		base, set, ifExists, err := parseOperator(op)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(c[op]))
		for k := range c[op] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "" {
				return nil, fmt.Errorf("Condition %s: empty condition key", op)
			}
			cl := clause{kind: base.kind, negate: base.negate, ifExists: ifExists, set: set, key: k, lower: strings.ToLower(k), values: c[op][k]}
			if err := cl.compileValues(); err != nil {
				return nil, fmt.Errorf("Condition %s %s: %v", op, k, err)
			}
			out = append(out, cl)
		}
	}
	return out, nil
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
// Operator names are case-sensitive, as IAM writes them.
func parseOperator(op string) (base struct {
	kind   opKind
	negate bool
}, set setKind, ifExists bool, err error) {
	name := op
	switch {
	case strings.HasPrefix(name, "ForAnyValue:"):
		set, name = setAnyValue, name[len("ForAnyValue:"):]
	case strings.HasPrefix(name, "ForAllValues:"):
		set, name = setAllValues, name[len("ForAllValues:"):]
	}
	if n, ok := strings.CutSuffix(name, "IfExists"); ok {
		name, ifExists = n, true
	}
	base, ok := operators[name]
	switch {
	case !ok && strings.HasPrefix(name, "Binary"):
		err = fmt.Errorf("Condition operator %q is not supported (a policy that cannot be fully evaluated is refused)", op)
	case !ok:
		err = fmt.Errorf("unknown Condition operator %q", op)
		for known := range operators {
			if strings.EqualFold(known, name) {
				err = fmt.Errorf("unknown Condition operator %q (condition operators are case-sensitive: did you mean %q?)", op, known)
			}
		}
	case base.kind == opNull && (set != setNone || ifExists):
		err = fmt.Errorf("Condition operator %q: Null takes no set qualifier and no IfExists", op)
	}
	return base, set, ifExists, err
}

// compileValues parses the policy values an operator compares as
// numbers, dates, booleans or addresses; a value that does not parse is
// an error (such a condition could never be evaluated as written).
func (c *clause) compileValues() error {
	for _, v := range c.values {
		switch c.kind {
		case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
			n, ok := parseNumber(v)
			if !ok {
				return fmt.Errorf("%q is not a number", v)
			}
			c.nums = append(c.nums, n)
		case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
			t, ok := parseDate(v)
			if !ok {
				return fmt.Errorf("%q is not a date (ISO 8601 or seconds since the epoch)", v)
			}
			c.times = append(c.times, t)
		case opBool, opNull:
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return fmt.Errorf("%q is not true or false", v)
			}
		case opIPAddress:
			p, err := parsePrefix(v)
			if err != nil {
				return fmt.Errorf("%q is not an IP address or CIDR block", v)
			}
			c.prefixes = append(c.prefixes, p)
		}
	}
	return nil
}

func parseNumber(s string) (float64, bool) {
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return n, err == nil && !math.IsNaN(n)
}

// parseDate reads the ISO 8601 forms IAM documents, or seconds since the
// epoch.
func parseDate(s string) (time.Time, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, err
		}
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()).Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// takesVariables reports whether the operator's policy values may hold
// policy variables: IAM substitutes them in string and ARN operators only.
func (c *clause) takesVariables() bool {
	switch c.kind {
	case opStringEquals, opStringEqualsIgnoreCase, opStringLike, opArnLike:
		return true
	}
	return false
}

// eval reports whether the clause holds for the request context, and
// false for resolved when a policy variable in its values cannot be
// resolved (the statement then does not apply).
func (c *clause) eval(ctx *reqContext, vars bool) (ok, resolved bool) {
	got, present := ctx.get(c.key, c.lower)
	if c.kind == opNull {
		// "Null": true holds when the key is absent, false when present
		// (several values: one of them).
		for _, v := range c.values {
			if strings.EqualFold(v, "true") != present {
				return true, true
			}
		}
		return false, true
	}
	resolved = true
	single := func(v string) bool {
		m, r := c.matchAny(v, ctx, vars)
		resolved = resolved && r
		return m != c.negate
	}
	switch c.set {
	case setAllValues:
		// True when every request value matches, and for no values.
		for _, v := range got {
			if !single(v) {
				return false, resolved
			}
		}
		return true, resolved
	case setAnyValue:
		if !present {
			return c.ifExists, true
		}
		for _, v := range got {
			if single(v) {
				return true, resolved
			}
		}
		return false, resolved
	}
	if !present {
		// A missing key: false, except for IfExists and negated operators.
		return c.ifExists || c.negate, true
	}
	any := false
	for _, v := range got {
		m, r := c.matchAny(v, ctx, vars)
		resolved = resolved && r
		any = any || m
	}
	return any != c.negate, resolved
}

// matchAny reports whether the request value v matches one of the
// clause's policy values under its (positive) operator.
func (c *clause) matchAny(v string, ctx *reqContext, vars bool) (match, resolved bool) {
	resolved = true
	switch c.kind {
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		n, ok := parseNumber(v)
		if !ok {
			return false, true
		}
		for _, p := range c.nums {
			if compareOp(c.kind-opNumericEquals, cmpFloat(n, p)) {
				return true, true
			}
		}
		return false, true
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(v)
		if !ok {
			return false, true
		}
		for _, p := range c.times {
			if compareOp(c.kind-opDateEquals, t.Compare(p)) {
				return true, true
			}
		}
		return false, true
	case opBool:
		for _, p := range c.values {
			if strings.EqualFold(v, p) {
				return true, true
			}
		}
		return false, true
	case opIPAddress:
		a, err := netip.ParseAddr(strings.TrimSpace(v))
		if err != nil {
			return false, true
		}
		a = a.Unmap()
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return true, true
			}
		}
		return false, true
	}
	for _, p := range c.values {
		var lit []bool
		if vars && strings.Contains(p, "${") {
			var ok bool
			if p, lit, ok = expand(p, ctx); !ok {
				resolved = false
				continue
			}
		}
		var m bool
		switch c.kind {
		case opStringEquals:
			m = v == p
		case opStringEqualsIgnoreCase:
			m = strings.EqualFold(v, p)
		case opStringLike:
			m = matchLit(p, lit, v)
		case opArnLike:
			m = arnLike(p, lit, v)
		}
		if m {
			return true, resolved
		}
	}
	return false, resolved
}

// compareOp applies the comparison at offset off from the Equals kind
// (Equals, LessThan, LessThanEquals, GreaterThan, GreaterThanEquals) to
// cmp, the request value compared with the policy value.
func compareOp(off opKind, cmp int) bool {
	switch off {
	case 0:
		return cmp == 0
	case 1:
		return cmp < 0
	case 2:
		return cmp <= 0
	case 3:
		return cmp > 0
	default:
		return cmp >= 0
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// arnLike matches an ARN against an ARN pattern part by part: the six
// colon-separated parts of each must match, the last one taking the rest.
func arnLike(pattern string, lit []bool, arn string) bool {
	off := 0
	for i := 0; i < 5; i++ {
		pi := strings.IndexByte(pattern[off:], ':')
		ai := strings.IndexByte(arn, ':')
		if pi < 0 || ai < 0 {
			return false
		}
		var l []bool
		if lit != nil {
			l = lit[off : off+pi]
		}
		if !matchLit(pattern[off:off+pi], l, arn[:ai]) {
			return false
		}
		off += pi + 1
		arn = arn[ai+1:]
	}
	var l []bool
	if lit != nil {
		l = lit[off:]
	}
	return matchLit(pattern[off:], l, arn)
}

// reqContext is a request's context keys, looked up without regard to case.
type reqContext struct {
	raw     map[string][]string
	folded  map[string][]string
	checked bool // dup is known
	dup     bool // two keys differ in case only
}

// get returns the values of key (lower its lower-case form), present
// reporting at least one value. A key spelled as the context spells it is
// found without folding the context (the usual case).
func (c *reqContext) get(key, lower string) ([]string, bool) {
	if c.raw == nil {
		return nil, false
	}
	if c.folded == nil {
		if v, ok := c.raw[key]; ok && !c.ambiguous(key) {
			return v, len(v) > 0
		}
		c.folded = make(map[string][]string, len(c.raw))
		for k, v := range c.raw {
			lk := strings.ToLower(k)
			if old, dup := c.folded[lk]; dup {
				v = append(append([]string(nil), old...), v...)
			}
			c.folded[lk] = v
		}
	}
	v := c.folded[lower]
	return v, len(v) > 0
}

// ambiguous reports whether the context also has key in another case
// (then the values of every spelling count). It is checked once, when
// the context is first read.
func (c *reqContext) ambiguous(key string) bool {
	if c.checked {
		return c.dup
	}
	c.checked = true
	if len(c.raw) > 32 {
		seen := make(map[string]bool, len(c.raw))
		for k := range c.raw {
			lk := strings.ToLower(k)
			c.dup = c.dup || seen[lk]
			seen[lk] = true
		}
		return c.dup
	}
	keys := make([]string, 0, 32)
	for k := range c.raw {
		for _, o := range keys {
			c.dup = c.dup || strings.EqualFold(k, o)
		}
		keys = append(keys, k)
	}
	return c.dup
}
