package userpool

import (
	"strings"
)

// userFilter is a parsed ListUsers Filter: `attr = "value"` (exact) or
// `attr ^= "value"` (prefix), as Cognito accepts.
type userFilter struct {
	attr   string
	prefix bool
	value  string
}

var filterable = []string{"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub"}

// parseFilter parses a ListUsers filter string.
func parseFilter(s string) (*userFilter, error) {
	bad := func() error { return errInvalidParam("Error while parsing filter.") }
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "=^ \t")
	if i <= 0 {
		return nil, bad()
	}
	attr := s[:i]
	rest := strings.TrimLeft(s[i:], " \t")
	f := &userFilter{attr: attr}
	switch {
	case strings.HasPrefix(rest, "^="):
		f.prefix = true
		rest = rest[2:]
	case strings.HasPrefix(rest, "="):
		rest = rest[1:]
	default:
		return nil, bad()
	}
	rest = strings.TrimSpace(rest)
	if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
		return nil, bad()
	}
	body := rest[1 : len(rest)-1]
	var b strings.Builder
	for j := 0; j < len(body); j++ {
		ch := body[j]
		if ch == '\\' {
			if j+1 >= len(body) {
				return nil, bad()
			}
			j++
			b.WriteByte(body[j])
			continue
		}
		if ch == '"' {
			return nil, bad()
		}
		b.WriteByte(ch)
	}
	f.value = b.String()
	if !contains(filterable, attr) {
		return nil, errInvalidParam("Invalid search attribute: %s", attr)
	}
	return f, nil
}

func (f *userFilter) match(u *user) bool {
	var v string
	switch f.attr {
	case "username":
		v = u.Username
	case "cognito:user_status":
		v = u.Status
	case "status":
		v = "Disabled"
		if u.Enabled {
			v = "Enabled"
		}
	case "sub":
		v = u.Sub
	default:
		var ok bool
		if v, ok = u.Attrs[f.attr]; !ok {
			return false
		}
	}
	if f.prefix {
		return strings.HasPrefix(strings.ToLower(v), strings.ToLower(f.value))
	}
	if f.attr == "username" || f.attr == "email" || f.attr == "preferred_username" {
		return strings.EqualFold(v, f.value)
	}
	return v == f.value
}
