package iampolicy

import "strings"

// expand substitutes the policy variables in s from the request context:
// ${key} is the key's single value (keys compare without regard to case),
// ${key, 'default'} falls back to default (” in it is one quote), and
// ${*}, ${?} and ${$} are a literal '*', '?' and '$'. One round only: what
// a substitution brings in is never read as a variable or a wildcard.
//
// lit marks, byte by byte, the '*' and '?' in the result that are literal
// rather than wildcards (nil when there are none); ok is false when a
// variable cannot be resolved (absent or multi-valued with no default, or
// malformed), which makes what holds it match nothing.
func expand(s string, ctx *reqContext) (out string, lit []bool, ok bool) {
	var sb strings.Builder
	var mask []bool
	literal := func(v string) {
		for i := 0; i < len(v); i++ {
			if v[i] == '*' || v[i] == '?' {
				if mask == nil {
					mask = make([]bool, sb.Len(), sb.Len()+len(v)+len(s))
				}
				for len(mask) < sb.Len() {
					mask = append(mask, false)
				}
				mask = append(mask, true)
			}
			sb.WriteByte(v[i])
		}
	}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			sb.WriteString(s)
			break
		}
		sb.WriteString(s[:i])
		s = s[i+2:]
		body, rest, ok := variableBody(s)
		if !ok {
			return "", nil, false
		}
		s = rest
		v, ok := resolve(body, ctx)
		if !ok {
			return "", nil, false
		}
		literal(v)
	}
	out = sb.String()
	if mask != nil {
		for len(mask) < len(out) {
			mask = append(mask, false)
		}
	}
	return out, mask, true
}

// variableBody splits what follows "${" into the variable's body and the
// rest after its closing brace, skipping a quoted default (which may hold
// '}' and doubled quotes).
func variableBody(s string) (body, rest string, ok bool) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			quoted = !quoted // '' inside a default toggles twice
		case s[i] == '}' && !quoted:
			return s[:i], s[i+1:], true
		}
	}
	return "", "", false
}

// resolve is the value of one variable's body: "key" or "key, 'default'".
func resolve(body string, ctx *reqContext) (string, bool) {
	switch body {
	case "*", "?", "$":
		return body, true
	}
	key, def, hasDef := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t'") {
		return "", false
	}
	if v, ok := ctx.get(key, strings.ToLower(key)); ok && len(v) == 1 {
		return v[0], true
	}
	if !hasDef {
		return "", false
	}
	def = strings.TrimSpace(def)
	if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
		return "", false
	}
	def = def[1 : len(def)-1]
	// Inside the quotes a quote is written twice.
	if strings.Contains(strings.ReplaceAll(def, "''", ""), "'") {
		return "", false
	}
	return strings.ReplaceAll(def, "''", "'"), true
}
