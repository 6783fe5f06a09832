package awsmodel

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp/syntax"
	"strconv"
	"strings"
)

// This file generates inputs from the model, for tests: a minimal valid
// input of every operation, and inputs that break each constraint the
// model declares (BrokenInputs), so that a test can check that the
// emulator refuses every one of them.

// Case is one generated input that breaks one constraint of an operation.
type Case struct {
	// Operation is the operation's name.
	Operation string
	// Name says what is broken, e.g. "clientName: too long".
	Name string
	// Input is the whole input, valid but for the broken constraint.
	Input map[string]any
	// Want is a fragment the validation message must contain, e.g. "at
	// 'clientName' failed to satisfy constraint: Member must have length
	// less than or equal to 128".
	Want string
	// Secret is the breaking value when its shape is hidden (sensitive):
	// the message must read "Value at '…'" and must not contain it.
	Secret string
}

// Stats counts what BrokenInputs covered.
type Stats struct {
	Operations  int // operations with an input shape
	Constraints int // constraints reached (a member's min, max, pattern, …)
	Cases       int // inputs generated
	Skipped     int // constraints no input can break, or too large to send
}

// maxGenerated bounds the size of a generated value, below the emulator's
// 1 MiB request limit.
const maxGenerated = 200_000

// ValidInput returns a minimal input of op that satisfies every
// constraint: the required members only, each with the smallest value
// its shape allows.
func (s *Service) ValidInput(op string) (map[string]any, error) {
	in, ok := s.Inputs[op]
	if !ok {
		return nil, ErrUnknownOperation
	}
	if in == nil {
		return map[string]any{}, nil
	}
	v, err := ValidValue(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return v.(map[string]any), nil
}

// ValidValue returns the smallest value the shape allows, as decoded
// JSON (json.Number for numbers).
func ValidValue(s *Shape) (any, error) { return validValue(s, 0) }

func validValue(s *Shape, depth int) (any, error) {
	if depth > 16 {
		return nil, fmt.Errorf("shape %s nests too deeply", s.Name)
	}
	switch s.Type {
	case TypeStructure:
		obj := map[string]any{}
		for _, m := range s.Members {
			if !m.Required {
				continue
			}
			v, err := validValue(m.Shape, depth+1)
			if err != nil {
				return nil, err
			}
			obj[m.Name] = v
		}
		return obj, nil
	case TypeList:
		n := int64(0)
		if s.HasMin {
			n = s.Min
		}
		list := make([]any, 0, n)
		for i := int64(0); i < n; i++ {
			v, err := validValue(s.Elem, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case TypeMap:
		n := 0
		if s.HasMin {
			n = int(s.Min)
		}
		keys, err := distinctStrings(s.Key, n)
		if err != nil {
			return nil, err
		}
		obj := map[string]any{}
		for _, k := range keys {
			v, err := validValue(s.Value, depth+1)
			if err != nil {
				return nil, err
			}
			obj[k] = v
		}
		return obj, nil
	case TypeString:
		if len(s.Enum) > 0 {
			return s.Enum[0], nil
		}
		lo := int64(0)
		if s.HasMin {
			lo = s.Min
		}
		str, ok := stringOfLength(s, lo, true)
		if !ok {
			return nil, fmt.Errorf("no valid value for shape %s", s.Name)
		}
		return str, nil
	case TypeInteger, TypeLong:
		n := int64(0)
		if s.HasMin && n < s.Min {
			n = s.Min
		}
		if s.HasMax && n > s.Max {
			n = s.Max
		}
		return json.Number(strconv.FormatInt(n, 10)), nil
	case TypeBoolean:
		return false, nil
	case TypeBlob:
		n := int64(0)
		if s.HasMin {
			n = s.Min
		}
		return base64.StdEncoding.EncodeToString(make([]byte, n)), nil
	case TypeTimestamp:
		return json.Number("0"), nil
	}
	return nil, fmt.Errorf("shape %s has unknown type %q", s.Name, s.Type)
}

// stringOfLength returns a string of the shape of UTF-16 length at least
// lo (exactly lo when the pattern allows it) that matches the pattern when
// match is true, or any string of length lo when the pattern cannot reach
// it and match is false.
func stringOfLength(s *Shape, lo int64, match bool) (string, bool) {
	re, _ := s.Regexp()
	if re == nil {
		return strings.Repeat("a", int(lo)), true
	}
	prog, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return "", false
	}
	prog = prog.Simplify()
	ok := func(str string) bool {
		n := utf16Len(str)
		return n >= lo && (!s.HasMax || n <= s.Max || lo > s.Max) && re.MatchString(str)
	}
	// Lengths grow with n; find the smallest n reaching lo.
	hi := 1
	for utf16Len(genRegexp(prog, hi)) < lo && hi < 1<<20 {
		hi *= 2
	}
	l, h := 0, hi
	for l < h {
		mid := (l + h) / 2
		if utf16Len(genRegexp(prog, mid)) >= lo {
			h = mid
		} else {
			l = mid + 1
		}
	}
	for n := l; n < l+4; n++ {
		if str := genRegexp(prog, n); ok(str) {
			return str, true
		}
	}
	if match {
		return "", false
	}
	return strings.Repeat("a", int(lo)), true
}

// genRegexp writes a string the expression matches, repeating each
// unbounded repetition n times (at least its minimum).
func genRegexp(re *syntax.Regexp, n int) string {
	var b strings.Builder
	gen(&b, re, n)
	return b.String()
}

func gen(b *strings.Builder, re *syntax.Regexp, n int) {
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		b.WriteRune(pickRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('a')
	case syntax.OpCapture:
		gen(b, re.Sub[0], n)
	case syntax.OpStar:
		for i := 0; i < n; i++ {
			gen(b, re.Sub[0], n)
		}
	case syntax.OpPlus:
		for i := 0; i < max(n, 1); i++ {
			gen(b, re.Sub[0], n)
		}
	case syntax.OpQuest:
		if n > 1 {
			gen(b, re.Sub[0], n)
		}
	case syntax.OpRepeat:
		k := max(n, re.Min)
		if re.Max >= 0 {
			k = min(k, re.Max)
		}
		for i := 0; i < k; i++ {
			gen(b, re.Sub[0], n)
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			gen(b, sub, n)
		}
	case syntax.OpAlternate:
		gen(b, re.Sub[0], n)
	}
}

// pickRune picks a plain rune of a character class: a letter or digit
// when the class has one.
func pickRune(ranges []rune) rune {
	for _, want := range []rune{'a', 'A', '0', '_', '-'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		if r := ranges[i]; r > ' ' {
			return r
		}
	}
	return ranges[0]
}

// distinctStrings returns n different valid values of a string shape.
func distinctStrings(s *Shape, n int) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	base, err := ValidValue(s)
	if err != nil {
		return nil, err
	}
	cands := []string{base.(string)}
	if len(s.Enum) > 0 {
		cands = s.Enum
	}
	for i := 0; len(out) < n && i < 4*n+8; i++ {
		var c string
		switch {
		case i < len(cands):
			c = cands[i]
		default:
			str, _ := base.(string)
			c = mutate(s, str, i)
		}
		if c != "" && !seen[c] && len(scalarViolations(s, c)) == 0 {
			seen[c] = true
			out = append(out, c)
		}
	}
	if len(out) < n {
		return nil, fmt.Errorf("cannot make %d distinct values of shape %s", n, s.Name)
	}
	return out, nil
}

// mutate derives the i-th variant of a valid string by replacing or
// appending characters the shape's alphabet likely allows.
func mutate(s *Shape, str string, i int) string {
	alpha := "abcdefghijklmnopqrstuvwxyz0123456789"
	c := string(alpha[i%len(alpha)])
	if i/len(alpha) > 0 {
		c += string(alpha[(i/len(alpha))%len(alpha)])
	}
	if str == "" {
		return c
	}
	if s.HasMax && utf16Len(str)+int64(len(c)) > s.Max {
		return c + str[len(c):]
	}
	return str + c
}

// breakers are characters tried, one at a time, to break a pattern.
var breakers = []string{"\x01", " ", "!", "*", "#", "\t", ".", "_", "é", "$", "a", "Z", "0", ":", "/", "{", "@"}

// patternBreaker returns a string whose length satisfies the shape but
// which does not match its pattern.
func patternBreaker(s *Shape) (string, bool) {
	re, err := s.Regexp()
	if err != nil || re == nil {
		return "", false
	}
	lo := int64(1)
	if s.HasMin && s.Min > lo {
		lo = s.Min
	}
	base, ok := stringOfLength(s, lo, false)
	if !ok {
		return "", false
	}
	runes := []rune(base)
	fits := func(str string) bool {
		n := utf16Len(str)
		return (!s.HasMin || n >= s.Min) && (!s.HasMax || n <= s.Max)
	}
	for i := 0; i < len(runes) && i < 64; i++ {
		for _, c := range breakers {
			cand := string(runes[:i]) + c + string(runes[i+1:])
			if fits(cand) && !re.MatchString(cand) {
				return cand, true
			}
		}
	}
	for _, c := range breakers {
		cand := strings.Repeat(c, int(lo))
		if fits(cand) && !re.MatchString(cand) {
			return cand, true
		}
	}
	return "", false
}

// BrokenInputs generates, for operation op, one input per constraint the
// model declares on the input (recursively through structures, lists and
// maps): a missing required member, a string or blob too short or too
// long, a pattern broken at a valid length, a value outside the enum, a
// number out of range, a list or map too short or too long, a map key or
// value that breaks its shape. Each case breaks one constraint of an
// otherwise minimal valid input.
func (s *Service) BrokenInputs(op string) ([]Case, Stats, error) {
	var st Stats
	in, ok := s.Inputs[op]
	if !ok {
		return nil, st, ErrUnknownOperation
	}
	if in == nil {
		return nil, st, nil
	}
	st.Operations = 1
	g := &caseGen{op: op, st: &st, stack: map[*Shape]bool{}}
	base, err := ValidValue(in)
	if err != nil {
		return nil, st, err
	}
	g.structure(in, base.(map[string]any), "", func(v any) map[string]any { return v.(map[string]any) })
	st.Cases = len(g.out)
	return g.out, st, g.err
}

// AllBrokenInputs is BrokenInputs for every operation of the model, in
// operation order, with the counts summed.
func (s *Service) AllBrokenInputs() ([]Case, Stats, error) {
	var all []Case
	var total Stats
	for _, op := range s.Operations() {
		cases, st, err := s.BrokenInputs(op)
		if err != nil {
			return nil, total, fmt.Errorf("%s: %w", op, err)
		}
		all = append(all, cases...)
		total.Operations += st.Operations
		total.Constraints += st.Constraints
		total.Cases += st.Cases
		total.Skipped += st.Skipped
	}
	return all, total, nil
}

type caseGen struct {
	op    string
	st    *Stats
	out   []Case
	err   error
	stack map[*Shape]bool
}

// build wraps a value of the shape being visited into a whole input.
type build func(v any) map[string]any

func (g *caseGen) add(name string, in map[string]any, path, constraint string, hidden bool, value any) {
	c := Case{Operation: g.op, Name: path + ": " + name, Input: in,
		Want: "at '" + path + "' failed to satisfy constraint: " + constraint}
	if hidden {
		c.Want = "Value " + c.Want
		if str, ok := value.(string); ok && len(str) >= 4 {
			c.Secret = str
		}
	}
	g.st.Constraints++
	g.out = append(g.out, c)
}

func copyObj(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (g *caseGen) structure(s *Shape, base map[string]any, path string, wrap build) {
	if g.stack[s] {
		return
	}
	g.stack[s] = true
	defer delete(g.stack, s)
	for _, m := range s.Members {
		m := m
		p := join(path, m.Path)
		if m.Required {
			without := copyObj(base)
			delete(without, m.Name)
			g.st.Constraints++
			g.out = append(g.out, Case{Operation: g.op, Name: p + ": missing", Input: wrap(without),
				Want: "Value null at '" + p + "' failed to satisfy constraint: Member must not be null"})
		}
		set := func(v any) map[string]any {
			obj := copyObj(base)
			obj[m.Name] = v
			return wrap(obj)
		}
		g.member(m.Shape, p, set)
	}
}

// member generates the cases of one value of shape s at path p.
func (g *caseGen) member(s *Shape, p string, set build) {
	switch s.Type {
	case TypeStructure:
		v, err := ValidValue(s)
		if err != nil {
			g.err = err
			return
		}
		g.structure(s, v.(map[string]any), p, set)
	case TypeList:
		g.list(s, p, set)
	case TypeMap:
		g.mapCases(s, p, set)
	default:
		for _, b := range scalarBreakers(s) {
			if b.skip {
				g.st.Skipped++
				continue
			}
			g.add(b.name, set(b.value), p, b.constraint, s.hidden, b.value)
		}
	}
}

type breaker struct {
	name, constraint string
	value            any
	skip             bool
}

// scalarBreakers returns one value per constraint of a scalar shape.
func scalarBreakers(s *Shape) []breaker {
	var out []breaker
	switch s.Type {
	case TypeString:
		if s.HasMax {
			if s.Max+1 > maxGenerated {
				out = append(out, breaker{name: "too long", skip: true})
			} else {
				str, _ := stringOfLength(s, s.Max+1, false)
				out = append(out, breaker{"too long", maxLen(s.Max), str, false})
			}
		}
		if s.HasMin && s.Min > 0 {
			str, _ := stringOfLength(s, s.Min-1, false)
			if utf16Len(str) >= s.Min {
				str = strings.Repeat("a", int(s.Min-1))
			}
			out = append(out, breaker{"too short", minLen(s.Min), str, false})
		}
		if s.Pattern != "" {
			if str, ok := patternBreaker(s); ok {
				out = append(out, breaker{"pattern", patternMsg(s.Pattern), str, false})
			} else {
				out = append(out, breaker{name: "pattern", skip: true})
			}
		}
		if len(s.Enum) > 0 {
			out = append(out, breaker{"not in enum", enumMsg(s.Enum), "NOT_AN_ENUM_VALUE", false})
		}
	case TypeBlob:
		if s.HasMax {
			if (s.Max+1)*4/3 > maxGenerated {
				out = append(out, breaker{name: "too long", skip: true})
			} else {
				out = append(out, breaker{"too long", maxLen(s.Max), base64.StdEncoding.EncodeToString(make([]byte, s.Max+1)), false})
			}
		}
		if s.HasMin && s.Min > 0 {
			out = append(out, breaker{"too short", minLen(s.Min), base64.StdEncoding.EncodeToString(make([]byte, s.Min-1)), false})
		}
	case TypeInteger, TypeLong:
		if s.HasMax {
			out = append(out, breaker{"too large", maxVal(s.Max), json.Number(strconv.FormatInt(s.Max+1, 10)), false})
		}
		if s.HasMin {
			out = append(out, breaker{"too small", minVal(s.Min), json.Number(strconv.FormatInt(s.Min-1, 10)), false})
		}
	}
	return out
}

func (g *caseGen) list(s *Shape, p string, set build) {
	elem, err := ValidValue(s.Elem)
	if err != nil {
		g.err = err
		return
	}
	n := func(k int64) []any {
		l := make([]any, k)
		for i := range l {
			l[i] = elem
		}
		return l
	}
	if s.HasMax {
		if s.Max+1 > 10_000 {
			g.st.Skipped++
		} else {
			g.add("too many", set(n(s.Max+1)), p, maxLen(s.Max), s.hidden, nil)
		}
	}
	if s.HasMin && s.Min > 0 {
		g.add("too few", set(n(s.Min-1)), p, minLen(s.Min), s.hidden, nil)
	}
	rest := int64(0)
	if s.HasMin && s.Min > 1 {
		rest = s.Min - 1
	}
	withFirst := func(v any) map[string]any { return set(append([]any{v}, n(rest)...)) }
	switch s.Elem.Type {
	case TypeStructure, TypeList, TypeMap:
		g.member(s.Elem, p+".1.member", withFirst)
	default:
		for _, b := range scalarBreakers(s.Elem) {
			if b.skip {
				g.st.Skipped++
				continue
			}
			g.add("element "+b.name, withFirst(b.value), p, "Member must satisfy constraint: ["+allConstraints(s.Elem)+"]", s.hidden, b.value)
		}
	}
}

func (g *caseGen) mapCases(s *Shape, p string, set build) {
	val, err := ValidValue(s.Value)
	if err != nil {
		g.err = err
		return
	}
	entries := func(k int64) (map[string]any, bool) {
		keys, err := distinctStrings(s.Key, int(k))
		if err != nil {
			return nil, false
		}
		m := make(map[string]any, k)
		for _, key := range keys {
			m[key] = val
		}
		return m, true
	}
	if s.HasMax {
		if m, ok := entries(s.Max + 1); ok {
			g.add("too many", set(m), p, maxLen(s.Max), s.hidden, nil)
		} else {
			g.st.Skipped++
		}
	}
	if s.HasMin && s.Min > 0 {
		if m, ok := entries(s.Min - 1); ok {
			g.add("too few", set(m), p, minLen(s.Min), s.hidden, nil)
		} else {
			g.st.Skipped++
		}
	}
	key, err := ValidValue(s.Key)
	if err != nil {
		g.err = err
		return
	}
	k := key.(string)
	for _, b := range scalarBreakers(s.Key) {
		bk, ok := b.value.(string)
		if b.skip || !ok {
			g.st.Skipped++
			continue
		}
		g.add("key "+b.name, set(map[string]any{bk: val}), p, "Map keys must satisfy constraint: ["+allConstraints(s.Key)+"]", s.hidden, bk)
	}
	switch s.Value.Type {
	case TypeStructure, TypeList, TypeMap:
		g.member(s.Value, p+"."+k+".member", func(v any) map[string]any { return set(map[string]any{k: v}) })
	default:
		for _, b := range scalarBreakers(s.Value) {
			if b.skip {
				g.st.Skipped++
				continue
			}
			g.add("value "+b.name, set(map[string]any{k: b.value}), p, "Map value must satisfy constraint: ["+allConstraints(s.Value)+"]", s.hidden, b.value)
		}
	}
}
